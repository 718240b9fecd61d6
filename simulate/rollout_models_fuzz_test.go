package simulate

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// fuzzReader hands out values from fuzz bytes (zero once they run out).
type fuzzReader struct{ b []byte }

func (r *fuzzReader) u8() uint8 {
	if len(r.b) == 0 {
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *fuzzReader) u64() uint64 {
	var buf [8]byte
	for i := range buf {
		buf[i] = r.u8()
	}
	return binary.LittleEndian.Uint64(buf[:])
}

// dur is a duration that is usually small, sometimes absurd.
func (r *fuzzReader) dur() time.Duration {
	switch r.u8() % 8 {
	case 0:
		return 0
	case 1:
		return time.Duration(int64(r.u64())) // any, negative included
	case 2:
		return time.Duration(r.u8()) * time.Minute
	default:
		return time.Duration(r.u8()%30) * time.Second
	}
}

// FuzzRolloutModels drives what FuzzRollout keeps fixed: the API model
// (any float QPS), template changes (strategy switches, rollbacks, hostPorts,
// termination grace), the kubelet model's timings and node lists, scheduler
// stage, bind rate and the limits. Property: a result or an error, never a
// panic or hang, and a result keeps to its limits.
func FuzzRolloutModels(f *testing.F) {
	f.Add([]byte{3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	f.Add([]byte{10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0x7f, 1, 1, 1, 9, 9, 9, 2, 2})
	f.Add([]byte("\x05\x07NaN-qps\x00\x00\x00\x00\x00\x00\xf8\x7f rollbacks and surges"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &fuzzReader{b: data}
		n := int(r.u8() % 12)
		mk := func(img string, v uint8) *appsv1.DaemonSet {
			var st *appsv1.DaemonSetUpdateStrategy
			switch v % 4 {
			case 0:
				st = maxUnavailable(intstr.FromInt32(int32(v/4%3 + 1)))
			case 1:
				st = maxSurge(intstr.FromString(fmt.Sprintf("%d%%", v)))
			case 2:
				st = onDelete()
			}
			d := rolloutDS(img, st)
			if v&16 != 0 {
				d.Spec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 80}}
			}
			if v&32 != 0 {
				g := int64(v % 90)
				d.Spec.Template.Spec.TerminationGracePeriodSeconds = &g
			}
			if v&64 != 0 {
				d.Spec.MinReadySeconds = int32(v % 20)
			}
			if v&128 != 0 {
				h := int32(v % 3)
				d.Spec.RevisionHistoryLimit = &h
			}
			return d
		}
		s := Scenario{Cluster: testCluster(n), To: mk("img:v2", r.u8())}
		if r.u8()%2 == 0 {
			s.From = mk("img:v1", r.u8())
		}
		for k, nc := 0, int(r.u8()%6); k < nc; k++ {
			at := time.Duration(k+1)*time.Duration(r.u8()%50+1)*time.Second + r.dur()%time.Second
			s.Changes = append(s.Changes, TemplateChange{At: at, DaemonSet: mk(fmt.Sprintf("img:v%d", r.u8()%4), r.u8())})
		}
		s.Kubelet = KubeletModel{Startup: r.dur(), StartupJitter: r.dur(), Termination: r.dur(),
			TerminationFromTemplate: r.u8()%2 == 0, SchedulerStage: r.u8()%2 == 0, BindPerSecond: int(int8(r.u8())) % 4}
		for i := range n {
			name := fmt.Sprintf("n%02d", i)
			switch r.u8() % 8 {
			case 1:
				s.Kubelet.Broken = append(s.Kubelet.Broken, name)
			case 2:
				s.Kubelet.CrashLoop = append(s.Kubelet.CrashLoop, name)
			case 3:
				s.Kubelet.Pending = append(s.Kubelet.Pending, name)
			case 4:
				s.Kubelet.Failing = append(s.Kubelet.Failing, name)
			case 5:
				if s.Kubelet.NodeStartup == nil {
					s.Kubelet.NodeStartup = map[string]time.Duration{}
				}
				s.Kubelet.NodeStartup[name] = r.dur()
			}
		}
		switch r.u8() % 4 {
		case 1:
			s.API = DefaultAPIModel()
		case 2:
			s.API = APIModel{QPS: math.Float64frombits(r.u64()), Burst: int(int8(r.u8()))}
		case 3:
			s.API = APIModel{QPS: float64(r.u8()%50) / 10, Burst: int(r.u8() % 5)}
		}
		s.Order = Order{Kind: OrderKind(r.u8() % 4), Seed: int64(r.u64())}
		if s.Order.Kind == OrderExplicit && n > 0 {
			s.Order.Names = []string{fmt.Sprintf("n%02d", int(r.u8())%n)}
		}
		s.Limits = Limits{MaxTime: r.dur(), MaxReconciles: int(r.u8()) * 100, MaxSteps: int(r.u8()) * 10, MaxPods: int(r.u8()) * 10}
		if s.Limits.MaxTime <= 0 || s.Limits.MaxTime > 6*time.Hour {
			s.Limits.MaxTime = 6 * time.Hour // keep each input fast; the caps have their own tests
		}
		if s.Limits.MaxReconciles == 0 {
			s.Limits.MaxReconciles = 5000
		}
		if r.u8()%2 == 1 {
			// the template startup model: any distributions (invalid ones
			// included), probes of any timing on every template
			dist := func() Dist {
				var d Dist
				for k := int(r.u8() % 4); k > 0; k-- {
					d.Points = append(d.Points, r.dur())
				}
				return d
			}
			m := &StartupModel{Pull: dist(), ContainerStart: dist(), InitRun: dist(), AppReady: dist(), Bandwidth: int64(int8(r.u8())) * 1000,
				ImageSizes: map[string]int64{"img:v2": int64(r.u64() % (1 << 41))}}
			if r.u8()%2 == 0 {
				d := dist()
				m.Stop = &d
			}
			s.Kubelet.StartupModel = m
			pr := func() *corev1.Probe {
				if r.u8()%2 == 0 {
					return nil
				}
				return &corev1.Probe{InitialDelaySeconds: int32(int8(r.u8())), PeriodSeconds: int32(r.u8() % 40), SuccessThreshold: int32(r.u8() % 4), FailureThreshold: int32(r.u8() % 6)}
			}
			for _, d := range append([]*appsv1.DaemonSet{s.To, s.From}, func() (out []*appsv1.DaemonSet) {
				for _, c := range s.Changes {
					out = append(out, c.DaemonSet)
				}
				return out
			}()...) {
				if d == nil {
					continue
				}
				c := &d.Spec.Template.Spec.Containers[0]
				c.StartupProbe, c.ReadinessProbe, c.LivenessProbe = pr(), pr(), pr()
				if r.u8()%3 == 0 {
					always := corev1.ContainerRestartPolicyAlways
					d.Spec.Template.Spec.InitContainers = []corev1.Container{{Name: "init", Image: "tools"}, {Name: "side", Image: "img:v1", RestartPolicy: &always, StartupProbe: pr()}}
				}
			}
		}
		res, err := Rollout(context.Background(), s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		sum := res.Summary
		if res.DaemonSet == nil || sum.Reconciles > s.Limits.MaxReconciles || sum.End > s.Limits.MaxTime || sum.End < 0 {
			t.Fatalf("limits ignored or no object: %+v", sum)
		}
		if s.Limits.MaxSteps > 0 && len(res.Steps) > s.Limits.MaxSteps {
			t.Fatalf("%d steps > MaxSteps %d", len(res.Steps), s.Limits.MaxSteps)
		}
		for i := 1; i < len(res.Steps); i++ {
			if res.Steps[i].Time < res.Steps[i-1].Time {
				t.Fatalf("time goes back at step %d: %v after %v", i, res.Steps[i].Time, res.Steps[i-1].Time)
			}
		}
	})
}
