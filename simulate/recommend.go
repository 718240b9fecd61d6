package simulate

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Goal is what Recommend aims for.
type Goal struct {
	// Target is the longest acceptable P90 of the time until every desired
	// node runs an available pod of the new template (> 0).
	Target time.Duration
	// MinAvailable is the share of desired nodes (0 to 1) that must stay
	// available at every reconcile of every sampled run; 0 sets no floor.
	MinAvailable float64
	// Runs is the number of rollouts sampled per candidate budget (default
	// 50).
	Runs int
}

// Recommendation is the smallest budget found for a Goal.
type Recommendation struct {
	// Met says the budget meets the goal in the samples.
	Met bool
	// Reason says why the goal cannot be met (empty when Met).
	Reason string
	// Surge says the budget is maxSurge (with maxUnavailable 0), not
	// maxUnavailable.
	Surge bool
	// Budget is the number of nodes of the budget (maxUnavailable or
	// maxSurge) out of Desired.
	Budget int
	// Desired is desiredNumberScheduled.
	Desired int32
	// Strategy is the update strategy to put in the manifest.
	Strategy appsv1.DaemonSetUpdateStrategy
	// P50 and P90 of the time until every desired node is available; P90OK
	// (P50OK) is false when that percentile never finished.
	P50, P90     time.Duration
	P50OK, P90OK bool
	// Floor is the number of nodes that must stay available.
	Floor int32
	// Sample is the sample of the recommended budget.
	Sample *SampleResult
	// Tried counts the candidate budgets sampled.
	Tried int
}

// Recommend searches the smallest rolling-update budget of s.To whose
// sampled P90 (Sample, goal.Runs runs) finishes within goal.Target while
// availability never drops below goal.MinAvailable. It searches
// maxUnavailable, or maxSurge (with maxUnavailable 0) when s.To already
// surges or when the floor leaves no room for any unavailable node, and the
// template binds no host port (a surge pod cannot start beside the old one
// that holds it). The search assumes that a larger budget never makes the
// rollout slower: a binary search over 1..desired. With no budget meeting the
// goal it returns the fastest one it tried (the largest the floor allows)
// with Met false and the reason.
func Recommend(ctx context.Context, s Scenario, goal Goal) (*Recommendation, error) {
	if s.To == nil {
		return nil, fmt.Errorf("recommend: scenario.to is required")
	}
	if goal.Target <= 0 {
		return nil, fmt.Errorf("recommend: target %v must be positive", goal.Target)
	}
	if !(goal.MinAvailable >= 0 && goal.MinAvailable <= 1) {
		return nil, fmt.Errorf("recommend: minAvailable %v must be between 0 and 1", goal.MinAvailable)
	}
	runs := goal.Runs
	if runs == 0 {
		runs = 50
	}
	if runs < 1 || runs > MaxSampleRuns {
		return nil, fmt.Errorf("recommend: runs %d must be between 1 and %d", runs, MaxSampleRuns)
	}
	to := s.To.DeepCopy()
	daemonset.SetDefaults(to)
	hostPorts := len(podHostPorts(&corev1.Pod{Spec: to.Spec.Template.Spec})) > 0
	surge := daemonset.AllowsSurge(to) && !hostPorts

	tried := map[string]*SampleResult{}
	try := func(surge bool, b int) (*SampleResult, error) {
		key := fmt.Sprint(surge, b)
		if r, ok := tried[key]; ok {
			return r, nil
		}
		sc := s
		sc.To = withBudget(to, surge, b)
		r, err := Sample(ctx, sc, runs)
		if err != nil {
			return nil, err
		}
		tried[key] = r
		return r, nil
	}
	// desired: from one sample of the smallest budget
	first, err := try(surge, 1)
	if err != nil {
		return nil, err
	}
	desired := int(first.Desired)
	floor := int32(math.Ceil(goal.MinAvailable*float64(desired) - 1e-9))
	rec := &Recommendation{Desired: first.Desired, Floor: floor}
	if desired == 0 {
		rec.Reason = "the DaemonSet runs on no node of the cluster"
		rec.Surge, rec.Budget = surge, 1
		rec.Strategy = withBudget(to, surge, 1).Spec.UpdateStrategy
		rec.Sample = first
		rec.Tried = len(tried)
		return rec, nil
	}
	hi := desired
	if !surge {
		hi = desired - int(floor)
		if hi < 1 {
			if hostPorts {
				rec.Reason = fmt.Sprintf("the floor of %d available nodes leaves no room for an unavailable node, and the template binds host ports, so maxSurge cannot help", floor)
				return finish(rec, to, false, 1, first, len(tried)), nil
			}
			surge, hi = true, desired
		}
	}
	fits := func(r *SampleResult) bool {
		p90, ok := r.Available.Percentile(90)
		return ok && p90 <= goal.Target
	}
	lo := 1
	best, bestB := (*SampleResult)(nil), hi
	for lo <= hi {
		mid := lo + (hi-lo)/2
		r, err := try(surge, mid)
		if err != nil {
			return nil, err
		}
		if fits(r) {
			best, bestB = r, mid
			hi = mid - 1
		} else {
			lo = mid + 1
		}
	}
	if best == nil {
		r, err := try(surge, bestB)
		if err != nil {
			return nil, err
		}
		rec.Reason = fmt.Sprintf("even a budget of %d of %d nodes does not finish within %v at P90", bestB, desired, goal.Target)
		if !surge && int(floor) > 0 {
			rec.Reason += fmt.Sprintf(" (the floor of %d available nodes allows no more)", floor)
		}
		return finish(rec, to, surge, bestB, r, len(tried)), nil
	}
	rec = finish(rec, to, surge, bestB, best, len(tried))
	if low := best.LowestAvailable[0]; low < floor {
		rec.Reason = fmt.Sprintf("availability drops to %d of %d nodes in some runs, under the floor of %d", low, desired, floor)
		return rec, nil
	}
	rec.Met = true
	return rec, nil
}

func finish(rec *Recommendation, to *appsv1.DaemonSet, surge bool, b int, r *SampleResult, tried int) *Recommendation {
	rec.Surge, rec.Budget, rec.Sample, rec.Tried = surge, b, r, tried
	rec.Strategy = withBudget(to, surge, b).Spec.UpdateStrategy
	rec.P50, rec.P50OK = r.Available.Percentile(50)
	rec.P90, rec.P90OK = r.Available.Percentile(90)
	return rec
}

// withBudget is ds with a RollingUpdate strategy of budget b.
func withBudget(ds *appsv1.DaemonSet, surge bool, b int) *appsv1.DaemonSet {
	out := ds.DeepCopy()
	v := intstr.FromInt32(int32(b))
	zero := intstr.FromInt32(0)
	ru := &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &v, MaxSurge: &zero}
	if surge {
		ru = &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &zero, MaxSurge: &v}
	}
	out.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: ru}
	return out
}
