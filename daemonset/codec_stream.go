package daemonset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	sigsjson "sigs.k8s.io/json"
)

// Lists are decoded item by item: the document is cut into its items
// without being parsed as a whole (a validating scan for JSON, a line scan
// of the block sequence under a top-level "items:" key for YAML), and each
// item is decoded, strictly, on its own, on every core. A document that
// cannot be cut that way, or whose items do not parse on their own, is
// decoded whole as before (up to MaxDocumentBytes), so its errors and
// results are those of the whole-document decoder. A YAML item is read by
// blockYAMLToJSON, a one-pass reader of the YAML kubectl prints, when it
// can, and by sigs.k8s.io/yaml otherwise and whenever there is a problem to
// report.

// readListsWhole makes Decode read every document whole, as it did before
// it read Lists item by item; tests compare the two.
var readListsWhole = false

// convertYAMLItemsWithLibrary makes Decode convert every YAML List item
// with sigs.k8s.io/yaml, as it did before blockYAMLToJSON; tests compare
// the two.
var convertYAMLItemsWithLibrary = false

// lineCounter turns byte offsets into 1-based line numbers, counting
// newlines once for offsets asked in increasing order.
type lineCounter struct {
	data      []byte
	off, line int
}

func (c *lineCounter) at(off int) int {
	if off < c.off {
		c.off, c.line = 0, 1
	}
	if c.line == 0 {
		c.line = 1
	}
	c.line += bytes.Count(c.data[c.off:off], []byte("\n"))
	c.off = off
	return c.line
}

// listItem is one item of a List document, as bytes.
type listItem struct {
	doc document // the item alone: its bytes, first line and line tree
	// json holds the item as JSON (data of the document itself for JSON;
	// the item converted from YAML otherwise, filled in by the worker).
	json []byte
	scan jsonItem // where its parts lie in json
}

// itemResult is what decoding one item gave.
type itemResult struct {
	objs Objects
	// src, when set, is the source of every object in objs, which then
	// holds no sources of its own (one map less per item).
	src  *Source
	errs []*DecodeError
	// whole is set when the item could not be parsed on its own: the
	// document is then decoded whole if it is small enough.
	whole bool
}

// decodeJSON decodes a stream of JSON values that scanJSONStream cut.
func (d *decoder) decodeJSON(data []byte, docs []jsonDoc) {
	lines := &lineCounter{data: data}
	for i, jd := range docs {
		doc := document{index: i + 1, firstLine: lines.at(jd.a), data: data[jd.a:jd.b], tree: &yamlTree{}}
		if jd.isList && !jd.odd && jd.depth <= MaxDepth && !readListsWhole {
			if defV, defK, ok := listKind(data, jd.apiVersion, jd.kind); ok {
				items := make([]listItem, len(jd.list))
				for k, it := range jd.list {
					line := lines.at(it.a)
					items[k] = listItem{
						doc:  document{index: doc.index, firstLine: line, itemLine: line, data: data[it.a:it.b], tree: &yamlTree{}, item: true},
						json: data, scan: it,
					}
				}
				d.list(doc, items, defV, defK, false)
				continue
			}
		}
		d.whole(doc)
	}
}

// listKind returns the item apiVersion and kind of a List document whose
// apiVersion and kind are the JSON values at v and k; ok is false when the
// document is not a List or its apiVersion or kind is not a plain string
// (the whole-document decoder reports that).
func listKind(data []byte, v, k span) (defVersion, defKind string, ok bool) {
	apiVersion, okV := jsonString(data, v)
	kind, okK := jsonString(data, k)
	if !okV || !okK || apiVersion == "" || !strings.HasSuffix(kind, "List") {
		return "", "", false
	}
	if kind == "List" {
		return "", "", true
	}
	return apiVersion, strings.TrimSuffix(kind, "List"), true
}

func rawString(raw json.RawMessage) (string, bool) {
	return jsonString(raw, span{0, len(raw)})
}

// jsonString decodes the JSON string at s; ok is false for anything else.
func jsonString(data []byte, s span) (string, bool) {
	if s.b == 0 {
		return "", false
	}
	raw := data[s.a:s.b]
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	var str string
	if json.Unmarshal(raw, &str) != nil {
		return "", false
	}
	return str, true
}

