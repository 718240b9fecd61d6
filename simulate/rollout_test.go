package simulate

import (
	"bytes"
	"context"
	"fmt"
	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/internal/goldentest"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldentest.Check(t, name, string(got))
}

func traceText(t *testing.T, r *Result) []byte {
	var b bytes.Buffer
	if err := WriteTrace(&b, r, 0); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Spec §3.9, worked example A: 10 nodes, maxUnavailable 25%, Ready 10 s
// after creation. Delete waves 3,3,3,1 [verified against upstream].
func TestWorkedExampleA(t *testing.T) {
	r := mustRollout(t, update(testCluster(10), maxUnavailable(intstr.FromString("25%")), 10*time.Second))
	want := strings.Join([]string{
		"t=0 C0 D3 10/7/7/0/7/3",
		"t=0 C3 D0 10/10/7/3/7/3",
		"t=10 C0 D3 10/7/7/3/7/3",
		"t=10 C3 D0 10/10/7/6/7/3",
		"t=20 C0 D3 10/7/7/6/7/3",
		"t=20 C3 D0 10/10/7/9/7/3",
		"t=30 C0 D1 10/9/9/9/9/1",
		"t=30 C1 D0 10/10/9/10/9/1",
		"t=40 C0 D0 10/10/10/10/10/0",
	}, "\n") + "\n"
	if got := shapes(r); got != want {
		t.Errorf("steps:\n%s\nwant:\n%s", got, want)
	}
	if r.Summary.Reconciles != 13 {
		t.Errorf("reconciles %d, want 13 (spec §3.9 table)", r.Summary.Reconciles)
	}
	s0 := update(testCluster(10), maxUnavailable(intstr.FromString("25%")), 10*time.Second)
	s0.AllSteps = true
	if all := mustRollout(t, s0); len(all.Steps) != 13 || all.Steps[2].Reconcile != 3 {
		t.Errorf("AllSteps: %d steps, want the 13 reconciles of the table", len(all.Steps))
	}
	s := r.Summary
	if !s.Done || !s.AllCurrentAndAvailable || s.Stuck || *s.AllUpdated != 30*time.Second || *s.AllAvailable != 40*time.Second ||
		s.MinAvailable != 7 || s.MaxUnavailable != 3 || len(s.Breaches) != 0 {
		t.Errorf("summary %+v", s)
	}
	golden(t, "worked_example_a.golden", traceText(t, r))
}

// Spec §3.10, worked example B: 10 nodes, maxSurge 1, maxUnavailable 0.
// Create/delete counts per acting sync: (1,0), (1,1)x9, (0,1); never fewer
// than 10 available pods.
func TestWorkedExampleB(t *testing.T) {
	r := mustRollout(t, update(testCluster(10), maxSurge(intstr.FromInt32(1)), 10*time.Second))
	want := "(1,0)" + strings.Repeat(" (1,1)", 9) + " (0,1)"
	if got := actingCounts(r); got != want {
		t.Errorf("acting %s, want %s", got, want)
	}
	for _, s := range r.Steps {
		if s.Status.NumberAvailable < 10 {
			t.Errorf("availability fell to %d at %v", s.Status.NumberAvailable, s.Time)
		}
	}
	if last := r.Steps[len(r.Steps)-1]; last.Time != 100*time.Second || last.Status.UpdatedNumberScheduled != 10 {
		t.Errorf("last step %s", shape(last))
	}
	golden(t, "worked_example_b.golden", traceText(t, r))
}

func TestRolloutFromCreation(t *testing.T) {
	r := mustRollout(t, Scenario{Cluster: testCluster(300), To: rolloutDS("img:v1", nil), Kubelet: KubeletModel{Startup: 5 * time.Second}})
	// burstReplicas: 250 then 50 creates at t=0
	if got := actingCounts(r); got != "(250,0) (50,0)" {
		t.Errorf("acting %s", got)
	}
	if !r.Summary.Done || *r.Summary.AllAvailable != 5*time.Second || r.DaemonSet.Generation != 1 || len(r.Revisions) != 1 {
		t.Errorf("summary %+v generation %d revisions %d", r.Summary, r.DaemonSet.Generation, len(r.Revisions))
	}
}

// Spec §4.6: a rollback reuses the earlier revision and its hash, keeps the
// pods of that revision and bumps its revision number.
func TestRollbackKeepsPodsOfThatRevision(t *testing.T) {
	s := update(testCluster(10), maxUnavailable(intstr.FromInt32(2)), 10*time.Second)
	s.Changes = []TemplateChange{{At: 15 * time.Second, DaemonSet: rolloutDS("img:v1", maxUnavailable(intstr.FromInt32(2)))}}
	r := mustRollout(t, s)
	if len(r.Revisions) != 2 {
		t.Fatalf("revisions %d, want 2 (no new revision for a rollback)", len(r.Revisions))
	}
	if r.Revisions[1].Revision != 3 || !strings.Contains(string(r.Revisions[1].Data.Raw), "img:v1") {
		t.Errorf("rolled-back revision: number %d data %s", r.Revisions[1].Revision, r.Revisions[1].Data.Raw)
	}
	// at t=15 six v1 pods are still there and count as updated at once
	for _, st := range r.Steps {
		if st.Time == 15*time.Second {
			if st.Status.UpdatedNumberScheduled < 6 {
				t.Errorf("after rollback updated=%d, want the v1 pods counted", st.Status.UpdatedNumberScheduled)
			}
			break
		}
	}
	if r.DaemonSet.Generation != 3 || r.DaemonSet.Annotations[appsv1.DeprecatedTemplateGeneration] != "3" {
		t.Errorf("generation %d annotations %v", r.DaemonSet.Generation, r.DaemonSet.Annotations)
	}
	if !r.Summary.AllCurrentAndAvailable || r.Summary.Creates != 8 || r.Summary.Deletes != 8 {
		t.Errorf("summary %+v", r.Summary)
	}
}

// upstream: update.go cleanupHistory; revisions no pod carries beyond
// revisionHistoryLimit are deleted, oldest first.
func TestRevisionHistoryLimit(t *testing.T) {
	limit := int32(1)
	mk := func(img string) *appsv1.DaemonSet {
		d := rolloutDS(img, maxUnavailable(intstr.FromString("100%")))
		d.Spec.RevisionHistoryLimit = &limit
		return d
	}
	s := Scenario{Cluster: testCluster(3), From: mk("img:v1"), To: mk("img:v2"), Kubelet: KubeletModel{Startup: time.Second}}
	for k, img := range []string{"img:v3", "img:v4", "img:v5"} {
		s.Changes = append(s.Changes, TemplateChange{At: time.Duration(10*(k+1)) * time.Second, DaemonSet: mk(img)})
	}
	r := mustRollout(t, s)
	if len(r.Revisions) != 2 || r.Revisions[0].Revision != 4 || r.Revisions[1].Revision != 5 {
		var got []int64
		for _, rv := range r.Revisions {
			got = append(got, rv.Revision)
		}
		t.Errorf("revisions left %v, want [4 5]", got)
	}
}

// Spec §3.8: OnDelete never replaces pods; the summary says so.
func TestOnDeleteKeepsOldPods(t *testing.T) {
	r := mustRollout(t, update(testCluster(4), onDelete(), time.Second))
	s := r.Summary
	if len(r.Steps) != 1 || r.Steps[0].Status.UpdatedNumberScheduled != 0 || s.Done || s.AllCurrentAndAvailable || !s.Stuck ||
		len(s.Uncovered) != 4 || s.Uncovered[0].Cause != CauseOldPodKept {
		t.Errorf("steps %s summary %+v", shapes(r), s)
	}
}

// Spec §3.4, §3.7: a node whose new pod never turns Ready holds one unit of
// maxUnavailable forever.
func TestBudgetEatenByUnreadyNode(t *testing.T) {
	s := update(testCluster(5), maxUnavailable(intstr.FromInt32(1)), 10*time.Second)
	s.Kubelet.Broken = []string{"n02"}
	r := mustRollout(t, s)
	sum := r.Summary
	if !sum.Stuck || len(sum.Blocking) != 1 || sum.Blocking[0].Node != "n02" || sum.Blocking[0].Cause != CausePodNeverReady {
		t.Fatalf("summary %+v", sum)
	}
	if len(sum.Uncovered) != 5 || sum.Uncovered[0].Cause != CauseBudgetEatenByUnavailable {
		t.Errorf("uncovered %+v", sum.Uncovered)
	}
	if got := actingCounts(r); got != "(0,1) (1,0)" {
		t.Errorf("acting %s: the unready old pod is replaced regardless of budget, then nothing", got)
	}
}

// With surge, a DaemonSet whose required anti-affinity matches its own pods
// (per node) cannot bind the new pod beside the old one: the rollout stalls
// on the first node (upstream: interpodaffinity Filter). With the revision
// hash among the term's matchLabelKeys, pods of other revisions do not match
// and the rollout finishes.
func TestSurgeAntiAffinityStalls(t *testing.T) {
	mk := func(img string, matchKeys ...string) *appsv1.DaemonSet {
		d := rolloutDS(img, maxSurge(intstr.FromInt32(1)))
		d.Spec.Template.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
			TopologyKey: corev1.LabelHostname, LabelSelector: &metav1.LabelSelector{MatchLabels: d.Spec.Template.Labels}, MatchLabelKeys: matchKeys}}}}
		return d
	}
	r := mustRollout(t, Scenario{Cluster: roomy(testCluster(3)), From: mk("img:v1"), To: mk("img:v2"),
		Kubelet: KubeletModel{Startup: 5 * time.Second, SchedulerStage: true}})
	s := r.Summary
	if !s.Stuck || len(s.Blocking) != 1 || s.Blocking[0].Cause != CausePodAntiAffinity || s.Blocking[0].Node != "n00" {
		t.Errorf("summary %+v", s)
	}
	r = mustRollout(t, Scenario{Cluster: roomy(testCluster(3)), From: mk("img:v1", daemonset.ControllerRevisionHashLabel), To: mk("img:v2", daemonset.ControllerRevisionHashLabel),
		Kubelet: KubeletModel{Startup: 5 * time.Second, SchedulerStage: true}})
	if !r.Summary.AllCurrentAndAvailable {
		t.Errorf("matchLabelKeys controller-revision-hash: %+v", r.Summary)
	}
}

