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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
	// the scheduler stage does not model — required inter-pod affinity or
	// anti-affinity, topology spread constraints that forbid scheduling,
	// scheduling gates, DRA resource claims, PersistentVolumeClaims — so
	// where it says Runs the real scheduler may still leave the pod Pending.
	TrapSchedulerNotModelled TrapKind = "SchedulerNotModelled"
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

func findTraps(c *Cluster, ix *clusterIndex, dss []*appsv1.DaemonSet, placers []*daemonset.Placer, needs []daemonPodNeeds, unknownClass []bool, p *Placement) []Trap {
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
				"the controller's creates fail with FailedCreate events on %d node(s) and no pod ever exists", d.Refused.Detail, len(refused)))
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
		if what := notModelled(c, dss, k); len(what) > 0 {
			traps = append(traps, Trap{Kind: TrapSchedulerNotModelled, DaemonSet: key,
				Message: fmt.Sprintf("the template uses %s, which the scheduler stage does not model: "+
					"where daemonkit says Runs the real scheduler may still leave the pod Pending", strings.Join(what, ", "))})
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
// scheduler stage models (upstream plugins InterPodAffinity,
// PodTopologySpread, SchedulingGates, DynamicResources, VolumeBinding /
// VolumeZone / NodeVolumeLimits / VolumeRestrictions).
func notModelled(c *Cluster, dss []*appsv1.DaemonSet, k int) []string {
	ds := dss[k]
	spec := &ds.Spec.Template.Spec
	var out []string
	if a := spec.Affinity; a != nil {
		if a.PodAffinity != nil && len(a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution) > 0 {
			out = append(out, "required pod affinity")
		}
		// a term only the DaemonSet's own pods (one per node) could violate
		// needs no model
		if a.PodAntiAffinity != nil && slices.ContainsFunc(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution, func(t corev1.PodAffinityTerm) bool {
			return !antiAffinityOnlyAgainstOwnPods(c, dss, k, &t)
		}) {
			out = append(out, "required pod anti-affinity")
		}
	}
	if slices.ContainsFunc(spec.TopologySpreadConstraints, func(c corev1.TopologySpreadConstraint) bool {
		return c.WhenUnsatisfiable == corev1.DoNotSchedule
	}) {
		out = append(out, "topology spread constraints (DoNotSchedule)")
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

// antiAffinityOnlyAgainstOwnPods reports whether the required anti-affinity
// term t of dss[k]'s template can never keep its daemon pod off a node: the
// term is per node (topologyKey kubernetes.io/hostname), names the
// DaemonSet's own namespace only, and no pod in the cluster nor any other
// DaemonSet's template in the same namespace matches its selector except
// the DaemonSet's own pods — of which a node holds one, deleted before the
// next is created unless the strategy surges (with a surge the old pod is
// still there and the new one stays Pending: then the term matters). A
// common pattern (Cilium's chart), which the scheduler's InterPodAffinity
// filter passes; anything else is reported as not modelled.
func antiAffinityOnlyAgainstOwnPods(c *Cluster, dss []*appsv1.DaemonSet, k int, t *corev1.PodAffinityTerm) bool {
	ds := dss[k]
	if t.TopologyKey != corev1.LabelHostname || t.NamespaceSelector != nil || len(t.MatchLabelKeys) > 0 || len(t.MismatchLabelKeys) > 0 ||
		slices.ContainsFunc(t.Namespaces, func(ns string) bool { return ns != ds.Namespace }) || allowsSurgeAsStored(ds) {
		return false
	}
	sel, err := metav1.LabelSelectorAsSelector(t.LabelSelector)
	if err != nil || t.LabelSelector == nil {
		return false
	}
	for j, other := range dss {
		if j != k && other.Namespace == ds.Namespace && sel.Matches(labels.Set(other.Spec.Template.Labels)) {
			return false
		}
	}
	for _, p := range c.Pods() {
		if p.Namespace == ds.Namespace && sel.Matches(labels.Set(p.Labels)) && !daemonset.OwnsPod(ds, p) {
			return false
		}
	}
	return true
}
