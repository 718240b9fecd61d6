package presets

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/daemonkit/daemonkit/daemonset"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"k8s.io/utils/ptr"
	"pgregory.net/rapid"
)

func mustEvaluator(t testing.TB, v psaapi.Version) *PodSecurityEvaluator {
	t.Helper()
	ev, err := NewPodSecurityEvaluator(v)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func causePaths(f CheckFailure) []string {
	var out []string
	for _, c := range f.Causes {
		out = append(out, c.Path)
	}
	return out
}

func findFailure(r PodSecurityReport, level psaapi.Level, id string) (CheckFailure, bool) {
	lr, ok := r.Result(level)
	if !ok {
		return CheckFailure{}, false
	}
	for _, f := range lr.Failures {
		if f.ID == id {
			return f, true
		}
	}
	return CheckFailure{}, false
}

func restrictedTemplate() *corev1.PodTemplateSpec {
	return &corev1.PodTemplateSpec{Spec: corev1.PodSpec{
		SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true), SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
		Containers: []corev1.Container{{Name: "app", Image: "app:1", SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr.To(false), Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		}}},
	}}
}

// Table tests name each behaviour; the upstream cases they mirror live in
// pod-security-admission policy/check_*_test.go.
func TestPodSecurityLevels(t *testing.T) {
	ev := mustEvaluator(t, psaapi.LatestVersion())
	tests := []struct {
		name      string
		mutate    func(*corev1.PodTemplateSpec)
		level     psaapi.Level
		failingID string
		level2    psaapi.Level
		paths     []string
	}{
		{name: "fully hardened pod meets restricted", mutate: func(*corev1.PodTemplateSpec) {}, level: psaapi.LevelRestricted},
		{name: "missing drop ALL is baseline only", level: psaapi.LevelBaseline, failingID: "capabilities_restricted", level2: psaapi.LevelRestricted,
			mutate: func(p *corev1.PodTemplateSpec) { p.Spec.Containers[0].SecurityContext.Capabilities = nil },
			paths:  []string{"spec.containers[0].securityContext.capabilities"}},
		{name: "hostNetwork fails baseline at spec.hostNetwork", level: psaapi.LevelPrivileged, failingID: "hostNamespaces", level2: psaapi.LevelBaseline,
			mutate: func(p *corev1.PodTemplateSpec) { p.Spec.HostNetwork = true },
			paths:  []string{"spec.hostNetwork"}},
		{name: "hostNetwork makes containerPort a hostPort (SetDefaults_Pod)", level: psaapi.LevelPrivileged, failingID: "hostPorts", level2: psaapi.LevelBaseline,
			mutate: func(p *corev1.PodTemplateSpec) {
				p.Spec.HostNetwork = true
				p.Spec.Containers[0].Ports = []corev1.ContainerPort{{Name: "metrics", ContainerPort: 9100}}
			},
			paths: []string{"spec.containers[0].ports[0].containerPort"}},
		{name: "explicit hostPort fails baseline at hostPort", level: psaapi.LevelPrivileged, failingID: "hostPorts", level2: psaapi.LevelBaseline,
			mutate: func(p *corev1.PodTemplateSpec) {
				p.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 8080}}
			},
			paths: []string{"spec.containers[0].ports[0].hostPort"}},
		{name: "hostPath fails baseline per volume", level: psaapi.LevelPrivileged, failingID: "hostPathVolumes", level2: psaapi.LevelBaseline,
			mutate: func(p *corev1.PodTemplateSpec) {
				p.Spec.Volumes = []corev1.Volume{{Name: "cfg", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
					{Name: "log", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log"}}}}
			},
			paths: []string{"spec.volumes[1].hostPath"}},
		{name: "restricted reports hostPath as restrictedVolumes, not hostPathVolumes", level: psaapi.LevelPrivileged, failingID: "restrictedVolumes", level2: psaapi.LevelRestricted,
			mutate: func(p *corev1.PodTemplateSpec) {
				p.Spec.Volumes = []corev1.Volume{{Name: "log", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log"}}}}
			},
			paths: []string{"spec.volumes[0].hostPath"}},
		{name: "privileged init container fails baseline", level: psaapi.LevelPrivileged, failingID: "privileged", level2: psaapi.LevelBaseline,
			mutate: func(p *corev1.PodTemplateSpec) {
				p.Spec.InitContainers = []corev1.Container{{Name: "mount-bpf", Image: "x:1", SecurityContext: &corev1.SecurityContext{Privileged: ptr.To(true),
					AllowPrivilegeEscalation: ptr.To(false), Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}}}}
			},
			paths: []string{"spec.initContainers[0].securityContext.privileged"}},
		{name: "non-default capability is located by index", level: psaapi.LevelPrivileged, failingID: "capabilities_baseline", level2: psaapi.LevelBaseline,
			mutate: func(p *corev1.PodTemplateSpec) {
				p.Spec.Containers[0].SecurityContext.Capabilities.Add = []corev1.Capability{"CHOWN", "NET_ADMIN"}
			},
			paths: []string{"spec.containers[0].securityContext.capabilities.add[1]"}},
		{name: "only the unsafe sysctl is a cause", level: psaapi.LevelPrivileged, failingID: "sysctls", level2: psaapi.LevelBaseline,
			mutate: func(p *corev1.PodTemplateSpec) {
				p.Spec.SecurityContext.Sysctls = []corev1.Sysctl{{Name: "net.ipv4.tcp_syncookies", Value: "1"}, {Name: "kernel.msgmax", Value: "1"}}
			},
			paths: []string{"spec.securityContext.sysctls[1]"}},
		{name: "probe host fails baseline at the latest version", level: psaapi.LevelPrivileged, failingID: "hostProbesAndHostLifecycle", level2: psaapi.LevelBaseline,
			mutate: func(p *corev1.PodTemplateSpec) {
				p.Spec.Containers[0].LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Host: "127.0.0.1"}}}
			},
			paths: []string{"spec.containers[0].livenessProbe.httpGet.host"}},
		{name: "runAsNonRoot unset on pod and container", level: psaapi.LevelBaseline, failingID: "runAsNonRoot", level2: psaapi.LevelRestricted,
			mutate: func(p *corev1.PodTemplateSpec) { p.Spec.SecurityContext.RunAsNonRoot = nil },
			paths:  []string{"spec.containers[0].securityContext.runAsNonRoot"}},
		{name: "runAsUser 0 on the pod", level: psaapi.LevelBaseline, failingID: "runAsUser", level2: psaapi.LevelRestricted,
			mutate: func(p *corev1.PodTemplateSpec) { p.Spec.SecurityContext.RunAsUser = ptr.To[int64](0) },
			paths:  []string{"spec.securityContext.runAsUser"}},
		{name: "Unconfined seccomp fails baseline", level: psaapi.LevelPrivileged, failingID: "seccompProfile_baseline", level2: psaapi.LevelBaseline,
			mutate: func(p *corev1.PodTemplateSpec) {
				p.Spec.SecurityContext.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
			},
			paths: []string{"spec.securityContext.seccompProfile.type"}},
		{name: "spc_t SELinux type fails baseline", level: psaapi.LevelPrivileged, failingID: "seLinuxOptions", level2: psaapi.LevelBaseline,
			mutate: func(p *corev1.PodTemplateSpec) {
				p.Spec.Containers[0].SecurityContext.SELinuxOptions = &corev1.SELinuxOptions{Type: "spc_t", Level: "s0"}
			},
			paths: []string{"spec.containers[0].securityContext.seLinuxOptions"}},
		{name: "Unconfined AppArmor fails baseline", level: psaapi.LevelPrivileged, failingID: "appArmorProfile", level2: psaapi.LevelBaseline,
			mutate: func(p *corev1.PodTemplateSpec) {
				p.Spec.SecurityContext.AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
			},
			paths: []string{"spec.securityContext.appArmorProfile.type"}},
		{name: "allowPrivilegeEscalation true fails restricted", level: psaapi.LevelBaseline, failingID: "allowPrivilegeEscalation", level2: psaapi.LevelRestricted,
			mutate: func(p *corev1.PodTemplateSpec) {
				p.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation = ptr.To(true)
			},
			paths: []string{"spec.containers[0].securityContext.allowPrivilegeEscalation"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := restrictedTemplate()
			tt.mutate(tmpl)
			rep := ev.EvaluateTemplate(tmpl)
			if rep.Level != tt.level {
				t.Fatalf("level = %s, want %s; report %+v", rep.Level, tt.level, rep)
			}
			if tt.failingID == "" {
				if len(rep.Stricter) != 0 {
					t.Fatalf("unexpected failures %+v", rep.Stricter)
				}
				return
			}
			f, ok := findFailure(rep, tt.level2, tt.failingID)
			if !ok {
				t.Fatalf("%s does not fail %s: %+v", tt.failingID, tt.level2, rep.Stricter)
			}
			if got := causePaths(f); !slices.Equal(got, tt.paths) {
				t.Errorf("cause paths = %q, want %q", got, tt.paths)
			}
		})
	}
}

