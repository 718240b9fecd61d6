package presets

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

func TestParseTolerations(t *testing.T) {
	ex := corev1.TolerationOpExists
	tests := []struct {
		in   string
		want []corev1.Toleration
		err  string
	}{
		{"", []corev1.Toleration{}, ""},
		{"*", []corev1.Toleration{{Operator: ex}}, ""},
		{":NoSchedule, :NoExecute", []corev1.Toleration{{Operator: ex, Effect: corev1.TaintEffectNoSchedule}, {Operator: ex, Effect: corev1.TaintEffectNoExecute}}, ""},
		{"CriticalAddonsOnly", []corev1.Toleration{{Key: "CriticalAddonsOnly", Operator: ex}}, ""},
		{"nvidia.com/gpu:NoSchedule", []corev1.Toleration{{Key: "nvidia.com/gpu", Operator: ex, Effect: corev1.TaintEffectNoSchedule}}, ""},
		{"dedicated=infra:PreferNoSchedule", []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "infra", Effect: corev1.TaintEffectPreferNoSchedule}}, ""},
		{"dedicated=", []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual}}, ""},
		{"a:Sometimes", nil, `effect "Sometimes" is not`},
		{"=v:NoSchedule", nil, "a value needs a key"},
		{":", nil, `effect "" is not`},
	}
	for _, tt := range tests {
		got, err := ParseTolerations(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseTolerations(%q) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTolerations(%q): %v", tt.in, err)
			continue
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("ParseTolerations(%q) (-want +got):\n%s", tt.in, d)
		}
	}
}

// FuzzParseTolerations: no panic; what parses formats back to a string
// that parses to the same tolerations.
func FuzzParseTolerations(f *testing.F) {
	for _, s := range []string{"*", ":NoSchedule,CriticalAddonsOnly,:NoExecute", "a=b:NoExecute", "k=", "=:", ",,", "a:b:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tols, err := ParseTolerations(s)
		if err != nil {
			return
		}
		var parts []string
		for _, tol := range tols {
			parts = append(parts, formatToleration(tol))
		}
		back, err := ParseTolerations(strings.Join(parts, ","))
		if err != nil {
			t.Fatalf("%q formats to %q, which does not parse: %v", s, parts, err)
		}
		if d := cmp.Diff(tols, back); d != "" {
			t.Fatalf("%q does not round-trip (-first +second):\n%s", s, d)
		}
	})
}

func TestSettingsSet(t *testing.T) {
	var s Settings
	for _, kv := range [][2]string{
		{"image", "registry.example/agent:2"}, {"NodeSelector", "kubernetes.io/os=linux,pool=infra"}, {"tolerations", "*"},
		{"resources.requests.cpu", "50m"}, {"resources.requests.memory", "64Mi"}, {"resources.limits.cpu", "1"}, {"resources.limits.memory", "256Mi"},
		{"maxUnavailable", "10%"}, {"maxSurge", "0"}, {"priorityClassName", "high"},
	} {
		if err := s.Set(kv[0], kv[1]); err != nil {
			t.Fatalf("Set(%s, %s): %v", kv[0], kv[1], err)
		}
	}
	want := Settings{Image: "registry.example/agent:2", NodeSelector: map[string]string{"kubernetes.io/os": "linux", "pool": "infra"},
		Tolerations: []corev1.Toleration{{Operator: corev1.TolerationOpExists}}, RequestsCPU: "50m", RequestsMemory: "64Mi",
		LimitsCPU: "1", LimitsMemory: "256Mi", MaxUnavailable: "10%", MaxSurge: "0", PriorityClassName: "high"}
	if d := cmp.Diff(want, s); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if len(SettingKeys()) != 10 {
		t.Errorf("%d keys documented, Set takes 10", len(SettingKeys()))
	}
	for _, bad := range [][2]string{{"nope", "1"}, {"nodeSelector", "novalue"}, {"resources.limits.memory", "lots"}, {"maxSurge", "-1"}, {"maxUnavailable", "ten%"}, {"tolerations", "a:Never"}} {
		if err := (&Settings{}).Set(bad[0], bad[1]); err == nil {
			t.Errorf("Set(%s, %s) accepted", bad[0], bad[1])
		}
	}
}

