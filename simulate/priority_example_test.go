package simulate_test

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	schedulingv1 "k8s.io/api/scheduling/v1"

	"github.com/daemonkit/daemonkit/simulate"
)

func examplePod(name, node, cpu string, priority int32, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", Labels: labels},
		Spec: corev1.PodSpec{NodeName: node, Priority: ptr.To(priority), Containers: []corev1.Container{{Name: "app",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning},
	}
}

// With the cluster's PriorityClasses, the daemon pod gets its class's
// priority (and preempts a lower one); a template naming a class the
// cluster lacks is refused by the API server on every node.
func ExampleCluster_WithPriorityClasses() {
	nodes, _ := simulate.NewNodePool("n", 1).Allocatable("1", "4Gi", 110).Build()
	c, _ := simulate.NewCluster(nodes, []*corev1.Pod{examplePod("web", "n-0", "900m", 0, nil)})
	c, _ = c.WithPriorityClasses(&schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "node-agents"}, Value: 100000})

	agent := exampleDaemonSet("agent", "200m")
	agent.Spec.Template.Spec.PriorityClassName = "node-agents"
	p, _ := simulate.Place(c, agent)
	n, _ := p.DaemonSets[0].Node("n-0")
	fmt.Println(p.DaemonSets[0].Priority.Priority, n.State, n.Preempts)

	agent.Spec.Template.Spec.PriorityClassName = "node-agent"
	p, _ = simulate.Place(c, agent)
	n, _ = p.DaemonSets[0].Node("n-0")
	fmt.Println(n.State, p.DaemonSets[0].Refused)
	// Output:
	// 100000 Runs [shop/web]
	// Refused spec.priorityClassName: Forbidden: no PriorityClass with name node-agent was found
}

// A PodDisruptionBudget that allows no disruption makes preemption spare
// its pod when another victim will do.
func ExampleCluster_WithPodDisruptionBudgets() {
	nodes, _ := simulate.NewNodePool("n", 1).Allocatable("1", "4Gi", 110).Build()
	web := map[string]string{"app": "web"}
	c, _ := simulate.NewCluster(nodes, []*corev1.Pod{
		examplePod("web", "n-0", "500m", 5, web), examplePod("batch", "n-0", "500m", 10, nil)})
	c, _ = c.WithPodDisruptionBudgets(&policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"},
		Spec:   policyv1.PodDisruptionBudgetSpec{Selector: &metav1.LabelSelector{MatchLabels: web}},
		Status: policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: 0}})

	agent := exampleDaemonSet("agent", "400m")
	agent.Spec.Template.Spec.PriorityClassName = "system-node-critical"
	p, _ := simulate.Place(c, agent)
	n, _ := p.DaemonSets[0].Node("n-0")
	fmt.Println(n.Preempts, n.PreemptsViolatingPDBs)
	// Output: [shop/batch] 0
}
