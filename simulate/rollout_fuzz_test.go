package simulate

import (
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// FuzzRollout feeds arbitrary strategies, timings and scripted events to
// Rollout: it must return a result or an error, never panic or hang.
func FuzzRollout(f *testing.F) {
	f.Add(uint8(10), "25%", "", int32(0), int16(10), []byte{0, 1, 2, 3}, false, int64(0))
	f.Add(uint8(5), "0", "1", int32(5), int16(3), []byte{4, 5, 6, 7, 8, 9}, true, int64(3))
	f.Add(uint8(3), "abc", "x%", int32(-1), int16(-5), []byte{}, false, int64(-1))
	f.Fuzz(func(t *testing.T, nodes uint8, mu, ms string, minReady int32, startup int16, script []byte, surgeOnFrom bool, seed int64) {
		n := int(nodes % 24)
		mk := func(img string) *appsv1.DaemonSet {
			d := rolloutDS(img, nil)
			ru := &appsv1.RollingUpdateDaemonSet{}
			v := intstr.Parse(mu)
			ru.MaxUnavailable = &v
			if ms != "" {
				w := intstr.Parse(ms)
				ru.MaxSurge = &w
			}
			d.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: ru}
			d.Spec.MinReadySeconds = minReady
			return d
		}
		s := Scenario{Cluster: testCluster(n), From: mk("img:v1"), To: mk("img:v2"),
			Kubelet: KubeletModel{Startup: time.Duration(startup) * time.Second, Termination: time.Duration(seed%7) * time.Second},
			Order:   Order{Kind: OrderKind(seed & 3), Seed: seed},
			Limits:  Limits{MaxTime: 2 * time.Hour, MaxReconciles: 20000}}
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("n%02d", i)
			switch (seed >> (2 * (i % 30))) & 7 {
			case 1:
				s.Kubelet.Broken = append(s.Kubelet.Broken, name)
			case 2:
				s.Kubelet.CrashLoop = append(s.Kubelet.CrashLoop, name)
			case 3:
				s.Kubelet.Pending = append(s.Kubelet.Pending, name)
			case 4:
				s.Kubelet.Failing = append(s.Kubelet.Failing, name)
			}
		}
		if surgeOnFrom {
			s.API = DefaultAPIModel()
			s.Kubelet.SchedulerStage = true
			s.Kubelet.BindPerSecond = int(seed % 5)
		}
		kinds := []EventKind{EventNodeAdd, EventNodeRemove, EventTaint, EventUntaint, EventLabel, EventUnlabel,
			EventNotReady, EventReady, EventCordon, EventUncordon}
		for k := 0; k+2 < len(script) && k < 60; k += 3 {
			ev := Event{At: time.Duration(script[k]) * time.Second, Kind: kinds[int(script[k+1])%len(kinds)],
				Node: fmt.Sprintf("n%02d", int(script[k+2])%max(n+2, 1))}
			switch ev.Kind {
			case EventNodeAdd:
				ev.NewNode = &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("new%d", script[k+2])}}
			case EventTaint, EventUntaint:
				ev.Taint = corev1.Taint{Key: "k", Effect: []corev1.TaintEffect{corev1.TaintEffectNoSchedule,
					corev1.TaintEffectNoExecute, corev1.TaintEffectPreferNoSchedule}[int(script[k+2])%3]}
			case EventLabel, EventUnlabel:
				ev.Key, ev.Value = "pool", "a"
			}
			s.Events = append(s.Events, ev)
		}
		r, err := Rollout(context.Background(), s)
		if err != nil {
			return
		}
		if r.Summary.Reconciles > 20000 || r.DaemonSet == nil {
			t.Fatalf("limits ignored or no object: %+v", r.Summary)
		}
	})
}
