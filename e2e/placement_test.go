package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/e2e/harness"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/live"
	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// On a KWOK cluster with plain, labelled, tainted (NoSchedule and
// NoExecute), cordoned and NotReady nodes, the status the real DaemonSet
// controller writes equals daemonkit's, and the nodes that get pods are the
// ones daemonkit names — for DaemonSets that select by label, tolerate a
// taint, tolerate everything, or neither.
// upstream: test/e2e/apps/daemon_set.go ("should run and stop simple
// daemon", "should run and stop complex daemon", "should retry creating
// failed daemon pods") and daemon_controller_test.go TestNodeShouldRunDaemonPod
func TestPlacementMatchesController(t *testing.T) {
	cs := client(t)
	ctx := testContext(t, 8*time.Minute)
	const group, ns = "placement", "e2e-placement"
	var nodes []*corev1.Node
	add := func(n *corev1.Node) *corev1.Node { n = inGroup(n, group); nodes = append(nodes, n); return n }
	for i := range 4 {
		add(harness.FakeNode(fmt.Sprintf("place-plain-%d", i)))
	}
	for i := range 2 {
		add(harness.FakeNode(fmt.Sprintf("place-gpu-%d", i))).Labels["role"] = "gpu"
	}
	for i := range 2 {
		n := add(harness.FakeNode(fmt.Sprintf("place-infra-%d", i)))
		n.Spec.Taints = []corev1.Taint{{Key: "dedicated", Value: "infra", Effect: corev1.TaintEffectNoSchedule}}
	}
	add(harness.FakeNode("place-evict-0")).Spec.Taints = []corev1.Taint{{Key: "evict", Value: "yes", Effect: corev1.TaintEffectNoExecute}}
	add(harness.FakeNode("place-cordoned-0")).Spec.Unschedulable = true
	for i := range 2 {
		add(harness.UnmanagedNode(fmt.Sprintf("place-notready-%d", i)))
	}
	createNodes(t, ctx, cs, nodes)
	// The nodes no kubelet runs stay without a Ready condition; what the
	// node lifecycle controller does to them later (taints) is read in the
	// snapshot below, so the comparison does not depend on timing.
	if err := harness.CreateNamespace(ctx, cs, ns); err != nil {
		t.Fatal(err)
	}

	mk := func(name string, mod func(*corev1.PodSpec)) *appsv1.DaemonSet {
		ds := validAgent(name)
		ds.Namespace = ns
		ds.Spec.Template.Annotations = harness.PodDelays(0, 0, 0)
		ds.Spec.Template.Spec.NodeSelector = map[string]string{groupLabel: group}
		if mod != nil {
			mod(&ds.Spec.Template.Spec)
		}
		return ds
	}
	dss := []*appsv1.DaemonSet{
		mk("plain", nil),
		mk("gpu-only", func(s *corev1.PodSpec) { s.NodeSelector["role"] = "gpu" }),
		mk("tolerates-infra", func(s *corev1.PodSpec) {
			s.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "infra", Effect: corev1.TaintEffectNoSchedule}}
		}),
		mk("tolerates-everything", func(s *corev1.PodSpec) {
			s.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
		}),
	}
	checkPlacement(t, ctx, cs, ns, group, dss)
}

