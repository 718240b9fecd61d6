package simulate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	v1helper "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
)

// TrapKind names a known surprise in DaemonSet placement — behaviour that is
// correct Kubernetes but that users routinely discover in production.
type TrapKind string

const (
	// TrapWindowsNodes: daemon pods are created on Windows nodes (label
	// kubernetes.io/os=windows) although the DaemonSet does not target
	// Windows. A Linux image never starts there; the pods count in desired
	// and stay unavailable, which can stall rollouts.
	TrapWindowsNodes TrapKind = "WindowsNodes"
	// TrapNotReadyDropped: NotReady or unreachable nodes (not-ready /
	// unreachable NoSchedule taints) are silently left out of desired; a pod
	// already there stays and counts as misscheduled. (upstream:
	// daemonset_util.go AddOrUpdateDaemonPodTolerations tolerates only the
	// NoExecute ones.)
	TrapNotReadyDropped TrapKind = "NotReadyDropped"
	// TrapConditionsWithoutTaints: nodes report NotReady, pressure or
	// cordoning but carry no matching lifecycle taint. The controller reads
	// only taints, so they were placed as healthy nodes; in a real cluster
	// the node lifecycle controller would taint them (see ApplyLifecycleTaints).
	TrapConditionsWithoutTaints TrapKind = "ConditionsWithoutTaints"
	// TrapNoScheduleKeepsPods: nodes that hold a pod of the DaemonSet but are
	// excluded only by NoSchedule taints: the pod stays (counted in
	// numberMisscheduled), and is never recreated once deleted.
	TrapNoScheduleKeepsPods TrapKind = "NoScheduleKeepsPods"
	// TrapNoExecuteEvicts: nodes with a NoExecute taint the daemon pod does
	// not tolerate: a pod already there is deleted at once.
	TrapNoExecuteEvicts TrapKind = "NoExecuteEvicts"
	// TrapTaintEvictionLoop: nodes where the daemon pod runs and which carry
	// a NoExecute taint the pod tolerates only for tolerationSeconds: the
	// taint-eviction controller deletes the pod that long after it binds and
	// the DaemonSet controller, whose placement ignores tolerationSeconds,
	// creates another at once, for as long as the taint stays
	// (kubernetes/kubernetes#117520; upstream: pkg/controller/tainteviction
	// processPodOnNode).
	TrapTaintEvictionLoop TrapKind = "TaintEvictionLoop"
	// TrapTolerationSecondsOverridden: the template tolerates not-ready or
	// unreachable NoExecute with tolerationSeconds, and the controller
	// replaces that toleration with its own, which has none: daemon pods are
	// never evicted from NotReady nodes. (upstream: daemonset_util.go
	// AddOrUpdateDaemonPodTolerations.)
	TrapTolerationSecondsOverridden TrapKind = "TolerationSecondsOverridden"
	// TrapDesiredZero: the DaemonSet runs nowhere; `kubectl rollout status`
	// and Helm report success at once.
	TrapDesiredZero TrapKind = "DesiredZero"
	// TrapPendingPods: pods are created but cannot be scheduled: they count in
	// desired and as unavailable forever; rollouts never complete.
	TrapPendingPods TrapKind = "PendingPods"
	// TrapPreemption: the daemon pod fits only by evicting lower-priority
	// pods, which the scheduler's preemption does on that node.
	TrapPreemption TrapKind = "Preemption"
	// TrapCordonedNodes: daemon pods are created and run on cordoned nodes
	// (they tolerate node.kubernetes.io/unschedulable).
	TrapCordonedNodes TrapKind = "CordonedNodes"
	// TrapNoAllocatable: nodes report neither status.allocatable nor
	// status.capacity (the API server copies capacity into a missing
	// allocatable): the scheduler reads zero for every resource and pod
	// slot, so nothing binds there.
	TrapNoAllocatable TrapKind = "NoAllocatable"
	// TrapAdmissionRefused: the API server's Priority admission plugin
	// refuses the daemon pod (DaemonSetPlacement.Refused): no pod is ever
	// created; the controller's creates fail with FailedCreate events.
	TrapAdmissionRefused TrapKind = "AdmissionRefused"
	// TrapPriorityClassNotGiven: the template names a PriorityClass and the
	// cluster's classes were not given (Cluster.WithPriorityClasses), so its
	// priority, and whether the API server admits the pod at all, are
	// unknown.
	TrapPriorityClassNotGiven TrapKind = "PriorityClassNotGiven"
	// TrapSchedulerNotModelled: the template asks the scheduler for what
	// the scheduler stage does not model — scheduling gates, DRA resource
	// claims, PersistentVolumeClaims, or, when the cluster's Namespaces
	// were not given (Cluster.WithNamespaces), a pod affinity
	// namespaceSelector on namespace labels other than
	// kubernetes.io/metadata.name (the template's, or a bound pod's that
	// may match the daemon pod) — so where it says Runs the real scheduler
	// may still leave the pod Pending.
	TrapSchedulerNotModelled TrapKind = "SchedulerNotModelled"
	// TrapDaemonPodsInteract: the daemon pods of the placed DaemonSets meet
	// each other across nodes through inter-pod anti-affinity, affinity or a
	// spread constraint that counts other nodes: which of them bind depends
	// on the order the scheduler takes them in (Place takes nodes in name
	// order).
	TrapDaemonPodsInteract TrapKind = "DaemonPodsInteract"
	// TrapSurgeAntiAffinity: the template's required pod anti-affinity
	// matches its own pods of another revision and the update strategy
	// surges: the new pod stays Pending beside the old one; the rollout
	// stalls.
	TrapSurgeAntiAffinity TrapKind = "SurgeAntiAffinity"
	// TrapSurgeHostPort: the DaemonSet binds host ports and updates with
	// maxSurge > 0: on every update the surge pod collides with the old pod
	// on the port and stays Pending; the rollout stalls.
	TrapSurgeHostPort TrapKind = "SurgeHostPort"
)

