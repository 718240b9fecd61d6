package presets

import (
	"bytes"
	"github.com/daemonkit/daemonkit/internal/goldentest"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/daemonkit/daemonkit/builder"
	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"
	psaapi "k8s.io/pod-security-admission/api"
)

func mustBuild(t testing.TB, b *builder.DaemonSet) *appsv1.DaemonSet {
	t.Helper()
	ds, err := b.Build()
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return ds
}

func presetYAML(t testing.TB, p Preset) []byte {
	t.Helper()
	return presetYAMLOf(t, p.Builder(), p.Companions())
}

func presetYAMLOf(t testing.TB, b *builder.DaemonSet, comps Companions) []byte {
	t.Helper()
	objs := []runtime.Object{mustBuild(t, b)}
	objs = append(objs, comps.Objects()...)
	out, err := daemonset.EncodeYAML(objs...)
	if err != nil {
		t.Fatalf("EncodeYAML: %v", err)
	}
	return out
}

// Every preset renders to its golden YAML (the DaemonSet, then the
// companions); run `go test ./presets -run TestPresetGoldens -update` after a
// deliberate change and review the diff.
func TestPresetGoldens(t *testing.T) {
	for _, p := range Catalog() {
		t.Run(p.Name, func(t *testing.T) {
			got := presetYAML(t, p)
			goldentest.Check(t, p.Name+".golden.yaml", string(got))
		})
	}
}

