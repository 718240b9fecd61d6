package daemonset

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// blockYAMLToJSON converts one entry of a YAML block sequence ("- ...", a
// List item as kubectl prints it) to JSON, "[...]", appended to out, for the
// part of YAML that kubectl's printer (go.yaml.in/yaml/v2 through
// sigs.k8s.io/yaml) writes: block mappings and sequences, plain, single- and
// double-quoted scalars on one line, literal block scalars ("|", "|-"), "{}"
// and "[]". It reads the bytes once, without building a tree of values.
//
// The JSON holds the same values yamlToJSON gives: scalars are resolved as
// go.yaml.in/yaml/v2 resolves them (YAML 1.1: yes/no/on/off are booleans)
// and keys must resolve to strings. For anything outside that part of YAML,
// or in doubt (anchors, tags, comments, flow collections, folded or
// multi-line scalars, tabs, carriage returns, duplicate keys, numbers
// other than plain decimal integers, characters YAML does not allow), it
// reports false and the caller converts with yamlToJSON, which also says
// what is wrong. It never reports an error of its own.
func blockYAMLToJSON(out, data []byte) ([]byte, bool) {
	j, _, ok := blockYAMLToJSONDropping(out, data, false)
	return j, ok
}

// blockYAMLToJSONDropping is blockYAMLToJSON that, with dropImages, leaves
// out the object's status.images when it holds only what a Node's
// status.images decodes strictly (a list of {names, sizeBytes}), and says
// so. Decode drops a node's images after decoding (see trim); this spares
// decoding them, which is a third of a node. The JSON is then a Node's
// only: for an object of another kind, or a Node that does not decode
// strictly, the caller must convert again.
func blockYAMLToJSONDropping(out, data []byte, dropImages bool) (j []byte, dropped, ok bool) {
	if !plainYAMLBytes(data) {
		return out, false, false
	}
	c := yamlConv{data: data, out: out, dropImages: dropImages}
	c.skipBlank()
	if c.i >= len(data) {
		return out, false, false
	}
	ind := c.indent()
	if !c.isEntry(ind) {
		return out, false, false
	}
	if !c.seq(ind, 0) {
		return out, false, false
	}
	c.skipBlank()
	if c.i < len(data) {
		return out, false, false
	}
	return c.out, c.dropped, true
}

// plainYAMLBytes reports whether data holds only what a YAML reader takes
// as it is: printable characters, spaces and line feeds, valid UTF-8, no
// tab, carriage return, byte order mark or Unicode line break.
func plainYAMLBytes(data []byte) bool {
	for i := 0; i < len(data); {
		b := data[i]
		if b < utf8.RuneSelf {
			if b < 0x20 && b != '\n' || b == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			return false
		case r < 0xa0, r == 0x2028, r == 0x2029, r > 0xd7ff && r < 0xe000, r == 0xfeff, r == 0xfffe, r == 0xffff:
			return false
		}
		i += n
	}
	return true
}

// yamlConv is the state of one blockYAMLToJSON call: i is the offset of the
// start of the current line, or of the place on it the parser has reached.
type yamlConv struct {
	data  []byte
	i     int
	out   []byte
	depth int
	keys  []span // keys of the mappings being read, as written in out
	// dropImages: leave out the object's status.images when it is a list
	// a Node decodes strictly; dropped tells it was.
	dropImages, dropped bool
	status              bool // the mapping about to be read is the object's status
}

// yamlConvMaxDepth bounds the nesting blockYAMLToJSON reads; deeper
// documents go the long way, which says they are too deep.
const yamlConvMaxDepth = MaxDepth - 4

// maxConvKeys bounds the keys of one mapping blockYAMLToJSON reads (it
// looks for duplicates by comparing each key with the others).
const maxConvKeys = 128

// lineEnd is the end of the line holding offset i (excluding the newline).
func (c *yamlConv) lineEnd(i int) int {
	if e := bytes.IndexByte(c.data[i:], '\n'); e >= 0 {
		return i + e
	}
	return len(c.data)
}

