package daemonset

import (
	"bytes"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
)

// location is where a decoded DaemonSet came from: its document (text kept
// for Position) and its path inside it (items[i] of a List document).
type location struct {
	doc  document
	path fpath
}

// newLocation keeps a copy of the document's text, so a DaemonSet found in
// a large stream does not keep the whole stream alive, and a tree of its
// own, parsed on first need.
func newLocation(doc document, path fpath) location {
	doc.data = bytes.Clone(doc.data)
	doc.tree = &yamlTree{}
	return location{doc: doc, path: append(fpath(nil), path...)}
}

func (o *Objects) setLocation(obj any, l location) {
	if o.locations == nil {
		o.locations = map[any]location{}
	}
	o.locations[obj] = l
}

// Position returns the 1-based line and column in the input of the field at
// fieldPath of ds, a DaemonSet decoded into o. fieldPath is written as
// Kubernetes field paths are rendered (k8s.io/apimachinery field.Path):
// "spec.template.spec.containers[0].image",
// "metadata.annotations[example.com/key]". When the field is absent (a
// missing readinessProbe), the position is that of its nearest parent in
// the input; when the input is not known (ds was not decoded by o), both
// are 0. The column is 0 when unknown (the first line of an item of a JSON
// List). Not safe for concurrent use with itself.
//
//	line, col := objs.Position(ds, "spec.template.spec.containers[0].image")
func (o *Objects) Position(ds *appsv1.DaemonSet, fieldPath string) (line, column int) {
	l, ok := o.locations[ds]
	if !ok {
		return 0, 0
	}
	return positionOf(l.doc, append(append(fpath(nil), l.path...), parseFieldPath(fieldPath)...))
}

// parseFieldPath reads a path as field.Path renders it: keys separated by
// dots, list indexes and map keys in brackets. A bracketed number is an
// index, which also matches a map key of the same text.
func parseFieldPath(s string) fpath {
	var p fpath
	for s != "" {
		switch s[0] {
		case '.':
			s = s[1:]
		case '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				end = len(s)
			}
			k := s[1:end]
			if n, err := strconv.Atoi(k); err == nil && n >= 0 && strconv.Itoa(n) == k {
				p = append(p, pathElem{key: k, index: n, isIdx: true})
			} else {
				p = append(p, pathElem{key: k, mapKey: true})
			}
			s = s[min(end+1, len(s)):]
		default:
			end := strings.IndexAny(s, ".[")
			if end < 0 {
				end = len(s)
			}
			p = append(p, pathElem{key: s[:end]})
			s = s[end:]
		}
	}
	return p
}

// positionOf finds the line and column of path in the document: the key's
// for a field, the item's for a list index, and the nearest present
// parent's for a path that is not there.
func positionOf(doc document, path fpath) (line, column int) {
	if doc.item && len(path) >= 2 {
		if path = path[2:]; len(path) == 0 {
			return doc.itemLine, 0
		}
	}
	if len(path) == 0 {
		return firstContentLine(doc), 0
	}
	n := doc.tree.root(doc.data, doc.seq)
	if n == nil {
		return 0, 0
	}
	at, col := n.Line, n.Column
	for _, e := range path {
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		found := false
		switch {
		case e.isIdx && n.Kind == yaml.SequenceNode && e.index < len(n.Content):
			n = n.Content[e.index]
			at, col, found = n.Line, n.Column, true
		case n.Kind == yaml.MappingNode:
			key := e.key
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					at, col = n.Content[i].Line, n.Content[i].Column
					n, found = n.Content[i+1], true
					break
				}
			}
		}
		if !found {
			break
		}
	}
	if doc.item && !doc.seq && at == 1 {
		col = 0 // a JSON item starts mid-line
	}
	return doc.firstLine + at - 1, col
}