// Trap is one known surprise, with the nodes it concerns.
type Trap struct {
	Kind TrapKind
	// DaemonSet is "namespace/name", or empty for a trap about the cluster.
	DaemonSet string
	// Nodes concerned, sorted (empty when the trap is about the DaemonSet as a whole).
	Nodes []string
	// Message explains the trap to a person.
	Message string
}

// String returns the message with the DaemonSet.
func (t Trap) String() string {
	if t.DaemonSet == "" {
		return string(t.Kind) + ": " + t.Message
	}
	return string(t.Kind) + " (" + t.DaemonSet + "): " + t.Message
}

// evictionLoop says whether the taint-eviction controller deletes, after
// the returned delay, a daemon pod with tolerations that the controller
// places on node: every NoExecute taint tolerated, one only for
// tolerationSeconds.
func evictionLoop(tols []corev1.Toleration, node *corev1.Node) (time.Duration, bool) {
	noExec := daemonset.GetNoExecuteTaints(node.Spec.Taints)
	if len(noExec) == 0 {
		return 0, false
	}
	if all, _ := daemonset.GetMatchingTolerations(noExec, tols); !all {
		return 0, false
	}
	return daemonset.TaintEvictionDelay(tols, noExec)
}

func findTraps(c *Cluster, ix *clusterIndex, ip *interPod, dss []*appsv1.DaemonSet, placers []*daemonset.Placer, needs []daemonPodNeeds, unknownClass []bool, p *Placement) []Trap {
	var traps []Trap
	traps = append(traps, ix.traps...)
	logger := klog.Background()
	for k, ds := range dss {
		d := p.DaemonSets[k]
		key := d.Key()
		tols := daemonset.DaemonPodTolerations(ds)
		targetsWindows := targetsOS(&ds.Spec.Template.Spec, "windows")
		var windows, notReady, keeps, evicts, pending, cordoned, preempts, refused, loops []string
		var loopAfter time.Duration
		desired := 0
		for i := range d.Nodes {
			np := &d.Nodes[i]
			ns := &ix.nodes[i]
			switch np.State {
			case Refused:
				desired++
				refused = append(refused, np.Node)
			case Runs, Pending:
				desired++
				if !targetsWindows && ns.windows {
					windows = append(windows, np.Node)
				}
				if np.State == Pending {
					pending = append(pending, np.Node)
				} else if ns.unscheduled {
					cordoned = append(cordoned, np.Node)
				}
				if len(np.Preempts) > 0 {
					preempts = append(preempts, np.Node)
				}
				if np.State == Runs {
					if after, loop := evictionLoop(tols, c.nodes[i]); loop {
						if len(loops) == 0 || after < loopAfter {
							loopAfter = after
						}
						loops = append(loops, np.Node)
					}
				}
			case Excluded:
				node := c.nodes[i]
				if np.ExistingPod && np.Decision.ShouldContinueRunning {
					keeps = append(keeps, np.Node)
				}
				if !onlyTaints(np.Decision) {
					continue // excluded by name, selector or affinity anyway
				}
				if hasUntolerated(logger, node.Spec.Taints, tols, func(t *corev1.Taint) bool {
					return t.Effect == corev1.TaintEffectNoSchedule && (t.Key == corev1.TaintNodeNotReady || t.Key == corev1.TaintNodeUnreachable)
				}) {
					notReady = append(notReady, np.Node)
				}
				if np.ExistingPod && !np.Decision.ShouldContinueRunning && hasUntolerated(logger, node.Spec.Taints, tols, func(t *corev1.Taint) bool {
					return t.Effect == corev1.TaintEffectNoExecute
				}) {
					evicts = append(evicts, np.Node)
				}
			}
		}
		add := func(kind TrapKind, nodes []string, msg string) {
			if len(nodes) > 0 {
				traps = append(traps, Trap{Kind: kind, DaemonSet: key, Nodes: nodes, Message: msg})
			}
		}
		add(TrapWindowsNodes, windows, fmt.Sprintf("%d pod(s) would be created on Windows nodes, but the DaemonSet does not target Windows: "+
			"a Linux image never starts there, the pods count in desired and stay unavailable, and rollouts can stall; "+
			"add nodeSelector kubernetes.io/os: linux", len(windows)))
		add(TrapNotReadyDropped, notReady, fmt.Sprintf("%d NotReady/unreachable node(s) are silently left out of desired "+
			"(not-ready/unreachable NoSchedule taint; daemon pods tolerate only the NoExecute variant); a pod already there stays and counts as misscheduled", len(notReady)))
		add(TrapNoScheduleKeepsPods, keeps, fmt.Sprintf("%d node(s) hold a pod of this DaemonSet but are excluded by NoSchedule taints only: "+
			"the pod stays (counted in numberMisscheduled) until deleted — a rolling update deletes it if out of date — and is never recreated", len(keeps)))
		add(TrapNoExecuteEvicts, evicts, fmt.Sprintf("%d node(s) hold a pod of this DaemonSet and carry an untolerated NoExecute taint: "+
			"the controller deletes those pods at once and does not recreate them", len(evicts)))
		add(TrapPendingPods, pending, fmt.Sprintf("%d pod(s) are created but cannot be scheduled: they count in desired and as unavailable, "+
			"and a rollout waiting for them never completes", len(pending)))
		add(TrapPreemption, preempts, fmt.Sprintf("on %d node(s) the daemon pod fits only by preempting lower-priority pods: "+
			"the scheduler evicts them (see each node's Preempts) and the pod runs once they have terminated", len(preempts)))
		if d.Refused != nil {
			add(TrapAdmissionRefused, refused, fmt.Sprintf("the API server refuses the daemon pod (Priority admission: %s): "+
				"%d node(s) never get a pod; each sync of the controller tries one create (slow start), records a FailedCreate event "+
				"and retries after a backoff doubling from 5 ms to 1000 s", d.Refused.Detail, len(refused)))
		}
		if unknownClass[k] {
			traps = append(traps, Trap{Kind: TrapPriorityClassNotGiven, DaemonSet: key,
				Message: fmt.Sprintf("the template names PriorityClass %q but the cluster's PriorityClasses were not given: its priority was read as %d; "+
					"pass `kubectl get priorityclasses -o yaml` with the cluster (a class that does not exist makes the API server refuse every pod)",
					ds.Spec.Template.Spec.PriorityClassName, d.Priority.Priority)})
		}
		add(TrapTaintEvictionLoop, loops, fmt.Sprintf("%d node(s) carry a NoExecute taint the pod tolerates only for tolerationSeconds (%v at the least): "+
			"the taint-eviction controller deletes the pod that long after it binds and the controller creates another at once, for as long as the taint stays", len(loops), loopAfter))
		add(TrapCordonedNodes, cordoned, fmt.Sprintf("%d cordoned node(s) still get daemon pods: daemon pods tolerate node.kubernetes.io/unschedulable", len(cordoned)))
		if desired == 0 && len(c.nodes) > 0 {
			traps = append(traps, Trap{Kind: TrapDesiredZero, DaemonSet: key,
				Message: fmt.Sprintf("desiredNumberScheduled is 0 on %d node(s): kubectl rollout status and Helm report success at once; check the excluded nodes' reasons", len(c.nodes))})
		}
		if tolerationSecondsOverridden(ds) {
			traps = append(traps, Trap{Kind: TrapTolerationSecondsOverridden, DaemonSet: key,
				Message: "the template's not-ready/unreachable NoExecute toleration with tolerationSeconds is replaced by the controller's own, " +
					"which has none: daemon pods stay on NotReady and unreachable nodes indefinitely"})
		}
		if what := notModelled(c, ix, ip, dss, k); len(what) > 0 {
			traps = append(traps, Trap{Kind: TrapSchedulerNotModelled, DaemonSet: key,
				Message: fmt.Sprintf("the template uses %s, which the scheduler stage does not model: "+
					"where daemonkit says Runs the real scheduler may still leave the pod Pending", strings.Join(what, ", "))})
		}
		if what := interactions(c, ip, dss, k); len(what) > 0 {
			traps = append(traps, Trap{Kind: TrapDaemonPodsInteract, DaemonSet: key,
				Message: fmt.Sprintf("its daemon pods meet daemon pods on other nodes: %s. The pods bound first decide for the others (an anti-affinity keeps the later ones Pending); "+
					"Place binds them nodes in name order, the scheduler in an order of its own, so the counts hold but which nodes get a pod may differ", strings.Join(what, "; "))})
		}
		if daemonset.AntiAffinityAgainstOtherRevisions(ds, c.namespaceLabels()) >= 0 && allowsSurgeAsStored(ds) {
			traps = append(traps, Trap{Kind: TrapSurgeAntiAffinity, DaemonSet: key,
				Message: "the template's required pod anti-affinity matches its own pods of another revision and the update strategy has maxSurge > 0: " +
					"during an update the new pod cannot bind beside the old one on its node and stays Pending, so the rollout stalls; use maxSurge 0 " +
					"or add controller-revision-hash to the term's matchLabelKeys"})
		}
		if len(needs[k].ports) > 0 && allowsSurgeAsStored(ds) {
			traps = append(traps, Trap{Kind: TrapSurgeHostPort, DaemonSet: key,
				Message: fmt.Sprintf("the pod binds host port %d/%s and the update strategy has maxSurge > 0: during an update the new pod collides with the old one "+
					"on each node and stays Pending, so the rollout stalls; use maxSurge 0", needs[k].ports[0].port, needs[k].ports[0].proto)})
		}
	}
	slices.SortStableFunc(traps, func(a, b Trap) int {
		return cmp.Or(cmp.Compare(a.DaemonSet, b.DaemonSet), cmp.Compare(a.Kind, b.Kind))
	})
	return traps
}

