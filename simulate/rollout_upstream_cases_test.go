package simulate

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The upstream unit tests of pkg/controller/daemon (spec §6) that concern
// manage and the rolling update, replayed through the engine. Upstream's
// harness runs one syncDaemonSet per expectSyncDaemonSets; here the first
// reconcile at t=0 is that sync (the engine then goes on, which the
// single-sync cases ignore). Pods the tests insert directly are Cluster pods
// the DaemonSet claims.

// upstreamDS is upstream's newDaemonSet fixture: labels name=simple-daemon,
// type=production.
func upstreamDS(s *appsv1.DaemonSetUpdateStrategy) *appsv1.DaemonSet {
	ds := rolloutDS("foo/bar", s)
	ds.Name = "foo"
	lbl := map[string]string{"name": "simple-daemon", "type": "production"}
	ds.Spec.Selector = &metav1.LabelSelector{MatchLabels: lbl}
	ds.Spec.Template.Labels = lbl
	return ds
}

func upstreamNodes(n int, labels map[string]string) []*corev1.Node {
	out := make([]*corev1.Node, n)
	for i := range out {
		out[i] = &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("node-%d", i), Labels: labels},
			Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}
	}
	return out
}

// currentHash is the hash the engine gives ds's template (after defaulting).
func currentHash(ds *appsv1.DaemonSet) string {
	d := ds.DeepCopy()
	daemonset.SetDefaults(d)
	return daemonset.RevisionHash(d)
}

// upstreamPod is upstream's newPod: a pod of ds (current hash) bound to node.
func upstreamPod(ds *appsv1.DaemonSet, name, node string) *corev1.Pod {
	d := ds.DeepCopy()
	daemonset.SetDefaults(d)
	p := daemonset.NewPodForRevision(d, node, currentHash(ds))
	p.Name = name
	p.Spec.NodeName = node
	p.CreationTimestamp = metav1.NewTime(defaultStart.Add(-time.Hour))
	return p
}

func readyPod(p *corev1.Pod, since time.Time) *corev1.Pod {
	p.Status.Phase = corev1.PodRunning
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(since)}}
	return p
}

func podsOn(ds *appsv1.DaemonSet, node string, n int) []*corev1.Pod {
	var out []*corev1.Pod
	for i := 0; i < n; i++ {
		out = append(out, upstreamPod(ds, fmt.Sprintf("%s-%d", node, i), node))
	}
	return out
}

// firstSync runs ds created at t=0 over nodes and pods and returns the first
// reconcile.
func firstSync(t *testing.T, ds *appsv1.DaemonSet, nodes []*corev1.Node, pods []*corev1.Pod) Step {
	t.Helper()
	r := mustRollout(t, Scenario{Cluster: mustCluster(nodes, pods), To: ds, Limits: Limits{MaxTime: time.Hour}})
	if len(r.Steps) == 0 || r.Steps[0].Reconcile != 1 {
		t.Fatalf("no first reconcile recorded")
	}
	return r.Steps[0]
}

func wantCD(t *testing.T, s Step, c, d int) {
	t.Helper()
	if len(s.Created) != c || len(s.Deleted) != d {
		t.Errorf("first sync: created %d %v, deleted %d %v; want C%d D%d", len(s.Created), s.Created, len(s.Deleted), s.Deleted, c, d)
	}
}

var strategies = map[string]*appsv1.DaemonSetUpdateStrategy{
	"OnDelete":      onDelete(),
	"RollingUpdate": maxUnavailable(intstr.FromInt32(1)),
}

// eachStrategy runs f for OnDelete and RollingUpdate maxUnavailable 1, as
// upstream's tests do.
func eachStrategy(t *testing.T, f func(t *testing.T, s *appsv1.DaemonSetUpdateStrategy)) {
	for _, name := range []string{"OnDelete", "RollingUpdate"} {
		t.Run(name, func(t *testing.T) { f(t, strategies[name]) })
	}
}

func withTaints(nodes []*corev1.Node, taints ...corev1.Taint) []*corev1.Node {
	for _, n := range nodes {
		n.Spec.Taints = append(n.Spec.Taints, taints...)
	}
	return nodes
}

// upstream: daemon_controller_test.go TestSimpleDaemonSetLaunchesPods
func TestSimpleDaemonSetLaunchesPods(t *testing.T) {
	eachStrategy(t, func(t *testing.T, s *appsv1.DaemonSetUpdateStrategy) {
		st := firstSync(t, upstreamDS(s), upstreamNodes(5, nil), nil)
		wantCD(t, st, 5, 0)
		// upstream: TestSimpleDaemonSetUpdatesStatusAfterLaunchingPods
		if st.Status.CurrentNumberScheduled != 5 || st.Status.DesiredNumberScheduled != 5 {
			t.Errorf("status after the launching sync: %+v", st.Status)
		}
	})
}

