package simtest

import (
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate"
)

// CheckRolloutInvariants reports every broken invariant of a rollout
// result, whatever the scenario:
//
//   - a monotone clock: steps in order, reconcile numbers strictly
//     increasing from 1 up to Summary.Reconciles, times in whole seconds,
//     never decreasing, none after Summary.End;
//   - a consistent status after every reconcile, as upstream's
//     updateDaemonSetStatus counts it: current ≤ desired, ready ≤ current,
//     available ≤ ready, updated ≤ current, unavailable = desired −
//     available, no negative count; the final DaemonSet carries the last
//     step's status, and the steps of the final generation report it as
//     observed;
//   - at most one pod created per node in one reconcile (podsShouldBeOnNode
//     and the surge path each create one, never both), and no more creates
//     and deletes counted than the steps list;
//   - a summary that matches the steps: MinAvailable and MaxUnavailable and
//     the first instants they were reached, AllUpdated and AllAvailable as
//     the instants from which every desired node stayed updated
//     (available) to the end, kubectl's Done only when the final status is
//     updated and available everywhere, Stuck never with Truncated;
//   - the budget: every BudgetBreach is a recorded step over its
//     maxUnavailable, in time order, with a cause; and no step of the final
//     template under a non-surge RollingUpdate exceeds maxUnavailable
//     (daemonset.UpdateBudget against that step's desired count) unless a
//     breach at or before it covers it.
//
// A run of a healthy cluster (simtest.HealthyScenario) also has no breach at
// all; that property depends on the scenario and is left to the caller.
//
// upstream: pkg/controller/daemon/daemon_controller.go updateDaemonSetStatus,
// podsShouldBeOnNode; update.go rollingUpdate.
func CheckRolloutInvariants(t TB, r *simulate.Result) {
	helper(t)
	if r == nil {
		t.Errorf("rollout result is nil")
		return
	}
	s := r.Summary
	steps := r.Steps
	var created, deleted int
	for i, st := range steps {
		at := func(format string, args ...any) {
			helper(t)
			t.Errorf("step %d (t=%v, reconcile %d): "+format, append([]any{i, st.Time, st.Reconcile}, args...)...)
		}
		if st.Time < 0 || st.Time%time.Second != 0 || st.Time > s.End {
			at("time not a whole second in [0, End=%v]", s.End)
		}
		if st.Reconcile < 1 || st.Reconcile > s.Reconciles {
			at("reconcile number outside [1, %d]", s.Reconciles)
		}
		if i > 0 {
			prev := steps[i-1]
			if st.Time < prev.Time {
				at("time goes back from %v", prev.Time)
			}
			if st.Reconcile <= prev.Reconcile {
				at("reconcile number not after %d", prev.Reconcile)
			}
		}
		x := st.Status
		if x.DesiredNumberScheduled < 0 || x.NumberMisscheduled < 0 || x.NumberUnavailable < 0 || x.NumberAvailable < 0 ||
			x.CurrentNumberScheduled < 0 || x.NumberReady < 0 || x.UpdatedNumberScheduled < 0 ||
			x.CurrentNumberScheduled > x.DesiredNumberScheduled || x.NumberReady > x.CurrentNumberScheduled ||
			x.NumberAvailable > x.NumberReady || x.UpdatedNumberScheduled > x.CurrentNumberScheduled ||
			x.NumberUnavailable != x.DesiredNumberScheduled-x.NumberAvailable {
			at("inconsistent status %s", statusString(x))
		}
		seen := make(map[string]bool, len(st.Created))
		for _, n := range st.Created {
			if seen[n] {
				at("two pods created on node %s", n)
			}
			seen[n] = true
		}
		created += len(st.Created)
		deleted += len(st.Deleted)
	}
	if s.Creates < 0 || s.Creates > created || s.Deletes < 0 || s.Deletes > deleted {
		t.Errorf("summary counts %d creates and %d deletes; the steps list %d and %d", s.Creates, s.Deletes, created, deleted)
	}
	if s.StuckSince < 0 || s.StuckSince > s.End || s.MinAvailableAt > s.End || s.MaxUnavailableAt > s.End {
		t.Errorf("summary instants after End %v: stuck since %v, min available at %v, max unavailable at %v",
			s.End, s.StuckSince, s.MinAvailableAt, s.MaxUnavailableAt)
	}
	if s.Stuck && s.Truncated {
		t.Errorf("summary says both stuck and truncated")
	}
	if len(steps) == 0 {
		if len(s.Breaches) > 0 || s.AllUpdated != nil || s.AllAvailable != nil {
			t.Errorf("no steps, but the summary reports breaches or completion: %+v", s)
		}
		return
	}
	last := steps[len(steps)-1]
	if r.DaemonSet != nil {
		if !sameCounts(r.DaemonSet.Status, last.Status) {
			t.Errorf("final DaemonSet status %s differs from the last step's %s", statusString(r.DaemonSet.Status), statusString(last.Status))
		}
		if last.Status.ObservedGeneration != r.DaemonSet.Generation {
			t.Errorf("last step observed generation %d, the DaemonSet is at %d", last.Status.ObservedGeneration, r.DaemonSet.Generation)
		}
	}
	checkExtremes(t, r)
	checkSettled(t, r)
	checkBudget(t, r)
}

