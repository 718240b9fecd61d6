package simulate

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// fixedModel: pulls 10 s, container start 1 s, init containers 3 s, the
// application passes its probes 7 s after its start.
func fixedModel() *StartupModel {
	return &StartupModel{Pull: Fixed(10 * time.Second), ContainerStart: Fixed(time.Second),
		InitRun: Fixed(3 * time.Second), AppReady: Fixed(7 * time.Second)}
}

func probe(delay, period, success, failure int32) *corev1.Probe {
	return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}},
		InitialDelaySeconds: delay, PeriodSeconds: period, SuccessThreshold: success, FailureThreshold: failure}
}

// startupOnOneNode creates the DaemonSet (no earlier pods) on one node and
// returns the summary.
func startupOnOneNode(t *testing.T, m *StartupModel, edit func(spec *corev1.PodSpec), node func(n *corev1.Node)) Summary {
	t.Helper()
	ds := rolloutDS("img:v2", nil)
	if edit != nil {
		edit(&ds.Spec.Template.Spec)
	}
	c := testCluster(1)
	if node != nil {
		node(c.Nodes()[0])
	}
	r, err := Rollout(context.Background(), Scenario{Cluster: c, To: ds, Kubelet: KubeletModel{StartupModel: m}})
	if err != nil {
		t.Fatal(err)
	}
	return r.Summary
}

// TestStartupFromTemplate holds the kubelet start model to the rules of
// upstream's pkg/kubelet/prober/worker.go (doProbe: skip while the container
// has run less than initialDelaySeconds; readiness and liveness wait for the
// startup probe; thresholds count consecutive results), prober_manager.go
// UpdatePodStatus (an immediate readiness probe when the container counts as
// started) and kuberuntime_manager.go SyncPod (init containers in order,
// sidecars started before the next, then the regular containers in order,
// each pulling its image first).
func TestStartupFromTemplate(t *testing.T) {
	main := func(f func(c *corev1.Container)) func(*corev1.PodSpec) {
		return func(s *corev1.PodSpec) { f(&s.Containers[0]) }
	}
	tests := []struct {
		name string
		edit func(*corev1.PodSpec)
		node func(*corev1.Node)
		want time.Duration // 0: never (crash loop)
		why  string
	}{
		{name: "no probe: Ready when the container runs (pull 10 + start 1)", want: 11 * time.Second},
		{name: "readiness D=0: probed at start (11), fails until the app is up (18), next period at 21",
			edit: main(func(c *corev1.Container) { c.ReadinessProbe = probe(0, 10, 1, 3) }), want: 21 * time.Second},
		{name: "readiness D=5 P=10: first counted probe at ceil(5/10)*10 after start",
			edit: main(func(c *corev1.Container) { c.ReadinessProbe = probe(5, 10, 1, 3) }), want: 21 * time.Second},
		{name: "readiness D=15 P=10: first counted probe 20 s after start",
			edit: main(func(c *corev1.Container) { c.ReadinessProbe = probe(15, 10, 1, 3) }), want: 31 * time.Second},
		{name: "readiness D=10 P=10: a probe exactly at D counts (int32(seconds) < D skips)",
			edit: main(func(c *corev1.Container) { c.ReadinessProbe = probe(10, 10, 1, 3) }), want: 21 * time.Second},
		{name: "successThreshold 3 P=5: first success at 21 plus 2 periods",
			edit: main(func(c *corev1.Container) { c.ReadinessProbe = probe(0, 5, 3, 3) }), want: 31 * time.Second},
		{name: "startup probe P=2 on the ticker from binding: passes at 18, readiness probed at once",
			edit: main(func(c *corev1.Container) {
				c.StartupProbe = probe(0, 2, 1, 105)
				c.ReadinessProbe = probe(0, 10, 1, 3)
			}), want: 18 * time.Second},
		{name: "startup probe P=4: grid from binding 12, 16, 20: passes at 20, readiness at once",
			edit: main(func(c *corev1.Container) {
				c.StartupProbe = probe(0, 4, 1, 30)
				c.ReadinessProbe = probe(0, 10, 1, 3)
			}), want: 20 * time.Second},
		{name: "startup probe failing 3 times before the app is up: crash loop",
			edit: main(func(c *corev1.Container) { c.StartupProbe = probe(0, 2, 1, 3) }), why: "startup probe fails 3 times"},
		{name: "liveness failing 3 times before the app is up: crash loop",
			edit: main(func(c *corev1.Container) { c.LivenessProbe = probe(0, 2, 1, 3) }), why: "liveness probe fails 3 times"},
		{name: "liveness with a long initial delay: no restart, Ready at start",
			edit: main(func(c *corev1.Container) { c.LivenessProbe = probe(10, 10, 1, 3) }), want: 11 * time.Second},
		{name: "init container (pull 10, start 1, run 3) then a sidecar of the same image (start 1, startup probe P=1 passes at 22), then the main container (pull 10, start 1)",
			edit: func(s *corev1.PodSpec) {
				s.InitContainers = []corev1.Container{
					{Name: "init", Image: "tools:1"},
					{Name: "proxy", Image: "tools:1", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways), StartupProbe: probe(0, 1, 1, 30)},
				}
			}, want: 33 * time.Second},
		{name: "a sidecar's readiness counts for the pod's Ready",
			edit: func(s *corev1.PodSpec) {
				s.InitContainers = []corev1.Container{
					{Name: "proxy", Image: "img:v2", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways), ReadinessProbe: probe(0, 30, 1, 3)},
				}
			}, want: 41 * time.Second}, // sidecar starts 11, app 18, probes at 11, 41; main starts 12
		{name: "two containers start in order, each pulling its image",
			edit: func(s *corev1.PodSpec) {
				s.Containers = append(s.Containers, corev1.Container{Name: "b", Image: "other:1"})
			},
			want: 22 * time.Second},
		{name: "the node already holds the image (node status): no pull",
			node: func(n *corev1.Node) {
				n.Status.Images = []corev1.ContainerImage{{Names: []string{"docker.io/library/img@sha256:abc", "docker.io/library/img:v2"}}}
			}, want: time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startupOnOneNode(t, fixedModel(), tc.edit, tc.node)
			if tc.want == 0 {
				if s.AllAvailable != nil || !s.Stuck || len(s.Blocking) != 1 || s.Blocking[0].Cause != CauseCrashLoop {
					t.Fatalf("want a crash loop, got %+v", s)
				}
				if !strings.Contains(s.Blocking[0].Detail, tc.why) || !strings.Contains(s.Blocking[0].Detail, "crash loop") {
					t.Errorf("detail %q does not say %q", s.Blocking[0].Detail, tc.why)
				}
				return
			}
			if s.AllAvailable == nil || *s.AllAvailable != tc.want {
				t.Fatalf("available at %v, want %v (%+v)", s.AllAvailable, tc.want, s)
			}
		})
	}
}

