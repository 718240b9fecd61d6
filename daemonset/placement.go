package daemonset

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// Decision is the DaemonSet controller's verdict for one node.
// ShouldRun and ShouldContinueRunning equal upstream's NodeShouldRunDaemonPod.
type Decision struct {
	// ShouldRun: the controller creates a daemon pod here if none exists and
	// counts the node in desiredNumberScheduled.
	ShouldRun bool
	// ShouldContinueRunning: an existing daemon pod here may stay.
	ShouldContinueRunning bool
	// Reasons says why ShouldRun (or ShouldContinueRunning) is false; empty when
	// both are true. Order: nodeName, nodeSelector (by key), required node
	// affinity (by term, then requirement), taints (in node order).
	Reasons []Reason
}

// ReasonKind names what kept a node from running the daemon pod. Programs
// switch on it; the Reason's detail fields depend on it.
type ReasonKind string

const (
	// ReasonNodeName: the template pins spec.nodeName to another node.
	// Reason.Value is the pinned name.
	ReasonNodeName ReasonKind = "NodeName"
	// ReasonNodeSelector: a nodeSelector entry is missing or differs.
	// Reason.Key and Reason.Value are the wanted label; Reason.NodeValue and
	// Reason.NodeHasKey what the node has.
	ReasonNodeSelector ReasonKind = "NodeSelector"
	// ReasonNodeAffinity: the required node affinity does not match. One
	// reason per failing requirement of every term, or one per term that
	// fails to parse (Reason.Invalid), or one saying no term is usable
	// (Reason.Term == NoIndex).
	ReasonNodeAffinity ReasonKind = "NodeAffinity"
	// ReasonUntoleratedTaint: a NoSchedule or NoExecute taint is not
	// tolerated by the daemon pod's tolerations. Reason.Taint is the taint.
	ReasonUntoleratedTaint ReasonKind = "UntoleratedTaint"
)

// AffinityPart says which list of a node selector term a requirement is in.
type AffinityPart string

const (
	// AffinityMatchExpressions is a term's matchExpressions (node labels).
	AffinityMatchExpressions AffinityPart = "matchExpressions"
	// AffinityMatchFields is a term's matchFields (node fields).
	AffinityMatchFields AffinityPart = "matchFields"
)

// Reason is one cause of exclusion, typed for programs and with a one-line
// Message for people.
type Reason struct {
	// Kind says what excluded the node and which detail fields are set.
	Kind ReasonKind
	// Message is a one-line human explanation.
	Message string

	// Key is the label key (NodeSelector, NodeAffinity matchExpressions),
	// the field key (NodeAffinity matchFields) or the taint key.
	Key string
	// Value is the wanted label value (NodeSelector), the pinned node name
	// (NodeName) or the taint value (UntoleratedTaint).
	Value string
	// NodeHasKey and NodeValue say what the node carries under Key
	// (NodeSelector and NodeAffinity matchExpressions).
	NodeHasKey bool
	NodeValue  string

	// Term is the index in requiredDuringSchedulingIgnoredDuringExecution's
	// nodeSelectorTerms (NodeAffinity), NoIndex when the reason is about the
	// selector as a whole or for other kinds.
	Term int
	// Part and Requirement locate the failing requirement in the term
	// (NodeAffinity; Requirement is NoIndex when the whole term fails, and
	// for other kinds).
	Part        AffinityPart
	Requirement int
	// Operator is the failing requirement's operator (NodeAffinity).
	Operator corev1.NodeSelectorOperator
	// Invalid is set when the term fails to parse and so never matches.
	Invalid bool

	// Taint is the untolerated taint (UntoleratedTaint).
	Taint *corev1.Taint
	// ExistingPodMayStay is set on an untolerated NoSchedule taint when it is
	// the only kind of exclusion: no new pod, but a running one stays.
	ExistingPodMayStay bool
}

// NoIndex is Reason.Term or Reason.Requirement when the reason is not about
// one term, or one requirement, of the required node affinity.
const NoIndex = -1

// newReason starts a Reason of kind that is about no one affinity term or
// requirement; the affinity reasons set Term and Requirement themselves.
func newReason(kind ReasonKind, message string) Reason {
	return Reason{Kind: kind, Message: message, Term: NoIndex, Requirement: NoIndex}
}

// String returns the Message.
func (r Reason) String() string { return r.Message }

// Evaluate is upstream's NodeShouldRunDaemonPod for one node, with the reasons
// for a negative answer. For many nodes, compile once with NewPlacer.
//
// Only ds.spec.template.spec.{nodeName, nodeSelector, required node affinity,
// tolerations, hostNetwork} and node.{name, labels, taints} are read. The
// TaintTolerationComparisonOperators gate is taken as off (its v1.37
// default). A nil ds or node reads as an empty object.
//
// upstream: pkg/controller/daemon/daemon_controller.go NodeShouldRunDaemonPod
func Evaluate(ds *appsv1.DaemonSet, node *corev1.Node) Decision {
	return NewPlacer(ds).Evaluate(node)
}

