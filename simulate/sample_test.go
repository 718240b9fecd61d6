package simulate

import (
	"context"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"pgregory.net/rapid"
)

func TestDurationsPercentile(t *testing.T) {
	d := Durations{Runs: 10, Reached: []time.Duration{1, 2, 3, 4, 5, 6, 7, 8}}
	for _, tc := range []struct {
		p    float64
		want time.Duration
		ok   bool
	}{{10, 1, true}, {50, 5, true}, {80, 8, true}, {81, 0, false}, {100, 0, false}, {0, 0, false}} {
		got, ok := d.Percentile(tc.p)
		if got != tc.want || ok != tc.ok {
			t.Errorf("P%v = %v, %v; want %v, %v", tc.p, got, ok, tc.want, tc.ok)
		}
	}
}

// sampleScenario: a rollout on n nodes with the template model, random
// pulls and probes, a few crash-looping nodes when crash is set.
func sampleScenario(n int, budget intstr.IntOrString, crash bool) Scenario {
	s := update(testCluster(n), maxUnavailable(budget), 0)
	s.To.Spec.Template.Spec.Containers[0].ReadinessProbe = probe(5, 10, 1, 3)
	m := DefaultStartupModel()
	s.Kubelet.StartupModel = &m
	if crash {
		s.Kubelet.CrashLoop = []string{"n03"}
	}
	return s
}

// TestSampleIsDeterministicWhateverGOMAXPROCS: same scenario and seeds, the
// same SampleResult at GOMAXPROCS 1 and 4.
func TestSampleIsDeterministicWhateverGOMAXPROCS(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 40).Draw(t, "nodes")
		budget := intstr.FromInt32(int32(rapid.IntRange(1, 5).Draw(t, "budget")))
		s := sampleScenario(n, budget, n > 3 && rapid.Bool().Draw(t, "crash"))
		s.Order.Seed = rapid.Int64().Draw(t, "seed")
		runs := rapid.IntRange(1, 12).Draw(t, "runs")
		prev := runtime.GOMAXPROCS(1)
		defer runtime.GOMAXPROCS(prev)
		a, err := Sample(context.Background(), s, runs)
		if err != nil {
			t.Fatal(err)
		}
		runtime.GOMAXPROCS(4)
		b, err := Sample(context.Background(), s, runs)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("GOMAXPROCS 1 and 4 differ:\n%+v\n%+v", a, b)
		}
	})
}

// TestSampleRunsAreReplayable: run i of a sample is Rollout with its seed.
func TestSampleRunsAreReplayable(t *testing.T) {
	s := sampleScenario(30, intstr.FromInt32(3), false)
	res, err := Sample(context.Background(), s, 9)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, res.MedianRun, 8} {
		one := s
		one.Order = Order{Kind: OrderRandom, Seed: res.Seeds[i]}
		r := mustRollout(t, one)
		found := false
		for _, d := range res.Available.Reached {
			if r.Summary.AllAvailable != nil && *r.Summary.AllAvailable == d {
				found = true
			}
		}
		if !found {
			t.Errorf("run %d replayed finishes at %v, not among %v", i, r.Summary.AllAvailable, res.Available.Reached)
		}
	}
	if p50, _ := res.Available.Percentile(50); p50 != *mustRollout(t, func() Scenario {
		one := s
		one.Order = Order{Kind: OrderRandom, Seed: res.Seeds[res.MedianRun]}
		return one
	}()).Summary.AllAvailable {
		t.Errorf("MedianRun is not at the P50")
	}
	// runs differ: random times and order
	if res.Available.Reached[0] == res.Available.Reached[len(res.Available.Reached)-1] {
		t.Errorf("every run finished at the same instant: %v", res.Available.Reached)
	}
}

func TestSampleCountsStalls(t *testing.T) {
	s := sampleScenario(10, intstr.FromInt32(1), true)
	res, err := Sample(context.Background(), s, 6)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stalled != 6 || res.StallProbability() != 1 || len(res.StallCauses) == 0 || res.StallCauses[0].Cause != CauseCrashLoop {
		t.Fatalf("stalls %d causes %+v", res.Stalled, res.StallCauses)
	}
	if _, ok := res.Available.Percentile(50); ok {
		t.Error("a P50 for runs that never finish")
	}
	if !strings.HasPrefix(res.StallCauses[0].Example, "n03: ") {
		t.Errorf("example %q", res.StallCauses[0].Example)
	}
}