// clusterTraps are the traps about the cluster itself, whatever the DaemonSet.
func clusterTraps(nodes []*corev1.Node, ix *clusterIndex) []Trap {
	var noAlloc, condNoTaint []string
	for i, n := range nodes {
		if n == nil {
			continue
		}
		if !ix.nodes[i].hasAlloc {
			noAlloc = append(noAlloc, n.Name)
		}
		if len(missingLifecycleTaints(n)) > 0 {
			condNoTaint = append(condNoTaint, n.Name)
		}
	}
	var out []Trap
	if len(noAlloc) > 0 {
		out = append(out, Trap{Kind: TrapNoAllocatable, Nodes: noAlloc,
			Message: fmt.Sprintf("%d node(s) report no status.allocatable: the scheduler reads zero pods, cpu and memory there, so no pod binds", len(noAlloc))})
	}
	if len(condNoTaint) > 0 {
		out = append(out, Trap{Kind: TrapConditionsWithoutTaints, Nodes: condNoTaint,
			Message: fmt.Sprintf("%d node(s) report NotReady, pressure, network-unavailable or cordoning without the taint the node lifecycle controller adds; "+
				"the DaemonSet controller reads only taints, so they were placed as healthy nodes (apply ApplyLifecycleTaints to model a real cluster)", len(condNoTaint))})
	}
	return out
}

