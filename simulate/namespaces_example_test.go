package simulate_test

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/daemonkit/daemonkit/simulate"
)

// A daemon pod kept off the nodes of the infra team's pods, whose
// namespaces carry team=infra: with the cluster's Namespaces the selector is
// decided; without them only a namespace's name is known, and a trap says
// the answer is not exact.
func ExampleCluster_WithNamespaces() {
	nodes, _ := simulate.NewNodePool("n", 2).Allocatable("4", "8Gi", 110).Build()
	fluentd := examplePod("fluentd", "n-0", "100m", 0, map[string]string{"app": "collector"})
	fluentd.Namespace = "logging"
	c, _ := simulate.NewCluster(nodes, []*corev1.Pod{fluentd})

	agent := exampleDaemonSet("agent", "100m")
	agent.Spec.Template.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
			TopologyKey:       corev1.LabelHostname,
			LabelSelector:     &metav1.LabelSelector{MatchLabels: map[string]string{"app": "collector"}},
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "infra"}},
		}}}}
	p, _ := simulate.Place(c, agent)
	fmt.Println(p.DaemonSets[0].Counts().Runs, notModelled(p))

	c, _ = c.WithNamespaces(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "logging", Labels: map[string]string{"team": "infra"}}})
	p, _ = simulate.Place(c, agent)
	n, _ := p.DaemonSets[0].Node("n-0")
	fmt.Println(p.DaemonSets[0].Counts().Runs, notModelled(p), n.State, n.Pending[0].HeldBy)
	// Output:
	// 2 true
	// 1 false Pending logging/fluentd
}

func notModelled(p *simulate.Placement) bool {
	for _, t := range p.Traps {
		if t.Kind == simulate.TrapSchedulerNotModelled {
			return true
		}
	}
	return false
}