// Spec §1.8: with surge, a hostPort DaemonSet's new pod cannot bind beside
// the old one; the old stays Ready, so the rollout stalls on the first node.
func TestSurgeHostPortStalls(t *testing.T) {
	mk := func(img string) *appsv1.DaemonSet {
		d := rolloutDS(img, maxSurge(intstr.FromInt32(1)))
		d.Spec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 9100, HostPort: 9100}}
		return d
	}
	r := mustRollout(t, Scenario{Cluster: roomy(testCluster(3)), From: mk("img:v1"), To: mk("img:v2"),
		Kubelet: KubeletModel{Startup: 5 * time.Second, SchedulerStage: true}})
	s := r.Summary
	if !s.Stuck || len(s.Blocking) != 1 || s.Blocking[0].Cause != CauseHostPortConflict || s.Blocking[0].Node != "n00" {
		t.Errorf("summary %+v", s)
	}
	if got := actingCounts(r); got != "(1,0)" {
		t.Errorf("acting %s", got)
	}
	// without the scheduler stage (parity model) the same rollout finishes
	r = mustRollout(t, Scenario{Cluster: testCluster(3), From: mk("img:v1"), To: mk("img:v2"),
		Kubelet: KubeletModel{Startup: 5 * time.Second}})
	if !r.Summary.AllCurrentAndAvailable {
		t.Errorf("parity model: %+v", r.Summary)
	}
}

