package daemonset_test

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/daemonkit/daemonkit/daemonset"
)

// IsExtendedResourceName tells extended resources, which the scheduler counts
// and which must be whole numbers, from native ones and quota names.
func ExampleIsExtendedResourceName() {
	for _, n := range []corev1.ResourceName{"nvidia.com/gpu", "cpu", "kubernetes.io/foo", "requests.nvidia.com/gpu"} {
		fmt.Println(n, daemonset.IsExtendedResourceName(n))
	}
	// Output:
	// nvidia.com/gpu true
	// cpu false
	// kubernetes.io/foo false
	// requests.nvidia.com/gpu false
}
