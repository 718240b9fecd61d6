package daemonset

import (
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	resourcehelper "k8s.io/component-helpers/resource"
)

// PodAsCreated is the daemon pod for nodeName as the API server stores it
// once the controller has created it: NewPod of ds as the API server stores
// ds (SetDefaults on a copy), then the Pod defaults the API server applies on
// create and never to a template (WithPodOnlyDefaults). This is the pod the
// scheduler and the kubelet see: its requests, host ports, tolerations and
// priority are what they act on. ds is not modified; the result never
// aliases it. A nil ds reads as an empty DaemonSet. To build many pods,
// compute the hash once and call PodAsCreatedForRevision.
//
// upstream: daemon_controller.go syncNodes (the pod the controller creates),
// pkg/apis/core/v1/defaults.go SetDefaults_Pod and the generated
// SetObjectDefaults_Pod (what the API server stores)
func PodAsCreated(ds *appsv1.DaemonSet, nodeName string) *corev1.Pod {
	stored := storedCopy(ds)
	return podAsCreated(stored, nodeName, RevisionHash(stored))
}

// PodAsCreatedForRevision is PodAsCreated when the DaemonSet's current
// ControllerRevision carries hash (as NewPodForRevision: an empty hash
// leaves the controller-revision-hash label out, for callers that only
// read the pod's spec).
func PodAsCreatedForRevision(ds *appsv1.DaemonSet, nodeName, hash string) *corev1.Pod {
	return podAsCreated(storedCopy(ds), nodeName, hash)
}

// storedCopy is a defaulted copy of ds, as the API server stores it.
func storedCopy(ds *appsv1.DaemonSet) *appsv1.DaemonSet {
	stored := &appsv1.DaemonSet{}
	if ds != nil {
		stored = ds.DeepCopy()
	}
	SetDefaults(stored)
	return stored
}

func podAsCreated(stored *appsv1.DaemonSet, nodeName, hash string) *corev1.Pod {
	pod := NewPodForRevision(stored, nodeName, hash)
	// upstream: defaults.go SetDefaults_Pod (the pod-only scalars)
	if pod.Spec.EnableServiceLinks == nil {
		v := corev1.DefaultEnableServiceLinks
		pod.Spec.EnableServiceLinks = &v
	}
	if g := pod.Spec.TerminationGracePeriodSeconds; g != nil && *g < 0 {
		v := int64(1)
		pod.Spec.TerminationGracePeriodSeconds = &v
	}
	// upstream: pkg/registry/core/pod/strategy.go PrepareForCreate
	mutatePodAffinity(pod)
	mutateTopologySpreadConstraints(pod)
	return WithPodOnlyDefaults(pod)
}

// mutatePodAffinity merges each pod (anti-)affinity term's matchLabelKeys and
// mismatchLabelKeys into its labelSelector, with the pod's own label values,
// as the API server does when it creates a pod (MatchLabelKeysInPodAffinity,
// on by default): "key In (value)" for matchLabelKeys, "key NotIn (value)"
// for mismatchLabelKeys; keys the pod has no label for are skipped, and a
// term without labelSelector (which matches nothing) is left alone. pod's
// terms are modified in place.
// upstream: pkg/registry/core/pod/strategy.go mutatePodAffinity,
// applyMatchLabelKeysAndMismatchLabelKeys
func mutatePodAffinity(pod *corev1.Pod) {
	a := pod.Spec.Affinity
	if a == nil {
		return
	}
	if pa := a.PodAffinity; pa != nil {
		for i := range pa.PreferredDuringSchedulingIgnoredDuringExecution {
			applyMatchLabelKeysAndMismatchLabelKeys(&pa.PreferredDuringSchedulingIgnoredDuringExecution[i].PodAffinityTerm, pod.Labels)
		}
		for i := range pa.RequiredDuringSchedulingIgnoredDuringExecution {
			applyMatchLabelKeysAndMismatchLabelKeys(&pa.RequiredDuringSchedulingIgnoredDuringExecution[i], pod.Labels)
		}
	}
	if pa := a.PodAntiAffinity; pa != nil {
		for i := range pa.PreferredDuringSchedulingIgnoredDuringExecution {
			applyMatchLabelKeysAndMismatchLabelKeys(&pa.PreferredDuringSchedulingIgnoredDuringExecution[i].PodAffinityTerm, pod.Labels)
		}
		for i := range pa.RequiredDuringSchedulingIgnoredDuringExecution {
			applyMatchLabelKeysAndMismatchLabelKeys(&pa.RequiredDuringSchedulingIgnoredDuringExecution[i], pod.Labels)
		}
	}
}

// upstream: strategy.go applyMatchLabelKeysAndMismatchLabelKeys
func applyMatchLabelKeysAndMismatchLabelKeys(term *corev1.PodAffinityTerm, labels map[string]string) {
	if (len(term.MatchLabelKeys) == 0 && len(term.MismatchLabelKeys) == 0) || term.LabelSelector == nil {
		return
	}
	applyLabelKeysToLabelSelector(term.LabelSelector, term.MatchLabelKeys, metav1.LabelSelectorOpIn, labels)
	applyLabelKeysToLabelSelector(term.LabelSelector, term.MismatchLabelKeys, metav1.LabelSelectorOpNotIn, labels)
}

