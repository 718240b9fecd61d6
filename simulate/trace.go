package simulate

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
)

// tracer records the steps and the running figures of the summary.
type tracer struct {
	steps      []Step
	reconciles int
	creates    int
	deletes    int
	// failedCreates counts the creates the API server refused.
	failedCreates int
	truncated     bool

	haveLast   bool
	last       appsv1.DaemonSetStatus
	lastActed  int64
	minAvail   int32
	minAvailAt int64
	maxUnav    int32
	maxUnavAt  int64
	seen       bool
	updSince   int64
	availSince int64
	breaches   []BudgetBreach
	inBreach   int32
	errors     []ControllerError
	// orphans records the pods removed nodes left (podgc.go); openOrphans
	// indexes the records of nodes still missing.
	orphans     []OrphanedPods
	openOrphans map[int32]int
	// evictions are the taint-eviction controller's deletes.
	evictions []Eviction

	// scratch buffers for the reconcile in progress, and an arena the
	// recorded steps' node lists are carved from (few allocations for
	// hundreds of thousands of steps).
	scratchC, scratchD, scratchF []string
	arena                        []string

	// afterReconcile, when set (by this package's tests), sees the engine
	// after every reconcile.
	afterReconcile func(*engine)
}

// keep copies names into the arena.
func (t *tracer) keep(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	if cap(t.arena)-len(t.arena) < len(names) {
		t.arena = make([]string, 0, max(4096, len(names)))
	}
	k := len(t.arena)
	t.arena = append(t.arena, names...)
	return t.arena[k : k+len(names) : k+len(names)]
}

// record keeps a finished reconcile when it acted or changed the status, and
// updates the running figures.
func (t *tracer) record(e *engine, s Step) {
	if t.afterReconcile != nil {
		t.afterReconcile(e)
	}
	acted := len(s.Created) > 0 || len(s.Deleted) > 0
	t.scratchC, t.scratchD, t.scratchF = s.Created[:0], s.Deleted[:0], s.FailedCreate[:0]
	if acted || len(s.FailedCreate) > 0 || !t.haveLast || e.s.AllSteps || !statusEqual(s.Status, t.last) {
		s.Created, s.Deleted, s.FailedCreate = t.keep(s.Created), t.keep(s.Deleted), t.keep(s.FailedCreate)
		if t.steps == nil {
			t.steps = make([]Step, 0, 2*len(e.nodes)+16)
		}
		t.steps = append(t.steps, s)
	}
	t.haveLast = true
	t.last = s.Status
	now := e.now
	if acted {
		t.lastActed = now
	}
	st := s.Status
	if !t.seen || st.NumberAvailable < t.minAvail {
		t.minAvail, t.minAvailAt = st.NumberAvailable, now
	}
	if !t.seen || st.NumberUnavailable > t.maxUnav {
		t.maxUnav, t.maxUnavAt = st.NumberUnavailable, now
	}
	if !t.seen {
		t.updSince, t.availSince = -1, -1
	}
	t.seen = true
	allUpd := st.UpdatedNumberScheduled == st.DesiredNumberScheduled && st.CurrentNumberScheduled == st.DesiredNumberScheduled
	if allUpd && t.updSince < 0 {
		t.updSince = now
	} else if !allUpd {
		t.updSince = -1
	}
	allAv := allUpd && st.NumberAvailable == st.DesiredNumberScheduled
	if allAv && t.availSince < 0 {
		t.availSince = now
	} else if !allAv {
		t.availSince = -1
	}
	// budget breaches on the non-surge path
	if e.rolling {
		if b, err := e.budget(int(st.DesiredNumberScheduled)); err == nil && b.MaxSurge == 0 {
			if st.NumberUnavailable > int32(b.MaxUnavailable) {
				if st.NumberUnavailable > t.inBreach {
					t.breaches = append(t.breaches, BudgetBreach{
						Time: e.dur(now), Unavailable: st.NumberUnavailable,
						MaxUnavailable: int32(b.MaxUnavailable), Cause: e.breachCause(),
					})
					t.inBreach = st.NumberUnavailable
				}
			} else {
				t.inBreach = 0
			}
		}
	}
}

