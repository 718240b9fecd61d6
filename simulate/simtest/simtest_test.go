package simtest_test

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"pgregory.net/rapid"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/simtest"
)

type fakeTB struct{ msgs []string }

func (f *fakeTB) Errorf(format string, args ...any) {
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
}

// The assertions must fail when the placement says otherwise.
func TestAssertionsCanFail(t *testing.T) {
	c, err := simulate.BuildCluster(simulate.NewNodePool("n", 1))
	if err != nil {
		t.Fatal(err)
	}
	ds := simtest.DaemonSet("agent").Example(0)
	ds.Spec.Template.Spec = corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}}
	p, err := simulate.Place(c, ds)
	if err != nil {
		t.Fatal(err)
	}
	d := p.DaemonSets[0]
	cases := []struct {
		name string
		run  func(simtest.TB)
	}{
		{"excluded on a running node", func(tb simtest.TB) { simtest.AssertExcluded(tb, d, "n-0", daemonset.ReasonNodeSelector) }},
		{"pending on a running node", func(tb simtest.TB) { simtest.AssertPending(tb, d, "n-0", simulate.PendingTooManyPods) }},
		{"unknown node", func(tb simtest.TB) { simtest.AssertRuns(tb, d, "nope") }},
		{"wrong desired", func(tb simtest.TB) { simtest.AssertDesired(tb, d, 2) }},
		{"missing trap", func(tb simtest.TB) { simtest.AssertTrap(tb, p, simulate.TrapWindowsNodes) }},
		{"broken invariant", func(tb simtest.TB) {
			broken := *p
			bd := *d
			bd.Nodes = append([]simulate.NodePlacement(nil), d.Nodes...)
			bd.Nodes[0].State = simulate.Pending
			broken.DaemonSets = []*simulate.DaemonSetPlacement{&bd}
			simtest.CheckInvariants(tb, &broken)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var f fakeTB
			tc.run(&f)
			if len(f.msgs) == 0 {
				t.Error("assertion did not fail")
			}
		})
	}
	var ok fakeTB
	simtest.AssertRuns(&ok, d, "n-0")
	simtest.AssertDesired(&ok, d, 1)
	simtest.CheckInvariants(&ok, p)
	if len(ok.msgs) > 0 {
		t.Errorf("false failures: %v", ok.msgs)
	}
}

// Generated clusters are always valid and generated DaemonSets always place.
func TestGeneratorsProduceUsableInputs(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := simtest.Cluster(0, 6).Draw(t, "cluster")
		ds := simtest.DaemonSet("agent", "node-0").Draw(t, "ds")
		p, err := simulate.Place(c, ds)
		if err != nil {
			t.Fatal(err)
		}
		simtest.CheckInvariants(t, p)
	})
}
