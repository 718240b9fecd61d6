package conformance

import (
	"testing"

	"github.com/daemonkit/daemonkit/builder"
	"github.com/daemonkit/daemonkit/presets"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	podutil "k8s.io/kubernetes/pkg/api/pod"
	appsinternal "k8s.io/kubernetes/pkg/apis/apps"
	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	appsv1defaults "k8s.io/kubernetes/pkg/apis/apps/v1"
	appsvalidation "k8s.io/kubernetes/pkg/apis/apps/validation"
	core "k8s.io/kubernetes/pkg/apis/core"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	corev1defaults "k8s.io/kubernetes/pkg/apis/core/v1"
	corevalidation "k8s.io/kubernetes/pkg/apis/core/validation"
	rbacinternal "k8s.io/kubernetes/pkg/apis/rbac"
	_ "k8s.io/kubernetes/pkg/apis/rbac/install"
	rbacvalidation "k8s.io/kubernetes/pkg/apis/rbac/validation"
	"k8s.io/kubernetes/pkg/capabilities"
	"k8s.io/kubernetes/pkg/controller"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"pgregory.net/rapid"
)

// presetVariants is every preset with its default options plus the options
// that change the pod spec or the companions.
func presetVariants(t *testing.T) []presets.Preset {
	t.Helper()
	out := presets.Catalog()
	add := func(name string, p presets.Preset) { p.Name = name; out = append(out, p) }
	add("fluent-bit/no-docker", presets.Preset{Level: psaapi.LevelPrivileged,
		Builder: func() *builder.DaemonSet { return presets.FluentBit(presets.FluentBitOptions{SkipDockerLogs: true}) },
		Companions: func() presets.Companions {
			return presets.FluentBitCompanions(presets.FluentBitOptions{NodeAccess: true, EventsAccess: true})
		}})
	add("dcgm-exporter/no-profiling+pod-labels", presets.Preset{Level: psaapi.LevelPrivileged,
		Builder: func() *builder.DaemonSet {
			return presets.DCGMExporter(presets.DCGMExporterOptions{NoProfiling: true, PodLabels: true})
		},
		Companions: func() presets.Companions {
			return presets.DCGMExporterCompanions(presets.DCGMExporterOptions{NoProfiling: true, PodLabels: true})
		}})
	add("cilium/metrics+kpr", presets.Preset{Level: psaapi.LevelPrivileged,
		Builder: func() *builder.DaemonSet {
			return presets.Cilium(presets.CiliumOptions{PrometheusMetrics: true, K8sServiceHost: "10.0.0.1", K8sServicePort: "6443"})
		},
		Companions: func() presets.Companions {
			return presets.CiliumCompanions(presets.CiliumOptions{PrometheusMetrics: true})
		}})
	return out
}

func preConvert(t *testing.T, in, out any) {
	t.Helper()
	if err := legacyscheme.Scheme.Convert(in, out, nil); err != nil {
		t.Fatalf("convert %T: %v", in, err)
	}
}

func preErrs(t *testing.T, what string, errs field.ErrorList) {
	t.Helper()
	for _, e := range errs {
		t.Errorf("%s: %v", what, e)
	}
}

