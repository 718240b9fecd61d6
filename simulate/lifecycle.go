package simulate

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// conditionTaints maps a node condition and status to the NoSchedule taint
// the node lifecycle controller keeps on the node while the condition holds.
// upstream: pkg/controller/nodelifecycle/node_lifecycle_controller.go nodeConditionToTaintKeyStatusMap
var conditionTaints = []struct {
	cond   corev1.NodeConditionType
	status corev1.ConditionStatus
	key    string
}{
	{corev1.NodeReady, corev1.ConditionFalse, corev1.TaintNodeNotReady},
	{corev1.NodeReady, corev1.ConditionUnknown, corev1.TaintNodeUnreachable},
	{corev1.NodeMemoryPressure, corev1.ConditionTrue, corev1.TaintNodeMemoryPressure},
	{corev1.NodeDiskPressure, corev1.ConditionTrue, corev1.TaintNodeDiskPressure},
	{corev1.NodeNetworkUnavailable, corev1.ConditionTrue, corev1.TaintNodeNetworkUnavailable},
	{corev1.NodePIDPressure, corev1.ConditionTrue, corev1.TaintNodePIDPressure},
}

// isLifecycleTaint: a taint the node lifecycle controller owns (and so
// replaces when it reconciles the node).
func isLifecycleTaint(t corev1.Taint) bool {
	switch t.Key {
	case corev1.TaintNodeNotReady, corev1.TaintNodeUnreachable:
		return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
	case corev1.TaintNodeMemoryPressure, corev1.TaintNodeDiskPressure, corev1.TaintNodeNetworkUnavailable,
		corev1.TaintNodePIDPressure, corev1.TaintNodeUnschedulable:
		return t.Effect == corev1.TaintEffectNoSchedule
	}
	return false
}

// LifecycleTaints returns the taints a v1.37.2 control plane keeps on node
// because of its conditions and cordoning, in a fixed order:
//   - NoSchedule, from doNoScheduleTaintingPass: Ready=False -> not-ready,
//     Ready=Unknown -> unreachable, MemoryPressure/DiskPressure/PIDPressure/
//     NetworkUnavailable=True -> memory-pressure/disk-pressure/pid-pressure/
//     network-unavailable, spec.unschedulable -> unschedulable;
//   - NoExecute, from doNoExecuteTaintingPass: Ready=False -> not-ready,
//     Ready=Unknown -> unreachable;
//   - a node with no Ready condition at all is a node that has just
//     registered: it keeps the not-ready:NoSchedule taint the API server's
//     TaintNodesByCondition admission put on it
//     (upstream: plugin/pkg/admission/nodetaint/admission.go).
//
// TimeAdded is left nil so that output is deterministic.
// upstream: pkg/controller/nodelifecycle/node_lifecycle_controller.go,
// plugin/pkg/admission/nodetaint/admission.go
func LifecycleTaints(node *corev1.Node) []corev1.Taint {
	var out []corev1.Taint
	if node == nil {
		return out
	}
	var noExec []corev1.Taint
	for _, ct := range conditionTaints {
		for _, c := range node.Status.Conditions {
			if c.Type == ct.cond && c.Status == ct.status {
				out = append(out, corev1.Taint{Key: ct.key, Effect: corev1.TaintEffectNoSchedule})
				if ct.cond == corev1.NodeReady {
					noExec = append(noExec, corev1.Taint{Key: ct.key, Effect: corev1.TaintEffectNoExecute})
				}
				break
			}
		}
	}
	if !hasCondition(node, corev1.NodeReady) {
		out = append([]corev1.Taint{{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule}}, out...)
	}
	if node.Spec.Unschedulable {
		out = append(out, corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule})
	}
	return append(out, noExec...)
}

// ApplyLifecycleTaints returns a deep copy of node whose lifecycle taints are
// exactly LifecycleTaints(node): stale ones (a condition that has cleared)
// are removed, missing ones are added after the node's other taints, which
// are kept in order. node itself is not modified. A nil node gives nil.
//
// The DaemonSet controller reads only taints (upstream: daemon_controller.go
// NodeShouldRunDaemonPod, via predicates): apply this to nodes
// built with conditions to see what a real cluster does with them.
func ApplyLifecycleTaints(node *corev1.Node) *corev1.Node {
	if node == nil {
		return nil
	}
	out := node.DeepCopy()
	want := LifecycleTaints(node)
	var taints []corev1.Taint
	for _, t := range out.Spec.Taints {
		if !isLifecycleTaint(t) {
			taints = append(taints, t)
			continue
		}
		if slices.ContainsFunc(want, func(w corev1.Taint) bool { return w.Key == t.Key && w.Effect == t.Effect }) &&
			!slices.ContainsFunc(taints, func(w corev1.Taint) bool { return w.Key == t.Key && w.Effect == t.Effect }) {
			taints = append(taints, t) // keep the existing one (and its TimeAdded)
		}
	}
	for _, w := range want {
		if !slices.ContainsFunc(taints, func(t corev1.Taint) bool { return t.Key == w.Key && t.Effect == w.Effect }) {
			taints = append(taints, w)
		}
	}
	out.Spec.Taints = taints
	return out
}

// missingLifecycleTaints: the lifecycle taints that node's reported
// conditions and cordoning call for but that it does not carry. A node
// without a Ready condition is not flagged (synthetic nodes usually have no
// conditions at all).
func missingLifecycleTaints(node *corev1.Node) []corev1.Taint {
	if !node.Spec.Unschedulable && healthy(node) {
		return nil
	}
	var missing []corev1.Taint
	for _, w := range LifecycleTaints(node) {
		if w.Key == corev1.TaintNodeNotReady && w.Effect == corev1.TaintEffectNoSchedule && !hasCondition(node, corev1.NodeReady) {
			continue
		}
		if !slices.ContainsFunc(node.Spec.Taints, func(t corev1.Taint) bool { return t.Key == w.Key && t.Effect == w.Effect }) {
			missing = append(missing, w)
		}
	}
	return missing
}

func hasCondition(node *corev1.Node, t corev1.NodeConditionType) bool {
	for _, c := range node.Status.Conditions {
		if c.Type == t {
			return true
		}
	}
	return false
}

// healthy: no condition calls for a lifecycle taint (the fast path: it
// allocates nothing).
func healthy(node *corev1.Node) bool {
	for _, c := range node.Status.Conditions {
		for _, ct := range conditionTaints {
			if c.Type == ct.cond && c.Status == ct.status {
				return false
			}
		}
	}
	return true
}
