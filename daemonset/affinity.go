package daemonset

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// selectorPair is one nodeSelector entry: the node must carry key=value.
type selectorPair struct {
	key, value string
}

// compileNodeSelector sorts the nodeSelector map into pairs, so that matching
// walks a slice and reasons come out in key order.
//
// upstream: nodeaffinity.go NewRequiredNodeAffinity -> labels.SelectorFromSet
// (no validation: any key and value is compared as is).
func compileNodeSelector(sel map[string]string) []selectorPair {
	if len(sel) == 0 {
		return nil
	}
	pairs := make([]selectorPair, 0, len(sel))
	for k, v := range sel {
		pairs = append(pairs, selectorPair{key: k, value: v})
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].key < pairs[j].key })
	return pairs
}

// reqOp is a parsed node selector operator.
type reqOp uint8

const (
	opIn reqOp = iota
	opNotIn
	opExists
	opDoesNotExist
	opGt
	opLt
)

// labelRequirement is one parsed matchExpressions entry.
type labelRequirement struct {
	index  int // position in matchExpressions
	key    string
	op     reqOp
	values []string
	bound  int64 // Gt/Lt: the parsed value
}

// matches is labels.Requirement.Matches for a node's labels.
//
// upstream: apimachinery labels/selector.go (*Requirement).Matches
func (r *labelRequirement) matches(nodeLabels map[string]string) bool {
	val, ok := nodeLabels[r.key]
	switch r.op {
	case opIn:
		return ok && slices.Contains(r.values, val)
	case opNotIn:
		return !ok || !slices.Contains(r.values, val)
	case opExists:
		return ok
	case opDoesNotExist:
		return !ok
	case opGt, opLt:
		if !ok {
			return false
		}
		n, parsed := parseInt64(val)
		if !parsed {
			return false
		}
		if r.op == opGt {
			return n > r.bound
		}
		return n < r.bound
	}
	return false
}

// parseInt64 is strconv.ParseInt(s, 10, 64) without the allocation of its
// error value: an optional sign, then one or more decimal digits, in range.
func parseInt64(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	neg := false
	switch s[0] {
	case '+', '-':
		neg = s[0] == '-'
		s = s[1:]
		if s == "" {
			return 0, false
		}
	}
	const cutoff = uint64(1) << 63
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > cutoff/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
		if n > cutoff {
			return 0, false
		}
	}
	if neg {
		return -int64(n), true // n == cutoff wraps to MinInt64, as intended
	}
	if n == cutoff {
		return 0, false
	}
	return int64(n), true
}

// fieldRequirement is one parsed matchFields entry (In or NotIn, one value).
type fieldRequirement struct {
	index int
	key   string
	notIn bool
	value string
}

// matches is fields.OneTermEqualSelector / OneTermNotEqualSelector over the
// node's fields, where only metadata.name exists and any other key reads as "".
//
// upstream: nodeaffinity.go extractNodeFields, apimachinery fields/selector.go
// hasTerm / notHasTerm
func (r *fieldRequirement) matches(nodeName string) bool {
	var got string
	if r.key == metav1.ObjectNameField {
		got = nodeName
	}
	if r.notIn {
		return got != r.value
	}
	return got == r.value
}

// affinityTerm is one parsed, non-empty node selector term.
type affinityTerm struct {
	index     int // position in nodeSelectorTerms
	hasLabels bool
	hasFields bool
	exprs     []labelRequirement
	fields    []fieldRequirement
	// parseErrs is non-empty when the term failed to parse; such a term
	// never matches (upstream ignores the error and moves on).
	parseErrs []string
}

// matches is nodeSelectorTerm.match for one node.
//
// upstream: nodeaffinity.go (*nodeSelectorTerm).match
func (t *affinityTerm) matches(node *corev1.Node) bool {
	if t.parseErrs != nil {
		return false
	}
	for i := range t.exprs {
		if !t.exprs[i].matches(node.Labels) {
			return false
		}
	}
	// The fields part is skipped when the node has no name: upstream's field
	// set is then empty.
	if t.hasFields && node.Name != "" {
		for i := range t.fields {
			if !t.fields[i].matches(node.Name) {
				return false
			}
		}
	}
	return true
}

// requiredAffinity is the compiled requiredDuringSchedulingIgnoredDuringExecution.
type requiredAffinity struct {
	set   bool // the required selector is non-nil
	terms []affinityTerm
	// emptyTerms lists the indexes of terms with neither matchExpressions
	// nor matchFields; upstream drops them, so they match nothing.
	emptyTerms []int
}

// matches reports whether some term matches node (ORed terms). A set
// selector without a usable term matches nothing.
//
// upstream: nodeaffinity.go (*LazyErrorNodeSelector).Match
func (a *requiredAffinity) matches(node *corev1.Node) bool {
	if !a.set {
		return true
	}
	for i := range a.terms {
		if a.terms[i].matches(node) {
			return true
		}
	}
	return false
}

// requiredAffinityPath is where the required node selector lives in a DaemonSet.
func requiredAffinityPath() *field.Path {
	return field.NewPath("spec", "template", "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution")
}