// Upstream's ValidateDaemonSet (API server with --allow-privileged=true)
// accepts every preset after upstream's apps/v1 defaulting, and upstream's
// RBAC and core validation accept every companion after defaulting.
func TestPresetsPassUpstreamValidation(t *testing.T) {
	capabilities.ResetForTest()
	capabilities.Setup(true, 0)
	t.Cleanup(func() {
		capabilities.ResetForTest()
		capabilities.Setup(true, 0)
	})
	for _, p := range presetVariants(t) {
		t.Run(p.Name, func(t *testing.T) {
			ds, err := p.Builder().Build()
			if err != nil {
				t.Fatal(err)
			}
			def := ds.DeepCopy()
			appsv1defaults.SetObjectDefaults_DaemonSet(def)
			in := &appsinternal.DaemonSet{}
			preConvert(t, def, in)
			in.Spec.TemplateGeneration = 1
			preErrs(t, "DaemonSet", appsvalidation.ValidateDaemonSet(in, podutil.GetValidationOptionsFromPodTemplate(&in.Spec.Template, nil)))

			c := p.Companions()
			if c.Namespace != nil {
				ns := c.Namespace.DeepCopy()
				legacyscheme.Scheme.Default(ns)
				out := &core.Namespace{}
				preConvert(t, ns, out)
				preErrs(t, "Namespace", corevalidation.ValidateNamespace(out))
			}
			if c.ServiceAccount != nil {
				out := &core.ServiceAccount{}
				preConvert(t, c.ServiceAccount, out)
				preErrs(t, "ServiceAccount", corevalidation.ValidateServiceAccount(out))
			}
			if c.ClusterRole != nil {
				out := &rbacinternal.ClusterRole{}
				preConvert(t, c.ClusterRole, out)
				preErrs(t, "ClusterRole", rbacvalidation.ValidateClusterRole(out, rbacvalidation.ClusterRoleValidationOptions{}))
			}
			if c.ClusterRoleBinding != nil {
				out := &rbacinternal.ClusterRoleBinding{}
				preConvert(t, c.ClusterRoleBinding, out)
				preErrs(t, "ClusterRoleBinding", rbacvalidation.ValidateClusterRoleBinding(out))
			}
			if c.Service != nil {
				svc := c.Service.DeepCopy()
				legacyscheme.Scheme.Default(svc)
				// The service registry allocates a cluster IP and sets the
				// IP families before validation; mirror a single-stack IPv4
				// allocation (headless services keep ClusterIP None).
				single := corev1.IPFamilyPolicySingleStack
				svc.Spec.IPFamilyPolicy = &single
				svc.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv4Protocol}
				if svc.Spec.ClusterIP == "" {
					svc.Spec.ClusterIP = "10.96.0.10"
				}
				svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
				out := &core.Service{}
				preConvert(t, svc, out)
				preErrs(t, "Service", corevalidation.ValidateServiceCreate(out))
			}
		})
	}
}

// The upstream pipeline above is not vacuous: a broken preset is rejected.
func TestPresetsUpstreamValidationRejectsBrokenPreset(t *testing.T) {
	ds, err := presets.FluentBit(presets.FluentBitOptions{}).Build()
	if err != nil {
		t.Fatal(err)
	}
	ds.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
	ds.Spec.Template.Spec.Volumes = append(ds.Spec.Template.Spec.Volumes, ds.Spec.Template.Spec.Volumes[0])
	def := ds.DeepCopy()
	appsv1defaults.SetObjectDefaults_DaemonSet(def)
	in := &appsinternal.DaemonSet{}
	preConvert(t, def, in)
	in.Spec.TemplateGeneration = 1
	errs := appsvalidation.ValidateDaemonSet(in, podutil.GetValidationOptionsFromPodTemplate(&in.Spec.Template, nil))
	if len(errs) < 2 {
		t.Errorf("upstream accepted a broken DaemonSet: %v", errs)
	}
}

// The Pod Security verdict of presets.EvaluatePodSecurity equals upstream's
// policy registry on the Pod upstream's controller would create from the
// template (controller.GetPodFromTemplate, then upstream's Pod defaulting,
// which turns hostNetwork containerPorts into hostPorts), for both levels and
// a range of policy versions.
func TestPresetsPodSecurityMatchesUpstream(t *testing.T) {
	up, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	versions := []psaapi.Version{psaapi.LatestVersion(), psaapi.MajorMinorVersion(1, 25), psaapi.MajorMinorVersion(1, 33), psaapi.MajorMinorVersion(1, 34), psaapi.MajorMinorVersion(1, 37)}
	for _, p := range presetVariants(t) {
		t.Run(p.Name, func(t *testing.T) {
			ds, err := p.Builder().Build()
			if err != nil {
				t.Fatal(err)
			}
			pod, err := controller.GetPodFromTemplate(&ds.Spec.Template, ds, metav1.NewControllerRef(ds, appsv1.SchemeGroupVersion.WithKind("DaemonSet")))
			if err != nil {
				t.Fatal(err)
			}
			corev1defaults.SetObjectDefaults_Pod(pod)
			for _, v := range versions {
				ev, err := presets.NewPodSecurityEvaluator(v)
				if err != nil {
					t.Fatal(err)
				}
				rep := ev.EvaluateDaemonSet(ds)
				strictest := psaapi.LevelPrivileged
				for _, level := range []psaapi.Level{psaapi.LevelRestricted, psaapi.LevelBaseline} {
					want := policy.AggregateCheckResults(up.EvaluatePod(psaapi.LevelVersion{Level: level, Version: v}, &pod.ObjectMeta, &pod.Spec))
					got, failed := rep.Result(level)
					if failed == want.Allowed {
						t.Fatalf("%s %s: daemonkit failed=%v, upstream allowed=%v", v, level, failed, want.Allowed)
					}
					if failed && got.Aggregate() != want.ForbiddenDetail() {
						t.Errorf("%s %s:\n daemonkit %s\n upstream  %s", v, level, got.Aggregate(), want.ForbiddenDetail())
					}
					if want.Allowed && strictest == psaapi.LevelPrivileged {
						strictest = level
					}
				}
				if rep.Level != strictest {
					t.Errorf("%s: level %s, upstream's strictest allowed level %s", v, rep.Level, strictest)
				}
				if v == psaapi.LatestVersion() && p.Level != "" && rep.Level != p.Level {
					t.Errorf("catalog level %s, evaluated %s", p.Level, rep.Level)
				}
			}
		})
	}
}