// nextLine moves to the start of the line after the one holding c.i.
func (c *yamlConv) nextLine() {
	c.i = c.lineEnd(c.i)
	if c.i < len(c.data) {
		c.i++
	}
}

// skipBlank moves over lines holding only spaces; c.i must be at a line's
// start.
func (c *yamlConv) skipBlank() {
	for c.i < len(c.data) {
		e := c.lineEnd(c.i)
		if len(bytes.TrimLeft(c.data[c.i:e], " ")) > 0 {
			return
		}
		c.i = e
		if c.i < len(c.data) {
			c.i++
		}
	}
}

// indent is the number of spaces the line starting at c.i begins with.
func (c *yamlConv) indent() int {
	n := 0
	for c.i+n < len(c.data) && c.data[c.i+n] == ' ' {
		n++
	}
	return n
}

// isEntry: the line at c.i holds a sequence entry at column col.
func (c *yamlConv) isEntry(col int) bool {
	j := c.i + col
	return j < len(c.data) && c.data[j] == '-' && (j+1 == len(c.data) || c.data[j+1] == ' ' || c.data[j+1] == '\n')
}

// next moves to the next line with content and returns its indentation,
// or -1 at the end of the data.
func (c *yamlConv) next() int {
	c.nextLine()
	c.skipBlank()
	if c.i >= len(c.data) {
		return -1
	}
	return c.indent()
}

// seq reads a block sequence whose entries start at column col of the line
// at c.i; parent is the column of the collection holding it. It returns
// with c.i at the start of the first line after the sequence.
func (c *yamlConv) seq(col, parent int) bool {
	if c.depth++; c.depth > yamlConvMaxDepth {
		return false
	}
	defer func() { c.depth-- }()
	c.status = false
	c.out = append(c.out, '[')
	first := true
	for c.i < len(c.data) && c.indent() == col && c.isEntry(col) {
		if !first {
			c.out = append(c.out, ',')
		}
		first = false
		lineStart := c.i
		e := c.lineEnd(c.i)
		j := c.i + col + 1
		for j < e && c.data[j] == ' ' {
			j++
		}
		if j == e { // "-" alone: the value is on the next lines, or null
			ind := c.next()
			switch {
			case ind > col:
				if !c.block(ind, col) {
					return false
				}
			default:
				c.out = append(c.out, "null"...)
			}
		} else {
			rest := c.data[j:e]
			if rest[0] == '-' && (len(rest) == 1 || rest[1] == ' ') {
				return false // "- - x"
			}
			if k, ok := c.keyEnd(j, e); ok && k >= 0 {
				c.i = j
				if !c.mapping(j-lineStart, col) {
					return false
				}
			} else if !ok {
				return false
			} else {
				if !c.scalar(j, e, col) {
					return false
				}
			}
		}
		if c.i < len(c.data) && c.indent() > col {
			return false // a continuation or an error: the long way says
		}
	}
	c.out = append(c.out, ']')
	return true
}

// block reads the collection whose first line starts at c.i, indented by
// ind, more than its parent's column parent.
func (c *yamlConv) block(ind, parent int) bool {
	if c.isEntry(ind) {
		return c.seq(ind, parent)
	}
	e := c.lineEnd(c.i)
	if k, ok := c.keyEnd(c.i+ind, e); ok && k >= 0 {
		c.i += ind
		return c.mapping(ind, parent)
	}
	return false // a scalar on its own line, or what this reader does not take
}

// keyEnd looks at the text at data[j:e] for a mapping key: it returns the
// offset of the key's colon, -1 if the text is not a key (a scalar), and
// false when it cannot tell or the text is outside what this reader takes.
func (c *yamlConv) keyEnd(j, e int) (int, bool) {
	d := c.data
	switch d[j] {
	case '"', '\'':
		q, ok := c.quotedEnd(j, e)
		if !ok {
			return 0, false
		}
		rest := d[q:e]
		if len(rest) > 0 && rest[0] == ':' && (len(rest) == 1 || rest[1] == ' ') {
			return q, true
		}
		if len(bytes.TrimRight(rest, " ")) == 0 {
			return -1, true // a quoted scalar
		}
		return 0, false
	}
	for k := j; k < e; k++ {
		switch d[k] {
		case ':':
			if k+1 == e || d[k+1] == ' ' {
				return k, true
			}
		case '#':
			if k > j && d[k-1] == ' ' {
				return 0, false // a comment
			}
		}
	}
	return -1, true
}