func statusEqual(a, b appsv1.DaemonSetStatus) bool {
	if a.DesiredNumberScheduled != b.DesiredNumberScheduled || a.CurrentNumberScheduled != b.CurrentNumberScheduled ||
		a.NumberReady != b.NumberReady || a.NumberAvailable != b.NumberAvailable ||
		a.UpdatedNumberScheduled != b.UpdatedNumberScheduled || a.NumberMisscheduled != b.NumberMisscheduled ||
		a.NumberUnavailable != b.NumberUnavailable || a.ObservedGeneration != b.ObservedGeneration {
		return false
	}
	if (a.CollisionCount == nil) != (b.CollisionCount == nil) {
		return false
	}
	return a.CollisionCount == nil || *a.CollisionCount == *b.CollisionCount
}

// controllerError notes an error a sync returned (the controller logs it
// and requeues the DaemonSet with backoff, requeue.go; the sync did nothing
// after the failing step).
func (t *tracer) controllerError(e *engine, err error) {
	msg := err.Error()
	if n := len(t.errors); n > 0 && t.errors[n-1].Message == msg {
		return
	}
	t.errors = append(t.errors, ControllerError{Time: e.at(), Message: msg})
}

// breachCause says why upstream let unavailability pass maxUnavailable in
// the reconcile just finished.
func (e *engine) breachCause() Cause {
	switch {
	case e.curRURepl > 0:
		return CauseUnavailableOldPodsReplaced
	case e.status.desired-e.status.current > 0:
		return CauseNodesWithoutPod
	default:
		return CausePodsBecameUnavailable
	}
}

// result assembles the Result at the end of the run.
func (e *engine) result() *Result {
	ds := e.ds.DeepCopy()
	if e.trace.steps != nil || e.trace.haveLast {
		ds.Status = e.updateDaemonSetStatus()
	}
	r := &Result{Steps: e.trace.steps, DaemonSet: ds, Revisions: e.controllerRevisions(), Evictions: e.trace.evictions}
	r.Summary = e.summarize()
	return r
}

func durPtr(t int64) *time.Duration {
	if t < 0 {
		return nil
	}
	d := time.Duration(t) * time.Second
	return &d
}

// WriteTrace writes r's steps as a table, one line per step: time,
// reconcile number, created and deleted counts with the nodes (at most
// maxNodes named per list, 0 = all), and the status counters
// desired/current/ready/updated/available/unavailable/misscheduled, then,
// on a step with creates the API server refused, "FailedCreate" and those
// nodes. The output depends only on r (deterministic).
func WriteTrace(w io.Writer, r *Result, maxNodes int) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%-8s %-6s %-24s %-24s %s\n", "TIME", "SYNC", "CREATED", "DELETED", "DES/CUR/RDY/UPD/AVL/UNAV/MIS")
	for _, s := range r.Steps {
		st := s.Status
		fmt.Fprintf(bw, "%-8s %-6d %-24s %-24s %d/%d/%d/%d/%d/%d/%d", s.Time, s.Reconcile,
			nodeList(s.Created, maxNodes), nodeList(s.Deleted, maxNodes),
			st.DesiredNumberScheduled, st.CurrentNumberScheduled, st.NumberReady, st.UpdatedNumberScheduled,
			st.NumberAvailable, st.NumberUnavailable, st.NumberMisscheduled)
		if len(s.FailedCreate) > 0 {
			fmt.Fprintf(bw, " FailedCreate %s", nodeList(s.FailedCreate, maxNodes))
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

func nodeList(names []string, maxNodes int) string {
	if len(names) == 0 {
		return "-"
	}
	shown := names
	if maxNodes > 0 && len(shown) > maxNodes {
		shown = shown[:maxNodes]
	}
	s := fmt.Sprintf("%d:%s", len(names), strings.Join(shown, ","))
	if len(shown) < len(names) {
		s += ",…"
	}
	return s
}
