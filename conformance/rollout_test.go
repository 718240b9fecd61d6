package conformance

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/simulate"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// actingCounts renders the acting reconciles of a trace as
// "t=0:(c0,d3)(c3,d0) t=10:..." for comparison with upstream's sequences.
func actingCounts(tr upstreamTrace) string {
	var b strings.Builder
	for _, in := range tr.Instants {
		if len(in.Acting) == 0 {
			continue
		}
		fmt.Fprintf(&b, "t=%d:", int(in.Time/time.Second))
		for _, s := range in.Acting {
			fmt.Fprintf(&b, "(c%d,d%d)", len(s.Created), len(s.Deleted))
		}
		b.WriteString(" ")
	}
	return strings.TrimSpace(b.String())
}

// statusAt returns the resting status of the instant at t, rendered.
func statusAt(t *testing.T, tr upstreamTrace, at time.Duration) string {
	t.Helper()
	for _, in := range tr.Instants {
		if in.Time == at {
			return rolloutStatusString(in.Status)
		}
	}
	t.Fatalf("no instant at %v", at)
	return ""
}

// Spec §3.9 worked example A: 10 nodes, maxUnavailable 25%, startup 10s.
// Delete waves 3,3,3,1, each followed by the creates of the next reconcile.
func TestUpstreamHarnessWorkedExampleA(t *testing.T) {
	sc := upstreamScenario{
		Nodes:   rolloutNodes(10),
		From:    withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromString("25%")),
		To:      withMaxUnavailable(rolloutDS("agent:v2"), intstr.FromString("25%")),
		Startup: 10 * time.Second,
	}
	tr := runUpstreamRollout(t, sc)
	if got, want := actingCounts(tr), "t=0:(c0,d3)(c3,d0) t=10:(c0,d3)(c3,d0) t=20:(c0,d3)(c3,d0) t=30:(c0,d1)(c1,d0)"; got != want {
		t.Errorf("acting reconciles:\n got %s\nwant %s", got, want)
	}
	for _, c := range []struct {
		at   time.Duration
		want string
	}{
		{0, "desired=10 current=10 ready=7 updated=3 available=7 unavailable=3 misscheduled=0 observedGen=2"},
		{10 * time.Second, "desired=10 current=10 ready=7 updated=6 available=7 unavailable=3 misscheduled=0 observedGen=2"},
		{30 * time.Second, "desired=10 current=10 ready=9 updated=10 available=9 unavailable=1 misscheduled=0 observedGen=2"},
		{40 * time.Second, "desired=10 current=10 ready=10 updated=10 available=10 unavailable=0 misscheduled=0 observedGen=2"},
	} {
		if got := statusAt(t, tr, c.at); got != c.want {
			t.Errorf("status at %v:\n got %s\nwant %s", c.at, got, c.want)
		}
	}
	// The first acting reconcile's status (spec table row 1): 10/7/7/0/7/3.
	if got, want := rolloutStatusString(tr.Instants[0].Acting[0].Status), "desired=10 current=7 ready=7 updated=0 available=7 unavailable=3 misscheduled=0 observedGen=2"; got != want {
		t.Errorf("status after the first delete wave:\n got %s\nwant %s", got, want)
	}
}

