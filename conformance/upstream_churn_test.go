package conformance

// Node churn beside upstream's DaemonSet controller: the harness applies
// scripted node events (simulate.Event: add, remove, re-add under the same
// name, taint, untaint, label, unlabel, NotReady, Ready, cordon, uncordon) to
// the node store, with the watch events the controller would see, and
// emulates the parts of the control plane around the controller that act on
// them:
//
//   - the pod garbage collector's orphan pass (upstream:
//     pkg/controller/podgc/gc_controller.go gcOrphaned, discoverDeletedNodes,
//     with client-go's delaying queue): it runs at Offset + k·Period; each
//     run first queues every missing node that still holds pods, ready
//     Quarantine later (a node already waiting keeps its earlier time; a
//     node the run takes is queued afresh), then takes every queued node
//     whose time has come (inclusive) and, if it is still missing, deletes
//     its pods at once (grace period 0);
//   - the node lifecycle controller on NotReady / Ready (upstream:
//     pkg/controller/nodelifecycle doNoScheduleTaintingPass,
//     doNoExecuteTaintingPass, MarkPodsNotReady): the not-ready NoSchedule and
//     NoExecute taints and the node's pods marked not Ready; on Ready the
//     taints go and the kubelet reports its pods Ready again;
//   - the kubelet of a removed node is gone: its pods keep their state. A node
//     added under a removed node's name is a new node whose kubelet runs the
//     pods still bound to that name (the controller matches pods to nodes by
//     spec.nodeName).
//
// At one instant the order is: scripted events, the pod GC run, the kubelet,
// then the controller's reconciles.

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/daemonkit/daemonkit/simulate"
)

// harnessPodGC is the emulated pod garbage collector, with the meaning of
// simulate.PodGCModel's fields (the zero value is kube-controller-manager
// v1.37.2's: Period 20 s, Quarantine 40 s, Offset 0).
type harnessPodGC struct {
	// Disabled: the pods of removed nodes stay for ever.
	Disabled bool
	// Period, Quarantine and Offset: runs at Offset + k·Period.
	Period, Quarantine, Offset time.Duration
}

// churnState is the harness's record of node events and the pod GC.
type churnState struct {
	// events are the scripted events not applied yet, in order.
	events []simulate.Event
	gc     harnessPodGC
	// waiting are the pod GC's delaying queue's waiting entries: node name
	// -> ready time.
	waiting map[string]time.Duration
	// evictions are the taint-eviction controller's scheduled work items,
	// by pod name (upstream_tainteviction_test.go).
	evictions map[string]evictionWork
	// kubeletSince is when a node's kubelet last (re)started reporting:
	// pods on it turn Ready no earlier (NotReady -> Ready, re-added nodes).
	kubeletSince map[string]time.Duration
}

// node returns the stored node of that name.
func (h *upstreamHarness) node(name string) (*corev1.Node, bool) {
	obj, ok, _ := h.nodInf.indexer.GetByKey(name)
	if !ok {
		return nil, false
	}
	return obj.(*corev1.Node), true
}

// kubeletRuns says whether the kubelet of the named node reports pod status:
// the node exists and is not NotReady.
func (h *upstreamHarness) kubeletRuns(name string) bool {
	n, ok := h.node(name)
	if !ok {
		return false
	}
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return true
}

// applyChurn applies, at instant t, the scripted events due and the pod GC
// run of t. World held.
func (h *upstreamHarness) applyChurn(t time.Duration) {
	for len(h.churn.events) > 0 && h.churn.events[0].At <= t {
		ev := h.churn.events[0]
		h.churn.events = h.churn.events[1:]
		h.applyNodeEvent(t, &ev)
	}
	if !h.churn.gc.Disabled && h.gcRunsAt(t) {
		h.gcRun(t)
	}
	h.applyEvictions(t)
}

