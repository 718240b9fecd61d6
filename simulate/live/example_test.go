package live_test

import (
	"context"
	"fmt"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/internal/fakeapi"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/live"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"
)

// LoadFrom reads a cluster through a client (Load builds the client from a
// kubeconfig); the result feeds simulate directly.
func ExampleLoadFrom() {
	agent := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "kube-system"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "agent"}},
				Spec: corev1.PodSpec{
					NodeSelector: map[string]string{"pool": "gpu"},
					Containers:   []corev1.Container{{Name: "agent", Image: "agent:1"}},
				},
			},
		},
	}
	room := corev1.NodeStatus{Allocatable: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("110")}}
	cs := fake.NewClientset(
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "gpu-1", Labels: map[string]string{"pool": "gpu"}}, Status: room},
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "cpu-1"}, Status: room},
		agent,
	)
	cluster, dss, err := live.LoadFrom(context.Background(), cs)
	if err != nil {
		fmt.Println(err)
		return
	}
	pl, err := simulate.Place(cluster, dss...)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range pl.DaemonSet("kube-system", "agent").Nodes {
		fmt.Println(n.Node, n.State)
	}
	// Output:
	// cpu-1 Excluded
	// gpu-1 Runs
}

// "Simulate this update on my real nodes": the DaemonSet as the cluster
// stores it is From, its real pods (in the snapshot) are where the rollout
// starts, and t=0 is when the cluster was read.
func ExampleLoadFrom_rollout() {
	readAt := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	agent := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "kube-system", UID: "a1", Generation: 3},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "agent"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "agent", Image: "agent:1"}}},
			},
		},
	}
	daemonset.SetDefaults(agent) // as the API server stored it
	room := corev1.NodeStatus{Allocatable: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("110")}}
	objs := []runtime.Object{agent}
	for _, node := range []string{"node-a", "node-b"} {
		objs = append(objs, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: node}, Status: room})
		p := daemonset.NewPod(agent, node) // the pod the controller made
		p.Name, p.Spec.NodeName = "agent-"+node, node
		p.Status.Phase = corev1.PodRunning
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue,
			LastTransitionTime: metav1.NewTime(readAt.Add(-time.Hour))}}
		objs = append(objs, p)
	}
	cluster, dss, err := live.LoadFrom(context.Background(), fake.NewClientset(objs...))
	if err != nil {
		fmt.Println(err)
		return
	}
	next := dss[0].DeepCopy()
	next.Spec.Template.Spec.Containers[0].Image = "agent:2"
	res, err := simulate.Rollout(context.Background(), simulate.Scenario{
		Cluster: cluster, From: dss[0], To: next, Start: readAt,
		Kubelet: simulate.KubeletModel{Startup: 10 * time.Second},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := res.Summary
	fmt.Printf("%d pods replaced (%d created), all available after %v, generation %d\n",
		s.Deletes, s.Creates, *s.AllAvailable, res.DaemonSet.Generation)
	// Output:
	// 2 pods replaced (2 created), all available after 20s, generation 4
}

// An Applier server-side-applies as field manager "daemonkit"; here a fake
// client stands in for the cluster NewApplier(config) would talk to.
func ExampleApplier_Apply() {
	mapper := meta.NewDefaultRESTMapper(nil)
	mapper.Add(schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, meta.RESTScopeRoot)
	dyn := dynamicfake.NewSimpleDynamicClient(scheme.Scheme)
	// The fake answers an apply with the applied object, as a server would.
	dyn.PrependReactor("patch", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		u := &unstructured.Unstructured{}
		err := u.UnmarshalJSON(a.(k8stesting.PatchAction).GetPatch())
		return true, u, err
	})
	ap := live.NewApplierFrom(dyn, mapper)
	res, err := ap.Apply(context.Background(), []runtime.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "monitoring"}},
	}, live.ApplyOptions{DryRun: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res {
		fmt.Println(r.GroupVersionKind.Kind, r.Name, r.Err, r.Object.GetKind())
	}
	fmt.Println("field manager:", live.FieldManager)
	// Output:
	// Namespace monitoring <nil> Namespace
	// field manager: daemonkit
}

// ReadFrom reads what the answer needs, as far as RBAC allows: this user
// may list nodes and DaemonSets but no pods, so the snapshot says what the
// answer lacks, and the answer is still given.
func ExampleReadFrom() {
	agent := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "team-x"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "agent"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "agent", Image: "agent:1"}}},
			},
		},
	}
	room := corev1.NodeStatus{Allocatable: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("110")}}
	srv := fakeapi.New([]*corev1.Node{{ObjectMeta: metav1.ObjectMeta{Name: "node-a"}, Status: room}}, nil, []*appsv1.DaemonSet{agent})
	defer srv.Close()
	srv.Allow = func(a fakeapi.Access) bool { return a.Resource != "pods" }
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	snap, err := live.ReadFrom(context.Background(), cs, live.Request{DaemonSets: []string{"team-x/agent"}, SchedulerStage: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range snap.Warnings {
		fmt.Printf("%s: %s\n", w.Code, w.Message)
	}
	pl, err := simulate.Place(snap.Cluster, snap.DaemonSets...)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range pl.DaemonSet("team-x", "agent").Nodes {
		fmt.Println(n.Node, n.State)
	}
	// Output:
	// DaemonSetPodsForbidden: cannot list pods in namespace team-x: no role grants it; the pods of DaemonSet team-x/agent are unknown: the answer takes them as one Ready pod of the current template on every node that should run one
	// OtherPodsForbidden: cannot list pods cluster-wide: the scheduler stage does not see other pods; Pending predictions are missing
	// node-a Runs
}
