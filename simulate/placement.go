package simulate

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// State is where a DaemonSet stands on one node after both stages.
type State uint8

const (
	// Excluded: the controller creates no pod here (daemonset.Decision.ShouldRun
	// is false); the node is not in desiredNumberScheduled.
	Excluded State = iota
	// Runs: the controller creates a pod here and the scheduler binds it.
	Runs
	// Pending: the controller creates a pod here (the node counts in
	// desiredNumberScheduled and currentNumberScheduled) but the scheduler
	// cannot bind it; it never becomes available.
	Pending
	// Refused: the controller tries to create a pod here (the node counts in
	// desiredNumberScheduled) but the API server's admission refuses it
	// (DaemonSetPlacement.Refused), so no pod exists: every sync's create
	// fails with a FailedCreate event.
	Refused
)

var stateNames = [...]string{Excluded: "Excluded", Runs: "Runs", Pending: "Pending", Refused: "Refused"}

// String returns "Runs", "Excluded", "Pending" or "Refused".
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// MarshalText encodes s as its name, for JSON and YAML output.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// NodePlacement is one DaemonSet's fate on one node.
type NodePlacement struct {
	// Node is the node name.
	Node string
	// State after the controller stage and the scheduler stage.
	State State
	// Decision is the controller stage, with reasons when ShouldRun is false.
	Decision daemonset.Decision
	// Pending lists the scheduler filters the created pod fails (State Pending only).
	Pending []PendingReason
	// Preempts names ("namespace/name") the lower-priority pods the scheduler
	// evicts from the node so that the daemon pod runs there (State Runs),
	// the more important first (upstream: SelectVictimsOnNode's order).
	Preempts []string
	// PreemptsViolatingPDBs is how many of Preempts are evicted although
	// their eviction violates a PodDisruptionBudget of the cluster
	// (Cluster.WithPodDisruptionBudgets): preemption spares such pods first
	// but not at the price of the daemon pod.
	// upstream: default_preemption.go SelectVictimsOnNode numViolatingVictim
	PreemptsViolatingPDBs int
	// NotReady, for a Runs node whose Ready condition is False or Unknown
	// (NotReady, unreachable), says why its pod is not Ready: the node
	// lifecycle controller marks the pods of such a node not Ready. Empty
	// otherwise. Rollout says the same of such a node (CausePodNeverReady).
	// upstream: pkg/controller/nodelifecycle monitorNodeHealth,
	// pkg/controller/util/node MarkPodsNotReady
	NotReady string `json:",omitempty"`
	// ExistingPod: the cluster already holds a pod of this DaemonSet on the
	// node (a cluster loaded from a real one). Such pods are replaced by the
	// simulated one and take no room of their own.
	ExistingPod bool
	// ExistingPodUpdated: one of those pods is of the DaemonSet's current
	// template (controller-revision-hash or pod-template-generation label).
	// upstream: daemonset_util.go IsPodUpdated
	ExistingPodUpdated bool
}

// DaemonSetPlacement is the placement of one DaemonSet over every node.
type DaemonSetPlacement struct {
	// DaemonSet is the object placed (not copied; not modified).
	DaemonSet *appsv1.DaemonSet
	// PodRequests is what one daemon pod takes on a node as the scheduler
	// counts it (create-time defaults, init containers, sidecars, overhead).
	PodRequests corev1.ResourceList
	// Nodes, one per cluster node, in the cluster's node order (by name).
	Nodes []NodePlacement
	// Priority is the priority, class and preemption policy the API
	// server's Priority admission plugin gives the daemon pod
	// (daemonset.AdmitPodPriority with the cluster's PriorityClasses).
	Priority daemonset.AdmittedPriority
	// Refused is why the Priority admission plugin refuses the daemon pod
	// (a class that does not exist, spec.priority or spec.preemptionPolicy
	// other than the class gives), nil when it admits it. A refused
	// DaemonSet has no pods: its nodes that should run one are Refused.
	Refused *field.Error

	podReq resources
	// byName is the cluster's node index (name to position in Nodes),
	// shared read-only; nil for a DaemonSetPlacement built by hand.
	byName map[string]int
}