// quotedEnd returns the offset after the quoted scalar starting at j,
// which must close on its line.
func (c *yamlConv) quotedEnd(j, e int) (int, bool) {
	d := c.data
	q := d[j]
	for k := j + 1; k < e; k++ {
		switch {
		case q == '\'' && d[k] == '\'':
			if k+1 < e && d[k+1] == '\'' {
				k++
				continue
			}
			return k + 1, true
		case q == '"' && d[k] == '\\':
			k++
		case q == '"' && d[k] == '"':
			return k + 1, true
		}
	}
	return 0, false
}

// mapping reads a block mapping whose keys start at column col; c.i is at
// the first key (on a line of its own or after "- "). parent is the column
// of the collection holding it.
func (c *yamlConv) mapping(col, parent int) bool {
	if c.depth++; c.depth > yamlConvMaxDepth {
		return false
	}
	defer func() { c.depth-- }()
	c.out = append(c.out, '{')
	base := len(c.keys)
	defer func() { c.keys = c.keys[:base] }()
	// The top-level mapping is the object; its "status" mapping may hold
	// a node's images.
	status := c.status
	c.status = false
	members, droppedImages := 0, false
	for {
		e := c.lineEnd(c.i)
		k, ok := c.keyEnd(c.i, e)
		if !ok || k < 0 {
			return false
		}
		start := len(c.out)
		if members > 0 {
			c.out = append(c.out, ',')
		}
		members++
		ka := len(c.out)
		if !c.key(c.i, k) {
			return false
		}
		key := span{ka, len(c.out)}
		if len(c.keys)-base >= maxConvKeys {
			return false
		}
		for _, o := range c.keys[base:] {
			if bytes.Equal(c.out[o.a:o.b], c.out[key.a:key.b]) {
				return false // a duplicate: the long way says where
			}
		}
		images := status && c.dropImages && string(c.out[key.a:key.b]) == `"images"`
		if images && droppedImages {
			return false // a duplicate
		}
		c.keys = append(c.keys, key)
		c.out = append(c.out, ':')
		value := len(c.out)
		c.status = c.depth == 2 && string(c.out[key.a:key.b]) == `"status"`
		j := k + 1
		for j < e && c.data[j] == ' ' {
			j++
		}
		if j == e {
			ind := c.next()
			switch {
			case ind > col:
				if !c.block(ind, col) {
					return false
				}
			case ind == col && c.isEntry(col):
				if !c.seq(col, col) {
					return false
				}
			default:
				c.out = append(c.out, "null"...)
			}
		} else if !c.scalar(j, e, col) {
			return false
		}
		c.status = false
		if images && containerImagesJSON(c.out[value:]) {
			c.out = c.out[:start]
			c.keys = c.keys[:len(c.keys)-1]
			members--
			droppedImages, c.dropped = true, true
		}
		if c.i >= len(c.data) {
			break
		}
		ind := c.indent()
		if ind < col {
			break
		}
		if ind > col {
			return false
		}
		c.i += col
	}
	c.out = append(c.out, '}')
	return true
}

// key writes the key at data[j:k] (k is its colon) as a JSON string.
func (c *yamlConv) key(j, k int) bool {
	d := c.data
	if k-j > 1000 {
		return false // YAML's limit on implicit keys is near
	}
	switch d[j] {
	case '"':
		return c.doubleQuoted(d[j+1 : k-1])
	case '\'':
		c.singleQuoted(d[j+1 : k-1])
		return true
	}
	text := d[j:k]
	if len(text) == 0 || text[len(text)-1] == ' ' || bytes.HasPrefix(text, []byte("<<")) || !plainStart(text) {
		return false
	}
	if kind, _ := resolvePlain(text); kind != plainString {
		return false // a key YAML reads as a number, boolean or null
	}
	c.str(text)
	return true
}

