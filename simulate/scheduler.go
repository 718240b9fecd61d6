package simulate

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/daemonkit/daemonkit/daemonset"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	v1helper "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
)

// This file is the scheduler stage: whether a daemon pod the controller
// created can be bound to its node. It reimplements, for one pod pinned to
// one node, the kube-scheduler v1.37.2 filters that can fail for a daemon pod
// whose node passed the controller stage:
//   - NodeResourcesFit (upstream: plugins/noderesources/fit.go fitsRequest)
//   - NodePorts (upstream: plugins/nodeports/node_ports.go fitsPorts)
//   - NodeUnschedulable (upstream: plugins/nodeunschedulable/node_unschedulable.go Filter)
// TaintToleration, NodeAffinity and NodeName give the controller stage's answer
// again for a freshly created pod, so they are not repeated. Not modelled:
// volumes, DRA (including DRA-backed extended resources), inter-pod affinity,
// topology spread, scheduling gates. Preemption is in preempt below.

// PendingKind names the scheduler filter that leaves a daemon pod Pending.
type PendingKind string

// The filters a created daemon pod can fail.
const (
	// PendingInsufficientResource: the pod's request for a resource exceeds
	// the node's allocatable minus the requests of the pods already bound
	// there (upstream: fit.go "Insufficient cpu").
	PendingInsufficientResource PendingKind = "InsufficientResource"
	// PendingTooManyPods: the node already holds allocatable.pods pods
	// (upstream: fit.go "Too many pods").
	PendingTooManyPods PendingKind = "TooManyPods"
	// PendingHostPortConflict: a host port the pod needs is taken (upstream:
	// node_ports.go "node(s) didn't have free ports for the requested pod ports").
	PendingHostPortConflict PendingKind = "HostPortConflict"
	// PendingNodeUnschedulable: the node is cordoned and the pod does not
	// tolerate node.kubernetes.io/unschedulable:NoSchedule. Daemon pods always
	// tolerate it (upstream: daemonset_util.go AddOrUpdateDaemonPodTolerations),
	// so this appears only with a custom
	// daemonset.DaemonPodTolerations.
	PendingNodeUnschedulable PendingKind = "NodeUnschedulable"
	// PendingPodAffinity: the node lacks a topology key of the pod's
	// required pod affinity, or no pod in the node's domain matches all its
	// terms while some pod elsewhere does (upstream: interpodaffinity
	// "node(s) didn't match pod affinity rules"). No preemption helps.
	PendingPodAffinity PendingKind = "PodAffinity"
	// PendingPodAntiAffinity: a pod in the node's topology domain matches
	// the pod's required anti-affinity (upstream: "node(s) didn't match pod
	// anti-affinity rules").
	PendingPodAntiAffinity PendingKind = "PodAntiAffinity"
	// PendingExistingPodsAntiAffinity: the required anti-affinity of a pod in
	// the node's topology domain matches the daemon pod (upstream: "node(s)
	// didn't satisfy existing pods anti-affinity rules").
	PendingExistingPodsAntiAffinity PendingKind = "ExistingPodsAntiAffinity"
	// PendingTopologySpread: binding the pod here would make the skew of a
	// DoNotSchedule topology spread constraint exceed maxSkew (upstream:
	// podtopologyspread "node(s) didn't match pod topology spread
	// constraints").
	PendingTopologySpread PendingKind = "TopologySpread"
	// PendingTopologySpreadLabel: the node lacks the topology key of a
	// DoNotSchedule topology spread constraint (upstream: "... (missing
	// required label)"). No preemption helps.
	PendingTopologySpreadLabel PendingKind = "TopologySpreadMissingLabel"
)

// PendingReason is one scheduler filter a created daemon pod fails on its node.
type PendingReason struct {
	Kind PendingKind
	// Resource is set for InsufficientResource and TooManyPods (pods).
	Resource corev1.ResourceName
	// Needs and Free, for InsufficientResource and TooManyPods, in the
	// resource's base unit (millicores for cpu, bytes for memory, pods for
	// pods). Free = allocatable - requested and can be negative on an
	// overcommitted node.
	Needs, Free int64
	// Port is the conflicting host port, for HostPortConflict.
	Port int32
	// Protocol and HostIP of the conflicting port (sanitised: TCP, 0.0.0.0).
	Protocol, HostIP string
	// HeldBy names what holds the port: "namespace/pod" of a pod already on
	// the node, or "daemonset namespace/name" of another DaemonSet placed in
	// the same call. For PodAntiAffinity and ExistingPodsAntiAffinity, the
	// pod whose labels or whose term conflict (empty when not known).
	HeldBy string
	// TopologyKey and TopologyValue: the topology domain of the inter-pod
	// affinity and topology spread reasons (the value is empty when the
	// node lacks the key).
	TopologyKey, TopologyValue string `json:",omitempty"`
	// Message is the reason for a person, e.g. "needs 200m cpu, 100m free".
	Message string
}

