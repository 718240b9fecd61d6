package simulate

// Overhead is the DaemonSet overhead of this DaemonSet alone: the requests
// of its daemon pods that run (State Runs), per node and in total. Pending
// pods take no room. Placement.Overhead sums every DaemonSet placed.
func (d *DaemonSetPlacement) Overhead() Overhead {
	return (&Placement{DaemonSets: []*DaemonSetPlacement{d}}).Overhead()
}