// Key returns "namespace/name".
func (d *DaemonSetPlacement) Key() string { return d.DaemonSet.Namespace + "/" + d.DaemonSet.Name }

// Counts are how many nodes are in each State.
type Counts struct {
	Runs, Pending, Excluded, Refused int
}

// Counts returns how many nodes are in each State.
func (d *DaemonSetPlacement) Counts() Counts {
	var c Counts
	for i := range d.Nodes {
		switch d.Nodes[i].State {
		case Runs:
			c.Runs++
		case Pending:
			c.Pending++
		case Refused:
			c.Refused++
		default:
			c.Excluded++
		}
	}
	return c
}

// Status returns the DaemonSet status the controller reports once it has
// synced this placement and every bound pod is Ready and available (the
// ideal kubelet of the rollout engine):
//   - desiredNumberScheduled: nodes where ShouldRun (Pending and Refused
//     nodes included);
//   - currentNumberScheduled, updatedNumberScheduled: Runs and Pending nodes
//     (every desired node got a pod of the current template, bound or not,
//     unless admission refused it);
//   - numberReady, numberAvailable: Runs nodes, but those whose node is
//     NotReady or unreachable (NodePlacement.NotReady);
//   - numberUnavailable: Pending and Refused nodes, and Runs nodes that are
//     NotReady or unreachable;
//   - numberMisscheduled: nodes with ShouldRun false where an existing pod
//     of this DaemonSet may stay (ShouldContinueRunning) and survives the
//     rollout: it is of the current template, or the strategy is OnDelete.
//     A RollingUpdate deletes out-of-date pods on such nodes and does not
//     recreate them (upstream: update.go rollingUpdate).
//
// ObservedGeneration is the DaemonSet's generation.
// upstream: daemon_controller.go updateDaemonSetStatus
func (d *DaemonSetPlacement) Status() appsv1.DaemonSetStatus {
	var s appsv1.DaemonSetStatus
	for i := range d.Nodes {
		n := &d.Nodes[i]
		switch n.State {
		case Runs:
			s.DesiredNumberScheduled++
			s.CurrentNumberScheduled++
			if n.NotReady == "" {
				s.NumberReady++
			}
		case Pending:
			s.DesiredNumberScheduled++
			s.CurrentNumberScheduled++
		case Refused:
			s.DesiredNumberScheduled++
		default:
			if n.ExistingPod && n.Decision.ShouldContinueRunning &&
				(n.ExistingPodUpdated || d.DaemonSet.Spec.UpdateStrategy.Type == appsv1.OnDeleteDaemonSetStrategyType) {
				s.NumberMisscheduled++
			}
		}
	}
	s.UpdatedNumberScheduled = s.CurrentNumberScheduled
	s.NumberAvailable = s.NumberReady
	s.NumberUnavailable = s.DesiredNumberScheduled - s.NumberAvailable
	s.ObservedGeneration = d.DaemonSet.Generation
	return s
}

// Node returns the placement on the node named name, whatever the order of
// d.Nodes.
func (d *DaemonSetPlacement) Node(name string) (NodePlacement, bool) {
	if i, ok := d.byName[name]; ok && i < len(d.Nodes) && d.Nodes[i].Node == name {
		return d.Nodes[i], true
	}
	for i := range d.Nodes {
		if d.Nodes[i].Node == name {
			return d.Nodes[i], true
		}
	}
	return NodePlacement{}, false
}

// Placement is where a set of DaemonSets land on a cluster.
type Placement struct {
	// DaemonSets, in the order given to Place.
	DaemonSets []*DaemonSetPlacement
	// Traps are the known surprises found in this placement, sorted by
	// DaemonSet then kind.
	Traps []Trap
}

// DaemonSet returns the placement of the DaemonSet namespace/name, or nil.
func (p *Placement) DaemonSet(namespace, name string) *DaemonSetPlacement {
	for _, d := range p.DaemonSets {
		if d.DaemonSet.Namespace == namespace && d.DaemonSet.Name == name {
			return d
		}
	}
	return nil
}

