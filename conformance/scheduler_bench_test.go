package conformance

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/controller/daemon"

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
			nodes := c.Nodes()
			b.ReportAllocs()
			for b.Loop() {
				for _, node := range nodes {
					if run, _ := daemon.NodeShouldRunDaemonPod(logger, node, tc.ds); !run {
						continue
					}
					pod := daemonset.PodAsCreated(tc.ds, node.Name)
					pod.Name, pod.UID = tc.ds.Name+"-"+node.Name, types.UID(tc.ds.Name+"-"+node.Name)
					admitted, err := admitPod(b, adm, pod)
					if err != nil {
						b.Fatal(err)
					}
					ni, err := us.lister.NodeInfos().Get(node.Name)
					if err != nil {
						b.Fatal(err)
					}
					us.scheduleOnly(b, admitted, ni)
				}
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
