package simulate

import (
	"fmt"
	"math/rand/v2"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

// Sizes of the large cluster presets: the scalability test size most
// published DaemonSet figures use, and the largest GKE cluster.
const (
	// Large5K is the node count of Kubernetes' scalability tests.
	Large5K = 5000
	// Large65K is the largest GKE cluster size.
	Large65K = 65000
)

// Shape is a ready-made synthetic cluster.
type Shape struct {
	// Name is what the CLI accepts (--cluster NAME).
	Name string
	// Description says what the cluster holds.
	Description string
	// Build makes the cluster; the same seed gives the same cluster.
	Build func(seed int64) (*Cluster, error)
}

// Shapes lists the ready-made clusters, by name.
func Shapes() []Shape {
	return []Shape{
		{"dev", "1 control-plane node (tainted) and 3 workers with a few workload pods", DevCluster},
		{"large-5k", "5,000 nodes in 3 zones: general, arm64 and tainted GPU pools, kube-proxy and one workload pod per node",
			func(seed int64) (*Cluster, error) { return LargeCluster(Large5K, seed) }},
		{"large-65k", "65,000 nodes in 3 zones: general, arm64 and tainted GPU pools, kube-proxy and one workload pod per node",
			func(seed int64) (*Cluster, error) { return LargeCluster(Large65K, seed) }},
		{"mixed", "production mix: 3 control-plane, 24 general (1 NotReady, 1 cordoned), 4 small max-pods nodes nearly full, " +
			"8 tainted GPU and 4 Windows nodes, with workload and kube-proxy pods", MixedCluster},
	}
}

// ShapeByName builds the shape called name with seed.
func ShapeByName(name string, seed int64) (*Cluster, error) {
	for _, s := range Shapes() {
		if s.Name == name {
			return s.Build(seed)
		}
	}
	return nil, inputError("", wholeInput(field.ErrorTypeNotSupported, name, fmt.Sprintf("unknown cluster shape %q (known: %v)", name, shapeNames())))
}

func controlPlanePool(n int, zones ...string) *NodePool {
	return NewNodePool("control-plane", n).
		Label("node-role.kubernetes.io/control-plane", "").
		Taint("node-role.kubernetes.io/control-plane", "", corev1.TaintEffectNoSchedule).
		Allocatable("4", "16Gi", 110).Zones(zones...)
}

// DevCluster is a small development cluster: one tainted control-plane node
// and three workers (4 cpu, 16Gi, 110 pods) carrying kube-proxy and 2–5
// workload pods each, sized from seed.
func DevCluster(seed int64) (*Cluster, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x64657663))
	nodes, err := buildPools(controlPlanePool(1), NewNodePool("worker", 3).Allocatable("4", "16Gi", 110))
	if err != nil {
		return nil, err
	}
	var pods []*corev1.Pod
	for _, n := range nodes {
		pods = append(pods, kubeProxyPod(n.Name))
		if n.Name == "control-plane-0" {
			continue
		}
		for j := range 2 + rng.IntN(4) {
			pods = append(pods, workloadPod(n.Name, j, 100+rng.Int64N(400), 128+rng.Int64N(896)))
		}
	}
	return NewCluster(nodes, pods)
}

// MixedCluster is a production-like cluster that shows the common traps:
//   - 3 control-plane nodes (node-role.kubernetes.io/control-plane:NoSchedule);
//   - 24 general workers (8 cpu, 32Gi) over 3 zones, filled 30–90% by
//     workload pods; the last one NotReady (lifecycle taints), the first one cordoned;
//   - 4 small nodes with max-pods 17 holding 16 pods (one free slot);
//   - 8 GPU nodes tainted nvidia.com/gpu=present:NoSchedule with 8 nvidia.com/gpu;
//   - 4 Windows nodes (kubernetes.io/os=windows, untainted, as on AKS and EKS).
//
// Every Linux node runs a kube-proxy pod (hostNetwork, host port 10256).
func MixedCluster(seed int64) (*Cluster, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6d697865))
	zones := []string{"zone-a", "zone-b", "zone-c"}
	nodes, err := buildPools(
		controlPlanePool(3, zones...),
		NewNodePool("general", 24).Allocatable("8", "32Gi", 110).Zones(zones...).InstanceType("m5.2xlarge").NotReady(1).Cordoned(1),
		NewNodePool("small", 4).Allocatable("2", "4Gi", 17).Zones(zones...).InstanceType("t3.medium"),
		NewNodePool("gpu", 8).Allocatable("32", "128Gi", 110).Resource("nvidia.com/gpu", "8").Zones(zones...).
			InstanceType("p4d.24xlarge").Label("nvidia.com/gpu.present", "true").
			Taint("nvidia.com/gpu", "present", corev1.TaintEffectNoSchedule),
		NewNodePool("windows", 4).Allocatable("4", "16Gi", 110).Zones(zones...).OS("windows").InstanceType("m5.xlarge"),
	)
	if err != nil {
		return nil, err
	}
	var pods []*corev1.Pod
	for _, n := range nodes {
		if n.Labels[corev1.LabelOSStable] != "windows" {
			pods = append(pods, kubeProxyPod(n.Name))
		}
		alloc := n.Status.Allocatable
		_, isControlPlane := n.Labels["node-role.kubernetes.io/control-plane"]
		switch {
		case isControlPlane:
			// only kube-proxy
		case n.Labels[corev1.LabelInstanceTypeStable] == "t3.medium":
			for j := range 15 { // kube-proxy + 15 = 16 of 17 slots
				pods = append(pods, workloadPod(n.Name, j, 50, 64))
			}
		default:
			fill := 0.3 + 0.6*rng.Float64()
			cpu := int64(float64(alloc.Cpu().MilliValue()) * fill)
			mem := int64(float64(alloc.Memory().Value()>>20) * fill)
			parts := 2 + rng.IntN(5)
			for j := range parts {
				pods = append(pods, workloadPod(n.Name, j, cpu/int64(parts), mem/int64(parts)))
			}
		}
	}
	return NewCluster(nodes, pods)
}

