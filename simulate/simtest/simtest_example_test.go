package simtest_test

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/simtest"
)

// recorder is a simtest.TB that prints failures, for examples; in tests pass
// *testing.T or *rapid.T.
type recorder struct{ failures int }

func (r *recorder) Errorf(format string, args ...any) {
	r.failures++
	msg, _, _ := strings.Cut(fmt.Sprintf(format, args...), " (")
	fmt.Println("FAIL:", msg)
}

// A platform team's property, written for rapid.Check(t, func(t *rapid.T){...}):
// whatever the cluster, the agent runs or is Pending on every untainted node,
// and placement is consistent. Here it is run on ten fixed examples.
func Example() {
	for seed := range 10 {
		c := simtest.Cluster(1, 6).Example(seed)
		agent := simtest.DaemonSet("agent").Example(seed)
		agent.Spec.Template.Spec.NodeSelector = nil
		agent.Spec.Template.Spec.Affinity = nil
		agent.Spec.Template.Spec.NodeName = ""
		p, err := simulate.Place(c, agent)
		if err != nil {
			fmt.Println(err)
			return
		}
		var r recorder
		simtest.CheckInvariants(&r, p)
		for i, n := range c.Nodes() {
			if len(n.Spec.Taints) == 0 && p.DaemonSets[0].Nodes[i].State == simulate.Excluded {
				r.Errorf("untainted node %s excluded", n.Name)
			}
		}
		if r.failures > 0 {
			return
		}
	}
	fmt.Println("ok")
	// Output:
	// ok
}

// The assertions read like the question a user asks.
func ExampleAssertExcluded() {
	c, _ := simulate.BuildCluster(simulate.NewNodePool("gpu", 1).Taint("nvidia.com/gpu", "present", corev1.TaintEffectNoSchedule))
	ds := simtest.DaemonSet("dcgm-exporter").Example(0)
	ds.Spec.Template.Spec = corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}}
	p, _ := simulate.Place(c, ds)
	var r recorder
	simtest.AssertExcluded(&r, p.DaemonSets[0], "gpu-0", daemonset.ReasonUntoleratedTaint)
	simtest.AssertRuns(&r, p.DaemonSets[0], "gpu-0")
	simtest.AssertDesired(&r, p.DaemonSets[0], 0)
	simtest.AssertTrap(&r, p, simulate.TrapDesiredZero)
	simtest.AssertNoTrap(&r, p, simulate.TrapWindowsNodes)
	fmt.Println(r.failures, "failure")
	// Output:
	// FAIL: default/dcgm-exporter on gpu-0: want Runs, got Excluded
	// 1 failure
}

// AssertPending checks the scheduler stage.
func ExampleAssertPending() {
	c, _ := simulate.BuildCluster(simulate.NewNodePool("tiny", 1).Allocatable("4", "8Gi", 0))
	ds := simtest.DaemonSet("agent").Example(0)
	ds.Spec.Template.Spec = corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}}
	p, _ := simulate.Place(c, ds)
	var r recorder
	simtest.AssertPending(&r, p.DaemonSets[0], "tiny-0", simulate.PendingTooManyPods)
	fmt.Println(r.failures, "failures")
	// Output:
	// 0 failures
}

// Generators draw from a small vocabulary, so independent draws interact.
func ExampleTaint() {
	for seed := range 3 {
		t := simtest.Taint().Example(seed)
		fmt.Println(t.Effect != "")
	}
	// Output:
	// true
	// true
	// true
}

// Every generated cluster is valid; nodes are named node-0, node-1, ...
func ExampleCluster() {
	c := simtest.Cluster(3, 3).Example(1)
	fmt.Println(len(c.Nodes()), c.Nodes()[0].Name, c.Nodes()[2].Name)
	// Output:
	// 3 node-0 node-2
}

// DaemonSet names matchFields terms after the node names given.
func ExampleDaemonSet() {
	ds := simtest.DaemonSet("agent", "node-0", "node-1").Example(2)
	fmt.Println(ds.Namespace+"/"+ds.Name, ds.Spec.Selector.MatchLabels["app"], len(ds.Spec.Template.Spec.Containers))
	// Output:
	// default/agent agent 1
}