// onlyTaints: every reason of d is an untolerated taint (the node matches
// the DaemonSet's name, selector and affinity).
func onlyTaints(d daemonset.Decision) bool {
	for _, r := range d.Reasons {
		if r.Kind != daemonset.ReasonUntoleratedTaint {
			return false
		}
	}
	return len(d.Reasons) > 0
}

func hasUntolerated(logger klog.Logger, taints []corev1.Taint, tols []corev1.Toleration, filter func(*corev1.Taint) bool) bool {
	_, bad := v1helper.FindMatchingUntoleratedTaint(logger, taints, tols, filter, false)
	return bad
}

// targetsOS: the template pins the pod to os (spec.os.name, nodeSelector
// kubernetes.io/os, or a required affinity term naming it with In).
func targetsOS(spec *corev1.PodSpec, os string) bool {
	if spec.OS != nil && string(spec.OS.Name) == os {
		return true
	}
	if spec.NodeSelector[corev1.LabelOSStable] == os {
		return true
	}
	if a := spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
			for _, e := range t.MatchExpressions {
				if e.Key == corev1.LabelOSStable && e.Operator == corev1.NodeSelectorOpIn && slices.Contains(e.Values, os) {
					return true
				}
			}
		}
	}
	return false
}

// tolerationSecondsOverridden: a template toleration that the controller's
// not-ready/unreachable NoExecute default replaces in place (same key, effect,
// operator Exists, empty value) carries tolerationSeconds.
// upstream: pkg/apis/core/v1/helper/helpers.go AddOrUpdateTolerationInPodSpec
func tolerationSecondsOverridden(ds *appsv1.DaemonSet) bool {
	for _, t := range ds.Spec.Template.Spec.Tolerations {
		if (t.Key == corev1.TaintNodeNotReady || t.Key == corev1.TaintNodeUnreachable) &&
			t.Effect == corev1.TaintEffectNoExecute && t.Operator == corev1.TolerationOpExists && t.Value == "" && t.TolerationSeconds != nil {
			return true
		}
	}
	return false
}