// The namespace labels of every preset parse with upstream's
// PolicyToEvaluate to the preset's level at the latest version. A preset in
// a namespace every cluster has emits no Namespace; its level's labels are
// checked all the same.
func TestPresetNamespaceLabelsParseUpstream(t *testing.T) {
	for _, p := range presets.Catalog() {
		labels := presets.NamespaceLabels(p.Level)
		if ns := p.Companions().Namespace; ns != nil {
			labels = ns.Labels
		}
		pol, errs := psaapi.PolicyToEvaluate(labels, psaapi.Policy{})
		if len(errs) > 0 {
			t.Errorf("%s: %v", p.Name, errs)
		}
		for _, lv := range []psaapi.LevelVersion{pol.Enforce, pol.Warn, pol.Audit} {
			if lv.Level != p.Level || !lv.Version.Latest() {
				t.Errorf("%s: policy %v, want %s:latest", p.Name, pol, p.Level)
			}
		}
	}
}

// Property over randfill-generated DaemonSets (every API field, random
// values): the Pod Security report equals upstream's registry on the Pod
// upstream's controller and defaulting make from the template, at a random
// policy version, and Lint does not panic.
func TestPodSecurityRandomDaemonSetsMatchUpstream(t *testing.T) {
	up, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	evs := map[psaapi.Version]*presets.PodSecurityEvaluator{}
	versions := []psaapi.Version{psaapi.LatestVersion()}
	for m := 0; m <= 38; m++ {
		versions = append(versions, psaapi.MajorMinorVersion(1, m))
	}
	for _, v := range versions {
		if evs[v], err = presets.NewPodSecurityEvaluator(v); err != nil {
			t.Fatal(err)
		}
	}
	rapid.Check(t, func(rt *rapid.T) {
		ds := randomDaemonSet(rapid.Int64().Draw(rt, "seed"))
		v := rapid.SampledFrom(versions).Draw(rt, "version")
		pod, err := controller.GetPodFromTemplate(&ds.Spec.Template, ds, nil)
		if err != nil {
			rt.Skip("no pod from template")
		}
		corev1defaults.SetObjectDefaults_Pod(pod)
		// The controller copies template labels/annotations/spec; PSA reads
		// the annotations and the spec only.
		rep := evs[v].EvaluateDaemonSet(ds)
		for _, level := range []psaapi.Level{psaapi.LevelBaseline, psaapi.LevelRestricted} {
			want := policy.AggregateCheckResults(up.EvaluatePod(psaapi.LevelVersion{Level: level, Version: v}, &pod.ObjectMeta, &pod.Spec))
			got, failed := rep.Result(level)
			if failed == want.Allowed {
				rt.Fatalf("%s %s: daemonkit failed=%v, upstream allowed=%v (%s)", v, level, failed, want.Allowed, want.ForbiddenDetail())
			}
			if failed && got.Aggregate() != want.ForbiddenDetail() {
				rt.Fatalf("%s %s:\n daemonkit %s\n upstream  %s", v, level, got.Aggregate(), want.ForbiddenDetail())
			}
		}
		_ = presets.Lint(ds)
	})
}