// Place predicts, for every node of c, what happens to each DaemonSet in dss:
// first the controller stage (daemonset.Placer: is a pod created here?), then,
// where a pod is created, the scheduler stage: kube-scheduler's filters
// (resources, pod count, host ports, cordon, inter-pod affinity and
// anti-affinity, DoNotSchedule topology spread) and, where they reject the
// pod, DefaultPreemption.
//
// The daemon pods are bound one after another — nodes in name order, on each
// node highest priority first (the priority the API server's Priority
// admission gives, with the cluster's PriorityClasses: DaemonSetPlacement.Priority),
// ties in the order given — each meeting the cluster's pods and the daemon
// pods bound before it: one order the scheduler can take them in
// (kube-scheduler's queue also sorts by priority). A pod that does not fit is
// Pending and takes no room — unless evicting lower-priority pods on its node
// makes it fit: then the scheduler preempts them (upstream
// DefaultPreemption; the victims are in NodePlacement.Preempts) and the pod
// Runs. Then, as the scheduler tries unschedulable pods again, the Pending
// pods are tried again until a round binds none: a pod whose pod affinity or
// spread is met by a daemon pod bound after it runs, and every Pending pod's
// reasons are those of the nodes as they end. Where daemon pods meet across
// nodes (anti-affinity per zone, affinity to each other) which ones bind
// depends on the scheduler's order: a TrapDaemonPodsInteract says so.
//
// The daemon pod's needs are those of the pod the controller creates, as the
// API server stores it: requests defaulted from limits, hostNetwork ports
// bound on the host, init containers and sidecars counted as the scheduler
// counts them, and spec.overhead when the template sets it (RuntimeClass
// admission, which fills it in a real cluster, is not modelled). A template
// with spec.nodeName is bound without the scheduler; the kubelet's admission
// runs the same resource and port checks, so Pending there means the pod is
// rejected (Failed) and recreated in a loop.
//
// Pods of dss already in the cluster (those a DaemonSet owns or adopts, by
// daemonset.OwnsPod) are replaced by the simulated ones; other pods keep
// their room. Place reads dss and c and modifies
// neither. It does not validate the DaemonSets (see daemonset.Validate).
//
// Errors: nil cluster, nil DaemonSet, the same namespace/name twice, more
// than MaxPlacements node × DaemonSet pairs (a Cluster never holds more than
// MaxNodes nodes).
func Place(c *Cluster, dss ...*appsv1.DaemonSet) (*Placement, error) {
	if c == nil {
		return nil, inputError("place", field.Required(field.NewPath("cluster"), "nil cluster"))
	}
	if len(dss) > 0 && len(c.nodes) > MaxPlacements/len(dss) {
		return nil, inputError("place", wholeInput(field.ErrorTypeTooMany, len(dss)*len(c.nodes),
			fmt.Sprintf("%d DaemonSets on %d nodes: more than MaxPlacements (%d) node placements", len(dss), len(c.nodes), MaxPlacements)))
	}
	seen := make(map[string]int, len(dss))
	for i, ds := range dss {
		if ds == nil {
			return nil, inputError("place", field.Required(field.NewPath("daemonsets").Index(i), "nil DaemonSet"))
		}
		key := ds.Namespace + "/" + ds.Name
		if j, dup := seen[key]; dup {
			return nil, inputError("place", &field.Error{Type: field.ErrorTypeDuplicate, Field: field.NewPath("daemonsets").Index(i).String(),
				BadValue: key, Detail: fmt.Sprintf("daemonsets[%d] is %s too", j, key)})
		}
		seen[key] = i
	}
	ix := c.indexed()
	out := &Placement{DaemonSets: make([]*DaemonSetPlacement, len(dss))}
	placers := make([]*daemonset.Placer, len(dss))
	needs := make([]daemonPodNeeds, len(dss))
	unknownClass := make([]bool, len(dss))
	pods := make([]*corev1.Pod, len(dss))
	for k, ds := range dss {
		placers[k] = daemonset.NewPlacer(ds)
		// the pod with its labels as created (controller-revision-hash
		// included): inter-pod affinity and spread selectors read them
		pod := daemonset.PodAsCreated(ds, "")
		pods[k] = pod
		adm, refused, unknown := daemonPodAdmission(&pod.Spec, c)
		unknownClass[k] = unknown
		needs[k] = newDaemonPodNeeds(pod, -int32(k)-1, adm)
		out.DaemonSets[k] = &DaemonSetPlacement{
			DaemonSet:   ds,
			PodRequests: needs[k].req.list(),
			Nodes:       make([]NodePlacement, len(c.nodes)),
			Priority:    adm,
			Refused:     refused,
			podReq:      needs[k].req,
			byName:      ix.byName,
		}
	}
	order := bindOrder(needs)
	own := ownPods(ix, c.pods, dss)
	describe := func(owner int32) string {
		if owner >= 0 {
			p := c.pods[owner]
			return p.Namespace + "/" + p.Name
		}
		ds := dss[-owner-1]
		return "daemonset " + ds.Namespace + "/" + ds.Name
	}

	var replaced map[int32]bool
	for _, mine := range own.byNode {
		for _, p := range mine {
			if replaced == nil {
				replaced = map[int32]bool{}
			}
			replaced[int32(p[0])] = true
		}
	}
	ip := newInterPod(c, ix, pods, func(pi int32) bool { return replaced[pi] })
	describeDS := func(j int) string { return describe(-int32(j) - 1) }

	// attempt runs the scheduler stage for DaemonSet k's pod on node i in
	// state st: it binds (preempting where that makes room) or leaves it
	// Pending with the filters' reasons.
	attempt := func(k, i int, st *nodeSched) {
		np := &out.DaemonSets[k].Nodes[i]
		ns := &ix.nodes[i]
		reasons := needs[k].fits(ns.alloc, st.u, ns.unscheduled, describe)
		if ip != nil {
			reasons = append(reasons, ip.filter(k, i, nil, describeDS)...)
		}
		if len(reasons) > 0 {
			var pre preemption
			ok := false
			if !slices.ContainsFunc(reasons, PendingReason.unresolvable) {
				skip := func(pi int32) bool {
					return slices.Contains(st.evicted, pi) || slices.ContainsFunc(st.mine, func(p [2]int) bool { return p[0] == int(pi) })
				}
				passes := func([]int32) bool { return true }
				if ip != nil {
					passes = func(gone []int32) bool { return len(ip.filter(k, i, gone, describeDS)) == 0 }
				}
				pre, ok = needs[k].preempt(c, ix, ns, st.u, skip, passes)
			}
			if !ok {
				np.State = Pending
				np.Pending = reasons
				return
			}
			st.u = pre.after
			st.evicted = append(st.evicted, pre.victims...)
			np.PreemptsViolatingPDBs = pre.pdbViolations
			np.Preempts = make([]string, len(pre.victims))
			for v, pi := range pre.victims {
				np.Preempts[v] = describe(pi)
				if ip != nil {
					ip.evict(pi, i)
				}
			}
		}
		np.State = Runs
		np.Pending = nil
		if nodeConditionNotReady(c.nodes[i]) {
			np.NotReady = notReadyNodeCause
		}
		if st.owned {
			st.u.requested.add(needs[k].req)
			st.u.pods++
			st.u.ports = append(st.u.ports, needs[k].ports...)
		}
		if ip != nil {
			ip.bind(k, i)
		}
	}

	var (
		st        nodeSched // of the node at hand, as the daemon pods are bound
		shared    = len(dss) > 1 || ip != nil
		portsCopy []hostPort
		// nodes with a Pending pod, and their state: tried again once
		// every node has been seen
		retry map[int]*nodeSched
	)
	for i, node := range c.nodes {
		ns := &ix.nodes[i]
		mine, hasMine := own.byNode[i]
		st = nodeSched{u: ns.usage, evicted: st.evicted[:0], mine: mine}
		if hasMine || shared {
			st.u.requested = st.u.requested.clone()
			portsCopy = append(portsCopy[:0], st.u.ports...)
			st.u.ports = portsCopy
			st.owned = true
		}
		if hasMine {
			st.u = own.remove(ix, mine, st.u)
		}
		again := false
		for _, k := range order {
			np := &out.DaemonSets[k].Nodes[i]
			np.Node = ns.name
			if hasMine {
				np.ExistingPod, np.ExistingPodUpdated = own.has(i, k)
			}
			run, cont := placers[k].ShouldRun(node)
			if !run {
				np.State = Excluded
				np.Decision = placers[k].Evaluate(node)
				if np.Decision.ShouldRun != run || np.Decision.ShouldContinueRunning != cont {
					// Keep the fast and the explained answers consistent even if
					// they ever disagreed: the fast one decides.
					np.Decision.ShouldRun, np.Decision.ShouldContinueRunning = run, cont
				}
				continue
			}
			np.Decision = daemonset.Decision{ShouldRun: true, ShouldContinueRunning: cont}
			if out.DaemonSets[k].Refused != nil {
				// no pod: it takes no room
				np.State = Refused
				continue
			}
			attempt(k, i, &st)
			if st.owned {
				portsCopy = st.u.ports
			}
			again = again || np.State == Pending
		}
		if again {
			if retry == nil {
				retry = map[int]*nodeSched{}
			}
			retry[i] = st.clone()
		}
	}
	// The scheduler tries an unschedulable pod again when a pod comes that
	// may let it in (its plugins' queueing hints) and, whatever comes, at
	// least every five minutes (podMaxInUnschedulablePodsDuration): every
	// Pending pod is tried again until a round binds none, so the reasons
	// are those of an attempt on the nodes as they end.
	// upstream: pkg/scheduler/backend/queue/scheduling_queue.go
	// flushUnschedulablePodsLeftover
	for changed := len(retry) > 0; changed; {
		changed = false
		for _, i := range slices.Sorted(maps.Keys(retry)) {
			for _, k := range order {
				np := &out.DaemonSets[k].Nodes[i]
				if np.State != Pending {
					continue
				}
				attempt(k, i, retry[i])
				changed = changed || np.State == Runs
			}
		}
	}
	out.Traps = findTraps(c, ix, ip, dss, placers, needs, unknownClass, out)
	return out, nil
}