// Spec §3.9 last paragraph: during graceful termination the terminating pod
// keeps its node's group, so current stays 10 and no pod is created there.
func TestTerminationGraceDelaysReplacement(t *testing.T) {
	s := update(testCluster(10), maxUnavailable(intstr.FromString("25%")), 10*time.Second)
	s.Kubelet.Termination = 30 * time.Second
	r := mustRollout(t, s)
	first := r.Steps[0]
	if len(first.Deleted) != 3 || first.Status.CurrentNumberScheduled != 10 || first.Status.NumberAvailable != 10 {
		t.Errorf("first step %s", shape(first))
	}
	for _, st := range r.Steps {
		if len(st.Created) > 0 && st.Time < 30*time.Second {
			t.Errorf("created at %v before the grace period ended", st.Time)
		}
	}
	if !r.Summary.AllCurrentAndAvailable || *r.Summary.AllAvailable != 160*time.Second {
		t.Errorf("summary %+v", r.Summary)
	}
	s.Kubelet.TerminationFromTemplate = true // template default 30s: same
	if r2 := mustRollout(t, s); shapes(r2) != shapes(r) {
		t.Errorf("template grace 30s differs from Termination 30s")
	}
}

// The controller-manager client's token bucket (QPS 20, burst 30) spreads a
// reconcile's 100 creates over 4 seconds; the next reconcile waits for them.
func TestAPIRateLimit(t *testing.T) {
	r := mustRollout(t, Scenario{Cluster: testCluster(100), To: rolloutDS("img:v1", nil), API: DefaultAPIModel(),
		Kubelet: KubeletModel{Startup: 2 * time.Second}})
	if len(r.Steps) < 1 || len(r.Steps[0].Created) != 100 || r.Steps[0].Time != 4*time.Second {
		t.Fatalf("steps:\n%s", shapes(r))
	}
	if st := r.Steps[0].Status; st.CurrentNumberScheduled != 100 || st.NumberReady != 70 {
		t.Errorf("status when the creating reconcile ends: %s", shape(r.Steps[0]))
	}
	if *r.Summary.AllAvailable != 6*time.Second {
		t.Errorf("all available at %v", *r.Summary.AllAvailable)
	}
}

