package simulate_test

import (
	"fmt"
	"time"

	"github.com/daemonkit/daemonkit/simulate"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ParseEvents reads the --event texts of the CLI into the events of a
// Scenario; later events may name the nodes earlier ones add.
func ExampleParseEvents() {
	nodes := []*corev1.Node{
		{ObjectMeta: metav1.ObjectMeta{Name: "node-1", Labels: map[string]string{"pool": "gpu"}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "node-2"}},
	}
	c, err := simulate.NewCluster(nodes, nil)
	if err != nil {
		panic(err)
	}
	evs, err := simulate.ParseEvents(c,
		"t=90s taint node-2 dedicated=infra:NoExecute",
		"t=5m add node-3 like=node-1",
		"t=10m cordon node-3",
	)
	if err != nil {
		panic(err)
	}
	for _, ev := range evs {
		switch ev.Kind {
		case simulate.EventNodeAdd:
			fmt.Println(ev.At, ev.Kind, ev.NewNode.Name, ev.NewNode.Labels)
		case simulate.EventTaint:
			fmt.Println(ev.At, ev.Kind, ev.Node, ev.Taint.ToString())
		default:
			fmt.Println(ev.At, ev.Kind, ev.Node)
		}
	}
	_, err = simulate.ParseEvent(c, "t=1m cordon node-9")
	fmt.Println(err)
	// Output:
	// 1m30s Taint node-2 dedicated=infra:NoExecute
	// 5m0s NodeAdd node-3 map[pool:gpu]
	// 10m0s Cordon node-3
	// unknown node "node-9"
}

// An Event prints in the text form ParseEvent reads, as the CLI's rollout
// output and the chart's markers show it.
func ExampleEvent_String() {
	fmt.Println(simulate.Tainted(90*time.Second, "node-2", corev1.Taint{Key: "dedicated", Value: "infra", Effect: corev1.TaintEffectNoExecute}))
	fmt.Println(simulate.NodeRemoved(10*time.Minute, "node-3"))
	// Output:
	// t=1m30s taint node-2 dedicated=infra:NoExecute
	// t=10m0s remove node-3
}
