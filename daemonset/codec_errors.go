package daemonset

import (
	"fmt"
	"strings"
)

// DecodeError is one problem in an input stream, placed as precisely as the
// input allows.
type DecodeError struct {
	// Source names the input (a file name, "-" for standard input).
	Source string
	// Document is the 1-based index of the document; 0 for the whole input.
	Document int
	// Line is the 1-based line in the input; 0 if unknown.
	Line int
	// Field is the field path inside the document, e.g.
	// spec.template.spec.containers[0].image; empty for the whole document.
	Field string
	// Detail says what is wrong and what was expected.
	Detail string
	// Hint says what to do about it; may be empty.
	Hint string
}

// Error renders the problem on one line:
// "ds.yaml: document 2, line 14: spec.foo: unknown field "foo" (hint)".
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString(e.Source)
	if e.Document > 0 {
		fmt.Fprintf(&b, ": document %d", e.Document)
	}
	if e.Line > 0 {
		if e.Document > 0 {
			b.WriteString(",")
		} else {
			b.WriteString(":")
		}
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Detail)
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	return b.String()
}

// DecodeErrors is every problem Decode found, in input order.
type DecodeErrors []*DecodeError

// Error renders one problem per line.
func (es DecodeErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find each *DecodeError.
func (es DecodeErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