// String returns r.Message.
func (r PendingReason) String() string { return r.Message }

// resources is a compact resource vector in the units the scheduler compares
// (upstream: framework.Resource).
type resources struct {
	milliCPU, memory, ephemeral, pods int64
	// scalar holds extended, hugepages and other scalar resources, sorted by name.
	scalar []scalarQty
}

type scalarQty struct {
	name  corev1.ResourceName
	value int64
}

// resourcesFromList converts a ResourceList as upstream's NewResource does.
// upstream: framework/types.go Resource.Add
func resourcesFromList(rl corev1.ResourceList) resources {
	var r resources
	for name, q := range rl {
		switch name {
		case corev1.ResourceCPU:
			r.milliCPU += q.MilliValue()
		case corev1.ResourceMemory:
			r.memory += q.Value()
		case corev1.ResourceEphemeralStorage:
			r.ephemeral += q.Value()
		case corev1.ResourcePods:
			r.pods += q.Value()
		default:
			if isScalarResourceName(name) {
				r.scalar = append(r.scalar, scalarQty{name, q.Value()})
			}
		}
	}
	slices.SortFunc(r.scalar, func(a, b scalarQty) int { return strings.Compare(string(a.name), string(b.name)) })
	return r
}

// clone returns r with its own scalar slice, so that adding to the copy
// leaves r unchanged.
func (r resources) clone() resources {
	r.scalar = slices.Clone(r.scalar)
	return r
}

func (r *resources) add(o resources) {
	r.milliCPU += o.milliCPU
	r.memory += o.memory
	r.ephemeral += o.ephemeral
	r.pods += o.pods
	for _, s := range o.scalar {
		r.addScalar(s.name, s.value)
	}
}

func (r *resources) sub(o resources) {
	r.milliCPU -= o.milliCPU
	r.memory -= o.memory
	r.ephemeral -= o.ephemeral
	r.pods -= o.pods
	for _, s := range o.scalar {
		r.addScalar(s.name, -s.value)
	}
}

func (r *resources) addScalar(name corev1.ResourceName, v int64) {
	i, found := slices.BinarySearchFunc(r.scalar, name, func(s scalarQty, n corev1.ResourceName) int {
		return strings.Compare(string(s.name), string(n))
	})
	if found {
		r.scalar[i].value += v
		return
	}
	r.scalar = slices.Insert(r.scalar, i, scalarQty{name, v})
}

func (r resources) scalarValue(name corev1.ResourceName) int64 {
	for _, s := range r.scalar {
		if s.name == name {
			return s.value
		}
	}
	return 0
}

func (r resources) isZero() bool {
	if r.milliCPU != 0 || r.memory != 0 || r.ephemeral != 0 {
		return false
	}
	for _, s := range r.scalar {
		if s.value != 0 {
			return false
		}
	}
	return true
}

// isScalarResourceName mirrors upstream's v1helper.IsScalarResourceName:
// extended resources, hugepages-*, attachable-volumes-* and prefixed native
// resources (kubernetes.io/...).
func isScalarResourceName(name corev1.ResourceName) bool {
	s := string(name)
	return daemonset.IsExtendedResourceName(name) || strings.HasPrefix(s, corev1.ResourceHugePagesPrefix) ||
		strings.HasPrefix(s, corev1.ResourceAttachableVolumesPrefix) || strings.Contains(s, "kubernetes.io/")
}

// podRequests is what the scheduler asks of a node for pod, the pod being
// scheduled (daemonset.ComputePodResourceRequest).
func podRequests(pod *corev1.Pod) resources {
	return resourcesFromList(daemonset.ComputePodResourceRequest(pod))
}

// boundPodRequests is what pod, bound to a node, takes from it in the
// scheduler's node cache (daemonset.CalculateResource: the larger of spec and
// status for a pod being resized in place).
func boundPodRequests(pod *corev1.Pod) resources {
	return resourcesFromList(daemonset.CalculateResource(pod))
}

