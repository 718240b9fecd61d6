package daemonset

import (
	corev1 "k8s.io/api/core/v1"
	resourcehelper "k8s.io/component-helpers/resource"
)

// ComputePodResourceRequest is what kube-scheduler's NodeResourcesFit filter
// asks of a node for pod, the pod being scheduled: the sum of its containers
// and restartable (sidecar) init containers, or each init container with the
// sidecars started before it if that is larger, per resource; pod-level
// requests (spec.resources) in place of that sum for the resources they set
// (cpu, memory, hugepages-*); plus spec.overhead. The pod is read as the API
// server stores it (WithPodOnlyDefaults: requests defaulted from limits and
// pod-level requests defaulted), so a template or a hand-written pod counts
// as the created pod does. The status of a pod being scheduled is not read.
// pod is not modified. A nil pod requests nothing.
//
// upstream: pkg/scheduler/framework/plugins/noderesources/fit.go
// computePodResourceRequest (PodLevelResources on, DRANodeAllocatableResources
// off: the v1.37 defaults), k8s.io/component-helpers/resource PodRequests
func ComputePodResourceRequest(pod *corev1.Pod) corev1.ResourceList {
	if pod == nil {
		return corev1.ResourceList{}
	}
	return resourcehelper.PodRequests(WithPodOnlyDefaults(pod), resourcehelper.PodResourcesOptions{})
}

// CalculateResource is what a pod already bound to a node takes from it as
// kube-scheduler's node cache counts it (NodeInfo.Requested): as
// ComputePodResourceRequest, except that for each container the larger of
// the spec's requests and what the pod's status reports (the resources the
// kubelet allocated and actuated, status.containerStatuses[].allocatedResources
// and .resources; status.resources and status.allocatedResources at the pod
// level) is counted, so a pod in the middle of an in-place resize holds the
// larger of its old and new size; for a resize the kubelet found infeasible,
// the status alone. pod is not modified. A nil pod takes nothing.
//
// upstream: pkg/scheduler/framework/types.go PodInfo.CalculateResource
// (InPlacePodVerticalScaling and InPlacePodLevelResourcesVerticalScaling are
// GA in v1.37, so UseStatusResources is always on), component-helpers
// resource PodRequests
func CalculateResource(pod *corev1.Pod) corev1.ResourceList {
	if pod == nil {
		return corev1.ResourceList{}
	}
	return resourcehelper.PodRequests(WithPodOnlyDefaults(pod), resourcehelper.PodResourcesOptions{
		UseStatusResources: true,
		InPlacePodLevelResourcesVerticalScalingEnabled: true,
	})
}
