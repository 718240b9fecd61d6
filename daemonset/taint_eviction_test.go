package daemonset

import (
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

func secondsPtr(s int64) *int64 { return &s }

// Mirrors upstream pkg/controller/tainteviction/taint_eviction_test.go
// TestGetMinTolerationTime and the processPodOnNode decisions of
// TestCreatePod / TestUpdateNode ("pod with tolerations", "pod with
// unmatching tolerations", "pod with tolerations for a limited time").
func TestTaintEvictionDelay(t *testing.T) {
	noExec := corev1.Taint{Key: "x", Value: "y", Effect: corev1.TaintEffectNoExecute}
	noSched := corev1.Taint{Key: "x", Value: "y", Effect: corev1.TaintEffectNoSchedule}
	forever := corev1.Toleration{Key: "x", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute}
	tenS := corev1.Toleration{Key: "x", Operator: corev1.TolerationOpEqual, Value: "y", Effect: corev1.TaintEffectNoExecute, TolerationSeconds: secondsPtr(10)}
	zero := corev1.Toleration{Key: "x", Operator: corev1.TolerationOpExists, TolerationSeconds: secondsPtr(0)}
	cases := []struct {
		name   string
		tols   []corev1.Toleration
		taints []corev1.Taint
		delay  time.Duration
		evicts bool
	}{
		{name: "no taint", tols: nil, taints: nil},
		{name: "NoSchedule only", taints: []corev1.Taint{noSched}},
		{name: "not tolerated: at once", taints: []corev1.Taint{noExec}, evicts: true},
		{name: "tolerated for ever", tols: []corev1.Toleration{forever}, taints: []corev1.Taint{noExec}},
		{name: "tolerated for 10s", tols: []corev1.Toleration{tenS}, taints: []corev1.Taint{noExec}, delay: 10 * time.Second, evicts: true},
		{name: "the first matching toleration is used", tols: []corev1.Toleration{forever, tenS}, taints: []corev1.Taint{noExec}},
		{name: "tolerationSeconds 0: at once", tols: []corev1.Toleration{zero}, taints: []corev1.Taint{noExec}, evicts: true},
		{name: "value mismatch: not tolerated", tols: []corev1.Toleration{{Key: "x", Value: "z", Effect: corev1.TaintEffectNoExecute}},
			taints: []corev1.Taint{noExec}, evicts: true},
		{name: "Gt never matches", tols: []corev1.Toleration{{Key: "x", Operator: corev1.TolerationOpGt, Value: "1"}},
			taints: []corev1.Taint{noExec}, evicts: true},
		{name: "smallest of two", tols: []corev1.Toleration{tenS, {Key: "a", Operator: corev1.TolerationOpExists, TolerationSeconds: secondsPtr(3)}},
			taints: []corev1.Taint{noExec, {Key: "a", Effect: corev1.TaintEffectNoExecute}}, delay: 3 * time.Second, evicts: true},
	}
	for _, c := range cases {
		d, ev := TaintEvictionDelay(c.tols, c.taints)
		if d != c.delay || ev != c.evicts {
			t.Errorf("%s: %v %v, want %v %v", c.name, d, ev, c.delay, c.evicts)
		}
	}
	if got := GetMinTolerationTime(nil); got != 0 {
		t.Errorf("GetMinTolerationTime(nil) = %v, want 0", got)
	}
}

func ExampleTaintEvictionDelay() {
	ten := int64(10)
	tols := []corev1.Toleration{{Key: "maintenance", Operator: corev1.TolerationOpExists,
		Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &ten}}
	taints := []corev1.Taint{{Key: "maintenance", Effect: corev1.TaintEffectNoExecute}}
	delay, evicts := TaintEvictionDelay(tols, taints)
	fmt.Println(delay, evicts)
	// Output: 10s true
}
