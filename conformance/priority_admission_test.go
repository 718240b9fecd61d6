package conformance

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/informers"
	"k8s.io/kubernetes/pkg/apis/core"
	corev1conv "k8s.io/kubernetes/pkg/apis/core/v1"
	schedulingapiv1 "k8s.io/kubernetes/pkg/apis/scheduling/v1"
	"k8s.io/kubernetes/plugin/pkg/admission/priority"
)

// upstreamPriorityAdmission is the API server's Priority admission plugin
// over a cluster's PriorityClasses (the two system classes, which the API
// server creates at start-up, and classes), each as the API server stores
// it (defaulted).
// upstream: plugin/pkg/admission/priority/admission_test.go addPriorityClasses
func upstreamPriorityAdmission(tb testing.TB, classes []*schedulingv1.PriorityClass) *priority.Plugin {
	tb.Helper()
	pl := priority.NewPlugin()
	f := informers.NewSharedInformerFactory(nil, 0)
	pl.SetExternalKubeInformerFactory(f)
	store := f.Scheduling().V1().PriorityClasses().Informer().GetStore()
	for _, pc := range append(schedulingapiv1.SystemPriorityClasses(), classes...) {
		pc = pc.DeepCopy()
		schedulingapiv1.SetObjectDefaults_PriorityClass(pc)
		if err := store.Add(pc); err != nil {
			tb.Fatal(err)
		}
	}
	return pl
}

// admitPod runs the plugin on the create of pod and returns the pod as
// admitted, or the plugin's refusal.
func admitPod(tb testing.TB, pl *priority.Plugin, pod *corev1.Pod) (*corev1.Pod, error) {
	tb.Helper()
	var internal core.Pod
	if err := corev1conv.Convert_v1_Pod_To_core_Pod(pod, &internal, nil); err != nil {
		tb.Fatal(err)
	}
	attrs := admission.NewAttributesRecord(&internal, nil, core.Kind("Pod").WithVersion("v1"), pod.Namespace, pod.Name,
		core.Resource("pods").WithVersion("v1"), "", admission.Create, &metav1.CreateOptions{}, false, nil)
	if err := pl.Admit(context.Background(), attrs, nil); err != nil {
		return nil, err
	}
	out := &corev1.Pod{}
	if err := corev1conv.Convert_core_Pod_To_v1_Pod(&internal, out, nil); err != nil {
		tb.Fatal(err)
	}
	return out, nil
}