// A restricted pod only fails restricted-level checks; a baseline failure
// appears at both levels, except where restricted overrides it.
func TestPodSecurityRestrictedOverridesHostPath(t *testing.T) {
	ev := mustEvaluator(t, psaapi.LatestVersion())
	tmpl := restrictedTemplate()
	tmpl.Spec.Volumes = []corev1.Volume{{Name: "log", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log"}}}}
	rep := ev.EvaluateTemplate(tmpl)
	restr, _ := rep.Result(psaapi.LevelRestricted)
	if restr.Failed("hostPathVolumes") || !restr.Failed("restrictedVolumes") {
		t.Errorf("restricted failures = %v, want restrictedVolumes without hostPathVolumes", restr.FailedChecks())
	}
}

// Upstream's restricted level skips the baseline hostPathVolumes check it
// overrides: a volume with both a hostPath and an emptyDir source (rejected
// by validation, but still evaluated) passes restricted and fails baseline.
func TestPodSecurityOverrideQuirk(t *testing.T) {
	tmpl := restrictedTemplate()
	tmpl.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{
		HostPath: &corev1.HostPathVolumeSource{Path: "/x"}, EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	rep := mustEvaluator(t, psaapi.LatestVersion()).EvaluateTemplate(tmpl)
	if rep.Level != psaapi.LevelRestricted || len(rep.Stricter) != 1 || rep.Stricter[0].Level != psaapi.LevelBaseline {
		t.Errorf("report %+v, want level restricted with baseline failing", rep)
	}
}

// Version pinning: the probe-host check exists only from policy v1.34
// (upstream: check_hostProbesAndhostLifecycle.go).
func TestPodSecurityVersionPinning(t *testing.T) {
	tmpl := restrictedTemplate()
	tmpl.Spec.Containers[0].ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Host: "127.0.0.1"}}}
	if got := mustEvaluator(t, psaapi.MajorMinorVersion(1, 33)).EvaluateTemplate(tmpl); got.Level != psaapi.LevelRestricted || got.Version != "v1.33" {
		t.Errorf("v1.33: level %s version %s, want restricted v1.33", got.Level, got.Version)
	}
	if got := mustEvaluator(t, psaapi.MajorMinorVersion(1, 34)).EvaluateTemplate(tmpl); got.Level != psaapi.LevelPrivileged {
		t.Errorf("v1.34: level %s, want privileged", got.Level)
	}
}

