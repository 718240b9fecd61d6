package daemonset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Limits of the codec. They bound what Decode keeps, not how much it
// reads: a List is decoded item by item, so a 1 GB `kubectl get nodes -o
// json` of 65,000 nodes costs its bytes and the nodes kept. Inputs beyond a
// limit are refused with a clear error instead of exhausting memory.
const (
	// MaxDocumentBytes is the largest object (a document, or an item of a
	// List) Decode reads, and the largest document it decodes whole: a
	// document that is not a List, or a List that cannot be read item by
	// item (a flow-style YAML list, say).
	MaxDocumentBytes = 128 << 20
	// MaxListItems is the largest number of items a List document may hold
	// (a `kubectl get nodes -o yaml` of 200,000 nodes is three times the
	// largest cluster Kubernetes providers run). It is checked when the list
	// has been cut into items, before any is decoded.
	MaxListItems = 200_000
	// MaxNodes is the most Nodes one Decode call keeps.
	MaxNodes = 200_000
	// MaxPods is the most Pods one Decode call keeps: a dozen per node of
	// the largest clusters, and six times the Kubernetes limit of 150,000.
	MaxPods = 1_000_000
	// MaxOtherObjects is the most DaemonSets and objects of other kinds
	// together (Objects.Others keeps them as generic values) one Decode
	// call keeps.
	MaxOtherObjects = 100_000
	// MaxDepth is the deepest nesting of maps and lists a document may have.
	// Kubernetes objects, managedFields included, stay far below it.
	MaxDepth = 100
)

// Objects is what Decode found in a stream: the kinds daemonkit works with,
// typed, and every other object, kept aside.
type Objects struct {
	DaemonSets []*appsv1.DaemonSet
	// Nodes and Pods come without what no daemonkit computation reads and
	// what makes up most of a cluster dump, dropped once they were checked:
	// managedFields and the kubectl.kubernetes.io/last-applied-configuration
	// annotation of both; a node's status.images; a pod's
	// status.{init,ephemeral,}containerStatuses[].imageID and containerID;
	// and, of a pod that a controller of another kind than DaemonSet
	// controls (so no DaemonSet can own or adopt it), spec.volumes,
	// spec.ephemeralContainers and its containers' and init containers'
	// command, args, env, envFrom, volumeMounts, volumeDevices,
	// livenessProbe, readinessProbe, startupProbe and lifecycle. Equal
	// strings of the Nodes and Pods of one call (namespaces, labels,
	// owners, images, ...) share their storage; values are unchanged.
	Nodes []*corev1.Node
	Pods  []*corev1.Pod
	// PriorityClasses (scheduling.k8s.io/v1), which decide the priority
	// the Priority admission plugin gives pods (AdmitPodPriority).
	PriorityClasses []*schedulingv1.PriorityClass
	// PodDisruptionBudgets (policy/v1), which decide the order in which
	// preemption spares pods (FilterPodsWithPDBViolation).
	PodDisruptionBudgets []*policyv1.PodDisruptionBudget
	// Namespaces (v1), whose labels the scheduler's inter-pod affinity
	// reads for a term's namespaceSelector (NamespaceLabelsOf).
	Namespaces []*corev1.Namespace
	// Others holds every object of another kind (ConfigMaps, RBAC, Services,
	// CRDs, ...), in stream order. They are not an error.
	Others []Other
	// Warnings are things worth telling the user that do not stop decoding,
	// such as an object of an API that the cluster no longer serves.
	Warnings []Warning

	sources map[any]Source
	// locations holds, for each DaemonSet, its document and its path in
	// it, for Position.
	locations map[any]location
}

// Source says where an object came from.
type Source struct {
	// Name is the file name ("-" for standard input), as given to Decode.
	Name string
	// Document is the 1-based index of the document in the stream, counting
	// non-empty documents only.
	Document int
	// Line is the 1-based line where the object starts; 0 if unknown.
	Line int
	// Item is the 0-based index inside a List document, or -1.
	Item int
}

// String renders the source as "name: document N (line L)".
func (s Source) String() string {
	var b strings.Builder
	b.WriteString(s.Name)
	if s.Document > 0 {
		fmt.Fprintf(&b, ": document %d", s.Document)
	}
	if s.Item >= 0 {
		fmt.Fprintf(&b, ", items[%d]", s.Item)
	}
	if s.Line > 0 {
		fmt.Fprintf(&b, " (line %d)", s.Line)
	}
	return b.String()
}

