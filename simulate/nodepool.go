package simulate

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// NodePool builds a group of alike synthetic nodes, the way a cloud node
// group or Karpenter NodePool produces them:
//
//	nodes, err := simulate.NewNodePool("gpu", 8).
//		Labels(map[string]string{"accelerator": "nvidia"}).
//		Taint("nvidia.com/gpu", "present", corev1.TaintEffectNoSchedule).
//		Allocatable("32", "128Gi", 110).
//		Resource("nvidia.com/gpu", "8").
//		Zones("eu-west-1a", "eu-west-1b").
//		Build()
//
// Nodes are named <prefix>-<i> with i zero-padded so that name order is
// index order. Every node gets the well-known labels kubernetes.io/hostname,
// kubernetes.io/os, kubernetes.io/arch (and topology.kubernetes.io/zone,
// node.kubernetes.io/instance-type when set), a Ready=True condition, and
// capacity equal to allocatable. Defaults: linux/amd64, kubelet v1.37.2,
// allocatable cpu 4, memory 16Gi, ephemeral-storage 100Gi, pods 110.
//
// Methods record the first bad argument (a malformed quantity, a negative
// count) and Build reports it; a NodePool is not safe for concurrent use.
type NodePool struct {
	name, prefix   string
	count          int
	labels         map[string]string
	taints         []corev1.Taint
	alloc          corev1.ResourceList
	zones          []string
	kubelet        string
	os, arch       string
	instanceType   string
	notReady       int
	unknown        int
	cordoned       int
	extraCondition []corev1.NodeCondition
	errs           field.ErrorList
}

// NewNodePool starts a pool of count nodes named name-<i>.
func NewNodePool(name string, count int) *NodePool {
	p := &NodePool{
		name: name, prefix: name, count: count,
		labels:  map[string]string{},
		kubelet: "v1.37.2", os: "linux", arch: "amd64",
		alloc: corev1.ResourceList{
			corev1.ResourceCPU:              resource.MustParse("4"),
			corev1.ResourceMemory:           resource.MustParse("16Gi"),
			corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
			corev1.ResourcePods:             *resource.NewQuantity(110, resource.DecimalSI),
		},
	}
	if count < 0 {
		p.errs = append(p.errs, field.Invalid(p.path("count"), count, "must be >= 0"))
	}
	return p
}

func (p *NodePool) path(f string) *field.Path { return field.NewPath("nodePool").Key(p.name).Child(f) }

// NamePrefix names nodes <prefix>-<i> instead of <pool name>-<i>.
func (p *NodePool) NamePrefix(prefix string) *NodePool { p.prefix = prefix; return p }

// Labels adds labels to every node (later calls win on the same key).
func (p *NodePool) Labels(labels map[string]string) *NodePool {
	maps.Copy(p.labels, labels)
	return p
}

// Label adds one label to every node.
func (p *NodePool) Label(key, value string) *NodePool { p.labels[key] = value; return p }

// Taint adds a taint to every node.
func (p *NodePool) Taint(key, value string, effect corev1.TaintEffect) *NodePool {
	p.taints = append(p.taints, corev1.Taint{Key: key, Value: value, Effect: effect})
	return p
}

// Allocatable sets allocatable (and capacity) cpu, memory and pods, e.g.
// Allocatable("3920m", "14Gi", 110).
func (p *NodePool) Allocatable(cpu, memory string, pods int64) *NodePool {
	p.Resource(string(corev1.ResourceCPU), cpu)
	p.Resource(string(corev1.ResourceMemory), memory)
	p.alloc[corev1.ResourcePods] = *resource.NewQuantity(pods, resource.DecimalSI)
	return p
}

// Resource sets one allocatable resource, e.g. Resource("nvidia.com/gpu", "8").
// An empty quantity removes the resource.
func (p *NodePool) Resource(name, quantity string) *NodePool {
	if quantity == "" {
		delete(p.alloc, corev1.ResourceName(name))
		return p
	}
	q, err := resource.ParseQuantity(quantity)
	if err != nil {
		p.errs = append(p.errs, field.Invalid(p.path("allocatable").Key(name), quantity, err.Error()))
		return p
	}
	p.alloc[corev1.ResourceName(name)] = q
	return p
}

// NoAllocatable leaves status.allocatable empty (a node that has not yet
// reported): the scheduler binds nothing there.
func (p *NodePool) NoAllocatable() *NodePool { p.alloc = corev1.ResourceList{}; return p }

// Zones spreads nodes round-robin over zones (label topology.kubernetes.io/zone).
func (p *NodePool) Zones(zones ...string) *NodePool { p.zones = slices.Clone(zones); return p }

// KubeletVersion sets status.nodeInfo.kubeletVersion.
func (p *NodePool) KubeletVersion(v string) *NodePool { p.kubelet = v; return p }

// OS sets kubernetes.io/os and status.nodeInfo.operatingSystem ("linux", "windows").
func (p *NodePool) OS(os string) *NodePool { p.os = os; return p }

// Arch sets kubernetes.io/arch and status.nodeInfo.architecture ("amd64", "arm64").
func (p *NodePool) Arch(arch string) *NodePool { p.arch = arch; return p }

