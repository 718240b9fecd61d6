package simulate

import (
	"cmp"
	"container/heap"
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// The engine keeps the controller's view in compact form: nodes by position
// in the chosen node order, pods in a slice, and for every node the class the
// rolling update sees it in (update.go rollingUpdate's switch), its status
// contribution (updateDaemonSetStatus) and whether manage would act on it
// (podsShouldBeOnNode). These are recomputed only for nodes whose pods or
// placement changed, so a reconcile costs time in proportion to what changed,
// not to the cluster.

const (
	phasePending uint8 = iota
	phaseRunning
	phaseFailed
	phaseSucceeded
)

const never = int64(-1 << 62)

type pod struct {
	name    string
	node    int32
	hash    int32 // interned controller-revision-hash label, -1 = none
	gen     string
	hasGen  bool
	rev     int32 // index into e.revs of the template the pod runs, -1 = foreign
	created int64
	phase   uint8
	bound   bool
	ready   bool
	// readySince is the Ready condition's lastTransitionTime; readyZero says
	// it is the zero time (never available when minReadySeconds > 0).
	readySince int64
	readyZero  bool
	deleting   bool
	gone       bool
	// readyAt is when the kubelet model turns the pod Ready (never = not).
	readyAt int64
	// waiting: created but not bound, waiting for the scheduler.
	waiting bool
	cause   Cause // why it is not bound / never Ready
}

// node classes as rollingUpdate sees the node's group (update.go
// findUpdatedPodsOnNode and the two switches of rollingUpdate).
const (
	clsOut         uint8 = iota // no group and not desired: not iterated
	clsNotOk                    // >= 2 new or >= 2 old non-deleted pods
	clsEmpty                    // group without non-deleted pods, or desired node without group
	clsBothNUoU                 // old and new; new unavailable; old unavailable
	clsBothNUoA                 // ... old available
	clsBothNAoU                 // new available, old unavailable
	clsBothNAoA                 // new available, old available
	clsNewA                     // only new, available
	clsNewU                     // only new, unavailable
	clsOldURun                  // only old, unavailable, node present and shouldRun
	clsOldUNoRun                // only old, unavailable, node present, !shouldRun
	clsOldUMissing              // only old, unavailable, node not in the node list
	clsOldARun                  // only old, available, present, shouldRun
	clsOldANoRun                // only old, available, present, !shouldRun
	clsOldAMissing              // only old, available, node missing
	numClasses
)

// status bits of one node (updateDaemonSetStatus).
const (
	stDesired uint8 = 1 << iota
	stCurrent
	stReady
	stAvailable
	stUpdated
	stMisscheduled
)

// statusCounts are the counters updateDaemonSetStatus sums over the nodes,
// kept up to date node by node (refresh).
type statusCounts struct {
	desired, current, ready, available, updated, misscheduled int
}

// add adds sign times the counts of one node's status bits st.
func (c *statusCounts) add(st uint8, sign int) {
	if st&stDesired != 0 {
		c.desired += sign
	}
	if st&stCurrent != 0 {
		c.current += sign
	}
	if st&stReady != 0 {
		c.ready += sign
	}
	if st&stAvailable != 0 {
		c.available += sign
	}
	if st&stUpdated != 0 {
		c.updated += sign
	}
	if st&stMisscheduled != 0 {
		c.misscheduled += sign
	}
}

type nodeState struct {
	name  string
	obj   *corev1.Node // nil when not in the node list
	owned bool         // obj is the engine's own copy (safe to modify)
	// shouldRun and shouldContinueRunning are NodeShouldRunDaemonPod's
	// answers for obj (both false when obj is nil).
	shouldRun             bool
	shouldContinueRunning bool

	pods    []int32
	broken  bool
	crash   bool
	pending bool
	failing bool
	// brokenNew and crashNew break only pods of a template other than
	// From's (Kubelet.BrokenNew, Kubelet.CrashLoopNew).
	brokenNew bool
	crashNew  bool
	startup   int64
	// derived
	cls          uint8
	st           uint8
	newPod       int32
	oldPod       int32
	manage       bool
	ports        []hostPort // host ports of non-daemon pods bound here
	waiting      int        // pods waiting to bind here
	nodeNotReady bool
	evictions    int // pods the taint-eviction controller deleted here
}

type engine struct {
	ctx context.Context
	s   *Scenario
	rng *rand.Rand

	start   time.Time
	now     int64
	maxTime int64
	maxRec  int
	// maxSteps and maxPods bound the recorded steps and the pods created
	// (Limits.MaxSteps, Limits.MaxPods); crowded says a node holds more
	// than MaxPodsPerNode pods.
	maxSteps, maxPods int
	crowded           bool
	// wakes are the instants with a pending backoff wake event.
	wakes map[int64]bool

	ds       *appsv1.DaemonSet
	placer   *daemonset.Placer
	curRev   int32
	curHash  int32
	genStr   string
	hasGen   bool
	minReady int64
	rolling  bool
	surge    bool // AllowsSurge(ds): manage keeps two pods per node
	grace    int64

	revs     []*revision
	hashIDs  map[string]int32
	hashes   []string
	hashLive []int // non-gone pods per hash id

	nodes  []nodeState
	byName map[string]int32

	pods     []pod
	nameSeq  uint64
	sets     [numClasses]nodeSet
	counts   [numClasses]int
	manageQ  nodeSet
	failed   int // non-deleting Failed pods
	status   statusCounts
	backoffs map[backoffKey]backoffEntry

	queue evQueue
	seq   int64

	// API token bucket.
	tokens     float64
	tokensAt   int64
	busyUntil  int64
	phase      int
	cur        Step
	curActed   bool
	curRURepl  int // allowed replacements deleted by this reconcile
	bindSecond int64
	bindCount  int

	trace *tracer
	gc    podGC
	// frozen are the pods whose termination (frozenGone) or failure
	// (frozenFail) fell due while their node was removed: a new kubelet of
	// that name catches up (kubeletStarts).
	frozen map[int32]uint8
	// evictions are the taint-eviction controller's work items by pod
	// (tainteviction.go).
	evictions map[int32]evictionWork
	su        *startupState // Kubelet.StartupModel (startup.go), nil without it

	budgetOK      bool
	budgetDesired int
	budgetVal     daemonset.RollingUpdateCounts
	budgetErr     error
	changes       []*appsv1.DaemonSet
	// lastErr is the error the reconcile in progress returns (nil: none).
	lastErr error
	// rq is the work queue's rate-limited requeue of the DaemonSet after a
	// failed sync (requeue.go); sub is how far into the second now the
	// reconcile in progress runs when a retry started it (its delays are
	// milliseconds; everything else happens on whole seconds).
	rq  requeue
	sub time.Duration
}

type backoffKey struct {
	gen  int64
	node int32
}

type backoffEntry struct {
	delay, last int64
}

// Failed-pod backoff (client-go flowcontrol.Backoff as configured in
// kube-controller-manager: 1s initial, 15m max).
const (
	backoffInitial = 1
	backoffMax     = 15 * 60
)

func run(ctx context.Context, s *Scenario) (*Result, error) {
	e, err := newEngine(ctx, s)
	if err != nil {
		return nil, err
	}
	if err := e.loop(); err != nil {
		return nil, err
	}
	return e.result(), nil
}

func secs(d time.Duration) int64 { return int64(d / time.Second) }

// ---- event queue ----

const (
	evScript = iota
	evChange
	evReady
	evAvail
	evGone
	evBind
	evWake
	evCreate
	evDelete
	evFail
	evGC    // a run of the pod garbage collector (podgc.go)
	evEvict // the taint-eviction controller deletes a pod (tainteviction.go)
)

// evPrio orders the events of one instant: scripted events, then the pod
// garbage collector's run, then everything else in the order queued.
func evPrio(kind int) int {
	switch kind {
	case evScript:
		return 0
	case evGC:
		return 1
	}
	return 2
}

type event struct {
	t    int64
	seq  int64
	kind int
	a    int32
}

type evQueue []event

func (q evQueue) Len() int { return len(q) }
func (q evQueue) Less(i, j int) bool {
	if q[i].t != q[j].t {
		return q[i].t < q[j].t
	}
	if pi, pj := evPrio(q[i].kind), evPrio(q[j].kind); pi != pj {
		return pi < pj
	}
	return q[i].seq < q[j].seq
}
func (q evQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *evQueue) Push(x any)   { *q = append(*q, x.(event)) }
func (q *evQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

func (e *engine) push(t int64, kind int, a int32) {
	e.seq++
	heap.Push(&e.queue, event{t: t, seq: e.seq, kind: kind, a: a})
}

// ---- main loop ----

const (
	phaseIdle = iota
	phaseAfterManage
	phaseAfterRolling
)

func (e *engine) loop() error {
	e.now = 0
	need := true // the DaemonSet was created or updated at t=0
	for {
		if e.now > e.maxTime {
			// nothing happened after maxTime's last instant: the run ends there
			// (not at the far instant of the next event, which may lie years
			// or centuries ahead)
			e.now, e.sub = e.maxTime, 0
			e.trace.truncated = true
			break
		}
		if e.applyDue() > 0 {
			need = true
		}
		if e.phase != phaseIdle && e.now >= e.busyUntil {
			e.continueReconcile()
			if e.phase == phaseIdle && e.curActed {
				need = true
			}
		}
		if e.phase == phaseIdle && !need && e.rq.pending() && e.rq.second() <= e.now {
			// the waiting entry of a failed sync adds the DaemonSet to the
			// queue within this second, after its whole-second events
			e.sub = max(e.rq.at-e.dur(e.now), e.sub)
			need = true
		}
		if e.phase == phaseIdle && need {
			if e.trace.reconciles >= e.maxRec || len(e.trace.steps) >= e.maxSteps || len(e.pods) >= e.maxPods || e.crowded {
				e.trace.truncated = true
				break
			}
			if e.trace.reconciles&1023 == 0 {
				if err := e.ctx.Err(); err != nil {
					return err
				}
			}
			need = false
			e.startReconcile()
			if e.phase == phaseIdle && e.curActed {
				// the controller observes its own writes: sync again at once
				need = true
			}
			continue
		}
		var next int64
		switch {
		case e.phase != phaseIdle:
			next = e.busyUntil
			if len(e.queue) > 0 && e.queue[0].t < next {
				next = e.queue[0].t
			}
		case len(e.queue) == 0:
			if !e.rq.pending() || e.rq.atRest(e.maxTime) {
				return nil
			}
			next = e.rq.second()
		default:
			next = e.queue[0].t
			if e.rq.pending() {
				next = min(next, e.rq.second())
			}
		}
		if next > e.now {
			e.sub = 0
		}
		e.now = max(next, e.now)
	}
	return nil
}

// applyDue applies every queued event at or before now.
func (e *engine) applyDue() int {
	n := 0
	for len(e.queue) > 0 && e.queue[0].t <= e.now {
		ev := heap.Pop(&e.queue).(event)
		if e.apply(ev) {
			n++
		}
	}
	return n
}

// apply applies one event and reports whether it may make the controller act.
func (e *engine) apply(ev event) bool {
	switch ev.kind {
	case evScript:
		e.applyScript(&e.s.Events[ev.a])
	case evChange:
		e.applyDS(e.changes[ev.a])
	case evReady:
		return e.podReady(ev.a, ev.t)
	case evAvail:
		e.refresh(ev.a)
	case evGone:
		p := &e.pods[ev.a]
		if p.gone {
			return false
		}
		if p.bound && e.nodes[p.node].obj == nil {
			// the node's kubelet is gone: the pod stays terminating until
			// the pod garbage collector or a new kubelet of that name
			e.freeze(ev.a, frozenGone)
			return false
		}
		e.removePod(ev.a)
	case evBind:
		e.bind(ev.a)
	case evWake:
		// requeue (failed-pod backoff): the reconcile re-reads everything
		delete(e.wakes, ev.t)
	case evCreate:
		if e.revs[e.curRev].refused != nil {
			return false
		}
		e.createPod(ev.a)
	case evDelete:
		e.deletePod(ev.a)
	case evFail:
		return e.podFailed(ev.a)
	case evGC:
		return e.gcRun()
	case evEvict:
		return e.podEvicted(ev.a, ev.t)
	}
	return true
}

// ---- reconcile (syncDaemonSet) ----

// startReconcile and continueReconcile are one syncDaemonSet, cut where the
// API model makes it wait for its client's rate limiter: manage and its
// syncNodes, then (RollingUpdate) rollingUpdate and its syncNodes, then
// cleanupHistory and updateDaemonSetStatus.
// upstream: daemon_controller.go syncDaemonSet, updateDaemonSet
func (e *engine) startReconcile() {
	e.trace.reconciles++
	e.cur = Step{Time: e.at(), Reconcile: e.trace.reconciles, Created: e.trace.scratchC[:0], Deleted: e.trace.scratchD[:0],
		FailedCreate: e.trace.scratchF[:0]}
	e.curRURepl = 0
	e.curActed = false
	e.lastErr = nil
	// a retry due by now joins this sync (the queue holds a key once)
	e.rq.dueBy(e.at())
	if e.selectsAll() || e.ds.DeletionTimestamp != nil {
		// upstream: syncDaemonSet emits SelectingAll, or sees the DaemonSet
		// being deleted, and stops without writing status.
		e.phase = phaseIdle
		e.rq.forget()
		return
	}
	creates, dels := e.manage()
	e.syncNodes(creates, dels)
	e.phase = phaseAfterManage
	if e.now >= e.busyUntil {
		e.continueReconcile()
	}
}

func (e *engine) continueReconcile() {
	if e.phase == phaseAfterManage {
		e.phase = phaseAfterRolling
		if e.lastErr == nil && e.rolling {
			creates, dels, err := e.rollingUpdate()
			if err != nil {
				e.lastErr = err
				e.trace.controllerError(e, err)
				if err == errMissingNode {
					e.trace.surgeBlocked(e)
				}
			} else {
				e.syncNodes(creates, dels)
			}
		}
		if e.now < e.busyUntil {
			return
		}
	}
	if e.lastErr == nil {
		e.cleanupHistory()
	}
	e.phase = phaseIdle
	e.ds.Status = e.updateDaemonSetStatus()
	e.curActed = len(e.cur.Created) > 0 || len(e.cur.Deleted) > 0
	e.cur.Status = e.ds.Status
	e.cur.Time = e.at()
	e.trace.record(e, e.cur)
	// upstream: processNextWorkItem
	if e.lastErr != nil {
		e.rq.addRateLimited(e.at())
	} else {
		e.rq.forget()
	}
}

// at is the instant of the reconcile in progress: now, and how far into
// that second a retry started it.
func (e *engine) at() time.Duration { return e.dur(e.now) + e.sub }

func (e *engine) selectsAll() bool {
	sel := e.ds.Spec.Selector
	return sel != nil && len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0
}

// syncNodes sends creates (node positions) and deletes (pod ids) through
// the API model, capped at burstReplicas each.
//
// Creates go in slow-start batches (1, 2, 4, ...: SlowStartInitialBatchSize
// doubling); when a create of a batch fails, the creates after that batch
// are skipped and the sync returns the errors. The API server's Priority
// admission refuses every pod of a refused template, so the first batch —
// one create — fails: one FailedCreate event ("Error creating: " + the
// error) on the first node needing a pod, the rest skipped, the deletes
// still sent, and the sync's error requeues the DaemonSet with backoff.
// upstream: daemon_controller.go syncNodes; controller_utils.go
// SlowStartInitialBatchSize, RealPodControl.createPods
func (e *engine) syncNodes(creates, dels []int32) {
	if len(creates) > daemonset.BurstReplicas {
		creates = creates[:daemonset.BurstReplicas]
	}
	if len(dels) > daemonset.BurstReplicas {
		dels = dels[:daemonset.BurstReplicas]
	}
	if r := e.revs[e.curRev]; r.refused != nil && len(creates) > 0 {
		e.cur.FailedCreate = append(e.cur.FailedCreate, e.nodes[creates[0]].name)
		e.cur.FailedCreateMessage = failedCreatePrefix + r.createErr
		e.trace.failedCreates++
		if t := e.takeToken(); t > e.now {
			// the batch waits for its call
			e.busyUntil = max(e.busyUntil, t)
		}
		creates = nil
		if e.lastErr == nil {
			e.lastErr = engineError(r.createErr)
			e.trace.controllerError(e, e.lastErr)
		}
	}
	// upstream issues creates (slow-start batches) before deletes.
	for _, n := range creates {
		e.cur.Created = append(e.cur.Created, e.nodes[n].name)
		if t := e.takeToken(); t > e.now {
			e.push(t, evCreate, n)
			e.busyUntil = max(e.busyUntil, t)
			continue
		}
		e.createPod(n)
	}
	for _, p := range dels {
		e.cur.Deleted = append(e.cur.Deleted, e.nodes[e.pods[p].node].name)
		if t := e.takeToken(); t > e.now {
			e.push(t, evDelete, p)
			e.busyUntil = max(e.busyUntil, t)
			continue
		}
		e.deletePod(p)
	}
}

// maxWait bounds an API call's wait (seconds): beyond MaxSimulatedTime, so
// it is never reached, and far from int64 overflow.
const maxWait = 1 << 40

// takeToken reserves one API call on the client's token bucket and returns
// the whole second at which it goes out.
func (e *engine) takeToken() int64 {
	qps := e.s.API.QPS
	if qps <= 0 {
		return e.now
	}
	burst := float64(max(e.s.API.Burst, 1))
	if e.now > e.tokensAt {
		e.tokens = min(burst, e.tokens+float64(e.now-e.tokensAt)*qps)
		e.tokensAt = e.now
	}
	e.tokens--
	if e.tokens >= 0 {
		return e.now
	}
	wait := -e.tokens / qps
	if !(wait < maxWait) {
		// a QPS so small the call never goes out within any horizon (the
		// float-to-int conversion below would be undefined)
		return e.now + maxWait
	}
	w := int64(wait)
	if float64(w) < wait {
		w++
	}
	return e.now + w
}

// ---- manage (daemon_controller.go manage / podsShouldBeOnNode) ----

// manage collects, for the nodes whose pods or placement call for it, the
// nodes needing a daemon pod and the pods to delete.
// upstream: daemon_controller.go manage
func (e *engine) manage() (creates, dels []int32) {
	full := func() bool {
		return e.failed == 0 && len(creates) >= daemonset.BurstReplicas && len(dels) >= daemonset.BurstReplicas
	}
	var orphans []int32
	for i := e.manageQ.next(0); i >= 0; i = e.manageQ.next(i + 1) {
		n := &e.nodes[i]
		if n.obj == nil {
			orphans = append(orphans, i)
			continue
		}
		c, d := e.podsShouldBeOnNode(i, true, dels)
		dels = d
		if c {
			creates = append(creates, i)
		}
		if full() {
			break
		}
	}
	// upstream: appended after the node loop
	for _, i := range orphans {
		dels = e.getUnscheduledPodsWithoutNode(i, dels)
	}
	return creates, dels
}

// getUnscheduledPodsWithoutNode appends to dels the pods of node i, which is
// not in the node list, that are not bound: the controller deletes them.
// upstream: daemon_controller.go getUnscheduledPodsWithoutNode
func (e *engine) getUnscheduledPodsWithoutNode(i int32, dels []int32) []int32 {
	for _, p := range e.nodes[i].pods {
		if !e.pods[p].bound {
			dels = append(dels, p)
		}
	}
	return dels
}

// podsShouldBeOnNode says whether node i needs a daemon pod and appends the
// pods to delete there to dels. With apply false it only tells whether
// manage would act (backoff ignored, nothing changed).
//
// upstream: daemon_controller.go podsShouldBeOnNode; its switch maps as
//
//	upstream case                          here
//	shouldRun && !exists                   case n.shouldRun && len(n.pods) == 0
//	shouldContinueRunning                  case n.shouldContinueRunning
//	  (failed pods, backoff, surge/no-surge: the same branches below)
//	!shouldContinueRunning && exists       default
//
// For a node missing from the node list, manage calls
// getUnscheduledPodsWithoutNode instead; refresh asks this function, which
// then answers as that one.
func (e *engine) podsShouldBeOnNode(i int32, apply bool, dels []int32) (create bool, out []int32) {
	n := &e.nodes[i]
	out = dels
	if n.obj == nil {
		return false, e.getUnscheduledPodsWithoutNode(i, out)
	}
	switch {
	case n.shouldRun && len(n.pods) == 0:
		return true, out
	case n.shouldContinueRunning:
		var running [4]int32
		run := running[:0]
		for _, id := range n.pods {
			p := &e.pods[id]
			if p.deleting {
				continue
			}
			switch p.phase {
			case phaseFailed:
				if apply {
					key := backoffKey{gen: e.ds.Status.ObservedGeneration, node: i}
					b, ok := e.backoffs[key]
					if ok && e.now-b.last <= 2*backoffMax && e.now-b.last < b.delay {
						// upstream: IsInBackOffSinceUpdate -> enqueueDaemonSetAfter(delay)
						// one wake per instant is enough (the workqueue keeps one
						// entry per key): without this, failed pods piling up on a
						// node push one event each per reconcile
						if t := e.now + b.delay; !e.wakes[t] {
							e.wakes[t] = true
							e.push(t, evWake, i)
						}
						continue
					}
					if !ok || e.now-b.last > 2*backoffMax {
						b = backoffEntry{delay: backoffInitial}
					} else {
						b.delay = min(b.delay*2, backoffMax)
					}
					b.last = e.now
					e.backoffs[key] = b
				}
				out = append(out, id)
			case phaseSucceeded:
				out = append(out, id)
			default:
				run = append(run, id)
			}
		}
		if !e.surge {
			if len(run) > 1 {
				out = append(out, run[1:]...)
			}
			return false, out
		}
		if len(run) <= 1 {
			return len(run) == 0 && n.shouldRun, out
		}
		oldestNew, oldestOld := int32(-1), int32(-1)
		for _, id := range run {
			if e.pods[id].hash == e.curHash && e.curHash >= 0 {
				if oldestNew < 0 {
					oldestNew = id
					continue
				}
			} else if oldestOld < 0 {
				oldestOld = id
				continue
			}
			out = append(out, id)
		}
		if oldestNew >= 0 && oldestOld >= 0 {
			if !e.pods[oldestOld].ready || e.available(&e.pods[oldestNew]) {
				out = append(out, oldestOld)
			}
		}
		return false, out
	default:
		for _, id := range n.pods {
			if !e.pods[id].deleting {
				out = append(out, id)
			}
		}
		return false, out
	}
}

// ---- rollingUpdate (update.go) ----

func (e *engine) desired() int { return e.status.desired }

// rollingUpdate is one pass of the rolling update over every node's group,
// read from the node classes refresh keeps (findUpdatedPodsOnNode gives
// oldPod and newPod; clsNotOk is its "not ok" answer, clsEmpty no pod).
// The sets are iterated in node order; upstream ranges over a map, so any
// order is one upstream could take (Scenario.Order picks it).
//
// upstream: pkg/controller/daemon/update.go rollingUpdate. Its two switches
// map to the classes as
//
//	maxSurge == 0 (first switch)                          classes
//	!ok (excess pods on the node): numUnavailable++       clsNotOk
//	no pod, or both old and new: numUnavailable++         clsEmpty, clsBothNUoU, clsBothNUoA, clsBothNAoU, clsBothNAoA
//	newPod only, unavailable: numUnavailable++            clsNewU
//	newPod only, available                                clsNewA
//	oldPod unavailable: allowedReplacementPods            clsOldURun, clsOldUNoRun, clsOldUMissing
//	oldPod available: candidatePodsToDelete, up to        clsOldARun, clsOldANoRun, clsOldAMissing
//	  maxUnavailable - numUnavailable
//
//	maxSurge > 0 (second switch)                          classes
//	oldPod == nil                                         clsEmpty, clsNewA, clsNewU
//	newPod == nil, old unavailable, !shouldRun            clsOldUNoRun (delete)
//	newPod == nil, old unavailable, shouldRun             clsOldURun (allowedNewNodes)
//	newPod == nil, old available, !shouldRun              clsOldANoRun (shouldNotRunPodsToDelete)
//	newPod == nil, old available, shouldRun               clsOldARun (candidateNewNodes, numSurge)
//	newPod == nil, node missing                           clsOldUMissing, clsOldAMissing (error)
//	both, new unavailable                                 clsBothNUoU, clsBothNUoA (numSurge++)
//	both, new available                                   clsBothNAoU, clsBothNAoA (delete oldPod)
func (e *engine) rollingUpdate() (creates, dels []int32, err error) {
	b, err := e.budget(e.desired())
	if err != nil {
		return nil, nil, err
	}
	if b.MaxSurge == 0 {
		total := e.counts[clsNotOk] + e.counts[clsEmpty] + e.counts[clsBothNUoU] + e.counts[clsBothNUoA] +
			e.counts[clsBothNAoU] + e.counts[clsBothNAoA] + e.counts[clsNewU] +
			e.counts[clsOldURun] + e.counts[clsOldUNoRun] + e.counts[clsOldUMissing]
		it := newMergedIter(&e.sets[clsOldURun], &e.sets[clsOldUNoRun], &e.sets[clsOldUMissing])
		for i := it.nextNode(); i >= 0 && len(dels) < daemonset.BurstReplicas; i = it.nextNode() {
			dels = append(dels, e.nodes[i].oldPod)
		}
		e.curRURepl = len(dels)
		nc := e.counts[clsOldARun] + e.counts[clsOldANoRun] + e.counts[clsOldAMissing]
		remaining := min(max(b.MaxUnavailable-total, 0), nc)
		it = newMergedIter(&e.sets[clsOldARun], &e.sets[clsOldANoRun], &e.sets[clsOldAMissing])
		for i := it.nextNode(); i >= 0 && remaining > 0 && len(dels) < daemonset.BurstReplicas; i = it.nextNode() {
			dels = append(dels, e.nodes[i].oldPod)
			remaining--
		}
		return nil, dels, nil
	}
	if e.counts[clsOldUMissing]+e.counts[clsOldAMissing] > 0 {
		// upstream: nodeLister.Get fails -> "couldn't get node for nodeName"
		return nil, nil, errMissingNode
	}
	numSurge := e.counts[clsNotOk] + e.counts[clsBothNUoU] + e.counts[clsBothNUoA]
	numAvailable := e.counts[clsBothNUoA] + e.counts[clsBothNAoA] + e.counts[clsNewA] +
		e.counts[clsOldARun] + e.counts[clsOldANoRun]
	it := newMergedIter(&e.sets[clsOldUNoRun], &e.sets[clsBothNAoU], &e.sets[clsBothNAoA])
	for i := it.nextNode(); i >= 0 && len(dels) < daemonset.BurstReplicas; i = it.nextNode() {
		dels = append(dels, e.nodes[i].oldPod)
	}
	if deletable := numAvailable - e.desired(); deletable > 0 {
		s := &e.sets[clsOldANoRun]
		for i := s.next(0); i >= 0 && deletable > 0 && len(dels) < daemonset.BurstReplicas; i = s.next(i + 1) {
			dels = append(dels, e.nodes[i].oldPod)
			deletable--
		}
	}
	s := &e.sets[clsOldURun]
	for i := s.next(0); i >= 0 && len(creates) < daemonset.BurstReplicas; i = s.next(i + 1) {
		creates = append(creates, i)
	}
	remaining := min(max(b.MaxSurge-numSurge, 0), e.counts[clsOldARun])
	s = &e.sets[clsOldARun]
	for i := s.next(0); i >= 0 && remaining > 0 && len(creates) < daemonset.BurstReplicas; i = s.next(i + 1) {
		creates = append(creates, i)
		remaining--
	}
	return creates, dels, nil
}

// budget is daemonset.UpdateBudget for the current DaemonSet, remembered for
// the last desired count (it only changes with the object or desired).
func (e *engine) budget(desired int) (daemonset.RollingUpdateCounts, error) {
	if e.budgetOK && e.budgetDesired == desired {
		return e.budgetVal, e.budgetErr
	}
	e.budgetVal, e.budgetErr = daemonset.UpdateBudget(e.ds, desired)
	e.budgetDesired, e.budgetOK = desired, true
	return e.budgetVal, e.budgetErr
}

type engineError string

func (e engineError) Error() string { return string(e) }

const errMissingNode = engineError("rolling update aborted: a node holding an old pod is not in the node list")

// ---- status (updateDaemonSetStatus) ----

// updateDaemonSetStatus is the status the controller writes: the counters
// of every node (kept by refresh), the generation it observed.
// upstream: daemon_controller.go updateDaemonSetStatus, storeDaemonSetStatus
func (e *engine) updateDaemonSetStatus() appsv1.DaemonSetStatus {
	st := e.ds.Status
	st.DesiredNumberScheduled = int32(e.status.desired)
	st.CurrentNumberScheduled = int32(e.status.current)
	st.NumberReady = int32(e.status.ready)
	st.NumberAvailable = int32(e.status.available)
	st.UpdatedNumberScheduled = int32(e.status.updated)
	st.NumberMisscheduled = int32(e.status.misscheduled)
	st.NumberUnavailable = st.DesiredNumberScheduled - st.NumberAvailable
	st.ObservedGeneration = e.ds.Generation
	return st
}

// ---- per-node derived state ----

func (e *engine) updated(p *pod) bool {
	return (p.hash >= 0 && p.hash == e.curHash) || (e.hasGen && p.hasGen && p.gen == e.genStr)
}

// available is podutil.IsPodAvailable at the controller's now.
func (e *engine) available(p *pod) bool {
	if !p.ready {
		return false
	}
	if e.minReady == 0 {
		return true
	}
	return !p.readyZero && p.readySince+e.minReady <= e.now
}

// refresh recomputes node i's class, status bits and manage membership.
func (e *engine) refresh(i int32) {
	n := &e.nodes[i]
	// class
	cls := clsOut
	n.newPod, n.oldPod = -1, -1
	if len(n.pods) > 0 || (n.obj != nil && n.shouldRun) {
		notOk := false
		for _, id := range n.pods {
			p := &e.pods[id]
			if p.deleting {
				continue
			}
			if e.updated(p) {
				if n.newPod >= 0 {
					notOk = true
					break
				}
				n.newPod = id
			} else {
				if n.oldPod >= 0 {
					notOk = true
					break
				}
				n.oldPod = id
			}
		}
		switch {
		case notOk:
			cls = clsNotOk
		case n.newPod < 0 && n.oldPod < 0:
			cls = clsEmpty
		case n.newPod >= 0 && n.oldPod >= 0:
			na, oa := e.available(&e.pods[n.newPod]), e.available(&e.pods[n.oldPod])
			switch {
			case !na && !oa:
				cls = clsBothNUoU
			case !na:
				cls = clsBothNUoA
			case !oa:
				cls = clsBothNAoU
			default:
				cls = clsBothNAoA
			}
		case n.newPod >= 0:
			if e.available(&e.pods[n.newPod]) {
				cls = clsNewA
			} else {
				cls = clsNewU
			}
		default:
			available := e.available(&e.pods[n.oldPod])
			switch {
			case n.obj == nil && available:
				cls = clsOldAMissing
			case n.obj == nil:
				cls = clsOldUMissing
			case !n.shouldRun && available:
				cls = clsOldANoRun
			case !n.shouldRun:
				cls = clsOldUNoRun
			case available:
				cls = clsOldARun
			default:
				cls = clsOldURun
			}
		}
		if notOk {
			n.newPod, n.oldPod = -1, -1
		}
	}
	if cls != n.cls {
		e.counts[n.cls]--
		e.sets[n.cls].remove(i)
		n.cls = cls
		e.counts[cls]++
		e.sets[cls].add(i)
	}
	// status
	var st uint8
	if n.obj != nil {
		if n.shouldRun {
			st |= stDesired
			if len(n.pods) > 0 {
				st |= stCurrent
				p := &e.pods[n.pods[0]]
				if p.ready {
					st |= stReady
					if e.available(p) {
						st |= stAvailable
					}
				}
				if e.updated(p) {
					st |= stUpdated
				}
			}
		} else if len(n.pods) > 0 {
			st |= stMisscheduled
		}
	}
	if st != n.st {
		e.status.add(n.st, -1)
		e.status.add(st, +1)
		n.st = st
	}
	// manage
	c, d := e.podsShouldBeOnNode(i, false, nil)
	m := c || len(d) > 0
	if m != n.manage {
		n.manage = m
		if m {
			e.manageQ.add(i)
		} else {
			e.manageQ.remove(i)
		}
	}
}

// sortPods orders a node's group as podByCreationTimestampAndPhase: bound
// first, then older creation, then name.
func (e *engine) sortPods(ids []int32) {
	if len(ids) < 2 {
		return
	}
	slices.SortStableFunc(ids, func(a, b int32) int {
		p, q := &e.pods[a], &e.pods[b]
		switch {
		case p.bound != q.bound:
			if p.bound {
				return -1
			}
			return 1
		case p.created != q.created:
			return cmp.Compare(p.created, q.created)
		}
		return strings.Compare(p.name, q.name)
	})
}

func (e *engine) dur(t int64) time.Duration { return time.Duration(t) * time.Second }