// upstream: daemon_controller_test.go TestNoNodesDoesNothing
func TestNoNodesDoesNothing(t *testing.T) {
	eachStrategy(t, func(t *testing.T, s *appsv1.DaemonSetUpdateStrategy) {
		wantCD(t, firstSync(t, upstreamDS(s), nil, nil), 0, 0)
	})
}

// upstream: daemon_controller_test.go TestOneNodeDaemonLaunchesPod
func TestOneNodeDaemonLaunchesPod(t *testing.T) {
	eachStrategy(t, func(t *testing.T, s *appsv1.DaemonSetUpdateStrategy) {
		wantCD(t, firstSync(t, upstreamDS(s), upstreamNodes(1, nil), nil), 1, 0)
	})
}

// upstream: daemon_controller_test.go TestNotReadyNodeDaemonDoesLaunchPod,
// TestNetworkUnavailableNodeDaemonLaunchesPod (conditions without taints
// change nothing)
func TestConditionsWithoutTaintsLaunchPod(t *testing.T) {
	for _, c := range []corev1.NodeCondition{
		{Type: corev1.NodeReady, Status: corev1.ConditionFalse},
		{Type: corev1.NodeNetworkUnavailable, Status: corev1.ConditionTrue},
	} {
		eachStrategy(t, func(t *testing.T, s *appsv1.DaemonSetUpdateStrategy) {
			nodes := upstreamNodes(1, nil)
			nodes[0].Status.Conditions = []corev1.NodeCondition{c}
			wantCD(t, firstSync(t, upstreamDS(s), nodes, nil), 1, 0)
		})
	}
}

// upstream: daemon_controller_test.go
// TestInsufficientCapacityNodeSufficientCapacityWithNodeLabelDaemonLaunchPod,
// TestSelectorDaemonLaunchesPods, TestBadSelectorDaemonDoesNothing
func TestSelectorDaemonLaunchesPods(t *testing.T) {
	eachStrategy(t, func(t *testing.T, s *appsv1.DaemonSetUpdateStrategy) {
		nodes := append(upstreamNodes(4, nil), upstreamNodes(7, map[string]string{"color": "blue"})[4:]...)
		ds := upstreamDS(s)
		ds.Spec.Template.Spec.NodeSelector = map[string]string{"color": "blue"}
		wantCD(t, firstSync(t, ds, nodes, nil), 3, 0)
		ds.Spec.Template.Spec.NodeSelector = map[string]string{"color": "purple"}
		wantCD(t, firstSync(t, ds, nodes, nil), 0, 0)
	})
}

// upstream: daemon_controller_test.go TestNodeAffinityDaemonLaunchesPods
func TestNodeAffinityDaemonLaunchesPods(t *testing.T) {
	eachStrategy(t, func(t *testing.T, s *appsv1.DaemonSetUpdateStrategy) {
		nodes := append(upstreamNodes(4, nil), upstreamNodes(7, map[string]string{"color": "blue"})[4:]...)
		ds := upstreamDS(s)
		ds.Spec.Template.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "color", Operator: corev1.NodeSelectorOpIn, Values: []string{"blue"}}},
			}}}}}
		wantCD(t, firstSync(t, ds, nodes, nil), 3, 0)
	})
}

// upstream: daemon_controller_test.go TestNameDaemonSetLaunchesPods,
// TestBadNameDaemonSetDoesNothing, TestNameAndSelectorDaemonSetLaunchesPods,
// TestInconsistentNameSelectorDaemonSetDoesNothing
func TestNodeNameDaemonSet(t *testing.T) {
	cases := []struct {
		name, nodeName string
		selector       map[string]string
		want           int
	}{
		{"NameLaunches", "node-0", nil, 1},
		{"BadNameDoesNothing", "node-10", nil, 0},
		{"NameAndSelectorLaunch", "node-6", map[string]string{"color": "blue"}, 1},
		{"InconsistentNameSelectorDoesNothing", "node-0", map[string]string{"color": "blue"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachStrategy(t, func(t *testing.T, s *appsv1.DaemonSetUpdateStrategy) {
				nodes := append(upstreamNodes(4, nil), upstreamNodes(7, map[string]string{"color": "blue"})[4:]...)
				ds := upstreamDS(s)
				ds.Spec.Template.Spec.NodeName = c.nodeName
				ds.Spec.Template.Spec.NodeSelector = c.selector
				wantCD(t, firstSync(t, ds, nodes, nil), c.want, 0)
			})
		})
	}
}