// Every preset builds without error, passes daemonset.Validate as built and
// after API defaulting, and so does every golden file read back.
func TestPresetsValidate(t *testing.T) {
	for _, p := range Catalog() {
		t.Run(p.Name, func(t *testing.T) {
			ds := mustBuild(t, p.Builder())
			if errs := daemonset.Validate(ds); len(errs) > 0 {
				t.Errorf("Validate: %v", errs.ToAggregate())
			}
			defaulted := ds.DeepCopy()
			daemonset.SetDefaults(defaulted)
			if errs := daemonset.Validate(defaulted); len(errs) > 0 {
				t.Errorf("Validate after SetDefaults: %v", errs.ToAggregate())
			}
			data, err := os.ReadFile(filepath.Join("testdata", p.Name+".golden.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			objs, err := daemonset.Decode(p.Name+".golden.yaml", data)
			if err != nil {
				t.Fatalf("Decode golden: %v", err)
			}
			if len(objs.DaemonSets) != 1 {
				t.Fatalf("golden holds %d DaemonSets, want 1", len(objs.DaemonSets))
			}
			if errs := daemonset.Validate(objs.DaemonSets[0]); len(errs) > 0 {
				t.Errorf("Validate golden: %v", errs.ToAggregate())
			}
		})
	}
}

// Building twice gives byte-identical YAML.
func TestPresetsDeterministic(t *testing.T) {
	for _, p := range Catalog() {
		if a, b := presetYAML(t, p), presetYAML(t, p); !bytes.Equal(a, b) {
			t.Errorf("%s: two renders differ", p.Name)
		}
	}
}

// Each preset documents its Pod Security level and the baseline checks that
// force it; this pins both (upstream: k8s.io/pod-security-admission policy
// check_*.go at the latest policy version).
func TestPresetPodSecurity(t *testing.T) {
	want := map[string][]string{
		"calico-node":   {"hostNamespaces", "hostPathVolumes", "privileged"},
		"cilium":        {"appArmorProfile", "capabilities_baseline", "hostNamespaces", "hostPathVolumes", "hostProbesAndHostLifecycle", "privileged", "seLinuxOptions"},
		"dcgm-exporter": {"capabilities_baseline", "hostPathVolumes"},
		"flannel":       {"capabilities_baseline", "hostNamespaces", "hostPathVolumes", "hostPorts"},
		"fluent-bit":    {"hostPathVolumes"},
		"node-exporter": {"hostNamespaces", "hostPathVolumes", "hostPorts"},
	}
	for _, p := range Catalog() {
		t.Run(p.Name, func(t *testing.T) {
			rep := EvaluatePodSecurity(mustBuild(t, p.Builder()))
			if rep.Level != p.Level {
				t.Errorf("level %s, catalog says %s", rep.Level, p.Level)
			}
			base, _ := rep.Result(psaapi.LevelBaseline)
			if got := base.FailedChecks(); !slices.Equal(got, want[p.Name]) {
				t.Errorf("baseline failures %q, want %q", got, want[p.Name])
			}
			for _, f := range base.Failures {
				if len(f.Causes) == 0 {
					t.Errorf("%s has no cause", f.ID)
				}
			}
			ns := p.Companions().Namespace
			ds := mustBuild(t, p.Builder())
			switch {
			case IsSystemNamespace(ds.Namespace) && ns != nil:
				t.Errorf("emits a Namespace object for %s, which every cluster has", ds.Namespace)
			case !IsSystemNamespace(ds.Namespace) && (ns == nil || ns.Labels[psaapi.EnforceLevelLabel] != string(p.Level)):
				t.Errorf("namespace labels do not enforce %s", p.Level)
			}
		})
	}
	// Cilium at policy v1.33 differs only by the probe-host check, which
	// policy/check_hostProbesAndhostLifecycle.go adds at v1.34.
	ev := mustEvaluator(t, psaapi.MajorMinorVersion(1, 33))
	base, _ := ev.EvaluateDaemonSet(mustBuild(t, Cilium(CiliumOptions{}))).Result(psaapi.LevelBaseline)
	if base.Failed("hostProbesAndHostLifecycle") || !base.Failed("privileged") {
		t.Errorf("cilium at v1.33: %q", base.FailedChecks())
	}
}

// The builder call behind each privilege is named, with its recorded reason.
func TestPresetPodSecurityCauses(t *testing.T) {
	rep := EvaluatePodSecurity(mustBuild(t, NodeExporter(NodeExporterOptions{})))
	base, _ := rep.Result(psaapi.LevelBaseline)
	var hostNS, ports CheckFailure
	for _, f := range base.Failures {
		switch f.ID {
		case "hostNamespaces":
			hostNS = f
		case "hostPorts":
			ports = f
		}
	}
	if len(hostNS.Causes) != 2 || hostNS.Causes[0].Call != "HostNetwork(reason)" || hostNS.Causes[1].Call != "HostPID(reason)" ||
		hostNS.Causes[0].Reason == "" || hostNS.Causes[1].Reason == "" {
		t.Errorf("hostNamespaces causes %+v", hostNS.Causes)
	}
	if len(ports.Causes) != 1 || ports.Causes[0].Path != "spec.template.spec.containers[0].ports[0].containerPort" ||
		ports.Causes[0].Call != `Port("metrics", 9100) in Container("node-exporter", …) with HostNetwork(reason)` || ports.Causes[0].Reason == "" {
		t.Errorf("hostPorts causes %+v", ports.Causes)
	}
	rep = EvaluatePodSecurity(mustBuild(t, Flannel(FlannelOptions{})))
	base, _ = rep.Result(psaapi.LevelBaseline)
	for _, f := range base.Failures {
		if f.ID != "capabilities_baseline" {
			continue
		}
		if len(f.Causes) != 2 || f.Causes[0].Call != `AddCapability("NET_ADMIN", reason) in Container("kube-flannel", …)` || f.Causes[0].Reason == "" {
			t.Errorf("capability causes %+v", f.Causes)
		}
	}
}

// Every preset passes its own lint with no error or warning: what the
// upstream chart recommends is set (requests, a Linux node selector), and
// what the preset leaves as upstream ships it on purpose is silenced by an
// ignore-check annotation with its reason. What remains are infos, the
// upstream choices a reviewer may still want to change.
func TestPresetLintHasNoWarnings(t *testing.T) {
	wantInfos := map[string][]string{
		"calico-node":   {"DK116", "DK121"},
		"cilium":        {"DK121"},
		"dcgm-exporter": {"DK116"},
		"flannel":       {"DK116", "DK121"},
		"fluent-bit":    {"DK115", "DK116"},
		"node-exporter": {"DK115", "DK116"},
	}
	wantSuppressed := map[string][]string{
		"calico-node": {"DK101", "DK102"},
		"flannel":     {"DK102"},
	}
	for _, p := range Catalog() {
		res := LintDaemonSet(mustBuild(t, p.Builder()))
		var infos []string
		for _, f := range res.Findings {
			if f.Severity != SeverityInfo {
				t.Errorf("%s: %s", p.Name, f)
			}
			if !slices.Contains(infos, f.ID) {
				infos = append(infos, f.ID)
			}
		}
		if !slices.Equal(infos, wantInfos[p.Name]) {
			t.Errorf("%s: infos %q, want %q", p.Name, infos, wantInfos[p.Name])
		}
		var sup []string
		for _, f := range res.Suppressed {
			if len(f.Justification) < 40 {
				t.Errorf("%s: %s suppressed with a thin reason %q", p.Name, f.ID, f.Justification)
			}
			sup = append(sup, f.ID)
		}
		if !slices.Equal(sup, wantSuppressed[p.Name]) {
			t.Errorf("%s: suppressed %q, want %q", p.Name, sup, wantSuppressed[p.Name])
		}
	}
}

// Companions fit their DaemonSet: same namespace, the pods' service account,
// a Service selecting the pods on a declared port, a binding to the account.
func TestCompanionsFitDaemonSet(t *testing.T) {
	for _, p := range Catalog() {
		t.Run(p.Name, func(t *testing.T) {
			ds := mustBuild(t, p.Builder())
			c := p.Companions()
			spec := ds.Spec.Template.Spec
			if (c.Namespace != nil && c.Namespace.Name != ds.Namespace) || c.ServiceAccount.Namespace != ds.Namespace {
				t.Errorf("namespace %v / %q, DaemonSet in %q", c.Namespace, c.ServiceAccount.Namespace, ds.Namespace)
			}
			if c.ServiceAccount.Name != spec.ServiceAccountName {
				t.Errorf("service account %q, pods use %q", c.ServiceAccount.Name, spec.ServiceAccountName)
			}
			if (c.ClusterRole == nil) != (c.ClusterRoleBinding == nil) {
				t.Fatal("ClusterRole without binding or the reverse")
			}
			if b := c.ClusterRoleBinding; b != nil {
				if b.RoleRef.Name != c.ClusterRole.Name || b.Subjects[0].Name != c.ServiceAccount.Name || b.Subjects[0].Namespace != ds.Namespace {
					t.Errorf("binding %+v", b)
				}
			}
			if s := c.Service; s != nil {
				for k, v := range s.Spec.Selector {
					if ds.Spec.Template.Labels[k] != v {
						t.Errorf("service selector %s=%s does not select the pods", k, v)
					}
				}
				found := false
				for _, ct := range spec.Containers {
					for _, port := range ct.Ports {
						found = found || port.Name == s.Spec.Ports[0].TargetPort.StrVal
					}
				}
				if !found {
					t.Errorf("service targets port %q, which no container declares", s.Spec.Ports[0].TargetPort.StrVal)
				}
			}
		})
	}
}

func TestPresetOptions(t *testing.T) {
	t.Run("fluent-bit SkipDockerLogs drops the docker volume", func(t *testing.T) {
		ds := mustBuild(t, FluentBit(FluentBitOptions{SkipDockerLogs: true}))
		for _, v := range ds.Spec.Template.Spec.Volumes {
			if v.Name == "varlibdockercontainers" {
				t.Error("docker volume still present")
			}
		}
	})
	t.Run("fluent-bit NodeAccess and EventsAccess add rules", func(t *testing.T) {
		if n := len(FluentBitCompanions(FluentBitOptions{NodeAccess: true, EventsAccess: true}).ClusterRole.Rules); n != 3 {
			t.Errorf("%d rules, want 3", n)
		}
	})
	t.Run("node-exporter Port moves listen address and service", func(t *testing.T) {
		ds := mustBuild(t, NodeExporter(NodeExporterOptions{Port: 9101}))
		if args := ds.Spec.Template.Spec.Containers[0].Args; args[len(args)-1] != "--web.listen-address=[$(HOST_IP)]:9101" {
			t.Errorf("args %q", args)
		}
		if NodeExporterCompanions(NodeExporterOptions{Port: 9101}).Service.Spec.Ports[0].Port != 9101 {
			t.Error("service port not moved")
		}
	})
	t.Run("dcgm NoProfiling leaves only the hostPath at baseline", func(t *testing.T) {
		base, _ := EvaluatePodSecurity(mustBuild(t, DCGMExporter(DCGMExporterOptions{NoProfiling: true}))).Result(psaapi.LevelBaseline)
		if got := base.FailedChecks(); !slices.Equal(got, []string{"hostPathVolumes"}) {
			t.Errorf("baseline failures %q", got)
		}
	})
	t.Run("dcgm PodLabels adds the pod-reading ClusterRole and mounts the token", func(t *testing.T) {
		c := DCGMExporterCompanions(DCGMExporterOptions{PodLabels: true})
		ds := mustBuild(t, DCGMExporter(DCGMExporterOptions{PodLabels: true}))
		if c.ClusterRole == nil || !*ds.Spec.Template.Spec.AutomountServiceAccountToken {
			t.Error("no ClusterRole or token not mounted")
		}
		if DCGMExporterCompanions(DCGMExporterOptions{}).ClusterRole != nil {
			t.Error("default dcgm-exporter needs no RBAC")
		}
	})
	t.Run("cilium PrometheusMetrics opens host ports and a Service", func(t *testing.T) {
		ds := mustBuild(t, Cilium(CiliumOptions{PrometheusMetrics: true}))
		base, _ := EvaluatePodSecurity(ds).Result(psaapi.LevelBaseline)
		if !base.Failed("hostPorts") || CiliumCompanions(CiliumOptions{PrometheusMetrics: true}).Service == nil {
			t.Error("metrics not exposed")
		}
	})
	t.Run("cilium K8sServiceHost reaches agent and init containers", func(t *testing.T) {
		ds := mustBuild(t, Cilium(CiliumOptions{K8sServiceHost: "10.0.0.1", K8sServicePort: "6443"}))
		n := 0
		for _, c := range append(ds.Spec.Template.Spec.InitContainers, ds.Spec.Template.Spec.Containers...) {
			for _, e := range c.Env {
				if e.Name == "KUBERNETES_SERVICE_HOST" && e.Value == "10.0.0.1" {
					n++
				}
			}
		}
		if n != 3 {
			t.Errorf("KUBERNETES_SERVICE_HOST in %d containers, want 3 (config, clean-cilium-state, agent)", n)
		}
	})
	t.Run("calico Version tags both images", func(t *testing.T) {
		ds := mustBuild(t, Calico(CalicoOptions{Version: "v3.31.0"}))
		for _, c := range append(ds.Spec.Template.Spec.InitContainers, ds.Spec.Template.Spec.Containers...) {
			if tag, _, err := daemonset.ImageTag(c.Image); err != nil || tag != "v3.31.0" {
				t.Errorf("%s image %s", c.Name, c.Image)
			}
		}
	})
	t.Run("flannel images", func(t *testing.T) {
		ds := mustBuild(t, Flannel(FlannelOptions{Image: "example.com/flannel:v1", CNIPluginImage: "example.com/cni:v2"}))
		if ds.Spec.Template.Spec.InitContainers[0].Image != "example.com/cni:v2" || ds.Spec.Template.Spec.Containers[0].Image != "example.com/flannel:v1" {
			t.Error("images not applied")
		}
	})
}

// Presets return builders: anything can be adjusted, and lint follows.
func TestPresetsAreAdjustable(t *testing.T) {
	b := NodeExporter(NodeExporterOptions{}).
		PriorityClass("system-node-critical").
		UpdateContainer("node-exporter", builder.Requests("50m", "64Mi"), builder.Limits("", "128Mi"))
	for _, f := range Lint(mustBuild(t, b)) {
		if f.ID == "DK101" || f.ID == "DK102" || f.ID == "DK115" {
			t.Errorf("still fires after adjusting: %s", f)
		}
	}
	// A surge strategy on a hostNetwork agent is a rollout that stalls.
	ds := mustBuild(t, NodeExporter(NodeExporterOptions{}).Surge(builder.Count(1)))
	fired := false
	for _, f := range Lint(ds) {
		fired = fired || f.ID == "DK109"
	}
	if !fired {
		t.Error("DK109 does not fire on node-exporter with maxSurge")
	}
	// Cilium declares no ports but binds 127.0.0.1:9879 on the host network.
	if got := lintIDs(Lint(mustBuild(t, Cilium(CiliumOptions{}).Surge(builder.Count(1))))); !slices.Contains(got, "DK122") {
		t.Errorf("DK122 does not fire on cilium with maxSurge: %q", got)
	}
}

func TestLookup(t *testing.T) {
	names := []string{}
	for _, p := range Catalog() {
		names = append(names, p.Name)
		if got, ok := Lookup(p.Name); !ok || got.Name != p.Name {
			t.Errorf("Lookup(%q) = %v, %v", p.Name, got.Name, ok)
		}
	}
	if !slices.IsSorted(names) || len(names) != 6 {
		t.Errorf("catalog %q not sorted or incomplete", names)
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("Lookup of an unknown name succeeded")
	}
}

func BenchmarkPresetBuild(b *testing.B) {
	for _, p := range Catalog() {
		b.Run(p.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Builder().Build(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzPresetOptions feeds arbitrary option strings to every preset: building
// may fail (with field errors), but never panics, and a successful build
// passes daemonset.Validate and Lint without panicking.
func FuzzPresetOptions(f *testing.F) {
	f.Add("", "", "", "", uint16(0), true)
	f.Add("My_Name", "ns/x", "image:latest", "cm", uint16(65535), false)
	f.Fuzz(func(t *testing.T, name, namespace, image, extra string, port uint16, flag bool) {
		builders := []*builder.DaemonSet{
			FluentBit(FluentBitOptions{Name: name, Namespace: namespace, Image: image, ConfigMap: extra, SkipDockerLogs: flag, NodeAccess: flag}),
			NodeExporter(NodeExporterOptions{Name: name, Namespace: namespace, Image: image, Port: int32(port)}),
			DCGMExporter(DCGMExporterOptions{Name: name, Namespace: namespace, Image: image, ConfigMap: extra, NoProfiling: flag, PodLabels: flag}),
			Cilium(CiliumOptions{Namespace: namespace, Image: image, K8sServiceHost: extra, K8sServicePort: name, PrometheusMetrics: flag}),
			Calico(CalicoOptions{Name: name, Namespace: namespace, Version: extra, NodeImage: image}),
			Flannel(FlannelOptions{Name: name, Namespace: namespace, Image: image, CNIPluginImage: extra, ConfigMap: extra}),
		}
		for _, b := range builders {
			ds, err := b.Build()
			if err != nil {
				continue
			}
			if errs := daemonset.Validate(ds); len(errs) > 0 {
				t.Fatalf("Build succeeded but Validate fails: %v", errs)
			}
			_ = Lint(ds)
			_ = EvaluatePodSecurity(ds)
		}
		_ = FluentBitCompanions(FluentBitOptions{Name: name, Namespace: namespace}).Objects()
		_ = NodeExporterCompanions(NodeExporterOptions{Name: name, Port: int32(port)}).Objects()
		_ = DCGMExporterCompanions(DCGMExporterOptions{Name: name, PodLabels: flag}).Objects()
		_ = CiliumCompanions(CiliumOptions{Namespace: namespace, PrometheusMetrics: flag}).Objects()
		_ = CalicoCompanions(CalicoOptions{Name: name}).Objects()
		_ = FlannelCompanions(FlannelOptions{Namespace: namespace}).Objects()
	})
}