// LargeCluster is an n-node cluster over 3 zones: 3 control-plane nodes (1
// when n < 10), then 5% tainted GPU nodes, 10% arm64 nodes and general nodes
// for the rest. Every node runs kube-proxy and one workload pod sized from
// seed. Use Large5K and Large65K for the usual sizes. n is at most MaxNodes.
func LargeCluster(n int, seed int64) (*Cluster, error) {
	if n < 1 || n > MaxNodes {
		return nil, inputError("large cluster", wholeInput(field.ErrorTypeInvalid, n, fmt.Sprintf("n must be between 1 and MaxNodes (%d), got %d", MaxNodes, n)))
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6c617267))
	zones := []string{"zone-a", "zone-b", "zone-c"}
	cp := 3
	if n < 10 {
		cp = 1
	}
	rest := n - cp
	gpu, arm := rest/20, rest/10
	general := rest - gpu - arm
	nodes, err := buildPools(
		controlPlanePool(cp, zones...),
		NewNodePool("general", general).Allocatable("16", "64Gi", 110).Zones(zones...),
		NewNodePool("arm", arm).Allocatable("16", "64Gi", 110).Arch("arm64").Zones(zones...),
		NewNodePool("gpu", gpu).Allocatable("32", "128Gi", 110).Resource("nvidia.com/gpu", "8").Zones(zones...).
			Taint("nvidia.com/gpu", "present", corev1.TaintEffectNoSchedule),
	)
	if err != nil {
		return nil, err
	}
	pods := make([]*corev1.Pod, 0, 2*len(nodes))
	for i, node := range nodes {
		pods = append(pods, kubeProxyPod(node.Name), workloadPod(node.Name, i, 500+rng.Int64N(15000), 512+rng.Int64N(60000)))
	}
	return NewCluster(nodes, pods)
}

func buildPools(pools ...*NodePool) ([]*corev1.Node, error) {
	var all []*corev1.Node
	for _, p := range pools {
		nodes, err := p.Build()
		if err != nil {
			return nil, err
		}
		all = append(all, nodes...)
	}
	return all, nil
}

// kubeProxyPod is the kube-proxy DaemonSet's pod on node: hostNetwork, health
// port 10256, 100m cpu.
func kubeProxyPod(node string) *corev1.Pod {
	return &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{
			Name: "kube-proxy-" + node, Namespace: "kube-system",
			Labels: map[string]string{"k8s-app": "kube-proxy"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "kube-proxy",
				UID: types.UID("kube-proxy-uid"), Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}},
		},
		Spec: corev1.PodSpec{
			NodeName: node, HostNetwork: true, PriorityClassName: "system-node-critical",
			Containers: []corev1.Container{{
				Name: "kube-proxy", Image: "registry.k8s.io/kube-proxy:v1.37.2",
				Ports: []corev1.ContainerPort{{Name: "healthz", ContainerPort: 10256, HostPort: 10256, Protocol: corev1.ProtocolTCP}},
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
					corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")}},
			}},
		},
		Status: corev1.PodStatus{Phase: corev1.PodRunning},
	}
}

// workloadPod is an application pod on node requesting milliCPU and memMi.
func workloadPod(node string, j int, milliCPU, memMi int64) *corev1.Pod {
	return &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("app-%s-%d", node, j), Namespace: "default", Labels: map[string]string{"app": "workload"}},
		Spec: corev1.PodSpec{
			NodeName: node,
			Containers: []corev1.Container{{
				Name: "app", Image: "registry.example/app:1",
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
					corev1.ResourceCPU:    *resource.NewMilliQuantity(milliCPU, resource.DecimalSI),
					corev1.ResourceMemory: *resource.NewQuantity(memMi<<20, resource.BinarySI)}},
			}},
		},
		Status: corev1.PodStatus{Phase: corev1.PodRunning},
	}
}

// shapeNames is for error messages and tests.
func shapeNames() []string {
	var out []string
	for _, s := range Shapes() {
		out = append(out, s.Name)
	}
	slices.Sort(out)
	return out
}