// hostPort is one (hostIP, protocol, port) a pod binds on its node.
// upstream: framework/types.go HostPortInfo (sanitised keys)
type hostPort struct {
	ip    string
	proto string
	port  int32
	// owner: index into Cluster.Pods when >= 0; -(i+1) for the i-th
	// DaemonSet of a Place call.
	owner int32
}

// podHostPorts lists the host ports pod binds: ports with hostPort > 0 of its
// containers and restartable init containers, after hostNetwork defaulting.
// upstream: pkg/scheduler/util/utils.go GetHostPorts
func podHostPorts(pod *corev1.Pod) []hostPort {
	p := daemonset.WithPodOnlyDefaults(pod)
	var out []hostPort
	add := func(c *corev1.Container) {
		for _, cp := range c.Ports {
			if cp.HostPort <= 0 {
				continue
			}
			out = append(out, sanitizePort(cp.HostIP, string(cp.Protocol), cp.HostPort))
		}
	}
	for i := range p.Spec.InitContainers {
		c := &p.Spec.InitContainers[i]
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			add(c)
		}
	}
	for i := range p.Spec.Containers {
		add(&p.Spec.Containers[i])
	}
	return out
}

// upstream: framework/types.go HostPortInfo.sanitize
func sanitizePort(ip, proto string, port int32) hostPort {
	if ip == "" {
		ip = "0.0.0.0"
	}
	if proto == "" {
		proto = string(corev1.ProtocolTCP)
	}
	return hostPort{ip: ip, proto: proto, port: port}
}

// conflicts reports whether want collides with used: same protocol and port,
// and either side binds 0.0.0.0 or both bind the same IP.
// upstream: framework/types.go HostPortInfo.CheckConflict
func (want hostPort) conflicts(used hostPort) bool {
	if want.port != used.port || want.proto != used.proto {
		return false
	}
	return want.ip == "0.0.0.0" || used.ip == "0.0.0.0" || want.ip == used.ip
}

// daemonPodNeeds is what one daemon pod asks of every node, computed once per
// DaemonSet.
type daemonPodNeeds struct {
	req   resources
	ports []hostPort
	// toleratesUnschedulable: the pod tolerates node.kubernetes.io/unschedulable:NoSchedule.
	toleratesUnschedulable bool
	// priority of the pod, and whether it may preempt (preemptionPolicy is
	// not Never).
	priority int32
	preempts bool
}

func newDaemonPodNeeds(pod *corev1.Pod, owner int32, adm daemonset.AdmittedPriority) daemonPodNeeds {
	n := daemonPodNeeds{req: podRequests(pod), ports: podHostPorts(pod)}
	for i := range n.ports {
		n.ports[i].owner = owner
	}
	taint := corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule}
	n.toleratesUnschedulable = v1helper.TolerationsTolerateTaint(klog.Background(), pod.Spec.Tolerations, &taint, false)
	n.priority = adm.Priority
	n.preempts = adm.Preempts()
	return n
}

// nodeUsage is what the pods bound on a node take from it, as the scheduler
// counts: the sum of their requests, how many they are, the host ports they
// bind.
// upstream: framework/types.go NodeInfo (Requested, Pods, UsedPorts)
type nodeUsage struct {
	requested resources
	pods      int64
	ports     []hostPort
}

