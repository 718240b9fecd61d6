package presets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/daemonkit/daemonkit/internal/goldentest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/daemonkit/daemonkit/builder"
	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
	"pgregory.net/rapid"
)

// cleanDaemonSet has no lint findings at all; each test case breaks one rule.
func cleanDaemonSet() *appsv1.DaemonSet {
	ten := intstr.FromString("10%")
	return &appsv1.DaemonSet{
		Spec: appsv1.DaemonSetSpec{
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &ten}},
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				NodeSelector:      map[string]string{corev1.LabelOSStable: "linux"},
				PriorityClassName: "high",
				Containers: []corev1.Container{{
					Name: "agent", Image: "example.com/agent:1.2.3",
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
					Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("16Mi")},
						Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("32Mi")},
					},
					ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromString("http")}}},
					LivenessProbe:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}}},
					Env:            []corev1.EnvVar{{Name: "LOG_LEVEL", Value: "info"}},
				}},
			}},
		},
	}
}

func lintIDs(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		if !slices.Contains(out, f.ID) {
			out = append(out, f.ID)
		}
	}
	return out
}

func TestLintCleanDaemonSetHasNoFindings(t *testing.T) {
	if fs := Lint(cleanDaemonSet()); len(fs) != 0 {
		t.Fatalf("clean DaemonSet has findings: %v", fs)
	}
}