// checkExtremes holds MinAvailable and MaxUnavailable to the steps.
func checkExtremes(t TB, r *simulate.Result) {
	helper(t)
	minAv, minAt := r.Steps[0].Status.NumberAvailable, r.Steps[0].Time
	maxUn, maxAt := r.Steps[0].Status.NumberUnavailable, r.Steps[0].Time
	for _, st := range r.Steps[1:] {
		if st.Status.NumberAvailable < minAv {
			minAv, minAt = st.Status.NumberAvailable, st.Time
		}
		if st.Status.NumberUnavailable > maxUn {
			maxUn, maxAt = st.Status.NumberUnavailable, st.Time
		}
	}
	s := r.Summary
	if s.MinAvailable != minAv || s.MinAvailableAt != minAt {
		t.Errorf("summary: lowest availability %d at %v; the steps say %d at %v", s.MinAvailable, s.MinAvailableAt, minAv, minAt)
	}
	if s.MaxUnavailable != maxUn || s.MaxUnavailableAt != maxAt {
		t.Errorf("summary: highest unavailability %d at %v; the steps say %d at %v", s.MaxUnavailable, s.MaxUnavailableAt, maxUn, maxAt)
	}
}

// checkSettled holds AllUpdated, AllAvailable and Done to the steps.
func checkSettled(t TB, r *simulate.Result) {
	helper(t)
	since := func(ok func(appsv1.DaemonSetStatus) bool) *time.Duration {
		var from *time.Duration
		for i := len(r.Steps) - 1; i >= 0 && ok(r.Steps[i].Status); i-- {
			at := r.Steps[i].Time
			from = &at
		}
		return from
	}
	updated := func(x appsv1.DaemonSetStatus) bool {
		return x.UpdatedNumberScheduled == x.DesiredNumberScheduled && x.CurrentNumberScheduled == x.DesiredNumberScheduled
	}
	available := func(x appsv1.DaemonSetStatus) bool {
		return updated(x) && x.NumberAvailable == x.DesiredNumberScheduled
	}
	s := r.Summary
	if want := since(updated); !sameInstant(s.AllUpdated, want) {
		t.Errorf("summary: every node updated since %s; the steps say %s", instant(s.AllUpdated), instant(want))
	}
	if want := since(available); !sameInstant(s.AllAvailable, want) {
		t.Errorf("summary: every node available since %s; the steps say %s", instant(s.AllAvailable), instant(want))
	}
	if s.Done && !available(r.Steps[len(r.Steps)-1].Status) {
		t.Errorf("summary: kubectl rollout status done, but the final status is %s", statusString(r.Steps[len(r.Steps)-1].Status))
	}
}

// checkBudget holds the breaches to the steps, and the steps of the final
// template to its non-surge budget.
func checkBudget(t TB, r *simulate.Result) {
	helper(t)
	breaches := r.Summary.Breaches
	for i, b := range breaches {
		if b.Unavailable <= b.MaxUnavailable || b.MaxUnavailable < 0 || b.Cause == "" {
			t.Errorf("breach %d at %v: %d unavailable, budget %d, cause %q", i, b.Time, b.Unavailable, b.MaxUnavailable, b.Cause)
		}
		if i > 0 && b.Time < breaches[i-1].Time {
			t.Errorf("breach %d at %v comes before breach %d at %v", i, b.Time, i-1, breaches[i-1].Time)
		}
		recorded := false
		for _, st := range r.Steps {
			if st.Time == b.Time && st.Status.NumberUnavailable == b.Unavailable {
				recorded = true
				break
			}
		}
		if !recorded {
			t.Errorf("breach %d at %v: no step then with %d unavailable", i, b.Time, b.Unavailable)
		}
	}
	ds := r.DaemonSet
	if ds == nil || ds.Spec.UpdateStrategy.Type != appsv1.RollingUpdateDaemonSetStrategyType {
		return
	}
	for _, st := range r.Steps {
		if st.Status.ObservedGeneration != ds.Generation {
			continue
		}
		b, err := daemonset.UpdateBudget(ds, int(st.Status.DesiredNumberScheduled))
		if err != nil || b.MaxSurge > 0 || st.Status.NumberUnavailable <= int32(b.MaxUnavailable) {
			continue
		}
		covered := false
		for _, br := range breaches {
			if br.Time <= st.Time && br.Unavailable >= st.Status.NumberUnavailable {
				covered = true
				break
			}
		}
		if !covered {
			t.Errorf("t=%v reconcile %d: %d unavailable > maxUnavailable %d, and no breach reports it",
				st.Time, st.Reconcile, st.Status.NumberUnavailable, b.MaxUnavailable)
		}
	}
}

func sameCounts(a, b appsv1.DaemonSetStatus) bool {
	return a.DesiredNumberScheduled == b.DesiredNumberScheduled && a.CurrentNumberScheduled == b.CurrentNumberScheduled &&
		a.NumberReady == b.NumberReady && a.NumberAvailable == b.NumberAvailable && a.NumberUnavailable == b.NumberUnavailable &&
		a.UpdatedNumberScheduled == b.UpdatedNumberScheduled && a.NumberMisscheduled == b.NumberMisscheduled &&
		a.ObservedGeneration == b.ObservedGeneration
}

func sameInstant(a, b *time.Duration) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func instant(d *time.Duration) string {
	if d == nil {
		return "never"
	}
	return d.String()
}

func statusString(x appsv1.DaemonSetStatus) string {
	return fmtStatus(x.DesiredNumberScheduled, x.CurrentNumberScheduled, x.NumberReady, x.UpdatedNumberScheduled,
		x.NumberAvailable, x.NumberUnavailable, x.NumberMisscheduled)
}

// fmtStatus renders counts as WriteTrace does: des/cur/rdy/upd/avl/unav/mis.
func fmtStatus(counts ...int32) string {
	out := ""
	for i, c := range counts {
		if i > 0 {
			out += "/"
		}
		out += strconv.Itoa(int(c))
	}
	return out + " (des/cur/rdy/upd/avl/unav/mis)"
}
