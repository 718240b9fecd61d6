package simulate

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// InputError is what simulate returns when its input is invalid: a Cluster
// (NewCluster, LoadCluster, ClusterFromObjects, node pools, shapes), the
// arguments of Place, a Scenario for Rollout, or the options of WriteSVG.
// It holds every problem found at once, each a *field.Error whose Field is
// the path of the argument it concerns (scenario.events[2].node,
// nodes[3].metadata.name, daemonsets[1], ...). A problem without a field
// path — about the input as a whole, or located by its source (file,
// document, line) in Detail, as for objects LoadCluster read — has an empty
// Field.
//
// Use errors.As to get it:
//
//	var ierr *simulate.InputError
//	if errors.As(err, &ierr) { for _, fe := range ierr.Errs { ... } }
//
// Errors found while the run goes on (a rolling update the controller
// aborts, a cancelled context) are not input errors.
type InputError struct {
	// Op prefixes the message: what was being built or asked ("place",
	// "invalid cluster", "load cluster", `node pool "gpu"`, ...); empty for
	// a Scenario, whose field paths start with "scenario".
	Op string
	// Errs lists the problems; it is never empty.
	Errs field.ErrorList
}

// Error renders the problems as field.ErrorList's aggregate does ("a" for
// one, "[a, b]" for more, repeated messages once), after "Op: ". A problem
// with a field path renders as *field.Error does ("path: Type: detail"), one
// without as its Detail.
func (e *InputError) Error() string {
	if e == nil || len(e.Errs) == 0 {
		return "invalid input"
	}
	var msgs []string
	seen := make(map[string]bool, len(e.Errs))
	for _, fe := range e.Errs {
		if fe == nil {
			continue
		}
		m := fe.Detail
		if fe.Field != "" {
			m = fe.Error()
		}
		if !seen[m] {
			seen[m] = true
			msgs = append(msgs, m)
		}
	}
	body := strings.Join(msgs, ", ")
	if len(msgs) > 1 {
		body = "[" + body + "]"
	}
	if e.Op == "" {
		return body
	}
	return e.Op + ": " + body
}

// Unwrap exposes every *field.Error, so errors.Is and errors.As see each one.
func (e *InputError) Unwrap() []error {
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

// inputError returns nil for no problems, else an *InputError.
func inputError(op string, errs ...*field.Error) error {
	if len(errs) == 0 {
		return nil
	}
	return &InputError{Op: op, Errs: errs}
}

// wholeInput is a problem without a field path (see InputError).
func wholeInput(t field.ErrorType, value any, detail string) *field.Error {
	return &field.Error{Type: t, BadValue: value, Detail: detail}
}