// upstream: daemon_controller_test.go TestPortConflictWithSameDaemonPodDoesNotDeletePod
func TestPortConflictWithSameDaemonPodDoesNotDeletePod(t *testing.T) {
	eachStrategy(t, func(t *testing.T, s *appsv1.DaemonSetUpdateStrategy) {
		ds := upstreamDS(s)
		ds.Spec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{{HostPort: 666, ContainerPort: 666}}
		nodes := upstreamNodes(1, nil)
		wantCD(t, firstSync(t, ds, nodes, []*corev1.Pod{upstreamPod(ds, "p", "node-0")}), 0, 0)
	})
}

// upstream: daemon_controller_test.go TestPodIsNotDeletedByDaemonsetWithEmptyLabelSelector.
// The API server rejects an empty selector before the controller sees it.
func TestEmptyLabelSelectorIsRejected(t *testing.T) {
	ds := upstreamDS(nil)
	ds.Spec.Selector = &metav1.LabelSelector{}
	_, err := Rollout(t.Context(), Scenario{Cluster: mustCluster(upstreamNodes(1, nil), nil), To: ds})
	if err == nil || !strings.Contains(err.Error(), "scenario.to.spec.selector") {
		t.Fatalf("want a validation error at scenario.to.spec.selector, got %v", err)
	}
}

// upstream: daemon_controller_test.go TestDealsWithExistingPods
func TestDealsWithExistingPods(t *testing.T) {
	eachStrategy(t, func(t *testing.T, s *appsv1.DaemonSetUpdateStrategy) {
		ds := upstreamDS(s)
		var pods []*corev1.Pod
		pods = append(pods, podsOn(ds, "node-1", 1)...)
		pods = append(pods, podsOn(ds, "node-2", 2)...)
		pods = append(pods, podsOn(ds, "node-3", 5)...)
		for _, p := range podsOn(ds, "node-4", 2) {
			p.Labels = map[string]string{"name": "other"}
			pods = append(pods, p)
		}
		wantCD(t, firstSync(t, ds, upstreamNodes(5, nil), pods), 2, 5)
	})
}

// upstream: daemon_controller_test.go TestSelectorDaemonDeletesUnselectedPods
func TestSelectorDaemonDeletesUnselectedPods(t *testing.T) {
	eachStrategy(t, func(t *testing.T, s *appsv1.DaemonSetUpdateStrategy) {
		ds := upstreamDS(s)
		ds.Spec.Template.Spec.NodeSelector = map[string]string{"color": "blue"}
		nodes := append(upstreamNodes(5, nil), upstreamNodes(10, map[string]string{"color": "blue"})[5:]...)
		var pods []*corev1.Pod
		pods = append(pods, podsOn(ds, "node-0", 2)...)
		pods = append(pods, podsOn(ds, "node-1", 1)...)
		pods = append(pods, podsOn(ds, "node-4", 1)...)
		wantCD(t, firstSync(t, ds, nodes, pods), 5, 4)
	})
}

// upstream: daemon_controller_test.go TestNumberReadyStatus, TestObservedGeneration
func TestNumberReadyStatus(t *testing.T) {
	ds := upstreamDS(nil)
	pods := append(podsOn(ds, "node-0", 1), podsOn(ds, "node-1", 1)...)
	st := firstSync(t, ds, upstreamNodes(2, nil), pods)
	if st.Status.NumberReady != 0 || st.Status.ObservedGeneration != 1 {
		t.Errorf("not-ready pods: %+v", st.Status)
	}
	for _, p := range pods {
		readyPod(p, defaultStart.Add(-time.Minute))
	}
	st = firstSync(t, ds, upstreamNodes(2, nil), pods)
	if st.Status.NumberReady != 2 || st.Status.NumberAvailable != 2 {
		t.Errorf("ready pods: %+v", st.Status)
	}
}

// upstream: daemon_controller_test.go TestDaemonKillFailedPods
func TestDaemonKillFailedPods(t *testing.T) {
	cases := []struct {
		name            string
		failed, running int
		wantC, wantD    int
	}{
		{"NoFailedOneRunning", 0, 1, 0, 0},
		{"NoPods", 0, 0, 1, 0},
		{"OneFailed", 1, 0, 0, 1},
		{"OneFailedThreeRunning", 1, 3, 0, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachStrategy(t, func(t *testing.T, s *appsv1.DaemonSetUpdateStrategy) {
				ds := upstreamDS(s)
				pods := podsOn(ds, "node-0", c.running)
				for _, p := range podsOn(ds, "node-0", c.failed) {
					p.Name = "failed-" + p.Name
					p.Status.Phase = corev1.PodFailed
					pods = append(pods, p)
				}
				wantCD(t, firstSync(t, ds, upstreamNodes(1, nil), pods), c.wantC, c.wantD)
			})
		})
	}
}

