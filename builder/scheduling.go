package builder

import (
	"maps"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

// ControlPlaneTaint is the taint kubeadm and most installers put on control
// plane nodes; TolerateControlPlane tolerates it.
const ControlPlaneTaint = "node-role.kubernetes.io/control-plane"

// NodeSelector requires nodes to carry the label key=value (for example
// "kubernetes.io/os"="linux"); several calls AND together.
func (b *DaemonSet) NodeSelector(key, value string) *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Spec.Template.Spec.NodeSelector = setKey(b.obj.Spec.Template.Spec.NodeSelector, key, value)
	return b
}

// NodeSelectorLabels replaces the whole nodeSelector with labels (nil or
// empty clears it).
func (b *DaemonSet) NodeSelectorLabels(labels map[string]string) *DaemonSet {
	if b == nil {
		return nil
	}
	if len(labels) == 0 {
		b.obj.Spec.Template.Spec.NodeSelector = nil
	} else {
		b.obj.Spec.Template.Spec.NodeSelector = maps.Clone(labels)
	}
	return b
}

// RemoveNodeSelector removes nodeSelector entries.
func (b *DaemonSet) RemoveNodeSelector(keys ...string) *DaemonSet {
	if b == nil {
		return nil
	}
	for _, k := range keys {
		delete(b.obj.Spec.Template.Spec.NodeSelector, k)
	}
	if len(b.obj.Spec.Template.Spec.NodeSelector) == 0 {
		b.obj.Spec.Template.Spec.NodeSelector = nil
	}
	return b
}

// NodeLabelIn matches nodes whose label key has one of values.
func NodeLabelIn(key string, values ...string) corev1.NodeSelectorRequirement {
	return corev1.NodeSelectorRequirement{Key: key, Operator: corev1.NodeSelectorOpIn, Values: slices.Clone(values)}
}

// NodeLabelNotIn matches nodes whose label key is absent or has none of values.
func NodeLabelNotIn(key string, values ...string) corev1.NodeSelectorRequirement {
	return corev1.NodeSelectorRequirement{Key: key, Operator: corev1.NodeSelectorOpNotIn, Values: slices.Clone(values)}
}

// NodeLabelExists matches nodes that have the label key.
func NodeLabelExists(key string) corev1.NodeSelectorRequirement {
	return corev1.NodeSelectorRequirement{Key: key, Operator: corev1.NodeSelectorOpExists}
}

// NodeLabelDoesNotExist matches nodes without the label key.
func NodeLabelDoesNotExist(key string) corev1.NodeSelectorRequirement {
	return corev1.NodeSelectorRequirement{Key: key, Operator: corev1.NodeSelectorOpDoesNotExist}
}

// NodeLabelGt matches nodes whose label key is an integer greater than n.
func NodeLabelGt(key string, n int64) corev1.NodeSelectorRequirement {
	return corev1.NodeSelectorRequirement{Key: key, Operator: corev1.NodeSelectorOpGt, Values: []string{strconv.FormatInt(n, 10)}}
}

// NodeLabelLt matches nodes whose label key is an integer less than n.
func NodeLabelLt(key string, n int64) corev1.NodeSelectorRequirement {
	return corev1.NodeSelectorRequirement{Key: key, Operator: corev1.NodeSelectorOpLt, Values: []string{strconv.FormatInt(n, 10)}}
}

// RequireNodeAffinity adds one required node selector term: a node must meet
// all of reqs (AND); the terms of several calls are alternatives (OR), and
// the nodeSelector must hold as well. A call without requirements is a Build
// error (a term without requirements matches no node, whichever way it was
// added).
func (b *DaemonSet) RequireNodeAffinity(reqs ...corev1.NodeSelectorRequirement) *DaemonSet {
	if b == nil {
		return nil
	}
	na := b.nodeAffinity()
	if na.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		na.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{}
	}
	terms := &na.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	*terms = append(*terms, corev1.NodeSelectorTerm{MatchExpressions: cloneRequirements(reqs)})
	return b
}

// checkNodeSelectorTerms reports required terms without requirements: the API
// server accepts them, but such a term matches no node (upstream:
// component-helpers nodeaffinity nodeSelectorTerms.Match), so it is almost
// certainly a mistake.
func checkNodeSelectorTerms(spec *corev1.PodSpec) field.ErrorList {
	if spec.Affinity == nil || spec.Affinity.NodeAffinity == nil || spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return nil
	}
	var errs field.ErrorList
	path := podSpecPath.Child("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
	for i, t := range spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		if len(t.MatchExpressions) == 0 && len(t.MatchFields) == 0 {
			errs = append(errs, field.Required(path.Index(i), "a node selector term without requirements matches no node; give RequireNodeAffinity at least one"))
		}
	}
	return errs
}