// checkPlacement creates the DaemonSets, waits until the controller has
// settled them, and holds daemonkit to it: the nodes with a daemon pod equal
// simulate.Place's on the cluster as simulate/live reads it, and the status
// the controller wrote equals the rollout engine's (pods on NotReady nodes
// never Ready). It deletes the DaemonSets at the end and returns how many
// DaemonSets agreed.
func checkPlacement(t *testing.T, ctx context.Context, cs kubernetes.Interface, ns, group string, dss []*appsv1.DaemonSet) (agreed int) {
	t.Helper()
	for _, ds := range dss {
		if _, err := cs.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	stored := map[string]*appsv1.DaemonSet{}
	for _, ds := range dss {
		stored[ds.Name] = waitSettled(t, ctx, cs, ns, ds.Name, 3*time.Second)
	}

	// What daemonkit sees: the live cluster, read through simulate/live.
	snap, liveDSs, err := live.LoadFrom(ctx, cs)
	if err != nil {
		t.Fatal(err)
	}
	var mine []*appsv1.DaemonSet
	for _, ds := range liveDSs {
		if ds.Namespace == ns {
			mine = append(mine, ds)
		}
	}
	if len(mine) != len(dss) {
		t.Fatalf("live.LoadFrom found %d DaemonSets in %s, want %d", len(mine), ns, len(dss))
	}
	pl, err := simulate.Place(snap, mine...)
	if err != nil {
		t.Fatal(err)
	}
	// The rollout engine from an empty start on the same nodes gives the
	// full status with pods that never turn Ready on NotReady nodes.
	var groupNodes []*corev1.Node
	var notReady []string
	for _, n := range snap.Nodes() {
		if n.Labels[groupLabel] == group {
			groupNodes = append(groupNodes, n)
			if !nodeIsReady(n) {
				notReady = append(notReady, n.Name)
			}
		}
	}
	nodesOnly, err := simulate.NewCluster(groupNodes, nil)
	if err != nil {
		t.Fatal(err)
	}

	for _, ds := range mine {
		ok := t.Run(ds.Name, func(t *testing.T) {
			got := stored[ds.Name]
			pods, err := daemonPods(ctx, cs, got, false)
			if err != nil {
				t.Fatal(err)
			}
			var realNodes, predicted []string
			for node := range pods {
				realNodes = append(realNodes, node)
			}
			slices.Sort(realNodes)
			d := pl.DaemonSet(ds.Namespace, ds.Name)
			for _, np := range d.Nodes {
				if np.State != simulate.Excluded {
					predicted = append(predicted, np.Node)
				}
			}
			if !slices.Equal(realNodes, predicted) {
				t.Errorf("nodes with a daemon pod:\n  controller: %v\n  daemonkit:  %v", realNodes, predicted)
			}
			// Controller-stage counts from Place.
			ps := d.Status()
			if ps.DesiredNumberScheduled != got.Status.DesiredNumberScheduled ||
				ps.CurrentNumberScheduled != got.Status.CurrentNumberScheduled ||
				ps.UpdatedNumberScheduled != got.Status.UpdatedNumberScheduled ||
				ps.NumberMisscheduled != got.Status.NumberMisscheduled {
				t.Errorf("counts: daemonkit Place desired/current/updated/misscheduled %d/%d/%d/%d, controller %d/%d/%d/%d",
					ps.DesiredNumberScheduled, ps.CurrentNumberScheduled, ps.UpdatedNumberScheduled, ps.NumberMisscheduled,
					got.Status.DesiredNumberScheduled, got.Status.CurrentNumberScheduled, got.Status.UpdatedNumberScheduled, got.Status.NumberMisscheduled)
			}
			// Full status from the rollout engine, NotReady nodes' pods never Ready.
			to := ds.DeepCopy()
			to.Status = appsv1.DaemonSetStatus{}
			res, err := simulate.Rollout(ctx, simulate.Scenario{Cluster: nodesOnly, To: to, Kubelet: simulate.KubeletModel{Broken: notReady}})
			if err != nil {
				t.Fatal(err)
			}
			want := countsOf(res.DaemonSet.Status)
			if diff := cmp.Diff(want, countsOf(got.Status)); diff != "" {
				t.Errorf("status (-daemonkit rollout engine +controller):\n%s", diff)
			}
			t.Logf("controller status %+v; nodes %v", countsOf(got.Status), realNodes)
		})
		if ok {
			agreed++
		}
	}
	for _, ds := range dss {
		_ = cs.AppsV1().DaemonSets(ns).Delete(ctx, ds.Name, metav1.DeleteOptions{})
	}
	return agreed
}

// statusCounts are the status numbers both sides compute.
type statusCounts struct {
	Desired, Current, Updated, Misscheduled, Ready, Available, Unavailable int32
}

func countsOf(s appsv1.DaemonSetStatus) statusCounts {
	return statusCounts{
		Desired: s.DesiredNumberScheduled, Current: s.CurrentNumberScheduled, Updated: s.UpdatedNumberScheduled,
		Misscheduled: s.NumberMisscheduled, Ready: s.NumberReady, Available: s.NumberAvailable, Unavailable: s.NumberUnavailable,
	}
}
