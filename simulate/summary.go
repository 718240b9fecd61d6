package simulate

import (
	"strconv"
	"strings"
	"time"
)

// Summary condenses a rollout into the answers people ask for.
type Summary struct {
	// End is the last simulated instant (the last reconcile).
	End time.Duration
	// Reconciles counts every reconcile, recorded or not.
	Reconciles int
	// Creates and Deletes count the pod writes that took effect.
	Creates, Deletes int
	// FailedCreates counts the creates the API server refused: the
	// controller's FailedCreate events (Step.FailedCreate).
	FailedCreates int
	// Truncated says a limit (a field of Limits) ended the run
	// before the controller came to rest.
	Truncated bool

	// AllUpdated is the instant from which, to the end, every desired node
	// ran the current template (updatedNumberScheduled == desiredNumberScheduled
	// and every desired node has a pod); nil if that never held at the end.
	AllUpdated *time.Duration
	// AllAvailable is the instant from which, to the end, additionally every
	// desired node's pod was available; nil if never reached.
	AllAvailable *time.Duration

	// MinAvailable is the lowest numberAvailable after any reconcile.
	MinAvailable int32
	// MinAvailableAt is the first instant MinAvailable was reached.
	MinAvailableAt time.Duration
	// MaxUnavailable is the highest numberUnavailable after any reconcile.
	MaxUnavailable int32
	// MaxUnavailableAt is the first instant MaxUnavailable was reached.
	MaxUnavailableAt time.Duration

	// Breaches lists the reconciles after which more desired nodes were
	// unavailable than the non-surge budget maxUnavailable allows, with the
	// reason upstream allows it. Empty for surge and OnDelete strategies.
	Breaches []BudgetBreach

	// Errors lists the errors the controller's syncs returned (an
	// unparsable budget, an old pod on a node missing from the node list on
	// the surge path, a create the API server refused), each from the first
	// reconcile that hit it in a row. Each failed sync requeues the
	// DaemonSet with the work queue's backoff (5 ms, doubling, at most
	// 1000 s; reset by a sync that succeeds): the run simulates the retries
	// until only they remain and their delay reached 1000 s, when each
	// later one would fail alike.
	Errors []ControllerError

	// Orphans are the removed nodes that held daemon pods, and what became
	// of those pods (Scenario.PodGC).
	Orphans []OrphanedPods

	// Uncovered are the desired nodes that, at the end, do not run an
	// available pod of the current template, with the cause.
	Uncovered []NodeIssue

	// Stuck says the controller came to rest (nothing more would ever
	// happen) before every desired node ran an available current pod.
	Stuck bool
	// StuckSince is the last instant at which the controller acted.
	StuckSince time.Duration
	// Blocking are the nodes that hold the rollout, with the cause.
	Blocking []NodeIssue

	// Done is what `kubectl rollout status` would say at the end:
	// observedGeneration >= generation, updatedNumberScheduled ==
	// desiredNumberScheduled and numberAvailable == desiredNumberScheduled
	// (always false for OnDelete, which kubectl does not track).
	Done bool
	// AllCurrentAndAvailable says the rollout is over by the DaemonSet's
	// own measure, stricter than Done: every desired node runs an available
	// pod of the current template, and no pod of another revision remains
	// on any node. (Formerly TrulyDone.)
	AllCurrentAndAvailable bool
}

// BudgetBreach is one reconcile after which unavailability exceeded the
// non-surge budget.
type BudgetBreach struct {
	// Time is the instant of the reconcile.
	Time time.Duration
	// Unavailable is status.numberUnavailable after it.
	Unavailable int32
	// MaxUnavailable is the budget scaled against desired at that time.
	MaxUnavailable int32
	// Cause is why upstream let it happen.
	Cause Cause
}

// Cause names why a node is not covered, blocks a rollout or why a budget
// was exceeded.
type Cause string