// nodeSched is the scheduler's view of one node as Place binds daemon pods
// on it.
type nodeSched struct {
	u nodeUsage
	// owned: u's requested resources and ports are this node's own copy
	// (else they are the cluster index's, read-only).
	owned bool
	// evicted: the pods preemption evicted from the node; mine: the pods
	// of the placed DaemonSets there (replaced, never victims).
	evicted []int32
	mine    [][2]int
}

func (st *nodeSched) clone() *nodeSched {
	return &nodeSched{u: nodeUsage{requested: st.u.requested.clone(), pods: st.u.pods, ports: slices.Clone(st.u.ports)},
		owned: true, evicted: slices.Clone(st.evicted), mine: st.mine}
}

// bindOrder: indexes of the DaemonSets, highest admitted priority first,
// stable.
func bindOrder(needs []daemonPodNeeds) []int {
	order := make([]int, len(needs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(needs[b].priority, needs[a].priority)
	})
	return order
}

// ownedPods records the pods already in the cluster that belong to one of the
// DaemonSets being placed.
type ownedPods struct {
	// byNode: node index -> (pod index, daemonset index) pairs.
	byNode map[int][][2]int
	// updated: pod indexes of pods of their DaemonSet's current template.
	updated map[int]bool
}

// has: whether DaemonSet ds has a pod on node, and an up-to-date one.
func (o ownedPods) has(node, ds int) (exists, updated bool) {
	for _, p := range o.byNode[node] {
		if p[1] == ds {
			exists = true
			updated = updated || o.updated[p[0]]
		}
	}
	return exists, updated
}

