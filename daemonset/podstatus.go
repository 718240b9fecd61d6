package daemonset

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// IsPodReady reports whether the pod's first Ready condition has status True.
// The phase is not consulted. A nil pod is not ready.
//
// upstream: pkg/api/v1/pod/util.go IsPodReady
func IsPodReady(pod *corev1.Pod) bool {
	c := readyCondition(pod)
	return c != nil && c.Status == corev1.ConditionTrue
}

// IsPodAvailable reports whether pod is ready and has been ready for at least
// minReadySeconds at now: minReadySeconds is 0, or the Ready condition's
// lastTransitionTime is set and lastTransitionTime+minReadySeconds <= now
// (inclusive). A nil pod is not available.
//
// upstream: pkg/api/v1/pod/util.go IsPodAvailable
func IsPodAvailable(pod *corev1.Pod, minReadySeconds int32, now metav1.Time) bool {
	if !IsPodReady(pod) {
		return false
	}
	if minReadySeconds == 0 {
		return true
	}
	c := readyCondition(pod)
	d := time.Duration(minReadySeconds) * time.Second
	return !c.LastTransitionTime.IsZero() && c.LastTransitionTime.Add(d).Compare(now.Time) <= 0
}

// readyCondition is the pod's first condition of type Ready, or nil.
//
// upstream: pkg/api/v1/pod/util.go GetPodReadyCondition, GetPodConditionFromList
func readyCondition(pod *corev1.Pod) *corev1.PodCondition {
	if pod == nil {
		return nil
	}
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == corev1.PodReady {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}
