package simulate

import (
	"errors"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// boundPodPriority is the priority of a pod already in the cluster:
// spec.priority, which admission set when the pod was created; for a pod
// written without it (a hand-made cluster), what admission would set, or 0
// when it would refuse the pod.
// upstream: component-helpers scheduling/corev1 PodPriority
func boundPodPriority(spec *corev1.PodSpec, classes []*schedulingv1.PriorityClass) int32 {
	if spec.Priority != nil {
		return *spec.Priority
	}
	adm, err := daemonset.AdmitPodPriority(&corev1.PodSpec{PriorityClassName: spec.PriorityClassName}, classes)
	if err != nil {
		return 0
	}
	return adm.Priority
}

// daemonPodAdmission is what the Priority admission plugin does with the
// daemon pod of a template against the cluster's classes: the priority and
// policy it sets, or its refusal. When the cluster's classes were not given
// and the template names a class that is not a system one, admission cannot
// be decided: the pod is read as admitted with its spec.priority (else 0)
// and unknownClass is set; a template naming no class is decided as in a
// cluster without a global default class, and a refusal says so.
func daemonPodAdmission(spec *corev1.PodSpec, c *Cluster) (adm daemonset.AdmittedPriority, refused *field.Error, unknownClass bool) {
	var classes []*schedulingv1.PriorityClass
	known := false
	if c != nil {
		classes, known = c.priorityClasses, c.classesKnown
	}
	adm, refused = daemonset.AdmitPodPriority(spec, classes)
	if refused == nil || known {
		return adm, refused, false
	}
	if refused.Field != "spec.priorityClassName" {
		if spec.PriorityClassName == "" {
			// decided against no global default class
			r := *refused
			r.Detail += " (the cluster's PriorityClasses were not given: assuming no global default class)"
			refused = &r
		}
		return adm, refused, false
	}
	adm = daemonset.AdmittedPriority{ClassName: spec.PriorityClassName, PreemptionPolicy: corev1.PreemptLowerPriority}
	if spec.Priority != nil {
		adm.Priority = *spec.Priority
	}
	if spec.PreemptionPolicy != nil {
		adm.PreemptionPolicy = *spec.PreemptionPolicy
	}
	return adm, nil, true
}

// failedCreatePrefix starts the message of a FailedCreate event.
// upstream: pkg/controller/controller_utils.go RealPodControl.createPods
// ("Error creating: %v")
const failedCreatePrefix = "Error creating: "

// refusedCreateError is the error the API server returns to the
// controller's create of a daemon pod that Priority admission refuses: a
// Forbidden status naming the pod by its generateName (admission runs before
// the name is generated).
// upstream: apiserver pkg/admission/errors.go NewForbidden,
// extractResourceName; apimachinery pkg/api/errors NewForbidden;
// plugin/pkg/admission/priority/admission.go admitPod
func refusedCreateError(ds *appsv1.DaemonSet, refused *field.Error) string {
	name := daemonset.NewPodForRevision(ds, "", "").GenerateName
	return apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, name, errors.New(refused.Detail)).Error()
}