// remove takes the owned pods mine (of one node) out of the scheduler's
// view of that node, u, whose requested resources and ports it may modify.
func (o ownedPods) remove(ix *clusterIndex, mine [][2]int, u nodeUsage) nodeUsage {
	for _, p := range mine {
		u.requested.sub(ix.podReq[p[0]])
		u.pods--
	}
	u.ports = slices.DeleteFunc(u.ports, func(hp hostPort) bool {
		for _, p := range mine {
			if int(hp.owner) == p[0] {
				return true
			}
		}
		return false
	})
	return u
}

// ownPods finds the counted pods that a DaemonSet in dss owns (one
// DaemonSet per pod: the first in dss that claims it).
// upstream: daemon_controller.go getDaemonPods (the claim rule is
// daemonset.OwnsPod)
func ownPods(ix *clusterIndex, pods []*corev1.Pod, dss []*appsv1.DaemonSet) ownedPods {
	o := ownedPods{byNode: map[int][][2]int{}, updated: map[int]bool{}}
	var claimed map[int32]bool
	var objs []*corev1.Pod
	for k, ds := range dss {
		candidates := ix.claimable.candidates(ds)
		if len(candidates) == 0 {
			continue
		}
		objs = objs[:0]
		for _, pi := range candidates {
			objs = append(objs, pods[pi])
		}
		mine := daemonset.ClaimPods(ds, objs)
		if len(mine) == 0 {
			continue
		}
		hash, gen := daemonset.RevisionHash(ds), daemonset.TemplateGeneration(ds)
		j := 0 // mine is an ordered subsequence of candidates
		for _, pod := range mine {
			for pods[candidates[j]] != pod {
				j++
			}
			pi := candidates[j]
			if claimed[pi] {
				continue
			}
			if claimed == nil {
				claimed = map[int32]bool{}
			}
			claimed[pi] = true
			node := ix.podNode[pi]
			o.byNode[int(node)] = append(o.byNode[int(node)], [2]int{int(pi), k})
			if daemonset.IsPodUpdated(pod, hash, gen) {
				o.updated[int(pi)] = true
			}
		}
	}
	return o
}

