package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/e2e/harness"
	"github.com/daemonkit/daemonkit/presets"
	"github.com/daemonkit/daemonkit/simulate"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Lint errors are about what happens in the cluster, not about admission:
// the API server accepts the object, and the failure lint names is what the
// real control plane then does. DK109 (maxSurge with a hostPort): the
// server stores the DaemonSet, and on an update the real scheduler leaves
// the surge pod (maxSurge=1: one) Pending for want of the host port, so the
// rollout never progresses, as lint says and as daemonkit's rollout model
// (scheduler stage on) predicts from the live snapshot: one node blocked by
// the host port.
// upstream: pkg/scheduler/framework/plugins/nodeports (NodePorts filter),
// pkg/controller/daemon/update.go rollingUpdate (surge)
func TestLintSurgeWithHostPortStallsOnTheRealScheduler(t *testing.T) {
	cs := client(t)
	ctx := testContext(t, 4*time.Minute)
	const group, ns = "lint", "e2e-lint"
	var nodes []*corev1.Node
	for i := range 2 {
		nodes = append(nodes, inGroup(harness.FakeNode(fmt.Sprintf("lint-%d", i)), group))
	}
	createNodes(t, ctx, cs, nodes)
	if err := harness.CreateNamespace(ctx, cs, ns); err != nil {
		t.Fatal(err)
	}
	ds := validAgent("exporter")
	ds.Namespace = ns
	ds.Spec.Template.Spec.NodeSelector = map[string]string{groupLabel: group}
	ds.Spec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{{Name: "metrics", ContainerPort: 9100, HostPort: 9100}}
	zero, one := intstr.FromInt32(0), intstr.FromInt32(1)
	ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &zero, MaxSurge: &one}}

	var ids []string
	for _, f := range presets.Lint(ds) {
		if f.Severity == presets.SeverityError {
			ids = append(ids, f.ID)
		}
	}
	if !slices.Equal(ids, []string{"DK109"}) {
		t.Fatalf("lint errors %v, want [DK109]", ids)
	}
	// Admission accepts it: lint errors are not validation errors.
	if _, err := cs.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatalf("the server refused a DaemonSet lint only warns about: %v", err)
	}
	t.Cleanup(func() { _ = cs.AppsV1().DaemonSets(ns).Delete(ctx, ds.Name, metav1.DeleteOptions{}) })
	from := waitSettled(t, ctx, cs, ns, ds.Name, time.Second)
	snap, to, _, start := snapshotThenUpdate(t, ctx, cs, from)

	// The model: stuck, one node (maxSurge) blocked by the host port.
	toModel := to.DeepCopy()
	toModel.Status = appsv1.DaemonSetStatus{}
	res, err := simulate.Rollout(ctx, simulate.Scenario{Cluster: snap, From: from, To: toModel, Start: start,
		Kubelet: simulate.KubeletModel{Startup: 5 * time.Second, SchedulerStage: true},
		Limits:  simulate.Limits{MaxTime: 10 * time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Summary.Stuck || res.Summary.Done {
		t.Fatalf("model: stuck %v, done %v; want a stuck rollout", res.Summary.Stuck, res.Summary.Done)
	}
	var blocked []string
	for _, b := range res.Summary.Blocking {
		if b.Cause == simulate.CauseHostPortConflict {
			blocked = append(blocked, b.Node)
		}
	}
	if len(blocked) != 1 {
		t.Errorf("model: nodes blocked by the host port %v (blocking %+v), want one", blocked, res.Summary.Blocking)
	}

	// The real control plane: one surge pod, unschedulable for the host
	// port, the old pods kept, nothing updated.
	var why, target string
	err = harness.Poll(ctx, 2*time.Minute, 250*time.Millisecond, func() (bool, string, error) {
		pods, err := daemonPods(ctx, cs, from, true)
		if err != nil {
			return false, "", err
		}
		pending := 0 // unscheduled pods have no spec.nodeName yet: all keys
		for _, ps := range pods {
			for _, p := range ps {
				if p.Spec.Containers[0].Image != to.Spec.Template.Spec.Containers[0].Image {
					continue
				}
				for _, c := range p.Status.Conditions {
					if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
						pending++
						why = c.Message
						target, _ = daemonset.TargetNodeName(p)
					}
				}
			}
		}
		return pending == 1, fmt.Sprintf("%d surge pods reported unschedulable, want 1", pending), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if target != "lint-0" && target != "lint-1" {
		t.Errorf("the surge pod targets node %q", target)
	}
	if !strings.Contains(why, "free ports") {
		t.Errorf("the scheduler's reason %q does not name the host port", why)
	}
	// ... and it stays that way: still no node updated a while later.
	time.Sleep(10 * time.Second)
	cur, err := cs.AppsV1().DaemonSets(ns).Get(ctx, ds.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cur.Status.UpdatedNumberScheduled != 0 || cur.Status.NumberAvailable != 2 {
		t.Errorf("after %s: %d updated, %d available; want 0 and the 2 old pods", time.Since(start).Round(time.Second),
			cur.Status.UpdatedNumberScheduled, cur.Status.NumberAvailable)
	}
	t.Logf("model: stuck, blocked by the host port on %v; real: the surge pod for %s Pending (%q), 0 of 2 updated after %s",
		blocked, target, why, time.Since(start).Round(time.Second))
}

// DK123 against the real control plane: a DaemonSet whose required pod
// anti-affinity (per node) matches its own pods, updated with maxSurge 1,
// stalls: the surge pod is unschedulable beside the old one ("didn't match
// pod anti-affinity rules" or "didn't satisfy existing pods anti-affinity
// rules"), nothing is updated; the rollout model from the live snapshot
// predicts the stall (CausePodAntiAffinity).
func TestLintSurgeWithOwnAntiAffinityStallsOnTheRealScheduler(t *testing.T) {
	cs := client(t)
	ctx := testContext(t, 4*time.Minute)
	const group, ns = "lint-anti", "e2e-lint-anti"
	var nodes []*corev1.Node
	for i := range 2 {
		nodes = append(nodes, inGroup(harness.FakeNode(fmt.Sprintf("lint-anti-%d", i)), group))
	}
	createNodes(t, ctx, cs, nodes)
	if err := harness.CreateNamespace(ctx, cs, ns); err != nil {
		t.Fatal(err)
	}
	ds := validAgent("repel")
	ds.Namespace = ns
	ds.Spec.Template.Spec.NodeSelector = map[string]string{groupLabel: group}
	ds.Spec.Template.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
		TopologyKey: corev1.LabelHostname, LabelSelector: &metav1.LabelSelector{MatchLabels: ds.Spec.Template.Labels}}}}}
	zero, one := intstr.FromInt32(0), intstr.FromInt32(1)
	ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &zero, MaxSurge: &one}}

	var ids []string
	for _, f := range presets.Lint(ds) {
		if f.Severity == presets.SeverityError {
			ids = append(ids, f.ID)
		}
	}
	if !slices.Equal(ids, []string{"DK123"}) {
		t.Fatalf("lint errors %v, want [DK123]", ids)
	}
	if _, err := cs.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatalf("the server refused a DaemonSet lint only warns about: %v", err)
	}
	t.Cleanup(func() { _ = cs.AppsV1().DaemonSets(ns).Delete(ctx, ds.Name, metav1.DeleteOptions{}) })
	from := waitSettled(t, ctx, cs, ns, ds.Name, time.Second)
	snap, to, _, start := snapshotThenUpdate(t, ctx, cs, from)

	toModel := to.DeepCopy()
	toModel.Status = appsv1.DaemonSetStatus{}
	res, err := simulate.Rollout(ctx, simulate.Scenario{Cluster: snap, From: from, To: toModel, Start: start,
		Kubelet: simulate.KubeletModel{Startup: 5 * time.Second, SchedulerStage: true},
		Limits:  simulate.Limits{MaxTime: 10 * time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Summary.Stuck || res.Summary.Done {
		t.Fatalf("model: stuck %v, done %v; want a stuck rollout", res.Summary.Stuck, res.Summary.Done)
	}
	var blocked []string
	for _, b := range res.Summary.Blocking {
		if b.Cause == simulate.CausePodAntiAffinity {
			blocked = append(blocked, b.Node)
		}
	}
	if len(blocked) != 1 {
		t.Errorf("model: nodes blocked by the anti-affinity %v (blocking %+v), want one", blocked, res.Summary.Blocking)
	}

	var why, target string
	err = harness.Poll(ctx, 2*time.Minute, 250*time.Millisecond, func() (bool, string, error) {
		pods, err := daemonPods(ctx, cs, from, true)
		if err != nil {
			return false, "", err
		}
		pending := 0
		for _, ps := range pods {
			for _, p := range ps {
				if p.Spec.Containers[0].Image != to.Spec.Template.Spec.Containers[0].Image {
					continue
				}
				if msg := unschedulableMessage(p); msg != "" {
					pending++
					why = msg
					target, _ = daemonset.TargetNodeName(p)
				}
			}
		}
		return pending == 1, fmt.Sprintf("%d surge pods reported unschedulable, want 1", pending), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// which node surges first is the controller's map order (daemonkit:
	// by name); one node on each side
	if target != "lint-anti-0" && target != "lint-anti-1" {
		t.Errorf("the surge pod targets node %q", target)
	}
	if !strings.Contains(why, "anti-affinity rules") {
		t.Errorf("the scheduler's reason %q does not name the anti-affinity", why)
	}
	time.Sleep(10 * time.Second)
	cur, err := cs.AppsV1().DaemonSets(ns).Get(ctx, ds.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cur.Status.UpdatedNumberScheduled != 0 || cur.Status.NumberAvailable != 2 {
		t.Errorf("after %s: %d updated, %d available; want 0 and the 2 old pods", time.Since(start).Round(time.Second),
			cur.Status.UpdatedNumberScheduled, cur.Status.NumberAvailable)
	}
	t.Logf("model: stuck, blocked by the anti-affinity on %v; real: the surge pod for %s Pending (%q), 0 of 2 updated after %s",
		blocked, target, why, time.Since(start).Round(time.Second))
}
