package daemonset

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	v1helper "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
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
	// both are true.
	Reasons []Reason
}

// ReasonKind names what kept a node from running the daemon pod.
type ReasonKind string

const (
	ReasonNodeName         ReasonKind = "NodeName"
	ReasonNodeSelector     ReasonKind = "NodeSelector"
	ReasonNodeAffinity     ReasonKind = "NodeAffinity"
	ReasonUntoleratedTaint ReasonKind = "UntoleratedTaint"
)

// Reason is one cause of exclusion.
//
// TEMPORARY SKELETON (fields may grow): owned by the placement work.
type Reason struct {
	Kind    ReasonKind
	Message string
}

func (r Reason) String() string { return r.Message }

// Evaluate is NodeShouldRunDaemonPod with reasons.
//
// TEMPORARY SKELETON (slow, no reasons): owned by the placement work.
func Evaluate(ds *appsv1.DaemonSet, node *corev1.Node) Decision {
	return NewPlacer(ds).Evaluate(node)
}

// Placer is the compiled form of a DaemonSet's placement rules.
type Placer struct {
	ds   *appsv1.DaemonSet
	tols []corev1.Toleration
	aff  nodeaffinity.RequiredNodeAffinity
}

// NewPlacer prepares ds's placement rules once for many nodes.
func NewPlacer(ds *appsv1.DaemonSet) *Placer {
	return &Placer{ds: ds, tols: DaemonPodTolerations(ds),
		aff: nodeaffinity.NewRequiredNodeAffinity(ds.Spec.Template.Spec.NodeSelector, ds.Spec.Template.Spec.Affinity)}
}

// ShouldRun answers for node without building reasons.
func (p *Placer) ShouldRun(node *corev1.Node) (shouldRun, shouldContinueRunning bool) {
	if n := p.ds.Spec.Template.Spec.NodeName; n != "" && n != node.Name {
		return false, false
	}
	if ok, _ := p.aff.Match(node); !ok {
		return false, false
	}
	logger := klog.Background()
	if _, bad := v1helper.FindMatchingUntoleratedTaint(logger, node.Spec.Taints, p.tols, func(t *corev1.Taint) bool {
		return t.Effect == corev1.TaintEffectNoExecute || t.Effect == corev1.TaintEffectNoSchedule
	}, false); !bad {
		return true, true
	}
	_, bad := v1helper.FindMatchingUntoleratedTaint(logger, node.Spec.Taints, p.tols, func(t *corev1.Taint) bool {
		return t.Effect == corev1.TaintEffectNoExecute
	}, false)
	return false, !bad
}

// Evaluate answers for node with reasons.
func (p *Placer) Evaluate(node *corev1.Node) Decision {
	r, c := p.ShouldRun(node)
	return Decision{ShouldRun: r, ShouldContinueRunning: c}
}

// DaemonPodTolerations returns the template's tolerations with the ones the
// controller adds to every daemon pod (upstream AddOrUpdateDaemonPodTolerations).
//
// TEMPORARY SKELETON: owned by the placement work.
func DaemonPodTolerations(ds *appsv1.DaemonSet) []corev1.Toleration {
	return append([]corev1.Toleration(nil), ds.Spec.Template.Spec.Tolerations...)
}