// plainStart: text may start a plain scalar in a block collection.
func plainStart(text []byte) bool {
	switch text[0] {
	case '-', '?', ':':
		return len(text) > 1 && text[1] != ' ' && text[0] == '-'
	case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ':
		return false
	}
	return true
}

// scalar writes the value at data[j:e], the rest of its line, and moves to
// the next line with content. col is the column of the collection the
// value belongs to: a block scalar's lines are indented deeper.
func (c *yamlConv) scalar(j, e, col int) bool {
	d := c.data
	text := bytes.TrimRight(d[j:e], " ")
	switch text[0] {
	case '"', '\'':
		q, ok := c.quotedEnd(j, e)
		if !ok || len(bytes.TrimRight(d[q:e], " ")) > 0 {
			return false
		}
		if text[0] == '"' {
			if !c.doubleQuoted(d[j+1 : q-1]) {
				return false
			}
		} else {
			c.singleQuoted(d[j+1 : q-1])
		}
	case '|':
		return c.literal(text, col)
	case '{', '[':
		if len(text) != 2 || text[1] != text[0]+2 {
			return false // a flow collection
		}
		c.out = append(c.out, text[0], text[1])
	default:
		if !plainStart(text) || bytes.Contains(text, []byte(": ")) || bytes.Contains(text, []byte(" #")) || text[len(text)-1] == ':' {
			return false
		}
		kind, v := resolvePlain(text)
		switch kind {
		case plainString:
			c.str(text)
		case plainLiteral:
			c.out = append(c.out, v...)
		default:
			return false
		}
	}
	c.next()
	return true
}

// literal reads a literal block scalar ("|" or "|-") whose lines follow,
// indented deeper than col.
func (c *yamlConv) literal(header []byte, col int) bool {
	strip := false
	switch string(header) {
	case "|":
	case "|-":
		strip = true
	default:
		return false // keep chomping, an indentation indicator, a comment
	}
	c.nextLine()
	// The content's indentation is the first line with content's.
	leading, maxBlank := 0, 0
	for c.i < len(c.data) {
		e := c.lineEnd(c.i)
		ind := c.indent()
		if c.i+ind < e {
			break
		}
		leading++
		maxBlank = max(maxBlank, ind)
		c.nextLine()
	}
	if c.i >= len(c.data) {
		return false
	}
	ind := c.indent()
	if ind <= col || maxBlank > ind {
		return false
	}
	var val []byte
	for range leading {
		val = append(val, '\n')
	}
	pendingBlank, brk := 0, false
	for c.i < len(c.data) {
		e := c.lineEnd(c.i)
		n := c.indent()
		if c.i+n == e { // blank
			if n > ind {
				return false
			}
			pendingBlank++
			c.nextLine()
			continue
		}
		if n < ind {
			break
		}
		for range pendingBlank {
			val = append(val, '\n')
		}
		pendingBlank = 0
		if brk {
			val = append(val, '\n')
		}
		val = append(val, c.data[c.i+ind:e]...)
		brk = e < len(c.data)
		c.nextLine()
	}
	if brk && !strip {
		val = append(val, '\n')
	}
	c.str(val)
	// c.i is at the next line with content, or at the end.
	return true
}

// singleQuoted writes the text of a single-quoted scalar, in which two
// single quotes stand for one.
func (c *yamlConv) singleQuoted(text []byte) {
	if bytes.IndexByte(text, '\'') < 0 {
		c.str(text)
		return
	}
	c.str(bytes.ReplaceAll(text, []byte("''"), []byte("'")))
}

