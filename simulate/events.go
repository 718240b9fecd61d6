package simulate

import (
	"slices"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	corev1 "k8s.io/api/core/v1"
)

// NodeAdded is an event adding node at time at.
func NodeAdded(at time.Duration, node *corev1.Node) Event {
	return Event{At: at, Kind: EventNodeAdd, NewNode: node}
}

// NodeRemoved is an event deleting the named node at time at.
func NodeRemoved(at time.Duration, node string) Event {
	return Event{At: at, Kind: EventNodeRemove, Node: node}
}

// Tainted is an event adding taint to the named node at time at.
func Tainted(at time.Duration, node string, taint corev1.Taint) Event {
	return Event{At: at, Kind: EventTaint, Node: node, Taint: taint}
}

// Untainted is an event removing the taint with key and effect from the named
// node at time at.
func Untainted(at time.Duration, node, key string, effect corev1.TaintEffect) Event {
	return Event{At: at, Kind: EventUntaint, Node: node, Taint: corev1.Taint{Key: key, Effect: effect}}
}

// Labeled is an event setting label key=value on the named node at time at.
func Labeled(at time.Duration, node, key, value string) Event {
	return Event{At: at, Kind: EventLabel, Node: node, Key: key, Value: value}
}

// Unlabeled is an event removing label key from the named node at time at.
func Unlabeled(at time.Duration, node, key string) Event {
	return Event{At: at, Kind: EventUnlabel, Node: node, Key: key}
}

// NodeNotReady is an event making the named node NotReady at time at.
func NodeNotReady(at time.Duration, node string) Event {
	return Event{At: at, Kind: EventNotReady, Node: node}
}

// NodeReady is an event making the named node Ready again at time at.
func NodeReady(at time.Duration, node string) Event {
	return Event{At: at, Kind: EventReady, Node: node}
}

// Cordoned is an event cordoning the named node at time at.
func Cordoned(at time.Duration, node string) Event {
	return Event{At: at, Kind: EventCordon, Node: node}
}

// Uncordoned is an event uncordoning the named node at time at.
func Uncordoned(at time.Duration, node string) Event {
	return Event{At: at, Kind: EventUncordon, Node: node}
}

// applyScript applies one scripted event to the engine's cluster.
func (e *engine) applyScript(ev *Event) {
	name := ev.Node
	if ev.Kind == EventNodeAdd {
		name = ev.NewNode.Name
	}
	i, ok := e.byName[name]
	if !ok {
		return // validated up front; unreachable
	}
	n := &e.nodes[i]
	if ev.Kind == EventNodeAdd {
		if n.obj != nil {
			return // the API server refuses to create a node that exists
		}
		n.obj = ev.NewNode.DeepCopy()
		daemonset.SetNodeDefaults(n.obj)
		n.owned = true
		n.nodeNotReady = nodeConditionNotReady(n.obj)
		e.placeNode(i)
		e.kubeletStarts(i)
		e.nodeTaintsChanged(i, nil)
		e.trace.nodeBack(e, i)
		return
	}
	if n.obj == nil {
		return // events on absent nodes change nothing
	}
	before := slices.Clone(n.obj.Spec.Taints)
	defer e.nodeTaintsChanged(i, before)
	switch ev.Kind {
	case EventNodeRemove:
		n.obj = nil
		n.owned = false
		n.shouldRun, n.shouldContinueRunning = false, false
		// Its pods stay, bound to the name, until the pod garbage collector
		// deletes them (podgc.go); its kubelet is gone.
		e.refresh(i)
		if e.holdsBoundPods(i) {
			e.trace.orphaned(e, i)
			e.nodeMissing(i)
		}
		return
	case EventTaint:
		obj := e.mutableNode(i)
		obj.Spec.Taints = setTaint(obj.Spec.Taints, ev.Taint)
	case EventUntaint:
		obj := e.mutableNode(i)
		obj.Spec.Taints = removeTaint(obj.Spec.Taints, ev.Taint.Key, ev.Taint.Effect)
	case EventLabel:
		obj := e.mutableNode(i)
		if obj.Labels == nil {
			obj.Labels = map[string]string{}
		}
		obj.Labels[ev.Key] = ev.Value
	case EventUnlabel:
		obj := e.mutableNode(i)
		delete(obj.Labels, ev.Key)
	case EventNotReady:
		obj := e.mutableNode(i)
		setReadyCondition(obj, corev1.ConditionFalse)
		// upstream: nodelifecycle doNoScheduleTaintingPass / doNoExecuteTaintingPass
		obj.Spec.Taints = setTaint(obj.Spec.Taints, corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule})
		obj.Spec.Taints = setTaint(obj.Spec.Taints, corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute})
		n.nodeNotReady = true
		e.placeNode(i)
		e.nodeNotReadyPods(i)
		return
	case EventReady:
		obj := e.mutableNode(i)
		setReadyCondition(obj, corev1.ConditionTrue)
		for _, k := range []string{corev1.TaintNodeNotReady, corev1.TaintNodeUnreachable} {
			obj.Spec.Taints = removeTaint(obj.Spec.Taints, k, corev1.TaintEffectNoSchedule)
			obj.Spec.Taints = removeTaint(obj.Spec.Taints, k, corev1.TaintEffectNoExecute)
		}
		n.nodeNotReady = false
		e.placeNode(i)
		e.nodeReadyPods(i)
		return
	case EventCordon:
		obj := e.mutableNode(i)
		obj.Spec.Unschedulable = true
		obj.Spec.Taints = setTaint(obj.Spec.Taints, corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule})
	case EventUncordon:
		obj := e.mutableNode(i)
		obj.Spec.Unschedulable = false
		obj.Spec.Taints = removeTaint(obj.Spec.Taints, corev1.TaintNodeUnschedulable, corev1.TaintEffectNoSchedule)
	}
	e.placeNode(i)
}

