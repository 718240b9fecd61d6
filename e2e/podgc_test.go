package e2e

import (
	"context"
	"fmt"
	"math"
	"sort"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/e2e/harness"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/live"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
)

// kube-controller-manager's pod garbage collector: it runs every gcPeriod
// and deletes a missing node's pods gcQuarantine after a run found it.
// upstream: pkg/controller/podgc/gc_controller.go gcCheckPeriod, quarantineTime
const (
	gcPeriod     = 20 * time.Second
	gcQuarantine = 40 * time.Second
	// gcRunSlack is what the collector's own run (listing, patching and
	// deleting) may add to the model's window.
	gcRunSlack = 5 * time.Second
)

// podGCPhase measures when kube-controller-manager's pod GC runs: it
// deletes a node holding a bare pod and returns when that pod was gone (a
// run of the collector, give or take its own run time). The collector's
// period slides (upstream runs it with wait.UntilWithContext: the next run
// starts a period after the last one ended), so its phase drifts under
// load: measure it right before it is used. id names the probe.
func podGCPhase(t *testing.T, ctx context.Context, cs kubernetes.Interface, id string) time.Time {
	t.Helper()
	const ns = "e2e-gcprobe"
	if err := harness.CreateNamespace(ctx, cs, ns); err != nil {
		t.Fatal(err)
	}
	node := inGroup(harness.FakeNode("gc-probe-"+id), "gc-probe")
	createNodes(t, ctx, cs, []*corev1.Node{node})
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "probe-" + id, Namespace: ns},
		Spec: corev1.PodSpec{NodeName: node.Name, Containers: []corev1.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10"}}}}
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := cs.CoreV1().Nodes().Delete(ctx, node.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	deleted := time.Now()
	var gone time.Time
	err := harness.Poll(ctx, 2*time.Minute, 100*time.Millisecond, func() (bool, string, error) {
		_, err := cs.CoreV1().Pods(ns).Get(ctx, pod.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			gone = time.Now()
			return true, "", nil
		}
		return false, "probe pod still there", err
	})
	if err != nil {
		t.Fatalf("the pod GC never deleted the probe pod: %v", err)
	}
	t.Logf("pod GC probe: the pod of a node deleted at %s went %.1fs later", deleted.Format("15:04:05.000"), gone.Sub(deleted).Seconds())
	return gone
}

// gcOffset is the model's PodGCModel.Offset for a rollout starting at start:
// the collector's phase measured by podGCPhase, in whole seconds, rounded
// down. Down, not to the nearest: in the model a run at an instant comes
// after that instant's events, so a real run 0.4 s before the node's
// deletion (phase 19.6 s) must be the model's run at 19 s, not at 0 s
// (which would see the deletion 20 s early).
func gcOffset(run, start time.Time) time.Duration {
	d := run.Sub(start) % gcPeriod
	if d < 0 {
		d += gcPeriod
	}
	return d.Truncate(time.Second) % gcPeriod
}

// A node deleted at the start of a rolling update, on the non-surge and the
// surge path: its pod stays bound to the deleted node until
// kube-controller-manager's pod GC deletes it 40–60 s later (a Ready orphan
// takes a maxUnavailable slot and, deleted by the rollout itself, stays
// Terminating with no kubelet to finish it; on the surge path every sync
// fails with "couldn't get node for nodeName" and the rollout stands still).
// The measured lifetime of the orphan lies in the model's window, and the
// predicted time to "every node updated and available" is within 15% of the
// measured one, with the collector's phase measured beforehand.
// upstream: pkg/controller/podgc/gc_controller.go gcOrphaned; update.go
// rollingUpdate
func TestNodeDeletedMidRollout(t *testing.T) {
	cs := client(t)
	ctx := testContext(t, 20*time.Minute)
	const n = 20
	variants := []struct {
		name               string
		unavailable, surge int
		wantBlocked        bool
	}{
		{name: "maxUnavailable=2", unavailable: 2},
		{name: "maxSurge=2", surge: 2, wantBlocked: true},
	}
	for vi, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			group := fmt.Sprintf("podgc-%d", vi)
			var nodes []*corev1.Node
			for i := range n {
				nodes = append(nodes, inGroup(harness.FakeNode(fmt.Sprintf("gc%d-%02d", vi, i)), group))
			}
			createNodes(t, ctx, cs, nodes)
			ns := fmt.Sprintf("e2e-podgc-%d", vi)
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
			if from.Status.NumberAvailable != n {
				t.Fatalf("before the update: %d of %d available", from.Status.NumberAvailable, n)
			}
			pods, err := daemonPods(ctx, cs, from, false)
			if err != nil {
				t.Fatal(err)
			}
			victim := nodes[n/2].Name
			orphan := pods[victim][0].Name
			gcRun := podGCPhase(t, ctx, cs, fmt.Sprint(vi))

			snap, to, updated, start := snapshotThenUpdate(t, ctx, cs, from)
			if err := cs.CoreV1().Nodes().Delete(ctx, victim, metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
			deletedAt := time.Since(start)
			orphanGone := make(chan time.Duration, 1)
			go func() {
				_ = harness.Poll(ctx, 5*time.Minute, 100*time.Millisecond, func() (bool, string, error) {
					_, err := cs.CoreV1().Pods(ns).Get(ctx, orphan, metav1.GetOptions{})
					if apierrors.IsNotFound(err) {
						orphanGone <- time.Since(start)
						return true, "", nil
					}
					return false, "orphan still there", nil
				})
			}()
			// the order in which the controller picks the nodes (Go map order
			// upstream): when each node first had its old pod deleted or a
			// new pod created
			picks := make(chan []string, 1)
			watchCtx, stopWatch := context.WithCancel(ctx)
			go func() { picks <- pickOrder(watchCtx, cs, updated) }()
			measured, _ := waitRolledOut(t, ctx, cs, updated, start)
			stopWatch()
			order := <-picks
			var gone time.Duration
			select {
			case gone = <-orphanGone:
			case <-ctx.Done():
				t.Fatal("the orphaned pod never went")
			}

			// The model: the cluster as read before the update, the node
			// removed when it was, the collector's phase as probed.
			offset := gcOffset(gcRun, start)
			at := deletedAt.Round(time.Second)
			fromModel, toModel := from.DeepCopy(), to.DeepCopy()
			toModel.Status = appsv1.DaemonSetStatus{}
			gc := simulate.PodGCModel{Period: gcPeriod, Quarantine: gcQuarantine, Offset: offset}
			sc := simulate.Scenario{
				Cluster: snap, From: fromModel, To: toModel, Start: start,
				Kubelet: simulate.KubeletModel{Startup: delayCreate + delayReady, TerminationFromTemplate: true},
				API:     simulate.DefaultAPIModel(),
				Events:  []simulate.Event{simulate.NodeRemoved(at, victim)},
				PodGC:   gc,
				// upstream's picks, as conformance/ does with PickOrder
				Order: simulate.Order{Kind: simulate.OrderExplicit, Names: order},
			}
			res, err := simulate.Rollout(ctx, sc)
			if err != nil {
				t.Fatal(err)
			}
			sc.Order = simulate.Order{}
			sorted, err := simulate.Rollout(ctx, sc)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Summary.Done || res.Summary.AllAvailable == nil || len(res.Summary.Orphans) != 1 {
				t.Fatalf("model: %+v", res.Summary)
			}
			o := res.Summary.Orphans[0]
			predicted := *res.Summary.AllAvailable
			ratio := predicted.Seconds() / measured.Seconds()
			lifetime := gone - deletedAt
			var collected float64
			if o.CollectedAt != nil {
				collected = o.CollectedAt.Seconds()
			}
			t.Logf("%d nodes, %s, node deleted at %.1fs (pod GC %s): orphan gone after %.1fs (model: collected at %.0fs, blocked surge %v, deleted by the rollout %d); "+
				"measured %.1fs to all updated+available, predicted %.0fs in upstream's pick order (%.0fs in sorted order; the orphan picked %s); predicted/measured = %.3f",
				n, v.name, deletedAt.Seconds(), gc, lifetime.Seconds(), collected, o.BlockedSurge, o.DeletedByController,
				measured.Seconds(), predicted.Seconds(), durOrNil(sorted.Summary.AllAvailable), pickedAs(order, victim), ratio)
			report(t, map[string]any{"test": "node-deleted-mid-rollout", "nodes": n, "variant": v.name,
				"orphan_lifetime_s": lifetime.Seconds(), "model_collected_s": collected,
				"measured_s": measured.Seconds(), "predicted_s": predicted.Seconds(), "ratio": ratio})

			if lifetime < gcQuarantine || lifetime > gcQuarantine+gcPeriod+gcRunSlack {
				t.Errorf("the orphan went %.1fs after the node's deletion, outside the model's window [%v, %v]",
					lifetime.Seconds(), gcQuarantine, gcQuarantine+gcPeriod+gcRunSlack)
			}
			// within 3 s: the model's phase is rounded down to the second
			// (up to 1 s early), and the collector's period slides by its
			// own run time each period (wait.UntilWithContext is sliding),
			// which a loaded machine stretches; a wrong period or
			// quarantine is off by 20 s or more
			if o.CollectedAt == nil || math.Abs(o.CollectedAt.Seconds()-gone.Seconds()) > 3 {
				t.Errorf("model collects the orphan at %v, measured gone at %.1fs", o.CollectedAt, gone.Seconds())
			}
			if o.BlockedSurge != v.wantBlocked {
				t.Errorf("model: blocked surge %v, want %v", o.BlockedSurge, v.wantBlocked)
			}
			if math.Abs(ratio-1) > tolerance {
				t.Errorf("predicted %.0fs, measured %.1fs: off by %.0f%% (tolerance %.0f%%)",
					predicted.Seconds(), measured.Seconds(), 100*math.Abs(ratio-1), 100*tolerance)
			}
		})
	}
}

