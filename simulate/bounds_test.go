package simulate

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The refusals of bounds.go, each with its exact error.
func TestBoundsRefused(t *testing.T) {
	tooMany := make([]*corev1.Node, MaxNodes+1) // nil nodes: the cap is checked first
	valid := func(mod func(*Scenario)) Scenario {
		s := Scenario{Cluster: testCluster(2), To: rolloutDS("img:v1", nil)}
		mod(&s)
		return s
	}
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"NewCluster over MaxNodes", func() error { _, err := NewCluster(tooMany, nil); return err },
			"invalid cluster: nodes: Too many: 100001: must have at most 100000 items"},
		{"Place over MaxPlacements", func() error {
			dss := make([]*appsv1.DaemonSet, 21)
			for i := range dss {
				dss[i] = rolloutDS("img", nil)
				dss[i].Name = fmt.Sprintf("ds%d", i)
			}
			_, err := Place(mustCluster(testNodesNamed("n", MaxNodes), nil), dss...)
			return err
		}, "place: 21 DaemonSets on 100000 nodes: more than MaxPlacements (2000000) node placements"},
		{"NodePool over MaxNodes", func() error { _, err := NewNodePool("p", MaxNodes+1).Build(); return err },
			`node pool "p": nodePool[p].count: Too many: 100001: must have at most 100000 items`},
		{"NodePool of absurd size", func() error { _, err := NewNodePool("p", math.MaxInt).Build(); return err },
			fmt.Sprintf(`node pool "p": nodePool[p].count: Too many: %d: must have at most 100000 items`, math.MaxInt)},
		{"BuildCluster pools adding up over MaxNodes", func() error {
			_, err := BuildCluster(NewNodePool("a", MaxNodes), NewNodePool("b", 1))
			return err
		}, "build cluster: pools: Too many: 100001: must have at most 100000 items"},
		{"LargeCluster over MaxNodes", func() error { _, err := LargeCluster(MaxNodes+1, 1); return err },
			"large cluster: n must be between 1 and MaxNodes (100000), got 100001"},
		{"Rollout whose NodeAdd events pass MaxNodes", func() error {
			_, err := Rollout(t.Context(), valid(func(s *Scenario) {
				s.Cluster = mustCluster(testNodesNamed("n", MaxNodes), nil)
				s.Events = []Event{{Kind: EventNodeAdd, NewNode: &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "extra"}}}}
			}))
			return err
		}, "scenario.cluster.nodes: Too many: 100001: must have at most 100000 items"},
		{"Rollout over MaxEvents", func() error {
			_, err := Rollout(t.Context(), valid(func(s *Scenario) { s.Events = make([]Event, MaxEvents+1) }))
			return err
		}, "scenario.events: Too many: 1000001: must have at most 1000000 items"},
		{"Rollout over MaxChanges", func() error {
			_, err := Rollout(t.Context(), valid(func(s *Scenario) { s.Changes = make([]TemplateChange, MaxChanges+1) }))
			return err
		}, "scenario.changes: Too many: 10001: must have at most 10000 items"},
		{"Limits over their maxima", func() error {
			_, err := Rollout(t.Context(), valid(func(s *Scenario) {
				s.Limits = Limits{MaxTime: MaxSimulatedTime + time.Second, MaxReconciles: MaxReconcileLimit + 1,
					MaxSteps: MaxStepLimit + 1, MaxPods: MaxPodLimit + 1}
			}))
			return err
		}, `[scenario.limits.maxTime: Invalid value: "8784h0m1s": must be at most 8784h0m0s, ` +
			`scenario.limits.maxReconciles: Invalid value: "100000001": must be at most 100000000, ` +
			`scenario.limits.maxSteps: Invalid value: "10000001": must be at most 10000000, ` +
			`scenario.limits.maxPods: Invalid value: "20000001": must be at most 20000000]`},
		{"negative Limits", func() error {
			_, err := Rollout(t.Context(), valid(func(s *Scenario) { s.Limits = Limits{MaxTime: -time.Second, MaxPods: -1} }))
			return err
		}, `[scenario.limits.maxTime: Invalid value: "-1s": must not be negative, scenario.limits.maxPods: Invalid value: "-1": must not be negative]`},
		{"NaN QPS", func() error {
			_, err := Rollout(t.Context(), valid(func(s *Scenario) { s.API = APIModel{QPS: math.NaN()} }))
			return err
		}, `scenario.api: Invalid value: "NaN/0": must be finite and not negative`},
		{"infinite QPS", func() error {
			_, err := Rollout(t.Context(), valid(func(s *Scenario) { s.API = APIModel{QPS: math.Inf(1), Burst: 1} }))
			return err
		}, `scenario.api: Invalid value: "+Inf/1": must be finite and not negative`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tc.want)
			}
		})
	}
}

