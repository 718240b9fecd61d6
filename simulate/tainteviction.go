package simulate

import (
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// The taint-eviction controller in the engine. A daemon pod bound to a node
// with NoExecute taints that it tolerates, one of them with
// tolerationSeconds, is deleted that long after the controller notices it
// (its binding, or the change of the node's NoExecute taints that made it
// due, whichever is later); the DaemonSet controller, whose placement ignores
// tolerationSeconds, creates another at once: an eviction loop for as long as
// the taint stays (kubernetes/kubernetes#117520). A taint change that leaves
// the pod tolerated for ever, or removes the node's last NoExecute taint,
// cancels the eviction; one that changes the delay keeps an eviction already
// scheduled at an earlier instant (upstream keeps the older work item). A
// taint the pod does not tolerate is left to the DaemonSet controller, which
// deletes the pod in the same instant (ShouldContinueRunning is false). A
// tolerationSeconds ≤ 0 evicts at the next second: the engine's clock is in
// whole seconds. The deletion takes the pod's grace period, as the
// controller's own deletes do. Pods on a node at t=0 are noticed at t=0;
// pods whose template is unknown (adopted pods of no revision) are left as
// they are. A removed node's pods keep their scheduled eviction (upstream
// forgets the node, not the work items).
//
// upstream: pkg/controller/tainteviction/taint_eviction.go processPodOnNode,
// handlePodUpdate, handleNodeUpdate

// evictionWork is a scheduled eviction: scheduled at since, due at due.
type evictionWork struct {
	since, due int64
}

// revTolerations are the tolerations of revision rev's pods as created.
func (e *engine) revTolerations(rev int32) []corev1.Toleration {
	r := e.revs[rev]
	if !r.tolsDone {
		r.tols = daemonset.DaemonPodTolerations(&appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{Template: *r.template}})
		r.tolsDone = true
	}
	return r.tols
}

func hasNoExecute(node *corev1.Node) bool {
	for _, t := range node.Spec.Taints {
		if t.Effect == corev1.TaintEffectNoExecute {
			return true
		}
	}
	return false
}

// taintEvict processes pod id on its node now (upstream processPodOnNode):
// schedules, keeps or cancels its eviction.
func (e *engine) taintEvict(id int32) {
	p := &e.pods[id]
	n := &e.nodes[p.node]
	if p.gone || p.deleting || !p.bound || p.rev < 0 || n.obj == nil {
		return
	}
	if !hasNoExecute(n.obj) {
		delete(e.evictions, id)
		return
	}
	d, loop := evictionLoop(e.revTolerations(p.rev), n.obj)
	if !loop {
		// tolerated for ever, or not tolerated: the DaemonSet controller
		// deletes it
		delete(e.evictions, id)
		return
	}
	d = max(d, time.Second)
	if w, ok := e.evictions[id]; ok && w.since < e.now {
		return // upstream keeps the work item scheduled earlier
	}
	if e.evictions == nil {
		e.evictions = map[int32]evictionWork{}
	}
	w := evictionWork{since: e.now, due: e.now + secs(d)}
	e.evictions[id] = w
	e.push(w.due, evEvict, id)
}

// nodeTaintsChanged processes every pod of node i after a change of its
// taints (upstream handleNodeUpdate: only when its NoExecute taints change).
func (e *engine) nodeTaintsChanged(i int32, before []corev1.Taint) {
	n := &e.nodes[i]
	if n.obj == nil || sameNoExecute(before, n.obj.Spec.Taints) {
		return
	}
	for _, id := range n.pods {
		e.taintEvict(id)
	}
}

func sameNoExecute(a, b []corev1.Taint) bool {
	x, y := daemonset.GetNoExecuteTaints(a), daemonset.GetNoExecuteTaints(b)
	if len(x) != len(y) {
		return false
	}
	for k := range x {
		if x[k].Key != y[k].Key || x[k].Value != y[k].Value || !x[k].TimeAdded.Equal(y[k].TimeAdded) {
			return false
		}
	}
	return true
}

// podEvicted is the taint-eviction controller's delete of pod id at t.
func (e *engine) podEvicted(id int32, t int64) bool {
	p := &e.pods[id]
	if w, ok := e.evictions[id]; !ok || p.gone || p.deleting || w.due != t {
		return false
	}
	delete(e.evictions, id)
	e.trace.evictions = append(e.trace.evictions, Eviction{Time: e.dur(e.now), Node: e.nodes[p.node].name, Pod: p.name})
	e.nodes[p.node].evictions++
	e.terminate(id)
	return true
}

// taintEvictionLoop says why the current revision's pods are evicted from
// node i over and over, or "" if they are not.
func (e *engine) taintEvictionLoop(i int32) string {
	n := &e.nodes[i]
	if n.obj == nil || n.evictions == 0 || e.curRev < 0 || !hasNoExecute(n.obj) {
		return ""
	}
	d, loop := evictionLoop(e.revTolerations(e.curRev), n.obj)
	if !loop {
		return ""
	}
	return "the taint-eviction controller deletes its pod " + d.String() + " after it binds (a NoExecute taint tolerated with tolerationSeconds) and the controller creates another at once, for as long as the taint stays"
}
