package simtest_test

import (
	"context"
	"fmt"

	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/simtest"
)

// A platform team's rollout property, written for
// rapid.Check(t, func(t *rapid.T){...}) with simtest.Scenario(...).Draw:
// whatever the cluster, update and events, the rollout keeps the
// controller's invariants. Here it runs on five fixed examples, and then on
// a result whose clock was tampered with.
func ExampleCheckRolloutInvariants() {
	for seed := range 5 {
		sc := simtest.Scenario(10, 4).Example(seed)
		r, err := simulate.Rollout(context.Background(), sc)
		if err != nil {
			fmt.Println(err)
			return
		}
		var rec recorder
		simtest.CheckRolloutInvariants(&rec, r)
		fmt.Printf("example %d: %d failures\n", seed, rec.failures)
	}

	r, _ := simulate.Rollout(context.Background(), simtest.HealthyScenario(5).Example(0))
	r.Steps = append(r.Steps, r.Steps[0]) // a step from the past at the end
	simtest.CheckRolloutInvariants(printer{}, r)
	// Output:
	// example 0: 0 failures
	// example 1: 0 failures
	// example 2: 0 failures
	// example 3: 0 failures
	// example 4: 0 failures
	// FAIL: step 4 (t=0s, reconcile 1): time goes back from 26s
	// FAIL: step 4 (t=0s, reconcile 1): reconcile number not after 5
	// FAIL: final DaemonSet status 1/1/1/1/1/0/0 (des/cur/rdy/upd/avl/unav/mis) differs from the last step's 1/0/0/0/0/1/0 (des/cur/rdy/upd/avl/unav/mis)
	// FAIL: summary: every node updated since 0s; the steps say never
	// FAIL: summary: every node available since 26s; the steps say never
	// FAIL: summary: kubectl rollout status done, but the final status is 1/0/0/0/0/1/0 (des/cur/rdy/upd/avl/unav/mis)
}

// printer is a simtest.TB that prints every failure.
type printer struct{}

func (printer) Errorf(format string, args ...any) { fmt.Printf("FAIL: "+format+"\n", args...) }
