package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/e2e/harness"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
)

// The fixed KWOK pod delays of the timing test: created (running) create
// after binding, Ready ready after that, gone terminate after deletion.
const (
	delayCreate    = 2 * time.Second
	delayReady     = 3 * time.Second
	delayTerminate = 4 * time.Second
	// tolerance is how far the predicted duration may be from the measured.
	tolerance = 0.15
)

// A real rolling update on KWOK nodes against daemonkit's realistic rollout
// model with the same delays (startup = create + ready, termination grace,
// kube-controller-manager's client rate limit): the same final state, and
// the predicted time to "every node updated and available" within 15% of
// the measured one. Both figures are logged (and appended as JSON lines to
// $DAEMONKIT_E2E_REPORT when set).
// upstream: test/e2e/apps/daemon_set.go "should update pod when spec was
// updated and update strategy is RollingUpdate", "should surge pods onto
// nodes when spec was updated and update strategy is RollingUpdate"
func TestRollingUpdateTimeMatchesModel(t *testing.T) {
	cs := client(t)
	n := *nodeCount
	if n < 1 || n > 1000 {
		t.Fatalf("-e2e.nodes=%d: want 1..1000", n)
	}
	ctx := testContext(t, 25*time.Minute)
	const group = "rollout"
	var nodes []*corev1.Node
	for i := range n {
		nodes = append(nodes, inGroup(harness.FakeNode(fmt.Sprintf("roll-%03d", i)), group))
	}
	createNodes(t, ctx, cs, nodes)
	batch := max(1, n/10)
	variants := []struct {
		name        string
		unavailable int
		surge       int
	}{
		{name: fmt.Sprintf("maxUnavailable=%d", batch), unavailable: batch},
		{name: fmt.Sprintf("maxSurge=%d", batch), surge: batch},
	}
	for vi, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			ns := fmt.Sprintf("e2e-rollout-%d", vi)
			if err := harness.CreateNamespace(ctx, cs, ns); err != nil {
				t.Fatal(err)
			}
			ds := validAgent("agent")
			ds.Namespace = ns
			ds.Spec.Template.Annotations = harness.PodDelays(delayCreate, delayReady, delayTerminate)
			ds.Spec.Template.Spec.NodeSelector = map[string]string{groupLabel: group}
			grace := int64(delayTerminate / time.Second)
			ds.Spec.Template.Spec.TerminationGracePeriodSeconds = &grace
			mu, ms := intstr.FromInt32(int32(v.unavailable)), intstr.FromInt32(int32(v.surge))
			ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &mu, MaxSurge: &ms}}
			if _, err := cs.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cs.AppsV1().DaemonSets(ns).Delete(ctx, "agent", metav1.DeleteOptions{}) })
			from := waitSettled(t, ctx, cs, ns, "agent", 2*time.Second)
			if from.Status.NumberAvailable != int32(n) {
				t.Fatalf("before the update: %d of %d available", from.Status.NumberAvailable, n)
			}
			// The update: a new image.
			snap, to, updated, start := snapshotThenUpdate(t, ctx, cs, from)
			measured, clean := waitRolledOut(t, ctx, cs, updated, start)
			final := waitSettled(t, ctx, cs, ns, "agent", 2*time.Second)

			// The model: the cluster as read before the update (its nodes and
			// the DaemonSet's real pods), the DaemonSet as the server stored
			// it, t=0 at the update, the same delays.
			var groupNodes []*corev1.Node
			for _, nd := range snap.Nodes() {
				if nd.Labels[groupLabel] == group {
					groupNodes = append(groupNodes, nd)
				}
			}
			fromModel, toModel := from.DeepCopy(), to.DeepCopy()
			toModel.Status = appsv1.DaemonSetStatus{}
			res, err := simulate.Rollout(ctx, simulate.Scenario{
				Cluster: snap, From: fromModel, To: toModel, Start: start,
				Kubelet: simulate.KubeletModel{Startup: delayCreate + delayReady, TerminationFromTemplate: true},
				API:     simulate.DefaultAPIModel(),
			})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Summary.Done || res.Summary.AllAvailable == nil {
				t.Fatalf("model: rollout not done: %+v", res.Summary)
			}
			// The model started from the n real pods: it replaced each once.
			if res.Summary.Creates != n || res.Summary.Deletes != n {
				t.Errorf("model: %d creates and %d deletes, want %d each (one per real pod)", res.Summary.Creates, res.Summary.Deletes, n)
			}
			predicted := *res.Summary.AllAvailable
			ratio := predicted.Seconds() / measured.Seconds()
			t.Logf("%d nodes, %s: measured %.1fs to all updated+available (%.1fs until no old pod remained), predicted %.0fs (model end %.0fs); predicted/measured = %.3f",
				n, v.name, measured.Seconds(), clean.Seconds(), predicted.Seconds(), res.Summary.End.Seconds(), ratio)
			report(t, map[string]any{"test": "rolling-update", "nodes": n, "variant": v.name,
				"measured_s": measured.Seconds(), "measured_clean_s": clean.Seconds(),
				"predicted_s": predicted.Seconds(), "model_end_s": res.Summary.End.Seconds(), "ratio": ratio})

			if diff := cmp.Diff(countsOf(res.DaemonSet.Status), countsOf(final.Status)); diff != "" {
				t.Errorf("final status (-model +controller):\n%s", diff)
			}
			pods, err := daemonPods(ctx, cs, final, true)
			if err != nil {
				t.Fatal(err)
			}
			var bad []string
			for _, nd := range groupNodes {
				ps := pods[nd.Name]
				if len(ps) != 1 || ps[0].Spec.Containers[0].Image != to.Spec.Template.Spec.Containers[0].Image || !podReady(ps[0]) {
					bad = append(bad, nd.Name)
				}
			}
			if len(bad) > 0 {
				slices.Sort(bad)
				t.Errorf("final state: %d nodes without exactly one Ready pod of the new template: %v", len(bad), bad)
			}
			if math.Abs(ratio-1) > tolerance {
				t.Errorf("predicted %.0fs, measured %.1fs: off by %.0f%% (tolerance %.0f%%)",
					predicted.Seconds(), measured.Seconds(), 100*math.Abs(ratio-1), 100*tolerance)
			}
		})
	}
}

