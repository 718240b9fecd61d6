package main

import (
	"context"
	"testing"

	"github.com/daemonkit/daemonkit/presets"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/simtest"
	"pgregory.net/rapid"
)

// TestPlatformAgentUpgradeKeepsInvariants upgrades our agent on generated
// clusters with broken and crash-looping nodes, taints, cordons and node
// churn: every run keeps the DaemonSet controller's invariants (a monotone
// clock, consistent status, every budget breach reported and explained).
func TestPlatformAgentUpgradeKeepsInvariants(t *testing.T) {
	from, err := platformAgent().Build()
	if err != nil {
		t.Fatal(err)
	}
	to, err := presets.FluentBit(presets.FluentBitOptions{Image: "cr.fluentbit.io/fluent/fluent-bit:5.1.2"}).TolerateAll().Build()
	if err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(t *rapid.T) {
		sc := simtest.Scenario(20, 6).Draw(t, "scenario")
		sc.From, sc.To = from, to
		r, err := simulate.Rollout(context.Background(), sc)
		if err != nil {
			t.Fatal(err)
		}
		simtest.CheckRolloutInvariants(t, r)
	})
}
