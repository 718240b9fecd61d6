package daemonset

import "fmt"

// jsonScan validates JSON text as encoding/json does and records, in the
// same pass, where the values a List decoder needs lie: the top-level
// members of each object document, the items of its "items" array, and each
// item's apiVersion, kind and nesting depth. Nothing is decoded, so a
// gigabyte of `kubectl get nodes -o json` costs one pass over its bytes.
type jsonScan struct {
	data []byte
	// fail is the offset of the first syntax error, -1 if none; why says
	// what was wrong there.
	fail int
	why  string
}

// span is data[a:b]; a zero span (b == 0) is absent.
type span struct{ a, b int }

// jsonDoc is one JSON value of a stream.
type jsonDoc struct {
	span
	// odd is set when the document's top-level keys cannot be taken at
	// face value (an escaped key, a key given twice): it is then decoded
	// whole, as before.
	odd                     bool
	depth                   int // nesting depth of the whole document
	apiVersion, kind, items span
	list                    []jsonItem // items of an "items" array, if any
	isList                  bool       // the document has an "items" array
}

// jsonItem is one element of a document's "items" array.
type jsonItem struct {
	span
	depth            int  // nesting depth of the element (0 for scalars)
	object           bool // the element is a JSON object
	odd              bool // an escaped or repeated top-level key
	apiVersion, kind span
}

// maxJSONNesting is encoding/json's own nesting limit; deeper values are
// not JSON it reads.
const maxJSONNesting = 10000

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *jsonScan) ws(i int) int {
	for i < len(s.data) && isJSONSpace(s.data[i]) {
		i++
	}
	return i
}

func (s *jsonScan) bad(i int, why string) (int, int, bool) {
	if s.fail < 0 {
		s.fail, s.why = i, why
	}
	return i, 0, false
}

// scanJSONStream splits data into JSON values. It reports false when data
// is not a clean sequence of JSON values, with the offset and reason of the
// first problem in s.fail and s.why.
func scanJSONStream(data []byte) ([]jsonDoc, *jsonScan, bool) {
	s := &jsonScan{data: data, fail: -1}
	var docs []jsonDoc
	for i := s.ws(0); i < len(data); i = s.ws(i) {
		doc := jsonDoc{span: span{a: i}}
		var ok bool
		if data[i] == '{' {
			i, doc.depth, ok = s.object(i, 0, doc.member)
		} else {
			i, doc.depth, ok = s.value(i, 0)
		}
		if !ok {
			return nil, s, false
		}
		doc.b = i
		docs = append(docs, doc)
	}
	return docs, s, true
}

// member records a top-level member of a document and scans its value;
// "items" arrays are scanned element by element.
func (doc *jsonDoc) member(s *jsonScan, key span, escaped bool, i int) (int, int, bool) {
	if escaped {
		doc.odd = true
	}
	var slot *span
	switch string(s.data[key.a:key.b]) {
	case "apiVersion":
		slot = &doc.apiVersion
	case "kind":
		slot = &doc.kind
	case "items":
		slot = &doc.items
	}
	if slot != nil && slot.b != 0 {
		doc.odd = true
	}
	var end, depth int
	var ok bool
	if slot == &doc.items && i < len(s.data) && s.data[i] == '[' {
		doc.isList = true
		end, depth, ok = s.items(i, 1, &doc.list)
	} else {
		end, depth, ok = s.value(i, 1)
	}
	if slot != nil {
		*slot = span{i, end}
	}
	return end, depth, ok
}

// items scans the array at i (at nesting nest) and appends its elements to
// out, each with its depth, apiVersion and kind.
func (s *jsonScan) items(i, nest int, out *[]jsonItem) (int, int, bool) {
	return s.array(i, nest, func(s *jsonScan, j int) (int, int, bool) {
		it := jsonItem{span: span{a: j}}
		var end, depth int
		var ok bool
		if s.data[j] == '{' {
			it.object = true
			end, depth, ok = s.object(j, nest+1, it.member)
		} else {
			end, depth, ok = s.value(j, nest+1)
		}
		it.b, it.depth = end, depth
		*out = append(*out, it)
		return end, depth, ok
	})
}

// member records an item's apiVersion and kind and scans each value.
func (it *jsonItem) member(s *jsonScan, key span, escaped bool, i int) (int, int, bool) {
	if escaped {
		it.odd = true
	}
	var slot *span
	switch string(s.data[key.a:key.b]) {
	case "apiVersion":
		slot = &it.apiVersion
	case "kind":
		slot = &it.kind
	}
	if slot != nil && slot.b != 0 {
		it.odd = true
	}
	end, depth, ok := s.value(i, 3)
	if slot != nil {
		*slot = span{i, end}
	}
	return end, depth, ok
}