// mutateTopologySpreadConstraints merges each topology spread constraint's
// matchLabelKeys into its labelSelector as "key In (value)", as the API
// server does when it creates a pod (MatchLabelKeysInPodTopologySpread and
// MatchLabelKeysInPodTopologySpreadSelectorMerge, on by default).
// upstream: strategy.go mutateTopologySpreadConstraints, applyMatchLabelKeys
func mutateTopologySpreadConstraints(pod *corev1.Pod) {
	for i := range pod.Spec.TopologySpreadConstraints {
		c := &pod.Spec.TopologySpreadConstraints[i]
		if len(c.MatchLabelKeys) == 0 || c.LabelSelector == nil {
			continue
		}
		applyLabelKeysToLabelSelector(c.LabelSelector, c.MatchLabelKeys, metav1.LabelSelectorOpIn, pod.Labels)
	}
}

// upstream: strategy.go applyLabelKeysToLabelSelector
func applyLabelKeysToLabelSelector(sel *metav1.LabelSelector, keys []string, op metav1.LabelSelectorOperator, labels map[string]string) {
	for _, key := range keys {
		if value, ok := labels[key]; ok {
			sel.MatchExpressions = append(sel.MatchExpressions, metav1.LabelSelectorRequirement{Key: key, Operator: op, Values: []string{value}})
		}
	}
}

// WithPodOnlyDefaults returns pod with the defaults the API server applies
// to a Pod on create and never to a pod template, for the fields the
// scheduler reads: container and init-container requests defaulted from
// limits, pod-level requests defaulted (from the containers' requests and
// the pod-level limits), and under hostNetwork every container port's
// hostPort defaulted to its containerPort. pod is never modified; when
// nothing needs defaulting pod itself is returned, else a shallow copy whose
// changed containers and resources are its own. A nil pod returns nil.
//
// upstream: pkg/apis/core/v1/defaults.go SetDefaults_Pod, defaultPodRequests,
// defaultHostNetworkPorts
func WithPodOnlyDefaults(pod *corev1.Pod) *corev1.Pod {
	if pod == nil {
		return nil
	}
	needs := func(cs []corev1.Container) bool {
		for i := range cs {
			for k := range cs[i].Resources.Limits {
				if _, ok := cs[i].Resources.Requests[k]; !ok {
					return true
				}
			}
			if pod.Spec.HostNetwork {
				for _, p := range cs[i].Ports {
					if p.HostPort == 0 {
						return true
					}
				}
			}
		}
		return false
	}
	podLevel := pod.Spec.Resources != nil && len(pod.Spec.Resources.Limits) > 0
	if !needs(pod.Spec.Containers) && !needs(pod.Spec.InitContainers) && !podLevel {
		return pod
	}
	out := *pod
	out.Spec.Containers = defaultContainerRequestsAndPorts(pod.Spec.Containers, pod.Spec.HostNetwork)
	out.Spec.InitContainers = defaultContainerRequestsAndPorts(pod.Spec.InitContainers, pod.Spec.HostNetwork)
	if podLevel {
		// upstream: defaults.go defaultPodRequests
		rr := pod.Spec.Resources.DeepCopy()
		if rr.Requests == nil {
			rr.Requests = corev1.ResourceList{}
		}
		out.Spec.Resources = rr
		aggr := resourcehelper.AggregateContainerRequests(&out, resourcehelper.PodResourcesOptions{})
		for k, v := range aggr {
			if _, ok := rr.Requests[k]; !ok && resourcehelper.IsSupportedPodLevelResource(k) && isOvercommitAllowed(k) {
				rr.Requests[k] = v.DeepCopy()
			}
		}
		for k, v := range rr.Limits {
			if _, ok := rr.Requests[k]; !ok && resourcehelper.IsSupportedPodLevelResource(k) {
				rr.Requests[k] = v.DeepCopy()
			}
		}
	}
	return &out
}

// defaultContainerRequestsAndPorts returns a copy of cs with requests
// defaulted from limits and, under hostNetwork, hostPort from containerPort.
// upstream: defaults.go SetDefaults_Pod (container loops), defaultHostNetworkPorts
func defaultContainerRequestsAndPorts(cs []corev1.Container, hostNetwork bool) []corev1.Container {
	if cs == nil {
		return nil
	}
	out := slices.Clone(cs)
	for i := range out {
		c := &out[i]
		if c.Resources.Limits != nil {
			req := make(corev1.ResourceList, len(c.Resources.Limits))
			for k, v := range c.Resources.Requests {
				req[k] = v
			}
			for k, v := range c.Resources.Limits {
				if _, ok := req[k]; !ok {
					req[k] = v.DeepCopy()
				}
			}
			c.Resources.Requests = req
		}
		if hostNetwork && len(c.Ports) > 0 {
			c.Ports = slices.Clone(c.Ports)
			for j := range c.Ports {
				if c.Ports[j].HostPort == 0 {
					c.Ports[j].HostPort = c.Ports[j].ContainerPort
				}
			}
		}
	}
	return out
}
