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
	c := claimer{ds: ds}
	return c.owns(pod)
}

// ClaimPods returns the pods of pods that ds owns by OwnsPod's rule, in
// their order. It converts ds's selector once, so it is the way to claim
// from many pods.
//
// upstream: pkg/controller/controller_ref_manager.go ClaimPods (without the
// adoption and release writes: a claimed orphan is counted as adopted, a
// released pod as gone)
func ClaimPods(ds *appsv1.DaemonSet, pods []*corev1.Pod) []*corev1.Pod {
	c := claimer{ds: ds}
	var out []*corev1.Pod
	for _, p := range pods {
		if c.owns(p) {
			out = append(out, p)
		}
	}
	return out
}

// claimer applies OwnsPod's rule for one DaemonSet, converting its selector
// at most once.
type claimer struct {
	ds        *appsv1.DaemonSet
	converted bool
	sel       labels.Selector // nil: matches nothing
}

func (c *claimer) owns(pod *corev1.Pod) bool {
	ds := c.ds
	if ds == nil || pod == nil || pod.Namespace != ds.Namespace {
		return false
	}
	ref := metav1.GetControllerOfNoCopy(pod)
	switch {
	case ref == nil:
		// ClaimObject: orphan; adopt only when the controller is not being
		// deleted (canAdopt: RecheckDeletionTimestamp), the selector matches
		// and the pod is not being deleted.
		return ds.DeletionTimestamp == nil && pod.DeletionTimestamp == nil && c.selectorMatches(pod)
	case ds.UID == "":
		// the extension documented on OwnsPod
		return ref.Kind == "DaemonSet" && ref.Name == ds.Name
	case ref.UID != ds.UID:
		// ClaimObject: owned by someone else; ignore
		return false
	default:
		// ClaimObject: owned by us; keep while the selector matches, else release
		return c.selectorMatches(pod)
	}
}

// selectorMatches: ds's label selector matches pod's labels. A nil selector
// or one that does not convert matches nothing.
// upstream: daemon_controller.go getDaemonPods (metav1.LabelSelectorAsSelector)
func (c *claimer) selectorMatches(pod *corev1.Pod) bool {
	if !c.converted {
		c.converted = true
		if c.ds.Spec.Selector != nil {
			if sel, err := metav1.LabelSelectorAsSelector(c.ds.Spec.Selector); err == nil {
				c.sel = sel
			}
		}
	}
	return c.sel != nil && c.sel.Matches(labels.Set(pod.Labels))
}