// Causes. Each constant is named after its value.
const (
	// CausePodNeverReady: the node's pod never turns Ready (Kubelet.Broken
	// or a NotReady node).
	CausePodNeverReady Cause = "PodNeverReady"
	// CauseCrashLoopBackOff: the pod's container crash-loops.
	CauseCrashLoopBackOff Cause = "CrashLoopBackOff"
	// CauseFailed: the node's pods fail (Kubelet.Failing); the controller
	// keeps replacing them under backoff.
	CauseFailed Cause = "Failed"
	// CausePending: the pod is never bound (Kubelet.Pending).
	CausePending Cause = "Pending"
	// CauseHostPortConflict: the new pod cannot bind beside the old one
	// because both use a host port (surge).
	CauseHostPortConflict Cause = "HostPortConflict"
	// CausePodAntiAffinity: the new pod cannot bind beside the old one
	// because a required pod anti-affinity term of one matches the other
	// (surge).
	CausePodAntiAffinity Cause = "PodAntiAffinity"
	// CauseBudgetEatenByUnavailable: maxUnavailable is used up by nodes that
	// never become available, so old pods elsewhere are never replaced.
	CauseBudgetEatenByUnavailable Cause = "BudgetEatenByUnavailable"
	// CauseWaitingForTurn: the node still runs an available pod of an
	// earlier revision because the run was cut (Summary.Truncated) before
	// the update reached it; nothing holds it.
	CauseWaitingForTurn Cause = "WaitingForTurn"
	// CauseOldPodKept: the node still runs a pod of an earlier revision
	// (OnDelete waits for someone to delete it).
	CauseOldPodKept Cause = "OldPodKept"
	// CauseTerminating: the node's only pod is terminating.
	CauseTerminating Cause = "Terminating"
	// CauseNoPod: the node has no daemon pod.
	CauseNoPod Cause = "NoPod"
	// CauseAdmissionRefused: the node has no daemon pod because the API
	// server's Priority admission refuses the template's pod (a missing
	// PriorityClass, spec.priority or spec.preemptionPolicy the class does
	// not give): every create fails with FailedCreate.
	CauseAdmissionRefused Cause = "AdmissionRefused"
	// CauseStarting: the pod is starting and not yet available (the run was
	// truncated).
	CauseStarting Cause = "Starting"
	// CauseUnavailableOldPodsReplaced: upstream deletes every old pod that
	// is already unavailable regardless of the budget (update.go
	// rollingUpdate allowedReplacementPods).
	CauseUnavailableOldPodsReplaced Cause = "UnavailableOldPodsReplaced"
	// CauseNodesWithoutPod: desired nodes without any pod (new nodes, newly
	// eligible nodes, creation) count as unavailable before the controller
	// can act.
	CauseNodesWithoutPod Cause = "NodesWithoutPod"
	// CauseOrphanedPod: a removed node's old pod is still bound to its name
	// and the surge path's rolling update fails on it until the pod garbage
	// collector deletes it (Scenario.PodGC); the old pods elsewhere wait for
	// it.
	CauseOrphanedPod Cause = "OrphanedPod"
	// CauseTaintEvictionLoop: the node has a NoExecute taint the pods
	// tolerate with tolerationSeconds: the taint-eviction controller deletes
	// each that long after it binds and the controller creates another, for
	// as long as the taint stays (kubernetes/kubernetes#117520).
	CauseTaintEvictionLoop Cause = "TaintEvictionLoop"
	// CausePodsBecameUnavailable: pods became unavailable by themselves
	// (node NotReady, crash), not by the controller's deletes.
	CausePodsBecameUnavailable Cause = "PodsBecameUnavailable"
)

// Former names of causes whose Go name differed from their value.
const (
	// Deprecated: use CausePodNeverReady.
	CauseNodeBroken = CausePodNeverReady
	// Deprecated: use CauseCrashLoopBackOff.
	CauseCrashLoop = CauseCrashLoopBackOff
	// Deprecated: use CauseFailed.
	CausePodFailed = CauseFailed
	// Deprecated: use CauseBudgetEatenByUnavailable.
	CauseBudgetEatenByUnready = CauseBudgetEatenByUnavailable
	// Deprecated: use CauseUnavailableOldPodsReplaced.
	CauseUnavailableReplaced = CauseUnavailableOldPodsReplaced
	// Deprecated: use CausePodsBecameUnavailable.
	CauseUnavailableBeforeUpdate = CausePodsBecameUnavailable
)