func testNodesNamed(prefix string, n int) []*corev1.Node {
	out := make([]*corev1.Node, n)
	for i := range out {
		out[i] = &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s%06d", prefix, i)}}
	}
	return out
}

// Exactly MaxNodes is accepted.
func TestBoundsAtMaxNodesAccepted(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a MaxNodes-node cluster")
	}
	c, err := NewCluster(testNodesNamed("n", MaxNodes), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Place(c, rolloutDS("img", nil)); err != nil {
		t.Fatal(err)
	}
}

// measure runs f and returns the bytes it allocated in total (an upper
// bound of the memory it held at any time) and the live heap it left with its
// result still reachable.
func measure(t *testing.T, f func() any) (total, live uint64) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	keep := f()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	live = 0
	if after.HeapAlloc > before.HeapAlloc {
		live = after.HeapAlloc - before.HeapAlloc
	}
	return after.TotalAlloc - before.TotalAlloc, live
}

const mib = 1 << 20

// boundedRun runs s and checks the run kept to its limits: it ended, not
// after its horizon, within MaxReconciles, MaxSteps and MaxPods (plus the
// at most 2 × burstReplicas pods of the reconcile that crossed it), and
// within the memory budget.
func boundedRun(t *testing.T, s Scenario, maxTotal, maxLive uint64) *Result {
	t.Helper()
	var r *Result
	total, live := measure(t, func() any {
		var err error
		r, err = Rollout(context.Background(), s)
		if err != nil {
			t.Fatalf("Rollout: %v", err)
		}
		return r
	})
	l := s.Limits
	if l.MaxTime == 0 {
		l.MaxTime = defaultMaxTime
	}
	if l.MaxReconciles == 0 {
		l.MaxReconciles = defaultMaxReconciles
	}
	if l.MaxSteps == 0 {
		l.MaxSteps = defaultMaxSteps
	}
	if l.MaxPods == 0 {
		l.MaxPods = defaultMaxPods
	}
	sum := r.Summary
	if sum.End > l.MaxTime {
		t.Errorf("ended at %v past MaxTime %v", sum.End, l.MaxTime)
	}
	if sum.Reconciles > l.MaxReconciles {
		t.Errorf("%d reconciles > MaxReconciles %d", sum.Reconciles, l.MaxReconciles)
	}
	if len(r.Steps) > l.MaxSteps+1 {
		t.Errorf("%d steps > MaxSteps %d", len(r.Steps), l.MaxSteps)
	}
	if sum.Creates > l.MaxPods+500 {
		t.Errorf("%d creates > MaxPods %d", sum.Creates, l.MaxPods)
	}
	if total > maxTotal || live > maxLive {
		t.Errorf("memory: allocated %d MiB (budget %d), live %d MiB (budget %d)", total/mib, maxTotal/mib, live/mib, maxLive/mib)
	}
	t.Logf("end %v, reconciles %d, steps %d, creates %d, truncated %v; allocated %d MiB, live %d MiB",
		sum.End, sum.Reconciles, len(r.Steps), sum.Creates, sum.Truncated, total/mib, live/mib)
	return r
}

func nodeNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("n%02d", i)
	}
	return out
}

// Events every second for the whole horizon: each is a reconcile; the run
// stops at MaxReconciles with memory bounded by the recorded steps.
func TestBoundsEventsEverySecond(t *testing.T) {
	nodes, events := 2000, 200_000
	if testing.Short() {
		nodes, events = 200, 20_000
	}
	s := update(testCluster(nodes), maxUnavailable(intstr.FromString("10%")), 3*time.Second)
	s.Events = make([]Event, events)
	for i := range s.Events {
		kind := EventNotReady
		if i%2 == 1 {
			kind = EventReady
		}
		s.Events[i] = Event{At: time.Duration(i) * time.Second, Kind: kind, Node: fmt.Sprintf("n%02d", i%nodes)}
	}
	s.Limits = Limits{MaxReconciles: events / 2}
	r := boundedRun(t, s, 1<<30, 256*mib)
	if !r.Summary.Truncated || r.Summary.Reconciles != events/2 {
		t.Errorf("want truncated at %d reconciles, got %d (truncated %v)", events/2, r.Summary.Reconciles, r.Summary.Truncated)
	}
}