// The scheduler binds at most BindPerSecond pods per second.
func TestBindPerSecond(t *testing.T) {
	r := mustRollout(t, Scenario{Cluster: testCluster(10), To: rolloutDS("img:v1", nil),
		Kubelet: KubeletModel{Startup: time.Second, BindPerSecond: 4}})
	if *r.Summary.AllAvailable != 3*time.Second {
		t.Errorf("all available at %v, want 3s (bound at 0,1,2; Ready 1s later)", *r.Summary.AllAvailable)
	}
}

// Pods on CrashLoop and Pending nodes never become available; the summary
// names the cause.
func TestCrashLoopAndPendingCauses(t *testing.T) {
	r := mustRollout(t, Scenario{Cluster: testCluster(3), To: rolloutDS("img:v1", nil),
		Kubelet: KubeletModel{Startup: time.Second, CrashLoop: []string{"n01"}, Pending: []string{"n02"}}})
	got := map[string]Cause{}
	for _, u := range r.Summary.Uncovered {
		got[u.Node] = u.Cause
	}
	if got["n01"] != CauseCrashLoopBackOff || got["n02"] != CausePending || len(got) != 2 {
		t.Errorf("uncovered %+v", r.Summary.Uncovered)
	}
	if r.Summary.Done || !r.Summary.Stuck {
		t.Errorf("summary %+v", r.Summary)
	}
}

// Scripted events (spec §1.6, §1.7, §2.8).
func TestScriptedEvents(t *testing.T) {
	extra := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n99"}}
	s := Scenario{Cluster: testCluster(4), To: rolloutDS("img:v1", nil), Kubelet: KubeletModel{Startup: time.Second},
		Events: []Event{
			NodeAdded(10*time.Second, extra),
			NodeNotReady(20*time.Second, "n00"),
			Cordoned(30*time.Second, "n01"),
			Tainted(40*time.Second, "n02", corev1.Taint{Key: "evict", Effect: corev1.TaintEffectNoExecute}),
			NodeRemoved(50*time.Second, "n03"),
			NodeReady(60*time.Second, "n00"),
			Labeled(70*time.Second, "n01", "x", "y"),
			Untainted(80*time.Second, "n02", "evict", corev1.TaintEffectNoExecute),
		}}
	r := mustRollout(t, s)
	var got []string
	for _, st := range r.Steps {
		got = append(got, shape(st))
	}
	want := []string{
		"t=0 C4 D0 4/4/0/4/0/4",
		"t=1 C0 D0 4/4/4/4/4/0",
		"t=10 C1 D0 5/5/4/5/4/1", // node added: pod created
		"t=11 C0 D0 5/5/5/5/5/0",
		"t=20 C0 D0 4/4/4/4/4/0", // NotReady: not desired, pod kept (misscheduled), not Ready
		"t=40 C0 D1 3/3/3/3/3/0", // untolerated NoExecute: evicted
		"t=50 C0 D0 2/2/2/2/2/0", // node removed with its pod
		"t=60 C0 D0 3/3/3/3/3/0", // Ready again: its pod is Ready again
		"t=80 C1 D0 4/4/3/4/3/1", // taint gone: pod created
		"t=81 C0 D0 4/4/4/4/4/0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.Steps[4].Status.NumberMisscheduled != 1 {
		t.Errorf("NotReady node's pod should be misscheduled: %+v", r.Steps[4].Status)
	}
}

