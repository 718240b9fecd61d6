package daemonset_test

import (
	"fmt"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func gpuAgent() *appsv1.DaemonSet {
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "gpu-agent", Namespace: "monitoring"}}
	ds.Spec.Template.Labels = map[string]string{"app": "gpu-agent"}
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"nvidia.com/gpu.present": "true"}
	ds.Spec.Template.Spec.Containers = []corev1.Container{{Name: "agent", Image: "agent:1.0"}}
	return ds
}

func ExampleEvaluate() {
	ds := gpuAgent()
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "gpu-1", Labels: map[string]string{"nvidia.com/gpu.present": "true"}},
		Spec: corev1.NodeSpec{Taints: []corev1.Taint{
			{Key: "nvidia.com/gpu", Value: "present", Effect: corev1.TaintEffectNoSchedule},
		}},
	}
	d := daemonset.Evaluate(ds, node)
	fmt.Println(d.ShouldRun, d.ShouldContinueRunning)
	for _, r := range d.Reasons {
		fmt.Println(r.Kind, r.Taint.Key)
		fmt.Println(r)
	}
	// Output:
	// false true
	// UntoleratedTaint nvidia.com/gpu
	// taint nvidia.com/gpu=present:NoSchedule is not tolerated; no new daemon pod, but an existing one may stay (NoSchedule only)
}

func ExampleNewPlacer() {
	ds := gpuAgent()
	ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Key: "nvidia.com/gpu", Operator: corev1.TolerationOpExists}}
	p := daemonset.NewPlacer(ds) // compile once, evaluate many nodes

	nodes := []*corev1.Node{
		{ObjectMeta: metav1.ObjectMeta{Name: "cpu-1"}},
		{ObjectMeta: metav1.ObjectMeta{Name: "gpu-1", Labels: map[string]string{"nvidia.com/gpu.present": "true"}},
			Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "nvidia.com/gpu", Value: "present", Effect: corev1.TaintEffectNoSchedule}}}},
	}
	desired := 0
	for _, n := range nodes {
		if run, _ := p.ShouldRun(n); run {
			desired++
		}
	}
	fmt.Println("desired:", desired)
	fmt.Println(p.Evaluate(nodes[0]).Reasons[0])
	// Output:
	// desired: 1
	// nodeSelector needs label nvidia.com/gpu.present=true; node has no label nvidia.com/gpu.present
}

func ExampleNewPod() {
	ds := gpuAgent()
	ds.Annotations = map[string]string{daemonset.TemplateGenerationAnnotation: "1"}
	pod := daemonset.NewPod(ds, "gpu-1")
	fmt.Println(pod.GenerateName, pod.Namespace)
	fmt.Println(pod.Labels)
	node, _ := daemonset.TargetNodeName(pod)
	fmt.Println(node, len(pod.Spec.Tolerations), pod.OwnerReferences[0].Kind)
	// Output:
	// gpu-agent- monitoring
	// map[app:gpu-agent controller-revision-hash:5898c569f8 pod-template-generation:1]
	// gpu-1 6 DaemonSet
}

func ExampleRevisionHash() {
	ds := &appsv1.DaemonSet{}
	fmt.Println(daemonset.RevisionHash(ds))
	collisions := int32(1)
	ds.Status.CollisionCount = &collisions
	fmt.Println(daemonset.RevisionHash(ds))
	// Output:
	// 54f4c57dcb
	// 6554565b97
}

func ExampleUpdateBudget() {
	ds := &appsv1.DaemonSet{}
	unavailable := intstr.FromString("25%")
	ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{
		Type:          appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &unavailable},
	}
	for _, desired := range []int{0, 3, 10} {
		b, err := daemonset.UpdateBudget(ds, desired)
		fmt.Printf("%d nodes: %+v %v\n", desired, b, err)
	}
	bad := intstr.FromString("25")
	ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = &bad
	_, err := daemonset.UpdateBudget(ds, 10)
	fmt.Println(err)
	// Output:
	// 0 nodes: {MaxSurge:0 MaxUnavailable:0} <nil>
	// 3 nodes: {MaxSurge:0 MaxUnavailable:1} <nil>
	// 10 nodes: {MaxSurge:0 MaxUnavailable:3} <nil>
	// spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "25": invalid value for IntOrString: invalid type: string is not a percentage
}

func ExampleDaemonPodTolerations() {
	ds := &appsv1.DaemonSet{}
	ds.Spec.Template.Spec.HostNetwork = true
	for _, t := range daemonset.DaemonPodTolerations(ds) {
		fmt.Println(t.Key, t.Operator, t.Effect)
	}
	// Output:
	// node.kubernetes.io/not-ready Exists NoExecute
	// node.kubernetes.io/unreachable Exists NoExecute
	// node.kubernetes.io/disk-pressure Exists NoSchedule
	// node.kubernetes.io/memory-pressure Exists NoSchedule
	// node.kubernetes.io/pid-pressure Exists NoSchedule
	// node.kubernetes.io/unschedulable Exists NoSchedule
	// node.kubernetes.io/network-unavailable Exists NoSchedule
}

func ExampleIsPodAvailable() {
	ready := metav1.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	pod := &corev1.Pod{Status: corev1.PodStatus{Conditions: []corev1.PodCondition{
		{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: ready},
	}}}
	now := metav1.NewTime(ready.Add(30e9))
	fmt.Println(daemonset.IsPodReady(pod), daemonset.IsPodAvailable(pod, 30, now), daemonset.IsPodAvailable(pod, 31, now))
	// Output:
	// true true false
}