// gcParams are the collector's period, quarantine and offset (the zero
// harnessPodGC meaning kube-controller-manager's defaults).
func (h *upstreamHarness) gcParams() (period, quarantine, offset time.Duration) {
	gc := h.churn.gc
	if gc == (harnessPodGC{}) {
		return 20 * time.Second, 40 * time.Second, 0
	}
	return gc.Period, gc.Quarantine, gc.Offset
}

// gcRunsAt says whether the pod GC runs at t.
func (h *upstreamHarness) gcRunsAt(t time.Duration) bool {
	period, _, offset := h.gcParams()
	return t >= offset && (t-offset)%period == 0
}

// orphanNodes lists, sorted, the missing nodes that still hold pods.
func (h *upstreamHarness) orphanNodes() []string {
	var out []string
	for _, p := range h.pods() {
		if n := p.Spec.NodeName; n != "" && !slices.Contains(out, n) {
			if _, ok := h.node(n); !ok {
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return out
}

// gcRun is one run of the pod GC's orphan pass at t, as upstream's
// gcOrphaned with its delaying queue: the entries whose time has come
// (inclusive) have left the waiting heap for the queue; AddAfter for every
// missing node holding pods keeps an earlier waiting entry, makes a new one
// otherwise (a node just taken included), or adds at once with quarantine
// 0; then discoverDeletedNodes drains the queue and the pods of the nodes
// still missing are deleted.
func (h *upstreamHarness) gcRun(t time.Duration) {
	_, quarantine, _ := h.gcParams()
	if h.churn.waiting == nil {
		h.churn.waiting = map[string]time.Duration{}
	}
	var queue []string
	for n, ready := range h.churn.waiting {
		if ready <= t {
			queue = append(queue, n)
			delete(h.churn.waiting, n)
		}
	}
	for _, n := range h.orphanNodes() {
		if _, waiting := h.churn.waiting[n]; waiting {
			continue
		}
		if quarantine <= 0 {
			queue = append(queue, n)
			continue
		}
		h.churn.waiting[n] = t + quarantine
	}
	slices.Sort(queue)
	for _, n := range slices.Compact(queue) {
		if _, exists := h.node(n); !exists {
			h.deleteNodePods(n)
		}
	}
}

// deleteNodePods deletes every pod bound to the named node at once, as the
// pod GC does (grace period 0), with the watch events.
func (h *upstreamHarness) deleteNodePods(name string) {
	for _, p := range h.pods() {
		if p.Spec.NodeName == name {
			h.deletePodNow(p)
		}
	}
}

// deletePodNow deletes a pod at once, with the watch event.
func (h *upstreamHarness) deletePodNow(p *corev1.Pod) {
	if err := h.podInf.indexer.Delete(p); err != nil {
		h.t.Fatalf("harness: delete pod: %v", err)
	}
	h.mu.Lock()
	rv := h.nextRV()
	h.mu.Unlock()
	h.podInf.indexer.Bookmark(rv)
	h.podInf.deliverDelete(p)
}

// nextChurn is the earliest instant after now at which a scripted event is
// due or the pod GC runs while a missing node holds pods or its queue has
// waiting entries (every such run is visited).
func (h *upstreamHarness) nextChurn(now time.Duration) (time.Duration, bool) {
	best, found := h.nextEviction(now)
	if len(h.churn.events) > 0 {
		if at := max(h.churn.events[0].At, now+time.Second); !found || at < best {
			best, found = at, true
		}
	}
	if h.churn.gc.Disabled || (len(h.churn.waiting) == 0 && len(h.orphanNodes()) == 0) {
		return best, found
	}
	period, _, offset := h.gcParams()
	next := offset
	if now >= offset {
		next = offset + ((now-offset)/period+1)*period
	}
	if !found || next < best {
		best, found = next, true
	}
	return best, found
}

// applyNodeEvent applies one scripted event at t through the node store.
func (h *upstreamHarness) applyNodeEvent(t time.Duration, ev *simulate.Event) {
	if ev.Kind == simulate.EventNodeAdd {
		n := ev.NewNode.DeepCopy()
		h.mu.Lock()
		n.ResourceVersion = h.nextRV()
		h.mu.Unlock()
		if err := h.nodInf.indexer.Add(n); err != nil {
			h.t.Fatalf("harness: add node: %v", err)
		}
		h.nodInf.indexer.Bookmark(n.ResourceVersion)
		h.nodInf.deliverAdd(n)
		h.kubeletStarts(n.Name, t)
		h.nodeTaintsChanged(&corev1.Node{}, n, t)
		return
	}
	old, ok := h.node(ev.Node)
	if !ok {
		return // events on absent nodes change nothing
	}
	if ev.Kind == simulate.EventNodeRemove {
		if err := h.nodInf.indexer.Delete(old); err != nil {
			h.t.Fatalf("harness: delete node: %v", err)
		}
		h.mu.Lock()
		rv := h.nextRV()
		h.mu.Unlock()
		h.nodInf.indexer.Bookmark(rv)
		h.nodInf.deliverDelete(old)
		return
	}
	n := old.DeepCopy()
	notReady := corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule}
	notReadyExec := corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute}
	switch ev.Kind {
	case simulate.EventTaint:
		n.Spec.Taints = harnessSetTaint(n.Spec.Taints, ev.Taint)
	case simulate.EventUntaint:
		n.Spec.Taints = harnessRemoveTaint(n.Spec.Taints, ev.Taint.Key, ev.Taint.Effect)
	case simulate.EventLabel:
		if n.Labels == nil {
			n.Labels = map[string]string{}
		}
		n.Labels[ev.Key] = ev.Value
	case simulate.EventUnlabel:
		delete(n.Labels, ev.Key)
	case simulate.EventNotReady:
		harnessSetNodeReady(n, corev1.ConditionFalse)
		n.Spec.Taints = harnessSetTaint(n.Spec.Taints, notReady)
		n.Spec.Taints = harnessSetTaint(n.Spec.Taints, notReadyExec)
	case simulate.EventReady:
		harnessSetNodeReady(n, corev1.ConditionTrue)
		for _, k := range []string{corev1.TaintNodeNotReady, corev1.TaintNodeUnreachable} {
			n.Spec.Taints = harnessRemoveTaint(n.Spec.Taints, k, corev1.TaintEffectNoSchedule)
			n.Spec.Taints = harnessRemoveTaint(n.Spec.Taints, k, corev1.TaintEffectNoExecute)
		}
	case simulate.EventCordon:
		n.Spec.Unschedulable = true
		n.Spec.Taints = harnessSetTaint(n.Spec.Taints, corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule})
	case simulate.EventUncordon:
		n.Spec.Unschedulable = false
		n.Spec.Taints = harnessRemoveTaint(n.Spec.Taints, corev1.TaintNodeUnschedulable, corev1.TaintEffectNoSchedule)
	default:
		h.t.Fatalf("harness: unsupported event %s", ev.Kind)
	}
	h.mu.Lock()
	n.ResourceVersion = h.nextRV()
	h.mu.Unlock()
	if err := h.nodInf.indexer.Update(n); err != nil {
		h.t.Fatalf("harness: update node: %v", err)
	}
	h.nodInf.indexer.Bookmark(n.ResourceVersion)
	h.nodInf.deliverUpdate(old, n)
	h.nodeTaintsChanged(old, n, t)
	switch ev.Kind {
	case simulate.EventNotReady:
		h.markPodsNotReady(n.Name, t)
	case simulate.EventReady:
		h.kubeletStarts(n.Name, t)
	}
}

