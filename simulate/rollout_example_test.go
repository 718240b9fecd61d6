package simulate_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/daemonkit/daemonkit/simulate"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func exampleDS(image string, maxUnavailable intstr.IntOrString) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "kube-system", UID: "agent-uid"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "agent"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "agent", Image: image}}},
			},
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{
				Type:          appsv1.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &maxUnavailable},
			},
		},
	}
}

func exampleNodes(n int) *simulate.Cluster {
	var nodes []*corev1.Node
	for i := 0; i < n; i++ {
		nodes = append(nodes, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("node-%02d", i)}})
	}
	c, err := simulate.NewCluster(nodes, nil)
	if err != nil {
		panic(err)
	}
	return c
}

// A rolling update of 10 nodes with maxUnavailable 25% (spec §3.9): delete
// waves of 3, 3, 3 and 1, done after 40 s.
func ExampleRollout() {
	res, err := simulate.Rollout(context.Background(), simulate.Scenario{
		Cluster: exampleNodes(10),
		From:    exampleDS("agent:1.0", intstr.FromString("25%")),
		To:      exampleDS("agent:1.1", intstr.FromString("25%")),
		Kubelet: simulate.KubeletModel{Startup: 10 * time.Second},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range res.Steps {
		fmt.Printf("%3v created %d deleted %d available %d/%d\n", s.Time, len(s.Created), len(s.Deleted),
			s.Status.NumberAvailable, s.Status.DesiredNumberScheduled)
	}
	fmt.Println("all available after", *res.Summary.AllAvailable, "done:", res.Summary.Done)
	// Output:
	//  0s created 0 deleted 3 available 7/10
	//  0s created 3 deleted 0 available 7/10
	// 10s created 0 deleted 3 available 7/10
	// 10s created 3 deleted 0 available 7/10
	// 20s created 0 deleted 3 available 7/10
	// 20s created 3 deleted 0 available 7/10
	// 30s created 0 deleted 1 available 9/10
	// 30s created 1 deleted 0 available 9/10
	// 40s created 0 deleted 0 available 10/10
	// all available after 40s done: true
}

// A node whose pods never turn Ready eats maxUnavailable: the rollout stalls
// and the summary names the blocking node.
func ExampleRollout_stuck() {
	res, err := simulate.Rollout(context.Background(), simulate.Scenario{
		Cluster: exampleNodes(5),
		From:    exampleDS("agent:1.0", intstr.FromInt32(1)),
		To:      exampleDS("agent:1.1", intstr.FromInt32(1)),
		Kubelet: simulate.KubeletModel{Startup: 10 * time.Second, Broken: []string{"node-03"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := res.Summary
	fmt.Println("stuck:", s.Stuck, "since", s.StuckSince)
	for _, b := range s.Blocking {
		fmt.Println("blocking:", b.Node, b.Cause)
	}
	fmt.Println("uncovered nodes:", len(s.Uncovered), "kubectl done:", s.Done)
	// Output:
	// stuck: true since 0s
	// blocking: node-03 PodNeverReady
	// uncovered nodes: 5 kubectl done: false
}

// Scripted events: a node goes NotReady mid-rollout. The lifecycle taints
// drop it from desired; its old pod, no longer Ready, is deleted as an
// unavailable old pod (regardless of budget) and never replaced (spec §3.7).
func ExampleNodeNotReady() {
	res, err := simulate.Rollout(context.Background(), simulate.Scenario{
		Cluster: exampleNodes(3),
		From:    exampleDS("agent:1.0", intstr.FromInt32(1)),
		To:      exampleDS("agent:1.1", intstr.FromInt32(1)),
		Kubelet: simulate.KubeletModel{Startup: 10 * time.Second},
		Events:  []simulate.Event{simulate.NodeNotReady(5*time.Second, "node-02")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range res.Steps {
		fmt.Printf("%3v created %v deleted %v desired %d\n", s.Time, s.Created, s.Deleted, s.Status.DesiredNumberScheduled)
	}
	// Output:
	//  0s created [] deleted [node-00] desired 3
	//  0s created [node-00] deleted [] desired 3
	//  5s created [] deleted [node-02] desired 2
	// 10s created [] deleted [node-01] desired 2
	// 10s created [node-01] deleted [] desired 2
	// 20s created [] deleted [] desired 2
}

// WriteTrace renders the steps as a table.
func ExampleWriteTrace() {
	res, err := simulate.Rollout(context.Background(), simulate.Scenario{
		Cluster: exampleNodes(3),
		To:      exampleDS("agent:1.0", intstr.FromInt32(1)),
		Kubelet: simulate.KubeletModel{Startup: 5 * time.Second},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = simulate.WriteTrace(os.Stdout, res, 2)
	// Output:
	// TIME     SYNC   CREATED                  DELETED                  DES/CUR/RDY/UPD/AVL/UNAV/MIS
	// 0s       1      3:node-00,node-01,…      -                        3/3/0/3/0/3/0
	// 5s       3      -                        -                        3/3/3/3/3/0/0
}

// DefaultAPIModel is kube-controller-manager's client rate limit.
func ExampleDefaultAPIModel() {
	fmt.Printf("%+v\n", simulate.DefaultAPIModel())
	// Output: {QPS:20 Burst:30}
}

// Events are built with constructors; Rollout validates the node names.
func ExampleTainted() {
	res, err := simulate.Rollout(context.Background(), simulate.Scenario{
		Cluster: exampleNodes(3),
		To:      exampleDS("agent:1.0", intstr.FromInt32(1)),
		Events: []simulate.Event{
			simulate.Tainted(10*time.Second, "node-01", corev1.Taint{Key: "gpu", Effect: corev1.TaintEffectNoExecute}),
			simulate.Untainted(20*time.Second, "node-01", "gpu", corev1.TaintEffectNoExecute),
			simulate.Labeled(30*time.Second, "node-02", "pool", "a"),
			simulate.Unlabeled(40*time.Second, "node-02", "pool"),
			simulate.Cordoned(50*time.Second, "node-00"),
			simulate.Uncordoned(60*time.Second, "node-00"),
			simulate.NodeRemoved(70*time.Second, "node-02"),
			simulate.NodeAdded(80*time.Second, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-99"}}),
			simulate.NodeReady(90*time.Second, "node-99"),
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range res.Steps {
		if len(s.Created)+len(s.Deleted) > 0 {
			fmt.Printf("%3v created %v deleted %v\n", s.Time, s.Created, s.Deleted)
		}
	}
	_, err = simulate.Rollout(context.Background(), simulate.Scenario{
		Cluster: exampleNodes(1), To: exampleDS("agent:1.0", intstr.FromInt32(1)),
		Events: []simulate.Event{simulate.Cordoned(0, "ghost")},
	})
	fmt.Println(err)
	// Output:
	//  0s created [node-00 node-01 node-02] deleted []
	// 10s created [] deleted [node-01]
	// 20s created [node-01] deleted []
	// 1m20s created [node-99] deleted []
	// scenario.events[0].node: Not found: "ghost"
}

// A snapshot (kubectl output, or simulate/live) records times: its latest
// one is the Scenario.Start that reads its pods' ages and Ready times as
// they were when it was taken.
func ExampleCluster_LatestTimestamp() {
	c, err := simulate.LoadCluster(simulate.ClusterFile{Name: "nodes.yaml", Data: []byte(`apiVersion: v1
kind: Node
metadata: {name: worker-1, creationTimestamp: "2026-11-01T08:00:00Z"}
status:
  conditions:
  - {type: Ready, status: "True", lastHeartbeatTime: "2026-11-27T09:30:00Z", lastTransitionTime: "2026-11-01T08:01:00Z"}
`)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.LatestTimestamp().Format(time.RFC3339))
	// Output:
	// 2026-11-27T09:30:00Z
}

// A template the API server's Priority admission refuses (spec.priority
// without a PriorityClass that gives it): no pod is ever created. Each sync
// tries one create — the slow start's first batch — which fails with a
// FailedCreate event; the sync's error makes the work queue retry after
// 5 ms, 10 ms, 20 ms, ... up to 1000 s, where the run ends, stuck.
func ExampleRollout_admissionRefused() {
	ds := exampleDS("agent:1.0", intstr.FromInt32(1))
	prio := int32(1000)
	ds.Spec.Template.Spec.Priority = &prio
	cluster, err := exampleNodes(3).WithPriorityClasses() // no custom classes
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := simulate.Rollout(context.Background(), simulate.Scenario{Cluster: cluster, To: ds})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, st := range res.Steps[:4] {
		fmt.Printf("%v FailedCreate on %v\n", st.Time, st.FailedCreate)
	}
	fmt.Println(res.Steps[0].FailedCreateMessage)
	s := res.Summary
	fmt.Printf("%d reconciles, %d failed creates, %d creates, until %v; stuck %v: %s\n",
		s.Reconciles, s.FailedCreates, s.Creates, s.End, s.Stuck, s.Blocking[0].Cause)
	// Output:
	// 0s FailedCreate on [node-00]
	// 5ms FailedCreate on [node-00]
	// 15ms FailedCreate on [node-00]
	// 35ms FailedCreate on [node-00]
	// Error creating: pods "agent-" is forbidden: the integer value of priority (1000) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name
	// 19 reconciles, 19 failed creates, 0 creates, until 21m50.715s; stuck true: AdmissionRefused
}
