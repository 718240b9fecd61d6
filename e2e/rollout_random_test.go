package e2e

import (
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/e2e/harness"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/live"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// repetitions is how many real rollouts TestRollingUpdateRandomDelaysWithinModelBand
// measures per variant: 1 in CI, 5 in the long mode (run.sh -long sets
// DAEMONKIT_E2E_REPS=5).
var repetitions = flag.Int("e2e.reps", envInt("DAEMONKIT_E2E_REPS", 1), "real rollouts per variant of the random-delay timing test (run.sh -long: 5)")

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

const (
	// randomGrace is the template's terminationGracePeriodSeconds: KWOK
	// removes a deleted pod after a uniform 1 s..grace delay.
	randomGrace = 6
	// sampleRuns is the model's sample per measured rollout.
	sampleRuns = 200
	// medianTolerance bounds |model P50 - measured median| / measured median.
	medianTolerance = 0.10
)

// KWOK's general pod stages without per-pod annotations (harness/stages):
// pod-create after a uniform 1..5 s (durationMilliseconds 1000,
// jitterDurationMilliseconds 5000: the delay is uniform between the two),
// pod-ready 1..5 s after that, pod-delete 1 s..the end of the grace period.
// upstream: kwok pkg/utils/lifecycle/lifecycle.go Stage.Delay
var (
	kwokCreate = simulate.Uniform(time.Second, 5*time.Second)
	kwokReady  = simulate.Uniform(time.Second, 5*time.Second)
	kwokDelete = simulate.Uniform(time.Second, randomGrace*time.Second)
)

// Real rolling updates on KWOK nodes with KWOK's random pod delays, against
// the distribution the model samples from the cluster as read before each
// update (simulate.Sample, the template startup model with those delays).
// Two variants: the plain agent, and the agent with a readiness probe
// (initialDelaySeconds 5, periodSeconds 3). KWOK has no prober; for the
// probe variant its pod-ready stage is set to fire when the kubelet's
// prober would first count the probe, ⌈5/3⌉·3 = 6 s after the container
// starts (upstream: pkg/kubelet/prober/worker.go, prober_manager.go
// UpdatePodStatus), the application being up by then (KWOK's own ready
// delay, at most 5 s, is the model's AppReady). The model derives the 6 s
// from the template's probe.
//
// Each variant runs -e2e.reps rollouts (CI 1; run.sh -long 5). Checks: the
// model's P50 is within 10% of the measured median, and with 5 or more
// rollouts the measured median lies within the model's P10-P90 band of
// "every node updated and available" (for a perfect model the median of 5
// falls outside it less than once in a hundred runs). With fewer rollouts
// the band checked is P1-P99: one rollout falls outside an 80% band one time
// in five even for a perfect model, which would make CI cry wolf. The
// figures are logged and appended to $DAEMONKIT_E2E_REPORT.
func TestRollingUpdateRandomDelaysWithinModelBand(t *testing.T) {
	cs := client(t)
	n := *nodeCount
	reps := *repetitions
	if n < 1 || n > 1000 || reps < 1 || reps > 50 {
		t.Fatalf("-e2e.nodes=%d -e2e.reps=%d: want 1..1000 nodes and 1..50 repetitions", n, reps)
	}
	ctx := testContext(t, time.Duration(10+8*reps)*time.Minute)
	const group = "rollout-random"
	var nodes []*corev1.Node
	for i := range n {
		nodes = append(nodes, inGroup(harness.FakeNode(fmt.Sprintf("rand-%03d", i)), group))
	}
	createNodes(t, ctx, cs, nodes)
	batch := max(1, n/10)
	variants := []struct {
		name  string
		probe bool
	}{{"kwok-random", false}, {"kwok-random+readiness-probe", true}}
	for vi, v := range variants {
		t.Run(fmt.Sprintf("%s/maxUnavailable=%d", v.name, batch), func(t *testing.T) {
			ns := fmt.Sprintf("e2e-rollout-random-%d", vi)
			if err := harness.CreateNamespace(ctx, cs, ns); err != nil {
				t.Fatal(err)
			}
			ds := validAgent("agent")
			ds.Namespace = ns
			ds.Spec.Template.Spec.NodeSelector = map[string]string{groupLabel: group}
			grace := int64(randomGrace)
			ds.Spec.Template.Spec.TerminationGracePeriodSeconds = &grace
			mu := intstr.FromInt32(int32(batch))
			ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &mu}}
			model := simulate.StartupModel{Pull: kwokCreate, ContainerStart: kwokReady, Stop: &kwokDelete}
			if v.probe {
				ds.Spec.Template.Spec.Containers[0].ReadinessProbe = &corev1.Probe{
					ProbeHandler:        corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromInt32(8080)}},
					InitialDelaySeconds: 5, PeriodSeconds: 3,
				}
				// KWOK turns the pod Ready 6 s after the create stage, when
				// the prober would first count the readiness probe.
				ds.Spec.Template.Annotations = map[string]string{
					"pod-ready.stage.kwok.x-k8s.io/delay":        "6s",
					"pod-ready.stage.kwok.x-k8s.io/jitter-delay": "6s",
				}
				model = simulate.StartupModel{Pull: kwokCreate, AppReady: kwokReady, Stop: &kwokDelete}
			}
			if _, err := cs.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cs.AppsV1().DaemonSets(ns).Delete(ctx, "agent", metav1.DeleteOptions{}) })
			var measured, p1s, p10s, p50s, p90s, p99s []float64
			inBand := 0
			for rep := range reps {
				from := waitSettled(t, ctx, cs, ns, "agent", 2*time.Second)
				if from.Status.NumberAvailable != int32(n) {
					t.Fatalf("before update %d: %d of %d available", rep+1, from.Status.NumberAvailable, n)
				}
				snap, _, err := live.LoadFrom(ctx, cs)
				if err != nil {
					t.Fatal(err)
				}
				to := from.DeepCopy()
				to.Spec.Template.Spec.Containers[0].Image = fmt.Sprintf("registry.k8s.io/pause:3.10-rep%d", rep+1)
				start := time.Now()
				updated, err := cs.AppsV1().DaemonSets(ns).Update(ctx, to, metav1.UpdateOptions{})
				if err != nil {
					t.Fatal(err)
				}
				took, _ := waitRolledOut(t, ctx, cs, updated, start)

				fromModel, toModel := from.DeepCopy(), updated.DeepCopy()
				toModel.Status = appsv1.DaemonSetStatus{}
				m := model
				sample, err := simulate.Sample(ctx, simulate.Scenario{
					Cluster: snap, From: fromModel, To: toModel, Start: start,
					Kubelet: simulate.KubeletModel{StartupModel: &m},
					API:     simulate.DefaultAPIModel(),
					Order:   simulate.Order{Seed: int64(rep + 1)},
				}, sampleRuns)
				if err != nil {
					t.Fatal(err)
				}
				p10, ok10 := sample.Available.Percentile(10)
				p50, ok50 := sample.Available.Percentile(50)
				p90, ok90 := sample.Available.Percentile(90)
				p1, ok1 := sample.Available.Percentile(1)
				p99, ok99 := sample.Available.Percentile(99)
				if !ok1 || !ok10 || !ok50 || !ok90 || !ok99 {
					t.Fatalf("model: the sampled rollouts do not finish (stalled %d of %d: %+v)", sample.Stalled, sample.Runs, sample.StallCauses)
				}
				in := took >= p10 && took <= p90
				if in {
					inBand++
				}
				t.Logf("%d nodes, %s, rollout %d/%d: measured %.1fs to all updated+available; model P10 %.0fs P50 %.0fs P90 %.0fs (%d runs); within the band: %v",
					n, v.name, rep+1, reps, took.Seconds(), p10.Seconds(), p50.Seconds(), p90.Seconds(), sampleRuns, in)
				report(t, map[string]any{"test": "rolling-update-random", "nodes": n, "variant": v.name, "rep": rep + 1,
					"measured_s": took.Seconds(), "model_p10_s": p10.Seconds(), "model_p50_s": p50.Seconds(), "model_p90_s": p90.Seconds()})
				measured = append(measured, took.Seconds())
				p10s, p50s, p90s = append(p10s, p10.Seconds()), append(p50s, p50.Seconds()), append(p90s, p90.Seconds())
				p1s, p99s = append(p1s, p1.Seconds()), append(p99s, p99.Seconds())
			}
			med, m10, m50, m90 := median(measured), median(p10s), median(p50s), median(p90s)
			off := (m50 - med) / med
			t.Logf("%s: %d rollouts, measured median %.1fs (min %.1fs, max %.1fs); model P10 %.0fs P50 %.0fs P90 %.0fs; P50/median = %.3f; %d of %d rollouts within their band",
				v.name, reps, med, slices.Min(measured), slices.Max(measured), m10, m50, m90, m50/med, inBand, reps)
			report(t, map[string]any{"test": "rolling-update-random-summary", "nodes": n, "variant": v.name, "reps": reps,
				"measured_median_s": med, "model_p10_s": m10, "model_p50_s": m50, "model_p90_s": m90, "in_band": inBand})
			lo, hi, band := m10, m90, "P10-P90"
			if reps < 5 {
				lo, hi, band = median(p1s), median(p99s), "P1-P99"
			}
			if med < lo || med > hi {
				t.Errorf("measured median %.1fs outside the model's %s band [%.0fs, %.0fs]", med, band, lo, hi)
			}
			if math.Abs(off) > medianTolerance {
				t.Errorf("model P50 %.0fs is %.0f%% from the measured median %.1fs (tolerance %.0f%%)", m50, 100*math.Abs(off), med, 100*medianTolerance)
			}
		})
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