// Spec §3.10 worked example B: 10 nodes, maxSurge 1, maxUnavailable 0:
// (1,0), (1,1)x9, (0,1), never fewer than 10 available.
func TestUpstreamHarnessWorkedExampleB(t *testing.T) {
	sc := upstreamScenario{
		Nodes:   rolloutNodes(10),
		From:    withMaxSurge(rolloutDS("agent:v1"), intstr.FromInt32(1)),
		To:      withMaxSurge(rolloutDS("agent:v2"), intstr.FromInt32(1)),
		Startup: 10 * time.Second,
	}
	tr := runUpstreamRollout(t, sc)
	want := "t=0:(c1,d0)"
	for i := 1; i <= 9; i++ {
		want += fmt.Sprintf(" t=%d:(c1,d1)", i*10)
	}
	want += " t=100:(c0,d1)"
	if got := actingCounts(tr); got != want {
		t.Errorf("acting reconciles:\n got %s\nwant %s", got, want)
	}
	for _, in := range tr.Instants {
		if in.Status.NumberAvailable < 10 {
			t.Errorf("t=%v: available %d < 10", in.Time, in.Status.NumberAvailable)
		}
	}
	if got, want := statusAt(t, tr, 100*time.Second), "desired=10 current=10 ready=10 updated=10 available=10 unavailable=0 misscheduled=0 observedGen=2"; got != want {
		t.Errorf("final status:\n got %s\nwant %s", got, want)
	}
}

// upstream: update_test.go TestDaemonSetUpdatesPodsWithMaxSurge — 5 nodes,
// maxSurge 2, maxUnavailable 0: (C2), ready, (C2 D2), ready, (C1 D2), ready, (D1).
func TestUpstreamHarnessUpdatesPodsWithMaxSurge(t *testing.T) {
	sc := upstreamScenario{
		Nodes:   rolloutNodes(5),
		From:    withMaxSurge(rolloutDS("agent:v1"), intstr.FromInt32(2)),
		To:      withMaxSurge(rolloutDS("agent:v2"), intstr.FromInt32(2)),
		Startup: 5 * time.Second,
	}
	tr := runUpstreamRollout(t, sc)
	if got, want := actingCounts(tr), "t=0:(c2,d0) t=5:(c2,d2) t=10:(c1,d2) t=15:(c0,d1)"; got != want {
		t.Errorf("acting reconciles:\n got %s\nwant %s", got, want)
	}
}

// upstream: update_test.go TestDaemonSetUpdatesPods — 5 nodes, maxUnavailable
// 2: (D2), (C2), ready, (D2), (C2), ready, (D1), (C1), ready, (nothing).
func TestUpstreamHarnessUpdatesPods(t *testing.T) {
	sc := upstreamScenario{
		Nodes:   rolloutNodes(5),
		From:    withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromInt32(2)),
		To:      withMaxUnavailable(rolloutDS("agent:v2"), intstr.FromInt32(2)),
		Startup: 3 * time.Second,
	}
	tr := runUpstreamRollout(t, sc)
	if got, want := actingCounts(tr), "t=0:(c0,d2)(c2,d0) t=3:(c0,d2)(c2,d0) t=6:(c0,d1)(c1,d0)"; got != want {
		t.Errorf("acting reconciles:\n got %s\nwant %s", got, want)
	}
}

// A broken node's old pod (never Ready) is deleted regardless of the budget
// and eats one unit of it: with maxUnavailable 3, the first wave deletes it
// and 2 available old pods; the new pod there never turns Ready, so later
// waves have 2 units.
// upstream: update_test.go TestDaemonSetUpdatesWhenNewPodIsNotReady, TestDaemonSetUpdatesAllOldPodsNotReady
func TestUpstreamHarnessBrokenNodesEatBudget(t *testing.T) {
	nodes := rolloutNodes(5)
	sc := upstreamScenario{
		Nodes:   nodes,
		From:    withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromInt32(3)),
		To:      withMaxUnavailable(rolloutDS("agent:v2"), intstr.FromInt32(3)),
		Startup: 4 * time.Second,
		Broken:  []string{"node-000"},
	}
	tr := runUpstreamRollout(t, sc)
	if got, want := actingCounts(tr), "t=0:(c0,d3)(c3,d0) t=4:(c0,d2)(c2,d0)"; got != want {
		t.Errorf("acting reconciles:\n got %s\nwant %s", got, want)
	}
	final := tr.Instants[len(tr.Instants)-1].Status
	if final.UpdatedNumberScheduled != 5 || final.NumberAvailable != 4 {
		t.Errorf("final status %s", rolloutStatusString(final))
	}
}