// fits runs the scheduler stage for one daemon pod on one node, whose
// allocatable is alloc, with u taken. It returns nil when the pod binds.
// describe names the holder of a port for messages.
// upstream: noderesources/fit.go fitsRequest, nodeports fitsPorts,
// nodeunschedulable Filter
func (n *daemonPodNeeds) fits(alloc resources, u nodeUsage, unschedulable bool, describe func(owner int32) string) []PendingReason {
	used, podCount, usedPorts := u.requested, u.pods, u.ports
	var out []PendingReason
	if unschedulable && !n.toleratesUnschedulable {
		out = append(out, PendingReason{Kind: PendingNodeUnschedulable,
			Message: "node is cordoned (spec.unschedulable) and the pod does not tolerate node.kubernetes.io/unschedulable:NoSchedule"})
	}
	if podCount+1 > alloc.pods {
		out = append(out, PendingReason{Kind: PendingTooManyPods, Resource: corev1.ResourcePods, Needs: 1, Free: alloc.pods - podCount,
			Message: fmt.Sprintf("too many pods: %d of %d pod slots used", podCount, alloc.pods)})
	}
	if n.req.milliCPU > 0 && n.req.milliCPU > alloc.milliCPU-used.milliCPU {
		out = append(out, insufficient(corev1.ResourceCPU, n.req.milliCPU, alloc.milliCPU-used.milliCPU))
	}
	if n.req.memory > 0 && n.req.memory > alloc.memory-used.memory {
		out = append(out, insufficient(corev1.ResourceMemory, n.req.memory, alloc.memory-used.memory))
	}
	if n.req.ephemeral > 0 && n.req.ephemeral > alloc.ephemeral-used.ephemeral {
		out = append(out, insufficient(corev1.ResourceEphemeralStorage, n.req.ephemeral, alloc.ephemeral-used.ephemeral))
	}
	for _, s := range n.req.scalar {
		if s.value <= 0 {
			continue
		}
		if free := alloc.scalarValue(s.name) - used.scalarValue(s.name); s.value > free {
			out = append(out, insufficient(s.name, s.value, free))
		}
	}
	for _, want := range n.ports {
		for _, u := range usedPorts {
			if want.conflicts(u) {
				holder := describe(u.owner)
				out = append(out, PendingReason{Kind: PendingHostPortConflict, Port: want.port, Protocol: want.proto, HostIP: want.ip, HeldBy: holder,
					Message: fmt.Sprintf("host port %s:%d/%s already in use by %s", want.ip, want.port, want.proto, holder)})
				break
			}
		}
	}
	return out
}

func insufficient(name corev1.ResourceName, needs, free int64) PendingReason {
	return PendingReason{Kind: PendingInsufficientResource, Resource: name, Needs: needs, Free: free,
		Message: fmt.Sprintf("needs %s %s, %s free", formatQuantity(name, needs), name, formatQuantity(name, free))}
}

// formatQuantity prints v (base units of name) the way kubectl shows it.
func formatQuantity(name corev1.ResourceName, v int64) string {
	switch name {
	case corev1.ResourceCPU:
		return resource.NewMilliQuantity(v, resource.DecimalSI).String()
	case corev1.ResourceMemory, corev1.ResourceEphemeralStorage:
		return resource.NewQuantity(v, resource.BinarySI).String()
	default:
		if strings.HasPrefix(string(name), corev1.ResourceHugePagesPrefix) {
			return resource.NewQuantity(v, resource.BinarySI).String()
		}
		return resource.NewQuantity(v, resource.DecimalSI).String()
	}
}

