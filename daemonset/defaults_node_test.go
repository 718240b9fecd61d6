package daemonset

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Mirrors upstream pkg/apis/core/v1/defaults_test.go
// TestSetDefaultNodeAllocatable: allocatable defaults to capacity only when
// it is nil.
func TestSetNodeDefaults(t *testing.T) {
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("1000m"),
		corev1.ResourceMemory: resource.MustParse("2Gi"),
	}
	for _, tc := range []struct {
		name                string
		capacity, allocated corev1.ResourceList
		want                corev1.ResourceList
	}{
		{name: "allocatable from capacity", capacity: capacity, want: capacity},
		{name: "allocatable kept", capacity: capacity,
			allocated: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m")},
			want:      corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m")}},
		{name: "empty allocatable kept", capacity: capacity, allocated: corev1.ResourceList{}, want: corev1.ResourceList{}},
		{name: "neither", want: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := &corev1.Node{Status: corev1.NodeStatus{Capacity: tc.capacity.DeepCopy(), Allocatable: tc.allocated.DeepCopy()}}
			SetNodeDefaults(n)
			if d := cmp.Diff(tc.want, n.Status.Allocatable); d != "" {
				t.Errorf("allocatable (-want +got):\n%s", d)
			}
			once := n.DeepCopy()
			SetNodeDefaults(n)
			if d := cmp.Diff(once, n); d != "" {
				t.Errorf("not idempotent (-once +twice):\n%s", d)
			}
		})
	}
	// The copy is independent of the capacity.
	n := &corev1.Node{Status: corev1.NodeStatus{Capacity: capacity.DeepCopy()}}
	SetNodeDefaults(n)
	n.Status.Allocatable[corev1.ResourceCPU] = resource.MustParse("3")
	if got := n.Status.Capacity[corev1.ResourceCPU]; got.String() != "1" {
		t.Errorf("capacity changed with allocatable: %s", got.String())
	}
	SetNodeDefaults(nil)
}

func ExampleSetNodeDefaults() {
	n := &corev1.Node{Status: corev1.NodeStatus{Capacity: corev1.ResourceList{
		corev1.ResourceCPU:  resource.MustParse("4"),
		corev1.ResourcePods: resource.MustParse("110"),
	}}}
	SetNodeDefaults(n)
	cpu, pods := n.Status.Allocatable[corev1.ResourceCPU], n.Status.Allocatable[corev1.ResourcePods]
	fmt.Println(cpu.String(), pods.String())
	// Output: 4 110
}