// decodeYAMLDocument decodes one YAML document, item by item when it is a
// List as kubectl prints it.
func (d *decoder) decodeYAMLDocument(doc document) {
	header, items, ok := splitYAMLList(doc)
	if ok && !readListsWhole {
		if defV, defK, isList := yamlListKind(header); isList {
			d.list(doc, items, defV, defK, true)
			return
		}
	}
	d.whole(doc)
}

// yamlListKind reads the header of a YAML List (the document without its
// items) and returns its item apiVersion and kind.
func yamlListKind(header []byte) (defVersion, defKind string, ok bool) {
	j, err := yamlToJSON(header)
	if err != nil {
		return "", "", false
	}
	var generic any
	if json.Unmarshal(j, &generic) != nil || depth(generic) > MaxDepth {
		return "", "", false // the whole-document decoder says what is wrong
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(j, &top) != nil {
		return "", "", false
	}
	if items, ok := top["items"]; !ok || string(items) != "null" {
		return "", "", false // the sequence was not where the line scan put it
	}
	apiVersion, okV := rawString(top["apiVersion"])
	kind, okK := rawString(top["kind"])
	if !okV || !okK || apiVersion == "" || !strings.HasSuffix(kind, "List") {
		return "", "", false
	}
	if kind == "List" {
		return "", "", true
	}
	return apiVersion, strings.TrimSuffix(kind, "List"), true
}

// splitYAMLList finds a top-level "items:" key of a block mapping whose value
// is a block sequence and returns the document without that sequence (its
// header) and the sequence's entries, each with the lines it spans. It
// reports false for any other shape; the document is then decoded whole.
//
// An entry ends where a line that is not blank, not a comment and not
// indented deeper than the sequence starts. That is where YAML ends it too,
// except inside a quoted string or flow collection continued on a line
// indented no deeper than the sequence; such an entry does not parse on its
// own, and the document is then decoded whole.
func splitYAMLList(doc document) ([]byte, []listItem, bool) {
	data := doc.data
	type line struct {
		start, end int // end excludes the newline
		indent     int // leading spaces
		blank      bool
	}
	next := func(i int) line {
		e := bytes.IndexByte(data[i:], '\n')
		l := line{start: i, end: len(data)}
		if e >= 0 {
			l.end = i + e
		}
		text := data[i:l.end]
		for l.indent < len(text) && text[l.indent] == ' ' {
			l.indent++
		}
		rest := bytes.TrimRight(text[l.indent:], " \t\r")
		l.blank = len(rest) == 0 || rest[0] == '#'
		return l
	}
	isEntry := func(l line, col int) bool {
		t := bytes.TrimRight(data[l.start:l.end], " \t\r")
		return l.indent == col && len(t) > col && t[col] == '-' && (len(t) == col+1 || t[col+1] == ' ')
	}
	var (
		blockStart, blockEnd = -1, -1
		items                []listItem
		lineNo               = doc.firstLine
		first                = true
	)
	for i := 0; i < len(data); {
		l := next(i)
		nextStart := l.end + 1
		if first && !l.blank && l.indent > 0 {
			return nil, nil, false
		}
		if l.blank || l.indent > 0 {
			i, lineNo = nextStart, lineNo+1
			continue
		}
		text := bytes.TrimRight(data[l.start:l.end], " \t\r")
		if first {
			first = false
			if !plainKeyLine(text) {
				return nil, nil, false
			}
		}
		if text[0] == '-' {
			i, lineNo = nextStart, lineNo+1
			continue
		}
		if !plainKeyLine(text) {
			return nil, nil, false
		}
		if !isItemsKey(text) {
			i, lineNo = nextStart, lineNo+1
			continue
		}
		if blockStart >= 0 {
			return nil, nil, false // items given twice
		}
		// The sequence starts at the next line that is not blank.
		i, lineNo = nextStart, lineNo+1
		for i < len(data) && next(i).blank {
			i, lineNo = next(i).end+1, lineNo+1
		}
		if i >= len(data) {
			return nil, nil, false
		}
		entry := next(i)
		col := entry.indent
		if !isEntry(entry, col) {
			return nil, nil, false
		}
		blockStart = i
		itemStart := i
		for i < len(data) {
			l := next(i)
			if isEntry(l, col) {
				items = append(items, listItem{doc: document{index: doc.index, firstLine: lineNo, item: true, seq: true, tree: &yamlTree{}}})
				itemStart = i
			} else if l.indent == 0 && !l.blank {
				break
			} else if !l.blank && l.indent <= col {
				return nil, nil, false // a sequence YAML would not read this way
			}
			end := min(l.end+1, len(data))
			items[len(items)-1].doc.data = data[itemStart:end]
			i, lineNo = end, lineNo+1
		}
		blockEnd = i
	}
	if blockStart < 0 {
		return nil, nil, false
	}
	header := make([]byte, 0, blockStart+len(data)-blockEnd)
	header = append(append(header, data[:blockStart]...), data[blockEnd:]...)
	for k := range items {
		items[k].doc.itemLine = entryLine(items[k].doc)
	}
	return header, items, true
}

// entryLine is the line where the value of a sequence entry starts: the
// entry's line, or the next line with content when the dash stands alone.
func entryLine(doc document) int {
	line, first := doc.firstLine, true
	for l := range bytes.SplitSeq(doc.data, []byte("\n")) {
		t := bytes.TrimSpace(l)
		if first {
			first = false
			t = bytes.TrimSpace(t[1:]) // the dash
		}
		if len(t) > 0 && t[0] != '#' {
			return line
		}
		line++
	}
	return doc.firstLine
}

// plainKeyLine: a line at column 0 that is a plain "key:" or "key: value"
// of a block mapping, or a sequence entry.
func plainKeyLine(t []byte) bool {
	if len(t) == 0 {
		return false
	}
	if t[0] == '-' {
		return len(t) == 1 || t[1] == ' '
	}
	switch t[0] {
	case '?', '&', '*', '!', '{', '[', '%', '@', '`', '|', '>', '"', '\'', ':', '#', ',', ']', '}', '\t':
		return false
	}
	k := bytes.IndexByte(t, ':')
	return k > 0 && (k == len(t)-1 || t[k+1] == ' ')
}

// isItemsKey: "items:" with nothing after but a comment.
func isItemsKey(t []byte) bool {
	rest, ok := bytes.CutPrefix(t, []byte("items:"))
	if !ok {
		return false
	}
	trimmed := bytes.TrimLeft(rest, " ")
	return len(trimmed) == 0 || trimmed[0] == '#' && len(trimmed) < len(rest)
}

// list decodes the items of a List document in parallel and keeps what
// they hold in input order. When an item does not parse on its own, the
// document is decoded whole instead, if it is small enough.
func (d *decoder) list(doc document, items []listItem, defVersion, defKind string, fromYAML bool) {
	if len(items) > MaxListItems {
		d.errs = append(d.errs, &DecodeError{Source: d.source, Document: doc.index, Line: firstContentLine(doc),
			Detail: fmt.Sprintf("the list holds %d items, more than %d", len(items), MaxListItems),
			Hint:   "daemonkit models clusters up to the Kubernetes limit of 5,000 nodes and well beyond, but not this; split the input"})
		return
	}
	results := make([]itemResult, len(items))
	var next atomic.Int64
	work := func(sc *schemaChecker) {
		var buf []byte // each worker's JSON of the YAML item it reads
		for {
			k := int(next.Add(1) - 1)
			if k >= len(items) {
				return
			}
			results[k] = d.item(doc, &items[k], k, defVersion, defKind, fromYAML, sc, &buf)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), 1+len(items)/32)
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Go(func() { work(newSchemaChecker()) })
	}
	work(d.schema)
	wg.Wait()
	for _, r := range results {
		if r.whole && len(doc.data) <= MaxDocumentBytes {
			d.whole(doc)
			return
		}
	}
	for k := range results {
		d.keepFrom(&results[k].objs, results[k].src)
		d.errs = append(d.errs, results[k].errs...)
		results[k] = itemResult{}
	}
}