// kubeletStarts records that the named node's kubelet reports pods from t.
func (h *upstreamHarness) kubeletStarts(name string, t time.Duration) {
	if h.churn.kubeletSince == nil {
		h.churn.kubeletSince = map[string]time.Duration{}
	}
	h.churn.kubeletSince[name] = t
}

// markPodsNotReady sets Ready=False on the named node's Ready pods, as the
// node lifecycle controller does (upstream: pkg/controller/util/node
// MarkPodsNotReady).
func (h *upstreamHarness) markPodsNotReady(name string, t time.Duration) {
	for _, p := range h.pods() {
		if p.Spec.NodeName != name {
			continue
		}
		c := harnessReadyCondition(p)
		if c == nil || c.Status != corev1.ConditionTrue {
			continue
		}
		cur := p.DeepCopy()
		setPodReady(cur, corev1.ConditionFalse, metav1.NewTime(harnessEpoch.Add(t)))
		h.mu.Lock()
		cur.ResourceVersion = h.nextRV()
		h.mu.Unlock()
		if err := h.podInf.indexer.Update(cur); err != nil {
			h.t.Fatalf("harness: update pod: %v", err)
		}
		h.podInf.indexer.Bookmark(cur.ResourceVersion)
		h.podInf.deliverUpdate(p, cur)
	}
}