// Placer is the compiled form of a DaemonSet's placement rules: tolerations
// grouped by taint effect, the nodeSelector as sorted pairs and the required
// node affinity parsed once. Evaluating a node allocates nothing unless
// reasons are asked for. A Placer is immutable and safe for concurrent use.
type Placer struct {
	nodeName   string
	selector   []selectorPair
	affinity   requiredAffinity
	noSchedule effectTolerations
	noExecute  effectTolerations
}

// NewPlacer prepares ds's placement rules once for many nodes. It keeps no
// reference to ds. A nil ds reads as an empty DaemonSet.
//
// upstream: daemon_controller.go nodeShouldRunDaemonPod (tolerations and
// requiredNodeAffinity built once per DaemonSet)
func NewPlacer(ds *appsv1.DaemonSet) *Placer {
	p := &Placer{}
	if ds == nil {
		p.noSchedule, p.noExecute = compileTolerations(DaemonPodTolerations(nil))
		return p
	}
	spec := &ds.Spec.Template.Spec
	p.nodeName = spec.NodeName
	p.selector = compileNodeSelector(spec.NodeSelector)
	p.affinity = compileAffinity(spec.Affinity)
	p.noSchedule, p.noExecute = compileTolerations(DaemonPodTolerations(ds))
	return p
}

// emptyNode stands in for a nil node.
func emptyNode(node *corev1.Node) *corev1.Node {
	if node == nil {
		return &corev1.Node{}
	}
	return node
}

// ShouldRun answers for node without building reasons; it does not allocate.
// A nil node reads as an empty Node.
//
// upstream: daemon_controller.go nodeShouldRunDaemonPod, predicates
func (p *Placer) ShouldRun(node *corev1.Node) (shouldRun, shouldContinueRunning bool) {
	if node == nil {
		return p.ShouldRun(&corev1.Node{})
	}
	if p.nodeName != "" && p.nodeName != node.Name {
		return false, false
	}
	if !p.matchesSelector(node) || !p.affinity.matches(node) {
		return false, false
	}
	shouldRun, shouldContinueRunning = true, true
	for i := range node.Spec.Taints {
		t := &node.Spec.Taints[i]
		switch t.Effect {
		case corev1.TaintEffectNoExecute:
			if !p.noExecute.tolerates(t.Key, t.Value) {
				return false, false
			}
		case corev1.TaintEffectNoSchedule:
			if shouldRun && !p.noSchedule.tolerates(t.Key, t.Value) {
				shouldRun = false
			}
		}
	}
	return shouldRun, shouldContinueRunning
}

func (p *Placer) matchesSelector(node *corev1.Node) bool {
	for i := range p.selector {
		v, ok := node.Labels[p.selector[i].key]
		if !ok || v != p.selector[i].value {
			return false
		}
	}
	return true
}

// Evaluate answers for node with reasons. When both answers are true the
// result has no reasons and costs no more than ShouldRun.
func (p *Placer) Evaluate(node *corev1.Node) Decision {
	node = emptyNode(node)
	run, cont := p.ShouldRun(node)
	d := Decision{ShouldRun: run, ShouldContinueRunning: cont}
	if run && cont {
		return d
	}
	d.Reasons = p.reasons(node, run, cont)
	for i := range d.Reasons {
		d.Reasons[i].Message = oneLine(d.Reasons[i].Message)
	}
	return d
}