func TestSeedGivesSameTrace(t *testing.T) {
	s := update(testCluster(40), maxUnavailable(intstr.FromString("10%")), 10*time.Second)
	s.Kubelet.StartupJitter = 20 * time.Second
	s.Kubelet.Broken = []string{"n07"}
	s.Order = Order{Kind: OrderRandom, Seed: 7}
	a, b := traceText(t, mustRollout(t, s)), traceText(t, mustRollout(t, s))
	if !bytes.Equal(a, b) {
		t.Error("same scenario and seed gave different traces")
	}
	s.Order.Seed = 8
	if c := traceText(t, mustRollout(t, s)); bytes.Equal(a, c) {
		t.Error("another seed gave the very same trace (order and jitter ignored?)")
	}
}

func TestExplicitOrder(t *testing.T) {
	s := update(testCluster(5), maxUnavailable(intstr.FromInt32(1)), time.Second)
	s.Order = Order{Kind: OrderExplicit, Names: []string{"n03", "n01"}}
	r := mustRollout(t, s)
	var order []string
	for _, st := range r.Steps {
		order = append(order, st.Deleted...)
	}
	if strings.Join(order, ",") != "n03,n01,n00,n02,n04" {
		t.Errorf("replacement order %v", order)
	}
}

func TestInvalidScenario(t *testing.T) {
	cases := []struct {
		name string
		s    Scenario
		path string
	}{
		{"NoTo", Scenario{}, "scenario.to"},
		{"UnknownEventNode", Scenario{To: rolloutDS("i", nil), Events: []Event{NodeNotReady(0, "ghost")}}, "scenario.events[0].node"},
		{"UnknownBrokenNode", Scenario{To: rolloutDS("i", nil), Kubelet: KubeletModel{Broken: []string{"ghost"}}}, "scenario.kubelet.broken[0]"},
		{"NegativeStartup", Scenario{To: rolloutDS("i", nil), Kubelet: KubeletModel{Startup: -time.Second}}, "scenario.kubelet.startup"},
		{"ChangeNotLater", Scenario{To: rolloutDS("i", nil), Changes: []TemplateChange{{At: 0, DaemonSet: rolloutDS("j", nil)}}}, "scenario.changes[0].at"},
		{"SelectorChange", Scenario{From: rolloutDS("i", nil), To: func() *appsv1.DaemonSet {
			d := rolloutDS("j", nil)
			d.Spec.Selector.MatchLabels["extra"] = "x"
			d.Spec.Template.Labels["extra"] = "x"
			return d
		}()}, "scenario.to.spec.selector"},
		{"BadEventKind", Scenario{To: rolloutDS("i", nil), Events: []Event{{Kind: "Explode"}}}, "scenario.events[0].kind"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Rollout(t.Context(), c.s)
			if err == nil || !strings.Contains(err.Error(), c.path) {
				t.Errorf("error %v, want one at %s", err, c.path)
			}
		})
	}
}

func TestLimitsTruncate(t *testing.T) {
	s := update(testCluster(20), maxUnavailable(intstr.FromInt32(1)), 10*time.Second)
	s.Limits.MaxTime = 55 * time.Second
	r := mustRollout(t, s)
	if !r.Summary.Truncated || r.Summary.Stuck || r.Summary.Done {
		t.Errorf("summary %+v", r.Summary)
	}
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Rollout(ctx, update(testCluster(3), nil, time.Second)); err == nil {
		t.Error("want the context's error")
	}
}

// With the scheduler stage, a node without room for the daemon pod leaves it
// Pending: it counts as current and unavailable, and eats maxUnavailable.
func TestSchedulerStagePendingOnFullNode(t *testing.T) {
	c := roomy(testCluster(3))
	c = mustCluster(c.Nodes(), []*corev1.Pod{{ObjectMeta: metav1.ObjectMeta{Name: "hog", Namespace: "default"},
		Spec: corev1.PodSpec{NodeName: "n01", Containers: []corev1.Container{{Name: "c", Image: "x",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("900m")}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning}}})
	ds := rolloutDS("img:v1", nil)
	ds.Spec.Template.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m")}
	r := mustRollout(t, Scenario{Cluster: c, To: ds, Kubelet: KubeletModel{Startup: time.Second, SchedulerStage: true}})
	st := r.DaemonSet.Status
	if st.DesiredNumberScheduled != 3 || st.CurrentNumberScheduled != 3 || st.NumberAvailable != 2 {
		t.Errorf("status %+v", st)
	}
	u := r.Summary.Uncovered
	if len(u) != 1 || u[0].Node != "n01" || u[0].Cause != CausePending || !strings.Contains(u[0].Detail, "cpu") {
		t.Errorf("uncovered %+v", u)
	}
}

// roomy gives every node 1 cpu, 1Gi and 10 pods of allocatable (the
// scheduler stage reads a node without allocatable as full).
func roomy(c *Cluster) *Cluster {
	nodes := c.Nodes()
	for i, n := range nodes {
		n = n.DeepCopy()
		n.Status.Allocatable = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"),
			corev1.ResourceMemory: resource.MustParse("1Gi"), corev1.ResourcePods: resource.MustParse("10")}
		nodes[i] = n
	}
	return mustCluster(nodes, c.Pods())
}