// setPodReady sets the pod's Ready condition (replacing an earlier one).
func setPodReady(p *corev1.Pod, s corev1.ConditionStatus, ltt metav1.Time) {
	if c := harnessReadyCondition(p); c != nil {
		c.Status, c.LastTransitionTime = s, ltt
		return
	}
	p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: corev1.PodReady, Status: s, LastTransitionTime: ltt})
}

func harnessSetNodeReady(n *corev1.Node, s corev1.ConditionStatus) {
	for i := range n.Status.Conditions {
		if n.Status.Conditions[i].Type == corev1.NodeReady {
			n.Status.Conditions[i].Status = s
			return
		}
	}
	n.Status.Conditions = append(n.Status.Conditions, corev1.NodeCondition{Type: corev1.NodeReady, Status: s})
}

func harnessSetTaint(taints []corev1.Taint, t corev1.Taint) []corev1.Taint {
	for i := range taints {
		if taints[i].Key == t.Key && taints[i].Effect == t.Effect {
			taints[i] = t
			return taints
		}
	}
	return append(taints, t)
}

func harnessRemoveTaint(taints []corev1.Taint, key string, effect corev1.TaintEffect) []corev1.Taint {
	return slices.DeleteFunc(slices.Clone(taints), func(t corev1.Taint) bool { return t.Key == key && t.Effect == effect })
}

// churnCase is a random rollout with scripted node events and a pod GC.
type churnCase struct {
	rolloutCase
	Events []simulate.Event
	PodGC  simulate.PodGCModel
	// MaxTime bounds a run whose new template tolerates the NoExecute
	// taint only for tolerationSeconds (an eviction loop never ends).
	MaxTime time.Duration
}

func (c churnCase) String() string {
	out := c.rolloutCase.String() + " podGC=" + c.PodGC.String()
	for _, tol := range c.To.Spec.Template.Spec.Tolerations {
		if tol.TolerationSeconds != nil {
			out += fmt.Sprintf(" tolerationSeconds=%d", *tol.TolerationSeconds)
		}
	}
	for _, ev := range c.Events {
		name := ev.Node
		if ev.Kind == simulate.EventNodeAdd {
			name = ev.NewNode.Name
		}
		out += fmt.Sprintf(" | t=%v %s %s", ev.At, ev.Kind, name)
		switch ev.Kind {
		case simulate.EventTaint, simulate.EventUntaint:
			out += " " + ev.Taint.ToString()
		case simulate.EventLabel, simulate.EventUnlabel:
			out += " " + ev.Key + "=" + ev.Value
		}
	}
	return out
}