// upstream: update_test.go TestDaemonSetUpdatesAllOldPodsNotReady —
// maxUnavailable 3, all 5 old pods unready: every old unavailable pod is
// deleted regardless of the budget (D5), then replaced (C5). Here the nodes
// are broken, so the new pods never turn Ready either and nothing follows.
func TestUpstreamHarnessUpdatesAllOldPodsNotReady(t *testing.T) {
	nodes := rolloutNodes(5)
	broken := nodeNames(nodes)
	sc := upstreamScenario{
		Nodes:   nodes,
		From:    withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromInt32(3)),
		To:      withMaxUnavailable(rolloutDS("agent:v2"), intstr.FromInt32(3)),
		Startup: 5 * time.Second,
		Broken:  broken,
	}
	tr := runUpstreamRollout(t, sc)
	if got, want := actingCounts(tr), "t=0:(c0,d5)(c5,d0)"; got != want {
		t.Errorf("acting reconciles:\n got %s\nwant %s", got, want)
	}
}

// upstream: update_test.go TestDaemonSetUpdatesAllOldPodsNotReadyMaxSurge —
// maxSurge 3, all old pods unready: new pods on every node at once, outside
// the surge budget (C5), then manage deletes each unready old pod beside its
// new one (D5).
func TestUpstreamHarnessUpdatesAllOldPodsNotReadyMaxSurge(t *testing.T) {
	nodes := rolloutNodes(5)
	broken := nodeNames(nodes)
	sc := upstreamScenario{
		Nodes:   nodes,
		From:    withMaxSurge(rolloutDS("agent:v1"), intstr.FromInt32(3)),
		To:      withMaxSurge(rolloutDS("agent:v2"), intstr.FromInt32(3)),
		Startup: 5 * time.Second,
		Broken:  broken,
	}
	tr := runUpstreamRollout(t, sc)
	if got, want := actingCounts(tr), "t=0:(c5,d0)(c0,d5)"; got != want {
		t.Errorf("acting reconciles:\n got %s\nwant %s", got, want)
	}
}

// upstream: update_test.go TestDaemonSetUpdatesSaveOldHealthyPods — 20 nodes,
// 10 old pods unavailable (broken nodes), maxUnavailable 5: the 10 unavailable
// ones are replaced (D10, C10) and the 10 healthy ones are never touched,
// because the new pods on broken nodes keep the budget eaten.
func TestUpstreamHarnessSaveOldHealthyPods(t *testing.T) {
	nodes := rolloutNodes(20)
	broken := nodeNames(nodes[:10])
	sc := upstreamScenario{
		Nodes:   nodes,
		From:    withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromInt32(5)),
		To:      withMaxUnavailable(rolloutDS("agent:v2"), intstr.FromInt32(5)),
		Startup: 5 * time.Second,
		Broken:  broken,
	}
	tr := runUpstreamRollout(t, sc)
	if got, want := actingCounts(tr), "t=0:(c0,d10)(c10,d0)"; got != want {
		t.Errorf("acting reconciles:\n got %s\nwant %s", got, want)
	}
	final := tr.Instants[len(tr.Instants)-1].Status
	if final.NumberReady != 10 || final.UpdatedNumberScheduled != 10 {
		t.Errorf("final status %s, want 10 ready old pods kept", rolloutStatusString(final))
	}
	for _, p := range tr.Pods {
		if !slices.Contains(broken, p.Spec.NodeName) && p.Spec.Containers[0].Image != "agent:v1" {
			t.Errorf("healthy node %s was updated", p.Spec.NodeName)
		}
	}
}

