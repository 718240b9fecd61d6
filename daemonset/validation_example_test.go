package daemonset_test

import (
	"fmt"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func exampleAgent() *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "node-agent", Namespace: "kube-system"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "node-agent"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "node-agent"}},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{Name: "agent", Image: "registry.k8s.io/agent:v1.2"}},
				},
			},
		},
	}
}

// Validate answers what the API server says on create: nothing for a valid
// DaemonSet, and every problem with its field path otherwise.
func ExampleValidate() {
	ds := exampleAgent()
	fmt.Println("valid:", len(daemonset.Validate(ds)) == 0)

	surge := intstr.FromString("10%")
	ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxSurge: &surge} // maxUnavailable defaults to 1
	ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpExists, Value: "gpu"}}
	ds.Spec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 9100, HostPort: 9101}}
	ds.Spec.Template.Spec.HostNetwork = true
	for _, err := range daemonset.Validate(ds) {
		fmt.Println(err)
	}
	// Output:
	// valid: true
	// spec.template.spec.containers[0].ports[0].hostPort: Invalid value: 9101: must match `containerPort` when `hostNetwork` is true
	// spec.template.spec.tolerations[0].operator: Invalid value: "gpu": value must be empty when `operator` is 'Exists'
	// spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: "10%": may not be set when maxUnavailable is non-zero
}

// StrictPrivileged models an API server started with --allow-privileged=false.
func ExampleStrictPrivileged() {
	ds := exampleAgent()
	privileged := true
	ds.Spec.Template.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: &privileged}

	fmt.Println("default:", daemonset.Validate(ds))
	fmt.Println("strict: ", daemonset.Validate(ds, daemonset.StrictPrivileged()))
	// Output:
	// default: []
	// strict:  [spec.template.spec.containers[0].securityContext.privileged: Forbidden: disallowed by cluster policy]
}

// ValidateUpdate adds the update rules: here, the selector may not change.
func ExampleValidateUpdate() {
	oldDS := exampleAgent()
	oldDS.ResourceVersion = "42"
	newDS := oldDS.DeepCopy()
	newDS.Spec.Template.Spec.Containers[0].Image = "registry.k8s.io/agent:v1.3"
	fmt.Println("image change:", daemonset.ValidateUpdate(newDS, oldDS))

	newDS.Spec.Selector.MatchLabels["tier"] = "node"
	newDS.Spec.Template.Labels["tier"] = "node"
	for _, err := range daemonset.ValidateUpdate(newDS, oldDS) {
		fmt.Println(err.Type, err.Field)
	}
	// Output:
	// image change: []
	// Invalid value spec.selector
}
