package daemonset

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// fpath is a field path inside a document: map keys and list indexes.
type fpath []pathElem

type pathElem struct {
	key    string
	index  int
	isIdx  bool
	mapKey bool
}

// Key returns p extended by a map key or struct field. It never aliases p.
func (p fpath) Key(k string) fpath {
	return append(append(fpath(nil), p...), pathElem{key: k})
}

// MapKey returns p extended by a key of a map (labels, resources, ...). It
// never aliases p.
func (p fpath) MapKey(k string) fpath {
	return append(append(fpath(nil), p...), pathElem{key: k, mapKey: true})
}

// Index returns p extended by a list index. It never aliases p.
func (p fpath) Index(i int) fpath {
	return append(append(fpath(nil), p...), pathElem{index: i, isIdx: true})
}

// String renders the path as Kubernetes field paths do:
// spec.template.spec.containers[0].image, metadata.labels[app].
func (p fpath) String() string {
	var b strings.Builder
	for i, e := range p {
		switch {
		case e.isIdx:
			fmt.Fprintf(&b, "[%d]", e.index)
		case e.mapKey:
			fmt.Fprintf(&b, "[%s]", e.key)
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(e.key)
		}
	}
	return b.String()
}

// lineOf finds the line of path in the document (the key's line for a
// field), parsing the YAML only when an error or a source needs it. It
// returns 0 when the path cannot be found.
func lineOf(doc document, path fpath) (line int) {
	if doc.item && len(path) >= 2 {
		if path = path[2:]; len(path) == 0 {
			return doc.itemLine
		}
	}
	if len(path) == 0 {
		return firstContentLine(doc)
	}
	n := doc.tree.root(doc.data, doc.seq)
	if n == nil {
		return 0
	}
	at := n.Line
	for _, e := range path {
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		found := false
		switch {
		case e.isIdx && n.Kind == yaml.SequenceNode && e.index < len(n.Content):
			n, at, found = n.Content[e.index], n.Content[e.index].Line, true
		case !e.isIdx && n.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == e.key {
					at, n, found = n.Content[i].Line, n.Content[i+1], true
					break
				}
			}
		}
		if !found {
			break
		}
	}
	return doc.firstLine + at - 1
}

// firstContentLine is the line of the first byte of a document that is not
// blank and not a comment: where its object starts.
func firstContentLine(doc document) int {
	line := doc.firstLine
	for l := range bytes.SplitSeq(doc.data, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' {
			return line
		}
		line++
	}
	return doc.firstLine
}

// yamlTree holds a document's YAML node tree, parsed at most once.
type yamlTree struct {
	parsed bool
	node   *yaml.Node
}

func (t *yamlTree) root(data []byte, seq bool) (n *yaml.Node) {
	if t == nil {
		return nil
	}
	if !t.parsed {
		t.parsed = true
		func() {
			defer func() {
				if recover() != nil {
					t.node = nil
				}
			}()
			var root yaml.Node
			if err := yaml.Unmarshal(data, &root); err == nil && len(root.Content) > 0 {
				t.node = root.Content[0]
				if seq {
					t.node = nil
					if s := root.Content[0]; s.Kind == yaml.SequenceNode && len(s.Content) == 1 {
						t.node = s.Content[0]
					}
				}
			}
		}()
	}
	return t.node
}

// schemaProblem is one mismatch between a decoded document and a Go type.
type schemaProblem struct {
	path   fpath
	detail string
	hint   string
}

// schemaChecker walks generic JSON values alongside a Go API type, the way
// encoding/json would decode them, and reports every unknown field and every
// value of the wrong type with its exact path. encoding/json stops at the
// first type error and names paths without list indexes; users deserve all
// problems at once, each with its place.
type schemaChecker struct {
	fields map[reflect.Type]map[string]reflect.Type
}

func newSchemaChecker() *schemaChecker {
	return &schemaChecker{fields: map[reflect.Type]map[string]reflect.Type{}}
}

func typeOf(v any) reflect.Type { return reflect.TypeOf(v) }

var jsonUnmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