// Spec §3.1: availability is Ready + minReadySeconds, inclusive. With
// startup 10s and minReadySeconds 15 a surge rollout moves every 25s exactly.
// upstream: pod/util_test.go TestIsPodAvailable; daemon_controller_test.go TestSurgeDeletesOldReadyWithUnsatisfiedMinReady
func TestUpstreamHarnessMinReadyInclusive(t *testing.T) {
	from := withMaxSurge(rolloutDS("agent:v1"), intstr.FromInt32(1))
	to := withMaxSurge(rolloutDS("agent:v2"), intstr.FromInt32(1))
	from.Spec.MinReadySeconds, to.Spec.MinReadySeconds = 15, 15
	tr := runUpstreamRollout(t, upstreamScenario{Nodes: rolloutNodes(3), From: from, To: to, Startup: 10 * time.Second})
	if got, want := actingCounts(tr), "t=0:(c1,d0) t=25:(c1,d1) t=50:(c1,d1) t=75:(c0,d1)"; got != want {
		t.Errorf("acting reconciles:\n got %s\nwant %s", got, want)
	}
	// At t=10 the new pod is Ready but not available: ready 3 (old pods are
	// counted on nodes with two pods), available 3, updated 0.
	if got, want := statusAt(t, tr, 10*time.Second), "desired=3 current=3 ready=3 updated=0 available=3 unavailable=0 misscheduled=0 observedGen=2"; got != want {
		t.Errorf("status at 10s:\n got %s\nwant %s", got, want)
	}
}

// A DaemonSet created at t=0 on 300 nodes: creates are capped at 250 per
// reconcile (burstReplicas), the rest follow in the next reconcile.
func TestUpstreamHarnessBurstReplicas(t *testing.T) {
	sc := upstreamScenario{
		Nodes:   rolloutNodes(300),
		To:      withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromInt32(1)),
		Startup: 2 * time.Second,
	}
	tr := runUpstreamRollout(t, sc)
	if got, want := actingCounts(tr), "t=0:(c250,d0)(c50,d0)"; got != want {
		t.Errorf("acting reconciles:\n got %s\nwant %s", got, want)
	}
	if got, want := statusAt(t, tr, 2*time.Second), "desired=300 current=300 ready=300 updated=300 available=300 unavailable=0 misscheduled=0 observedGen=1"; got != want {
		t.Errorf("status:\n got %s\nwant %s", got, want)
	}
}

// rolloutCases and rolloutChangesCases are how many random scenarios
// TestRolloutMatchesUpstream and TestRolloutChangesMatchUpstream run.
var (
	rolloutCases        = flag.Int("rollout.cases", 2000, "random scenarios in TestRolloutMatchesUpstream")
	rolloutChangesCases = flag.Int("rollout.changes.cases", 600, "random scenarios in TestRolloutChangesMatchUpstream")
)

// engineScenario is c for simulate.Rollout, picking nodes in order (the
// order in which upstream first acted on them, see upstreamTrace.PickOrder).
func (c rolloutCase) engineScenario(t testing.TB, order []string) simulate.Scenario {
	t.Helper()
	cl, err := simulate.NewCluster(c.Nodes, nil)
	if err != nil {
		t.Fatalf("NewCluster: %v", err)
	}
	var changes []simulate.TemplateChange
	for _, ch := range c.Changes {
		changes = append(changes, simulate.TemplateChange{At: ch.At, DaemonSet: ch.DS})
	}
	return simulate.Scenario{
		Cluster: cl,
		From:    c.From,
		To:      c.To,
		Changes: changes,
		Kubelet: simulate.KubeletModel{Startup: c.Startup, Broken: c.Broken, BrokenNew: c.BrokenNew},
		Order:   simulate.Order{Kind: simulate.OrderExplicit, Names: order},
	}
}

// engineInstant is the engine's record of one instant.
type engineInstant struct {
	acting []simulate.Step
	status *appsv1.DaemonSetStatus // last step at this instant
}