// Every node's pod fails at once, for the whole default horizon (30 days):
// the failed-pod backoff reaches 15 min and stays there; the run ends at
// MaxTime with the pods created bounded.
func TestBoundsCrashLoopWholeHorizon(t *testing.T) {
	nodes := 400
	if testing.Short() {
		nodes = 40
	}
	s := update(testCluster(nodes), nil, 5*time.Second)
	s.Kubelet.Failing = nodeNames(nodes)
	s.Kubelet.CrashLoop = nil
	r := boundedRun(t, s, 2<<30, 512*mib)
	if !r.Summary.Truncated {
		t.Errorf("a crash loop for ever must end Truncated at MaxTime")
	}
	// about one create per node per 15 min after the backoff saturates
	// at most one per 15 min backoff + 5 s startup once saturated (2864 over
	// 30 days, plus the ramp); fewer when burstReplicas spreads the cycles
	if perNode := r.Summary.Creates / nodes; perNode < 1000 || perNode > 2900 {
		t.Errorf("%d creates per node over 30 days, want 1000..2900", perNode)
	}
}

// A crash loop big enough to hit MaxPods ends there instead of exhausting
// memory.
func TestBoundsCrashLoopHitsMaxPods(t *testing.T) {
	nodes := 1000
	s := update(testCluster(nodes), maxUnavailable(intstr.FromString("100%")), 0)
	s.Kubelet.Failing = nodeNames(nodes)
	s.Limits = Limits{MaxPods: 50_000}
	r := boundedRun(t, s, 1<<30, 128*mib)
	if !r.Summary.Truncated || r.Summary.End >= defaultMaxTime {
		t.Errorf("want truncated by MaxPods before MaxTime, got end %v truncated %v", r.Summary.End, r.Summary.Truncated)
	}
}

// Recording every reconcile stops at MaxSteps.
func TestBoundsMaxSteps(t *testing.T) {
	s := update(testCluster(50), nil, time.Second)
	s.Kubelet.Failing = nodeNames(50)
	s.AllSteps = true
	s.Limits = Limits{MaxSteps: 1000}
	r := boundedRun(t, s, 256*mib, 64*mib)
	if !r.Summary.Truncated || len(r.Steps) != 1000 {
		t.Errorf("want truncated with 1000 steps, got %d (truncated %v)", len(r.Steps), r.Summary.Truncated)
	}
}

// A surge rollout of a hostPort DaemonSet where every new pod's port is held
// by the old pod: nothing can progress, the run comes to rest at once.
func TestBoundsSurgeAllHostPortsConflict(t *testing.T) {
	nodes := 2000
	if testing.Short() {
		nodes = 200
	}
	mk := func(img string) *appsv1.DaemonSet {
		d := rolloutDS(img, maxSurge(intstr.FromString("100%")))
		d.Spec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 80}}
		return d
	}
	s := Scenario{Cluster: testCluster(nodes), From: mk("img:v1"), To: mk("img:v2"),
		Kubelet: KubeletModel{SchedulerStage: true, Startup: time.Second}}
	r := boundedRun(t, s, 512*mib, 128*mib)
	if r.Summary.Truncated || r.Summary.Done || r.Summary.Reconciles > 10 {
		t.Errorf("want a stuck rollout at rest after a few reconciles, got %+v", r.Summary)
	}
}

// minReadySeconds and startup at their maxima: availability lies beyond the
// horizon; the run ends without stepping through the time in between.
func TestBoundsHugeDurations(t *testing.T) {
	mk := func(img string) *appsv1.DaemonSet {
		d := rolloutDS(img, maxUnavailable(intstr.FromInt32(1)))
		d.Spec.MinReadySeconds = math.MaxInt32
		return d
	}
	for _, tc := range []struct {
		name string
		k    KubeletModel
		api  APIModel
	}{
		{"minReadySeconds max", KubeletModel{}, APIModel{}},
		{"startup max", KubeletModel{Startup: math.MaxInt64, StartupJitter: math.MaxInt64, Termination: math.MaxInt64}, APIModel{}},
		{"QPS tiny", KubeletModel{}, APIModel{QPS: 1e-300, Burst: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Scenario{Cluster: testCluster(100), From: mk("img:v1"), To: mk("img:v2"), Kubelet: tc.k, API: tc.api,
				Events: []Event{{At: math.MaxInt64, Kind: EventCordon, Node: "n00"}},
				Limits: Limits{MaxTime: MaxSimulatedTime}}
			r := boundedRun(t, s, 64*mib, 16*mib)
			if r.Summary.Reconciles > 1000 {
				t.Errorf("%d reconciles", r.Summary.Reconciles)
			}
		})
	}
}