// oneLine escapes control characters (from user-supplied keys and values) so
// that a message stays on one line.
func oneLine(msg string) string {
	if strings.IndexFunc(msg, unicode.IsControl) < 0 {
		return msg
	}
	var b strings.Builder
	for _, r := range msg {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// reasons lists every cause of exclusion, not only the first one upstream
// stops at.
func (p *Placer) reasons(node *corev1.Node, run, cont bool) []Reason {
	var rs []Reason
	if p.nodeName != "" && p.nodeName != node.Name {
		r := newReason(ReasonNodeName, fmt.Sprintf("pod template pins spec.nodeName %q; this node is %q", p.nodeName, node.Name))
		r.Value = p.nodeName
		rs = append(rs, r)
	}
	for _, s := range p.selector {
		v, ok := node.Labels[s.key]
		if ok && v == s.value {
			continue
		}
		msg := fmt.Sprintf("nodeSelector needs label %s=%s; node has no label %s", s.key, s.value, s.key)
		if ok {
			msg = fmt.Sprintf("nodeSelector needs label %s=%s; node has %s=%s", s.key, s.value, s.key, v)
		}
		r := newReason(ReasonNodeSelector, msg)
		r.Key, r.Value, r.NodeHasKey, r.NodeValue = s.key, s.value, ok, v
		rs = append(rs, r)
	}
	if !p.affinity.matches(node) {
		rs = append(rs, p.affinityReasons(node)...)
	}
	rs = append(rs, p.taintReasons(node, !run && cont)...)
	return rs
}

func (p *Placer) affinityReasons(node *corev1.Node) []Reason {
	var rs []Reason
	if len(p.affinity.terms) == 0 {
		msg := "required node affinity has no nodeSelectorTerms, so it matches no node"
		if n := len(p.affinity.emptyTerms); n > 0 {
			msg = fmt.Sprintf("required node affinity has only empty nodeSelectorTerms (%d), so it matches no node", n)
		}
		return append(rs, newReason(ReasonNodeAffinity, msg))
	}
	for ti := range p.affinity.terms {
		t := &p.affinity.terms[ti]
		if t.parseErrs != nil {
			r := newReason(ReasonNodeAffinity, fmt.Sprintf("required node affinity term %d never matches: %s", t.index, strings.Join(t.parseErrs, "; ")))
			r.Term, r.Invalid = t.index, true
			rs = append(rs, r)
			continue
		}
		for ri := range t.exprs {
			r := &t.exprs[ri]
			if r.matches(node.Labels) {
				continue
			}
			v, ok := node.Labels[r.key]
			rs = append(rs, Reason{
				Kind: ReasonNodeAffinity, Key: r.key, NodeHasKey: ok, NodeValue: v,
				Term: t.index, Part: AffinityMatchExpressions, Requirement: r.index, Operator: nodeSelectorOperator(r.op),
				Message: fmt.Sprintf("required node affinity term %d: %s does not match: %s", t.index, r.describe(), r.whyNot(node.Labels)),
			})
		}
		if t.hasFields && node.Name != "" {
			for ri := range t.fields {
				r := &t.fields[ri]
				if r.matches(node.Name) {
					continue
				}
				op := corev1.NodeSelectorOpIn
				if r.notIn {
					op = corev1.NodeSelectorOpNotIn
				}
				rs = append(rs, Reason{
					Kind: ReasonNodeAffinity, Key: r.key, Value: r.value,
					Term: t.index, Part: AffinityMatchFields, Requirement: r.index, Operator: op,
					Message: fmt.Sprintf("required node affinity term %d: field %s does not match node %q", t.index, r.describe(), node.Name),
				})
			}
		}
	}
	return rs
}

func nodeSelectorOperator(op reqOp) corev1.NodeSelectorOperator {
	switch op {
	case opIn:
		return corev1.NodeSelectorOpIn
	case opNotIn:
		return corev1.NodeSelectorOpNotIn
	case opExists:
		return corev1.NodeSelectorOpExists
	case opDoesNotExist:
		return corev1.NodeSelectorOpDoesNotExist
	case opGt:
		return corev1.NodeSelectorOpGt
	default:
		return corev1.NodeSelectorOpLt
	}
}

// taintReasons lists every untolerated NoSchedule and NoExecute taint in node
// order. mayStay marks the (false, true) outcome.
func (p *Placer) taintReasons(node *corev1.Node, mayStay bool) []Reason {
	var rs []Reason
	for i := range node.Spec.Taints {
		t := node.Spec.Taints[i].DeepCopy()
		var tolerated bool
		switch t.Effect {
		case corev1.TaintEffectNoExecute:
			tolerated = p.noExecute.tolerates(t.Key, t.Value)
		case corev1.TaintEffectNoSchedule:
			tolerated = p.noSchedule.tolerates(t.Key, t.Value)
		default:
			continue // PreferNoSchedule and unknown effects are not checked
		}
		if tolerated {
			continue
		}
		r := newReason(ReasonUntoleratedTaint, fmt.Sprintf("taint %s is not tolerated", taintString(t)))
		r.Key, r.Value, r.Taint = t.Key, t.Value, t
		if mayStay {
			r.ExistingPodMayStay = true
			r.Message += "; no new daemon pod, but an existing one may stay (NoSchedule only)"
		}
		rs = append(rs, r)
	}
	return rs
}

// taintString renders key=value:Effect (key:Effect when value is empty), as
// kubectl does.
func taintString(t *corev1.Taint) string {
	if t.Value == "" {
		return fmt.Sprintf("%s:%s", t.Key, t.Effect)
	}
	return fmt.Sprintf("%s=%s:%s", t.Key, t.Value, t.Effect)
}
