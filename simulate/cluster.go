package simulate

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Cluster is a set of nodes and the pods already on them (other DaemonSets'
// pods and workloads), held as the real API types.
//
// A Cluster is immutable: build one with NewCluster from nodes and pods (or
// LoadCluster from kubectl output, ClusterFromObjects, BuildCluster from node
// pools, or a shape such as DevCluster). It is validated and indexed once,
// when built; its accessors return copies of its slices, so no later change
// to a slice reaches it. The node and pod objects themselves are shared, not
// copied: do not modify them while the Cluster is in use. The zero Cluster
// is the empty cluster. A Cluster is safe for concurrent use.
type Cluster struct {
	// nodes, sorted by name.
	nodes []*corev1.Node
	// pods in the cluster. Only pods bound to a listed node (spec.nodeName)
	// and not terminal (phase Succeeded or Failed) take room on a node, as in
	// kube-scheduler's cache.
	pods []*corev1.Pod
	// index is built once, by NewCluster, from nodes and pods.
	index *clusterIndex
	// priorityClasses are the cluster's PriorityClasses, when given
	// (WithPriorityClasses); classesKnown says they were.
	priorityClasses []*schedulingv1.PriorityClass
	classesKnown    bool
	// pdbs are the cluster's PodDisruptionBudgets (WithPodDisruptionBudgets).
	pdbs []*policyv1.PodDisruptionBudget
	// namespaces are the cluster's Namespaces, when given (WithNamespaces),
	// and nsLabels their labels as the API server stores them (nil when
	// they were not given: namespaces known by name only).
	namespaces []*corev1.Namespace
	nsLabels   daemonset.NamespaceLabels
}

// WithNamespaces returns a Cluster of c's nodes, pods, PriorityClasses and
// PodDisruptionBudgets and the cluster's Namespaces (`kubectl get ns -o
// yaml`). Place's inter-pod affinity then reads a term's namespaceSelector
// against their labels, as the scheduler reads its Namespace lister, with
// kubernetes.io/metadata.name set to each one's name as the API server sets
// it (daemonset.NamespaceLabelsOf); a pod's namespace that is not among them
// has no labels and is selected by no daemon pod's namespaceSelector but an
// empty one, as upstream. Without Namespaces, namespaces are known by name
// only and a namespaceSelector on another label than
// kubernetes.io/metadata.name is named in a TrapSchedulerNotModelled. Giving
// none (no arguments) says the cluster has none.
//
// Errors: a nil Namespace, a Namespace without a name, two Namespaces of the
// same name.
func (c *Cluster) WithNamespaces(ns ...*corev1.Namespace) (*Cluster, error) {
	if errs := distinctNamed("namespaces", "Namespace", ns, false); len(errs) > 0 {
		return nil, inputError("invalid cluster", errs...)
	}
	out := &Cluster{}
	if c != nil {
		*out = *c
	}
	out.namespaces, out.nsLabels = slices.Clone(ns), daemonset.NamespaceLabelsOf(ns)
	return out, nil
}

// Namespaces returns the Namespaces given to WithNamespaces, in a new slice
// (nil when none were).
func (c *Cluster) Namespaces() []*corev1.Namespace {
	if c == nil {
		return nil
	}
	return slices.Clone(c.namespaces)
}

// namespaceLabels returns the labels of the cluster's namespaces, nil when
// they were not given.
func (c *Cluster) namespaceLabels() daemonset.NamespaceLabels {
	if c == nil {
		return nil
	}
	return c.nsLabels
}

// WithPriorityClasses returns a Cluster of c's nodes and pods and the
// cluster's PriorityClasses (`kubectl get priorityclasses -o yaml`; the two
// system classes may be left out, every cluster has them). Place then
// resolves the daemon pod's priority and preemption policy as the API
// server's Priority admission plugin does (daemonset.AdmitPodPriority) and
// names a template admission refuses (State Refused); pods in the cluster
// without spec.priority get theirs the same way. Without classes, a
// template naming a class other than the system ones is read as priority 0
// and named in a TrapPriorityClassNotGiven.
//
// Errors: a nil class, a class without a name, two classes of the same name.
func (c *Cluster) WithPriorityClasses(classes ...*schedulingv1.PriorityClass) (*Cluster, error) {
	if errs := distinctNamed("priorityClasses", "PriorityClass", classes, false); len(errs) > 0 {
		return nil, inputError("invalid cluster", errs...)
	}
	out := &Cluster{}
	if c != nil {
		*out = *c
	}
	out.priorityClasses, out.classesKnown = slices.Clone(classes), true
	ix := *c.indexed()
	// pods without spec.priority: as admission would have set it
	ix.podPrio = slices.Clone(ix.podPrio)
	for pi, pod := range out.pods {
		if pod != nil && pod.Spec.Priority == nil {
			ix.podPrio[pi] = boundPodPriority(&pod.Spec, out.priorityClasses)
		}
	}
	out.index = &ix
	return out, nil
}

// WithPodDisruptionBudgets returns a Cluster of c's nodes, pods and
// PriorityClasses and the cluster's PodDisruptionBudgets (`kubectl get pdb
// -A -o yaml`, with their status). Place's preemption then spares first the
// pods whose eviction would violate one, as the scheduler does, and counts
// the violations it commits (NodePlacement.PreemptsViolatingPDBs).
//
// Errors: a nil PDB, a PDB without a name, two PDBs of the same
// namespace/name.
func (c *Cluster) WithPodDisruptionBudgets(pdbs ...*policyv1.PodDisruptionBudget) (*Cluster, error) {
	if errs := distinctNamed("podDisruptionBudgets", "PodDisruptionBudget", pdbs, true); len(errs) > 0 {
		return nil, inputError("invalid cluster", errs...)
	}
	out := &Cluster{}
	if c != nil {
		*out = *c
	}
	out.pdbs = slices.Clone(pdbs)
	return out, nil
}

// PodDisruptionBudgets returns the PodDisruptionBudgets given to
// WithPodDisruptionBudgets, in a new slice.
func (c *Cluster) PodDisruptionBudgets() []*policyv1.PodDisruptionBudget {
	if c == nil {
		return nil
	}
	return slices.Clone(c.pdbs)
}

// PriorityClasses returns the PriorityClasses given to WithPriorityClasses,
// in a new slice (nil when none were).
func (c *Cluster) PriorityClasses() []*schedulingv1.PriorityClass {
	if c == nil {
		return nil
	}
	return slices.Clone(c.priorityClasses)
}

// NewCluster validates nodes and pods and returns an indexed Cluster whose
// Nodes are sorted by name. The slices are copied; the objects are not,
// except that nodes are held as the API server stores them: a node with
// status.capacity but no status.allocatable is replaced by a copy whose
// allocatable is its capacity (daemonset.SetNodeDefaults; upstream:
// pkg/apis/core/v1/defaults.go SetDefaults_NodeStatus). Every way of
// building a Cluster (LoadCluster, ClusterFromObjects, simulate/live,
// shapes, node pools) comes through here.
//
// Errors (all found are reported, with field paths into the arguments): a nil
// node or pod, a node without a name, two nodes with the same name, a pod
// without a name, two pods with the same namespace/name, more than MaxNodes
// nodes (checked first, alone). Documented behaviour
// instead of errors: a pod bound to a node not in the list, or bound to no
// node, takes no room anywhere; a node with neither status.allocatable nor
// status.capacity has room for nothing (kube-scheduler reads missing
// allocatable as zero, so every pod is Pending there with "Too many pods");
// Place names such nodes in a Trap.
func NewCluster(nodes []*corev1.Node, pods []*corev1.Pod) (*Cluster, error) {
	if len(nodes) > MaxNodes {
		return nil, inputError("invalid cluster", errTooManyNodes(field.NewPath("nodes"), len(nodes)))
	}
	var errs field.ErrorList
	seen := make(map[string]int, len(nodes))
	for i, n := range nodes {
		p := field.NewPath("nodes").Index(i)
		switch {
		case n == nil:
			errs = append(errs, field.Required(p, "nil node"))
		case n.Name == "":
			errs = append(errs, field.Required(p.Child("metadata", "name"), "node has no name"))
		default:
			if j, dup := seen[n.Name]; dup {
				errs = append(errs, field.Duplicate(p.Child("metadata", "name"),
					fmt.Sprintf("%s (also nodes[%d])", n.Name, j)))
				continue
			}
			seen[n.Name] = i
		}
	}
	seenPods := make(map[string]int, len(pods))
	for i, pod := range pods {
		p := field.NewPath("pods").Index(i)
		switch {
		case pod == nil:
			errs = append(errs, field.Required(p, "nil pod"))
		case pod.Name == "":
			errs = append(errs, field.Required(p.Child("metadata", "name"), "pod has no name"))
		default:
			key := pod.Namespace + "/" + pod.Name
			if j, dup := seenPods[key]; dup {
				errs = append(errs, field.Duplicate(p.Child("metadata", "name"),
					fmt.Sprintf("%s (also pods[%d])", key, j)))
				continue
			}
			seenPods[key] = i
		}
	}
	if len(errs) > 0 {
		return nil, inputError("invalid cluster", errs...)
	}
	c := &Cluster{nodes: slices.Clone(nodes), pods: slices.Clone(pods)}
	for i, n := range c.nodes {
		if n.Status.Allocatable == nil && n.Status.Capacity != nil {
			n = n.DeepCopy()
			daemonset.SetNodeDefaults(n)
			c.nodes[i] = n
		}
	}
	slices.SortFunc(c.nodes, func(a, b *corev1.Node) int { return strings.Compare(a.Name, b.Name) })
	c.index = buildIndex(c.nodes, c.pods)
	return c, nil
}

// Nodes returns the cluster's nodes, sorted by name, in a new slice.
func (c *Cluster) Nodes() []*corev1.Node {
	if c == nil {
		return nil
	}
	return slices.Clone(c.nodes)
}

// Pods returns the cluster's pods, in the order given to NewCluster, in a
// new slice.
func (c *Cluster) Pods() []*corev1.Pod {
	if c == nil {
		return nil
	}
	return slices.Clone(c.pods)
}

// NumNodes returns how many nodes the cluster holds.
func (c *Cluster) NumNodes() int {
	if c == nil {
		return 0
	}
	return len(c.nodes)
}

// Node returns the node named name, or nil.
func (c *Cluster) Node(name string) *corev1.Node {
	if i, ok := c.indexed().byName[name]; ok {
		return c.nodes[i]
	}
	return nil
}

// PodsOn returns the pods bound to node name that take room there (not
// terminal), in the order of Pods.
func (c *Cluster) PodsOn(name string) []*corev1.Pod {
	idx := c.indexed()
	i, ok := idx.byName[name]
	if !ok {
		return nil
	}
	out := make([]*corev1.Pod, 0, len(idx.nodes[i].podIdx))
	for _, pi := range idx.nodes[i].podIdx {
		out = append(out, c.pods[pi])
	}
	return out
}

// LatestTimestamp returns the latest time recorded in the cluster's nodes
// and pods: creation and deletion times, node condition heartbeats and
// transitions, pod condition transitions and container start times. For a
// snapshot (kubectl output, a live read) it is close to when the snapshot
// was taken, which makes it a Scenario.Start that reads the ages and Ready
// times of the snapshot's pods as they were then (with the default Start,
// 2026-01-01, they would be read relative to that day). A pod's deletion
// counts at the time it was asked for, not at the end of its grace period.
// Zero when the cluster records no time at all. Deterministic: it depends
// on the objects only.
func (c *Cluster) LatestTimestamp() time.Time {
	var latest time.Time
	see := func(t metav1.Time) {
		if t.After(latest) {
			latest = t.Time
		}
	}
	seeP := func(t *metav1.Time) {
		if t != nil {
			see(*t)
		}
	}
	if c == nil {
		return latest
	}
	for _, n := range c.nodes {
		if n == nil {
			continue
		}
		see(n.CreationTimestamp)
		seeP(n.DeletionTimestamp)
		for _, cond := range n.Status.Conditions {
			see(cond.LastHeartbeatTime)
			see(cond.LastTransitionTime)
		}
	}
	for _, p := range c.pods {
		if p == nil {
			continue
		}
		see(p.CreationTimestamp)
		if d := p.DeletionTimestamp; d != nil {
			// the end of the grace period; the deletion was asked for
			// deletionGracePeriodSeconds earlier
			t := d.Time
			if g := p.DeletionGracePeriodSeconds; g != nil && *g > 0 && *g < 1<<31 {
				t = t.Add(-time.Duration(*g) * time.Second)
			}
			see(metav1.NewTime(t))
		}
		seeP(p.Status.StartTime)
		for _, cond := range p.Status.Conditions {
			see(cond.LastProbeTime)
			see(cond.LastTransitionTime)
		}
	}
	return latest
}

// indexed returns the index NewCluster built; the zero Cluster (and a nil
// one) is the empty cluster.
func (c *Cluster) indexed() *clusterIndex {
	if c == nil || c.index == nil {
		return emptyIndex
	}
	return c.index
}

var emptyIndex = buildIndex(nil, nil)

// clusterIndex is what placement needs per node, computed once per Cluster.
type clusterIndex struct {
	nodes  []schedNode
	byName map[string]int
	// podReq holds each counted pod's requests as the scheduler sums them,
	// by index into Cluster.Pods (zero for pods that are not counted).
	podReq []resources
	// podPrio: each counted pod's priority (spec.priority, or the
	// well-known system classes, else 0).
	podPrio []int32
	// podStart: each counted pod's status.startTime in Unix nanoseconds,
	// noStartTime when unset (the order of MoreImportantPod).
	podStart []int64
	// claimable indexes the counted pods a DaemonSet can claim.
	claimable claimIndex
	// podNode: each counted pod's node, by index into Cluster.Pods.
	podNode []int32
	// traps about the cluster itself (clusterTraps), found once.
	traps []Trap
	// antiPods: the counted pods with required pod anti-affinity terms.
	antiPods []int32
}

// schedNode is the scheduler's view of one node (upstream: framework.NodeInfo):
// allocatable, the sum of requests of pods on it, its pod count and used host ports.
type schedNode struct {
	alloc    resources
	hasAlloc bool
	// usage is what the counted pods bound here take.
	usage       nodeUsage
	podIdx      []int32
	unscheduled bool
	// windows: labelled kubernetes.io/os=windows (for the WindowsNodes trap).
	windows bool
	// name is the node's name, kept here so that a pass over the index
	// does not touch the Node objects.
	name string
}

func buildIndex(nodes []*corev1.Node, pods []*corev1.Pod) *clusterIndex {
	ix := &clusterIndex{
		nodes:    make([]schedNode, len(nodes)),
		byName:   make(map[string]int, len(nodes)),
		podReq:   make([]resources, len(pods)),
		podPrio:  make([]int32, len(pods)),
		podStart: make([]int64, len(pods)),
		podNode:  make([]int32, len(pods)),
	}
	for i, n := range nodes {
		if _, dup := ix.byName[n.Name]; !dup {
			ix.byName[n.Name] = i
		}
		ix.nodes[i].alloc = resourcesFromList(n.Status.Allocatable)
		ix.nodes[i].hasAlloc = len(n.Status.Allocatable) > 0
		ix.nodes[i].unscheduled = n.Spec.Unschedulable
		ix.nodes[i].windows = n.Labels[corev1.LabelOSStable] == "windows"
		ix.nodes[i].name = n.Name
	}
	for pi, pod := range pods {
		if pod == nil || pod.Spec.NodeName == "" || isTerminal(pod) {
			continue
		}
		ni, ok := ix.byName[pod.Spec.NodeName]
		if !ok {
			continue
		}
		req := boundPodRequests(pod)
		ix.podReq[pi] = req
		ix.podPrio[pi] = boundPodPriority(&pod.Spec, nil)
		ix.podStart[pi] = noStartTime
		if st := pod.Status.StartTime; st != nil {
			ix.podStart[pi] = st.UnixNano()
		}
		ns := &ix.nodes[ni]
		ns.usage.requested.add(req)
		ns.usage.pods++
		for _, hp := range podHostPorts(pod) {
			hp.owner = int32(pi)
			ns.usage.ports = append(ns.usage.ports, hp)
		}
		ns.podIdx = append(ns.podIdx, int32(pi))
		if a := pod.Spec.Affinity; a != nil && a.PodAntiAffinity != nil && len(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution) > 0 {
			ix.antiPods = append(ix.antiPods, int32(pi))
		}
		ix.claimable.add(pod, int32(pi))
		ix.podNode[pi] = int32(ni)
	}
	ix.traps = clusterTraps(nodes, ix)
	return ix
}

// claimIndex holds, as indexes into the cluster's pods in their order, the
// only pods daemonset.OwnsPod can give a DaemonSet: the orphans of its
// namespace, the pods whose controller has its UID, and, for a DaemonSet
// without a UID, the pods controlled by a DaemonSet of its namespace and
// name. It narrows the search; OwnsPod decides.
type claimIndex struct {
	orphans     map[string][]int32    // by namespace
	byUID       map[types.UID][]int32 // by controller UID
	byDaemonSet map[string][]int32    // by "namespace/name" of a DaemonSet controller
}

func (ci *claimIndex) add(pod *corev1.Pod, pi int32) {
	ref := metav1.GetControllerOfNoCopy(pod)
	if ref == nil {
		if ci.orphans == nil {
			ci.orphans = map[string][]int32{}
		}
		ci.orphans[pod.Namespace] = append(ci.orphans[pod.Namespace], pi)
		return
	}
	if ci.byUID == nil {
		ci.byUID = map[types.UID][]int32{}
	}
	ci.byUID[ref.UID] = append(ci.byUID[ref.UID], pi)
	if ref.Kind == "DaemonSet" {
		if ci.byDaemonSet == nil {
			ci.byDaemonSet = map[string][]int32{}
		}
		key := pod.Namespace + "/" + ref.Name
		ci.byDaemonSet[key] = append(ci.byDaemonSet[key], pi)
	}
}

// candidates returns the pods ds may own, in cluster order.
func (ci *claimIndex) candidates(ds *appsv1.DaemonSet) []int32 {
	controlled := ci.byDaemonSet[ds.Namespace+"/"+ds.Name]
	if ds.UID != "" {
		controlled = ci.byUID[ds.UID]
	}
	orphans := ci.orphans[ds.Namespace]
	switch {
	case len(orphans) == 0:
		return controlled
	case len(controlled) == 0:
		return orphans
	}
	out := make([]int32, 0, len(orphans)+len(controlled))
	out = append(append(out, orphans...), controlled...)
	slices.Sort(out)
	return out
}

// isTerminal: kube-scheduler's informer drops Succeeded and Failed pods, so
// they hold no room on a node.
// upstream: pkg/scheduler/eventhandlers.go (assigned, non-terminal pods only)
func isTerminal(pod *corev1.Pod) bool {
	return pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
}

// ClusterFile is one input to LoadCluster: a name for messages (a file name,
// "-" for standard input) and its bytes.
type ClusterFile struct {
	Name string
	Data []byte
}

// LoadCluster decodes the Nodes and Pods in files — `kubectl get nodes -o
// yaml`, `kubectl get pods -A -o yaml`, or any YAML/JSON stream, List or
// single object daemonset.Decode accepts — and returns them as a Cluster,
// with the PodDisruptionBudgets, Namespaces and PriorityClasses found
// (WithPodDisruptionBudgets, WithNamespaces, WithPriorityClasses). Objects
// of other kinds (including DaemonSets) are ignored. Decode errors
// carry the file, document and line; a duplicate node or pod names both places
// it was found.
func LoadCluster(files ...ClusterFile) (*Cluster, error) {
	all := &daemonset.Objects{}
	for _, f := range files {
		objs, err := daemonset.Decode(f.Name, f.Data)
		if err != nil {
			return nil, fmt.Errorf("load cluster: %w", err)
		}
		all.Append(objs)
	}
	return ClusterFromObjects(all)
}

// ClusterFromObjects returns the Nodes and Pods of objs as a Cluster, checked
// as NewCluster does, with its PodDisruptionBudgets, Namespaces and
// PriorityClasses when it holds any, with errors naming where each object
// came from.
func ClusterFromObjects(objs *daemonset.Objects) (*Cluster, error) {
	if objs == nil {
		return NewCluster(nil, nil)
	}
	where := func(obj any) string {
		if s, ok := objs.SourceOf(obj); ok {
			return s.String()
		}
		return "unknown source"
	}
	var errs field.ErrorList
	nodes := make(map[string]*corev1.Node, len(objs.Nodes))
	for _, n := range objs.Nodes {
		if n == nil {
			continue
		}
		if n.Name == "" {
			errs = append(errs, wholeInput(field.ErrorTypeRequired, "", where(n)+": node has no metadata.name"))
			continue
		}
		if prev, dup := nodes[n.Name]; dup {
			errs = append(errs, wholeInput(field.ErrorTypeDuplicate, n.Name, fmt.Sprintf("%s: duplicate node %q (first at %s)", where(n), n.Name, where(prev))))
			continue
		}
		nodes[n.Name] = n
	}
	pods := make(map[string]*corev1.Pod, len(objs.Pods))
	for _, p := range objs.Pods {
		if p == nil {
			continue
		}
		key := p.Namespace + "/" + p.Name
		if p.Name == "" {
			errs = append(errs, wholeInput(field.ErrorTypeRequired, "", where(p)+": pod has no metadata.name"))
			continue
		}
		if prev, dup := pods[key]; dup {
			errs = append(errs, wholeInput(field.ErrorTypeDuplicate, key, fmt.Sprintf("%s: duplicate pod %s (first at %s)", where(p), key, where(prev))))
			continue
		}
		pods[key] = p
	}
	if len(errs) > 0 {
		return nil, inputError("load cluster", errs...)
	}
	c, err := NewCluster(slices.DeleteFunc(slices.Clone(objs.Nodes), func(n *corev1.Node) bool { return n == nil }),
		slices.DeleteFunc(slices.Clone(objs.Pods), func(p *corev1.Pod) bool { return p == nil }))
	if err == nil && len(objs.PodDisruptionBudgets) > 0 {
		seen := map[string]*policyv1.PodDisruptionBudget{}
		var pdbs []*policyv1.PodDisruptionBudget
		for _, pdb := range objs.PodDisruptionBudgets {
			if pdb == nil {
				continue
			}
			key := pdb.Namespace + "/" + pdb.Name
			if prev, dup := seen[key]; dup {
				errs = append(errs, wholeInput(field.ErrorTypeDuplicate, key, fmt.Sprintf("%s: duplicate PodDisruptionBudget %s (first at %s)", where(pdb), key, where(prev))))
				continue
			}
			seen[key] = pdb
			pdbs = append(pdbs, pdb)
		}
		if len(errs) > 0 {
			return nil, inputError("load cluster", errs...)
		}
		c, err = c.WithPodDisruptionBudgets(pdbs...)
	}
	if err == nil && len(objs.Namespaces) > 0 {
		byName := map[string]*corev1.Namespace{}
		var namespaces []*corev1.Namespace
		for _, n := range objs.Namespaces {
			if n == nil {
				continue
			}
			if n.Name == "" {
				errs = append(errs, wholeInput(field.ErrorTypeRequired, "", where(n)+": namespace has no metadata.name"))
				continue
			}
			if prev, dup := byName[n.Name]; dup {
				errs = append(errs, wholeInput(field.ErrorTypeDuplicate, n.Name, fmt.Sprintf("%s: duplicate Namespace %q (first at %s)", where(n), n.Name, where(prev))))
				continue
			}
			byName[n.Name] = n
			namespaces = append(namespaces, n)
		}
		if len(errs) > 0 {
			return nil, inputError("load cluster", errs...)
		}
		c, err = c.WithNamespaces(namespaces...)
	}
	if err != nil || len(objs.PriorityClasses) == 0 {
		return c, err
	}
	classes := make([]*schedulingv1.PriorityClass, 0, len(objs.PriorityClasses))
	byName := map[string]*schedulingv1.PriorityClass{}
	for _, pc := range objs.PriorityClasses {
		if pc == nil {
			continue
		}
		if prev, dup := byName[pc.Name]; dup {
			errs = append(errs, wholeInput(field.ErrorTypeDuplicate, pc.Name, fmt.Sprintf("%s: duplicate PriorityClass %q (first at %s)", where(pc), pc.Name, where(prev))))
			continue
		}
		byName[pc.Name] = pc
		classes = append(classes, pc)
	}
	if len(errs) > 0 {
		return nil, inputError("load cluster", errs...)
	}
	return c.WithPriorityClasses(classes...)
}

// distinctNamed checks the objects given to a With method: none nil, each
// named, no two of one name ("namespace/name" when namespaced). list names
// the argument in field paths, kind the objects in messages.
func distinctNamed[T interface {
	comparable
	GetName() string
	GetNamespace() string
}](list, kind string, objs []T, namespaced bool) field.ErrorList {
	var errs field.ErrorList
	var none T
	seen := map[string]int{}
	for i, o := range objs {
		p := field.NewPath(list).Index(i)
		switch {
		case o == none:
			errs = append(errs, field.Required(p, "nil "+kind))
		case o.GetName() == "":
			errs = append(errs, field.Required(p.Child("metadata", "name"), kind+" has no name"))
		default:
			key := o.GetName()
			if namespaced {
				key = o.GetNamespace() + "/" + key
			}
			if j, dup := seen[key]; dup {
				errs = append(errs, field.Duplicate(p.Child("metadata", "name"), fmt.Sprintf("%s (also %s[%d])", key, list, j)))
				continue
			}
			seen[key] = i
		}
	}
	return errs
}
