package daemonset_test

import (
	"fmt"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func ExampleOwnsPod() {
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "kube-system"}, // no UID: a manifest from git
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "agent"}}},
		},
	}
	running := daemonset.NewPod(ds, "node-1")
	running.OwnerReferences[0].UID = "uid-of-the-live-object"
	orphan := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "stray", Namespace: "kube-system", Labels: map[string]string{"app": "agent"}}}
	other := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "kube-system", Labels: map[string]string{"app": "web"}}}
	fmt.Println(daemonset.OwnsPod(ds, running), daemonset.OwnsPod(ds, orphan), daemonset.OwnsPod(ds, other))
	// Output: true true false
}

func ExamplePodAsCreated() {
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "exporter", Namespace: "monitoring"},
		Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			HostNetwork: true,
			Containers: []corev1.Container{{Name: "exporter", Image: "exporter:1",
				Ports:     []corev1.ContainerPort{{ContainerPort: 9100}},
				Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}}}},
		}}},
	}
	pod := daemonset.PodAsCreated(ds, "node-1")
	c := pod.Spec.Containers[0]
	fmt.Println(pod.GenerateName, c.Resources.Requests.Cpu(), c.Ports[0].HostPort, c.Ports[0].Protocol)
	// Output: exporter- 100m 9100 TCP
}

func ExampleClaimPods() {
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "kube-system", UID: "uid-1"},
		Spec:       appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}}},
	}
	mine := daemonset.NewPod(ds, "node-1")
	mine.Name = "agent-abcde"
	mine.Labels = map[string]string{"app": "agent"}
	released := mine.DeepCopy()
	released.Name, released.Labels = "agent-debug", map[string]string{"app": "debugging"}
	for _, p := range daemonset.ClaimPods(ds, []*corev1.Pod{mine, released}) {
		fmt.Println(p.Name)
	}
	// Output: agent-abcde
}

func ExampleWithPodOnlyDefaults() {
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c",
		Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")}}}}}}
	stored := daemonset.WithPodOnlyDefaults(pod)
	fmt.Println(stored.Spec.Containers[0].Resources.Requests.Memory(), pod.Spec.Containers[0].Resources.Requests == nil)
	// Output: 256Mi true
}