// allowsSurgeAsStored is daemonset.AllowsSurge of ds as the API server
// stores it (defaulted: an unset strategy is RollingUpdate with maxSurge 0).
func allowsSurgeAsStored(ds *appsv1.DaemonSet) bool {
	stored := ds.DeepCopy()
	daemonset.SetDefaults(stored)
	return daemonset.AllowsSurge(stored)
}

// notModelled lists what spec asks of the scheduler beyond the filters the
// scheduler stage models (upstream plugins SchedulingGates,
// DynamicResources, VolumeBinding / VolumeZone / NodeVolumeLimits /
// VolumeRestrictions), and the inter-pod affinity terms it cannot decide
// when the cluster's Namespaces were not given (Cluster.WithNamespaces): a
// namespaceSelector on namespace labels other than
// kubernetes.io/metadata.name, in the template or in the anti-affinity of a
// pod in the cluster whose selector matches the daemon pod.
func notModelled(c *Cluster, ix *clusterIndex, ip *interPod, dss []*appsv1.DaemonSet, k int) []string {
	ds := dss[k]
	spec := &ds.Spec.Template.Spec
	var out []string
	if ip != nil && ip.ns == nil {
		d := &ip.dss[k]
		inexact := slices.ContainsFunc(d.aff, func(t daemonset.AffinityTerm) bool { return !t.ByNamespaceName }) ||
			slices.ContainsFunc(d.anti, func(t daemonset.AffinityTerm) bool { return !t.ByNamespaceName })
		if !inexact {
			for _, terms := range ip.podAnti {
				if slices.ContainsFunc(terms, func(t daemonset.AffinityTerm) bool {
					return !t.ByNamespaceName && t.Selector.Matches(labels.Set(d.pod.Labels))
				}) {
					inexact = true
					break
				}
			}
		}
		if inexact {
			out = append(out, "a pod affinity namespaceSelector on namespace labels other than kubernetes.io/metadata.name (the cluster's Namespaces were not given)")
		}
	}
	if len(spec.SchedulingGates) > 0 {
		out = append(out, "scheduling gates")
	}
	if len(spec.ResourceClaims) > 0 {
		out = append(out, "DRA resource claims")
	}
	if slices.ContainsFunc(spec.Volumes, func(v corev1.Volume) bool {
		return v.PersistentVolumeClaim != nil || v.Ephemeral != nil
	}) {
		out = append(out, "PersistentVolumeClaims")
	}
	return out
}

