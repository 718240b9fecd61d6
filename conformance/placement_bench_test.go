package conformance

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/controller/daemon"
)

const benchNodes = 65000

// benchDaemonSet is a typical GPU-aware node agent: Linux only, amd64 or
// arm64, not on control-plane nodes, tolerating the GPU taint, host network.
func benchDaemonSet() *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "kube-system"},
		Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			HostNetwork:  true,
			NodeSelector: map[string]string{"kubernetes.io/os": "linux"},
			Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
					MatchExpressions: []corev1.NodeSelectorRequirement{
						{Key: "kubernetes.io/arch", Operator: corev1.NodeSelectorOpIn, Values: []string{"amd64", "arm64"}},
						{Key: "node-role.kubernetes.io/control-plane", Operator: corev1.NodeSelectorOpDoesNotExist},
					},
				}}},
			}},
			Tolerations: []corev1.Toleration{
				{Key: "nvidia.com/gpu", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
				{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "monitoring", Effect: corev1.TaintEffectNoSchedule},
			},
		}}},
	}
}

// benchNodeList is 65,000 nodes with a realistic mix of labels and taints:
// about 80% are accepted; the rest are excluded by OS, control-plane role,
// lifecycle or custom taints.
func benchNodeList() []*corev1.Node {
	rng := rand.New(rand.NewPCG(1, 2))
	zones := []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}
	types := []string{"m6i.xlarge", "m7g.2xlarge", "p4d.24xlarge", "c6i.large"}
	nodes := make([]*corev1.Node, benchNodes)
	for i := range nodes {
		name := fmt.Sprintf("node-%05d", i)
		arch := "amd64"
		if rng.IntN(4) == 0 {
			arch = "arm64"
		}
		os := "linux"
		if rng.IntN(50) == 0 {
			os = "windows"
		}
		l := map[string]string{
			"kubernetes.io/hostname":           name,
			"kubernetes.io/os":                 os,
			"kubernetes.io/arch":               arch,
			"beta.kubernetes.io/os":            os,
			"beta.kubernetes.io/arch":          arch,
			"topology.kubernetes.io/zone":      zones[rng.IntN(len(zones))],
			"topology.kubernetes.io/region":    "eu-west-1",
			"node.kubernetes.io/instance-type": types[rng.IntN(len(types))],
			"pool":                             fmt.Sprintf("pool-%d", rng.IntN(8)),
		}
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l}}
		switch r := rng.IntN(100); {
		case r < 3: // control plane
			l["node-role.kubernetes.io/control-plane"] = ""
			n.Spec.Taints = []corev1.Taint{{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}}
		case r < 13: // GPU node, tolerated
			l["nvidia.com/gpu.present"] = "true"
			n.Spec.Taints = []corev1.Taint{{Key: "nvidia.com/gpu", Value: "present", Effect: corev1.TaintEffectNoSchedule}}
		case r < 16: // NotReady: both lifecycle taints
			n.Spec.Taints = []corev1.Taint{
				{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule},
				{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute},
			}
		case r < 18: // cordoned
			n.Spec.Taints = []corev1.Taint{{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule}}
		case r < 20: // dedicated to another team
			n.Spec.Taints = []corev1.Taint{{Key: "dedicated", Value: "batch", Effect: corev1.TaintEffectNoExecute}}
		}
		nodes[i] = n
	}
	return nodes
}

// threadCPU is the CPU time the calling OS thread has used. The benchmarks
// report it per node besides wall time, because on a shared, overloaded
// machine wall time mostly measures waiting.
func threadCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// benchPerNode runs evaluate over the node list b.N times and reports wall
// and CPU nanoseconds per node.
func benchPerNode(b *testing.B, evaluate func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	cpu0 := threadCPU()
	for b.Loop() {
		evaluate()
	}
	cpu := threadCPU() - cpu0
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchNodes, "ns/node")
	b.ReportMetric(float64(cpu)/float64(b.N)/benchNodes, "cpu-ns/node")
}

// BenchmarkPlacement65k evaluates the same 65,000 nodes with daemonkit's
// compiled Placer and with upstream's NodeShouldRunDaemonPod. One op is the
// whole node list; ns/node is the per-node cost.
func BenchmarkPlacement65k(b *testing.B) {
	ds := benchDaemonSet()
	nodes := benchNodeList()
	var sink int
	b.Run("daemonkit", func(b *testing.B) {
		benchPerNode(b, func() {
			p := daemonset.NewPlacer(ds)
			for _, n := range nodes {
				if r, _ := p.ShouldRun(n); r {
					sink++
				}
			}
		})
	})
	b.Run("upstream", func(b *testing.B) {
		logger := klog.Background()
		benchPerNode(b, func() {
			for _, n := range nodes {
				if r, _ := daemon.NodeShouldRunDaemonPod(logger, n, ds); r {
					sink++
				}
			}
		})
	})
	_ = sink
}

// TestPlacementBenchNodesAgree checks that the benchmark's node list gets the
// same answers from both sides and mixes accepted and excluded nodes.
func TestPlacementBenchNodesAgree(t *testing.T) {
	ds := benchDaemonSet()
	p := daemonset.NewPlacer(ds)
	logger := klog.Background()
	counts := map[[2]bool]int{}
	for _, n := range benchNodeList() {
		r, c := p.ShouldRun(n)
		ur, uc := daemon.NodeShouldRunDaemonPod(logger, n, ds)
		if r != ur || c != uc {
			t.Fatalf("%s: daemonkit (%v,%v), upstream (%v,%v)", n.Name, r, c, ur, uc)
		}
		counts[[2]bool{r, c}]++
	}
	t.Logf("outcomes over %d nodes: %v", benchNodes, counts)
	if len(counts) != 3 {
		t.Fatalf("want all three outcomes in the bench mix, got %v", counts)
	}
}
