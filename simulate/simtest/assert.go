package simtest

import (
	"slices"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate"
)

// TB is what the assertions need from a test: *testing.T, *testing.B and
// *rapid.T all satisfy it.
type TB interface {
	Errorf(format string, args ...any)
}

func helper(t TB) {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
}

// CheckInvariants reports every broken invariant of a placement:
//   - Runs, Pending and Refused nodes have ShouldRun, Excluded nodes do not
//     (Pending ⊆ created);
//   - ShouldRun implies ShouldContinueRunning;
//   - an Excluded node carries at least one reason, a Pending node at least
//     one scheduler reason, a Runs node none; Refused nodes only in a
//     DaemonSet whose pod admission refuses;
//   - the status counts add up: desired = Runs + Pending + Refused,
//     current = Runs + Pending, available = Runs but those on NotReady
//     nodes, unavailable = Pending + Refused + Runs on NotReady nodes,
//     misscheduled ≤ Excluded.
func CheckInvariants(t TB, p *simulate.Placement) {
	helper(t)
	for _, d := range p.DaemonSets {
		var runs, notReady, pending, excluded, refused int32
		for _, n := range d.Nodes {
			switch n.State {
			case simulate.Runs:
				runs++
				if n.NotReady != "" {
					notReady++
				}
				if !n.Decision.ShouldRun || len(n.Pending) > 0 {
					t.Errorf("%s on %s: Runs but ShouldRun=%v, %d pending reasons", d.Key(), n.Node, n.Decision.ShouldRun, len(n.Pending))
				}
			case simulate.Refused:
				refused++
				if !n.Decision.ShouldRun || len(n.Pending) > 0 || len(n.Preempts) > 0 || d.Refused == nil {
					t.Errorf("%s on %s: Refused but ShouldRun=%v, %d pending reasons, refusal %v", d.Key(), n.Node, n.Decision.ShouldRun, len(n.Pending), d.Refused)
				}
			case simulate.Pending:
				pending++
				if !n.Decision.ShouldRun {
					t.Errorf("%s on %s: Pending but the controller creates no pod", d.Key(), n.Node)
				}
				if len(n.Pending) == 0 {
					t.Errorf("%s on %s: Pending without a reason", d.Key(), n.Node)
				}
			default:
				excluded++
				if n.Decision.ShouldRun {
					t.Errorf("%s on %s: Excluded but ShouldRun", d.Key(), n.Node)
				}
				if len(n.Decision.Reasons) == 0 && n.Node != "" {
					t.Errorf("%s on %s: Excluded without a reason", d.Key(), n.Node)
				}
			}
			if n.Decision.ShouldRun && !n.Decision.ShouldContinueRunning {
				t.Errorf("%s on %s: ShouldRun without ShouldContinueRunning", d.Key(), n.Node)
			}
		}
		s := d.Status()
		if s.DesiredNumberScheduled != runs+pending+refused || s.CurrentNumberScheduled != runs+pending || s.NumberAvailable != runs-notReady ||
			s.NumberUnavailable != pending+refused+notReady || s.NumberMisscheduled > excluded {
			t.Errorf("%s: status %+v does not add up with %d runs (%d on NotReady nodes), %d pending, %d refused, %d excluded", d.Key(), s, runs, notReady, pending, refused, excluded)
		}
	}
}

func find(t TB, d *simulate.DaemonSetPlacement, node string) (simulate.NodePlacement, bool) {
	helper(t)
	n, ok := d.Node(node)
	if !ok {
		t.Errorf("%s: no node %q in the placement", d.Key(), node)
	}
	return n, ok
}

// AssertRuns checks that d's pod runs on each of nodes.
func AssertRuns(t TB, d *simulate.DaemonSetPlacement, nodes ...string) {
	helper(t)
	for _, node := range nodes {
		if n, ok := find(t, d, node); ok && n.State != simulate.Runs {
			t.Errorf("%s on %s: want Runs, got %s (%s)", d.Key(), node, n.State, why(n))
		}
	}
}

// AssertExcluded checks that the controller creates no pod of d on node and
// that one of the reasons is of kind.
func AssertExcluded(t TB, d *simulate.DaemonSetPlacement, node string, kind daemonset.ReasonKind) {
	helper(t)
	n, ok := find(t, d, node)
	if !ok {
		return
	}
	if n.State != simulate.Excluded {
		t.Errorf("%s on %s: want Excluded (%s), got %s", d.Key(), node, kind, n.State)
		return
	}
	if !slices.ContainsFunc(n.Decision.Reasons, func(r daemonset.Reason) bool { return r.Kind == kind }) {
		t.Errorf("%s on %s: Excluded, but not for %s: %s", d.Key(), node, kind, why(n))
	}
}

// AssertPending checks that d's pod is created on node but stays Pending,
// with a scheduler reason of kind.
func AssertPending(t TB, d *simulate.DaemonSetPlacement, node string, kind simulate.PendingKind) {
	helper(t)
	n, ok := find(t, d, node)
	if !ok {
		return
	}
	if n.State != simulate.Pending {
		t.Errorf("%s on %s: want Pending (%s), got %s (%s)", d.Key(), node, kind, n.State, why(n))
		return
	}
	if !slices.ContainsFunc(n.Pending, func(r simulate.PendingReason) bool { return r.Kind == kind }) {
		t.Errorf("%s on %s: Pending, but not for %s: %s", d.Key(), node, kind, why(n))
	}
}

// AssertDesired checks d's desiredNumberScheduled.
func AssertDesired(t TB, d *simulate.DaemonSetPlacement, want int32) {
	helper(t)
	if got := d.Status().DesiredNumberScheduled; got != want {
		t.Errorf("%s: desiredNumberScheduled = %d, want %d", d.Key(), got, want)
	}
}

// AssertTrap checks that p names a trap of kind (for any DaemonSet, or the
// cluster) and returns it.
func AssertTrap(t TB, p *simulate.Placement, kind simulate.TrapKind) simulate.Trap {
	helper(t)
	for _, tr := range p.Traps {
		if tr.Kind == kind {
			return tr
		}
	}
	t.Errorf("no %s trap; traps: %v", kind, p.Traps)
	return simulate.Trap{}
}

// AssertNoTrap checks that p names no trap of kind.
func AssertNoTrap(t TB, p *simulate.Placement, kind simulate.TrapKind) {
	helper(t)
	for _, tr := range p.Traps {
		if tr.Kind == kind {
			t.Errorf("unexpected trap %s", tr)
		}
	}
}

func why(n simulate.NodePlacement) string {
	var msgs []string
	for _, r := range n.Decision.Reasons {
		msgs = append(msgs, r.Message)
	}
	for _, r := range n.Pending {
		msgs = append(msgs, r.Message)
	}
	if len(msgs) == 0 {
		return "no reason"
	}
	return msgs[0] + moreSuffix(len(msgs))
}

func moreSuffix(n int) string {
	if n <= 1 {
		return ""
	}
	return " (and more)"
}
