package daemonset

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The PriorityClasses every cluster has: the API server creates them at
// start-up.
// upstream: pkg/apis/scheduling/types.go SystemCriticalPriority,
// pkg/apis/scheduling/v1/helpers.go systemPriorityClasses
const (
	SystemClusterCritical         = "system-cluster-critical"
	SystemNodeCritical            = "system-node-critical"
	SystemClusterCriticalPriority = int32(2000000000)
	SystemNodeCriticalPriority    = SystemClusterCriticalPriority + 1000
)

// SystemPriorityClasses returns new copies of the two PriorityClasses the
// API server creates in every cluster, as it stores them.
// upstream: pkg/apis/scheduling/v1/helpers.go SystemPriorityClasses
func SystemPriorityClasses() []*schedulingv1.PriorityClass {
	policy := corev1.PreemptLowerPriority
	mk := func(name string, value int32, desc string) *schedulingv1.PriorityClass {
		p := policy
		return &schedulingv1.PriorityClass{
			TypeMeta:   metav1.TypeMeta{APIVersion: "scheduling.k8s.io/v1", Kind: "PriorityClass"},
			ObjectMeta: metav1.ObjectMeta{Name: name}, Value: value, Description: desc, PreemptionPolicy: &p,
		}
	}
	return []*schedulingv1.PriorityClass{
		mk(SystemNodeCritical, SystemNodeCriticalPriority, "Used for system critical pods that must not be moved from their current node."),
		mk(SystemClusterCritical, SystemClusterCriticalPriority, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
	}
}

// AdmittedPriority is what the Priority admission plugin writes into a pod
// it admits.
type AdmittedPriority struct {
	// ClassName is spec.priorityClassName: the pod's own, or the global
	// default class's name when the pod names none ("" when there is none).
	ClassName string
	// Priority is spec.priority.
	Priority int32
	// PreemptionPolicy is spec.preemptionPolicy.
	PreemptionPolicy corev1.PreemptionPolicy
}

// Preempts reports whether the pod may preempt others (its policy is not
// Never).
func (a AdmittedPriority) Preempts() bool { return a.PreemptionPolicy != corev1.PreemptNever }

// AdmitPodPriority is the Priority admission plugin on a pod's create: it
// resolves spec.priorityClassName against classes — the cluster's
// PriorityClasses; the two system classes are added unless classes holds a
// class of their name — or, when the pod names none, takes the global
// default class (the one with globalDefault and, if several, the lowest
// value; of equal values the first in classes, where upstream takes either),
// else priority 0 with PreemptLowerPriority. A class without a
// preemptionPolicy has PreemptLowerPriority (the API server's default).
//
// It refuses the pod, with a Forbidden error whose detail is the API
// server's message, when the class does not exist, when the pod sets
// spec.priority to another value than the class gives, or sets
// spec.preemptionPolicy to another policy than the class gives. A pod the
// plugin refuses is never created: the DaemonSet controller's creates fail
// (FailedCreate events) on every node.
//
// spec is not modified; nil classes entries are skipped.
//
// upstream: plugin/pkg/admission/priority/admission.go admitPod,
// establishPriority, getDefaultPriorityClass; pkg/apis/scheduling/v1
// defaults.go SetDefaults_PriorityClass
func AdmitPodPriority(spec *corev1.PodSpec, classes []*schedulingv1.PriorityClass) (AdmittedPriority, *field.Error) {
	byName := make(map[string]*schedulingv1.PriorityClass, len(classes)+2)
	for _, pc := range SystemPriorityClasses() {
		byName[pc.Name] = pc
	}
	var def *schedulingv1.PriorityClass
	for _, pc := range classes {
		if pc == nil {
			continue
		}
		byName[pc.Name] = pc
	}
	for _, pc := range classes {
		if pc != nil && pc.GlobalDefault && (def == nil || def.Value > pc.Value) {
			def = pc
		}
	}
	var out AdmittedPriority
	var pc *schedulingv1.PriorityClass
	specPath := field.NewPath("spec")
	if spec == nil {
		spec = &corev1.PodSpec{}
	}
	if spec.PriorityClassName == "" {
		pc = def
		if pc == nil {
			out.PreemptionPolicy = corev1.PreemptLowerPriority
		}
	} else {
		pc = byName[spec.PriorityClassName]
		if pc == nil {
			return AdmittedPriority{}, field.Forbidden(specPath.Child("priorityClassName"),
				fmt.Sprintf("no PriorityClass with name %v was found", spec.PriorityClassName))
		}
	}
	if pc != nil {
		out.ClassName, out.Priority = pc.Name, pc.Value
		out.PreemptionPolicy = corev1.PreemptLowerPriority
		if pc.PreemptionPolicy != nil {
			out.PreemptionPolicy = *pc.PreemptionPolicy
		}
	}
	if spec.Priority != nil && *spec.Priority != out.Priority {
		return AdmittedPriority{}, field.Forbidden(specPath.Child("priority"),
			fmt.Sprintf("the integer value of priority (%d) must not be provided in pod spec; priority admission controller computed %d from the given PriorityClass name", *spec.Priority, out.Priority))
	}
	if spec.PreemptionPolicy != nil && *spec.PreemptionPolicy != out.PreemptionPolicy {
		return AdmittedPriority{}, field.Forbidden(specPath.Child("preemptionPolicy"),
			fmt.Sprintf("the string value of PreemptionPolicy (%s) must not be provided in pod spec; priority admission controller computed %s from the given PriorityClass name", *spec.PreemptionPolicy, out.PreemptionPolicy))
	}
	return out, nil
}
