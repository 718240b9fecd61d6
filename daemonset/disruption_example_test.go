package daemonset_test

import (
	"fmt"

	"github.com/daemonkit/daemonkit/daemonset"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Two web pods are preemption candidates; their PDB allows one more
// disruption: evicting the second would violate it.
func ExampleFilterPodsWithPDBViolation() {
	web := map[string]string{"app": "web"}
	pods := []*corev1.Pod{
		{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-1", Labels: web}},
		{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-2", Labels: web}},
	}
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"},
		Spec:   policyv1.PodDisruptionBudgetSpec{Selector: &metav1.LabelSelector{MatchLabels: web}},
		Status: policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: 1}}
	violating, other := daemonset.FilterPodsWithPDBViolation(pods, []*policyv1.PodDisruptionBudget{pdb})
	fmt.Println(violating, other)
	// Output: [1] [0]
}
