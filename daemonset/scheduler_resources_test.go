package daemonset

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func rl(kv ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return out
}

// sameResources compares resource lists by value (Quantity.Cmp), ignoring
// zero entries, as the scheduler's Resource does.
func sameResources(a, b corev1.ResourceList) bool {
	for k, v := range a {
		w := b[k]
		if v.Cmp(w) != 0 {
			return false
		}
	}
	for k, w := range b {
		v := a[k]
		if v.Cmp(w) != 0 {
			return false
		}
	}
	return true
}

// TestComputePodResourceRequest mirrors the cases of upstream's
// noderesources/fit_test.go testEnoughRequests and
// testRestartableInitContainers that decide the pod's request: init
// containers take the max, sidecars add up before the init containers after
// them, overhead adds, pod-level requests replace the containers' sum, limits
// default requests.
func TestComputePodResourceRequest(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	c := func(name string, req, lim corev1.ResourceList) corev1.Container {
		return corev1.Container{Name: name, Resources: corev1.ResourceRequirements{Requests: req, Limits: lim}}
	}
	sidecar := func(name string, req corev1.ResourceList) corev1.Container {
		x := c(name, req, nil)
		x.RestartPolicy = &always
		return x
	}
	tests := []struct {
		name string
		spec corev1.PodSpec
		want corev1.ResourceList
	}{
		{"no requests", corev1.PodSpec{Containers: []corev1.Container{c("a", nil, nil)}}, rl()},
		{"containers add up", corev1.PodSpec{Containers: []corev1.Container{c("a", rl("cpu", "100m", "memory", "1Gi"), nil), c("b", rl("cpu", "50m"), nil)}},
			rl("cpu", "150m", "memory", "1Gi")},
		{"init container larger than containers", corev1.PodSpec{
			InitContainers: []corev1.Container{c("i", rl("cpu", "3"), nil)},
			Containers:     []corev1.Container{c("a", rl("cpu", "1", "memory", "1Gi"), nil)}},
			rl("cpu", "3", "memory", "1Gi")},
		{"sidecar before an init container adds to it", corev1.PodSpec{
			InitContainers: []corev1.Container{sidecar("s", rl("cpu", "1")), c("i", rl("cpu", "2"), nil)},
			Containers:     []corev1.Container{c("a", rl("cpu", "1"), nil)}},
			rl("cpu", "3")},
		{"sidecar adds to the containers", corev1.PodSpec{
			InitContainers: []corev1.Container{c("i", rl("cpu", "1"), nil), sidecar("s", rl("cpu", "1"))},
			Containers:     []corev1.Container{c("a", rl("cpu", "1"), nil)}},
			rl("cpu", "2")},
		{"limits default requests", corev1.PodSpec{Containers: []corev1.Container{c("a", rl("cpu", "10m"), rl("cpu", "1", "memory", "64Mi", "example.com/gpu", "2"))}},
			rl("cpu", "10m", "memory", "64Mi", "example.com/gpu", "2")},
		{"overhead adds", corev1.PodSpec{Containers: []corev1.Container{c("a", rl("cpu", "100m"), nil)}, Overhead: rl("cpu", "250m", "memory", "120Mi")},
			rl("cpu", "350m", "memory", "120Mi")},
		{"pod-level requests replace the sum for cpu and memory", corev1.PodSpec{
			Resources:  &corev1.ResourceRequirements{Requests: rl("cpu", "2")},
			Containers: []corev1.Container{c("a", rl("cpu", "100m", "memory", "1Gi", "ephemeral-storage", "1Gi"), nil)}},
			rl("cpu", "2", "memory", "1Gi", "ephemeral-storage", "1Gi")},
		{"pod-level limits default pod-level requests", corev1.PodSpec{
			Resources:  &corev1.ResourceRequirements{Limits: rl("memory", "2Gi")},
			Containers: []corev1.Container{c("a", nil, nil)}},
			rl("memory", "2Gi")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{Spec: tt.spec}
			before := pod.DeepCopy()
			got := ComputePodResourceRequest(pod)
			if !sameResources(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if diff := cmp.Diff(before, pod); diff != "" {
				t.Errorf("pod modified (-before +after):\n%s", diff)
			}
		})
	}
}

// TestCalculateResource mirrors upstream's framework/types_test.go
// TestCalculatePodResourcesWithResize: a bound pod counts the larger of its
// spec and its status while a resize is in progress, the status alone when
// the resize is infeasible.
func TestCalculateResource(t *testing.T) {
	pod := func(spec, status corev1.ResourceList, cond *corev1.PodCondition) *corev1.Pod {
		p := &corev1.Pod{
			Spec:   corev1.PodSpec{NodeName: "n", Containers: []corev1.Container{{Name: "c1", Resources: corev1.ResourceRequirements{Requests: spec}}}},
			Status: corev1.PodStatus{Phase: corev1.PodRunning},
		}
		if status != nil {
			p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "c1", Resources: &corev1.ResourceRequirements{Requests: status}}}
		}
		if cond != nil {
			p.Status.Conditions = []corev1.PodCondition{*cond}
		}
		return p
	}
	infeasible := &corev1.PodCondition{Type: corev1.PodResizePending, Status: corev1.ConditionTrue, Reason: corev1.PodReasonInfeasible}
	deferred := &corev1.PodCondition{Type: corev1.PodResizePending, Status: corev1.ConditionTrue, Reason: corev1.PodReasonDeferred}
	tests := []struct {
		name string
		pod  *corev1.Pod
		want corev1.ResourceList
	}{
		{"no pending resize", pod(rl("cpu", "500m", "memory", "500M"), rl("cpu", "500m", "memory", "500M"), nil), rl("cpu", "500m", "memory", "500M")},
		{"resize in progress: the larger of spec and status", pod(rl("cpu", "700m", "memory", "500M"), rl("cpu", "500m", "memory", "800M"), nil), rl("cpu", "700m", "memory", "800M")},
		{"resize deferred: the larger of spec and status", pod(rl("cpu", "700m"), rl("cpu", "500m"), deferred), rl("cpu", "700m")},
		{"resize infeasible: the status", pod(rl("cpu", "700m"), rl("cpu", "500m"), infeasible), rl("cpu", "500m")},
		{"no status: the spec", pod(rl("cpu", "700m"), nil, nil), rl("cpu", "700m")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CalculateResource(tt.pod); !sameResources(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			// a pod being scheduled has no status to read
			if got, want := ComputePodResourceRequest(tt.pod), tt.pod.Spec.Containers[0].Resources.Requests; !sameResources(got, want) {
				t.Errorf("ComputePodResourceRequest = %v, want the spec %v", got, want)
			}
		})
	}
}
