package main

import (
	"testing"

	"github.com/daemonkit/daemonkit/simulate/simtest"
	"pgregory.net/rapid"
)

// TestPlatformAgentCoversEveryLinuxNode is the policy as a property: rapid
// draws clusters with every kind of taint and shrinks a failure to a
// minimal cluster.
func TestPlatformAgentCoversEveryLinuxNode(t *testing.T) {
	ds, err := platformAgent().Build()
	if err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(t *rapid.T) {
		c := simtest.Cluster(1, 20).Draw(t, "cluster")
		if err := checkCoverage(ds, c); err != nil {
			t.Fatal(err)
		}
	})
}

// TestChartDefaultBreaksThePolicy shows the property can fail: the chart's
// agent tolerates no taint, and rapid finds a cluster that proves it.
func TestChartDefaultBreaksThePolicy(t *testing.T) {
	ds, err := chartDefaultAgent().Build()
	if err != nil {
		t.Fatal(err)
	}
	var failed bool
	for seed := 0; seed < 200 && !failed; seed++ {
		failed = checkCoverage(ds, simtest.Cluster(1, 20).Example(seed)) != nil
	}
	if !failed {
		t.Fatal("no generated cluster broke the policy for the chart's default agent")
	}
}
