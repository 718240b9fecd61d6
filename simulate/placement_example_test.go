package simulate_test

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/daemonkit/daemonkit/simulate"
)

func exampleDaemonSet(name, cpu string) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "monitoring"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: name, Image: "registry.example/" + name + ":1",
					Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse("128Mi")}},
				}}},
			},
		},
	}
}

// Place answers "why is my DaemonSet not on every node?" node by node.
func ExamplePlace() {
	cluster, _ := simulate.BuildCluster(
		simulate.NewNodePool("general", 2).Allocatable("2", "8Gi", 110),
		simulate.NewNodePool("gpu", 1).Taint("nvidia.com/gpu", "present", corev1.TaintEffectNoSchedule),
		simulate.NewNodePool("small", 1).Allocatable("100m", "1Gi", 110),
	)
	p, _ := simulate.Place(cluster, exampleDaemonSet("node-exporter", "200m"))
	for _, n := range p.DaemonSets[0].Nodes {
		fmt.Print(n.Node, ": ", n.State)
		for _, r := range n.Decision.Reasons {
			fmt.Print(" — ", r.Kind)
		}
		for _, r := range n.Pending {
			fmt.Print(" — ", r.Message)
		}
		fmt.Println()
	}
	s := p.DaemonSets[0].Status()
	fmt.Printf("desired %d, available %d, unavailable %d\n", s.DesiredNumberScheduled, s.NumberAvailable, s.NumberUnavailable)
	// Output:
	// general-0: Runs
	// general-1: Runs
	// gpu-0: Excluded — UntoleratedTaint
	// small-0: Pending — needs 200m cpu, 100m free
	// desired 3, available 2, unavailable 1
}

// Several DaemonSets placed together compete for room on each node; the
// Overhead is what autoscalers must reserve per node.
func ExamplePlacement_Overhead() {
	cluster, _ := simulate.BuildCluster(simulate.NewNodePool("n", 2))
	p, _ := simulate.Place(cluster, exampleDaemonSet("node-exporter", "100m"), exampleDaemonSet("fluent-bit", "250m"))
	o := p.Overhead()
	for _, n := range o.PerNode {
		fmt.Printf("%s: cpu %s, memory %s, %d pods\n", n.Node, n.Requests.Cpu(), n.Requests.Memory(), n.Pods)
	}
	fmt.Printf("total: cpu %s, %d pods\n", o.Total.Cpu(), o.TotalPods)
	// Output:
	// n-0: cpu 350m, memory 256Mi, 2 pods
	// n-1: cpu 350m, memory 256Mi, 2 pods
	// total: cpu 700m, 4 pods
}

// Traps name the surprises users otherwise find in production.
func ExamplePlacement_traps() {
	cluster, _ := simulate.BuildCluster(
		simulate.NewNodePool("linux", 2).NotReady(1),
		simulate.NewNodePool("win", 1).OS("windows"),
	)
	p, _ := simulate.Place(cluster, exampleDaemonSet("fluent-bit", "100m"))
	for _, t := range p.Traps {
		fmt.Println(t.Kind, t.Nodes)
	}
	// Output:
	// NotReadyDropped [linux-1]
	// WindowsNodes [win-0]
}