// churnCaseFromSeed draws a rollout on 8..40 nodes (labels, NoSchedule and
// NoExecute taints, broken nodes; old and new templates whose nodeSelector
// and tolerations may differ; every strategy form), 1..8 node events at
// random whole seconds in [0, 240]: nodes removed, added (new names, or a
// removed node's name again), tainted and untainted (NoSchedule and
// NoExecute), labelled and unlabelled, made NotReady and Ready again,
// cordoned and uncordoned; and a pod GC: the zero value (kube-controller-
// manager's), disabled, or a random period (1..30 s), quarantine (0..60 s)
// and offset. In a quarter of the cases without surge the new template
// tolerates the NoExecute taint only for 1..40 s (the taint-eviction loop;
// the run is then cut at 10 minutes).
func churnCaseFromSeed(seed uint64) churnCase {
	r := rolloutRand{rand.New(rand.NewPCG(seed, 0xc6a2))}
	var c churnCase
	n := r.between(8, 40)
	var names []string
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("node-%04x", (i*7919+13)%65536)
		names = append(names, name)
		var taints []corev1.Taint
		if r.percent(15) {
			taints = append(taints, rolloutNoSchedule)
		}
		if r.percent(10) {
			taints = append(taints, rolloutNoExecute)
		}
		c.Nodes = append(c.Nodes, rolloutNode(name, map[string]string{
			"pool": []string{"a", "b", "c"}[r.IntN(3)],
			"zone": []string{"z1", "z2"}[r.IntN(2)],
		}, taints...))
		if r.percent(5) {
			c.Broken = append(c.Broken, name)
		}
	}
	c.Startup = time.Duration(r.between(1, 30)) * time.Second
	c.To = rolloutTemplate(r, "agent:v2")
	rolloutStrategy(r, c.To)
	if !r.percent(17) {
		c.From = rolloutTemplate(r, "agent:v1")
		c.From.Spec.UpdateStrategy = c.To.Spec.UpdateStrategy
		c.From.Spec.MinReadySeconds = c.To.Spec.MinReadySeconds
	}
	switch {
	case r.percent(15):
		c.PodGC = simulate.PodGCModel{Disabled: true}
	case r.percent(20):
		// the zero value: kube-controller-manager's 20 s / 40 s
	default:
		period := r.between(1, 30)
		quarantine := 0
		if !r.percent(15) {
			quarantine = r.between(1, 60)
		}
		c.PodGC = simulate.PodGCModel{Period: time.Duration(period) * time.Second,
			Quarantine: time.Duration(quarantine) * time.Second, Offset: time.Duration(r.IntN(period)) * time.Second}
	}
	ru := c.To.Spec.UpdateStrategy.RollingUpdate
	surge := ru != nil && ru.MaxSurge != nil && ru.MaxSurge.String() != "0" && ru.MaxSurge.String() != "0%"
	// Not on the surge path: an evicted surge pod makes its node a surge
	// candidate again, and upstream picks among candidates in Go map order
	// afresh in every sync, which no fixed node order (PickOrder) replays.
	if !surge && r.percent(25) {
		for i := range c.To.Spec.Template.Spec.Tolerations {
			if tol := &c.To.Spec.Template.Spec.Tolerations[i]; tol.Effect == corev1.TaintEffectNoExecute {
				secs := int64(r.between(1, 40))
				tol.TolerationSeconds = &secs
				c.MaxTime = 10 * time.Minute
			}
		}
	}
	present := slices.Clone(names)
	var removed []string
	added := 0
	at := time.Duration(0)
	for i, k := 0, r.between(1, 8); i < k; i++ {
		if r.percent(60) {
			at += time.Duration(r.between(0, 60)) * time.Second
		}
		pick := present[r.IntN(len(present))]
		var ev simulate.Event
		switch r.IntN(9) {
		case 0:
			if len(present) < 3 {
				continue
			}
			ev = simulate.NodeRemoved(at, pick)
			present = slices.DeleteFunc(present, func(s string) bool { return s == pick })
			removed = append(removed, pick)
		case 1:
			name := fmt.Sprintf("added-%02d", added)
			if len(removed) > 0 && r.percent(60) {
				// a node replaced under the same name
				k := r.IntN(len(removed))
				name = removed[k]
				removed = slices.Delete(removed, k, k+1)
			} else {
				added++
			}
			ev = simulate.NodeAdded(at, rolloutNode(name, map[string]string{
				"pool": []string{"a", "b", "c"}[r.IntN(3)], "zone": "z1"}))
			present = append(present, name)
		case 2:
			ev = simulate.Tainted(at, pick, []corev1.Taint{rolloutNoSchedule, rolloutNoExecute}[r.IntN(2)])
		case 3:
			t := []corev1.Taint{rolloutNoSchedule, rolloutNoExecute}[r.IntN(2)]
			ev = simulate.Untainted(at, pick, t.Key, t.Effect)
		case 4:
			ev = simulate.Labeled(at, pick, "pool", []string{"a", "b"}[r.IntN(2)])
		case 5:
			ev = simulate.Unlabeled(at, pick, "zone")
		case 6:
			ev = simulate.NodeNotReady(at, pick)
		case 7:
			ev = simulate.NodeReady(at, pick)
		default:
			if r.percent(50) {
				ev = simulate.Cordoned(at, pick)
			} else {
				ev = simulate.Uncordoned(at, pick)
			}
		}
		c.Events = append(c.Events, ev)
	}
	return c
}

