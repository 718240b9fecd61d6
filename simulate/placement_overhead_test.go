package simulate_test

import (
	"fmt"
	"testing"

	"github.com/daemonkit/daemonkit/simulate"
)

// The overhead of one DaemonSet counts its bound pods only: a Pending pod
// takes no room on its node (explain used to count Pending nodes too).
func TestDaemonSetPlacementOverheadCountsBoundPodsOnly(t *testing.T) {
	nodes := append(pool(t, simulate.NewNodePool("big", 2).Allocatable("4", "8Gi", 110)),
		pool(t, simulate.NewNodePool("small", 1).Allocatable("100m", "8Gi", 110))...)
	c := cluster(t, nodes)
	p := place(t, c, ds("a", requests("200m", "64Mi")), ds("b", requests("50m", "32Mi")))
	a := p.DaemonSets[0]
	if got := a.Counts(); got != (simulate.Counts{Runs: 2, Pending: 1}) {
		t.Fatalf("counts %+v", got)
	}
	o := a.Overhead()
	if len(o.PerNode) != 2 || o.TotalPods != 2 || o.Total.Cpu().MilliValue() != 400 || o.Total.Memory().Value() != 128<<20 {
		t.Errorf("overhead of a = %+v", o)
	}
	// Placement.Overhead is the sum over the DaemonSets.
	b := p.DaemonSets[1].Overhead()
	all := p.Overhead()
	if all.TotalPods != o.TotalPods+b.TotalPods || all.Total.Cpu().MilliValue() != o.Total.Cpu().MilliValue()+b.Total.Cpu().MilliValue() {
		t.Errorf("placement overhead %+v, a %+v, b %+v", all, o, b)
	}
}

// The overhead of one DaemonSet among several placed together.
func ExampleDaemonSetPlacement_Overhead() {
	cluster, _ := simulate.BuildCluster(
		simulate.NewNodePool("general", 2).Allocatable("2", "8Gi", 110),
		simulate.NewNodePool("small", 1).Allocatable("250m", "8Gi", 110),
	)
	p, _ := simulate.Place(cluster, exampleDaemonSet("node-exporter", "100m"), exampleDaemonSet("fluent-bit", "200m"))
	for _, d := range p.DaemonSets {
		o := d.Overhead()
		fmt.Printf("%s: %+v, cpu %s on %d nodes\n", d.DaemonSet.Name, d.Counts(), o.Total.Cpu(), len(o.PerNode))
	}
	// Output:
	// node-exporter: {Runs:3 Pending:0 Excluded:0 Refused:0}, cpu 300m on 3 nodes
	// fluent-bit: {Runs:2 Pending:1 Excluded:0 Refused:0}, cpu 400m on 2 nodes
}