// Other is an object of a kind daemonkit does not model, kept as decoded.
type Other struct {
	Source     Source
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
	// Object is the decoded object as generic JSON values.
	Object map[string]any
}

// Warning is a remark about the input that did not stop decoding.
type Warning struct {
	Source  Source
	Message string
}

// String renders the warning as "source: message".
func (w Warning) String() string { return w.Source.String() + ": " + w.Message }

// SourceOf returns where obj (a pointer held in o) was decoded from.
func (o *Objects) SourceOf(obj any) (Source, bool) {
	s, ok := o.sources[obj]
	return s, ok
}

// Append adds everything in other to o, keeping sources.
func (o *Objects) Append(other *Objects) {
	if other == nil {
		return
	}
	o.DaemonSets = append(o.DaemonSets, other.DaemonSets...)
	o.Nodes = append(o.Nodes, other.Nodes...)
	o.Pods = append(o.Pods, other.Pods...)
	o.PriorityClasses = append(o.PriorityClasses, other.PriorityClasses...)
	o.PodDisruptionBudgets = append(o.PodDisruptionBudgets, other.PodDisruptionBudgets...)
	o.Namespaces = append(o.Namespaces, other.Namespaces...)
	o.Others = append(o.Others, other.Others...)
	o.Warnings = append(o.Warnings, other.Warnings...)
	for k, v := range other.sources {
		o.setSource(k, v)
	}
	for k, v := range other.locations {
		o.setLocation(k, v)
	}
}

func (o *Objects) setSource(obj any, s Source) {
	if o.sources == nil {
		o.sources = map[any]Source{}
	}
	o.sources[obj] = s
}

