package daemonset

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// OwnsPod reports whether the DaemonSet controller counts pod as one of ds's
// pods after it has claimed the pods of ds's namespace:
//   - a pod of another namespace is never ds's;
//   - a pod whose controller reference carries ds's UID is ds's while ds's
//     selector matches its labels (otherwise the controller releases it),
//     whether or not the pod is being deleted;
//   - a pod controlled by anything else is not ds's;
//   - an orphan (no controller reference) is adopted when the selector
//     matches, the pod is not being deleted and ds is not being deleted.
//
// An invalid or nil selector matches nothing (getDaemonPods then returns an
// error and the controller claims no pod).
//
// Extension for a DaemonSet without a UID — a manifest read from a file or
// from git, never applied, that stands for the object running in a cluster:
// a pod whose controller reference is Kind DaemonSet with ds's name (in ds's
// namespace) is ds's, whatever the reference's UID and labels. It is the
// running instance's pod, and ds is that instance's next version. Orphans are
// adopted by the same rule as above.
//
// upstream: pkg/controller/daemon/daemon_controller.go getDaemonPods,
// pkg/controller/controller_ref_manager.go ClaimPods and ClaimObject
func OwnsPod(ds *appsv1.DaemonSet, pod *corev1.Pod) bool {
	if ds == nil || pod == nil || pod.Namespace != ds.Namespace {
		return false
	}
	ref := metav1.GetControllerOf(pod)
	switch {
	case ref == nil:
		// ClaimObject: orphan; adopt only when the controller is not being
		// deleted (canAdopt: RecheckDeletionTimestamp), the selector matches
		// and the pod is not being deleted.
		return ds.DeletionTimestamp == nil && pod.DeletionTimestamp == nil && selectorMatches(ds, pod)
	case ds.UID == "":
		// the extension documented above
		return ref.Kind == "DaemonSet" && ref.Name == ds.Name
	case ref.UID != ds.UID:
		// ClaimObject: owned by someone else; ignore
		return false
	default:
		// ClaimObject: owned by us; keep while the selector matches, else release
		return selectorMatches(ds, pod)
	}
}

// selectorMatches: ds's label selector matches pod's labels.
// upstream: daemon_controller.go getDaemonPods (metav1.LabelSelectorAsSelector)
func selectorMatches(ds *appsv1.DaemonSet, pod *corev1.Pod) bool {
	if ds.Spec.Selector == nil {
		return false
	}
	sel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil {
		return false
	}
	return sel.Matches(labels.Set(pod.Labels))
}