// compareRollout compares the engine's result with upstream's trace at every
// instant either of them has: the acting reconciles (created and deleted
// nodes as sets when nodeSets, else their numbers; and the status after each)
// and the status at the end of the instant. It returns one line per
// disagreement.
func compareRollout(tr upstreamTrace, res *simulate.Result, nodeSets bool) []string {
	var diffs []string
	up := map[time.Duration]upstreamInstant{}
	eng := map[time.Duration]*engineInstant{}
	times := map[time.Duration]bool{}
	for _, in := range tr.Instants {
		up[in.Time] = in
		times[in.Time] = true
	}
	for _, s := range res.Steps {
		ei := eng[s.Time]
		if ei == nil {
			ei = &engineInstant{}
			eng[s.Time] = ei
		}
		if len(s.Created)+len(s.Deleted) > 0 {
			ei.acting = append(ei.acting, s)
		}
		st := s.Status
		ei.status = &st
		times[s.Time] = true
	}
	sorted := slices.Sorted(maps.Keys(times))
	var upStatus, engStatus *appsv1.DaemonSetStatus
	for _, at := range sorted {
		u, hasU := up[at]
		e := eng[at]
		if e == nil {
			e = &engineInstant{}
		}
		if hasU {
			st := u.Status
			upStatus = &st
		}
		if e.status != nil {
			engStatus = e.status
		}
		if len(u.Acting) != len(e.acting) {
			diffs = append(diffs, fmt.Sprintf("t=%v: upstream has %d acting reconciles %s, engine %d %s",
				at, len(u.Acting), upActing(u.Acting), len(e.acting), engActing(e.acting)))
		} else {
			for i := range u.Acting {
				us, es := u.Acting[i], e.acting[i]
				if nodeSets && (!sameSet(us.Created, es.Created) || !sameSet(us.Deleted, es.Deleted)) ||
					len(us.Created) != len(es.Created) || len(us.Deleted) != len(es.Deleted) {
					diffs = append(diffs, fmt.Sprintf("t=%v reconcile %d: upstream created %v deleted %v, engine created %v deleted %v",
						at, i+1, sortedCopy(us.Created), sortedCopy(us.Deleted), sortedCopy(es.Created), sortedCopy(es.Deleted)))
				}
				if !sameStatus(us.Status, es.Status) {
					diffs = append(diffs, fmt.Sprintf("t=%v reconcile %d status: upstream %s, engine %s",
						at, i+1, rolloutStatusString(us.Status), rolloutStatusString(es.Status)))
				}
			}
		}
		switch {
		case upStatus == nil || engStatus == nil:
			diffs = append(diffs, fmt.Sprintf("t=%v: no status (upstream %v, engine %v)", at, upStatus != nil, engStatus != nil))
		case !sameStatus(*upStatus, *engStatus):
			diffs = append(diffs, fmt.Sprintf("t=%v end of instant: upstream %s, engine %s",
				at, rolloutStatusString(*upStatus), rolloutStatusString(*engStatus)))
		}
	}
	if res.DaemonSet != nil && tr.Final != nil && !sameStatus(tr.Final.Status, res.DaemonSet.Status) {
		diffs = append(diffs, fmt.Sprintf("final: upstream %s, engine %s",
			rolloutStatusString(tr.Final.Status), rolloutStatusString(res.DaemonSet.Status)))
	}
	return diffs
}

// sameStatus compares the seven counters, observedGeneration and
// collisionCount (conditions are never set by the controller).
func sameStatus(a, b appsv1.DaemonSetStatus) bool {
	return apiequality.Semantic.DeepEqual(a, b)
}

func sortedCopy(s []string) []string { return slices.Sorted(slices.Values(s)) }

func sameSet(a, b []string) bool { return slices.Equal(sortedCopy(a), sortedCopy(b)) }

func upActing(ss []upstreamSync) string {
	var b strings.Builder
	for _, s := range ss {
		fmt.Fprintf(&b, "(c%d,d%d)", len(s.Created), len(s.Deleted))
	}
	return b.String()
}

func engActing(ss []simulate.Step) string {
	var b strings.Builder
	for _, s := range ss {
		fmt.Fprintf(&b, "(c%d,d%d)", len(s.Created), len(s.Deleted))
	}
	return b.String()
}

