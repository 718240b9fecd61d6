package simtest_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"pgregory.net/rapid"

	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/simtest"
)

// Every generated scenario is accepted by Rollout, and every result keeps
// the invariants.
func TestScenarioRolloutsKeepInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := simtest.Scenario(25, 6).Draw(t, "scenario")
		r, err := simulate.Rollout(context.Background(), sc)
		if err != nil {
			t.Fatalf("Rollout refused a generated scenario: %v", err)
		}
		simtest.CheckRolloutInvariants(t, r)
	})
}

// A healthy cluster keeps the budget on every reconcile and finishes.
func TestHealthyScenarioHoldsBudgetAndFinishes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := simtest.HealthyScenario(25).Draw(t, "scenario")
		r, err := simulate.Rollout(context.Background(), sc)
		if err != nil {
			t.Fatalf("Rollout refused a generated scenario: %v", err)
		}
		simtest.CheckRolloutInvariants(t, r)
		if len(r.Summary.Breaches) > 0 || !r.Summary.Done || r.Summary.Stuck || r.Summary.Truncated {
			t.Fatalf("healthy rollout: %+v", r.Summary)
		}
	})
}

// CheckRolloutInvariants catches a corrupted result, whichever part is
// corrupted, and passes the result it was given.
func TestCheckRolloutInvariantsCatchesCorruption(t *testing.T) {
	one := intstr.FromInt32(1)
	strategy := appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &one}}
	from := simtest.RolloutDaemonSet("registry.example/agent:1", strategy).Example(0)
	from.Spec.Template.Spec.Tolerations, from.Spec.Template.Spec.NodeSelector = nil, nil
	to := from.DeepCopy()
	to.Spec.Template.Spec.Containers[0].Image = "registry.example/agent:2"
	sc := simtest.HealthyScenario(8).Filter(func(s simulate.Scenario) bool { return s.Cluster.NumNodes() >= 4 }).Example(0)
	sc.From, sc.To = from, to
	r, err := simulate.Rollout(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Steps) < 3 {
		t.Fatalf("want a rollout of several steps, got %d", len(r.Steps))
	}
	var ok fakeTB
	simtest.CheckRolloutInvariants(&ok, r)
	if len(ok.msgs) > 0 {
		t.Fatalf("false failures on a real result: %v", ok.msgs)
	}
	copyResult := func() *simulate.Result {
		c := *r
		c.Steps = append([]simulate.Step(nil), r.Steps...)
		c.Summary.Breaches = append([]simulate.BudgetBreach(nil), r.Summary.Breaches...)
		c.DaemonSet = r.DaemonSet.DeepCopy()
		return &c
	}
	for _, tc := range []struct {
		name    string
		corrupt func(*simulate.Result)
		want    string // in one of the messages
	}{
		{"clock goes back", func(c *simulate.Result) { c.Steps[2].Time = c.Steps[1].Time - time.Second }, "time goes back"},
		{"fractional time", func(c *simulate.Result) { c.Steps[1].Time += time.Millisecond }, "whole second"},
		{"step after end", func(c *simulate.Result) { c.Summary.End = c.Steps[len(c.Steps)-1].Time - time.Second }, "whole second"},
		{"reconcile numbers repeat", func(c *simulate.Result) { c.Steps[2].Reconcile = c.Steps[1].Reconcile }, "reconcile number not after"},
		{"more ready than current", func(c *simulate.Result) {
			c.Steps[1].Status.NumberReady = c.Steps[1].Status.CurrentNumberScheduled + 1
		}, "inconsistent status"},
		{"unavailable does not add up", func(c *simulate.Result) { c.Steps[1].Status.NumberUnavailable++ }, "inconsistent status"},
		{"two pods created on one node", func(c *simulate.Result) {
			for i, st := range c.Steps {
				if len(st.Created) > 0 {
					c.Steps[i].Created = append(append([]string(nil), st.Created...), st.Created[0])
					return
				}
			}
		}, "two pods created on node"},
		{"more creates than listed", func(c *simulate.Result) { c.Summary.Creates++ }, "creates and"},
		{"wrong lowest availability", func(c *simulate.Result) { c.Summary.MinAvailable-- }, "lowest availability"},
		{"wrong highest unavailability instant", func(c *simulate.Result) { c.Summary.MaxUnavailableAt = c.Summary.End + time.Second }, "highest unavailability"},
		{"never all available", func(c *simulate.Result) { c.Summary.AllAvailable = nil }, "every node available since"},
		{"final status differs", func(c *simulate.Result) { c.DaemonSet.Status.NumberAvailable-- }, "final DaemonSet status"},
		{"stuck and truncated", func(c *simulate.Result) { c.Summary.Stuck, c.Summary.Truncated = true, true }, "both stuck and truncated"},
		{"silent budget breach", func(c *simulate.Result) {
			st := &c.Steps[1].Status
			st.NumberAvailable, st.NumberReady = 0, 0
			st.NumberUnavailable = st.DesiredNumberScheduled
		}, "no breach reports it"},
		{"breach within budget", func(c *simulate.Result) {
			c.Summary.Breaches = append(c.Summary.Breaches, simulate.BudgetBreach{Time: c.Steps[0].Time, Unavailable: 1, MaxUnavailable: 1, Cause: simulate.CauseNodesWithoutPod})
		}, "breach 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := copyResult()
			tc.corrupt(c)
			var f fakeTB
			simtest.CheckRolloutInvariants(&f, c)
			if !slices.ContainsFunc(f.msgs, func(m string) bool { return strings.Contains(m, tc.want) }) {
				t.Errorf("no message about %q: %q", tc.want, f.msgs)
			}
		})
	}
}