func TestPodSecurityNilInputs(t *testing.T) {
	ev := mustEvaluator(t, psaapi.LatestVersion())
	if got := ev.EvaluateTemplate(nil); got.Level != psaapi.LevelRestricted {
		t.Errorf("nil template level = %s", got.Level)
	}
	if got := ev.EvaluateDaemonSet(nil); got.Level != psaapi.LevelRestricted {
		t.Errorf("nil DaemonSet level = %s", got.Level)
	}
	if got := EvaluatePodSecurity(nil); got.Level != psaapi.LevelRestricted {
		t.Errorf("EvaluatePodSecurity(nil) level = %s", got.Level)
	}
}

func TestNamespaceLabels(t *testing.T) {
	got := NamespaceLabels(psaapi.LevelPrivileged)
	if got["pod-security.kubernetes.io/enforce"] != "privileged" || got["pod-security.kubernetes.io/enforce-version"] != "latest" || len(got) != 6 {
		t.Errorf("labels = %v", got)
	}
}

// genPodSpec draws pod specs over every field a Pod Security check reads.
func genPodSpec(t *rapid.T) (*metav1.ObjectMeta, *corev1.PodSpec) {
	boolp := func(label string) *bool { return rapid.Ptr(rapid.Bool(), true).Draw(t, label) }
	caps := rapid.SliceOfN(rapid.SampledFrom([]corev1.Capability{"ALL", "CHOWN", "NET_ADMIN", "NET_BIND_SERVICE", "SYS_ADMIN", "KILL", "NET_RAW"}), 0, 3)
	secCtx := func(label string) *corev1.SecurityContext {
		if rapid.Bool().Draw(t, label+"nil") {
			return nil
		}
		sc := &corev1.SecurityContext{Privileged: boolp(label + "priv"), AllowPrivilegeEscalation: boolp(label + "ape"), RunAsNonRoot: boolp(label + "nonroot")}
		if rapid.Bool().Draw(t, label+"caps") {
			sc.Capabilities = &corev1.Capabilities{Add: caps.Draw(t, label+"add"), Drop: caps.Draw(t, label+"drop")}
		}
		sc.RunAsUser = rapid.Ptr(rapid.Int64Range(0, 2), true).Draw(t, label+"uid")
		if rapid.Bool().Draw(t, label+"seccomp") {
			sc.SeccompProfile = &corev1.SeccompProfile{Type: rapid.SampledFrom([]corev1.SeccompProfileType{"RuntimeDefault", "Unconfined", "Localhost"}).Draw(t, label+"sct")}
		}
		if rapid.Bool().Draw(t, label+"aa") {
			sc.AppArmorProfile = &corev1.AppArmorProfile{Type: rapid.SampledFrom([]corev1.AppArmorProfileType{"RuntimeDefault", "Unconfined", "Localhost"}).Draw(t, label+"aat")}
		}
		if rapid.Bool().Draw(t, label+"se") {
			sc.SELinuxOptions = &corev1.SELinuxOptions{Type: rapid.SampledFrom([]string{"", "container_t", "spc_t", "container_engine_t"}).Draw(t, label+"set"),
				User: rapid.SampledFrom([]string{"", "u"}).Draw(t, label+"seu")}
		}
		if rapid.Bool().Draw(t, label+"pm") {
			sc.ProcMount = ptr.To(rapid.SampledFrom([]corev1.ProcMountType{corev1.DefaultProcMount, corev1.UnmaskedProcMount}).Draw(t, label+"pmt"))
		}
		if rapid.Bool().Draw(t, label+"win") {
			sc.WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: boolp(label + "hp")}
		}
		return sc
	}
	probe := func(label string) *corev1.Probe {
		switch rapid.IntRange(0, 3).Draw(t, label) {
		case 1:
			return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Host: rapid.SampledFrom([]string{"", "127.0.0.1"}).Draw(t, label+"h")}}}
		case 2:
			return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Host: rapid.SampledFrom([]string{"", "10.0.0.1"}).Draw(t, label+"h")}}}
		}
		return nil
	}
	container := func(label string) corev1.Container {
		c := corev1.Container{Name: rapid.SampledFrom([]string{"a", "b", "c"}).Draw(t, label+"name"), SecurityContext: secCtx(label + "sc"),
			LivenessProbe: probe(label + "lp"), ReadinessProbe: probe(label + "rp")}
		for i := range rapid.IntRange(0, 2).Draw(t, label+"ports") {
			c.Ports = append(c.Ports, corev1.ContainerPort{ContainerPort: rapid.Int32Range(1, 3).Draw(t, fmt.Sprintf("%scp%d", label, i)),
				HostPort: rapid.SampledFrom([]int32{0, 0, 8080}).Draw(t, fmt.Sprintf("%shp%d", label, i))})
		}
		if rapid.Bool().Draw(t, label+"lc") {
			c.Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Host: "h"}}}
		}
		return c
	}
	spec := &corev1.PodSpec{HostNetwork: rapid.Bool().Draw(t, "hostNetwork"), HostPID: rapid.Bool().Draw(t, "hostPID"), HostIPC: rapid.Bool().Draw(t, "hostIPC"),
		HostUsers: boolp("hostUsers")}
	for i := range rapid.IntRange(0, 2).Draw(t, "inits") {
		spec.InitContainers = append(spec.InitContainers, container(fmt.Sprintf("init%d", i)))
	}
	for i := range rapid.IntRange(1, 3).Draw(t, "containers") {
		spec.Containers = append(spec.Containers, container(fmt.Sprintf("c%d", i)))
	}
	if rapid.Bool().Draw(t, "psc") {
		psc := &corev1.PodSecurityContext{RunAsNonRoot: boolp("prn"), RunAsUser: rapid.Ptr(rapid.Int64Range(0, 2), true).Draw(t, "puid")}
		if rapid.Bool().Draw(t, "pseccomp") {
			psc.SeccompProfile = &corev1.SeccompProfile{Type: rapid.SampledFrom([]corev1.SeccompProfileType{"RuntimeDefault", "Unconfined"}).Draw(t, "psct")}
		}
		if rapid.Bool().Draw(t, "paa") {
			psc.AppArmorProfile = &corev1.AppArmorProfile{Type: rapid.SampledFrom([]corev1.AppArmorProfileType{"RuntimeDefault", "Unconfined"}).Draw(t, "paat")}
		}
		if rapid.Bool().Draw(t, "pse") {
			psc.SELinuxOptions = &corev1.SELinuxOptions{Type: rapid.SampledFrom([]string{"", "spc_t", "container_engine_t"}).Draw(t, "pset"), Role: rapid.SampledFrom([]string{"", "r"}).Draw(t, "pser")}
		}
		for i := range rapid.IntRange(0, 2).Draw(t, "sysctls") {
			psc.Sysctls = append(psc.Sysctls, corev1.Sysctl{Name: rapid.SampledFrom([]string{"kernel.shm_rmid_forced", "net.ipv4.tcp_rmem", "net.ipv4.tcp_notsent_lowat", "kernel.msgmax"}).Draw(t, fmt.Sprintf("sysctl%d", i))})
		}
		if rapid.Bool().Draw(t, "pwin") {
			psc.WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: boolp("phpc")}
		}
		spec.SecurityContext = psc
	}
	if rapid.Bool().Draw(t, "windows") {
		spec.OS = &corev1.PodOS{Name: corev1.Windows}
	}
	for i := range rapid.IntRange(0, 3).Draw(t, "volumes") {
		v := corev1.Volume{Name: fmt.Sprintf("v%d", i)}
		switch rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("vol%d", i)) {
		case 0:
			v.HostPath = &corev1.HostPathVolumeSource{Path: "/x"}
			if rapid.IntRange(0, 4).Draw(t, fmt.Sprintf("second%d", i)) == 0 {
				v.EmptyDir = &corev1.EmptyDirVolumeSource{} // invalid, but PSA must still agree
			}
		case 1:
			v.EmptyDir = &corev1.EmptyDirVolumeSource{}
		case 2:
			v.NFS = &corev1.NFSVolumeSource{Server: "s", Path: "/"}
		default:
			v.ConfigMap = &corev1.ConfigMapVolumeSource{}
		}
		spec.Volumes = append(spec.Volumes, v)
	}
	meta := &metav1.ObjectMeta{}
	if rapid.Bool().Draw(t, "annotations") {
		meta.Annotations = map[string]string{
			"seccomp.security.alpha.kubernetes.io/pod":                      rapid.SampledFrom([]string{"runtime/default", "unconfined"}).Draw(t, "sca"),
			corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix + "a": rapid.SampledFrom([]string{"runtime/default", "unconfined"}).Draw(t, "aaa"),
		}
	}
	return meta, spec
}