// TestRolloutMatchesUpstream is the differential test of issue #5: random
// scenarios (10..400 nodes, mostly small; every strategy form incl.
// percentages; minReadySeconds; broken nodes; old and new templates with
// different nodeSelector and tolerations; NoSchedule and NoExecute taints;
// creation at t=0 or update of a fully rolled-out DaemonSet) run through
// upstream's controller and through simulate.Rollout; at every instant the
// created and deleted nodes of each acting reconcile, the status after it and
// the status at the end of the instant must agree. Zero disagreements.
//
// Upstream picks nodes in Go map order. The engine is run with
// OrderExplicit = the order in which upstream first acted on each node: a
// correct engine then makes exactly upstream's choices (each node is picked
// at most once per selection, and every selection takes a prefix of the
// candidates in that order), so node sets — not just counts — are compared.
// Seeds are explicit (rolloutCaseFromSeed(seed), seed = 0..N-1); run one with
// -run 'TestRolloutMatchesUpstream/seed=17'.
func TestRolloutMatchesUpstream(t *testing.T) {
	start := time.Now()
	var ran, nodes, reconciles, acting, failed int
	for seed := 0; seed < *rolloutCases; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			if failed >= 10 {
				t.Skip("10 scenarios failed already")
			}
			c := rolloutCaseFromSeed(uint64(seed))
			tr := runUpstreamRollout(t, c.upstream())
			res, err := simulate.Rollout(context.Background(), c.engineScenario(t, tr.PickOrder))
			if err != nil {
				failed++
				t.Fatalf("%s: engine error: %v", c, err)
			}
			ran++
			nodes += len(c.Nodes)
			reconciles += tr.Reconciles
			for _, in := range tr.Instants {
				acting += len(in.Acting)
			}
			if diffs := compareRollout(tr, res, true); len(diffs) > 0 {
				failed++
				if len(diffs) > 8 {
					diffs = append(diffs[:8], fmt.Sprintf("... %d more", len(diffs)-8))
				}
				t.Errorf("%s: %d disagreements with upstream:\n  upstream: %s\n  %s",
					c, len(diffs), actingCounts(tr), strings.Join(diffs, "\n  "))
			}
		})
	}
	t.Logf("%d random scenarios compared (%d nodes, %d upstream reconciles, %d acting) in %v; %d disagreeing",
		ran, nodes, reconciles, acting, time.Since(start).Round(time.Millisecond), failed)
}

// upstreamStatusFor over a small cluster: an owned Ready pod on a desired
// node, an adopted orphan on a node whose untolerated NoSchedule taint makes
// it misscheduled (kept: shouldContinueRunning), creates on the other desired
// nodes, nothing on a tainted empty node.
// upstream: daemon_controller_test.go TestNoScheduleTaintedDoesntEvicitRunningIntolerantPod, TestNumberReadyStatus
func TestUpstreamStatusFor(t *testing.T) {
	ds := withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromInt32(1))
	nodes := []*corev1.Node{
		rolloutNode("n0", nil), rolloutNode("n1", nil), rolloutNode("n2", nil),
		rolloutNode("n3", nil, rolloutNoSchedule), rolloutNode("n4", nil, rolloutNoSchedule),
	}
	pod := func(name, node string, owned, ready bool) *corev1.Pod {
		p := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: metav1.NamespaceDefault,
				Labels: map[string]string{"app": "agent"}, UID: types.UID("uid-" + name),
				CreationTimestamp: metav1.NewTime(harnessEpoch.Add(-time.Hour))},
			Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "agent", Image: "agent:v1"}}},
		}
		if owned {
			p.OwnerReferences = []metav1.OwnerReference{*metav1.NewControllerRef(ds, appsv1.SchemeGroupVersion.WithKind("DaemonSet"))}
		}
		if ready {
			p.Status.Phase = corev1.PodRunning
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue,
				LastTransitionTime: metav1.NewTime(harnessEpoch.Add(-time.Hour))}}
		}
		return p
	}
	pods := []*corev1.Pod{pod("p0", "n0", true, true), pod("p3", "n3", false, true)}
	got := upstreamStatusFor(t, nodes, pods, ds)
	want := appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, CurrentNumberScheduled: 3, NumberReady: 1,
		NumberAvailable: 1, NumberUnavailable: 2, UpdatedNumberScheduled: 2, NumberMisscheduled: 1, ObservedGeneration: 1}
	if !sameStatus(got, want) {
		t.Errorf("status:\n got %s\nwant %s", rolloutStatusString(got), rolloutStatusString(want))
	}
}

