package builder

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Error is what Build returns when the DaemonSet cannot be built: every problem
// at once, each with the field path of the built object it concerns. It holds
// the builder's own findings (a quantity string that does not parse, a
// privilege without a reason, an UpdateContainer naming no container, ...) in
// the order of discovery, then what daemonset.Validate reports for the built
// object and the builder did not already report, sorted by field path.
//
// Use errors.As to get it from Build's error:
//
//	var berr *builder.Error
//	if errors.As(err, &berr) { for _, e := range berr.Errs { ... } }
type Error struct {
	// Name is the DaemonSet's metadata.name as the builder had it.
	Name string
	// Errs lists the problems; it is never empty.
	Errs field.ErrorList
}

// Error renders one problem per line, prefixed by a count, for example:
//
//	2 problems building DaemonSet "agent":
//	  spec.template.spec.containers[0].resources.requests[cpu]: Invalid value: "1x": quantities must match ...
//	  spec.template.spec.hostNetwork: Required value: hostNetwork needs a reason ...
func (e *Error) Error() string {
	if e == nil || len(e.Errs) == 0 {
		return "no problems building DaemonSet"
	}
	var sb strings.Builder
	sb.WriteString(strconv.Itoa(len(e.Errs)))
	if len(e.Errs) == 1 {
		sb.WriteString(" problem building DaemonSet ")
	} else {
		sb.WriteString(" problems building DaemonSet ")
	}
	sb.WriteString(strconv.Quote(e.Name))
	sb.WriteString(":")
	for _, fe := range e.Errs {
		sb.WriteString("\n  ")
		if fe == nil {
			sb.WriteString("<nil>")
			continue
		}
		sb.WriteString(fe.Error())
	}
	return sb.String()
}

// Unwrap exposes every *field.Error, so errors.Is and errors.As see each one.
func (e *Error) Unwrap() []error {
	if e == nil {
		return nil
	}
	out := make([]error, 0, len(e.Errs))
	for _, fe := range e.Errs {
		if fe != nil {
			out = append(out, fe)
		}
	}
	return out
}

// mergeValidation appends daemonset.Validate's errors to the builder's own,
// skipping those whose type and field path a builder error already covers
// (both can find the same fault, such as a missing image, and a reader needs
// it once). Validation errors are put in a fixed order, by field path, then
// type, detail and value, because validators that walk maps (labels,
// resource lists) report in map order, and Build's output must be
// deterministic.
func mergeValidation(own, validation field.ErrorList) field.ErrorList {
	type key struct {
		t field.ErrorType
		f string
	}
	covered := make(map[key]bool, len(own))
	for _, e := range own {
		if e != nil {
			covered[key{e.Type, e.Field}] = true
		}
	}
	var extra field.ErrorList
	for _, e := range validation {
		if e != nil && !covered[key{e.Type, e.Field}] {
			extra = append(extra, e)
		}
	}
	slices.SortStableFunc(extra, func(a, b *field.Error) int {
		return cmp.Or(cmp.Compare(a.Field, b.Field), cmp.Compare(a.Type, b.Type), cmp.Compare(a.Detail, b.Detail),
			cmp.Compare(fmt.Sprint(a.BadValue), fmt.Sprint(b.BadValue)))
	})
	return append(own, extra...)
}