// Each check fires on the one rule its case breaks, and only that check
// fires, at the path named. Removing a check makes its case fail.
func TestLintChecks(t *testing.T) {
	hostPath := func(s *corev1.PodSpec, path string, readOnly bool) {
		s.Volumes = append(s.Volumes, corev1.Volume{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: path}}})
		s.Containers[0].VolumeMounts = append(s.Containers[0].VolumeMounts, corev1.VolumeMount{Name: "host", MountPath: "/host", ReadOnly: readOnly})
	}
	tests := []struct {
		id, name string
		mutate   func(ds *appsv1.DaemonSet, s *corev1.PodSpec)
		path     string
	}{
		{"DK100", "unknown check in an ignore-check annotation", func(ds *appsv1.DaemonSet, _ *corev1.PodSpec) {
			ds.Annotations = map[string]string{IgnoreCheckAnnotationPrefix + "DK199": "why"}
		}, "metadata.annotations[ignore-check.lint.daemonkit.io/DK199]"},
		{"DK100", "ignore-check annotation without a reason", func(ds *appsv1.DaemonSet, _ *corev1.PodSpec) {
			ds.Annotations = map[string]string{IgnoreCheckAnnotationPrefix + "DK115": " "}
		}, "metadata.annotations[ignore-check.lint.daemonkit.io/DK115]"},
		{"DK100", "the retired whole-DaemonSet annotation", func(ds *appsv1.DaemonSet, _ *corev1.PodSpec) {
			ds.Annotations = map[string]string{LintIgnoreAnnotation: "DK115"}
		}, "metadata.annotations[lint.daemonkit.io/ignore]"},
		{"DK100", "DK100 cannot be silenced", func(ds *appsv1.DaemonSet, _ *corev1.PodSpec) {
			ds.Annotations = map[string]string{IgnoreCheckAnnotationPrefix + "DK100": "no"}
		}, "metadata.annotations[ignore-check.lint.daemonkit.io/DK100]"},
		{"DK100", "ignore-check annotation on the pod template", func(ds *appsv1.DaemonSet, _ *corev1.PodSpec) {
			ds.Spec.Template.Annotations = map[string]string{IgnoreCheckAnnotationPrefix + "DK115": "why"}
		}, "spec.template.metadata.annotations[ignore-check.lint.daemonkit.io/DK115]"},
		{"DK101", "no cpu request", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			delete(s.Containers[0].Resources.Requests, corev1.ResourceCPU)
		}, "spec.template.spec.containers[0].resources.requests"},
		{"DK101", "sidecar init container without requests", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			c := s.Containers[0]
			c.Name, c.Resources.Requests = "sidecar", nil
			c.RestartPolicy = ptr.To(corev1.ContainerRestartPolicyAlways)
			s.InitContainers = []corev1.Container{c}
		}, "spec.template.spec.initContainers[0].resources.requests"},
		{"DK102", "no memory limit", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.Containers[0].Resources.Limits = nil
		}, "spec.template.spec.containers[0].resources.limits"},
		{"DK103", "no readiness probe", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.Containers[0].ReadinessProbe = nil
		}, "spec.template.spec.containers[0].readinessProbe"},
		{"DK104", "latest tag", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.Containers[0].Image = "example.com:5000/agent:latest"
		}, "spec.template.spec.containers[0].image"},
		{"DK104", "untagged image behind a registry port", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.Containers[0].Image = "example.com:5000/agent"
		}, "spec.template.spec.containers[0].image"},
		{"DK105", "writable hostPath without reason", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			hostPath(s, "/var/log", false)
		}, "spec.template.spec.containers[0].volumeMounts[0].readOnly"},
		{"DK106", "privileged without reason", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr.To(true)}
		}, "spec.template.spec.containers[0].securityContext.privileged"},
		{"DK106", "hostPID without reason", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.HostPID = true
		}, "spec.template.spec.hostPID"},
		{"DK106", "non-default capability without reason", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.Containers[0].SecurityContext = &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"CHOWN", "SYS_ADMIN"}}}
		}, "spec.template.spec.containers[0].securityContext.capabilities.add[1]"},
		{"DK106", "privilege escalation allowed", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.Containers[0].SecurityContext = &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(true)}
		}, "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation"},
		{"DK107", "no OS selector", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.NodeSelector = nil
		}, "spec.template.spec.nodeSelector"},
		{"DK107", "OS constrained in only one of two affinity terms", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.NodeSelector = nil
			s.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{
					{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: corev1.LabelOSStable, Operator: corev1.NodeSelectorOpIn, Values: []string{"linux"}}}},
					{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "pool", Operator: corev1.NodeSelectorOpExists}}},
				}}}}
		}, "spec.template.spec.nodeSelector"},
		{"DK108", "CNI agent at a low priority", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			hostPath(s, "/opt/cni/bin", true)
		}, "spec.template.spec.priorityClassName"},
		{"DK109", "maxSurge with a hostPort", func(ds *appsv1.DaemonSet, s *corev1.PodSpec) {
			one, zero := intstr.FromInt32(1), intstr.FromInt32(0)
			ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxSurge: &one, MaxUnavailable: &zero}
			s.Containers[0].Ports[0].HostPort = 8080
		}, "spec.template.spec.containers[0].ports[0].hostPort"},
		{"DK110", "tolerate every NoExecute taint without reason", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute}}
		}, "spec.template.spec.tolerations[0]"},
		{"DK111", "readiness probe on an undeclared port name", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.Containers[0].ReadinessProbe.HTTPGet.Port = intstr.FromString("metrics")
		}, "spec.template.spec.containers[0].readinessProbe.httpGet.port"},
		{"DK112", "hostNetwork with ClusterFirst", func(ds *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.HostNetwork = true
			s.Containers[0].Ports = nil
			s.Containers[0].ReadinessProbe.HTTPGet.Port = intstr.FromInt32(8080)
			ds.Spec.Template.Annotations = map[string]string{builder.PrivilegesAnnotation: `[{"privilege":"hostNetwork","container":"","reason":"test"}]`}
		}, "spec.template.spec.dnsPolicy"},
		{"DK113", "tolerationSeconds on not-ready", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.Tolerations = []corev1.Toleration{{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](30)}}
		}, "spec.template.spec.tolerations[0].tolerationSeconds"},
		{"DK114", "OnDelete", func(ds *appsv1.DaemonSet, _ *corev1.PodSpec) {
			ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
		}, "spec.updateStrategy.type"},
		{"DK115", "no priority class", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.PriorityClassName = ""
		}, "spec.template.spec.priorityClassName"},
		{"DK116", "default update strategy", func(ds *appsv1.DaemonSet, _ *corev1.PodSpec) {
			ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{}
		}, "spec.updateStrategy.rollingUpdate.maxUnavailable"},
		{"DK117", "docker socket", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			hostPath(s, "/var/run/docker.sock", true)
		}, "spec.template.spec.volumes[0].hostPath.path"},
		{"DK118", "no liveness probe", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.Containers[0].LivenessProbe = nil
		}, "spec.template.spec.containers[0].livenessProbe"},
		{"DK119", "duplicate env", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.Containers[0].Env = append(s.Containers[0].Env, corev1.EnvVar{Name: "LOG_LEVEL", Value: "debug"})
		}, "spec.template.spec.containers[0].env[1]"},
		{"DK120", "literal token", func(_ *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.Containers[0].Env = append(s.Containers[0].Env, corev1.EnvVar{Name: "API_TOKEN", Value: "abc"})
		}, "spec.template.spec.containers[0].env[1].value"},
		{"DK121", "tolerate all without excluding virtual nodes", func(ds *appsv1.DaemonSet, s *corev1.PodSpec) {
			s.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
			s.PriorityClassName = "system-node-critical"
			ds.Spec.Template.Annotations = map[string]string{TolerateAllReasonAnnotation: "test"}
		}, "spec.template.spec.affinity.nodeAffinity"},
		{"DK122", "maxSurge on the host network without declared ports", func(ds *appsv1.DaemonSet, s *corev1.PodSpec) {
			one, zero := intstr.FromInt32(1), intstr.FromInt32(0)
			ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxSurge: &one, MaxUnavailable: &zero}
			s.HostNetwork = true
			s.DNSPolicy = corev1.DNSClusterFirstWithHostNet
			s.Containers[0].Ports = nil
			s.Containers[0].ReadinessProbe.HTTPGet.Port = intstr.FromInt32(8080)
			ds.Spec.Template.Annotations = map[string]string{builder.PrivilegesAnnotation: `[{"privilege":"hostNetwork","container":"","reason":"test"}]`}
		}, "spec.updateStrategy.rollingUpdate.maxSurge"},
		{"DK123", "maxSurge with an anti-affinity term matching its own pods", func(ds *appsv1.DaemonSet, s *corev1.PodSpec) {
			one, zero := intstr.FromInt32(1), intstr.FromInt32(0)
			ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxSurge: &one, MaxUnavailable: &zero}
			s.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{
				{TopologyKey: corev1.LabelHostname, LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "other"}}},
				{TopologyKey: corev1.LabelHostname, LabelSelector: &metav1.LabelSelector{MatchLabels: ds.Spec.Template.Labels}},
			}}}
		}, "spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[1]"},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.id+" "+tt.name, func(t *testing.T) {
			ds := cleanDaemonSet()
			tt.mutate(ds, &ds.Spec.Template.Spec)
			fs := Lint(ds)
			if got := lintIDs(fs); !slices.Equal(got, []string{tt.id}) {
				t.Fatalf("checks fired %q, want only %s: %v", got, tt.id, fs)
			}
			if fs[0].Path != tt.path {
				t.Errorf("path %q, want %q", fs[0].Path, tt.path)
			}
			if fs[0].Message == "" || fs[0].Hint == "" {
				t.Errorf("finding without message or hint: %+v", fs[0])
			}
			covered[tt.id] = true
		})
	}
	for _, c := range LintChecks() {
		if !covered[c.ID] {
			t.Errorf("check %s has no test case", c.ID)
		}
	}
}