// doubleQuoted writes the text of a double-quoted scalar, its escapes
// read as YAML reads them.
func (c *yamlConv) doubleQuoted(text []byte) bool {
	if bytes.IndexByte(text, '\\') < 0 {
		c.str(text)
		return true
	}
	val := make([]byte, 0, len(text))
	for k := 0; k < len(text); k++ {
		b := text[k]
		if b != '\\' {
			val = append(val, b)
			continue
		}
		k++
		if k >= len(text) {
			return false
		}
		var width int
		switch text[k] {
		case '0':
			val = append(val, 0)
		case 'a':
			val = append(val, '\a')
		case 'b':
			val = append(val, '\b')
		case 't':
			val = append(val, '\t')
		case 'n':
			val = append(val, '\n')
		case 'v':
			val = append(val, '\v')
		case 'f':
			val = append(val, '\f')
		case 'r':
			val = append(val, '\r')
		case 'e':
			val = append(val, 0x1b)
		case ' ', '"', '\'', '\\':
			val = append(val, text[k])
		case 'N':
			val = utf8.AppendRune(val, 0x85)
		case '_':
			val = utf8.AppendRune(val, 0xa0)
		case 'L':
			val = utf8.AppendRune(val, 0x2028)
		case 'P':
			val = utf8.AppendRune(val, 0x2029)
		case 'x':
			width = 2
		case 'u':
			width = 4
		case 'U':
			width = 8
		default:
			return false
		}
		if width == 0 {
			continue
		}
		if k+1+width > len(text) {
			return false
		}
		v, err := strconv.ParseUint(string(text[k+1:k+1+width]), 16, 32)
		if err != nil || v >= 0xd800 && v <= 0xdfff || v > 0x10ffff {
			return false
		}
		val = utf8.AppendRune(val, rune(v))
		k += width
	}
	c.str(val)
	return true
}

// str writes s, valid UTF-8, as a JSON string.
func (c *yamlConv) str(s []byte) {
	c.out = append(c.out, '"')
	start := 0
	for k, b := range s {
		if b >= 0x20 && b != '"' && b != '\\' {
			continue
		}
		c.out = append(c.out, s[start:k]...)
		switch b {
		case '"', '\\':
			c.out = append(c.out, '\\', b)
		case '\n':
			c.out = append(c.out, '\\', 'n')
		case '\t':
			c.out = append(c.out, '\\', 't')
		default:
			c.out = append(c.out, `\u00`...)
			c.out = append(c.out, "0123456789abcdef"[b>>4], "0123456789abcdef"[b&0xf])
		}
		start = k + 1
	}
	c.out = append(c.out, s[start:]...)
	c.out = append(c.out, '"')
}

// What a plain scalar is, as go.yaml.in/yaml/v2 resolves it.
const (
	plainString  = iota
	plainLiteral // null, a boolean or a decimal integer, written as JSON
	plainOther   // a number of another form: left to the long way
)

// resolvePlain resolves a plain scalar as go.yaml.in/yaml/v2's resolve
// (resolve.go) does for an untagged scalar, telling strings, the JSON of
// nulls, booleans and decimal integers, and other numbers apart.
func resolvePlain(s []byte) (int, string) {
	switch s[0] {
	case 'y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O', '~':
		switch string(s) {
		case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
			return plainLiteral, "true"
		case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
			return plainLiteral, "false"
		case "~", "null", "Null", "NULL":
			return plainLiteral, "null"
		}
		return plainString, ""
	case '.':
		switch string(s) {
		case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF":
			return plainOther, ""
		}
		if _, err := strconv.ParseFloat(string(s), 64); err == nil {
			return plainOther, ""
		}
		return plainString, ""
	case '+', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
	default:
		return plainString, ""
	}
	switch string(s) {
	case "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		return plainOther, ""
	}
	// Only these characters make numbers (ParseInt with base 0, ParseUint,
	// the YAML float form); timestamps resolve to strings anyway.
	dots := 0
	for _, b := range s {
		switch {
		case b >= '0' && b <= '9', b >= 'a' && b <= 'f', b >= 'A' && b <= 'F',
			b == 'x', b == 'X', b == 'o', b == 'O', b == '_', b == '+', b == '-':
		case b == '.':
			if dots++; dots > 1 {
				return plainString, ""
			}
		default:
			return plainString, ""
		}
	}
	if decimalInt(s) {
		return plainLiteral, string(s)
	}
	plain := strings.ReplaceAll(string(s), "_", "")
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return plainOther, ""
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return plainOther, ""
	}
	if yamlStyleFloat(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return plainOther, ""
		}
	}
	if b, ok := strings.CutPrefix(plain, "0b"); ok {
		if _, err := strconv.ParseInt(b, 2, 64); err == nil {
			return plainOther, ""
		}
		if _, err := strconv.ParseUint(b, 2, 64); err == nil {
			return plainOther, ""
		}
	} else if b, ok := strings.CutPrefix(plain, "-0b"); ok {
		if _, err := strconv.ParseInt("-"+b, 2, 64); err == nil {
			return plainOther, ""
		}
	}
	return plainString, ""
}

