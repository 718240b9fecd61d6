package daemonset_test

import (
	"fmt"

	"github.com/daemonkit/daemonkit/daemonset"
	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A template naming a custom PriorityClass gets its value and policy; one
// setting spec.priority without a class is refused.
func ExampleAdmitPodPriority() {
	never := corev1.PreemptNever
	classes := []*schedulingv1.PriorityClass{{ObjectMeta: metav1.ObjectMeta{Name: "agents"}, Value: 100000, PreemptionPolicy: &never}}
	got, err := daemonset.AdmitPodPriority(&corev1.PodSpec{PriorityClassName: "agents"}, classes)
	fmt.Println(got.Priority, got.PreemptionPolicy, err)
	prio := int32(100)
	_, err = daemonset.AdmitPodPriority(&corev1.PodSpec{Priority: &prio}, classes)
	fmt.Println(err)
	// Output:
	// 100000 Never <nil>
	// spec.priority: Forbidden: the integer value of priority (100) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name
}

// Every cluster has the two system classes.
func ExampleSystemPriorityClasses() {
	for _, pc := range daemonset.SystemPriorityClasses() {
		fmt.Println(pc.Name, pc.Value, *pc.PreemptionPolicy)
	}
	// Output:
	// system-node-critical 2000001000 PreemptLowerPriority
	// system-cluster-critical 2000000000 PreemptLowerPriority
}