// ControllerError is an error a reconcile returned; upstream logs it and
// retries. The reconcile did nothing after the failing step.
type ControllerError struct {
	// Time is the instant of the reconcile.
	Time time.Duration
	// Message is the error.
	Message string
}

// NodeIssue is one node and why it is not where the rollout wants it.
type NodeIssue struct {
	// Node is the node name.
	Node string
	// Cause classifies the issue.
	Cause Cause
	// Detail says it for a person, naming the pod.
	Detail string
}

// summarize computes the Summary from the final state and the tracer.
func (e *engine) summarize() Summary {
	t := e.trace
	s := Summary{
		End:              e.at(),
		Reconciles:       t.reconciles,
		Creates:          t.creates,
		Deletes:          t.deletes,
		FailedCreates:    t.failedCreates,
		Truncated:        t.truncated,
		MinAvailable:     t.minAvail,
		MinAvailableAt:   e.dur(t.minAvailAt),
		MaxUnavailable:   t.maxUnav,
		MaxUnavailableAt: e.dur(t.maxUnavAt),
		Breaches:         t.breaches,
		Errors:           t.errors,
		StuckSince:       e.dur(t.lastActed),
	}
	if t.seen {
		s.AllUpdated = durPtr(t.updSince)
		s.AllAvailable = durPtr(t.availSince)
	}
	st := e.updateDaemonSetStatus()
	s.Done = e.rolling && st.ObservedGeneration >= e.ds.Generation &&
		st.UpdatedNumberScheduled == st.DesiredNumberScheduled && st.NumberAvailable == st.DesiredNumberScheduled
	s.AllCurrentAndAvailable = true
	for i := range e.nodes {
		n := &e.nodes[i]
		for _, id := range n.pods {
			if !e.updated(&e.pods[id]) {
				s.AllCurrentAndAvailable = false
			}
		}
		if n.obj == nil || !n.shouldRun {
			continue
		}
		if issue, ok := e.nodeIssue(int32(i)); ok {
			s.AllCurrentAndAvailable = false
			s.Uncovered = append(s.Uncovered, issue)
		}
	}
	if s.Truncated {
		e.waitingForTurn(s.Uncovered)
	}
	orphanBlocking := e.orphanSummary(&s)
	if len(orphanBlocking) > 0 {
		s.AllCurrentAndAvailable = false
		// the old pods wait for the orphan, not for a budget
		for i, u := range s.Uncovered {
			if u.Cause == CauseBudgetEatenByUnavailable || u.Cause == CauseWaitingForTurn {
				s.Uncovered[i].Cause = CauseOrphanedPod
				s.Uncovered[i].Detail = strings.Replace(strings.Replace(u.Detail, budgetEatenDetail, orphanWaitDetail+orphanBlocking[0].Node, 1),
					waitingDetail, orphanWaitDetail+orphanBlocking[0].Node, 1)
			}
		}
	}
	if !s.AllCurrentAndAvailable && !s.Truncated {
		s.Stuck = true
		s.Blocking = orphanBlocking
		for _, u := range s.Uncovered {
			if u.Cause != CauseBudgetEatenByUnavailable && u.Cause != CauseOldPodKept && u.Cause != CauseOrphanedPod {
				s.Blocking = append(s.Blocking, u)
			}
		}
		if len(s.Blocking) == 0 {
			s.Blocking = s.Uncovered
		}
	} else if s.Truncated {
		s.Blocking = orphanBlocking
	}
	return s
}

// waitingForTurn re-labels, in a cut run, the old pods said to wait for a
// budget eaten by unavailable nodes: unless the nodes whose pods will not
// turn available by themselves hold the whole budget, the update simply had
// not reached them yet.
func (e *engine) waitingForTurn(uncovered []NodeIssue) {
	stalled := 0
	for _, u := range uncovered {
		switch u.Cause {
		case CauseNodeBroken, CauseCrashLoop, CausePodFailed, CausePending, CauseHostPortConflict, CausePodAntiAffinity:
			stalled++
		}
	}
	if b, err := e.budget(e.desired()); err == nil {
		limit := b.MaxUnavailable
		if b.MaxSurge > 0 {
			limit = b.MaxSurge
		}
		if stalled >= max(limit, 1) {
			return
		}
	}
	for i, u := range uncovered {
		if u.Cause == CauseBudgetEatenByUnavailable {
			uncovered[i].Cause = CauseWaitingForTurn
			uncovered[i].Detail = strings.Replace(u.Detail, budgetEatenDetail, waitingDetail, 1)
		}
	}
}