// upstream: daemon_controller_test.go TestDaemonKillFailedPodsBackoff. Two
// failed pods beside a running one: the first delete starts the node's
// backoff (1s), so the second waits for it. (The backoff key holds
// status.observedGeneration, so the DaemonSet is not new here: a first sync
// would change the key. The running pod is in the cluster too: a node with
// pods of From in the cluster gets no idealized From pod.)
func TestDaemonKillFailedPodsBackoff(t *testing.T) {
	ds := upstreamDS(nil)
	pods := []*corev1.Pod{readyPod(upstreamPod(ds, "running", "node-0"), defaultStart.Add(-time.Hour))}
	for _, p := range podsOn(ds, "node-0", 2) {
		p.Name = "failed-" + p.Name
		p.CreationTimestamp = metav1.NewTime(defaultStart)
		p.Status.Phase = corev1.PodFailed
		pods = append(pods, p)
	}
	r := mustRollout(t, Scenario{Cluster: mustCluster(upstreamNodes(1, nil), pods), From: ds, To: ds})
	got := shapes(r)
	want := "t=0 C0 D1 1/1/1/1/1/0\nt=1 C0 D1 1/1/1/1/1/0\n"
	if got != want {
		t.Errorf("steps:\n%s\nwant:\n%s", got, want)
	}
}

// upstream: daemon_controller_test.go TestNoScheduleTaintedDoesntEvicitRunningIntolerantPod,
// TestNoExecuteTaintedDoesEvicitRunningIntolerantPod, TestTaintedNodeDaemonDoesNotLaunchIntolerantPod,
// TestTaintedNodeDaemonLaunchesToleratePod, TestNotReadyNodeDaemonLaunchesPod,
// TestUnreachableNodeDaemonLaunchesPod, TestNodeDaemonLaunchesToleratePod,
// TestTaintPressureNodeDaemonLaunchesPod
func TestTaintsAndTolerations(t *testing.T) {
	noSchedule := corev1.Taint{Key: "k", Value: "v", Effect: corev1.TaintEffectNoSchedule}
	noExecute := corev1.Taint{Key: "k", Value: "v", Effect: corev1.TaintEffectNoExecute}
	tolerate := []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpEqual, Value: "v", Effect: corev1.TaintEffectNoSchedule}}
	cases := []struct {
		name         string
		taints       []corev1.Taint
		tolerations  []corev1.Toleration
		withPod      bool
		wantC, wantD int
	}{
		{"NoScheduleTaintedDoesntEvictRunningIntolerantPod", []corev1.Taint{noSchedule}, nil, true, 0, 0},
		{"NoExecuteTaintedDoesEvictRunningIntolerantPod", []corev1.Taint{noExecute}, nil, true, 0, 1},
		{"TaintedNodeDaemonDoesNotLaunchIntolerantPod", []corev1.Taint{noSchedule}, nil, false, 0, 0},
		{"TaintedNodeDaemonLaunchesToleratePod", []corev1.Taint{noSchedule}, tolerate, false, 1, 0},
		{"NotReadyNodeDaemonLaunchesPod", []corev1.Taint{{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute}}, nil, false, 1, 0},
		{"UnreachableNodeDaemonLaunchesPod", []corev1.Taint{{Key: corev1.TaintNodeUnreachable, Effect: corev1.TaintEffectNoExecute}}, nil, false, 1, 0},
		{"NodeDaemonLaunchesToleratePod", nil, tolerate, false, 1, 0},
		{"TaintPressureNodeDaemonLaunchesPod", []corev1.Taint{
			{Key: corev1.TaintNodeDiskPressure, Effect: corev1.TaintEffectNoSchedule},
			{Key: corev1.TaintNodeMemoryPressure, Effect: corev1.TaintEffectNoSchedule},
			{Key: corev1.TaintNodePIDPressure, Effect: corev1.TaintEffectNoSchedule},
		}, nil, false, 1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachStrategy(t, func(t *testing.T, s *appsv1.DaemonSetUpdateStrategy) {
				ds := upstreamDS(s)
				ds.Spec.Template.Spec.Tolerations = c.tolerations
				var pods []*corev1.Pod
				if c.withPod {
					pods = podsOn(ds, "node-0", 1)
				}
				wantCD(t, firstSync(t, ds, withTaints(upstreamNodes(1, nil), c.taints...), pods), c.wantC, c.wantD)
			})
		})
	}
}