// TestSampleBandIsOrdered: P10 <= P50 <= P90 at every instant, all within
// desired, ending at desired when every run finished.
func TestSampleBandIsOrdered(t *testing.T) {
	res, err := Sample(context.Background(), sampleScenario(50, intstr.FromString("10%"), false), 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range res.Band {
		if b.P10 > b.P50 || b.P50 > b.P90 || b.P90 > res.Desired {
			t.Fatalf("band point %+v out of order (desired %d)", b, res.Desired)
		}
	}
	if last := res.Band[len(res.Band)-1]; last.P10 != res.Desired {
		t.Errorf("band ends at %+v, want every run at %d", last, res.Desired)
	}
}

func TestSampleRejectsBadInput(t *testing.T) {
	s := sampleScenario(3, intstr.FromInt32(1), false)
	for _, n := range []int{0, -1, MaxSampleRuns + 1} {
		if _, err := Sample(context.Background(), s, n); err == nil {
			t.Errorf("runs %d accepted", n)
		}
	}
	s.To = nil
	if _, err := Sample(context.Background(), s, 3); err == nil || !strings.Contains(err.Error(), "scenario.to") {
		t.Errorf("invalid scenario: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Sample(ctx, sampleScenario(3, intstr.FromInt32(1), false), 3); err == nil {
		t.Error("cancelled context ignored")
	}
}

// TestRecommend: a larger budget is faster; Recommend finds the smallest one
// meeting the target, refuses a floor that no maxUnavailable meets, and
// switches to maxSurge when the floor is 100% and there are no host ports.
func TestRecommend(t *testing.T) {
	s := update(testCluster(40), maxUnavailable(intstr.FromInt32(1)), 0)
	s.Kubelet.StartupModel = &StartupModel{ContainerStart: Uniform(5*time.Second, 15*time.Second)}
	rec, err := Recommend(context.Background(), s, Goal{Target: 2 * time.Minute, Runs: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Met || rec.Surge || rec.P90 > 2*time.Minute || rec.Desired != 40 {
		t.Fatalf("%+v", rec)
	}
	if rec.Budget > 1 {
		smaller := s
		smaller.To = withBudget(s.To, false, rec.Budget-1)
		r, err := Sample(context.Background(), smaller, 10)
		if err != nil {
			t.Fatal(err)
		}
		if p90, ok := r.Available.Percentile(90); ok && p90 <= 2*time.Minute {
			t.Errorf("budget %d also meets the target (P90 %v): not the smallest", rec.Budget-1, p90)
		}
	}
	if mu := rec.Strategy.RollingUpdate.MaxUnavailable; mu == nil || mu.IntValue() != rec.Budget {
		t.Errorf("strategy %+v", rec.Strategy)
	}

	// floor 100%: only surge keeps every node available
	rec, err = Recommend(context.Background(), s, Goal{Target: 2 * time.Minute, MinAvailable: 1, Runs: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Met || !rec.Surge || rec.Sample.LowestAvailable[0] != 40 {
		t.Fatalf("floor 100%%: %+v", rec)
	}
	// ... but not with a host port
	hp := s
	hp.To = s.To.DeepCopy()
	hp.To.Spec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 80}}
	rec, err = Recommend(context.Background(), hp, Goal{Target: 2 * time.Minute, MinAvailable: 1, Runs: 10})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Met || !strings.Contains(rec.Reason, "host ports") {
		t.Fatalf("host port, floor 100%%: %+v", rec)
	}
	// an impossible target
	rec, err = Recommend(context.Background(), s, Goal{Target: time.Second, Runs: 5})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Met || rec.Budget != 40 || rec.Reason == "" {
		t.Fatalf("impossible target: %+v", rec)
	}
	for _, g := range []Goal{{}, {Target: time.Minute, MinAvailable: 1.5}, {Target: time.Minute, Runs: -1}} {
		if _, err := Recommend(context.Background(), s, g); err == nil {
			t.Errorf("goal %+v accepted", g)
		}
	}
}