// Upstream deletes every old pod that is already unavailable regardless of
// maxUnavailable (spec §3.4): with 3 broken nodes and maxUnavailable 1 the
// budget is exceeded at once, and the summary says why.
func TestBudgetBreachReported(t *testing.T) {
	s := update(testCluster(10), maxUnavailable(intstr.FromInt32(1)), 10*time.Second)
	s.Kubelet.Broken = []string{"n02", "n05", "n08"}
	r := mustRollout(t, s)
	b := r.Summary.Breaches
	if len(b) == 0 || b[0].Time != 0 || b[0].Unavailable != 3 || b[0].MaxUnavailable != 1 || b[0].Cause != CauseUnavailableOldPodsReplaced {
		t.Errorf("breaches %+v", b)
	}
	if first := r.Steps[0]; len(first.Deleted) != 3 {
		t.Errorf("first step %s: the 3 unready old pods go at once", shape(first))
	}
}

// A richer scenario (startup jitter, grace period, API rate limit, binding
// throughput, events, a template change, seeded order) as a golden trace:
// any change in the engine's output shows up here.
func TestGoldenRichScenario(t *testing.T) {
	s := update(testCluster(30), maxUnavailable(intstr.FromString("20%")), 15*time.Second)
	s.Kubelet.StartupJitter = 10 * time.Second
	s.Kubelet.Termination = 5 * time.Second
	s.Kubelet.BindPerSecond = 3
	s.Kubelet.CrashLoop = []string{"n13"}
	s.API = APIModel{QPS: 2, Burst: 3}
	s.Order = Order{Kind: OrderRandom, Seed: 42}
	s.Events = []Event{NodeNotReady(40*time.Second, "n07"), NodeReady(200*time.Second, "n07"),
		Cordoned(60*time.Second, "n21")}
	v3 := rolloutDS("img:v3", maxUnavailable(intstr.FromString("20%")))
	v3.Spec.MinReadySeconds = 5
	s.Changes = []TemplateChange{{At: 90 * time.Second, DaemonSet: v3}}
	r := mustRollout(t, s)
	var b bytes.Buffer
	b.Write(traceText(t, r))
	fmt.Fprintf(&b, "\nsummary: done=%v trulyDone=%v stuck=%v end=%v minAvailable=%d maxUnavailable=%d breaches=%d\n",
		r.Summary.Done, r.Summary.AllCurrentAndAvailable, r.Summary.Stuck, r.Summary.End, r.Summary.MinAvailable,
		r.Summary.MaxUnavailable, len(r.Summary.Breaches))
	for _, u := range r.Summary.Blocking {
		fmt.Fprintf(&b, "blocking: %s %s (%s)\n", u.Node, u.Cause, u.Detail)
	}
	for _, rv := range r.Revisions {
		fmt.Fprintf(&b, "revision %d %s\n", rv.Revision, rv.Name)
	}
	golden(t, "rich_scenario.golden", b.Bytes())
}

