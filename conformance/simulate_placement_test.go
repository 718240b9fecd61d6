package conformance

import (
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/controller/daemon"
	"k8s.io/utils/ptr"
	"pgregory.net/rapid"

	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/simtest"
)

func simPlaceNodeNames(c *simulate.Cluster) []string {
	out := make([]string, c.NumNodes())
	for i, n := range c.Nodes() {
		out[i] = n.Name
	}
	return out
}

// TestSimulatePlacementControllerStageMatchesUpstream: on random clusters
// (simtest generators: labels, taints incl. lifecycle ones, cordoning,
// resources, pods) and random sets of DaemonSets, simulate.Place's controller
// stage agrees node for node with upstream's NodeShouldRunDaemonPod, and the
// simtest invariants (Pending ⊆ created, ...) hold.
func TestSimulatePlacementControllerStageMatchesUpstream(t *testing.T) {
	logger := klog.Background()
	rapid.Check(t, func(t *rapid.T) {
		c := simtest.Cluster(0, 10).Draw(t, "cluster")
		names := simPlaceNodeNames(c)
		var dss []*appsv1.DaemonSet
		for i := range rapid.IntRange(1, 3).Draw(t, "dsCount") {
			dss = append(dss, simtest.DaemonSet(fmt.Sprintf("ds-%d", i), names...).Draw(t, "ds"))
		}
		p, err := simulate.Place(c, dss...)
		if err != nil {
			t.Fatal(err)
		}
		simtest.CheckInvariants(t, p)
		for k, ds := range dss {
			for i, node := range c.Nodes() {
				wantRun, wantCont := daemon.NodeShouldRunDaemonPod(logger, node, ds)
				got := p.DaemonSets[k].Nodes[i]
				if got.Node != node.Name || got.Decision.ShouldRun != wantRun || got.Decision.ShouldContinueRunning != wantCont {
					t.Fatalf("%s on %s: Place (%v,%v) %s, upstream (%v,%v)", ds.Name, node.Name,
						got.Decision.ShouldRun, got.Decision.ShouldContinueRunning, got.State, wantRun, wantCont)
				}
				if (got.State != simulate.Excluded) != wantRun {
					t.Fatalf("%s on %s: state %s but upstream shouldRun=%v", ds.Name, node.Name, got.State, wantRun)
				}
			}
		}
	})
}