// decimalInt: s is 0 or a decimal integer without leading zeros, of at most
// 18 digits, with an optional minus: YAML and JSON read it alike.
func decimalInt(s []byte) bool {
	d := s
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 18 || d[0] == '0' && (len(d) > 1 || len(s) > 1) {
		return false
	}
	for _, b := range d {
		if b < '0' || b > '9' {
			return false
		}
	}
	return true
}

// yamlStyleFloat matches go.yaml.in/yaml/v2's float form,
// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$.
func yamlStyleFloat(s string) bool {
	k := 0
	if k < len(s) && (s[k] == '-' || s[k] == '+') {
		k++
	}
	digits := func() int {
		n := 0
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
			n++
		}
		return n
	}
	if k < len(s) && s[k] == '.' {
		k++
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if k < len(s) && s[k] == '.' {
			k++
			digits()
		}
	}
	if k < len(s) && (s[k] == 'e' || s[k] == 'E') {
		k++
		if k < len(s) && (s[k] == '-' || s[k] == '+') {
			k++
		}
		if digits() == 0 {
			return false
		}
	}
	return k == len(s)
}

// containerImagesJSON reports whether j, JSON as blockYAMLToJSON writes it,
// decodes strictly into a node's status.images ([]corev1.ContainerImage):
// null, or a list of nulls and objects with no other members than "names"
// (null or a list of strings and nulls) and "sizeBytes" (null or an
// integer, which blockYAMLToJSON writes only with up to 18 digits).
func containerImagesJSON(j []byte) bool {
	i := 0
	lit := func(s string) bool {
		if bytes.HasPrefix(j[i:], []byte(s)) {
			i += len(s)
			return true
		}
		return false
	}
	str := func() bool {
		if i >= len(j) || j[i] != '"' {
			return false
		}
		for i++; i < len(j); i++ {
			switch j[i] {
			case '\\':
				i++
			case '"':
				i++
				return true
			}
		}
		return false
	}
	// list reads "[" elem ("," elem)* "]" or "[]".
	list := func(elem func() bool) bool {
		if !lit("[") {
			return false
		}
		if lit("]") {
			return true
		}
		for {
			if !elem() {
				return false
			}
			if lit("]") {
				return true
			}
			if !lit(",") {
				return false
			}
		}
	}
	integer := func() bool {
		k := i
		if k < len(j) && j[k] == '-' {
			k++
		}
		d := k
		for k < len(j) && j[k] >= '0' && j[k] <= '9' {
			k++
		}
		if k == d || k-d > 18 {
			return false
		}
		i = k
		return true
	}
	image := func() bool {
		if lit("null") {
			return true
		}
		if !lit("{") {
			return false
		}
		if lit("}") {
			return true
		}
		for {
			switch {
			case lit(`"names":`):
				if !lit("null") && !list(func() bool { return lit("null") || str() }) {
					return false
				}
			case lit(`"sizeBytes":`):
				if !lit("null") && !integer() {
					return false
				}
			default:
				return false
			}
			if lit("}") {
				return true
			}
			if !lit(",") {
				return false
			}
		}
	}
	if !lit("null") && !list(image) {
		return false
	}
	return i == len(j)
}