func (c *schemaChecker) check(v any, t reflect.Type, path fpath, out *[]schemaProblem) {
	if v == nil {
		return // null decodes to the zero value of anything
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshalerType) {
		c.checkCustom(v, t, path, out)
		return
	}
	bad := func(want string) {
		*out = append(*out, schemaProblem{path: path,
			detail: fmt.Sprintf("got a %s, expected %s", jsonKind(v), want)})
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			bad("a mapping")
			return
		}
		fields := c.structFields(t)
		for _, k := range slices.Sorted(maps.Keys(m)) {
			ft, known := fields[k]
			if !known {
				*out = append(*out, schemaProblem{path: path.Key(k),
					detail: fmt.Sprintf("unknown field %q", k),
					hint:   fmt.Sprintf("check the spelling and indentation; %s has no field %q", t.Name(), k)})
				continue
			}
			c.check(m[k], ft, path.Key(k), out)
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			bad("a mapping")
			return
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			c.check(m[k], t.Elem(), path.MapKey(k), out)
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			s, ok := v.(string)
			if !ok {
				bad("a base64 string")
			} else if _, err := base64.StdEncoding.DecodeString(s); err != nil {
				*out = append(*out, schemaProblem{path: path, detail: "not valid base64: " + err.Error()})
			}
			return
		}
		arr, ok := v.([]any)
		if !ok {
			bad("a list")
			return
		}
		for i, x := range arr {
			c.check(x, t.Elem(), path.Index(i), out)
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			bad("a string (quote the value)")
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			bad("true or false")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := v.(json.Number)
		if !ok {
			bad("an integer")
			return
		}
		i, err := strconv.ParseInt(n.String(), 10, 64)
		bits := t.Bits()
		if err != nil || bits < 64 && (i < -1<<(bits-1) || i > 1<<(bits-1)-1) {
			*out = append(*out, schemaProblem{path: path,
				detail: fmt.Sprintf("%s is not a %d-bit integer", n, bits)})
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := v.(json.Number)
		if !ok {
			bad("a non-negative integer")
			return
		}
		if _, err := strconv.ParseUint(n.String(), 10, t.Bits()); err != nil {
			*out = append(*out, schemaProblem{path: path,
				detail: fmt.Sprintf("%s is not a %d-bit non-negative integer", n, t.Bits())})
		}
	case reflect.Float32, reflect.Float64:
		n, ok := v.(json.Number)
		if !ok {
			bad("a number")
			return
		}
		if f, err := n.Float64(); err != nil || math.IsInf(f, 0) {
			*out = append(*out, schemaProblem{path: path, detail: fmt.Sprintf("%s is not a number", n)})
		}
	case reflect.Interface:
		// anything goes
	}
}

// checkCustom validates a value of a type with its own JSON decoding
// (Quantity, IntOrString, Time, RawExtension, ...) by decoding it.
func (c *schemaChecker) checkCustom(v any, t reflect.Type, path fpath, out *[]schemaProblem) {
	b, err := json.Marshal(v)
	if err == nil {
		err = func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("%v", r)
				}
			}()
			return reflect.New(t).Interface().(json.Unmarshaler).UnmarshalJSON(b)
		}()
	}
	if err != nil {
		*out = append(*out, schemaProblem{path: path,
			detail: fmt.Sprintf("invalid %s: %v", t.Name(), err), hint: customHint(t)})
	}
}

func customHint(t reflect.Type) string {
	switch t.Name() {
	case "Quantity":
		return `a quantity is a number with an optional suffix, e.g. "100m", "128Mi", "2"`
	case "IntOrString":
		return `an integer or a string such as "25%"`
	case "Time":
		return `a timestamp in RFC 3339, e.g. "2026-01-02T15:04:05Z"`
	}
	return ""
}

// structFields maps JSON names to field types, flattening inline and
// embedded structs as encoding/json does.
func (c *schemaChecker) structFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := c.fields[t]; ok {
		return f
	}
	f := map[string]reflect.Type{}
	c.fields[t] = f
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" || strings.Contains(","+opts+",", ",inline,") {
			ft := sf.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range c.structFields(ft) {
					f[k] = v
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		f[name] = sf.Type
	}
	return f
}