// InstanceType sets node.kubernetes.io/instance-type.
func (p *NodePool) InstanceType(t string) *NodePool { p.instanceType = t; return p }

// NotReady makes the last n nodes report Ready=False, with the taints the
// node lifecycle controller adds (ApplyLifecycleTaints).
func (p *NodePool) NotReady(n int) *NodePool { p.notReady = p.checkN("notReady", n); return p }

// Unreachable makes n nodes (before the NotReady ones) report Ready=Unknown,
// with the lifecycle taints.
func (p *NodePool) Unreachable(n int) *NodePool { p.unknown = p.checkN("unreachable", n); return p }

// Cordoned marks the first n nodes spec.unschedulable, with the
// node.kubernetes.io/unschedulable:NoSchedule taint.
func (p *NodePool) Cordoned(n int) *NodePool { p.cordoned = p.checkN("cordoned", n); return p }

// Condition adds a condition to every node, e.g. DiskPressure=True; the
// matching lifecycle taint is added too.
func (p *NodePool) Condition(t corev1.NodeConditionType, s corev1.ConditionStatus) *NodePool {
	p.extraCondition = append(p.extraCondition, corev1.NodeCondition{Type: t, Status: s})
	return p
}

func (p *NodePool) checkN(f string, n int) int {
	if n < 0 || n > p.count {
		p.errs = append(p.errs, field.Invalid(p.path(f), n, fmt.Sprintf("must be between 0 and the pool size %d", p.count)))
		return 0
	}
	return n
}

// Build returns the nodes, or the errors recorded by the methods (an
// *InputError).
func (p *NodePool) Build() ([]*corev1.Node, error) {
	nodes, err := p.build()
	if err != nil {
		return nil, err
	}
	return nodes, nil
}

func (p *NodePool) build() ([]*corev1.Node, *InputError) {
	op := fmt.Sprintf("node pool %q", p.name)
	if len(p.errs) > 0 {
		return nil, &InputError{Op: op, Errs: p.errs}
	}
	if p.count > MaxNodes {
		return nil, &InputError{Op: op, Errs: field.ErrorList{errTooManyNodes(p.path("count"), p.count)}}
	}
	if p.notReady+p.unknown > p.count {
		return nil, &InputError{Op: op, Errs: field.ErrorList{
			field.Invalid(p.path("notReady"), p.notReady+p.unknown, "notReady + unreachable exceeds the pool size")}}
	}
	width := len(strconv.Itoa(max(p.count-1, 0)))
	nodes := make([]*corev1.Node, p.count)
	for i := range p.count {
		name := fmt.Sprintf("%s-%0*d", p.prefix, width, i)
		labels := make(map[string]string, len(p.labels)+5)
		labels[corev1.LabelHostname] = name
		labels[corev1.LabelOSStable] = p.os
		labels[corev1.LabelArchStable] = p.arch
		if len(p.zones) > 0 {
			labels[corev1.LabelTopologyZone] = p.zones[i%len(p.zones)]
		}
		if p.instanceType != "" {
			labels[corev1.LabelInstanceTypeStable] = p.instanceType
		}
		maps.Copy(labels, p.labels)
		ready := corev1.ConditionTrue
		switch {
		case i >= p.count-p.notReady:
			ready = corev1.ConditionFalse
		case i >= p.count-p.notReady-p.unknown:
			ready = corev1.ConditionUnknown
		}
		conds := append([]corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}, p.extraCondition...)
		n := &corev1.Node{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Node"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
			Spec:       corev1.NodeSpec{Taints: slices.Clone(p.taints), Unschedulable: i < p.cordoned},
			Status: corev1.NodeStatus{
				Capacity:    p.alloc.DeepCopy(),
				Allocatable: p.alloc.DeepCopy(),
				Conditions:  conds,
				NodeInfo:    corev1.NodeSystemInfo{KubeletVersion: p.kubelet, OperatingSystem: p.os, Architecture: p.arch},
			},
		}
		if ready != corev1.ConditionTrue || n.Spec.Unschedulable || len(p.extraCondition) > 0 {
			n = ApplyLifecycleTaints(n)
		}
		nodes[i] = n
	}
	return nodes, nil
}

// BuildCluster builds every pool and returns them as one Cluster without
// pods. Node names must be unique across pools.
func BuildCluster(pools ...*NodePool) (*Cluster, error) {
	total := 0
	for _, p := range pools {
		if p != nil {
			total += max(p.count, 0)
		}
	}
	if total > MaxNodes {
		return nil, inputError("build cluster", errTooManyNodes(field.NewPath("pools"), total))
	}
	var nodes []*corev1.Node
	var failed []*InputError
	for i, p := range pools {
		if p == nil {
			failed = append(failed, &InputError{Op: "build cluster", Errs: field.ErrorList{field.Required(field.NewPath("pools").Index(i), "nil node pool")}})
			continue
		}
		built, err := p.build()
		if err != nil {
			failed = append(failed, err)
			continue
		}
		nodes = append(nodes, built...)
	}
	switch len(failed) {
	case 0:
		return NewCluster(nodes, nil)
	case 1:
		return nil, failed[0]
	}
	var errs field.ErrorList
	for _, f := range failed {
		errs = append(errs, f.Errs...)
	}
	return nil, inputError("build cluster", errs...)
}
