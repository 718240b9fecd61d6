package daemonset

import (
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// FilterPodsWithPDBViolation splits the scheduler's preemption candidates
// on one node, pods (in the order the scheduler tries to reprieve them, the
// more important first), into those whose eviction would violate a
// PodDisruptionBudget and the others, as indexes into pods, each in pods'
// order. Walking pods in order, each pod takes one disruption from every
// PDB of its namespace whose selector matches its labels (a PDB with an
// empty or invalid selector matches nothing; a pod a PDB already lists in
// status.disruptedPods takes none from it), starting from the PDBs'
// status.disruptionsAllowed; a pod that takes one a PDB no longer has
// violates it. A pod without labels violates nothing. Preemption tries to
// reprieve the violating pods first, and counts those it must evict.
//
// upstream: pkg/scheduler/framework/preemption/util.go
// FilterVictimsWithPDBViolation (one pod per victim; pod groups are not
// modelled)
func FilterPodsWithPDBViolation(pods []*corev1.Pod, pdbs []*policyv1.PodDisruptionBudget) (violating, nonViolating []int) {
	allowed := make([]int32, len(pdbs))
	selectors := make([]labels.Selector, len(pdbs))
	for i, pdb := range pdbs {
		if pdb == nil {
			continue
		}
		allowed[i] = pdb.Status.DisruptionsAllowed
		if s, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector); err == nil {
			selectors[i] = s
		}
	}
	isViolating := func(pod *corev1.Pod) bool {
		if len(pod.Labels) == 0 {
			return false
		}
		for i, pdb := range pdbs {
			if pdb == nil || pdb.Namespace != pod.Namespace || selectors[i] == nil {
				continue
			}
			if selectors[i].Empty() || !selectors[i].Matches(labels.Set(pod.Labels)) {
				continue
			}
			if _, disrupted := pdb.Status.DisruptedPods[pod.Name]; disrupted {
				continue
			}
			allowed[i]--
			if allowed[i] < 0 {
				return true
			}
		}
		return false
	}
	for i, pod := range pods {
		if pod != nil && isViolating(pod) {
			violating = append(violating, i)
		} else {
			nonViolating = append(nonViolating, i)
		}
	}
	return violating, nonViolating
}
