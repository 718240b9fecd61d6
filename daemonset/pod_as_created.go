package daemonset

import (
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
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
	return WithPodOnlyDefaults(pod)
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