// churnCases is the number of random scenarios in TestRolloutChurnMatchesUpstream.
var churnCases = flag.Int("rollout.churn.cases", 2000, "random scenarios in TestRolloutChurnMatchesUpstream")

// TestRolloutChurnMatchesUpstream holds simulate.Rollout's scripted events to
// upstream's controller with the harness's node churn beside it: random
// rollouts with nodes removed, added, re-added under the same name, tainted
// (NoSchedule, NoExecute), relabelled, made NotReady and Ready, cordoned,
// with the harness's pod GC and the engine's Scenario.PodGC set from the same
// random parameters; at every instant the node sets of each acting reconcile
// and the statuses must agree.
func TestRolloutChurnMatchesUpstream(t *testing.T) {
	start := time.Now()
	var ran, events, acting, failed, disabled, readds, collected, evicting, evictions int
	for seed := 0; seed < *churnCases; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			if failed >= 10 {
				t.Skip("10 scenarios failed already")
			}
			c := churnCaseFromSeed(uint64(seed))
			sc := c.upstream()
			sc.Events = c.Events
			sc.PodGC = harnessPodGC(c.PodGC)
			sc.MaxTime = c.MaxTime
			tr := runUpstreamRollout(t, sc)
			esc := c.engineScenario(t, tr.PickOrder)
			esc.Events = c.Events
			esc.PodGC = c.PodGC
			esc.Limits.MaxTime = c.MaxTime
			res, err := simulate.Rollout(context.Background(), esc)
			if err != nil {
				failed++
				t.Fatalf("%s: engine error: %v", c, err)
			}
			ran++
			events += len(c.Events)
			if c.PodGC.Disabled {
				disabled++
			}
			if c.MaxTime > 0 {
				evicting++
			}
			evictions += len(res.Evictions)
			for _, o := range res.Summary.Orphans {
				if o.CollectedAt != nil {
					collected++
				}
				if o.BackAt != nil {
					readds++
				}
			}
			for _, in := range tr.Instants {
				acting += len(in.Acting)
			}
			if diffs := compareRollout(tr, res, true); len(diffs) > 0 {
				failed++
				if len(diffs) > 8 {
					diffs = append(diffs[:8], fmt.Sprintf("... %d more", len(diffs)-8))
				}
				t.Errorf("%s: %d disagreements with upstream:\n  upstream: %s\n  %s",
					c, len(diffs), actingCounts(tr), strings.Join(diffs, "\n  "))
			}
		})
	}
	t.Logf("%d random churn scenarios compared (%d with the pod GC disabled, %d with tolerationSeconds; %d events, %d acting upstream reconciles, %d orphaned nodes collected, %d re-added, %d taint evictions) in %v; %d disagreeing",
		ran, disabled, evicting, events, acting, collected, readds, evictions, time.Since(start).Round(time.Millisecond), failed)
}
