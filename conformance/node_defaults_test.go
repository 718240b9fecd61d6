package conformance

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	upstreamcorev1 "k8s.io/kubernetes/pkg/apis/core/v1"
	"pgregory.net/rapid"

	"github.com/daemonkit/daemonkit/daemonset"
)

// TestSetNodeDefaultsMatchesUpstream holds daemonset.SetNodeDefaults to
// upstream's generated SetObjectDefaults_Node on random node statuses:
// capacity and allocatable each absent, empty or holding random resources.
func TestSetNodeDefaultsMatchesUpstream(t *testing.T) {
	names := []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourcePods,
		corev1.ResourceEphemeralStorage, "nvidia.com/gpu", "hugepages-2Mi"}
	list := func(t *rapid.T, label string) corev1.ResourceList {
		switch rapid.IntRange(0, 2).Draw(t, label+"-kind") {
		case 0:
			return nil
		case 1:
			return corev1.ResourceList{}
		}
		l := corev1.ResourceList{}
		for _, n := range rapid.SliceOfDistinct(rapid.SampledFrom(names), rapid.ID[corev1.ResourceName]).Draw(t, label) {
			l[n] = *resource.NewMilliQuantity(rapid.Int64Range(0, 1<<40).Draw(t, label+"-"+string(n)), resource.DecimalSI)
		}
		return l
	}
	rapid.Check(t, func(t *rapid.T) {
		in := &corev1.Node{Status: corev1.NodeStatus{Capacity: list(t, "capacity"), Allocatable: list(t, "allocatable")}}
		theirs, ours := in.DeepCopy(), in.DeepCopy()
		upstreamcorev1.SetObjectDefaults_Node(theirs)
		daemonset.SetNodeDefaults(ours)
		if d := cmp.Diff(theirs, ours); d != "" {
			t.Fatalf("SetNodeDefaults differs from upstream SetObjectDefaults_Node (-upstream +daemonkit):\n%s", d)
		}
	})
}