// Diff compares two versions of a DaemonSet (or one DaemonSet on two
// clusters): which nodes gain or lose coverage, and why.
func ExampleDiff() {
	cluster, _ := simulate.BuildCluster(
		simulate.NewNodePool("cpu", 1),
		simulate.NewNodePool("gpu", 1).Taint("nvidia.com/gpu", "present", corev1.TaintEffectNoSchedule),
	)
	before := exampleDaemonSet("dcgm-exporter", "100m")
	after := before.DeepCopy()
	after.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Key: "nvidia.com/gpu", Operator: corev1.TolerationOpExists}}
	after.Spec.Template.Spec.NodeSelector = map[string]string{"kubernetes.io/hostname": "gpu-0"}

	a, _ := simulate.Place(cluster, before)
	b, _ := simulate.Place(cluster, after)
	d := simulate.Diff(a.DaemonSets[0], b.DaemonSets[0])
	fmt.Println("gained:", d.Gained(), "lost:", d.Lost())
	gpu := d.Changes[1]
	fmt.Println(gpu.Node, gpu.Before.State, gpu.Before.Decision.Reasons[0].Kind, gpu.Before.Decision.Reasons[0].Taint.Key, "->", gpu.After.State)
	// Output:
	// gained: [gpu-0] lost: [cpu-0]
	// gpu-0 Excluded UntoleratedTaint nvidia.com/gpu -> Runs
}

// DiffAll pairs the DaemonSets of two placements by namespace/name.
func ExampleDiffAll() {
	small, _ := simulate.BuildCluster(simulate.NewNodePool("n", 1))
	big, _ := simulate.BuildCluster(simulate.NewNodePool("n", 3))
	d := exampleDaemonSet("agent", "100m")
	a, _ := simulate.Place(small, d)
	b, _ := simulate.Place(big, d)
	for _, diff := range simulate.DiffAll(a, b) {
		fmt.Println(diff.DaemonSet, diff.Before.DesiredNumberScheduled, "->", diff.After.DesiredNumberScheduled, diff.Gained())
	}
	// Output:
	// monitoring/agent 1 -> 3 [n-1 n-2]
}

// NewCluster validates and indexes nodes and pods.
func ExampleNewCluster() {
	nodes, _ := simulate.NewNodePool("n", 2).Build()
	_, err := simulate.NewCluster([]*corev1.Node{nodes[0], nodes[0]}, nil)
	fmt.Println(err)
	c, _ := simulate.NewCluster(nodes, nil)
	fmt.Println(len(c.Nodes()), c.Node("n-1").Name)
	// Output:
	// invalid cluster: nodes[1].metadata.name: Duplicate value: "n-0 (also nodes[0])"
	// 2 n-1
}

// LoadCluster reads `kubectl get nodes -o yaml` and `kubectl get pods -A -o yaml`.
func ExampleLoadCluster() {
	nodes := []byte(`apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata: {name: worker-1}
  status: {allocatable: {cpu: "2", memory: 8Gi, pods: "110"}}
`)
	pods := []byte(`apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default}
spec:
  nodeName: worker-1
  containers: [{name: web, image: nginx, resources: {requests: {cpu: 1900m}}}]
`)
	c, err := simulate.LoadCluster(simulate.ClusterFile{Name: "nodes.yaml", Data: nodes}, simulate.ClusterFile{Name: "pods.yaml", Data: pods})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := simulate.Place(c, exampleDaemonSet("agent", "200m"))
	fmt.Println(p.DaemonSets[0].Nodes[0].Pending[0].Message)
	// Output:
	// needs 200m cpu, 100m free
}

// ClusterFromObjects builds a Cluster from objects already decoded.
func ExampleClusterFromObjects() {
	c, err := simulate.ClusterFromObjects(nil)
	fmt.Println(len(c.Nodes()), err)
	// Output:
	// 0 <nil>
}

// A NodePool builds alike nodes, as a cloud node group does.
func ExampleNewNodePool() {
	nodes, _ := simulate.NewNodePool("gpu", 3).
		Label("accelerator", "nvidia").
		Taint("nvidia.com/gpu", "present", corev1.TaintEffectNoSchedule).
		Allocatable("32", "128Gi", 110).
		Resource("nvidia.com/gpu", "8").
		Zones("zone-a", "zone-b").
		Build()
	for _, n := range nodes {
		fmt.Println(n.Name, n.Labels["topology.kubernetes.io/zone"], n.Spec.Taints[0].ToString())
	}
	_, err := simulate.NewNodePool("bad", 1).Allocatable("lots", "1Gi", 110).Build()
	fmt.Println(err)
	// Output:
	// gpu-0 zone-a nvidia.com/gpu=present:NoSchedule
	// gpu-1 zone-b nvidia.com/gpu=present:NoSchedule
	// gpu-2 zone-a nvidia.com/gpu=present:NoSchedule
	// node pool "bad": nodePool[bad].allocatable[cpu]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
}

