package daemonset_test

import (
	"fmt"

	"github.com/daemonkit/daemonkit/daemonset"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// A pod with a sidecar and pod overhead asks the scheduler for the sum of
// its containers and sidecar plus the overhead.
func ExampleComputePodResourceRequest() {
	always := corev1.ContainerRestartPolicyAlways
	pod := &corev1.Pod{Spec: corev1.PodSpec{
		InitContainers: []corev1.Container{{Name: "proxy", RestartPolicy: &always,
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m")}}}},
		Containers: []corev1.Container{{Name: "agent",
			Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m")}}}},
		Overhead: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m")},
	}}
	req := daemonset.ComputePodResourceRequest(pod)
	fmt.Println(req.Cpu())
	// Output: 260m
}

// A bound pod being resized in place from 500m to 200m cpu holds the
// larger size until the kubelet has actuated the new one.
func ExampleCalculateResource() {
	pod := &corev1.Pod{
		Spec: corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{Name: "app",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m")}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{Name: "app",
			Resources: &corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m")}}}}},
	}
	req := daemonset.CalculateResource(pod)
	fmt.Println(req.Cpu())
	// Output: 500m
}