// DecodeFile reads path and decodes it with Decode, naming the file in
// every error.
func DecodeFile(path string) (*Objects, error) {
	f, err := os.Open(path)
	if err != nil {
		return &Objects{}, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() < 1<<40 {
		// One buffer of the file's size, as os.ReadFile reads: a 1 GB
		// dump costs 1 GB, not the copies and slack of a growing buffer.
		buf.Grow(int(fi.Size()) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(f); err != nil {
		return &Objects{}, fmt.Errorf("%s: %w", path, err)
	}
	return Decode(path, buf.Bytes())
}

// DecodeReader reads r to its end and decodes it with Decode; source names
// r in errors ("-" for standard input, by convention). The input is held
// in memory while it is decoded; what Decode keeps is bounded by its caps.
func DecodeReader(source string, r io.Reader) (*Objects, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return &Objects{}, fmt.Errorf("%s: %w", source, err)
	}
	return Decode(source, data)
}

// Decode reads DaemonSets, Nodes and Pods from YAML or JSON: a single object,
// a multi-document stream, or List objects as `kubectl get ... -o yaml`
// prints them (List, NodeList, PodList, DaemonSetList). Objects of other
// kinds are returned in Objects.Others, not as errors.
//
// Decoding is strict, as the API server's strict field validation: an
// unknown or duplicate field, a value of the wrong type, a DaemonSet in an
// API version that is no longer served (extensions/v1beta1, apps/v1beta2)
// are errors. Every problem found is reported, each as a *DecodeError naming
// source, document, line and field path; the returned error is a
// DecodeErrors. Documents without problems are still returned, so nothing
// decodable is lost. Decode never panics, whatever the bytes.
//
// Lists are decoded item by item, on every core, without building the
// whole document's tree; the items' order is kept whatever GOMAXPROCS.
// Nodes and Pods are kept without the fields Objects.Nodes lists, which no
// daemonkit answer reads.
func Decode(source string, data []byte) (*Objects, error) {
	d := &decoder{objs: &Objects{}, source: source, schema: newSchemaChecker(), intern: newInterner()}
	d.decode(data)
	d.overflow()
	if len(d.errs) > 0 {
		return d.objs, d.errs
	}
	return d.objs, nil
}

// decode reads a stream: JSON values when it starts as JSON and is JSON to
// its end, YAML documents otherwise.
func (d *decoder) decode(data []byte) {
	if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		docs, scan, ok := scanJSONStream(data)
		if ok {
			d.decodeJSON(data, docs)
			return
		}
		if len(data) > MaxDocumentBytes {
			// YAML would read it whole: say where the JSON goes wrong.
			d.errs = append(d.errs, &DecodeError{Source: d.source, Line: (&lineCounter{data: data}).at(scan.fail),
				Detail: "not valid JSON: " + scan.why, Hint: "the input starts as JSON; check it where it stops being JSON"})
			return
		}
	}
	for _, doc := range splitDocuments(data) {
		d.decodeYAMLDocument(doc)
	}
}

// document is one YAML or JSON document of a stream.
type document struct {
	index     int // 1-based among non-empty documents
	firstLine int // 1-based line of the document's first byte in the stream
	data      []byte
	tree      *yamlTree // parsed on first need, for line numbers
	// item is set when data is one item of a List document: field paths
	// then start with items[i], and itemLine is where the item starts.
	item     bool
	itemLine int
	// seq is set when data is a YAML sequence entry ("- ..."): the item is
	// the sequence's one element.
	seq bool
}

// splitDocuments cuts a stream at YAML document markers ("---" and "...")
// and drops documents holding only comments and blank lines.
func splitDocuments(data []byte) []document {
	var docs []document
	line, start, startLine := 1, 0, 1
	flush := func(end int) {
		chunk := data[start:end]
		if !blankYAML(chunk) {
			docs = append(docs, document{index: len(docs) + 1, firstLine: startLine, data: chunk, tree: &yamlTree{}})
		}
	}
	for i := 0; i < len(data); {
		j := bytes.IndexByte(data[i:], '\n')
		next := len(data)
		if j >= 0 {
			next = i + j + 1
		}
		l := bytes.TrimRight(data[i:next], "\r\n")
		if isDocumentMarker(l) {
			flush(i)
			// Content after "--- " on the marker line belongs to the next document.
			start, startLine = i+3, line
			if bytes.HasPrefix(l, []byte("...")) {
				start = next
				startLine = line + 1
			}
		}
		i = next
		line++
	}
	flush(len(data))
	return docs
}

// topLevelItems counts the entries of block sequences written at column 0
// or 2 (`items:` of a kubectl List is printed at column 0), and of one-line
// flow sequences of objects, cheaply: an upper-bound-free estimate that is
// exact for kubectl output.
func topLevelItems(data []byte) int {
	if len(data) < MaxListItems*8 {
		return 0 // too small to hold that many items
	}
	n := 0
	for l := range bytes.SplitSeq(data, []byte("\n")) {
		if bytes.HasPrefix(l, []byte("- ")) || bytes.HasPrefix(l, []byte("  - ")) || bytes.Equal(bytes.TrimRight(l, "\r"), []byte("-")) {
			n++
		}
	}
	if b := bytes.TrimSpace(data); len(b) > 0 && (b[0] == '{' || b[0] == '[') || n == 0 {
		n = max(n, bytes.Count(data, []byte(`"kind"`))-1)
	}
	return n
}

func isDocumentMarker(l []byte) bool {
	for _, m := range []string{"---", "..."} {
		if bytes.HasPrefix(l, []byte(m)) && (len(l) == 3 || l[3] == ' ' || l[3] == '\t') {
			return true
		}
	}
	return false
}

func blankYAML(chunk []byte) bool {
	for l := range bytes.SplitSeq(chunk, []byte("\n")) {
		l = bytes.TrimSpace(bytes.TrimPrefix(l, []byte("\ufeff")))
		if len(l) > 0 && l[0] != '#' {
			return false
		}
	}
	return true
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// decoder holds what one Decode call shares across documents.
type decoder struct {
	objs   *Objects
	source string
	schema *schemaChecker
	// intern shares the strings Nodes and Pods repeat (see interner).
	intern *interner
	errs   DecodeErrors
	// objects beyond MaxNodes, MaxPods and MaxOtherObjects
	overNodes, overPods, overOthers over
}

// whole decodes one document as a whole and keeps what it holds.
func (d *decoder) whole(doc document) {
	var objs Objects
	wd := &decoder{objs: &objs, source: d.source, schema: d.schema, intern: d.intern}
	errs := wd.document(doc)
	d.keep(&objs)
	d.errs = append(d.errs, errs...)
}

// document decodes one document into d.objs and returns its problems.
func (d *decoder) document(doc document) []*DecodeError {
	source := d.source
	at := func(path fpath, detail, hint string) *DecodeError {
		return &DecodeError{Source: source, Document: doc.index, Line: lineOf(doc, path),
			Field: path.String(), Detail: detail, Hint: hint}
	}
	if len(doc.data) > MaxDocumentBytes {
		return []*DecodeError{{Source: source, Document: doc.index, Line: doc.firstLine,
			Detail: fmt.Sprintf("document is larger than %d MiB", MaxDocumentBytes>>20),
			Hint:   "split the list into several documents or files"}}
	}
	if n := topLevelItems(doc.data); n > MaxListItems {
		return []*DecodeError{{Source: source, Document: doc.index, Line: firstContentLine(doc),
			Detail: fmt.Sprintf("the list holds %d items, more than %d", n, MaxListItems),
			Hint:   "daemonkit models clusters up to the Kubernetes limit of 5,000 nodes and well beyond, but not this; split the input"}}
	}
	j, err := yamlToJSON(doc.data)
	if err != nil {
		return []*DecodeError{yamlSyntaxError(source, doc, err)}
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return []*DecodeError{at(nil, "not valid JSON: "+err.Error(), "")}
	}
	if d := depth(generic); d > MaxDepth {
		return []*DecodeError{at(nil, fmt.Sprintf("document is nested %d levels deep, more than %d", d, MaxDepth),
			"this is not a Kubernetes object")}
	}
	obj, ok := generic.(map[string]any)
	if !ok {
		return []*DecodeError{at(nil, fmt.Sprintf("document is a %s, expected a Kubernetes object (a mapping with apiVersion and kind)", jsonKind(generic)), "")}
	}
	return d.object(doc, nil, obj, "", "", -1, at)
}

// yamlSyntaxError places an error of the YAML parser in doc.
func yamlSyntaxError(source string, doc document, err error) *DecodeError {
	e := &DecodeError{Source: source, Document: doc.index, Line: doc.firstLine,
		Detail: "not valid YAML or JSON: " + cleanYAMLError(err.Error()),
		Hint:   "check indentation and quoting"}
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil {
			e.Line = doc.firstLine + n - 1
		}
	}
	return e
}

// decodeObject dispatches one object (a document or an item of a List) on
// its kind. defVersion and defKind come from a typed list (NodeList items
// carry no kind of their own in API responses).
func (d *decoder) object(doc document, path fpath, obj map[string]any,
	defVersion, defKind string, item int, at func(fpath, string, string) *DecodeError) []*DecodeError {
	objs, source := d.objs, d.source
	apiVersion, errV := stringField(obj, "apiVersion", defVersion)
	kind, errK := stringField(obj, "kind", defKind)
	var errs []*DecodeError
	if errV != "" {
		errs = append(errs, at(path.Key("apiVersion"), errV, "every object needs apiVersion, e.g. apps/v1 for a DaemonSet"))
	}
	if errK != "" {
		errs = append(errs, at(path.Key("kind"), errK, "every object needs kind, e.g. DaemonSet or Node"))
	}
	if len(errs) > 0 {
		return errs
	}
	src := Source{Name: source, Document: doc.index, Line: lineOf(doc, path), Item: item}
	if src.Line == 0 {
		src.Line = doc.firstLine
	}

	if items, isList := obj["items"]; isList && strings.HasSuffix(kind, "List") {
		if item >= 0 {
			return []*DecodeError{at(path, "a List inside a List", "flatten the list")}
		}
		arr, ok := items.([]any)
		if items != nil && !ok {
			return []*DecodeError{at(path.Key("items"), fmt.Sprintf("items is a %s, expected a list", jsonKind(items)), "")}
		}
		itemKind, itemVersion := strings.TrimSuffix(kind, "List"), apiVersion
		if kind == "List" {
			itemKind, itemVersion = "", ""
		}
		for i, it := range arr {
			p := path.Key("items").Index(i)
			m, ok := it.(map[string]any)
			if !ok {
				errs = append(errs, at(p, fmt.Sprintf("list item is a %s, expected an object", jsonKind(it)), ""))
				continue
			}
			errs = append(errs, d.object(doc, p, m, itemVersion, itemKind, i, at)...)
		}
		return errs
	}

	switch kind {
	case "DaemonSet":
		switch apiVersion {
		case "apps/v1":
			errs := decodeAs(d, obj, path, at, src, apiVersion, kind, &objs.DaemonSets)
			if len(errs) == 0 {
				objs.setLocation(objs.DaemonSets[len(objs.DaemonSets)-1], newLocation(doc, path))
			}
			return errs
		case "extensions/v1beta1", "apps/v1beta2", "apps/v1beta1":
			return []*DecodeError{at(path.Key("apiVersion"),
				fmt.Sprintf("DaemonSet in %s is no longer served (removed in Kubernetes v1.16)", apiVersion),
				"change apiVersion to apps/v1 and make sure spec.selector matches spec.template.metadata.labels (apps/v1 requires a selector)")}
		default:
			return []*DecodeError{at(path.Key("apiVersion"),
				fmt.Sprintf("unknown apiVersion %q for DaemonSet", apiVersion), "use apiVersion: apps/v1")}
		}
	case "PodDisruptionBudget":
		// policy/v1beta1 is no longer served: kept among Others, with the
		// removed-API warning
		if apiVersion == "policy/v1" {
			return decodeAs(d, obj, path, at, src, apiVersion, kind, &objs.PodDisruptionBudgets)
		}
	case "PriorityClass":
		// other versions are no longer served: kept among Others, with the
		// removed-API warning
		if apiVersion == "scheduling.k8s.io/v1" {
			return decodeAs(d, obj, path, at, src, apiVersion, kind, &objs.PriorityClasses)
		}
	case "Namespace":
		// a kind of that name in another group (a custom resource) is kept
		// among Others
		if apiVersion == "v1" {
			return decodeAs(d, obj, path, at, src, apiVersion, kind, &objs.Namespaces)
		}
	case "Node", "Pod":
		if apiVersion != "v1" {
			return []*DecodeError{at(path.Key("apiVersion"),
				fmt.Sprintf("unknown apiVersion %q for %s", apiVersion, kind), "use apiVersion: v1")}
		}
		if kind == "Node" {
			return decodeAs(d, obj, path, at, src, apiVersion, kind, &objs.Nodes)
		}
		return decodeAs(d, obj, path, at, src, apiVersion, kind, &objs.Pods)
	}

	o := Other{Source: src, APIVersion: apiVersion, Kind: kind, Object: obj}
	if md, ok := obj["metadata"].(map[string]any); ok {
		o.Name, _ = md["name"].(string)
		o.Namespace, _ = md["namespace"].(string)
	}
	objs.Others = append(objs.Others, o)
	if msg := removedAPI(apiVersion, kind); msg != "" {
		objs.Warnings = append(objs.Warnings, Warning{Source: src, Message: msg})
	}
	return nil
}

// decodeAs decodes obj strictly into a new T, stamps its apiVersion and kind,
// and appends it to dst with its source.
func decodeAs[T any, PT interface {
	*T
	runtime.Object
}](d *decoder, obj map[string]any, path fpath, at func(fpath, string, string) *DecodeError,
	src Source, apiVersion, kind string, dst *[]PT) []*DecodeError {
	out := PT(new(T))
	if errs := d.typed(obj, out, path, at); len(errs) > 0 {
		return errs
	}
	trim(out, d.intern)
	out.GetObjectKind().SetGroupVersionKind(schema.FromAPIVersionAndKind(apiVersion, kind))
	*dst = append(*dst, out)
	d.objs.setSource(out, src)
	return nil
}

// typed checks obj strictly against the Go type of out (unknown,
// mistyped fields, each with its path) and then decodes it.
func (d *decoder) typed(obj map[string]any, out any, path fpath, at func(fpath, string, string) *DecodeError) []*DecodeError {
	var problems []schemaProblem
	d.schema.check(obj, typeOf(out), path, &problems)
	if len(problems) > 0 {
		errs := make([]*DecodeError, 0, len(problems))
		for _, p := range problems {
			errs = append(errs, at(p.path, p.detail, p.hint))
		}
		return errs
	}
	j, err := json.Marshal(obj)
	if err != nil {
		return []*DecodeError{at(path, err.Error(), "")}
	}
	strict, err := sigsjson.UnmarshalStrict(j, out, sigsjson.DisallowDuplicateFields, sigsjson.DisallowUnknownFields)
	if err != nil {
		return []*DecodeError{at(path, err.Error(), "")}
	}
	if len(strict) > 0 {
		errs := make([]*DecodeError, 0, len(strict))
		for _, e := range strict {
			errs = append(errs, at(path, e.Error(), ""))
		}
		return errs
	}
	return nil
}

// yamlToJSON converts one document, refusing duplicate keys as the API
// server's strict decoding does. A panic inside the YAML library (it has had
// some on hostile input) becomes an error.
func yamlToJSON(data []byte) (j []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			j, err = nil, fmt.Errorf("yaml: %v", r)
		}
	}()
	return yaml.YAMLToJSONStrict(data)
}