// Property: the evaluator's verdict per level and version equals upstream's
// registry (policy.NewEvaluator + EvaluatePod + AggregateCheckResults) on the
// pod the controller creates, and every failing check names at least one cause.
func TestPodSecurityMatchesUpstreamRegistry(t *testing.T) {
	up, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	versions := []psaapi.Version{psaapi.LatestVersion()}
	for m := 0; m <= 38; m++ {
		versions = append(versions, psaapi.MajorMinorVersion(1, m))
	}
	evs := map[psaapi.Version]*PodSecurityEvaluator{}
	for _, v := range versions {
		evs[v] = mustEvaluator(t, v)
	}
	rapid.Check(t, func(t *rapid.T) {
		meta, spec := genPodSpec(t)
		v := rapid.SampledFrom(versions).Draw(t, "version")
		tmpl := &corev1.PodTemplateSpec{ObjectMeta: *meta, Spec: *spec}
		rep := evs[v].EvaluateTemplate(tmpl)

		podSpec := storedSpec(spec)
		for _, level := range []psaapi.Level{psaapi.LevelBaseline, psaapi.LevelRestricted} {
			want := policy.AggregateCheckResults(up.EvaluatePod(psaapi.LevelVersion{Level: level, Version: v}, meta, podSpec))
			got, failed := rep.Result(level)
			if failed == want.Allowed {
				t.Fatalf("%s %s: ours failed=%v, upstream allowed=%v (%s)", v, level, failed, want.Allowed, want.ForbiddenDetail())
			}
			if failed && got.Aggregate() != want.ForbiddenDetail() {
				t.Fatalf("%s %s:\n ours     %s\n upstream %s", v, level, got.Aggregate(), want.ForbiddenDetail())
			}
			for _, f := range got.Failures {
				if len(f.Causes) == 0 {
					t.Fatalf("%s %s: check %s (%s) has no cause", v, level, f.ID, f.Detail)
				}
			}
		}
		// The input is never modified.
		if tmpl.Spec.HostNetwork && len(tmpl.Spec.Containers[0].Ports) > 0 && spec.Containers[0].Ports[0].HostPort != tmpl.Spec.Containers[0].Ports[0].HostPort {
			t.Fatal("template modified")
		}
	})
}