// TestSimulatePlacementStatusMatchesUpstreamController: the counts Place
// reports (desiredNumberScheduled, currentNumberScheduled,
// numberMisscheduled) equal the status upstream's real DaemonSet controller
// writes after its first reconcile of the same DaemonSet on the same cluster
// (upstreamStatusFor, the F2 harness), including clusters that already hold
// current-template pods of the DaemonSet on random nodes (some of them
// excluded: they stay as misscheduled, or are deleted when a NoExecute taint
// is not tolerated).
// Pending pods count as current in both (the controller does not look at
// binding).
func TestSimulatePlacementStatusMatchesUpstreamController(t *testing.T) {
	cases := simPlaceStatusCases(t)
	gen := rapid.Custom(func(rt *rapid.T) simPlaceStatusCase {
		c := simtest.Cluster(0, 8).Draw(rt, "cluster")
		names := simPlaceNodeNames(c)
		ds := simtest.DaemonSet("agent", names...).Draw(rt, "ds")
		ds.UID = types.UID("ds-uid-agent")
		ds.Annotations = map[string]string{appsv1.DeprecatedTemplateGeneration: "1"}
		// Pods of this DaemonSet's current template already on some nodes (a
		// loaded cluster), not Ready: the first reconcile's rolling update
		// leaves them alone, so its status is the steady state Place reports.
		pods := c.Pods()
		for i, n := range names {
			if !rapid.Bool().Draw(rt, "hasDaemonPod") {
				continue
			}
			pods = append(pods, &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{
					Name: fmt.Sprintf("agent-old-%d", i), Namespace: ds.Namespace,
					Labels: map[string]string{"app": "agent", "pod-template-generation": "1"},
					OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: ds.Name,
						UID: ds.UID, Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}},
				},
				Spec:   corev1.PodSpec{NodeName: n, Containers: []corev1.Container{{Name: "agent", Image: "x"}}},
				Status: corev1.PodStatus{Phase: corev1.PodRunning},
			})
		}
		cl, err := simulate.NewCluster(c.Nodes(), pods)
		if err != nil {
			rt.Fatal(err)
		}
		return simPlaceStatusCase{cl, ds}
	})
	for seed := range cases {
		tc := gen.Example(seed)
		p, err := simulate.Place(tc.cluster, tc.ds)
		if err != nil {
			t.Fatal(err)
		}
		got := p.DaemonSets[0].Status()
		want := upstreamStatusFor(t, tc.cluster.Nodes(), tc.cluster.Pods(), tc.ds)
		if got.DesiredNumberScheduled != want.DesiredNumberScheduled ||
			got.CurrentNumberScheduled != want.CurrentNumberScheduled ||
			got.NumberMisscheduled != want.NumberMisscheduled {
			t.Fatalf("seed %d: Place status desired/current/misscheduled = %d/%d/%d, upstream controller %d/%d/%d\nnodes: %s\npods: %s\nds: %s",
				seed, got.DesiredNumberScheduled, got.CurrentNumberScheduled, got.NumberMisscheduled,
				want.DesiredNumberScheduled, want.CurrentNumberScheduled, want.NumberMisscheduled,
				simPlaceJSON(tc.cluster.Nodes()), simPlaceJSON(tc.cluster.Pods()), simPlaceJSON(tc.ds))
		}
	}
}

type simPlaceStatusCase struct {
	cluster *simulate.Cluster
	ds      *appsv1.DaemonSet
}

// simPlaceStatusCases: how many random cases the status comparison runs,
// -rapid.checks (the cases are drawn with Generator.Example, one seed each,
// so that a failure names its seed; rapid's shrinking is not used).
func simPlaceStatusCases(t *testing.T) int {
	n := 100
	if f := flag.Lookup("rapid.checks"); f != nil {
		if v, err := strconv.Atoi(f.Value.String()); err == nil {
			n = max(v, 1)
		}
	}
	return n
}

func simPlaceJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

var (
	simPlaceOnce    sync.Once
	simPlaceCluster *simulate.Cluster
	simPlaceErr     error
)

func simPlaceLarge(b *testing.B) *simulate.Cluster {
	b.Helper()
	simPlaceOnce.Do(func() { simPlaceCluster, simPlaceErr = simulate.LargeCluster(simulate.Large65K, 1) })
	if simPlaceErr != nil {
		b.Fatal(simPlaceErr)
	}
	return simPlaceCluster
}

func simPlaceDaemonSet() *appsv1.DaemonSet {
	ds := benchDaemonSet()
	ds.Spec.Template.Spec.Containers = []corev1.Container{{Name: "agent", Image: "x",
		Ports: []corev1.ContainerPort{{ContainerPort: 9100}}}}
	return ds
}

// BenchmarkSimulatePlacement65k: the controller stage on simulate's
// 65,000-node LargeCluster, upstream (NodeShouldRunDaemonPod per node, the
// public entry point: tolerations and affinity rebuilt per call) against
// simulate.Place (both stages, traps included).
func BenchmarkSimulatePlacement65k(b *testing.B) {
	c := simPlaceLarge(b)
	ds := simPlaceDaemonSet()
	logger := klog.Background()
	nodes := c.Nodes()
	b.Run("upstream-NodeShouldRunDaemonPod", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for _, node := range nodes {
				if run, _ := daemon.NodeShouldRunDaemonPod(logger, node, ds); run {
					n++
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.NumNodes()), "ns/node")
	})
	b.Run("daemonkit-Place-both-stages", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := simulate.Place(c, ds); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.NumNodes()), "ns/node")
	})
}