// A DaemonSet that tolerates a NoExecute taint for 10 s on a tainted node:
// kube-controller-manager's taint-eviction controller deletes its pod 10 s
// after it binds, the DaemonSet controller creates another, for as long as
// the taint stays (kubernetes/kubernetes#117520). The pods' creation times
// on that node are the model's, within 2 s each.
// upstream: pkg/controller/tainteviction/taint_eviction.go processPodOnNode
func TestTaintEvictionLoopMatchesModel(t *testing.T) {
	cs := client(t)
	ctx := testContext(t, 10*time.Minute)
	const group = "evict"
	nodes := []*corev1.Node{inGroup(harness.FakeNode("evict-0"), group), inGroup(harness.FakeNode("evict-1"), group)}
	createNodes(t, ctx, cs, nodes)
	const ns = "e2e-evict"
	if err := harness.CreateNamespace(ctx, cs, ns); err != nil {
		t.Fatal(err)
	}
	ten := int64(10)
	ds := validAgent("agent")
	ds.Namespace = ns
	ds.Spec.Template.Annotations = harness.PodDelays(delayCreate, delayReady, delayTerminate)
	ds.Spec.Template.Spec.NodeSelector = map[string]string{groupLabel: group}
	grace := int64(delayTerminate / time.Second)
	ds.Spec.Template.Spec.TerminationGracePeriodSeconds = &grace
	ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Key: "maintenance", Operator: corev1.TolerationOpExists,
		Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &ten}}
	if _, err := cs.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.AppsV1().DaemonSets(ns).Delete(ctx, "agent", metav1.DeleteOptions{}) })
	from := waitSettled(t, ctx, cs, ns, "agent", 2*time.Second)
	snap, _, err := live.LoadFrom(ctx, cs)
	if err != nil {
		t.Fatal(err)
	}

	// taint evict-1 and watch its pods come and go for a minute
	start := time.Now()
	node, err := cs.CoreV1().Nodes().Get(ctx, "evict-1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	node.Spec.Taints = append(node.Spec.Taints, corev1.Taint{Key: "maintenance", Effect: corev1.TaintEffectNoExecute})
	if _, err := cs.CoreV1().Nodes().Update(ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	const window = 60 * time.Second
	seen := map[string]time.Duration{} // pod -> when first seen
	_ = harness.Poll(ctx, window, 200*time.Millisecond, func() (bool, string, error) {
		pods, err := daemonPods(ctx, cs, from, true)
		if err != nil {
			return false, "", err
		}
		for _, p := range pods["evict-1"] {
			if _, ok := seen[p.Name]; !ok {
				seen[p.Name] = p.CreationTimestamp.Sub(start)
			}
		}
		return false, "watching", nil
	})
	var measured []time.Duration
	for _, at := range seen {
		if at > 0 {
			measured = append(measured, at)
		}
	}
	sort.Slice(measured, func(a, b int) bool { return measured[a] < measured[b] })

	res, err := simulate.Rollout(ctx, simulate.Scenario{
		Cluster: snap, From: from.DeepCopy(), To: from.DeepCopy(), Start: start,
		Kubelet: simulate.KubeletModel{Startup: delayCreate + delayReady, TerminationFromTemplate: true},
		API:     simulate.DefaultAPIModel(),
		Events:  []simulate.Event{simulate.Tainted(0, "evict-1", corev1.Taint{Key: "maintenance", Effect: corev1.TaintEffectNoExecute})},
		Limits:  simulate.Limits{MaxTime: window},
	})
	if err != nil {
		t.Fatal(err)
	}
	var predicted []time.Duration
	for _, s := range res.Steps {
		for _, c := range s.Created {
			if c == "evict-1" && s.Time > 0 && s.Time < window {
				predicted = append(predicted, s.Time)
			}
		}
	}
	t.Logf("pods created on the tainted node at %v (measured), %v (model)", measured, predicted)
	report(t, map[string]any{"test": "taint-eviction-loop", "measured_s": secondsOf(measured), "predicted_s": secondsOf(predicted)})
	if len(measured) < 3 {
		t.Fatalf("only %d pods created on the tainted node in %v: no eviction loop", len(measured), window)
	}
	if len(predicted) != len(measured) && !(len(predicted) == len(measured)+1 && predicted[len(predicted)-1] > window-3*time.Second) {
		t.Errorf("%d pods created in %v, the model says %d", len(measured), window, len(predicted))
	}
	for i := range min(len(measured), len(predicted)) {
		if d := measured[i] - predicted[i]; d < -2*time.Second || d > 2*time.Second {
			t.Errorf("pod %d created at %.1fs, the model says %v", i+1, measured[i].Seconds(), predicted[i])
		}
	}
}

// pickOrder watches the DaemonSet's pods until ctx ends and returns its
// nodes in the order the controller first acted on them (an old pod
// deleted, or a pod of the new template created).
func pickOrder(ctx context.Context, cs kubernetes.Interface, ds *appsv1.DaemonSet) []string {
	image := ds.Spec.Template.Spec.Containers[0].Image
	var order []string
	seen := map[string]bool{}
	for ctx.Err() == nil {
		pods, err := daemonPods(ctx, cs, ds, true)
		if err == nil {
			var now []string
			for node, ps := range pods {
				if node == "" {
					continue // not bound yet
				}
				for _, p := range ps {
					if !seen[node] && (p.DeletionTimestamp != nil || p.Spec.Containers[0].Image == image) {
						seen[node] = true
						now = append(now, node)
					}
				}
			}
			sort.Strings(now)
			order = append(order, now...)
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	return order
}

func pickedAs(order []string, node string) string {
	for i, n := range order {
		if n == node {
			return fmt.Sprintf("#%d", i+1)
		}
	}
	return "never"
}

func durOrNil(d *time.Duration) float64 {
	if d == nil {
		return math.NaN()
	}
	return d.Seconds()
}

func secondsOf(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = d.Seconds()
	}
	return out
}