func BenchmarkEvaluatePodSecurity(b *testing.B) {
	ev := mustEvaluator(b, psaapi.LatestVersion())
	tmpl := restrictedTemplate()
	tmpl.Spec.HostNetwork = true
	tmpl.Spec.Volumes = []corev1.Volume{{Name: "log", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log"}}}}
	b.ReportAllocs()
	for b.Loop() {
		_ = ev.EvaluateTemplate(tmpl)
	}
}

// BenchmarkUpstreamRegistry is the same evaluation with upstream's registry
// alone (no cause location), for comparison with BenchmarkEvaluatePodSecurity.
func BenchmarkUpstreamRegistry(b *testing.B) {
	up, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		b.Fatal(err)
	}
	tmpl := restrictedTemplate()
	tmpl.Spec.HostNetwork = true
	tmpl.Spec.Volumes = []corev1.Volume{{Name: "log", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log"}}}}
	b.ReportAllocs()
	for b.Loop() {
		spec := storedSpec(&tmpl.Spec)
		for _, level := range []psaapi.Level{psaapi.LevelBaseline, psaapi.LevelRestricted} {
			_ = policy.AggregateCheckResults(up.EvaluatePod(psaapi.LevelVersion{Level: level, Version: psaapi.LatestVersion()}, &tmpl.ObjectMeta, spec))
		}
	}
}

func BenchmarkEvaluatePodSecurityCilium(b *testing.B) {
	ev := mustEvaluator(b, psaapi.LatestVersion())
	ds := mustBuild(b, Cilium(CiliumOptions{}))
	b.ReportAllocs()
	for b.Loop() {
		_ = ev.EvaluateDaemonSet(ds)
	}
}

// FuzzPodSecurityTemplate decodes arbitrary JSON as a pod template; the
// evaluation must not panic and must agree with upstream's registry.
func FuzzPodSecurityTemplate(f *testing.F) {
	f.Add([]byte(`{"spec":{"hostNetwork":true,"containers":[{"name":"a","ports":[{"containerPort":80}],"securityContext":{"privileged":true}}]}}`))
	f.Add([]byte(`{"metadata":{"annotations":{"seccomp.security.alpha.kubernetes.io/pod":"unconfined"}},"spec":{"securityContext":{"sysctls":[{"name":"kernel.msgmax"}]}}}`))
	up, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		f.Fatal(err)
	}
	ev := mustEvaluator(f, psaapi.LatestVersion())
	f.Fuzz(func(t *testing.T, data []byte) {
		var tmpl corev1.PodTemplateSpec
		if json.Unmarshal(data, &tmpl) != nil {
			return
		}
		rep := ev.EvaluateTemplate(&tmpl)
		spec := storedSpec(&tmpl.Spec)
		want := policy.AggregateCheckResults(up.EvaluatePod(psaapi.LevelVersion{Level: psaapi.LevelBaseline, Version: psaapi.LatestVersion()}, &tmpl.ObjectMeta, spec))
		if _, failed := rep.Result(psaapi.LevelBaseline); failed == want.Allowed {
			t.Fatalf("baseline: ours failed=%v, upstream allowed=%v", failed, want.Allowed)
		}
	})
}

// storedSpec is spec as the API server stores it in a Pod (the defaults it
// applies to Pods and not to templates).
func storedSpec(spec *corev1.PodSpec) *corev1.PodSpec {
	return &daemonset.WithPodOnlyDefaults(&corev1.Pod{Spec: *spec.DeepCopy()}).Spec
}