// TestRolloutChangesMatchUpstream holds the engine to upstream across later
// DaemonSet updates (TemplateChange): a third template mid-rollout, a
// rollback to the first template (revision reuse: its pods count as updated
// again), a strategy or minReadySeconds change; one or two per scenario, at
// random times. Clusters are homogeneous, so upstream's map order cannot
// matter to the numbers: per acting reconcile the numbers of creates and
// deletes and the status after it, and the status at the end of every
// instant, must agree. (With several rollouts over heterogeneous nodes, one
// node order cannot replay upstream's per-rollout choices; see the report of
// TestRolloutMatchesUpstream.)
// upstream: update_test.go TestDaemonSetUpdatesSomeOldPodsNotReady (a second template change mid-rollout)
func TestRolloutChangesMatchUpstream(t *testing.T) {
	start := time.Now()
	var ran, reconciles, acting, failed int
	for seed := 0; seed < *rolloutChangesCases; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			if failed >= 10 {
				t.Skip("10 scenarios failed already")
			}
			c := rolloutChangesCaseFromSeed(uint64(seed))
			tr := runUpstreamRollout(t, c.upstream())
			sc := c.engineScenario(t, nil)
			sc.Order = simulate.Order{}
			res, err := simulate.Rollout(context.Background(), sc)
			if err != nil {
				failed++
				t.Fatalf("%s: engine error: %v", c, err)
			}
			ran++
			reconciles += tr.Reconciles
			for _, in := range tr.Instants {
				acting += len(in.Acting)
			}
			if diffs := compareRollout(tr, res, false); len(diffs) > 0 {
				failed++
				if len(diffs) > 8 {
					diffs = append(diffs[:8], fmt.Sprintf("... %d more", len(diffs)-8))
				}
				t.Errorf("%s: %d disagreements with upstream:\n  upstream: %s\n  %s",
					c, len(diffs), actingCounts(tr), strings.Join(diffs, "\n  "))
			}
		})
	}
	t.Logf("%d random scenarios with later updates compared (%d upstream reconciles, %d acting) in %v; %d disagreeing",
		ran, reconciles, acting, time.Since(start).Round(time.Millisecond), failed)
}