// upstream: daemon_controller_test.go TestDaemonSetRespectsTermination
func TestDaemonSetRespectsTermination(t *testing.T) {
	ds := upstreamDS(nil)
	pods := podsOn(ds, "node-0", 1)
	ts := metav1.NewTime(defaultStart.Add(-time.Minute))
	pods[0].DeletionTimestamp = &ts
	wantCD(t, firstSync(t, ds, upstreamNodes(1, nil), pods), 0, 0)
}

// upstream: daemon_controller_test.go TestDeleteUnscheduledPodForNotExistingNode
func TestDeleteUnscheduledPodForNotExistingNode(t *testing.T) {
	eachStrategy(t, func(t *testing.T, s *appsv1.DaemonSetUpdateStrategy) {
		ds := upstreamDS(s)
		bound := upstreamPod(ds, "bound", "node-2")
		unbound := upstreamPod(ds, "unbound", "node-3")
		unbound.Spec.NodeName = ""
		pods := append(podsOn(ds, "node-0", 1), bound, unbound)
		wantCD(t, firstSync(t, ds, upstreamNodes(1, nil), pods), 0, 1)
	})
}

// upstream: daemon_controller_test.go TestSurgeDealsWithExistingPods
func TestSurgeDealsWithExistingPods(t *testing.T) {
	ds := upstreamDS(maxSurge(intstr.FromInt32(1)))
	var pods []*corev1.Pod
	pods = append(pods, podsOn(ds, "node-1", 1)...)
	pods = append(pods, podsOn(ds, "node-2", 2)...)
	pods = append(pods, podsOn(ds, "node-3", 5)...)
	for _, p := range podsOn(ds, "node-4", 2) {
		p.Labels = map[string]string{"name": "other"}
		pods = append(pods, p)
	}
	wantCD(t, firstSync(t, ds, upstreamNodes(5, nil), pods), 2, 5)
}

func oldPod(ds *appsv1.DaemonSet, name, node string, created time.Time) *corev1.Pod {
	p := upstreamPod(ds, name, node)
	delete(p.Labels, daemonset.ControllerRevisionHashLabel)
	p.CreationTimestamp = metav1.NewTime(created)
	return p
}

// upstream: daemon_controller_test.go TestSurgePreservesReadyOldPods,
// TestSurgeDeletesUnreadyOldPods, TestSurgePreservesOldReadyWithUnsatisfiedMinReady,
// TestSurgeDeletesOldReadyWithUnsatisfiedMinReady
func TestSurgeOldAndNewOnOneNode(t *testing.T) {
	at := func(s int64) time.Time { return defaultStart.Add(time.Duration(s) * time.Second) }
	cases := []struct {
		name        string
		minReady    int32
		newReadyAt  int64 // seconds relative to t=0; 0 = not ready
		oldestReady bool
		wantD       []string
	}{
		{"PreservesReadyOldPods", 0, 0, true, []string{"node-1-delete"}},
		{"DeletesUnreadyOldPods", 0, 0, false, []string{"node-1-old", "node-1-delete"}},
		{"PreservesOldReadyWithUnsatisfiedMinReady", 15, -10, true, []string{"node-1-delete"}},
		{"DeletesOldReadyWithUnsatisfiedMinReady", 15, -20, true, []string{"node-1-old", "node-1-delete"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := upstreamDS(maxSurge(intstr.FromInt32(1)))
			ds.Spec.MinReadySeconds = c.minReady
			newP := upstreamPod(ds, "node-1-new", "node-1")
			newP.CreationTimestamp = metav1.NewTime(at(-100))
			if c.newReadyAt != 0 {
				readyPod(newP, at(c.newReadyAt))
			}
			oldest := oldPod(ds, "node-1-old", "node-1", at(-300))
			if c.oldestReady {
				readyPod(oldest, at(-300))
			}
			other := readyPod(oldPod(ds, "node-1-delete", "node-1", at(-200)), at(-200))
			pods := append([]*corev1.Pod{newP, oldest, other}, podsOn(ds, "node-2", 1)...)
			r := mustRollout(t, Scenario{Cluster: mustCluster(upstreamNodes(5, nil), pods), To: ds,
				Limits: Limits{MaxTime: time.Minute}})
			st := r.Steps[0]
			if len(st.Created) != 3 {
				t.Errorf("created %v, want the 3 empty nodes", st.Created)
			}
			if got := len(st.Deleted); got != len(c.wantD) {
				t.Errorf("deleted %d pods on %v, want %v", got, st.Deleted, c.wantD)
			}
		})
	}
}

