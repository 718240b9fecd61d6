package simulate

import (
	"fmt"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// PodGCModel is kube-controller-manager's pod garbage collector as far as a
// rollout meets it: its orphan pass, which deletes the pods bound to a node
// that is no longer in the node list. Until it runs, a removed node's pods
// stay, and the DaemonSet controller acts on them: on the non-surge path a
// Ready orphan counts as an available old pod the rolling update deletes
// (taking a maxUnavailable slot), on the surge path every sync fails with
// `couldn't get node for nodeName` and the rollout stands still.
//
// The collector runs at Offset + k·Period (k ≥ 0) of the rollout's clock.
// Each run first queues every missing node that still holds pods, ready
// Quarantine later (a node already waiting keeps its earlier time), then
// takes every queued node whose ready time has come (inclusive) and, if it
// is still missing, deletes its pods at once (upstream marks them Failed
// with a DisruptionTarget condition and deletes them with grace period 0).
// As in upstream's delaying queue, a node taken at a run is queued afresh by
// that same run when it still holds pods then.
//
// At one instant the order is: scripted events, the collector's run, the
// kubelet, then the controller, which reconciles after every run that
// deleted pods.
//
// The zero value is kube-controller-manager v1.37.2's collector: Period
// 20 s, Quarantine 40 s, Offset 0. Otherwise Period must be > 0, Quarantine
// ≥ 0 and 0 ≤ Offset < Period, all whole seconds; {Period: time.Second}
// (Quarantine 0) deletes a removed node's pods at the instant of its
// removal.
//
// upstream: pkg/controller/podgc/gc_controller.go gcOrphaned,
// discoverDeletedNodes (gcCheckPeriod, quarantineTime)
type PodGCModel struct {
	// Disabled keeps the pods of removed nodes for ever (upstream's
	// controller alone, as in its unit tests); the other fields are ignored.
	Disabled bool
	// Period is the time between two runs.
	Period time.Duration
	// Quarantine is how long a missing node waits in the queue before its
	// pods are deleted.
	Quarantine time.Duration
	// Offset is the first run's instant.
	Offset time.Duration
}

// DefaultPodGCModel is kube-controller-manager v1.37.2's pod garbage
// collector, the meaning of the zero PodGCModel.
func DefaultPodGCModel() PodGCModel {
	return PodGCModel{Period: 20 * time.Second, Quarantine: 40 * time.Second}
}

// String renders m as the daemonkit CLI's --pod-gc takes it:
// PERIOD/QUARANTINE/OFFSET, or "off".
func (m PodGCModel) String() string {
	if m.Disabled {
		return "off"
	}
	if m == (PodGCModel{}) {
		m = DefaultPodGCModel()
	}
	return m.Period.String() + "/" + m.Quarantine.String() + "/" + m.Offset.String()
}

// ParsePodGCModel reads the text form String writes: "off", or
// PERIOD/QUARANTINE[/OFFSET] with Go durations (20s/40s/0s). The result is
// checked as Rollout checks Scenario.PodGC.
func ParsePodGCModel(s string) (PodGCModel, error) {
	if s == "off" {
		return PodGCModel{Disabled: true}, nil
	}
	parts := splitSlash(s)
	if len(parts) != 2 && len(parts) != 3 {
		return PodGCModel{}, fmt.Errorf("pod GC %q: expected off or PERIOD/QUARANTINE[/OFFSET], e.g. 20s/40s/0s", s)
	}
	var d [3]time.Duration
	for k, p := range parts {
		v, err := time.ParseDuration(p)
		if err != nil {
			return PodGCModel{}, fmt.Errorf("pod GC %q: %q is not a duration (e.g. 20s)", s, p)
		}
		d[k] = v
	}
	m := PodGCModel{Period: d[0], Quarantine: d[1], Offset: d[2]}
	if m == (PodGCModel{}) {
		// the zero value stands for the default in a Scenario; written
		// out, a period of 0 is a mistake
		return PodGCModel{}, fmt.Errorf("pod GC %q: the period must be > 0 (kube-controller-manager's is 20s/40s/0s)", s)
	}
	if errs := m.validate(field.NewPath("podGC")); len(errs) > 0 {
		return PodGCModel{}, fmt.Errorf("pod GC %q: %w", s, errs.ToAggregate())
	}
	return m, nil
}

func splitSlash(s string) []string {
	var out []string
	for {
		k := 0
		for k < len(s) && s[k] != '/' {
			k++
		}
		out = append(out, s[:k])
		if k == len(s) {
			return out
		}
		s = s[k+1:]
	}
}

// validate checks m as Rollout documents.
func (m PodGCModel) validate(p *field.Path) field.ErrorList {
	if m.Disabled || m == (PodGCModel{}) {
		return nil
	}
	var errs field.ErrorList
	whole := func(name string, v time.Duration) {
		if v%time.Second != 0 {
			errs = append(errs, field.Invalid(p.Child(name), v.String(), "must be whole seconds"))
		}
	}
	whole("period", m.Period)
	whole("quarantine", m.Quarantine)
	whole("offset", m.Offset)
	if m.Period <= 0 {
		errs = append(errs, field.Invalid(p.Child("period"), m.Period.String(), "must be > 0"))
	}
	if m.Quarantine < 0 {
		errs = append(errs, field.Invalid(p.Child("quarantine"), m.Quarantine.String(), "must not be negative"))
	}
	if m.Offset < 0 || (m.Period > 0 && m.Offset >= m.Period) {
		errs = append(errs, field.Invalid(p.Child("offset"), m.Offset.String(), "must be >= 0 and < period"))
	}
	return errs
}

// podGC is the collector's state in the engine.
type podGC struct {
	on                         bool
	period, quarantine, offset int64
	// missing are the nodes not in the node list that may hold bound pods.
	missing map[int32]bool
	// waiting are the delaying queue's waiting entries: node -> ready time.
	waiting map[int32]int64
	// wakes are the instants with a run queued in the engine.
	wakes map[int64]bool
}

func newPodGC(m PodGCModel) podGC {
	if m == (PodGCModel{}) {
		m = DefaultPodGCModel()
	}
	return podGC{on: !m.Disabled, period: secs(m.Period), quarantine: secs(m.Quarantine), offset: secs(m.Offset),
		missing: map[int32]bool{}, waiting: map[int32]int64{}, wakes: map[int64]bool{}}
}

// runAtOrAfter is the first run at or after t.
func (g *podGC) runAtOrAfter(t int64) int64 {
	if t <= g.offset {
		return g.offset
	}
	return g.offset + (t-g.offset+g.period-1)/g.period*g.period
}

// gcWake queues a run of the collector at the first run at or after t.
func (e *engine) gcWake(t int64) {
	g := &e.gc
	at := g.runAtOrAfter(t)
	if !g.wakes[at] {
		g.wakes[at] = true
		e.push(at, evGC, 0)
	}
}

// nodeMissing notes that node i left the node list (or was never in it)
// while it may hold bound pods: the next run queues it.
//
// The engine wakes for a run only where it can delete pods. A queue entry
// left by the run that deleted the node's pods (upstream's delaying queue
// re-adds a node its run takes) has no wake: it matters only if the node is
// missing with pods again by the run that takes it, which this call
// arranges; an entry whose run has passed was taken there and did nothing.
func (e *engine) nodeMissing(i int32) {
	g := &e.gc
	if !g.on || !e.holdsBoundPods(i) {
		return
	}
	if at, ok := g.waiting[i]; ok {
		if r := g.runAtOrAfter(at); r < e.now {
			delete(g.waiting, i)
		} else {
			e.gcWake(r)
		}
	}
	g.missing[i] = true
	e.gcWake(e.now)
}

func (e *engine) holdsBoundPods(i int32) bool {
	for _, id := range e.nodes[i].pods {
		if e.pods[id].bound {
			return true
		}
	}
	return false
}

// gcRun is one run of the orphan pass at now; it reports whether it deleted
// pods.
// upstream: gc_controller.go gcOrphaned, discoverDeletedNodes
func (e *engine) gcRun() bool {
	g := &e.gc
	delete(g.wakes, e.now)
	// entries whose time has come left the waiting heap for the queue
	var ready []int32
	for i, at := range g.waiting {
		if at <= e.now {
			ready = append(ready, i)
			delete(g.waiting, i)
		}
	}
	slices.Sort(ready)
	ready = slices.Compact(ready)
	// "Add newly found unknown nodes to quarantine"
	missing := make([]int32, 0, len(g.missing))
	for i := range g.missing {
		missing = append(missing, i)
	}
	slices.Sort(missing)
	for _, i := range missing {
		if e.nodes[i].obj != nil || !e.holdsBoundPods(i) {
			delete(g.missing, i)
			continue
		}
		if _, ok := g.waiting[i]; ok {
			continue // AddAfter keeps the earlier ready time
		}
		_, taken := slices.BinarySearch(ready, i)
		if g.quarantine <= 0 {
			if !taken {
				ready = append(ready, i) // AddAfter(0) adds at once
			}
			continue
		}
		g.waiting[i] = e.now + g.quarantine
		if !taken {
			e.gcWake(e.now + g.quarantine)
		}
	}
	// "Check if nodes are still missing after quarantine period"
	slices.Sort(ready)
	deleted := false
	for _, i := range ready {
		n := &e.nodes[i]
		if n.obj != nil {
			continue
		}
		for _, id := range slices.Clone(n.pods) {
			if e.pods[id].bound {
				e.removePod(id)
				e.trace.orphanCollected(e, i)
				deleted = true
			}
		}
		n.ports = nil // the collector deletes every pod bound there
		delete(g.missing, i)
	}
	return deleted
}

// OrphanedPods says what became of the daemon pods a removed node left
// bound to its name.
type OrphanedPods struct {
	// Node is the node's name.
	Node string
	// Removed is when the node left the node list (0 for a node claimed
	// pods name that was not there at t=0).
	Removed time.Duration
	// Pods counts the daemon pods bound to it then.
	Pods int
	// CollectedAt is the pod garbage collector's run that deleted them; nil
	// if none did (PodGCModel.Disabled, the node came back first, the
	// controller deleted them, or the run ended first).
	CollectedAt *time.Duration
	// DeletedByController counts the orphans the rolling update deleted
	// itself: on the non-surge path a Ready orphan is an available old pod,
	// and deleting it takes one of maxUnavailable's slots in that sync.
	DeletedByController int
	// BlockedSurge says the surge path's rolling update failed ("couldn't
	// get node for nodeName") while they were there: the whole rollout
	// stood still until they went.
	BlockedSurge bool
	// BackAt is when a node of that name was added again (its pods run
	// there again); nil if it was not.
	BackAt *time.Duration
	// Remaining lists the pods still bound to the missing node at the end.
	Remaining []string
}

// orphaned opens the record of node i's orphaned pods (node just removed,
// or absent at t=0).
func (t *tracer) orphaned(e *engine, i int32) {
	if t.openOrphans == nil {
		t.openOrphans = map[int32]int{}
	}
	n := 0
	for _, id := range e.nodes[i].pods {
		if e.pods[id].bound {
			n++
		}
	}
	t.openOrphans[i] = len(t.orphans)
	t.orphans = append(t.orphans, OrphanedPods{Node: e.nodes[i].name, Removed: e.dur(e.now), Pods: n})
}

// orphanCollected notes that the collector deleted a pod of node i now.
func (t *tracer) orphanCollected(e *engine, i int32) {
	if k, ok := t.openOrphans[i]; ok && t.orphans[k].CollectedAt == nil {
		d := e.dur(e.now)
		t.orphans[k].CollectedAt = &d
	}
}

// orphanDeleted notes the controller's delete of a pod on missing node i.
func (t *tracer) orphanDeleted(i int32) {
	if k, ok := t.openOrphans[i]; ok {
		t.orphans[k].DeletedByController++
	}
}

// surgeBlocked notes a surge-path sync that failed on the missing nodes.
func (t *tracer) surgeBlocked(e *engine) {
	for i, k := range t.openOrphans {
		if e.nodes[i].cls == clsOldAMissing || e.nodes[i].cls == clsOldUMissing {
			t.orphans[k].BlockedSurge = true
		}
	}
}

// nodeBack closes the record of node i, added again now.
func (t *tracer) nodeBack(e *engine, i int32) {
	if k, ok := t.openOrphans[i]; ok {
		d := e.dur(e.now)
		t.orphans[k].BackAt = &d
		delete(t.openOrphans, i)
	}
}

// orphanSummary fills the pods still bound to missing nodes and, when the
// rollout is stuck on the surge path, the issues they block it with.
func (e *engine) orphanSummary(s *Summary) (blocking []NodeIssue) {
	t := e.trace
	s.Orphans = slices.Clone(t.orphans)
	open := make([]int32, 0, len(t.openOrphans))
	for i := range t.openOrphans {
		open = append(open, i)
	}
	slices.Sort(open)
	for _, i := range open {
		k := t.openOrphans[i]
		var rem []string
		for _, id := range e.nodes[i].pods {
			if e.pods[id].bound {
				rem = append(rem, e.pods[id].name)
			}
		}
		s.Orphans[k].Remaining = rem
		n := &e.nodes[i]
		if len(rem) == 0 || !e.rolling || !e.surge || (n.cls != clsOldAMissing && n.cls != clsOldUMissing) {
			continue
		}
		d := "node removed at t=" + s.Orphans[k].Removed.String() + "; pod " + e.pods[n.oldPod].name +
			" of an earlier revision stays bound to it and the surge path's rolling update fails on it (couldn't get node for nodeName)"
		switch {
		case !e.gc.on:
			d += " for ever: the pod garbage collector is disabled"
		default:
			d += " until the pod garbage collector's run at t=" + e.dur(e.gcDeletesAt(i)).String()
		}
		blocking = append(blocking, NodeIssue{Node: n.name, Cause: CauseOrphanedPod, Detail: d})
	}
	return blocking
}

// gcDeletesAt is the collector's run that deletes missing node i's pods if
// nothing changes.
func (e *engine) gcDeletesAt(i int32) int64 {
	g := &e.gc
	if at, ok := g.waiting[i]; ok {
		return g.runAtOrAfter(at)
	}
	return g.runAtOrAfter(g.runAtOrAfter(e.now) + g.quarantine)
}