// The worked examples and upstream-test sequences above, through the engine
// too: same node sets per reconcile (in upstream's pick order) and statuses.
func TestRolloutNamedSequencesMatchUpstream(t *testing.T) {
	allBroken := func(n int) []string { return nodeNames(rolloutNodes(n)) }
	minReady := func(ds *appsv1.DaemonSet) *appsv1.DaemonSet { ds.Spec.MinReadySeconds = 15; return ds }
	for _, nc := range []struct {
		name string
		c    rolloutCase
	}{
		{"WorkedExampleA", rolloutCase{Nodes: rolloutNodes(10), Startup: 10 * time.Second,
			From: withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromString("25%")),
			To:   withMaxUnavailable(rolloutDS("agent:v2"), intstr.FromString("25%"))}},
		{"WorkedExampleB", rolloutCase{Nodes: rolloutNodes(10), Startup: 10 * time.Second,
			From: withMaxSurge(rolloutDS("agent:v1"), intstr.FromInt32(1)),
			To:   withMaxSurge(rolloutDS("agent:v2"), intstr.FromInt32(1))}},
		{"UpdatesPodsWithMaxSurge", rolloutCase{Nodes: rolloutNodes(5), Startup: 5 * time.Second,
			From: withMaxSurge(rolloutDS("agent:v1"), intstr.FromInt32(2)),
			To:   withMaxSurge(rolloutDS("agent:v2"), intstr.FromInt32(2))}},
		{"UpdatesAllOldPodsNotReady", rolloutCase{Nodes: rolloutNodes(5), Startup: 5 * time.Second, Broken: allBroken(5),
			From: withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromInt32(3)),
			To:   withMaxUnavailable(rolloutDS("agent:v2"), intstr.FromInt32(3))}},
		{"UpdatesAllOldPodsNotReadyMaxSurge", rolloutCase{Nodes: rolloutNodes(5), Startup: 5 * time.Second, Broken: allBroken(5),
			From: withMaxSurge(rolloutDS("agent:v1"), intstr.FromInt32(3)),
			To:   withMaxSurge(rolloutDS("agent:v2"), intstr.FromInt32(3))}},
		{"SaveOldHealthyPods", rolloutCase{Nodes: rolloutNodes(20), Startup: 5 * time.Second, Broken: allBroken(10),
			From: withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromInt32(5)),
			To:   withMaxUnavailable(rolloutDS("agent:v2"), intstr.FromInt32(5))}},
		{"MinReadyInclusive", rolloutCase{Nodes: rolloutNodes(3), Startup: 10 * time.Second,
			From: minReady(withMaxSurge(rolloutDS("agent:v1"), intstr.FromInt32(1))),
			To:   minReady(withMaxSurge(rolloutDS("agent:v2"), intstr.FromInt32(1)))}},
		{"BurstReplicas", rolloutCase{Nodes: rolloutNodes(300), Startup: 2 * time.Second,
			To: withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromInt32(1))}},
		// "the new version fails on node-001": its old pod stays Ready until
		// the update reaches it (maxUnavailable deletes it first; maxSurge
		// keeps it beside the never-Ready new one).
		{"BrokenNewMaxUnavailable", rolloutCase{Nodes: rolloutNodes(5), Startup: 5 * time.Second, BrokenNew: []string{"node-001"},
			From: withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromInt32(2)),
			To:   withMaxUnavailable(rolloutDS("agent:v2"), intstr.FromInt32(2))}},
		{"BrokenNewMaxSurge", rolloutCase{Nodes: rolloutNodes(5), Startup: 5 * time.Second, BrokenNew: []string{"node-001"},
			From: withMaxSurge(rolloutDS("agent:v1"), intstr.FromInt32(2)),
			To:   withMaxSurge(rolloutDS("agent:v2"), intstr.FromInt32(2))}},
		{"BrokenNewRollback", rolloutCase{Nodes: rolloutNodes(4), Startup: 5 * time.Second, BrokenNew: []string{"node-000", "node-002"},
			From:    withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromInt32(1)),
			To:      withMaxUnavailable(rolloutDS("agent:v2"), intstr.FromInt32(1)),
			Changes: []upstreamChange{{At: 10 * time.Minute, DS: withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromInt32(1))}}}},
		{"BrokenNewOnCreation", rolloutCase{Nodes: rolloutNodes(4), Startup: 5 * time.Second, BrokenNew: []string{"node-003"},
			To: withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromInt32(1))}},
	} {
		c := nc.c
		t.Run(nc.name, func(t *testing.T) {
			tr := runUpstreamRollout(t, c.upstream())
			res, err := simulate.Rollout(context.Background(), c.engineScenario(t, tr.PickOrder))
			if err != nil {
				t.Fatalf("engine: %v", err)
			}
			if diffs := compareRollout(tr, res, true); len(diffs) > 0 {
				t.Errorf("%d disagreements with upstream (%s):\n  %s", len(diffs), actingCounts(tr), strings.Join(diffs, "\n  "))
			}
		})
	}
}