// value validates the JSON value at i and returns the offset after it and
// its depth (1 + the deepest element for objects and arrays, 0 otherwise).
func (s *jsonScan) value(i, nest int) (int, int, bool) {
	d := s.data
	if i >= len(d) {
		return s.bad(i, "unexpected end of JSON input")
	}
	switch c := d[i]; {
	case c == '{':
		return s.object(i, nest, nil)
	case c == '[':
		return s.array(i, nest, nil)
	case c == '"':
		j, _, ok := s.str(i)
		return j, 0, ok
	case c == '-' || c >= '0' && c <= '9':
		return s.number(i)
	case c == 't':
		return s.literal(i, "true")
	case c == 'f':
		return s.literal(i, "false")
	case c == 'n':
		return s.literal(i, "null")
	default:
		return s.bad(i, fmt.Sprintf("invalid character %q looking for beginning of value", c))
	}
}

type memberFunc func(s *jsonScan, key span, escaped bool, i int) (int, int, bool)

func (s *jsonScan) object(i, nest int, member memberFunc) (int, int, bool) {
	if nest >= maxJSONNesting {
		return s.bad(i, "exceeded max depth")
	}
	d := s.data
	i = s.ws(i + 1)
	if i < len(d) && d[i] == '}' {
		return i + 1, 1, true
	}
	deepest := 0
	for {
		if i >= len(d) || d[i] != '"' {
			return s.bad(i, "expected a string as object key")
		}
		j, escaped, ok := s.str(i)
		if !ok {
			return j, 0, false
		}
		key := span{i + 1, j - 1}
		i = s.ws(j)
		if i >= len(d) || d[i] != ':' {
			return s.bad(i, "expected ':' after object key")
		}
		i = s.ws(i + 1)
		var end, depth int
		if member != nil {
			end, depth, ok = member(s, key, escaped, i)
		} else {
			end, depth, ok = s.value(i, nest+1)
		}
		if !ok {
			return end, 0, false
		}
		deepest = max(deepest, depth)
		i = s.ws(end)
		if i < len(d) && d[i] == ',' {
			i = s.ws(i + 1)
			continue
		}
		if i < len(d) && d[i] == '}' {
			return i + 1, deepest + 1, true
		}
		return s.bad(i, "expected ',' or '}' after object value")
	}
}

func (s *jsonScan) array(i, nest int, elem func(s *jsonScan, i int) (int, int, bool)) (int, int, bool) {
	if nest >= maxJSONNesting {
		return s.bad(i, "exceeded max depth")
	}
	d := s.data
	i = s.ws(i + 1)
	if i < len(d) && d[i] == ']' {
		return i + 1, 1, true
	}
	deepest := 0
	for {
		var end, depth int
		var ok bool
		if elem != nil && i < len(d) {
			end, depth, ok = elem(s, i)
		} else {
			end, depth, ok = s.value(i, nest+1)
		}
		if !ok {
			return end, 0, false
		}
		deepest = max(deepest, depth)
		i = s.ws(end)
		if i < len(d) && d[i] == ',' {
			i = s.ws(i + 1)
			continue
		}
		if i < len(d) && d[i] == ']' {
			return i + 1, deepest + 1, true
		}
		return s.bad(i, "expected ',' or ']' after array element")
	}
}

// str validates the string starting at the quote at i; it returns the
// offset after the closing quote and whether the string holds escapes.
func (s *jsonScan) str(i int) (int, bool, bool) {
	d := s.data
	escaped := false
	for i++; i < len(d); {
		c := d[i]
		switch {
		case c == '"':
			return i + 1, escaped, true
		case c < 0x20:
			_, _, ok := s.bad(i, "invalid control character in string literal")
			return i, escaped, ok
		case c == '\\':
			escaped = true
			if i+1 >= len(d) {
				i++
				continue
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(d) {
					_, _, ok := s.bad(i, "unexpected end of JSON input")
					return i, escaped, ok
				}
				for _, h := range d[i+2 : i+6] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						_, _, ok := s.bad(i, "invalid character in \\u escape")
						return i, escaped, ok
					}
				}
				i += 6
			default:
				_, _, ok := s.bad(i, "invalid escape in string literal")
				return i, escaped, ok
			}
		default:
			i++
		}
	}
	_, _, ok := s.bad(i, "unexpected end of JSON input")
	return i, escaped, ok
}

func (s *jsonScan) number(i int) (int, int, bool) {
	d := s.data
	digits := func(i int) (int, bool) {
		j := i
		for j < len(d) && d[j] >= '0' && d[j] <= '9' {
			j++
		}
		return j, j > i
	}
	if d[i] == '-' {
		i++
	}
	if i < len(d) && d[i] == '0' {
		i++
	} else {
		var ok bool
		if i, ok = digits(i); !ok {
			return s.bad(i, "invalid number")
		}
	}
	if i < len(d) && d[i] == '.' {
		var ok bool
		if i, ok = digits(i + 1); !ok {
			return s.bad(i, "invalid number")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		var ok bool
		if i, ok = digits(i); !ok {
			return s.bad(i, "invalid number")
		}
	}
	return i, 0, true
}

func (s *jsonScan) literal(i int, lit string) (int, int, bool) {
	if i+len(lit) > len(s.data) || string(s.data[i:i+len(lit)]) != lit {
		return s.bad(i, "invalid literal, expected "+lit)
	}
	return i + len(lit), 0, true
}