// waitRolledOut waits until the update is rolled out and returns how long
// after start every desired node was updated and available (what kubectl
// rollout status waits for), and when the last old pod was gone.
func waitRolledOut(t *testing.T, ctx context.Context, cs kubernetes.Interface, ds *appsv1.DaemonSet, start time.Time) (available, clean time.Duration) {
	t.Helper()
	image := ds.Spec.Template.Spec.Containers[0].Image
	err := harness.Poll(ctx, 20*time.Minute, 100*time.Millisecond, func() (bool, string, error) {
		cur, err := cs.AppsV1().DaemonSets(ds.Namespace).Get(ctx, ds.Name, metav1.GetOptions{})
		if err != nil {
			return false, "", err
		}
		s := cur.Status
		if available == 0 && s.ObservedGeneration >= cur.Generation && s.UpdatedNumberScheduled == s.DesiredNumberScheduled &&
			s.NumberAvailable == s.DesiredNumberScheduled && s.DesiredNumberScheduled > 0 {
			available = time.Since(start)
		}
		if available == 0 {
			return false, fmt.Sprintf("updated %d available %d of %d", s.UpdatedNumberScheduled, s.NumberAvailable, s.DesiredNumberScheduled), nil
		}
		pods, err := daemonPods(ctx, cs, cur, true)
		if err != nil {
			return false, "", err
		}
		for _, ps := range pods {
			for _, p := range ps {
				if p.Spec.Containers[0].Image != image {
					return false, "old pods remain", nil
				}
			}
		}
		clean = time.Since(start)
		return true, "", nil
	})
	if err != nil {
		t.Fatalf("rollout did not finish: %v", err)
	}
	return available, clean
}

// report appends one JSON line to $DAEMONKIT_E2E_REPORT, if set.
func report(t *testing.T, fields map[string]any) {
	p := os.Getenv("DAEMONKIT_E2E_REPORT")
	if p == "" {
		return
	}
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Logf("report: %v", err)
		return
	}
	defer f.Close()
	b, _ := json.Marshal(fields)
	fmt.Fprintf(f, "%s\n", b)
}