// upstream: update_test.go TestDaemonSetUpdatesPods (maxUnavailable 2, pods
// turn Ready between syncs)
func TestDaemonSetUpdatesPods(t *testing.T) {
	r := mustRollout(t, update(mustCluster(upstreamNodes(5, nil), nil), maxUnavailable(intstr.FromInt32(2)), 10*time.Second))
	if got, want := actingCounts(r), "(0,2) (2,0) (0,2) (2,0) (0,1) (1,0)"; got != want {
		t.Errorf("acting reconciles %s, want %s", got, want)
	}
}

// upstream: update_test.go TestDaemonSetUpdatesPodsWithMaxSurge
func TestDaemonSetUpdatesPodsWithMaxSurge(t *testing.T) {
	r := mustRollout(t, update(mustCluster(upstreamNodes(5, nil), nil), maxSurge(intstr.FromInt32(2)), 10*time.Second))
	if got, want := actingCounts(r), "(2,0) (2,2) (1,2) (0,1)"; got != want {
		t.Errorf("acting reconciles %s, want %s", got, want)
	}
}

// upstream: update_test.go TestDaemonSetUpdatesPodsNotMatchTainstWithMaxSurge
func TestDaemonSetUpdatesPodsNotMatchTaintsWithMaxSurge(t *testing.T) {
	taint := corev1.Taint{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}
	nodes := upstreamNodes(5, nil)
	nodes[0].Spec.Taints = []corev1.Taint{taint}
	from := upstreamDS(maxSurge(intstr.FromInt32(1)))
	from.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Key: taint.Key, Operator: corev1.TolerationOpExists, Effect: taint.Effect}}
	to := upstreamDS(maxSurge(intstr.FromInt32(1)))
	r := mustRollout(t, Scenario{Cluster: mustCluster(nodes, nil), From: from, To: to, Kubelet: KubeletModel{Startup: 10 * time.Second}})
	if got, want := actingCounts(r), "(1,1) (1,1) (1,1) (1,1) (0,1)"; got != want {
		t.Errorf("acting reconciles %s, want %s", got, want)
	}
}

// upstream: update_test.go TestDaemonSetUpdatesWhenNewPodIsNotReady
func TestDaemonSetUpdatesWhenNewPodIsNotReady(t *testing.T) {
	s := update(mustCluster(upstreamNodes(5, nil), nil), maxUnavailable(intstr.FromInt32(3)), 1000*time.Hour)
	s.Limits.MaxTime = time.Hour
	r := mustRollout(t, s)
	if got, want := actingCounts(r), "(0,3) (3,0)"; got != want {
		t.Errorf("acting reconciles %s, want %s", got, want)
	}
}

// upstream: update_test.go TestDaemonSetUpdatesAllOldPodsNotReady
func TestDaemonSetUpdatesAllOldPodsNotReady(t *testing.T) {
	s := update(mustCluster(upstreamNodes(5, nil), nil), maxUnavailable(intstr.FromInt32(3)), 10*time.Second)
	s.Kubelet.Broken = []string{"node-0", "node-1", "node-2", "node-3", "node-4"}
	r := mustRollout(t, s)
	if got, want := actingCounts(r), "(0,5) (5,0)"; got != want {
		t.Errorf("acting reconciles %s, want %s", got, want)
	}
}

// upstream: update_test.go TestDaemonSetUpdatesAllOldPodsNotReadyMaxSurge
// (first part: unready old pods get a new pod at once, outside the surge
// budget, and go as soon as both exist)
func TestDaemonSetUpdatesAllOldPodsNotReadyMaxSurge(t *testing.T) {
	s := update(mustCluster(upstreamNodes(5, nil), nil), maxSurge(intstr.FromInt32(3)), 10*time.Second)
	s.Kubelet.Broken = []string{"node-0", "node-1", "node-2", "node-3", "node-4"}
	r := mustRollout(t, s)
	if got, want := actingCounts(r), "(5,0) (0,5)"; got != want {
		t.Errorf("acting reconciles %s, want %s", got, want)
	}
}

// upstream: update_test.go TestDaemonSetUpdatesSaveOldHealthyPods: with 10 of
// 20 old pods unavailable, only those are replaced and the healthy ones are
// never touched while the new pods stay unavailable.
func TestDaemonSetUpdatesSaveOldHealthyPods(t *testing.T) {
	for _, mu := range []int32{0, 1, 5, 9} {
		t.Run(fmt.Sprint(mu), func(t *testing.T) {
			s := update(mustCluster(upstreamNodes(20, nil), nil), maxUnavailable(intstr.FromInt32(mu)), 10*time.Second)
			if mu == 0 {
				// both zero is rejected by validation; upstream's fallback to 1
				// is what maxUnavailable 1 does.
				s = update(mustCluster(upstreamNodes(20, nil), nil), maxUnavailable(intstr.FromInt32(1)), 10*time.Second)
			}
			for i := 10; i < 20; i++ {
				s.Kubelet.Broken = append(s.Kubelet.Broken, fmt.Sprintf("node-%d", i))
			}
			r := mustRollout(t, s)
			if got, want := actingCounts(r), "(0,10) (10,0)"; got != want {
				t.Errorf("acting reconciles %s, want %s", got, want)
			}
			if !r.Summary.Stuck || r.DaemonSet.Status.NumberReady != 10 {
				t.Errorf("want stuck with 10 healthy old pods kept, got %+v / %+v", r.Summary, r.DaemonSet.Status)
			}
		})
	}
}

