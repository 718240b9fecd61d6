package conformance

import (
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/controller/daemon"
	"k8s.io/kubernetes/plugin/pkg/admission/priority"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate"
)

// BenchmarkSchedulerStage65k: both stages for one DaemonSet over simulate's
// 65,000-node LargeCluster (each node with a kube-proxy and a workload pod),
// daemonkit's Place against upstream's code on the same inputs: per node the
// controller's NodeShouldRunDaemonPod, the pod as the controller creates it
// and Priority admission sets it, one scheduling cycle of kube-scheduler's
// framework (default filters; DefaultPreemption's dry run where a node
// rejects it). The scheduler's snapshot is built once, outside the timing
// (the real scheduler keeps its cache up to date incrementally). "plain" is
// a node agent that fits everywhere; "preempting" a system-node-critical
// agent asking 2 cpu, which preempts the workload on about a tenth of the
// nodes.
func BenchmarkSchedulerStage65k(b *testing.B) {
	c := simPlaceLarge(b)
	us := newUpstreamScheduler(b)
	us.load(c.Nodes(), c.Pods())
	adm := upstreamPriorityAdmission(b, nil)
	logger := klog.Background()
	plain := simPlaceDaemonSet()
	critical := simPlaceDaemonSet()
	critical.Spec.Template.Spec.PriorityClassName = "system-node-critical"
	critical.Spec.Template.Spec.Containers[0].Resources.Requests = corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("128Mi")}
	for _, tc := range []struct {
		name string
		ds   *appsv1.DaemonSet
	}{{"plain", plain}, {"preempting", critical}} {
		b.Run(tc.name+"/daemonkit-Place", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := simulate.Place(c, tc.ds); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.NumNodes()), "ns/node")
		})
		b.Run(tc.name+"/upstream-controller+admission+framework", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				upstreamDaemonPodCycles(b, us, adm, logger, c.Nodes(), tc.ds)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.NumNodes()), "ns/node")
		})
	}
}

// TestSchedulerStageBenchInputsAgree: on the benchmark's kind of inputs
// (LargeCluster, 5,000 nodes here), Place and upstream agree node for node
// on Runs and the victims, and some nodes preempt (so both sides of the
// benchmark do the same work).
func TestSchedulerStageBenchInputsAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("5,000 nodes through the framework")
	}
	c, err := simulate.LargeCluster(5000, 1)
	if err != nil {
		t.Fatal(err)
	}
	us := newUpstreamScheduler(t)
	us.load(c.Nodes(), c.Pods())
	adm := upstreamPriorityAdmission(t, nil)
	critical := simPlaceDaemonSet()
	critical.Spec.Template.Spec.PriorityClassName = "system-node-critical"
	critical.Spec.Template.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")}
	p, err := simulate.Place(c, critical)
	if err != nil {
		t.Fatal(err)
	}
	preempting := 0
	for i, node := range c.Nodes() {
		got := p.DaemonSets[0].Nodes[i]
		if run, _ := daemon.NodeShouldRunDaemonPod(klog.Background(), node, critical); !run {
			continue
		}
		pod := daemonset.PodAsCreated(critical, node.Name)
		pod.Name, pod.UID = "agent-"+node.Name, types.UID("agent-"+node.Name)
		admitted, err := admitPod(t, adm, pod)
		if err != nil {
			t.Fatal(err)
		}
		want := us.schedule(t, admitted, node.Name, nil)
		if want.Binds != (got.State == simulate.Runs) || len(want.Victims) != len(got.Preempts) {
			t.Fatalf("%s: Place %s %v, upstream %s", node.Name, got.State, got.Preempts, want)
		}
		if len(got.Preempts) > 0 {
			preempting++
		}
	}
	if preempting == 0 {
		t.Fatal("no node preempts: the benchmark does not exercise preemption")
	}
	t.Logf("%d of %d nodes preempt", preempting, c.NumNodes())
}

