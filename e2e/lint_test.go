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
	surgeStallsOnTheRealScheduler(t, surgeStall{group: "lint", ds: "exporter", lintID: "DK109",
		cause: simulate.CauseHostPortConflict, reason: "free ports", what: "the host port",
		mutate: func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{{Name: "metrics", ContainerPort: 9100, HostPort: 9100}}
		}})
}

// DK123 against the real control plane: a DaemonSet whose required pod
// anti-affinity (per node) matches its own pods, updated with maxSurge 1,
// stalls: the surge pod is unschedulable beside the old one ("didn't match
// pod anti-affinity rules" or "didn't satisfy existing pods anti-affinity
// rules"), nothing is updated; the rollout model from the live snapshot
// predicts the stall (CausePodAntiAffinity).
func TestLintSurgeWithOwnAntiAffinityStallsOnTheRealScheduler(t *testing.T) {
	surgeStallsOnTheRealScheduler(t, surgeStall{group: "lint-anti", ds: "repel", lintID: "DK123",
		cause: simulate.CausePodAntiAffinity, reason: "anti-affinity rules", what: "the anti-affinity",
		mutate: func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
				TopologyKey: corev1.LabelHostname, LabelSelector: &metav1.LabelSelector{MatchLabels: ds.Spec.Template.Labels}}}}}
		}})
}

// surgeStall is one lint error that stalls a surge on the real scheduler.
type surgeStall struct {
	group, ds string // node group (and namespace "e2e-"+group), DaemonSet name
	lintID    string // the one lint error expected
	// cause: the model's blocking cause; reason: a substring of the
	// scheduler's Unschedulable message; what: the obstacle, for messages
	cause        simulate.Cause
	reason, what string
	mutate       func(*appsv1.DaemonSet)
}

// surgeStallsOnTheRealScheduler: two KWOK nodes and a DaemonSet (mutated
// by tc) updating with maxSurge 1, maxUnavailable 0. Lint reports exactly
// tc.lintID as an error, the server accepts the DaemonSet, the rollout model
// from the live snapshot is stuck with one node blocked by tc.cause, and on
// the update the real scheduler leaves the one surge pod Pending (tc.reason)
// with nothing updated 10 s later.
func surgeStallsOnTheRealScheduler(t *testing.T, tc surgeStall) {
	cs := client(t)
	ctx := testContext(t, 4*time.Minute)
	ns := "e2e-" + tc.group
	var nodes []*corev1.Node
	var names []string
	for i := range 2 {
		nodes = append(nodes, inGroup(harness.FakeNode(fmt.Sprintf("%s-%d", tc.group, i)), tc.group))
		names = append(names, nodes[i].Name)
	}
	createNodes(t, ctx, cs, nodes)
	if err := harness.CreateNamespace(ctx, cs, ns); err != nil {
		t.Fatal(err)
	}
	ds := validAgent(tc.ds)
	ds.Namespace = ns
	ds.Spec.Template.Spec.NodeSelector = map[string]string{groupLabel: tc.group}
	tc.mutate(ds)
	zero, one := intstr.FromInt32(0), intstr.FromInt32(1)
	ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &zero, MaxSurge: &one}}

	var ids []string
	for _, f := range presets.Lint(ds) {
		if f.Severity == presets.SeverityError {
			ids = append(ids, f.ID)
		}
	}
	if !slices.Equal(ids, []string{tc.lintID}) {
		t.Fatalf("lint errors %v, want [%s]", ids, tc.lintID)
	}
	// Admission accepts it: lint errors are not validation errors.
	if _, err := cs.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatalf("the server refused a DaemonSet lint only warns about: %v", err)
	}
	t.Cleanup(func() { _ = cs.AppsV1().DaemonSets(ns).Delete(ctx, ds.Name, metav1.DeleteOptions{}) })
	from := waitSettled(t, ctx, cs, ns, ds.Name, time.Second)
	snap, to, _, start := snapshotThenUpdate(t, ctx, cs, from)

	// The model: stuck, one node (maxSurge) blocked.
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
		if b.Cause == tc.cause {
			blocked = append(blocked, b.Node)
		}
	}
	if len(blocked) != 1 {
		t.Errorf("model: nodes blocked by %s %v (blocking %+v), want one", tc.what, blocked, res.Summary.Blocking)
	}

	// The real control plane: one surge pod, unschedulable, the old pods
	// kept, nothing updated.
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
	if !slices.Contains(names, target) {
		t.Errorf("the surge pod targets node %q", target)
	}
	if !strings.Contains(why, tc.reason) {
		t.Errorf("the scheduler's reason %q does not name %s", why, tc.what)
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
	t.Logf("model: stuck, blocked by %s on %v; real: the surge pod for %s Pending (%q), 0 of 2 updated after %s",
		tc.what, blocked, target, why, time.Since(start).Round(time.Second))
}