// Reasons recorded by the builder silence DK105, DK106 and DK110.
func TestLintAcceptsRecordedReasons(t *testing.T) {
	ds := mustBuild(t, builder.New("agent").
		Container("agent", "example.com/agent:1",
			builder.HostPath("log", "/var/log", "/var/log", builder.Writable("keeps its offsets")),
			builder.Privileged("loads eBPF programs"),
			builder.AddCapability("NET_ADMIN", "programs routes")).
		HostPID("reads processes").
		TolerateAll())
	ds.Spec.Template.Annotations[TolerateAllReasonAnnotation] = "must run everywhere"
	for _, f := range Lint(ds) {
		if f.ID == "DK105" || f.ID == "DK106" || f.ID == "DK110" {
			t.Errorf("fires despite a reason: %s", f)
		}
	}
	// Without the reasons the same object fires all three.
	delete(ds.Spec.Template.Annotations, builder.PrivilegesAnnotation)
	delete(ds.Spec.Template.Annotations, TolerateAllReasonAnnotation)
	got := lintIDs(Lint(ds))
	for _, id := range []string{"DK105", "DK106", "DK110"} {
		if !slices.Contains(got, id) {
			t.Errorf("%s does not fire without a reason (got %q)", id, got)
		}
	}
}

// An ignore-check annotation silences its check only, with its reason;
// the silenced findings are kept in Suppressed, in order.
func TestLintIgnoreCheckAnnotation(t *testing.T) {
	ds := cleanDaemonSet()
	ds.Spec.Template.Spec.PriorityClassName = ""
	ds.Spec.Template.Spec.Containers[0].LivenessProbe = nil
	ds.Spec.Template.Spec.Containers[0].ReadinessProbe = nil
	ds.Annotations = map[string]string{
		IgnoreCheckAnnotationPrefix + "DK115": " runs at the default priority on purpose ",
		IgnoreCheckAnnotationPrefix + "DK118": "exits when it hangs",
		IgnoreCheckAnnotationPrefix + "DK120": "nothing to silence",
		"example.com/other":                   "",
	}
	res := LintDaemonSet(ds)
	if got := lintIDs(res.Findings); !slices.Equal(got, []string{"DK103"}) {
		t.Errorf("reported %q, want only DK103: %v", got, res.Findings)
	}
	var sup []string
	for _, f := range res.Suppressed {
		sup = append(sup, f.ID+"="+f.Justification)
	}
	if want := []string{"DK115=runs at the default priority on purpose", "DK118=exits when it hangs"}; !slices.Equal(sup, want) {
		t.Errorf("suppressed %q, want %q", sup, want)
	}
	if !slices.Equal(Lint(ds), res.Findings) {
		t.Error("Lint differs from LintDaemonSet().Findings")
	}
}