// Settings reach the DaemonSet of every preset, and CurrentSettings reads
// them back in the form Set takes.
func TestSettingsApplyToEveryPreset(t *testing.T) {
	s := Settings{Image: "registry.example/agent:2", NodeSelector: map[string]string{"kubernetes.io/os": "linux", "pool": "infra"},
		Tolerations: []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "infra", Effect: corev1.TaintEffectNoSchedule}},
		RequestsCPU: "50m", RequestsMemory: "64Mi", LimitsMemory: "256Mi", MaxUnavailable: "10%", PriorityClassName: "system-node-critical"}
	for _, p := range Catalog() {
		ds := mustBuild(t, s.Apply(p.Builder()))
		got := CurrentSettings(ds)
		want := map[string]string{"image": "registry.example/agent:2", "nodeSelector": "kubernetes.io/os=linux,pool=infra",
			"tolerations": "dedicated=infra:NoSchedule", "resources.requests.cpu": "50m", "resources.requests.memory": "64Mi",
			"resources.limits.memory": "256Mi", "maxUnavailable": "10%", "priorityClassName": "system-node-critical"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s=%q, want %q", p.Name, k, got[k], v)
			}
		}
	}
	// Empty, non-nil clears; the zero Settings change nothing.
	p, _ := Lookup("calico-node")
	ds := mustBuild(t, Settings{NodeSelector: map[string]string{}, Tolerations: []corev1.Toleration{}}.Apply(p.Builder()))
	if len(ds.Spec.Template.Spec.NodeSelector) != 0 || len(ds.Spec.Template.Spec.Tolerations) != 0 {
		t.Errorf("not cleared: %v %v", ds.Spec.Template.Spec.NodeSelector, ds.Spec.Template.Spec.Tolerations)
	}
	if d := cmp.Diff(mustBuild(t, p.Builder()), mustBuild(t, Settings{}.Apply(p.Builder()))); d != "" {
		t.Errorf("zero Settings changed the preset:\n%s", d)
	}
	// Surge on an OnDelete or unset strategy starts from what the API
	// server stores for RollingUpdate.
	ds = mustBuild(t, Settings{MaxSurge: "1", MaxUnavailable: "0"}.Apply(FluentBit(FluentBitOptions{})))
	if ru := ds.Spec.UpdateStrategy.RollingUpdate; ds.Spec.UpdateStrategy.Type != appsv1.RollingUpdateDaemonSetStrategyType ||
		ru.MaxSurge.String() != "1" || ru.MaxUnavailable.String() != "0" {
		t.Errorf("strategy %+v", ds.Spec.UpdateStrategy)
	}
}

func TestFormatToleration(t *testing.T) {
	for tol, want := range map[*corev1.Toleration]string{
		{Operator: corev1.TolerationOpExists}:                                "*",
		{Key: "k", Operator: corev1.TolerationOpExists, Effect: "NoExecute"}: "k:NoExecute",
		{Key: "k", Value: "v"}:                                               "k=v",
		{Key: "k", Operator: corev1.TolerationOpExists, Effect: "NoExecute", TolerationSeconds: ptr.To[int64](5)}: "k:NoExecute (for 5s)",
	} {
		if got := formatToleration(*tol); got != want {
			t.Errorf("%+v: %q, want %q", *tol, got, want)
		}
	}
}

func TestIsSystemNamespace(t *testing.T) {
	for ns, want := range map[string]bool{"kube-system": true, "default": true, "kube-public": true, "kube-node-lease": true, "monitoring": false, "": false, "kube-flannel": false} {
		if IsSystemNamespace(ns) != want {
			t.Errorf("IsSystemNamespace(%q) = %v", ns, !want)
		}
	}
}
