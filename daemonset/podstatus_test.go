package daemonset

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// upstream: pkg/api/v1/pod/util_test.go TestIsPodAvailable (and its newPod
// helper: a Ready condition whose lastTransitionTime is now - N seconds).
func TestIsPodAvailable(t *testing.T) {
	now := metav1.NewTime(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	readyFor := func(ready bool, secondsAgo int) *corev1.Pod {
		status := corev1.ConditionFalse
		if ready {
			status = corev1.ConditionTrue
		}
		return &corev1.Pod{Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{
			Type: corev1.PodReady, Status: status,
			LastTransitionTime: metav1.NewTime(now.Add(-time.Duration(secondsAgo) * time.Second)),
		}}}}
	}
	zeroTime := readyFor(true, 0)
	zeroTime.Status.Conditions[0].LastTransitionTime = metav1.Time{}
	for _, tc := range []struct {
		name     string
		pod      *corev1.Pod
		minReady int32
		want     bool
	}{
		{"not ready", readyFor(false, 0), 0, false},
		{"ready just now, minReadySeconds 1", readyFor(true, 0), 1, false},
		{"ready with zero transition time, minReadySeconds 1", zeroTime, 1, false},
		{"ready, minReadySeconds 0", readyFor(true, 0), 0, true},
		{"ready 51s ago, minReadySeconds 1", readyFor(true, 51), 1, true},
		{"ready 51s ago, minReadySeconds 51: inclusive boundary", readyFor(true, 51), 51, true},
		{"ready 50s ago, minReadySeconds 51", readyFor(true, 50), 51, false},
		{"ready with zero transition time, minReadySeconds 0", zeroTime, 0, true},
		{"no conditions", &corev1.Pod{}, 0, false},
		{"nil pod", nil, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsPodAvailable(tc.pod, tc.minReady, now); got != tc.want {
				t.Fatalf("IsPodAvailable = %v, want %v", got, tc.want)
			}
		})
	}
}

// upstream: pkg/api/v1/pod/util.go IsPodReady uses the first Ready
// condition only; the phase is not consulted.
func TestIsPodReady(t *testing.T) {
	cond := func(s corev1.ConditionStatus) corev1.PodCondition {
		return corev1.PodCondition{Type: corev1.PodReady, Status: s}
	}
	for _, tc := range []struct {
		name  string
		conds []corev1.PodCondition
		phase corev1.PodPhase
		want  bool
	}{
		{"Ready True", []corev1.PodCondition{cond(corev1.ConditionTrue)}, corev1.PodRunning, true},
		{"Ready True in a Failed pod", []corev1.PodCondition{cond(corev1.ConditionTrue)}, corev1.PodFailed, true},
		{"first Ready condition wins", []corev1.PodCondition{cond(corev1.ConditionFalse), cond(corev1.ConditionTrue)}, "", false},
		{"Ready Unknown", []corev1.PodCondition{cond(corev1.ConditionUnknown)}, "", false},
		{"only ContainersReady", []corev1.PodCondition{{Type: corev1.ContainersReady, Status: corev1.ConditionTrue}}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pod := &corev1.Pod{Status: corev1.PodStatus{Phase: tc.phase, Conditions: tc.conds}}
			if got := IsPodReady(pod); got != tc.want {
				t.Fatalf("IsPodReady = %v, want %v", got, tc.want)
			}
		})
	}
}