// upstream: update_test.go TestDaemonSetUpdatesNoTemplateChanged
func TestDaemonSetUpdatesNoTemplateChanged(t *testing.T) {
	from := upstreamDS(onDelete())
	to := upstreamDS(maxUnavailable(intstr.FromInt32(1)))
	r := mustRollout(t, Scenario{Cluster: mustCluster(upstreamNodes(5, nil), nil), From: from, To: to})
	if got := actingCounts(r); got != "" {
		t.Errorf("acting reconciles %q, want none", got)
	}
	if r.DaemonSet.Generation != 2 || r.DaemonSet.Status.ObservedGeneration != 2 || len(r.Revisions) != 1 {
		t.Errorf("generation %d observed %d revisions %d; want 2, 2, 1", r.DaemonSet.Generation,
			r.DaemonSet.Status.ObservedGeneration, len(r.Revisions))
	}
}

// actingCounts renders the (creates,deletes) of every reconcile that acted.
func actingCounts(r *Result) string {
	var parts []string
	for _, s := range r.Steps {
		if len(s.Created)+len(s.Deleted) > 0 {
			parts = append(parts, fmt.Sprintf("(%d,%d)", len(s.Created), len(s.Deleted)))
		}
	}
	return strings.Join(parts, " ")
}

// upstream: daemon_controller_test.go TestSelectorDaemonDealsWithExistingPods
func TestSelectorDaemonDealsWithExistingPods(t *testing.T) {
	blue := map[string]string{"color": "blue", "speed": "fast"}
	other := map[string]string{"name": "simple-daemon", "type": "test"}
	eachStrategy(t, func(t *testing.T, s *appsv1.DaemonSetUpdateStrategy) {
		ds := upstreamDS(s)
		ds.Spec.Template.Spec.NodeSelector = blue
		nodes := append(upstreamNodes(5, nil), upstreamNodes(10, blue)[5:]...)
		var pods []*corev1.Pod
		add := func(node string, n int, labels map[string]string) {
			for _, p := range podsOn(ds, node, n) {
				p.Name += "-" + labels["type"]
				hash := p.Labels[daemonset.ControllerRevisionHashLabel]
				p.Labels = map[string]string{daemonset.ControllerRevisionHashLabel: hash}
				for k, v := range labels {
					p.Labels[k] = v
				}
				pods = append(pods, p)
			}
		}
		simple := map[string]string{"name": "simple-daemon", "type": "production"}
		add("node-0", 1, simple)
		add("node-1", 3, simple)
		add("node-1", 2, other)
		add("node-2", 4, simple)
		add("node-6", 13, simple)
		add("node-7", 4, other)
		add("node-9", 1, simple)
		add("node-9", 1, other)
		wantCD(t, firstSync(t, ds, nodes, pods), 3, 20)
	})
}

// upstream: daemon_controller_test.go TestInsufficientCapacityNodeDaemonDoesNotUnscheduleRunningPod,
// TestNoPortConflictNodeDaemonLaunchesPod (the controller ignores resources
// and other pods' ports)
func TestControllerIgnoresResourcesAndPorts(t *testing.T) {
	eachStrategy(t, func(t *testing.T, s *appsv1.DaemonSetUpdateStrategy) {
		ds := upstreamDS(s)
		ds.Spec.Template.Spec.NodeName = "node-0"
		ds.Spec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{{HostPort: 666, ContainerPort: 666}}
		nodes := upstreamNodes(1, nil)
		hog := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "hog", Namespace: "default"},
			Spec: corev1.PodSpec{NodeName: "node-0", Containers: []corev1.Container{{Name: "c", Image: "x",
				Ports: []corev1.ContainerPort{{HostPort: 667, ContainerPort: 667}}}}}}
		wantCD(t, firstSync(t, ds, nodes, []*corev1.Pod{hog}), 1, 0)
	})
}