// MaxChanges template changes, one a second, each a new image: every change
// makes a ControllerRevision; the history limit keeps the kept ones bounded.
func TestBoundsThousandsOfTemplateChanges(t *testing.T) {
	changes := MaxChanges
	if testing.Short() {
		changes = 1000
	}
	s := update(testCluster(20), maxUnavailable(intstr.FromString("50%")), 2*time.Second)
	s.Changes = make([]TemplateChange, changes)
	for i := range s.Changes {
		s.Changes[i] = TemplateChange{At: time.Duration(i+1) * time.Second,
			DaemonSet: rolloutDS(fmt.Sprintf("img:c%d", i), maxUnavailable(intstr.FromString("50%")))}
	}
	r := boundedRun(t, s, 2<<30, 128*mib)
	if len(r.Revisions) > 12 {
		t.Errorf("%d revisions kept, want at most revisionHistoryLimit (10) + live ones", len(r.Revisions))
	}
	if !strings.HasSuffix(r.DaemonSet.Spec.Template.Spec.Containers[0].Image, fmt.Sprintf("c%d", changes-1)) {
		t.Errorf("last change not applied: %s", r.DaemonSet.Spec.Template.Spec.Containers[0].Image)
	}
}

// A rollout of MaxNodes nodes with the default client rate limit.
func TestBoundsRolloutAtMaxNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("rolls out MaxNodes nodes")
	}
	c, err := NewCluster(testNodesNamed("n", MaxNodes), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := update(c, maxUnavailable(intstr.FromString("10%")), 10*time.Second)
	s.API = DefaultAPIModel()
	r := boundedRun(t, s, 4<<30, 1<<30)
	if !r.Summary.Done {
		t.Errorf("not done: %+v", r.Summary)
	}
}

// Found by FuzzRollout (testdata/fuzz/FuzzRollout/422d8da82ad33591): on the
// surge path upstream creates a pod on a Failing node whenever all its pods
// are failed and in backoff, so failed pods pile up (one per startup time,
// one deleted per backoff period), and every reconcile pushed one backoff
// wake event per piled-up pod: an 11-node, 2-hour run took 11 s and 1.7M
// queued events. Wakes are now one per instant and a node holding more than
// MaxPodsPerNode pods ends the run.
func TestBoundsSurgeFailedPodsPileUp(t *testing.T) {
	mk := func(img string) *appsv1.DaemonSet {
		d := rolloutDS(img, maxSurge(intstr.FromInt32(1)))
		d.Spec.MinReadySeconds = 5
		return d
	}
	s := Scenario{Cluster: testCluster(11), From: mk("img:v1"), To: mk("img:v2"),
		Kubelet: KubeletModel{Startup: 3 * time.Second, Termination: 3 * time.Second,
			CrashLoop: []string{"n00", "n03"}, Failing: []string{"n01"}, Pending: []string{"n02"}},
		Order: Order{Kind: OrderExplicit}}
	e, err := newEngine(context.Background(), &s)
	if err != nil {
		t.Fatal(err)
	}
	maxQueue := 0
	e.trace.afterReconcile = func(e *engine) { maxQueue = max(maxQueue, len(e.queue)) }
	if err := e.loop(); err != nil {
		t.Fatal(err)
	}
	r := e.result()
	if !r.Summary.Truncated || r.Summary.End >= defaultMaxTime {
		t.Errorf("want the run ended by MaxPodsPerNode, got end %v truncated %v", r.Summary.End, r.Summary.Truncated)
	}
	if n := len(e.nodes[1].pods); n != MaxPodsPerNode+1 {
		t.Errorf("%d pods on the failing node, want MaxPodsPerNode+1", n)
	}
	if maxQueue > 2*MaxPodsPerNode {
		t.Errorf("event queue reached %d entries", maxQueue)
	}
	if e.seq > int64(4*r.Summary.Reconciles+100) {
		t.Errorf("%d events pushed for %d reconciles", e.seq, r.Summary.Reconciles)
	}
}

// Found by FuzzRolloutModels (testdata/fuzz/FuzzRolloutModels/867ee4182470e8f9):
// a MaxTime under one second was read as 0 and so as the 30-day default.
func TestBoundsSubSecondMaxTime(t *testing.T) {
	s := update(testCluster(3), nil, 10*time.Second)
	s.Limits = Limits{MaxTime: 500 * time.Millisecond}
	r := mustRollout(t, s)
	if r.Summary.End != 0 || !r.Summary.Truncated {
		t.Errorf("want the run to end at t=0, truncated; got end %v truncated %v", r.Summary.End, r.Summary.Truncated)
	}
}