// affinityBenchInputs: simulate's LargeCluster of n nodes where every tenth
// workload pod refuses agents on its node (required anti-affinity per
// hostname), and a Cilium-like agent: required anti-affinity per hostname
// to its own pods and per zone to batch pods, spread over zones.
func affinityBenchInputs(b testing.TB, n int) (*simulate.Cluster, *appsv1.DaemonSet) {
	b.Helper()
	c, err := simulate.LargeCluster(n, 1)
	if err != nil {
		b.Fatal(err)
	}
	sel := func(app string) *metav1.LabelSelector {
		return &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}
	}
	pods := c.Pods()
	k := 0
	for i, p := range pods {
		if p.Labels["app"] != "workload" {
			continue
		}
		if k++; k%10 == 0 {
			cp := p.DeepCopy()
			cp.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
				TopologyKey: corev1.LabelHostname, LabelSelector: sel("agent"), Namespaces: []string{"kube-system"}}}}}
			pods[i] = cp
		}
	}
	c, err = simulate.NewCluster(c.Nodes(), pods)
	if err != nil {
		b.Fatal(err)
	}
	ds := simPlaceDaemonSet()
	ds.Spec.Selector = sel("agent")
	ds.Spec.Template.Labels = map[string]string{"app": "agent"}
	ds.Spec.Template.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{
		{TopologyKey: corev1.LabelHostname, LabelSelector: sel("agent")},
		{TopologyKey: corev1.LabelTopologyZone, LabelSelector: sel("batch"), NamespaceSelector: &metav1.LabelSelector{}},
	}}}
	ds.Spec.Template.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: corev1.LabelTopologyZone,
		WhenUnsatisfiable: corev1.DoNotSchedule, LabelSelector: sel("agent")}}
	return c, ds
}

// BenchmarkSchedulerStageAffinity: both stages with inter-pod anti-affinity
// and topology spread (affinityBenchInputs), daemonkit's Place against
// upstream's code as in BenchmarkSchedulerStage65k; the framework's
// InterPodAffinity PreFilter scans every pod of the cluster for each daemon
// pod, so upstream runs on 5,000 nodes only (at 65,000, one pass takes
// hours). The first upstream pass checks that both sides bind the same
// number of pods.
func BenchmarkSchedulerStageAffinity(b *testing.B) {
	for _, n := range []int{simulate.Large5K, simulate.Large65K} {
		c, ds := affinityBenchInputs(b, n)
		p, err := simulate.Place(c, ds)
		if err != nil {
			b.Fatal(err)
		}
		runs := p.DaemonSets[0].Counts().Runs
		b.Run(fmt.Sprintf("%dk/daemonkit-Place", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := simulate.Place(c, ds); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.NumNodes()), "ns/node")
		})
		if n > simulate.Large5K {
			continue
		}
		b.Run(fmt.Sprintf("%dk/upstream-controller+admission+framework", n/1000), func(b *testing.B) {
			us := newUpstreamScheduler(b)
			us.load(c.Nodes(), c.Pods())
			adm := upstreamPriorityAdmission(b, nil)
			logger := klog.Background()
			b.ReportAllocs()
			first := true
			for b.Loop() {
				binds := upstreamDaemonPodCycles(b, us, adm, logger, c.Nodes(), ds)
				if first && binds != runs {
					b.Fatalf("upstream binds %d daemon pods, Place says %d Runs", binds, runs)
				}
				first = false
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.NumNodes()), "ns/node")
		})
	}
}

// upstreamDaemonPodCycles is upstream's work for ds over nodes: per node the
// controller's NodeShouldRunDaemonPod, the pod as the controller creates it
// and Priority admission sets it, and one scheduling cycle of the framework
// on the snapshot us holds (DefaultPreemption's dry run where the node
// rejects it). It returns how many pods bind.
func upstreamDaemonPodCycles(b *testing.B, us *upstreamScheduler, adm *priority.Plugin, logger klog.Logger, nodes []*corev1.Node, ds *appsv1.DaemonSet) int {
	binds := 0
	for _, node := range nodes {
		if run, _ := daemon.NodeShouldRunDaemonPod(logger, node, ds); !run {
			continue
		}
		pod := daemonset.PodAsCreated(ds, node.Name)
		pod.Name, pod.UID = ds.Name+"-"+node.Name, types.UID(ds.Name+"-"+node.Name)
		admitted, err := admitPod(b, adm, pod)
		if err != nil {
			b.Fatal(err)
		}
		ni, err := us.lister.NodeInfos().Get(node.Name)
		if err != nil {
			b.Fatal(err)
		}
		if us.scheduleOnly(b, admitted, ni) {
			binds++
		}
	}
	return binds
}