// The retired whole-DaemonSet annotation silences nothing and is an error
// pointing to one ignore-check annotation per check.
func TestLintRetiredIgnoreAnnotation(t *testing.T) {
	ds := cleanDaemonSet()
	ds.Spec.Template.Spec.PriorityClassName = ""
	ds.Annotations = map[string]string{LintIgnoreAnnotation: "DK115, DK118"}
	res := LintDaemonSet(ds)
	if got := lintIDs(res.Findings); !slices.Equal(got, []string{"DK100", "DK115"}) {
		t.Fatalf("reported %q, want DK100 and DK115", got)
	}
	msg := res.Findings[0].Message
	for _, want := range []string{"no longer read", `ignore-check.lint.daemonkit.io/DK115: "<why>"`, `ignore-check.lint.daemonkit.io/DK118: "<why>"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("DK100 message %q lacks %q", msg, want)
		}
	}
	if len(res.Suppressed) != 0 {
		t.Errorf("suppressed %v", res.Suppressed)
	}
}

// A CNI agent writes its configuration, binaries, state and the iptables
// lock: DK105 accepts those paths on a CNI agent, and only there.
func TestLintWritableHostPathCNIAgent(t *testing.T) {
	mount := func(s *corev1.PodSpec, name, p string) {
		s.Volumes = append(s.Volumes, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: p}}})
		s.Containers[0].VolumeMounts = append(s.Containers[0].VolumeMounts, corev1.VolumeMount{Name: name, MountPath: "/host/" + name})
	}
	tests := []struct {
		paths []string
		want  []string // hostPaths DK105 reports
	}{
		{[]string{"/etc/cni/net.d", "/opt/cni/bin/", "/run/xtables.lock", "/run/flannel"}, nil},
		{[]string{"/etc/cni/net.d", "/var/run/calico", "/var/lib/calico", "/var/log/calico/cni", "/var/run/nodeagent", "/var/lib/cni/networks", "/sys/fs/bpf"}, nil},
		{[]string{"/etc/cni/net.d", "/var/run/cilium", "/var/run/cilium/envoy/sockets", "/run/cilium/cgroupv2", "/proc/sys/net", "/proc/sys/kernel"}, nil},
		// /run and /var/run are the same directory.
		{[]string{"/opt/cni/bin", "/var/run/xtables.lock", "/run/calico"}, nil},
		// Broad host access stays a finding on a CNI agent.
		{[]string{"/opt/cni/bin", "/proc", "/sys/fs", "/etc/cni", "/var/lib/calico-other"}, []string{"/proc", "/sys/fs", "/etc/cni", "/var/lib/calico-other"}},
		// Not a CNI agent: the same paths are findings.
		{[]string{"/run/xtables.lock", "/var/run/cilium"}, []string{"/run/xtables.lock", "/var/run/cilium"}},
	}
	for _, tt := range tests {
		ds := cleanDaemonSet()
		for i, p := range tt.paths {
			mount(&ds.Spec.Template.Spec, fmt.Sprintf("v%d", i), p)
		}
		var got []string
		for _, f := range Lint(ds) {
			if f.ID == "DK105" {
				i := strings.Index(f.Message, `hostPath "`) + len(`hostPath "`)
				got = append(got, f.Message[i:i+strings.IndexByte(f.Message[i:], '"')])
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: DK105 on %q, want %q", tt.paths, got, tt.want)
		}
	}
}

// Every hint says the YAML change first; a check with a builder call names
// it after, in parentheses.
func TestLintHintsSpeakYAMLFirst(t *testing.T) {
	ds := cleanDaemonSet()
	s := &ds.Spec.Template.Spec
	s.HostNetwork, s.PriorityClassName, s.NodeSelector = true, "", nil
	s.Containers[0].Resources = corev1.ResourceRequirements{}
	s.Containers[0].ReadinessProbe, s.Containers[0].LivenessProbe = nil, nil
	s.Containers[0].Image = "agent"
	s.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr.To(true), Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"SYS_ADMIN"}}}
	s.Volumes = []corev1.Volume{{Name: "h", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log"}}}}
	s.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "h", MountPath: "/var/log"}}
	checks := map[string]LintCheck{}
	for _, c := range LintChecks() {
		checks[c.ID] = c
	}
	fs := Lint(ds)
	if len(fs) < 8 {
		t.Fatalf("only %d findings", len(fs))
	}
	for _, f := range fs {
		c := checks[f.ID]
		if strings.Contains(f.Hint, "on the builder") || strings.HasPrefix(f.Hint, "(") {
			t.Errorf("%s hint %q speaks builder first", f.ID, f.Hint)
		}
		if c.Builder != "" && (!strings.HasSuffix(f.Hint, ")") || strings.Index(f.Hint, " (builder: ") < 10) {
			t.Errorf("%s hint %q does not end with a builder call", f.ID, f.Hint)
		}
	}
}

// FuzzParseIgnoreChecks: any annotations parse without a panic; every
// ignore-check key is either accepted, with a non-blank trimmed reason, or
// an error at its own path.
func FuzzParseIgnoreChecks(f *testing.F) {
	f.Add("ignore-check.lint.daemonkit.io/DK105", "CNI writes /opt/cni/bin", "lint.daemonkit.io/ignore", "DK101, DK102")
	f.Add("ignore-check.lint.daemonkit.io/", "", "ignore-check.lint.daemonkit.io/DK100", "x")
	f.Add("ignore-check.lint.daemonkit.io/dk105", "\t", "a", "b")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		ann := map[string]string{k1: v1, k2: v2}
		path := field.NewPath("metadata", "annotations")
		reasons, errs := ParseIgnoreChecks(ann, path)
		bad := map[string]bool{}
		for _, e := range errs {
			bad[e.Field] = true
		}
		for k := range ann {
			id, isIgnore := strings.CutPrefix(k, IgnoreCheckAnnotationPrefix)
			isIgnore = isIgnore || k == LintIgnoreAnnotation
			_, accepted := reasons[id]
			accepted = accepted && k != LintIgnoreAnnotation
			switch {
			case !isIgnore && bad[path.Key(k).String()]:
				t.Fatalf("error on unrelated annotation %q", k)
			case isIgnore && accepted == bad[path.Key(k).String()]:
				t.Fatalf("annotation %q=%q: accepted %v, error %v", k, ann[k], accepted, bad[path.Key(k).String()])
			}
		}
		for id, r := range reasons {
			if r == "" || r != strings.TrimSpace(r) || id == annotationCheckID {
				t.Fatalf("reason %q for %s", r, id)
			}
		}
	})
}

// hostNetwork ports count as host ports for DK109.
func TestLintSurgeWithHostNetworkPort(t *testing.T) {
	ds := cleanDaemonSet()
	one, zero := intstr.FromString("10%"), intstr.FromInt32(0)
	ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxSurge: &one, MaxUnavailable: &zero}
	ds.Spec.Template.Spec.HostNetwork = true
	found := false
	for _, f := range Lint(ds) {
		found = found || (f.ID == "DK109" && f.Path == "spec.template.spec.containers[0].ports[0].containerPort")
	}
	if !found {
		t.Error("DK109 does not fire for a hostNetwork containerPort with maxSurge")
	}
	// "0%" surge is no surge.
	zp := intstr.FromString("0%")
	ds.Spec.UpdateStrategy.RollingUpdate.MaxSurge = &zp
	for _, f := range Lint(ds) {
		if f.ID == "DK109" {
			t.Errorf("fires with maxSurge 0%%: %s", f)
		}
	}
}

// TestLintSurgeIsAllowsSurge: DK109, DK122 and DK116 ask
// daemonset.AllowsSurge (upstream daemonset_util.go AllowsSurge) about the
// DaemonSet as the API server stores it. A manifest that omits
// updateStrategy.type surges like the RollingUpdate it is stored as; a
// maxSurge upstream cannot scale ("abc%", "1" without "%", a fraction) or an
// unknown strategy type does not surge, though the former hand-written check
// said it did.
func TestLintSurgeIsAllowsSurge(t *testing.T) {
	str, num := intstr.FromString, intstr.FromInt32
	for _, tc := range []struct {
		name      string
		typ       appsv1.DaemonSetUpdateStrategyType
		maxSurge  *intstr.IntOrString
		unavail   *intstr.IntOrString
		surge     bool // DK109 and DK122 fire
		serialOne bool // DK116 fires
	}{
		{"RollingUpdate with maxSurge 1", appsv1.RollingUpdateDaemonSetStrategyType, ptr.To(num(1)), ptr.To(num(0)), true, false},
		{"type omitted, maxSurge 1: stored as RollingUpdate", "", ptr.To(num(1)), ptr.To(num(0)), true, false},
		{"type omitted, maxSurge 10%", "", ptr.To(str("10%")), ptr.To(num(1)), true, false},
		{"maxSurge 1% rounds up to one node", appsv1.RollingUpdateDaemonSetStrategyType, ptr.To(str("1%")), ptr.To(num(0)), true, false},
		{"maxSurge 0%", appsv1.RollingUpdateDaemonSetStrategyType, ptr.To(str("0%")), ptr.To(num(1)), false, true},
		{"maxSurge abc% is an error: no surge", appsv1.RollingUpdateDaemonSetStrategyType, ptr.To(str("abc%")), ptr.To(num(1)), false, true},
		{"maxSurge \"1\" without % is an error: no surge", appsv1.RollingUpdateDaemonSetStrategyType, ptr.To(str("1")), ptr.To(num(1)), false, true},
		{"maxSurge 0.5% is an error: no surge", appsv1.RollingUpdateDaemonSetStrategyType, ptr.To(str("0.5%")), ptr.To(num(1)), false, true},
		{"maxSurge -1", appsv1.RollingUpdateDaemonSetStrategyType, ptr.To(num(-1)), ptr.To(num(1)), false, true},
		{"type omitted, nothing set: maxUnavailable 1", "", nil, nil, false, true},
		{"OnDelete keeps a rollingUpdate but never surges", appsv1.OnDeleteDaemonSetStrategyType, ptr.To(num(1)), ptr.To(num(1)), false, false},
		{"unknown type never surges", "Surge", ptr.To(num(1)), ptr.To(num(1)), false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, hostNetwork := range []bool{false, true} {
				ds := cleanDaemonSet()
				ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: tc.typ}
				if tc.maxSurge != nil || tc.unavail != nil {
					ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxSurge: tc.maxSurge, MaxUnavailable: tc.unavail}
				}
				spec := &ds.Spec.Template.Spec
				spec.HostNetwork = hostNetwork
				if hostNetwork {
					spec.DNSPolicy = corev1.DNSClusterFirstWithHostNet
					spec.Containers[0].Ports = nil // DK122: undeclared ports
				} else {
					spec.Containers[0].Ports[0].HostPort = 8080 // DK109
				}
				got := lintIDs(Lint(ds))
				want := "DK109"
				if hostNetwork {
					want = "DK122"
				}
				if slices.Contains(got, want) != tc.surge {
					t.Errorf("hostNetwork=%t: %s fires = %t, want %t (findings %q)", hostNetwork, want, !tc.surge, tc.surge, got)
				}
				if slices.Contains(got, "DK116") != tc.serialOne {
					t.Errorf("hostNetwork=%t: DK116 fires = %t, want %t (findings %q)", hostNetwork, !tc.serialOne, tc.serialOne, got)
				}
			}
		})
	}
}

// TestLintImageTagParsesAsUpstream: DK104 reads the tag with
// daemonset.ImageTag (upstream pkg/util/parsers ParseImageName), so a
// registry port is not a tag, a tag beside a valid digest is pinned, and a
// reference the runtime cannot parse (which the former hand-written parser
// read as tagged or pinned) gets no tag finding.
func TestLintImageTagParsesAsUpstream(t *testing.T) {
	const hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, tt := range []struct {
		image, want string // want: the DK104 message after the image, "" for none
	}{
		{"nginx", "has no tag"},
		{"nginx:1.25", ""},
		{"nginx:latest", "uses the latest tag"},
		{"registry:5000/nginx", "has no tag"},
		{"registry:5000/team/nginx:latest", "uses the latest tag"},
		{"[::1]:5000/app", "has no tag"},
		{"nginx@sha256:" + hex, ""},
		{"nginx:latest@sha256:" + hex, ""},
		{"nginx@sha256:abc", ""},      // invalid digest: not a reference
		{"Nginx:latest", ""},          // uppercase repository: not a reference
		{"nginx@md5:" + hex[:32], ""}, // unsupported digest: not a reference
	} {
		ds := &appsv1.DaemonSet{}
		ds.Spec.Template.Spec.Containers = []corev1.Container{{Name: "c", Image: tt.image}}
		got := ""
		for _, f := range Lint(ds) {
			if f.ID == "DK104" {
				got = strings.TrimPrefix(f.Message, fmt.Sprintf("container %q image %q ", "c", tt.image))
			}
		}
		if got != tt.want {
			t.Errorf("DK104 for %q = %q, want %q", tt.image, got, tt.want)
		}
	}
}

func TestLintChecksTable(t *testing.T) {
	checks := LintChecks()
	ids := map[string]bool{}
	for i, c := range checks {
		if ids[c.ID] || c.Name == "" || c.Summary == "" || c.Source == "" || c.run == nil {
			t.Errorf("check %d (%s) duplicated or undocumented", i, c.ID)
		}
		ids[c.ID] = true
		if i > 0 && checks[i-1].ID >= c.ID {
			t.Errorf("checks not ordered by ID at %s", c.ID)
		}
		if c.Severity != SeverityError && c.Severity != SeverityWarning && c.Severity != SeverityInfo {
			t.Errorf("%s severity %q", c.ID, c.Severity)
		}
	}
}

// Properties over random DaemonSets: Lint never panics, never modifies its
// input, is deterministic, sorted, and every finding carries a known ID, its
// check's severity and a path into the object.
func TestLintProperties(t *testing.T) {
	sev := map[string]Severity{}
	for _, c := range LintChecks() {
		sev[c.ID] = c.Severity
	}
	rapid.Check(t, func(t *rapid.T) {
		meta, spec := genPodSpec(t)
		ds := &appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{ObjectMeta: *meta, Spec: *spec}}}
		if rapid.Bool().Draw(t, "surge") {
			s, z := intstr.FromInt32(1), intstr.FromInt32(0)
			ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxSurge: &s, MaxUnavailable: &z}
		}
		before, _ := json.Marshal(ds)
		a, b := Lint(ds), Lint(ds)
		after, _ := json.Marshal(ds)
		if string(before) != string(after) {
			t.Fatal("Lint modified its input")
		}
		if !slices.Equal(a, b) {
			t.Fatal("Lint is not deterministic")
		}
		for i, f := range a {
			if sev[f.ID] != f.Severity {
				t.Fatalf("finding %s severity %s", f.ID, f.Severity)
			}
			if !strings.HasPrefix(f.Path, "spec.") {
				t.Fatalf("finding %s path %q", f.ID, f.Path)
			}
			if i > 0 && (a[i-1].ID > f.ID || (a[i-1].ID == f.ID && a[i-1].Path > f.Path)) {
				t.Fatal("findings not sorted")
			}
		}
	})
}

// FuzzLint feeds arbitrary JSON as a DaemonSet to Lint and the Pod Security
// evaluation: neither may panic.
func FuzzLint(f *testing.F) {
	for _, p := range Catalog() {
		ds, err := p.Builder().Build()
		if err != nil {
			f.Fatal(err)
		}
		data, _ := json.Marshal(ds)
		f.Add(data)
	}
	f.Add([]byte(`{"spec":{"template":{"metadata":{"annotations":{"daemonkit.io/privileges":"[{]"}},"spec":{"hostNetwork":true,"containers":[{"name":"a","ports":[{"containerPort":1}]}]}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ds appsv1.DaemonSet
		if json.Unmarshal(data, &ds) != nil {
			return
		}
		_ = Lint(&ds)
		_ = EvaluatePodSecurity(&ds)
	})
}

func BenchmarkLint(b *testing.B) {
	ds := mustBuild(b, Cilium(CiliumOptions{}))
	b.ReportAllocs()
	for b.Loop() {
		_ = Lint(ds)
	}
}

// Real-world manifests (internal/testdata/manifests, with their headers) lint and evaluate to the pinned report; rerun with -update
// after a deliberate change.
func TestLintRealManifests(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "internal", "testdata", "manifests", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	var out bytes.Buffer
	for _, file := range files {
		objs, err := daemonset.DecodeFile(file)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, ds := range objs.DaemonSets {
			fmt.Fprintf(&out, "== %s %s/%s pod-security=%s\n", filepath.Base(file), ds.Namespace, ds.Name, EvaluatePodSecurity(ds).Level)
			res := LintDaemonSet(ds)
			for _, f := range res.Findings {
				fmt.Fprintf(&out, "%s\n    hint: %s\n", f, f.Hint)
			}
			for _, f := range res.Suppressed {
				fmt.Fprintf(&out, "suppressed %s (%s)\n", f, f.Justification)
			}
		}
	}
	goldentest.Check(t, "manifests.lint.golden", out.String())
}

// docs/lint.md documents every check under a heading of its ID (the SARIF
// helpUri anchors), with its name and severity.
func TestLintDocsListEveryCheck(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "docs", "lint.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, c := range LintChecks() {
		want := fmt.Sprintf("### %s\n\n`%s` · **%s**\n", c.ID, c.Name, c.Severity)
		if !strings.Contains(doc, want) {
			t.Errorf("docs/lint.md lacks %q", want)
		}
	}
	for _, p := range cniWritablePaths {
		if !strings.Contains(doc, "`"+p+"`") {
			t.Errorf("docs/lint.md does not name the CNI path %s", p)
		}
	}
}

// The CNI presets mirror the upstream manifests' hostPath mounts. With the
// builder's recorded reasons removed, as a YAML user's copy of the upstream
// manifest has none, DK105 reports only the broad mounts the CNI list
// leaves out on purpose (the host's /proc and /sys/fs).
func TestLintCNIPresetsWithoutReasons(t *testing.T) {
	want := map[string][]string{
		"calico-node": {"/sys/fs/"},
		"cilium":      {"/proc"},
		"flannel":     nil,
	}
	for name, paths := range want {
		p, _ := Lookup(name)
		ds := mustBuild(t, p.Builder())
		delete(ds.Spec.Template.Annotations, builder.PrivilegesAnnotation)
		var got []string
		for _, f := range Lint(ds) {
			if f.ID != "DK105" {
				continue
			}
			i := strings.Index(f.Message, `hostPath "`) + len(`hostPath "`)
			if p := f.Message[i : i+strings.IndexByte(f.Message[i:], '"')]; !slices.Contains(got, p) {
				got = append(got, p)
			}
		}
		if !slices.Equal(got, paths) {
			t.Errorf("%s: DK105 on %q, want %q", name, got, paths)
		}
	}
}

// The CNI agents' own manifests, as their projects publish them
// (testdata/cni, sources in each file's header): DK105 stays silent on the
// host paths a CNI agent must write, and reports only calico's whole
// /sys/fs. The full findings are pinned; rerun with -update after a
// deliberate change.
func TestLintRealCNIManifests(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "cni", "*.y*ml"))
	if err != nil || len(files) != 2 {
		t.Fatalf("CNI manifests: %v %v", files, err)
	}
	want := map[string][]string{"calico-node.yaml": {"/sys/fs/"}, "kube-flannel.yml": nil}
	var out bytes.Buffer
	for _, file := range files {
		objs, err := daemonset.DecodeFile(file)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(objs.DaemonSets) != 1 {
			t.Fatalf("%s: %d DaemonSets", file, len(objs.DaemonSets))
		}
		ds := objs.DaemonSets[0]
		fmt.Fprintf(&out, "== %s %s/%s\n", filepath.Base(file), ds.Namespace, ds.Name)
		var dk105 []string
		for _, f := range Lint(ds) {
			line, _ := objs.Position(ds, f.Path)
			fmt.Fprintf(&out, "%s (line %d)\n", f, line)
			if f.ID == "DK105" {
				i := strings.Index(f.Message, `hostPath "`) + len(`hostPath "`)
				dk105 = append(dk105, f.Message[i:i+strings.IndexByte(f.Message[i:], '"')])
			}
		}
		if !slices.Equal(dk105, want[filepath.Base(file)]) {
			t.Errorf("%s: DK105 on %q, want %q", file, dk105, want[filepath.Base(file)])
		}
	}
	goldentest.Check(t, "cni.lint.golden", out.String())
}
