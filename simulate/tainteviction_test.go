package simulate

import (
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

func tolerateFor(key string, seconds int64) corev1.Toleration {
	return corev1.Toleration{Key: key, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &seconds}
}

func evictionTimes(r *Result, node string) []time.Duration {
	var out []time.Duration
	for _, ev := range r.Evictions {
		if ev.Node == node {
			out = append(out, ev.Time)
		}
	}
	return out
}

// A NoExecute taint tolerated for 10 s: the taint-eviction controller
// deletes the pod 10 s after it binds, the DaemonSet controller creates
// another at once, for as long as the taint stays; untainting ends the loop
// and cancels the scheduled eviction. upstream:
// pkg/controller/tainteviction/taint_eviction.go processPodOnNode;
// kubernetes/kubernetes#117520
func TestTaintEvictionLoop(t *testing.T) {
	ds := rolloutDS("img:v1", nil)
	ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{tolerateFor("maintenance", 10)}
	taint := corev1.Taint{Key: "maintenance", Effect: corev1.TaintEffectNoExecute}
	t.Run("loop while tainted", func(t *testing.T) {
		r := mustRollout(t, Scenario{Cluster: testCluster(2), To: ds, Kubelet: KubeletModel{Startup: 2 * time.Second},
			Events: []Event{Tainted(5*time.Second, "n01", taint), Untainted(38*time.Second, "n01", "maintenance", corev1.TaintEffectNoExecute)}})
		// noticed at 5 s (the taint), evicted at 15, recreated and bound at
		// 15, evicted at 25, 35; the pod bound at 35 stays (untainted at 38)
		want := []time.Duration{15 * time.Second, 25 * time.Second, 35 * time.Second}
		if got := evictionTimes(r, "n01"); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("evictions at %v, want %v\n%s", got, want, shapes(r))
		}
		// (the cancelled eviction of 45 s is the last simulated instant)
		if r.Summary.Truncated || !r.Summary.Done || *r.Summary.AllAvailable != 37*time.Second || r.Summary.End != 45*time.Second {
			t.Errorf("summary %+v", r.Summary)
		}
		if r.Summary.Creates != 5 || r.Summary.Deletes != 0 {
			t.Errorf("creates %d deletes %d, want 5 creates (2 + 3 after evictions), no controller delete", r.Summary.Creates, r.Summary.Deletes)
		}
	})
	t.Run("loop for ever", func(t *testing.T) {
		r := mustRollout(t, Scenario{Cluster: testCluster(2), To: ds, Kubelet: KubeletModel{Startup: 2 * time.Second},
			Events: []Event{Tainted(0, "n01", taint)}, Limits: Limits{MaxTime: 95 * time.Second}})
		if got := evictionTimes(r, "n01"); len(got) != 9 || got[0] != 10*time.Second || got[8] != 90*time.Second {
			t.Errorf("evictions at %v", got)
		}
		u := r.Summary.Uncovered
		if !r.Summary.Truncated || len(u) != 1 || u[0].Node != "n01" || u[0].Cause != CauseTaintEvictionLoop ||
			!strings.Contains(u[0].Detail, "10s after it binds") {
			t.Errorf("summary %+v", r.Summary)
		}
	})
	t.Run("tolerated for ever: no eviction", func(t *testing.T) {
		forever := ds.DeepCopy()
		forever.Spec.Template.Spec.Tolerations[0].TolerationSeconds = nil
		r := mustRollout(t, Scenario{Cluster: testCluster(2), To: forever, Events: []Event{Tainted(0, "n01", taint)}})
		if got := evictionTimes(r, "n01"); len(got) != 0 || !r.Summary.Done || r.Summary.Truncated {
			t.Errorf("evictions %v, summary %+v", got, r.Summary)
		}
	})
	t.Run("a later taint change keeps the eviction scheduled earlier", func(t *testing.T) {
		two := ds.DeepCopy()
		two.Spec.Template.Spec.Tolerations = append(two.Spec.Template.Spec.Tolerations, tolerateFor("other", 3))
		r := mustRollout(t, Scenario{Cluster: testCluster(1), To: two,
			Events: []Event{Tainted(0, "n00", taint), Tainted(4*time.Second, "n00", corev1.Taint{Key: "other", Effect: corev1.TaintEffectNoExecute}),
				Untainted(20*time.Second, "n00", "maintenance", corev1.TaintEffectNoExecute),
				Untainted(20*time.Second, "n00", "other", corev1.TaintEffectNoExecute)},
			Limits: Limits{MaxTime: 30 * time.Second}})
		// bound at 0: eviction at 10; the taint at 4 would make it 7 but the
		// work item of 0 stays: evicted at 10; the next pod (bound at 10,
		// both taints) at 13, 16, 19
		want := []time.Duration{10 * time.Second, 13 * time.Second, 16 * time.Second, 19 * time.Second}
		if got := evictionTimes(r, "n00"); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("evictions at %v, want %v", got, want)
		}
	})
}
