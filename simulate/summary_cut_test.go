package simulate

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/intstr"
)

// A run cut by Limits.MaxTime while the update goes on does not blame the
// nodes it had not reached: their old pods wait their turn.
func TestCutRunNodesWaitTheirTurn(t *testing.T) {
	s := update(testCluster(10), maxUnavailable(intstr.FromInt32(1)), 10*time.Second)
	s.Limits.MaxTime = 35 * time.Second
	sum := mustRollout(t, s).Summary
	if !sum.Truncated || sum.Stuck {
		t.Fatalf("want a cut, not stuck run: %+v", sum)
	}
	waiting := 0
	for _, u := range sum.Uncovered {
		switch u.Cause {
		case CauseWaitingForTurn:
			waiting++
		case CauseStarting:
		default:
			t.Errorf("uncovered %+v: want WaitingForTurn or Starting", u)
		}
	}
	if waiting < 5 {
		t.Errorf("%d nodes waiting, want most of them: %+v", waiting, sum.Uncovered)
	}
}

// When the nodes that never turn available hold the whole budget, the cut
// run's waiting nodes are still BudgetEatenByUnavailable.
func TestCutRunBudgetEatenStaysBlamed(t *testing.T) {
	s := update(testCluster(5), maxUnavailable(intstr.FromInt32(1)), 10*time.Second)
	s.Kubelet.Failing = []string{"n00"} // replaced for ever under backoff: the run never rests
	s.Limits.MaxTime = 2 * time.Hour
	sum := mustRollout(t, s).Summary
	if !sum.Truncated {
		t.Fatalf("want a cut run: %+v", sum)
	}
	eaten := 0
	for _, u := range sum.Uncovered {
		if u.Cause == CauseWaitingForTurn {
			t.Errorf("uncovered %+v: the failing node holds the budget", u)
		}
		if u.Cause == CauseBudgetEatenByUnavailable {
			eaten++
		}
	}
	if eaten != 4 {
		t.Errorf("%d nodes BudgetEatenByUnavailable, want 4: %+v", eaten, sum.Uncovered)
	}
}