// PreferNodeAffinity adds a preferred term: among nodes that qualify, the
// scheduler favours those meeting all of reqs by weight (1-100). For a
// DaemonSet this matters little: each pod is pinned to its node.
func (b *DaemonSet) PreferNodeAffinity(weight int32, reqs ...corev1.NodeSelectorRequirement) *DaemonSet {
	if b == nil {
		return nil
	}
	na := b.nodeAffinity()
	na.PreferredDuringSchedulingIgnoredDuringExecution = append(na.PreferredDuringSchedulingIgnoredDuringExecution,
		corev1.PreferredSchedulingTerm{Weight: weight, Preference: corev1.NodeSelectorTerm{MatchExpressions: cloneRequirements(reqs)}})
	return b
}

// ClearNodeAffinity removes every required and preferred node affinity term
// (pod affinity and anti-affinity are kept).
func (b *DaemonSet) ClearNodeAffinity() *DaemonSet {
	if b == nil {
		return nil
	}
	spec := &b.obj.Spec.Template.Spec
	if spec.Affinity != nil {
		spec.Affinity.NodeAffinity = nil
		if *spec.Affinity == (corev1.Affinity{}) {
			spec.Affinity = nil
		}
	}
	return b
}

func (b *DaemonSet) nodeAffinity() *corev1.NodeAffinity {
	spec := &b.obj.Spec.Template.Spec
	if spec.Affinity == nil {
		spec.Affinity = &corev1.Affinity{}
	}
	if spec.Affinity.NodeAffinity == nil {
		spec.Affinity.NodeAffinity = &corev1.NodeAffinity{}
	}
	return spec.Affinity.NodeAffinity
}

func cloneRequirements(reqs []corev1.NodeSelectorRequirement) []corev1.NodeSelectorRequirement {
	if len(reqs) == 0 {
		return nil
	}
	out := make([]corev1.NodeSelectorRequirement, len(reqs))
	for i := range reqs {
		reqs[i].DeepCopyInto(&out[i])
	}
	return out
}

// Tolerate adds tolerations, skipping any equal to one already present.
// (The DaemonSet controller adds its own for not-ready, unreachable,
// disk/memory/pid pressure, unschedulable and, with hostNetwork,
// network-unavailable nodes; they need not be listed.)
func (b *DaemonSet) Tolerate(tols ...corev1.Toleration) *DaemonSet {
	if b == nil {
		return nil
	}
	spec := &b.obj.Spec.Template.Spec
	for _, t := range tols {
		if !slices.ContainsFunc(spec.Tolerations, func(o corev1.Toleration) bool {
			return o.MatchToleration(&t) && ptr.Equal(o.TolerationSeconds, t.TolerationSeconds)
		}) {
			spec.Tolerations = append(spec.Tolerations, *t.DeepCopy())
		}
	}
	return b
}

// Tolerations replaces every toleration with tols (none clears them).
func (b *DaemonSet) Tolerations(tols ...corev1.Toleration) *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Spec.Template.Spec.Tolerations = nil
	return b.Tolerate(tols...)
}

// RemoveTolerations removes every toleration of these taint keys; the empty
// key removes the tolerate-everything toleration of TolerateAll.
func (b *DaemonSet) RemoveTolerations(keys ...string) *DaemonSet {
	if b == nil {
		return nil
	}
	spec := &b.obj.Spec.Template.Spec
	spec.Tolerations = slices.DeleteFunc(spec.Tolerations, func(t corev1.Toleration) bool { return slices.Contains(keys, t.Key) })
	if len(spec.Tolerations) == 0 {
		spec.Tolerations = nil
	}
	return b
}

// TolerateAll tolerates every taint, NoExecute included, so the pod runs on
// every node, even ones being drained: usual for networking and storage
// agents, which the node cannot work without.
func (b *DaemonSet) TolerateAll() *DaemonSet {
	return b.Tolerate(corev1.Toleration{Operator: corev1.TolerationOpExists})
}

// TolerateControlPlane tolerates the NoSchedule taint of control plane nodes
// (ControlPlaneTaint), so the agent runs there too.
func (b *DaemonSet) TolerateControlPlane() *DaemonSet {
	return b.Tolerate(corev1.Toleration{Key: ControlPlaneTaint, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule})
}

// PriorityClass sets priorityClassName; node agents usually use
// "system-node-critical" so the kubelet evicts them last and the scheduler
// can preempt to place them.
func (b *DaemonSet) PriorityClass(name string) *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Spec.Template.Spec.PriorityClassName = name
	return b
}

// ServiceAccount sets the pod's service account.
func (b *DaemonSet) ServiceAccount(name string) *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Spec.Template.Spec.ServiceAccountName = name
	return b
}

// DNSPolicy sets dnsPolicy (HostNetwork sets ClusterFirstWithHostNet itself).
func (b *DaemonSet) DNSPolicy(p corev1.DNSPolicy) *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Spec.Template.Spec.DNSPolicy = p
	return b
}

// TerminationGracePeriod sets terminationGracePeriodSeconds, how long the
// kubelet waits after SIGTERM before killing the pod.
func (b *DaemonSet) TerminationGracePeriod(seconds int64) *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Spec.Template.Spec.TerminationGracePeriodSeconds = &seconds
	return b
}
