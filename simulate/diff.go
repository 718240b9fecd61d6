package simulate

import (
	"cmp"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
)

// ChangeKind says how a node's fate differs between two placements.
type ChangeKind string

const (
	// GainsCoverage: the daemon pod runs on the node after, not before.
	GainsCoverage ChangeKind = "Gains"
	// LosesCoverage: the daemon pod runs on the node before, not after.
	LosesCoverage ChangeKind = "Loses"
	// StateChanges: neither side runs the pod, but the state differs
	// (Excluded vs Pending, or the node is in only one cluster).
	StateChanges ChangeKind = "Changes"
)

// NodeChange is one node whose fate differs.
type NodeChange struct {
	Node string
	Kind ChangeKind
	// Before and After are the node's placements; InBefore / InAfter are
	// false when the node is not in that cluster (its placement is then zero).
	Before, After     NodePlacement
	InBefore, InAfter bool
	// Why explains both sides in one line, e.g.
	// "before: runs; after: excluded: untolerated taint gpu=true:NoSchedule".
	Why string
}

// PlacementDiff is a what-if comparison of one DaemonSet's placement: two
// versions of a DaemonSet on one cluster, or one DaemonSet on two clusters.
type PlacementDiff struct {
	// DaemonSet is "namespace/name" of the after side (or the before side
	// when there is no after).
	DaemonSet string
	// Before and After are the statuses the controller would report.
	Before, After appsv1.DaemonSetStatus
	// Changes, sorted by node name; nodes whose state is the same on both
	// sides are left out.
	Changes []NodeChange
}

// Gained returns the nodes that gain coverage, sorted.
func (d PlacementDiff) Gained() []string { return d.nodes(GainsCoverage) }

// Lost returns the nodes that lose coverage, sorted.
func (d PlacementDiff) Lost() []string { return d.nodes(LosesCoverage) }

func (d PlacementDiff) nodes(k ChangeKind) []string {
	var out []string
	for _, c := range d.Changes {
		if c.Kind == k {
			out = append(out, c.Node)
		}
	}
	return out
}

// Empty reports whether no node changes.
func (d PlacementDiff) Empty() bool { return len(d.Changes) == 0 }

// Diff compares two placements of a DaemonSet node by node. Either side may
// be nil (the DaemonSet does not exist there). Both sides' nodes are in name
// order, as Place produces them.
func Diff(before, after *DaemonSetPlacement) PlacementDiff {
	var d PlacementDiff
	var bn, an []NodePlacement
	if before != nil {
		d.DaemonSet = before.Key()
		d.Before = before.Status()
		bn = before.Nodes
	}
	if after != nil {
		d.DaemonSet = after.Key()
		d.After = after.Status()
		an = after.Nodes
	}
	i, j := 0, 0
	for i < len(bn) || j < len(an) {
		var c NodeChange
		switch {
		case j >= len(an) || (i < len(bn) && bn[i].Node < an[j].Node):
			c = NodeChange{Node: bn[i].Node, Before: bn[i], InBefore: true}
			i++
		case i >= len(bn) || an[j].Node < bn[i].Node:
			c = NodeChange{Node: an[j].Node, After: an[j], InAfter: true}
			j++
		default:
			c = NodeChange{Node: bn[i].Node, Before: bn[i], After: an[j], InBefore: true, InAfter: true}
			i++
			j++
			if c.Before.State == c.After.State {
				continue
			}
		}
		bRuns := c.InBefore && c.Before.State == Runs
		aRuns := c.InAfter && c.After.State == Runs
		switch {
		case aRuns && !bRuns:
			c.Kind = GainsCoverage
		case bRuns && !aRuns:
			c.Kind = LosesCoverage
		default:
			c.Kind = StateChanges
		}
		c.Why = "before: " + describe(c.Before, c.InBefore) + "; after: " + describe(c.After, c.InAfter)
		d.Changes = append(d.Changes, c)
	}
	return d
}

// DiffAll compares two placements DaemonSet by DaemonSet, matched by
// namespace/name, in the order of after then the ones only in before.
func DiffAll(before, after *Placement) []PlacementDiff {
	var out []PlacementDiff
	seen := map[string]bool{}
	if after != nil {
		for _, a := range after.DaemonSets {
			var b *DaemonSetPlacement
			if before != nil {
				b = before.DaemonSet(a.DaemonSet.Namespace, a.DaemonSet.Name)
			}
			seen[a.Key()] = true
			out = append(out, Diff(b, a))
		}
	}
	if before != nil {
		for _, b := range before.DaemonSets {
			if !seen[b.Key()] {
				out = append(out, Diff(b, nil))
			}
		}
	}
	return out
}

// describe renders one side of a change.
func describe(n NodePlacement, present bool) string {
	if !present {
		return "node not in cluster"
	}
	switch n.State {
	case Runs:
		return "runs"
	case Pending:
		return "pending: " + joinMessages(n.Pending, func(r PendingReason) string { return r.Message })
	case Refused:
		return "refused: the API server's admission refuses the daemon pod"
	default:
		msgs := make([]string, 0, len(n.Decision.Reasons))
		for _, r := range n.Decision.Reasons {
			msgs = append(msgs, r.Message)
		}
		return "excluded: " + cmp.Or(strings.Join(msgs, "; "), "controller creates no pod")
	}
}

func joinMessages[T any](xs []T, f func(T) string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = f(x)
	}
	return strings.Join(parts, "; ")
}
