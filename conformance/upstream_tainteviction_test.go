package conformance

// The taint-eviction controller beside upstream's DaemonSet controller in
// the churn harness (upstream: pkg/controller/tainteviction/taint_eviction.go
// processPodOnNode, handlePodUpdate, handleNodeUpdate, getMinTolerationTime):
// a pod is processed when it is bound to a node with NoExecute taints and,
// for every pod of a node, when the node's NoExecute taints change; every
// taint tolerated with some tolerationSeconds schedules its deletion that
// long after (a work item scheduled at an earlier instant is kept), tolerated
// for ever or no NoExecute taint left cancels it; a deleted node's work
// items stay. A taint the pod does not tolerate is left to the DaemonSet
// controller, which deletes the pod in the same instant (the engine's
// choice: the two race in a real cluster). Deletion is at once (the harness
// has no termination).

import (
	"math"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	v1helper "k8s.io/kubernetes/pkg/apis/core/v1/helper"
)

// evictionWork is a scheduled eviction: created when scheduled, due at.
type evictionWork struct {
	created, due time.Duration
}

// harnessNoExecute returns the node's NoExecute taints.
func harnessNoExecute(n *corev1.Node) []corev1.Taint {
	var out []corev1.Taint
	for _, t := range n.Spec.Taints {
		if t.Effect == corev1.TaintEffectNoExecute {
			out = append(out, t)
		}
	}
	return out
}

// harnessMinTolerationTime is upstream's getMinTolerationTime.
func harnessMinTolerationTime(tols []corev1.Toleration) time.Duration {
	m := int64(math.MaxInt64)
	if len(tols) == 0 {
		return 0
	}
	for i := range tols {
		if s := tols[i].TolerationSeconds; s != nil {
			if *s <= 0 {
				return 0
			} else if *s < m {
				m = *s
			}
		}
	}
	if m == int64(math.MaxInt64) {
		return -1
	}
	return time.Duration(m) * time.Second
}

// processPodOnNode is upstream's, at virtual time now (world held).
func (h *upstreamHarness) processPodOnNode(p *corev1.Pod, node *corev1.Node, now time.Duration) {
	if h.churn.evictions == nil {
		h.churn.evictions = map[string]evictionWork{}
	}
	taints := harnessNoExecute(node)
	if len(taints) == 0 {
		delete(h.churn.evictions, p.Name)
		return
	}
	all, used := v1helper.GetMatchingTolerations(klog.Background(), taints, p.Spec.Tolerations)
	if !all {
		delete(h.churn.evictions, p.Name) // left to the DaemonSet controller
		return
	}
	min := harnessMinTolerationTime(used)
	if min < 0 {
		delete(h.churn.evictions, p.Name)
		return
	}
	trigger := now + min
	if w, ok := h.churn.evictions[p.Name]; ok && w.created+min < trigger {
		return
	}
	h.churn.evictions[p.Name] = evictionWork{created: now, due: trigger}
}

// podBound processes a pod the harness binds (handlePodUpdate).
func (h *upstreamHarness) podBound(p *corev1.Pod, now time.Duration) {
	if n, ok := h.node(p.Spec.NodeName); ok && len(harnessNoExecute(n)) > 0 {
		h.processPodOnNode(p, n, now)
	}
}

// nodeTaintsChanged processes the pods of a node whose NoExecute taints
// changed (handleNodeUpdate).
func (h *upstreamHarness) nodeTaintsChanged(old, cur *corev1.Node, now time.Duration) {
	if slices.EqualFunc(harnessNoExecute(old), harnessNoExecute(cur), func(a, b corev1.Taint) bool {
		return a.Key == b.Key && a.Value == b.Value && a.TimeAdded.Equal(b.TimeAdded)
	}) {
		return
	}
	for _, p := range h.pods() {
		if p.Spec.NodeName == cur.Name {
			h.processPodOnNode(p, cur, now)
		}
	}
}

// applyEvictions deletes the pods whose eviction is due at t (world held).
func (h *upstreamHarness) applyEvictions(t time.Duration) {
	var due []string
	for name, w := range h.churn.evictions {
		if w.due <= t {
			due = append(due, name)
		}
	}
	slices.Sort(due)
	for _, name := range due {
		delete(h.churn.evictions, name)
		for _, p := range h.pods() {
			if p.Name == name {
				h.deletePodNow(p)
			}
		}
	}
}

// nextEviction is the earliest eviction due after now.
func (h *upstreamHarness) nextEviction(now time.Duration) (time.Duration, bool) {
	best, found := time.Duration(0), false
	for _, w := range h.churn.evictions {
		at := max(w.due, now+time.Second)
		if !found || at < best {
			best, found = at, true
		}
	}
	return best, found
}