const (
	budgetEatenDetail = "waits: the update budget is used by unavailable nodes"
	waitingDetail     = "waits its turn: the run was cut before the update reached it"
	orphanWaitDetail  = "waits: the surge path's rolling update fails on the orphaned pod of removed node "
)

// nodeIssue says why desired node i does not run an available current pod.
func (e *engine) nodeIssue(i int32) (NodeIssue, bool) {
	n := &e.nodes[i]
	if why := e.taintEvictionLoop(i); why != "" {
		return NodeIssue{Node: n.name, Cause: CauseTaintEvictionLoop,
			Detail: "evicted " + strconv.Itoa(n.evictions) + " time(s): " + why}, true
	}
	var cur, old, term int32 = -1, -1, -1
	for _, id := range n.pods {
		p := &e.pods[id]
		switch {
		case p.deleting:
			term = id
		case e.updated(p):
			if cur < 0 {
				cur = id
			}
		default:
			if old < 0 {
				old = id
			}
		}
	}
	if cur >= 0 {
		p := &e.pods[cur]
		if e.available(p) {
			return NodeIssue{}, false
		}
		d := "pod " + p.name + " of the current revision is not available"
		if why := e.startupWhy(cur); why != "" {
			d += ": " + why
		}
		if n.nodeNotReady && p.bound && p.cause == "" {
			d += ": " + notReadyNodeCause
		}
		if p.cause == CausePodAntiAffinity {
			d += ": a required pod anti-affinity term keeps it off the node while the DaemonSet's other pod is there"
		}
		if p.rev >= 0 && !p.bound {
			if why := e.revs[p.rev].pending[i]; why != "" {
				d += ": " + why
			}
		}
		return NodeIssue{Node: n.name, Cause: e.podCause(n, p), Detail: d}, true
	}
	if old >= 0 {
		p := &e.pods[old]
		switch {
		case !e.rolling:
			return NodeIssue{Node: n.name, Cause: CauseOldPodKept, Detail: "OnDelete: pod " + p.name + " of an earlier revision waits to be deleted"}, true
		case !e.available(p):
			d := "pod " + p.name + " of an earlier revision is not available"
			if n.nodeNotReady && p.bound && p.cause == "" {
				d += ": " + notReadyNodeCause
			}
			return NodeIssue{Node: n.name, Cause: e.podCause(n, p), Detail: d}, true
		}
		return NodeIssue{Node: n.name, Cause: CauseBudgetEatenByUnavailable,
			Detail: "pod " + p.name + " of an earlier revision " + budgetEatenDetail}, true
	}
	if term >= 0 {
		return NodeIssue{Node: n.name, Cause: CauseTerminating, Detail: "pod " + e.pods[term].name + " is terminating"}, true
	}
	if r := e.revs[e.curRev].refused; r != nil {
		return NodeIssue{Node: n.name, Cause: CauseAdmissionRefused, Detail: "the API server refuses the daemon pod: " + r.Error()}, true
	}
	return NodeIssue{Node: n.name, Cause: CauseNoPod, Detail: "no daemon pod"}, true
}

// notReadyNodeCause is why a pod on a NotReady or unreachable node is not
// Ready, as Place (NodePlacement.NotReady) and Rollout say it.
const notReadyNodeCause = "the node is NotReady or unreachable (Ready condition not True): the node lifecycle controller marks its pods not Ready"

// podCause says why a pod is not available.
func (e *engine) podCause(n *nodeState, p *pod) Cause {
	switch {
	case p.cause != "":
		return p.cause
	case n.nodeNotReady:
		return CausePodNeverReady
	case p.phase == phaseFailed || n.failing:
		return CauseFailed
	case !p.bound:
		return CausePending
	case p.ready || p.readyAt != never:
		return CauseStarting
	}
	return CausePodNeverReady
}