// item decodes one List item. Items of the kinds daemonkit models that
// decode strictly without a problem take the short way (one strict decode
// of their bytes); every other item, and every item with a problem, goes
// the way whole documents go, with the same checks and messages.
//
// A YAML item is first converted by blockYAMLToJSON into buf, the
// worker's own buffer; when that reader does not take the item or the
// item does not take the short way, it is converted again as whole
// documents are, so its problems are reported as they always were.
func (d *decoder) item(doc document, it *listItem, index int, defVersion, defKind string, fromYAML bool, sc *schemaChecker, buf *[]byte) (res itemResult) {
	defer func() {
		if r := recover(); r != nil {
			res = itemResult{errs: []*DecodeError{{Source: d.source, Document: doc.index, Line: it.doc.itemLine,
				Field: fpath(nil).Key("items").Index(index).String(), Detail: fmt.Sprintf("cannot decode: %v", r)}}}
		}
	}()
	path := fpath(nil).Key("items").Index(index)
	syntax := func(err error, base document) itemResult {
		e := yamlSyntaxError(d.source, base, err)
		return itemResult{errs: []*DecodeError{e}, whole: true}
	}
	if len(it.doc.data) > MaxDocumentBytes {
		return itemResult{errs: []*DecodeError{{Source: d.source, Document: doc.index, Line: it.doc.itemLine, Field: path.String(),
			Detail: fmt.Sprintf("list item is larger than %d MiB", MaxDocumentBytes>>20), Hint: "this is not a Kubernetes object"}}}
	}
	if fromYAML && !convertYAMLItemsWithLibrary {
		if j, dropped, ok := blockYAMLToJSONDropping((*buf)[:0], it.doc.data, true); ok {
			if cap(j) <= maxKeptBuffer {
				*buf = j[:0]
			}
			s := &jsonScan{data: j, fail: -1}
			var entries []jsonItem
			if _, _, ok := s.items(0, 1, &entries); ok && len(entries) == 1 && j[0] == '[' {
				yit := *it
				yit.json, yit.scan = j, entries[0]
				if out, ok := d.short(&yit, path, Source{Name: d.source, Document: doc.index, Line: it.doc.itemLine, Item: index}, defVersion, defKind, true); ok && (!dropped || len(out.objs.Nodes) == 1) {
					return out
				}
			}
		}
	}
	if fromYAML {
		j, err := yamlToJSON(it.doc.data)
		if err != nil {
			return syntax(err, it.doc)
		}
		s := &jsonScan{data: j, fail: -1}
		var entries []jsonItem
		if _, _, ok := s.items(0, 1, &entries); !ok || len(entries) != 1 || len(j) == 0 || j[0] != '[' {
			return itemResult{whole: true, errs: []*DecodeError{{Source: d.source, Document: doc.index, Line: it.doc.itemLine,
				Field: path.String(), Detail: "list item does not parse on its own"}}}
		}
		// A copy: the converted item must not outlive its decoding.
		yit := *it
		yit.json, yit.scan = j, entries[0]
		it = &yit
	}
	out := itemResult{}
	wd := &decoder{objs: &out.objs, source: d.source, schema: sc, intern: d.intern}
	src := Source{Name: d.source, Document: doc.index, Line: it.doc.itemLine, Item: index}
	if it.scan.depth+2 > MaxDepth {
		return itemResult{whole: true, errs: []*DecodeError{{Source: d.source, Document: doc.index, Line: firstContentLine(doc),
			Detail: fmt.Sprintf("document is nested %d levels deep, more than %d", it.scan.depth+2, MaxDepth), Hint: "this is not a Kubernetes object"}}}
	}
	if short, ok := d.short(it, path, src, defVersion, defKind, fromYAML); ok {
		return short
	}
	raw := it.json[it.scan.a:it.scan.b]
	j := raw
	if !fromYAML {
		// JSON is YAML: converting the item as the whole-document decoder
		// converts documents keeps its checks (duplicate keys) and values.
		var err error
		if j, err = yamlToJSON(raw); err != nil {
			return syntax(err, it.doc)
		}
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	at := func(p fpath, detail, hint string) *DecodeError {
		return &DecodeError{Source: d.source, Document: doc.index, Line: lineOf(it.doc, p), Field: p.String(), Detail: detail, Hint: hint}
	}
	if err := dec.Decode(&generic); err != nil {
		return itemResult{errs: []*DecodeError{at(path, "not valid JSON: "+err.Error(), "")}, whole: true}
	}
	m, ok := generic.(map[string]any)
	if !ok {
		return itemResult{errs: []*DecodeError{at(path, fmt.Sprintf("list item is a %s, expected an object", jsonKind(generic)), "")}}
	}
	out.errs = wd.object(it.doc, path, m, defVersion, defKind, index, at)
	return out
}

// short decodes an item of the kinds daemonkit models in one strict decode
// of its JSON, it.json[it.scan.a:it.scan.b]; it reports false, keeping
// nothing, for any other item and on any problem, which the long way then
// reports.
func (d *decoder) short(it *listItem, path fpath, src Source, defVersion, defKind string, fromYAML bool) (itemResult, bool) {
	var out itemResult
	if it.scan.depth+2 > MaxDepth {
		return out, false
	}
	raw := it.json[it.scan.a:it.scan.b]
	// Invalid UTF-8 is an error of the YAML reader the long way takes.
	if !it.scan.object || it.scan.odd || !fromYAML && !utf8.Valid(raw) {
		return out, false
	}
	apiVersion, kind := defVersion, defKind
	if v, ok := jsonString(it.json, it.scan.apiVersion); ok && v != "" {
		apiVersion = v
	}
	if k, ok := jsonString(it.json, it.scan.kind); ok && k != "" {
		kind = k
	}
	fresh := it.scan.apiVersion.b == 0 || isJSONStringOrNull(it.json, it.scan.apiVersion)
	fresh = fresh && (it.scan.kind.b == 0 || isJSONStringOrNull(it.json, it.scan.kind))
	if !fresh {
		return out, false
	}
	var ok bool
	switch {
	case kind == "Node" && apiVersion == "v1":
		ok = strictInto(d.intern, raw, apiVersion, kind, &out.objs.Nodes)
	case kind == "Pod" && apiVersion == "v1":
		ok = strictInto(d.intern, raw, apiVersion, kind, &out.objs.Pods)
	case kind == "DaemonSet" && apiVersion == "apps/v1":
		ok = strictInto(d.intern, raw, apiVersion, kind, &out.objs.DaemonSets)
		if ok {
			out.objs.setLocation(out.objs.DaemonSets[len(out.objs.DaemonSets)-1], newLocation(it.doc, path))
		}
	}
	out.src = &src
	return out, ok
}

// maxKeptBuffer is the largest conversion buffer a worker keeps for the
// next item; a bigger one (a huge item) is left to the garbage collector.
const maxKeptBuffer = 1 << 20

func isJSONStringOrNull(data []byte, s span) bool {
	return s.b > s.a && (data[s.a] == '"' || string(data[s.a:s.b]) == "null")
}

// strictInto decodes raw strictly into a new T and keeps it, trimmed; it
// reports false, keeping nothing, on any problem, which the
// caller then reports the long way.
func strictInto[T any, PT interface {
	*T
	runtimeObject
}](in *interner, raw []byte, apiVersion, kind string, dst *[]PT) bool {
	out := PT(new(T))
	strict, err := sigsjson.UnmarshalStrict(raw, out, sigsjson.DisallowDuplicateFields, sigsjson.DisallowUnknownFields)
	if err != nil || len(strict) > 0 {
		return false
	}
	trim(out, in)
	out.GetObjectKind().SetGroupVersionKind(schema.FromAPIVersionAndKind(apiVersion, kind))
	*dst = append(*dst, out)
	return true
}

// LastAppliedAnnotation is the annotation `kubectl apply` stores a whole
// copy of the object in; Decode drops it from Nodes and Pods.
const LastAppliedAnnotation = corev1.LastAppliedConfigAnnotation

// keep moves what one document or item decoded into d.objs, within the
// MaxNodes, MaxPods and MaxOtherObjects caps.
func (d *decoder) keep(o *Objects) { d.keepFrom(o, nil) }

// keepFrom is keep for objects all from one source, src, when it is set.
func (d *decoder) keepFrom(o *Objects, src *Source) {
	kept := d.objs
	sourceOf := func(obj any) Source {
		if src != nil {
			return *src
		}
		return o.sources[obj]
	}
	for _, ds := range o.DaemonSets {
		if d.room(&d.overOthers, kept.others(), MaxOtherObjects, sourceOf, ds) {
			kept.DaemonSets = append(kept.DaemonSets, ds)
			kept.setSource(ds, sourceOf(ds))
			if l, ok := o.locations[ds]; ok {
				kept.setLocation(ds, l)
			}
		}
	}
	for _, n := range o.Nodes {
		if d.room(&d.overNodes, len(kept.Nodes), MaxNodes, sourceOf, n) {
			kept.Nodes = append(kept.Nodes, n)
			kept.setSource(n, sourceOf(n))
		}
	}
	for _, p := range o.Pods {
		if d.room(&d.overPods, len(kept.Pods), MaxPods, sourceOf, p) {
			kept.Pods = append(kept.Pods, p)
			kept.setSource(p, sourceOf(p))
		}
	}
	for _, pc := range o.PriorityClasses {
		if d.room(&d.overOthers, kept.others(), MaxOtherObjects, sourceOf, pc) {
			kept.PriorityClasses = append(kept.PriorityClasses, pc)
			kept.setSource(pc, sourceOf(pc))
		}
	}
	for _, pdb := range o.PodDisruptionBudgets {
		if d.room(&d.overOthers, kept.others(), MaxOtherObjects, sourceOf, pdb) {
			kept.PodDisruptionBudgets = append(kept.PodDisruptionBudgets, pdb)
			kept.setSource(pdb, sourceOf(pdb))
		}
	}
	for _, n := range o.Namespaces {
		if d.room(&d.overOthers, kept.others(), MaxOtherObjects, sourceOf, n) {
			kept.Namespaces = append(kept.Namespaces, n)
			kept.setSource(n, sourceOf(n))
		}
	}
	for _, x := range o.Others {
		if d.room(&d.overOthers, kept.others(), MaxOtherObjects, sourceOf, x) {
			kept.Others = append(kept.Others, x)
		}
	}
	kept.Warnings = append(kept.Warnings, o.Warnings...)
}

// others counts the objects o holds under the MaxOtherObjects cap: all but
// Nodes and Pods.
func (o *Objects) others() int {
	return len(o.DaemonSets) + len(o.PriorityClasses) + len(o.PodDisruptionBudgets) + len(o.Namespaces) + len(o.Others)
}

// over counts the objects of a kind beyond its cap, and where the first was.
type over struct {
	n     int
	first Source
}

func (d *decoder) room(ov *over, have, limit int, sourceOf func(any) Source, obj any) bool {
	if have < limit {
		return true
	}
	if ov.n == 0 {
		if x, ok := obj.(Other); ok {
			ov.first = x.Source
		} else {
			ov.first = sourceOf(obj)
		}
	}
	ov.n++
	return false
}

// overflow reports the caps the input went beyond.
func (d *decoder) overflow() {
	for _, c := range []struct {
		ov    over
		limit int
		what  string
	}{{d.overNodes, MaxNodes, "Nodes"}, {d.overPods, MaxPods, "Pods"}, {d.overOthers, MaxOtherObjects, "objects of other kinds than Node and Pod"}} {
		if c.ov.n == 0 {
			continue
		}
		d.errs = append(d.errs, &DecodeError{Source: d.source, Document: c.ov.first.Document, Line: c.ov.first.Line,
			Detail: fmt.Sprintf("the input holds %d more %s than the %d daemonkit keeps", c.ov.n, c.what, c.limit),
			Hint:   "split the input; these were not read"})
	}
}

// runtimeObject is the part of runtime.Object strictInto needs.
type runtimeObject interface {
	GetObjectKind() schema.ObjectKind
}