// preempt finds the pods the scheduler's DefaultPreemption would evict from
// the node so that the daemon pod fits. The daemon pod is pinned to its node
// (node affinity on metadata.name), so this node is the only candidate:
// every pod of lower priority is removed; if the pod then fits, they are put
// back one by one, the more important first (moreImportantPod: higher
// priority, then the earlier status.startTime), as long as it still fits;
// those that cannot be put back are the victims, in that order.
// The pods whose eviction would violate one of the cluster's
// PodDisruptionBudgets are put back first (daemonset.FilterPodsWithPDBViolation),
// and those evicted all the same are counted.
// It returns the victims and the node's usage after their eviction, or
// false when preemption cannot help. u is the node's usage before; pods
// for which skip is true are not candidates.
// upstream: plugins/defaultpreemption/default_preemption.go SelectVictimsOnNode
func (n *daemonPodNeeds) preempt(c *Cluster, ix *clusterIndex, ns *schedNode, u nodeUsage, skip func(pod int32) bool, passes func(gone []int32) bool) (preemption, bool) {
	if !n.preempts {
		return preemption{}, false
	}
	var cands []int32
	for _, pi := range ns.podIdx {
		if !skip(pi) && ix.podPrio[pi] < n.priority {
			cands = append(cands, pi)
		}
	}
	if len(cands) == 0 {
		return preemption{}, false
	}
	podPorts := func(pi int32) []hostPort {
		var out []hostPort
		for _, hp := range ns.usage.ports {
			if hp.owner == pi {
				out = append(out, hp)
			}
		}
		return out
	}
	// every candidate evicted
	all := nodeUsage{requested: u.requested.clone(), pods: u.pods - int64(len(cands)), ports: slices.Clone(u.ports)}
	for _, pi := range cands {
		all.requested.sub(ix.podReq[pi])
		all.ports = removePorts(all.ports, podPorts(pi))
	}
	noName := func(int32) string { return "" }
	if len(n.fits(ns.alloc, all, false, noName)) > 0 || !passes(cands) {
		return preemption{}, false
	}
	// the pods still out of the node (the inter-pod filters' view)
	gone := slices.Clone(cands)
	// put back as many as fit, the more important first: first those whose
	// eviction would violate a PodDisruptionBudget, then the others
	p := preemption{after: all}
	slices.SortStableFunc(cands, func(a, b int32) int { return ix.moreImportantPod(a, b) })
	order := cands
	var violating []int
	if len(c.pdbs) > 0 {
		pods := make([]*corev1.Pod, len(cands))
		for i, pi := range cands {
			pods[i] = c.pods[pi]
		}
		var others []int
		violating, others = daemonset.FilterPodsWithPDBViolation(pods, c.pdbs)
		order = make([]int32, 0, len(cands))
		for _, i := range violating {
			order = append(order, cands[i])
		}
		for _, i := range others {
			order = append(order, cands[i])
		}
	}
	for k, pi := range order {
		back := nodeUsage{requested: p.after.requested.clone(), pods: p.after.pods + 1, ports: slices.Clone(p.after.ports)}
		back.requested.add(ix.podReq[pi])
		back.ports = append(back.ports, podPorts(pi)...)
		if len(n.fits(ns.alloc, back, false, noName)) == 0 {
			without := slices.DeleteFunc(slices.Clone(gone), func(g int32) bool { return g == pi })
			if passes(without) {
				p.after, gone = back, without
				continue
			}
		}
		// upstream removes the victim again, its ports with it
		p.after.ports = removePorts(p.after.ports, podPorts(pi))
		p.victims = append(p.victims, pi)
		if k < len(violating) {
			p.pdbViolations++
		}
	}
	if len(violating) > 0 && len(violating) < len(cands) {
		// upstream sorts the victims by importance again
		slices.SortStableFunc(p.victims, func(a, b int32) int { return ix.moreImportantPod(a, b) })
	}
	// The node as the scheduler's cache holds it once the victims are
	// gone: u without them (the dry run's state differs in the host ports
	// it dropped for reprieved pods).
	p.after = nodeUsage{requested: u.requested.clone(), pods: u.pods - int64(len(p.victims)), ports: slices.Clone(u.ports)}
	for _, pi := range p.victims {
		p.after.requested.sub(ix.podReq[pi])
		p.after.ports = removePorts(p.after.ports, podPorts(pi))
	}
	return p, true
}

// removePorts deletes from used every port with the (ip, protocol, port) of
// one of gone, whoever holds it: the scheduler's node cache keeps used host
// ports as a set, and removing a pod removes its ports from the set even
// when another pod on the node binds the same one (which the kubelet's
// admission keeps from happening on a real node).
// upstream: framework/types.go NodeInfo.updateUsedPorts, HostPortInfo.Remove
func removePorts(used, gone []hostPort) []hostPort {
	if len(gone) == 0 {
		return used
	}
	return slices.DeleteFunc(used, func(hp hostPort) bool {
		return slices.ContainsFunc(gone, func(g hostPort) bool { return g.ip == hp.ip && g.proto == hp.proto && g.port == hp.port })
	})
}

// noStartTime orders a pod without status.startTime after every pod with
// one: upstream reads a missing start time as the time of the comparison
// (util.GetPodStartTime returns now), later than any start time recorded.
const noStartTime = math.MaxInt64

// moreImportantPod orders counted pods a and b, the more important first:
// higher priority, then the earlier status.startTime. It returns 0 for pods
// equally important; upstream then keeps no particular order (sort.Slice
// over its node cache's pods), and daemonkit keeps the cluster's order.
// upstream: pkg/scheduler/util/utils.go MoreImportantPod
func (ix *clusterIndex) moreImportantPod(a, b int32) int {
	if c := cmp.Compare(ix.podPrio[b], ix.podPrio[a]); c != 0 {
		return c
	}
	return cmp.Compare(ix.podStart[a], ix.podStart[b])
}

// preemption is what preempt finds on a node.
type preemption struct {
	// victims are the evicted pods, as indexes into the cluster's pods.
	victims []int32
	// after is the node's usage once they are evicted.
	after nodeUsage
	// pdbViolations counts the victims whose eviction violates a
	// PodDisruptionBudget.
	pdbViolations int
}