// On the surge path an old pod bound to a node missing from the node list
// aborts the whole rolling update (nodeLister.Get fails), every sync, until
// the pod garbage collector deletes it; with the collector disabled the
// rollout is stuck for ever and the summary names the orphan.
// upstream: update.go rollingUpdate ("couldn't get node for nodeName"),
// podgc/gc_controller.go gcOrphaned
func TestSurgeMissingNodeAbortsRollingUpdate(t *testing.T) {
	s := update(testCluster(2), maxSurge(intstr.FromInt32(1)), time.Second)
	ghost := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "ghost-pod", Namespace: "default",
		Labels: map[string]string{"app": "ds"}},
		Spec: corev1.PodSpec{NodeName: "ghost", Containers: []corev1.Container{{Name: "c", Image: "img:v0"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady,
			Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(defaultStart.Add(-time.Hour))}}}}
	s.Cluster = mustCluster(s.Cluster.Nodes(), []*corev1.Pod{ghost})

	t.Run("collector disabled", func(t *testing.T) {
		s := s
		s.PodGC = PodGCModel{Disabled: true}
		r := mustRollout(t, s)
		if r.Summary.Creates != 0 || len(r.Summary.Errors) != 1 || !strings.Contains(r.Summary.Errors[0].Message, "not in the node list") {
			t.Errorf("summary %+v", r.Summary)
		}
		if !r.Summary.Stuck || len(r.Summary.Blocking) == 0 || r.Summary.Blocking[0].Cause != CauseOrphanedPod ||
			!strings.Contains(r.Summary.Blocking[0].Detail, "disabled") {
			t.Errorf("want stuck on the orphan, got %+v", r.Summary.Blocking)
		}
		if o := r.Summary.Orphans; len(o) != 1 || !o[0].BlockedSurge || o[0].CollectedAt != nil || len(o[0].Remaining) != 1 {
			t.Errorf("orphans %+v", o)
		}
	})
	t.Run("default collector", func(t *testing.T) {
		r := mustRollout(t, s)
		// queued by the run at 0 s, deleted by the run at 40 s; the surge
		// path then creates the two new pods, Ready 1 s later
		o := r.Summary.Orphans
		if len(o) != 1 || o[0].CollectedAt == nil || *o[0].CollectedAt != 40*time.Second || !o[0].BlockedSurge {
			t.Fatalf("orphans %+v", o)
		}
		if r.Summary.Stuck || !r.Summary.Done || r.Summary.Creates != 2 || r.Summary.End != 42*time.Second {
			t.Errorf("summary %+v", r.Summary)
		}
	})
}

// Spec §2.5: pods the kubelet rejects turn Failed; the controller deletes
// each under its per-node backoff (1 s, doubling) and creates a new one.
func TestFailingNodeBackoffLoop(t *testing.T) {
	r := mustRollout(t, Scenario{Cluster: testCluster(2), To: rolloutDS("img:v1", nil),
		Kubelet: KubeletModel{Failing: []string{"n01"}}, Limits: Limits{MaxTime: 200 * time.Second}})
	var deletes []time.Duration
	for _, s := range r.Steps {
		for _, n := range s.Deleted {
			if n == "n01" {
				deletes = append(deletes, s.Time)
			}
		}
	}
	// fails at once (startup 0): deleted at 0 (backoff 1s starts), the next
	// pod fails at 0 and waits 1s, then 2s, 4s, ...
	want := []time.Duration{0, 1, 3, 7, 15, 31, 63, 127}
	for i := range want {
		want[i] *= time.Second
	}
	if fmt.Sprint(deletes) != fmt.Sprint(want) {
		t.Errorf("deletes of failed pods at %v, want %v", deletes, want)
	}
	if !r.Summary.Truncated || len(r.Summary.Uncovered) != 1 || r.Summary.Uncovered[0].Cause != CauseFailed {
		t.Errorf("summary %+v", r.Summary)
	}
}

// A template the Priority admission plugin refuses (here spec.priority
// without a class) is never created: no pod, the rollout stuck with every
// desired node AdmissionRefused.
// upstream: daemon_controller.go syncNodes (create errors),
// plugin/pkg/admission/priority/admission.go admitPod
func TestRolloutAdmissionRefusedCreatesNothing(t *testing.T) {
	ds := rolloutDS("img:v1", nil)
	prio := int32(1000)
	ds.Spec.Template.Spec.Priority = &prio
	r := mustRollout(t, Scenario{Cluster: testCluster(3), To: ds, Kubelet: KubeletModel{Startup: 5 * time.Second}})
	if r.Summary.Creates != 0 || r.Summary.Done || !r.Summary.Stuck || len(r.Summary.Uncovered) != 3 {
		t.Fatalf("summary %+v", r.Summary)
	}
	for _, u := range r.Summary.Uncovered {
		if u.Cause != CauseAdmissionRefused || !strings.Contains(u.Detail, "spec.priority") {
			t.Errorf("uncovered %+v", u)
		}
	}
	if st := r.DaemonSet.Status; st.DesiredNumberScheduled != 3 || st.CurrentNumberScheduled != 0 {
		t.Errorf("status %+v", st)
	}
}