// TestStartupSkipsPullOfImagesTheNodeHolds: an update that keeps the image
// (another env var) skips the pull because From's pods ran it there; an
// image change pulls.
func TestStartupSkipsPullOfImagesTheNodeHolds(t *testing.T) {
	for _, tc := range []struct {
		to   string
		want time.Duration
	}{{"img:v1", time.Second}, {"img:v2", 11 * time.Second}} {
		s := update(testCluster(3), maxUnavailable(intstr.FromInt32(3)), 0)
		s.To = rolloutDS(tc.to, maxUnavailable(intstr.FromInt32(3)))
		s.To.Spec.Template.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "X", Value: "1"}}
		s.Kubelet.StartupModel = fixedModel()
		r, err := Rollout(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		if a := r.Summary.AllAvailable; a == nil || *a != tc.want {
			t.Errorf("to %s: available at %v, want %v", tc.to, a, tc.want)
		}
	}
}

// TestStartupModelUnsetKeepsParity: without a StartupModel the fixed startup
// applies (the goldens of the parity model hold the rest).
func TestStartupModelUnsetKeepsParity(t *testing.T) {
	s := update(testCluster(4), maxUnavailable(intstr.FromInt32(1)), 7*time.Second)
	r, err := Rollout(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if a := r.Summary.AllAvailable; a == nil || *a != 28*time.Second {
		t.Fatalf("available at %v, want 28s", a)
	}
}

func TestStartupModelValidation(t *testing.T) {
	m := &StartupModel{Pull: Dist{Points: []time.Duration{5 * time.Second, time.Second}}, Bandwidth: -1,
		AppReady: Fixed(25 * time.Hour)}
	_, err := Rollout(context.Background(), Scenario{Cluster: testCluster(1), To: rolloutDS("a", nil), Kubelet: KubeletModel{StartupModel: m}})
	if err == nil {
		t.Fatal("invalid model accepted")
	}
	for _, want := range []string{"scenario.kubelet.startupModel.pull.points[1]", "scenario.kubelet.startupModel.bandwidth", "scenario.kubelet.startupModel.appReady.points[0]"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestParseDist(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      bool
	}{
		{in: "5s", want: "5s"},
		{in: "2s..20s", want: "2s..20s"},
		{in: "1s, 3s,8s,40s", want: "1s,3s,8s,40s"},
		{in: "20s..2s", err: true},
		{in: "-1s", err: true},
		{in: "25h", err: true},
		{in: "fast", err: true},
		{in: "", err: true},
	} {
		d, err := ParseDist(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("ParseDist(%q) error %v, want error %v", tc.in, err, tc.err)
			continue
		}
		if err == nil && d.String() != tc.want {
			t.Errorf("ParseDist(%q) = %s, want %s", tc.in, d, tc.want)
		}
	}
}

// TestDistDraw: quantiles interpolate linearly; a uniform draw spans its
// range.
func TestDistDraw(t *testing.T) {
	q := Quantiles(0, 10*time.Second, 100*time.Second)
	for _, tc := range []struct{ u, want float64 }{{0, 0}, {0.25, 5}, {0.5, 10}, {0.75, 55}, {0.999999, 99.9999}} {
		if got := q.draw(tc.u); got < tc.want-1e-3 || got > tc.want+1e-3 {
			t.Errorf("draw(%v) = %v, want %v", tc.u, got, tc.want)
		}
	}
	if got := Fixed(3 * time.Second).draw(0.7); got != 3 {
		t.Errorf("fixed draw %v", got)
	}
}

func FuzzParseDist(f *testing.F) {
	for _, s := range []string{"5s", "2s..20s", "1s,3s,8s,40s", "..", ",", "1h..", "9999999h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDist(s)
		if err != nil {
			return
		}
		back, err := ParseDist(d.String())
		if err != nil || back.String() != d.String() {
			t.Fatalf("%q: String %q does not parse back (%v)", s, d.String(), err)
		}
		for _, u := range []float64{0, 0.5, 0.9999} {
			if v := d.draw(u); v < 0 || v > MaxDistValue.Seconds() {
				t.Fatalf("%q: draw %v out of range", s, v)
			}
		}
	})
}

func TestNormalizeImage(t *testing.T) {
	for in, want := range map[string]string{
		"nginx":                          "docker.io/library/nginx:latest",
		"nginx:1.27":                     "docker.io/library/nginx:1.27",
		"grafana/agent:v1":               "docker.io/grafana/agent:v1",
		"quay.io/cilium/cilium:v1.16.0":  "quay.io/cilium/cilium:v1.16.0",
		"localhost/x":                    "localhost/x:latest",
		"registry:5000/x":                "registry:5000/x:latest",
		"nginx@sha256:abc":               "docker.io/library/nginx@sha256:abc",
		"docker.io/library/nginx:latest": "docker.io/library/nginx:latest",
	} {
		if got := normalizeImage(in); got != want {
			t.Errorf("normalizeImage(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestStartupModelStop: a deleted pod stops after a draw of Stop, at most
// its terminationGracePeriodSeconds; on the non-surge path the node's new
// pod is created once the old one is gone.
func TestStartupModelStop(t *testing.T) {
	for _, tc := range []struct {
		stop  time.Duration
		grace int64
		want  time.Duration
	}{{4 * time.Second, 30, 2 * (4 + 11) * time.Second}, {time.Minute, 5, 2 * (5 + 11) * time.Second}} {
		s := update(testCluster(2), maxUnavailable(intstr.FromInt32(1)), 0)
		s.To.Spec.Template.Spec.TerminationGracePeriodSeconds = ptr.To(tc.grace)
		s.From.Spec.Template.Spec.TerminationGracePeriodSeconds = ptr.To(tc.grace)
		m := fixedModel()
		m.Stop = &Dist{Points: []time.Duration{tc.stop}}
		s.Kubelet.StartupModel = m
		r := mustRollout(t, s)
		if a := r.Summary.AllAvailable; a == nil || *a != tc.want {
			t.Errorf("stop %v grace %d: available at %v, want %v", tc.stop, tc.grace, a, tc.want)
		}
	}
}