// BuildCluster joins node pools into one cluster.
func ExampleBuildCluster() {
	c, _ := simulate.BuildCluster(simulate.NewNodePool("a", 2), simulate.NewNodePool("b", 1))
	fmt.Println(len(c.Nodes()), c.Nodes()[2].Name)
	// Output:
	// 3 b-0
}

// ApplyLifecycleTaints adds the taints a real control plane derives from
// conditions and cordoning; the DaemonSet controller reads only taints.
func ExampleApplyLifecycleTaints() {
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "n"},
		Spec:       corev1.NodeSpec{Unschedulable: true},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{
			{Type: corev1.NodeReady, Status: corev1.ConditionFalse},
			{Type: corev1.NodeDiskPressure, Status: corev1.ConditionTrue},
		}},
	}
	for _, t := range simulate.ApplyLifecycleTaints(node).Spec.Taints {
		fmt.Println(t.ToString())
	}
	// Output:
	// node.kubernetes.io/not-ready:NoSchedule
	// node.kubernetes.io/disk-pressure:NoSchedule
	// node.kubernetes.io/unschedulable:NoSchedule
	// node.kubernetes.io/not-ready:NoExecute
}

// LifecycleTaints lists them without copying the node.
func ExampleLifecycleTaints() {
	node := &corev1.Node{Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionUnknown}}}}
	fmt.Println(len(simulate.LifecycleTaints(node)), simulate.LifecycleTaints(node)[1].ToString())
	// Output:
	// 2 node.kubernetes.io/unreachable:NoExecute
}

// Shapes lists the ready-made clusters; ShapeByName builds one.
func ExampleShapes() {
	for _, s := range simulate.Shapes() {
		fmt.Println(s.Name)
	}
	c, _ := simulate.ShapeByName("dev", 1)
	fmt.Println(len(c.Nodes()), "nodes")
	// Output:
	// dev
	// large-5k
	// large-65k
	// mixed
	// 4 nodes
}

// MixedCluster shows the common traps at once.
func ExampleMixedCluster() {
	c, _ := simulate.MixedCluster(1)
	p, _ := simulate.Place(c, exampleDaemonSet("fluent-bit", "100m"))
	c2 := p.DaemonSets[0].Counts()
	fmt.Println("runs", c2.Runs, "pending", c2.Pending, "excluded", c2.Excluded)
	for _, t := range p.Traps {
		fmt.Println(t.Kind, len(t.Nodes))
	}
	// Output:
	// runs 31 pending 0 excluded 12
	// CordonedNodes 1
	// NotReadyDropped 1
	// WindowsNodes 4
}

// DevCluster and LargeCluster are seeded: same seed, same cluster.
func ExampleLargeCluster() {
	c, _ := simulate.LargeCluster(100, 42)
	d, _ := simulate.DevCluster(42)
	fmt.Println(len(c.Nodes()), len(c.Pods()), len(d.Nodes()))
	// Output:
	// 100 200 4
}

// Status is what `kubectl get ds` would show once the controller has synced.
func ExampleDaemonSetPlacement_Status() {
	c, _ := simulate.BuildCluster(simulate.NewNodePool("n", 3).Allocatable("1", "1Gi", 110))
	p, _ := simulate.Place(c, exampleDaemonSet("big", "2"))
	s := p.DaemonSets[0].Status()
	fmt.Println(s.DesiredNumberScheduled, s.CurrentNumberScheduled, s.NumberReady, s.NumberUnavailable)
	// Output:
	// 3 3 0 3
}