// list converts r back to a ResourceList (cpu, memory, ephemeral-storage and
// scalars that are non-zero).
func (r resources) list() corev1.ResourceList {
	out := corev1.ResourceList{}
	if r.milliCPU != 0 {
		out[corev1.ResourceCPU] = *resource.NewMilliQuantity(r.milliCPU, resource.DecimalSI)
	}
	if r.memory != 0 {
		out[corev1.ResourceMemory] = *resource.NewQuantity(r.memory, resource.BinarySI)
	}
	if r.ephemeral != 0 {
		out[corev1.ResourceEphemeralStorage] = *resource.NewQuantity(r.ephemeral, resource.BinarySI)
	}
	for _, s := range r.scalar {
		if s.value != 0 {
			out[s.name] = *resource.NewQuantity(s.value, resource.DecimalSI)
		}
	}
	return out
}

// NodeOverhead is what the daemon pods bound on one node take from it.
type NodeOverhead struct {
	Node string
	// Requests is the sum of the bound daemon pods' requests, as the
	// scheduler counts them.
	Requests corev1.ResourceList
	// Pods is how many pod slots they take.
	Pods int64
}

// Overhead is the DaemonSet overhead of a placement: what every node gives
// to daemon pods before any workload — the figure cluster autoscalers and
// Karpenter subtract from a node's allocatable. Only bound (Runs) pods count;
// Pending ones take no room.
type Overhead struct {
	// PerNode lists every node with at least one bound daemon pod, by name.
	PerNode []NodeOverhead
	// Total is the sum over all nodes.
	Total corev1.ResourceList
	// TotalPods is the number of bound daemon pods.
	TotalPods int64
}

// Overhead sums, per node and in total, the requests of the daemon pods that
// run.
func (p *Placement) Overhead() Overhead {
	var out Overhead
	var total resources
	if len(p.DaemonSets) == 0 {
		out.Total = corev1.ResourceList{}
		return out
	}
	for i := range p.DaemonSets[0].Nodes {
		var sum resources
		var pods int64
		for _, d := range p.DaemonSets {
			if d.Nodes[i].State == Runs {
				sum.add(d.podReq)
				pods++
			}
		}
		if pods == 0 {
			continue
		}
		total.add(sum)
		out.TotalPods += pods
		out.PerNode = append(out.PerNode, NodeOverhead{Node: p.DaemonSets[0].Nodes[i].Node, Requests: sum.list(), Pods: pods})
	}
	out.Total = total.list()
	return out
}