// upstream: daemon_controller_test.go TestSurgeCreatesNewPodWhenAtMaxSurgeAndOldPodDeleted
func TestSurgeCreatesNewPodWhenAtMaxSurgeAndOldPodDeleted(t *testing.T) {
	ds := upstreamDS(maxSurge(intstr.FromInt32(1)))
	at := func(s int64) time.Time { return defaultStart.Add(time.Duration(s) * time.Second) }
	newP := upstreamPod(ds, "node-0-new", "node-0")
	newP.CreationTimestamp = metav1.NewTime(at(-10))
	newP.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse}}
	pods := []*corev1.Pod{newP, readyPod(oldPod(ds, "node-0-old-ready", "node-0", at(-60)), at(-60))}
	for i := 1; i < 5; i++ {
		p := readyPod(oldPod(ds, fmt.Sprintf("node-%d-preserve", i), fmt.Sprintf("node-%d", i), at(-100)), at(-100))
		if i == 4 {
			ts := metav1.NewTime(at(-1)) // grace period over, kubelet not done: stays terminating
			p.DeletionTimestamp = &ts
		}
		pods = append(pods, p)
	}
	st := firstSync(t, ds, upstreamNodes(5, nil), pods)
	if len(st.Created) != 1 || st.Created[0] != "node-4" || len(st.Deleted) != 0 {
		t.Errorf("created %v deleted %v, want a new pod on node-4 only", st.Created, st.Deleted)
	}
}

// upstream: daemon_controller_test.go TestDontDoAnythingIfBeingDeleted
func TestDontDoAnythingIfBeingDeleted(t *testing.T) {
	eachStrategy(t, func(t *testing.T, s *appsv1.DaemonSetUpdateStrategy) {
		ds := upstreamDS(s)
		now := metav1.NewTime(defaultStart)
		ds.DeletionTimestamp = &now
		r := mustRollout(t, Scenario{Cluster: mustCluster(upstreamNodes(1, nil), nil), To: ds})
		if r.Summary.Creates != 0 || r.Summary.Deletes != 0 || r.DaemonSet.Status.ObservedGeneration != 0 {
			t.Errorf("summary %+v status %+v", r.Summary, r.DaemonSet.Status)
		}
	})
}

// upstream: update_test.go TestDaemonSetUpdatesSomeOldPodsNotReady: after a
// second template change the two unready pods of revision 2 are replaced
// first and the three Ready pods of revision 1 stay.
func TestDaemonSetUpdatesSomeOldPodsNotReady(t *testing.T) {
	mu := maxUnavailable(intstr.FromInt32(2))
	s := Scenario{Cluster: mustCluster(upstreamNodes(5, nil), nil), From: upstreamDS(mu), To: upstreamDS(mu),
		Kubelet: KubeletModel{Startup: 1000 * time.Hour}, Limits: Limits{MaxTime: time.Hour}}
	s.To.Spec.Template.Spec.Containers[0].Image = "foo2/bar2"
	third := upstreamDS(mu)
	third.Spec.Template.Spec.Containers[0].Image = "foo2/bar3"
	s.Changes = []TemplateChange{{At: 10 * time.Second, DaemonSet: third}}
	r := mustRollout(t, s)
	if got, want := actingCounts(r), "(0,2) (2,0) (0,2) (2,0)"; got != want {
		t.Errorf("acting %s, want %s", got, want)
	}
	if ready := r.DaemonSet.Status.NumberReady; ready != 3 {
		t.Errorf("ready %d, want 3", ready)
	}
	if len(r.Revisions) != 3 {
		t.Errorf("revisions %d", len(r.Revisions))
	}
}

// upstream: update_test.go TestDaemonSetUpdatesAllOldNotReadyPodsAndNewNotReadyPods
// (second part): 10 available old, 2 unavailable old and 88 unavailable new
// pods with maxUnavailable 10: the 2 unavailable old pods are replaced, the
// 10 available ones are not.
func TestDaemonSetUpdatesAllOldNotReadyPodsAndNewNotReadyPods(t *testing.T) {
	ds := upstreamDS(maxUnavailable(intstr.FromInt32(10)))
	at := defaultStart.Add(-time.Hour)
	var pods []*corev1.Pod
	for i := 0; i < 100; i++ {
		node := fmt.Sprintf("node-%d", i)
		switch {
		case i < 10:
			pods = append(pods, readyPod(oldPod(ds, node+"-old", node, at), at))
		case i < 12:
			pods = append(pods, oldPod(ds, node+"-old", node, at))
		default:
			pods = append(pods, upstreamPod(ds, node+"-new", node))
		}
	}
	st := firstSync(t, ds, upstreamNodes(100, nil), pods)
	wantCD(t, st, 0, 2)
	if st.Deleted[0] != "node-10" || st.Deleted[1] != "node-11" {
		t.Errorf("deleted %v, want the two unavailable old pods", st.Deleted)
	}
}