// cleanYAMLError makes a YAML library error one line without its own line
// prefix, which Decode replaces by the line in the whole stream.
func cleanYAMLError(s string) string {
	s = strings.TrimPrefix(s, "error converting YAML to JSON: ")
	s = strings.TrimPrefix(s, "yaml: ")
	s = strings.TrimPrefix(s, "unmarshal errors:")
	s = strings.Join(strings.Fields(s), " ")
	return yamlLinePrefixRE.ReplaceAllString(s, "")
}

var yamlLinePrefixRE = regexp.MustCompile(`^line \d+: `)

func stringField(obj map[string]any, key, def string) (string, string) {
	v, ok := obj[key]
	if !ok || v == nil {
		if def != "" {
			return def, ""
		}
		return "", key + " is missing"
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Sprintf("%s is a %s, expected a string", key, jsonKind(v))
	}
	if s == "" {
		if def != "" {
			return def, ""
		}
		return "", key + " is empty"
	}
	return s, ""
}

func depth(v any) int {
	switch t := v.(type) {
	case map[string]any:
		d := 0
		for _, x := range t {
			d = max(d, depth(x))
		}
		return d + 1
	case []any:
		d := 0
		for _, x := range t {
			d = max(d, depth(x))
		}
		return d + 1
	}
	return 0
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "mapping"
	case []any:
		return "list"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// removedAPI names API versions of common kinds in manifests that current
// clusters no longer serve.
func removedAPI(apiVersion, kind string) string {
	if m, ok := removedAPIs[apiVersion+" "+kind]; ok {
		return fmt.Sprintf("%s %s is not served by Kubernetes since %s", apiVersion, kind, m)
	}
	return ""
}

// removedAPIs maps "apiVersion Kind" to when and how it went away.
var removedAPIs = map[string]string{
	"policy/v1beta1 PodSecurityPolicy":                                    "v1.25 (PodSecurityPolicy was removed; use Pod Security admission)",
	"extensions/v1beta1 PodSecurityPolicy":                                "v1.16 (PodSecurityPolicy was removed in v1.25; use Pod Security admission)",
	"extensions/v1beta1 Deployment":                                       "v1.16; use apps/v1",
	"apps/v1beta1 Deployment":                                             "v1.16; use apps/v1",
	"apps/v1beta2 Deployment":                                             "v1.16; use apps/v1",
	"extensions/v1beta1 Ingress":                                          "v1.22; use networking.k8s.io/v1",
	"networking.k8s.io/v1beta1 Ingress":                                   "v1.22; use networking.k8s.io/v1",
	"rbac.authorization.k8s.io/v1beta1 ClusterRole":                       "v1.22; use rbac.authorization.k8s.io/v1",
	"rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding":                "v1.22; use rbac.authorization.k8s.io/v1",
	"rbac.authorization.k8s.io/v1beta1 Role":                              "v1.22; use rbac.authorization.k8s.io/v1",
	"rbac.authorization.k8s.io/v1beta1 RoleBinding":                       "v1.22; use rbac.authorization.k8s.io/v1",
	"policy/v1beta1 PodDisruptionBudget":                                  "v1.25; use policy/v1",
	"apiextensions.k8s.io/v1beta1 CustomResourceDefinition":               "v1.22; use apiextensions.k8s.io/v1",
	"scheduling.k8s.io/v1beta1 PriorityClass":                             "v1.22; use scheduling.k8s.io/v1",
	"batch/v1beta1 CronJob":                                               "v1.25; use batch/v1",
	"admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration": "v1.22; use admissionregistration.k8s.io/v1",
	"admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration":   "v1.22; use admissionregistration.k8s.io/v1",
}