// compileAffinity parses the required node affinity once. Parse errors are
// kept per term with upstream's messages and field paths.
//
// upstream: nodeaffinity.go NewLazyErrorNodeSelector, newNodeSelectorTerm,
// nodeSelectorRequirementsAsSelector, nodeSelectorRequirementsAsFieldSelector
func compileAffinity(aff *corev1.Affinity) requiredAffinity {
	if aff == nil || aff.NodeAffinity == nil || aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return requiredAffinity{}
	}
	ns := aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	out := requiredAffinity{set: true}
	path := requiredAffinityPath().Child("nodeSelectorTerms")
	for i := range ns.NodeSelectorTerms {
		term := &ns.NodeSelectorTerms[i]
		if len(term.MatchExpressions) == 0 && len(term.MatchFields) == 0 {
			out.emptyTerms = append(out.emptyTerms, i)
			continue
		}
		out.terms = append(out.terms, compileTerm(i, term, path.Index(i)))
	}
	return out
}

func compileTerm(index int, term *corev1.NodeSelectorTerm, path *field.Path) affinityTerm {
	t := affinityTerm{index: index, hasLabels: len(term.MatchExpressions) > 0, hasFields: len(term.MatchFields) > 0}
	exprPath := path.Child("matchExpressions")
	for i := range term.MatchExpressions {
		e := &term.MatchExpressions[i]
		p := exprPath.Index(i)
		var op reqOp
		var sop selection.Operator
		switch e.Operator {
		case corev1.NodeSelectorOpIn:
			op, sop = opIn, selection.In
		case corev1.NodeSelectorOpNotIn:
			op, sop = opNotIn, selection.NotIn
		case corev1.NodeSelectorOpExists:
			op, sop = opExists, selection.Exists
		case corev1.NodeSelectorOpDoesNotExist:
			op, sop = opDoesNotExist, selection.DoesNotExist
		case corev1.NodeSelectorOpGt:
			op, sop = opGt, selection.GreaterThan
		case corev1.NodeSelectorOpLt:
			op, sop = opLt, selection.LessThan
		default:
			t.parseErrs = append(t.parseErrs, field.NotSupported(p.Child("operator"), e.Operator,
				[]corev1.NodeSelectorOperator{corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn, corev1.NodeSelectorOpExists,
					corev1.NodeSelectorOpDoesNotExist, corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt}).Error())
			continue
		}
		// Validation (key syntax, value counts, integer bounds, label-value
		// syntax) is delegated to apimachinery so that what fails to parse
		// is exactly what fails upstream.
		if _, err := labels.NewRequirement(e.Key, sop, e.Values, field.WithPath(p)); err != nil {
			t.parseErrs = append(t.parseErrs, err.Error())
			continue
		}
		r := labelRequirement{index: i, key: e.Key, op: op, values: append([]string(nil), e.Values...)}
		if op == opGt || op == opLt {
			r.bound, _ = parseInt64(e.Values[0])
		}
		t.exprs = append(t.exprs, r)
	}
	fieldPath := path.Child("matchFields")
	for i := range term.MatchFields {
		f := &term.MatchFields[i]
		p := fieldPath.Index(i)
		switch f.Operator {
		case corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn:
			if len(f.Values) != 1 {
				t.parseErrs = append(t.parseErrs, field.Invalid(p.Child("values"), f.Values, "must have one element").Error())
				continue
			}
			t.fields = append(t.fields, fieldRequirement{index: i, key: f.Key, notIn: f.Operator == corev1.NodeSelectorOpNotIn, value: f.Values[0]})
		default:
			t.parseErrs = append(t.parseErrs, field.NotSupported(p.Child("operator"), f.Operator,
				[]corev1.NodeSelectorOperator{corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn}).Error())
		}
	}
	if t.parseErrs != nil {
		t.exprs, t.fields = nil, nil
	}
	return t
}

// describe renders a requirement the way a user wrote it.
func (r *labelRequirement) describe() string {
	switch r.op {
	case opIn:
		return fmt.Sprintf("%s In [%s]", r.key, strings.Join(r.values, " "))
	case opNotIn:
		return fmt.Sprintf("%s NotIn [%s]", r.key, strings.Join(r.values, " "))
	case opExists:
		return r.key + " Exists"
	case opDoesNotExist:
		return r.key + " DoesNotExist"
	case opGt:
		return fmt.Sprintf("%s Gt %s", r.key, r.values[0])
	default:
		return fmt.Sprintf("%s Lt %s", r.key, r.values[0])
	}
}

// whyNot says why a label requirement that did not match failed on labels.
func (r *labelRequirement) whyNot(nodeLabels map[string]string) string {
	val, ok := nodeLabels[r.key]
	switch {
	case !ok:
		return "node has no label " + r.key
	case r.op == opGt || r.op == opLt:
		if _, parsed := parseInt64(val); !parsed {
			return fmt.Sprintf("node label %s=%s is not an integer", r.key, val)
		}
		return fmt.Sprintf("node has %s=%s", r.key, val)
	default:
		return fmt.Sprintf("node has %s=%s", r.key, val)
	}
}

func (r *fieldRequirement) describe() string {
	op := "In"
	if r.notIn {
		op = "NotIn"
	}
	return fmt.Sprintf("%s %s [%s]", r.key, op, r.value)
}