// Kubelet transitions that fell due while the pod's node was removed.
const (
	frozenGone uint8 = 1 << iota
	frozenFail
)

// freeze notes that transition f of pod id fell due while its node's
// kubelet was gone.
func (e *engine) freeze(id int32, f uint8) {
	if e.frozen == nil {
		e.frozen = map[int32]uint8{}
	}
	e.frozen[id] |= f
}

// kubeletStarts is the kubelet of a node added under a name that still has
// pods bound to it: it runs them from now. Pods whose startup has passed
// turn Ready now, those due to fail fail now, terminating pods whose grace
// period has passed go now; the others keep their times.
func (e *engine) kubeletStarts(i int32) {
	n := &e.nodes[i]
	for _, id := range slices.Clone(n.pods) {
		p := &e.pods[id]
		switch {
		case p.gone || !p.bound:
		case e.frozen[id]&frozenGone != 0:
			delete(e.frozen, id)
			e.removePod(id)
		case e.frozen[id]&frozenFail != 0:
			delete(e.frozen, id)
			e.podFailed(id)
		case !p.ready && p.phase == phaseRunning && p.readyAt != never && p.readyAt <= e.now && !n.notReady():
			e.setReady(id)
		}
	}
	e.refresh(i)
}

// mutableNode returns the engine's own copy of node i's object.
func (e *engine) mutableNode(i int32) *corev1.Node {
	n := &e.nodes[i]
	if !n.owned {
		n.obj = n.obj.DeepCopy()
		n.owned = true
	}
	return n.obj
}

// placeNode re-evaluates the DaemonSet's placement on node i.
func (e *engine) placeNode(i int32) {
	n := &e.nodes[i]
	if n.obj != nil {
		n.shouldRun, n.shouldContinueRunning = e.placer.ShouldRun(n.obj)
	} else {
		n.shouldRun, n.shouldContinueRunning = false, false
	}
	e.refresh(i)
}

func setTaint(taints []corev1.Taint, t corev1.Taint) []corev1.Taint {
	for k := range taints {
		if taints[k].Key == t.Key && taints[k].Effect == t.Effect {
			taints[k] = t
			return taints
		}
	}
	return append(taints, t)
}

func removeTaint(taints []corev1.Taint, key string, effect corev1.TaintEffect) []corev1.Taint {
	out := taints[:0]
	for _, t := range taints {
		if t.Key == key && t.Effect == effect {
			continue
		}
		out = append(out, t)
	}
	return out
}

func setReadyCondition(node *corev1.Node, s corev1.ConditionStatus) {
	for k := range node.Status.Conditions {
		if node.Status.Conditions[k].Type == corev1.NodeReady {
			node.Status.Conditions[k].Status = s
			return
		}
	}
	node.Status.Conditions = append(node.Status.Conditions, corev1.NodeCondition{Type: corev1.NodeReady, Status: s})
}

// nodeConditionNotReady: the node reports Ready False or Unknown.
func nodeConditionNotReady(node *corev1.Node) bool {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status != corev1.ConditionTrue
		}
	}
	return false
}