// interactions lists how the daemon pods of dss[k] meet daemon pods Place
// binds on other nodes, where the outcome depends on the order the
// scheduler binds them in (Place takes nodes in name order): anti-affinity either
// way over a topology key two nodes share a value of, affinity terms a
// placed daemon pod matches (it makes the terms' pods exist, and a pod
// matching its own terms is let in only while no pod matches), spread
// constraints counting other nodes (nodeAffinityPolicy Ignore) whose
// selector matches a placed daemon pod.
func interactions(c *Cluster, ip *interPod, dss []*appsv1.DaemonSet, k int) []string {
	if ip == nil {
		return nil
	}
	shared := map[string]bool{}
	sharesValue := func(key string) bool {
		if v, ok := shared[key]; ok {
			return v
		}
		seen := map[string]bool{}
		for _, n := range c.nodes {
			if v, ok := n.Labels[key]; ok {
				if seen[v] {
					shared[key] = true
					return true
				}
				seen[v] = true
			}
		}
		shared[key] = false
		return false
	}
	name := func(j int) string {
		if j == k {
			return "its own pods on other nodes"
		}
		return "the pods of daemonset " + dss[j].Namespace + "/" + dss[j].Name
	}
	d := &ip.dss[k]
	var out []string
	for j := range ip.dss {
		o := &ip.dss[j]
		for _, t := range d.anti {
			if t.Matches(o.pod, ip.ns) && sharesValue(t.TopologyKey) {
				out = append(out, fmt.Sprintf("its required anti-affinity (topologyKey %s) matches %s", t.TopologyKey, name(j)))
				break
			}
		}
		if j != k {
			for _, t := range o.antiBound {
				if t.Matches(d.pod, ip.ns) && sharesValue(t.TopologyKey) {
					out = append(out, fmt.Sprintf("the required anti-affinity (topologyKey %s) of %s matches its pods", t.TopologyKey, name(j)))
					break
				}
			}
		}
		if matchesAll(d.aff, o.pod, ip.ns) {
			if j == k {
				out = append(out, "its pods match their own required pod affinity: while no pod matches, the first is let in anywhere, then only nodes whose domain holds one")
			} else {
				out = append(out, fmt.Sprintf("its required pod affinity is met by %s", name(j)))
			}
		}
		for _, sc := range d.spread {
			if !sc.honorAffinity && spreadCounts(sc.sel, d.pod.Namespace, o.pod) {
				out = append(out, fmt.Sprintf("its topology spread constraint (topologyKey %s, nodeAffinityPolicy Ignore) counts %s", sc.key, name(j)))
				break
			}
		}
	}
	return out
}
