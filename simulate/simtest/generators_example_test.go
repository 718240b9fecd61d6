package simtest_test

import (
	"fmt"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate/simtest"
)

// UpdateStrategy draws every strategy form the API accepts; RolloutDaemonSet
// a valid DaemonSet under one of them.
func ExampleRolloutDaemonSet() {
	for seed := range 3 {
		s := simtest.UpdateStrategy().Example(seed)
		ds := simtest.RolloutDaemonSet("registry.example/agent:2", s).Example(seed)
		fmt.Println(len(daemonset.Validate(ds)), "validation errors")
	}
	// Output:
	// 0 validation errors
	// 0 validation errors
	// 0 validation errors
}

// RolloutEvent draws scripted events on the named nodes, or adds one.
func ExampleRolloutEvent() {
	for seed := range 4 {
		ev := simtest.RolloutEvent(time.Hour, "", "rollout-0", "rollout-1").Example(seed)
		fmt.Println(ev.At <= time.Hour, ev.Node != "")
	}
	ev := simtest.RolloutEvent(time.Hour, "added-0").Example(0)
	fmt.Println(ev.Kind, ev.NewNode.Name)
	// Output:
	// true true
	// true true
	// true true
	// true true
	// NodeAdd added-0
}

// The Corner generators draw what the placement rules must answer for,
// valid or not; here, the decisions of daemonset.Evaluate on a few of them
// keep shouldRun ⇒ shouldContinueRunning.
func ExampleCornerDaemonSet() {
	impossible := 0
	for seed := range 50 {
		d := daemonset.Evaluate(simtest.CornerDaemonSet().Example(seed), simtest.CornerNode().Example(seed))
		if d.ShouldRun && !d.ShouldContinueRunning {
			impossible++
		}
	}
	fmt.Println(impossible, "impossible decisions")
	// Output:
	// 0 impossible decisions
}
