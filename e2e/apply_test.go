package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/presets"
	"github.com/daemonkit/daemonkit/simulate/live"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// templateGenerationAnnotation is the annotation the API server's apps/v1
// conversion adds to stored DaemonSets (spec §4.2).
const templateGenerationAnnotation = "deprecated.daemonset.template.generation"

// specComparer compares what JSON cannot tell apart as equal: quantities by
// value, nil and empty slices and maps.
var specComparer = cmp.Options{
	cmp.Comparer(func(a, b resource.Quantity) bool { return a.Cmp(b) == 0 }),
	cmpopts.EquateEmpty(),
}

// Every preset and its companions are accepted by server-side apply, and
// the DaemonSet the server stores equals daemonset.SetDefaults of what was
// sent: defaulting parity with a real server, not only with its functions.
func TestPresetsServerSideApplyStoresDefaults(t *testing.T) {
	cs := client(t)
	ctx := testContext(t, 5*time.Minute)
	ap, err := live.NewApplier(cluster.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range presets.Catalog() {
		t.Run(p.Name, func(t *testing.T) {
			ds, err := p.Builder().Build()
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			objs := p.Companions().Objects()
			objs = append(objs, ds.DeepCopy())
			res, err := ap.Apply(ctx, objs, live.ApplyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if r.Err != nil {
					t.Errorf("server refused: %v", r.Err)
				}
			}
			stored := res[len(res)-1].Object
			if stored == nil {
				t.Fatal("no stored DaemonSet")
			}
			// Later tests' nodes must not get preset pods.
			dsNS := res[len(res)-1].Namespace
			t.Cleanup(func() { _ = cs.AppsV1().DaemonSets(dsNS).Delete(ctx, ds.Name, metav1.DeleteOptions{}) })
			var got appsv1.DaemonSet
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(stored.Object, &got); err != nil {
				t.Fatal(err)
			}
			want := ds.DeepCopy()
			daemonset.SetDefaults(want)
			if d := cmp.Diff(want.Spec, got.Spec, specComparer); d != "" {
				t.Errorf("stored spec differs from daemonset.SetDefaults (-daemonkit +server):\n%s", d)
			}
			gotAnn := maps(got.Annotations)
			delete(gotAnn, templateGenerationAnnotation)
			if d := cmp.Diff(want.Labels, got.Labels, specComparer); d != "" {
				t.Errorf("labels (-sent +stored):\n%s", d)
			}
			if d := cmp.Diff(want.Annotations, gotAnn, specComparer); d != "" {
				t.Errorf("annotations (-sent +stored):\n%s", d)
			}
			if got.Generation != 1 || got.Annotations[templateGenerationAnnotation] != "1" {
				t.Errorf("generation %d, template generation %q; want 1 and \"1\" on create",
					got.Generation, got.Annotations[templateGenerationAnnotation])
			}
			// A second apply of the same objects changes nothing in the spec
			// (the controller's status writes change resourceVersion).
			again, err := ap.Apply(ctx, objs, live.ApplyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if r := again[len(again)-1]; r.Err != nil || r.Object.GetGeneration() != 1 {
				t.Errorf("re-applying the same DaemonSet: err %v, generation %d; want generation 1", r.Err, r.Object.GetGeneration())
			}
		})
	}
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// validAgent is a minimal valid DaemonSet the broken cases start from.
func validAgent(name string) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{Name: "agent", Image: "registry.k8s.io/pause:3.10"}},
				},
			},
		},
	}
}

// Every validation error daemonkit reports on a broken object matches the
// server's rejection: the same set of (field path, error type) pairs as
// the causes of the API server's 422 on a dry-run create. Valid objects
// (privileged containers included: the harness runs --allow-privileged=true)
// are accepted by both.
// upstream: pkg/apis/apps/validation/validation_test.go TestValidateDaemonSet
func TestValidationMatchesServerRejections(t *testing.T) {
	cs := client(t)
	ctx := testContext(t, 3*time.Minute)
	i32 := func(v int32) *int32 { return &v }
	i64 := func(v int64) *int64 { return &v }
	pct := func(s string) *intstr.IntOrString { v := intstr.FromString(s); return &v }
	num := func(n int) *intstr.IntOrString { v := intstr.FromInt32(int32(n)); return &v }
	yes := true
	ptr := func(s string) *string { return &s }
	cases := []struct {
		name string
		mod  func(ds *appsv1.DaemonSet)
	}{
		{"valid agent is accepted", func(*appsv1.DaemonSet) {}},
		{"privileged container is accepted with --allow-privileged", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: &yes}
		}},
		{"selector does not match template labels", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Labels = map[string]string{"app": "other"}
		}},
		{"no containers", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers = nil }},
		{"container without image", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers[0].Image = "" }},
		{"duplicate container names", func(ds *appsv1.DaemonSet) {
			c := ds.Spec.Template.Spec.Containers
			ds.Spec.Template.Spec.Containers = append(c, c[0])
		}},
		{"negative minReadySeconds", func(ds *appsv1.DaemonSet) { ds.Spec.MinReadySeconds = -1 }},
		{"negative revisionHistoryLimit", func(ds *appsv1.DaemonSet) { ds.Spec.RevisionHistoryLimit = i32(-2) }},
		{"maxUnavailable and maxSurge both zero", func(ds *appsv1.DaemonSet) {
			ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: num(0), MaxSurge: num(0)}}
		}},
		{"maxSurge beside defaulted maxUnavailable", func(ds *appsv1.DaemonSet) {
			ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxSurge: pct("10%")}
		}},
		{"maxUnavailable over 100%", func(ds *appsv1.DaemonSet) {
			ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxUnavailable: pct("150%")}
		}},
		{"unknown update strategy", func(ds *appsv1.DaemonSet) { ds.Spec.UpdateStrategy.Type = "Canary" }},
		{"restartPolicy Never", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever }},
		{"hostPort differs from containerPort under hostNetwork", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.HostNetwork = true
			ds.Spec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 9100, HostPort: 9101}}
		}},
		{"toleration Exists with a value", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpExists, Value: "gpu"}}
		}},
		{"invalid nodeSelector label value", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.NodeSelector = map[string]string{"role": "not valid!"}
		}},
		{"request above limit", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Containers[0].Resources = corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")},
			}
		}},
		{"hostPath volume without path", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "root", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{}}}}
		}},
		{"volume mount of an unknown volume", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "missing", MountPath: "/data"}}
		}},
		{"negative terminationGracePeriodSeconds is accepted as 1", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.TerminationGracePeriodSeconds = i64(-5)
		}},
		{"invalid object name", func(ds *appsv1.DaemonSet) { ds.Name = "Node_Agent" }},
		{"empty selector", func(ds *appsv1.DaemonSet) { ds.Spec.Selector = &metav1.LabelSelector{} }},

		// One broken object per area of the pod spec (upstream:
		// pkg/apis/core/validation/validation_test.go TestValidatePodSpec and
		// the per-area tests it calls).
		{"pod-level resources: request above limit", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Resources = &corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")},
			}
		}},
		{"resizePolicy: unknown restart policy", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Containers[0].ResizePolicy = []corev1.ContainerResizePolicy{{ResourceName: corev1.ResourceCPU, RestartPolicy: "Sometimes"}}
		}},
		{"hostAliases: not an IP", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.HostAliases = []corev1.HostAlias{{IP: "not-an-ip", Hostnames: []string{"registry.local"}}}
		}},
		{"envFrom: configMap without a name", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Containers[0].EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{}}}
		}},
		{"projected volume: token path leaves the volume", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "token", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
				Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "../token", ExpirationSeconds: i64(60)}}}}}}}
		}},
		{"downwardAPI volume: unsupported field", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "info", VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{
				Items: []corev1.DownwardAPIVolumeFile{{Path: "node", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "spec.nodeName"}}}}}}}
		}},
		{"csi volume: no driver", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "secrets", VolumeSource: corev1.VolumeSource{CSI: &corev1.CSIVolumeSource{}}}}
		}},
		{"ephemeral volume: claim without storage request", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "scratch", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{
				VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}}}}}}}
		}},
		{"image volume: no reference", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{PullPolicy: corev1.PullIfNotPresent}}}}
		}},
		{"nfs volume: relative path", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "share", VolumeSource: corev1.VolumeSource{NFS: &corev1.NFSVolumeSource{Server: "nfs.example.com", Path: "exports"}}}}
		}},
		{"iscsi volume: bad IQN", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "lun", VolumeSource: corev1.VolumeSource{ISCSI: &corev1.ISCSIVolumeSource{TargetPortal: "10.0.0.5:3260", IQN: "not-an-iqn"}}}}
		}},
		{"pod resourceClaims: no source", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.ResourceClaims = []corev1.PodResourceClaim{{Name: "gpu"}}
		}},
		{"container resource claim: unknown pod claim", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Containers[0].Resources.Claims = []corev1.ResourceClaim{{Name: "gpu"}}
		}},
		{"container restartPolicy: unknown value", func(ds *appsv1.DaemonSet) {
			p := corev1.ContainerRestartPolicy("Sometimes")
			ds.Spec.Template.Spec.Containers[0].RestartPolicy = &p
		}},
		{"restartPolicyRules: rule without exit codes", func(ds *appsv1.DaemonSet) {
			p := corev1.ContainerRestartPolicyNever
			ds.Spec.Template.Spec.Containers[0].RestartPolicy = &p
			ds.Spec.Template.Spec.Containers[0].RestartPolicyRules = []corev1.ContainerRestartRule{{Action: corev1.ContainerRestartRuleActionRestart}}
		}},
		{"topologySpreadConstraints: maxSkew 0", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 0, TopologyKey: "topology.kubernetes.io/zone",
				WhenUnsatisfiable: corev1.DoNotSchedule, LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}}}}
		}},
		{"os: windows pod sharing the host PID namespace", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.OS = &corev1.PodOS{Name: corev1.Windows}
			ds.Spec.Template.Spec.HostPID = true
		}},
		{"pod securityContext: bad sysctl, seccomp and policies", func(ds *appsv1.DaemonSet) {
			fs, sg, se := corev1.PodFSGroupChangePolicy("Never"), corev1.SupplementalGroupsPolicy("Loose"), corev1.PodSELinuxChangePolicy("Sometimes")
			ds.Spec.Template.Spec.SecurityContext = &corev1.PodSecurityContext{
				Sysctls:                  []corev1.Sysctl{{Name: "Not A Sysctl", Value: "1"}},
				SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost},
				AppArmorProfile:          &corev1.AppArmorProfile{Type: "Bogus"},
				FSGroupChangePolicy:      &fs,
				SupplementalGroupsPolicy: &sg,
				SELinuxChangePolicy:      &se,
				WindowsOptions:           &corev1.WindowsSecurityContextOptions{RunAsUserName: ptr("")},
			}
		}},
		{"readinessGates: not a qualified name", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.ReadinessGates = []corev1.PodReadinessGate{{ConditionType: "not valid!"}}
		}},
		{"schedulingGates: duplicate", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/gate"}, {Name: "example.com/gate"}}
		}},
		{"overhead: negative", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Overhead = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("-1Mi")}
		}},
		{"runtimeClassName: not a DNS subdomain", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.RuntimeClassName = ptr("Not_Valid")
		}},
		{"template annotations: bad seccomp and AppArmor annotations", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Annotations = map[string]string{
				"seccomp.security.alpha.kubernetes.io/pod":              "bogus",
				"container.apparmor.security.beta.kubernetes.io/absent": "runtime/default",
			}
		}},
		{"pod affinity: key in both matchLabelKeys and mismatchLabelKeys", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
					LabelSelector:     &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}},
					TopologyKey:       "kubernetes.io/hostname",
					MatchLabelKeys:    []string{"pod-template-hash"},
					MismatchLabelKeys: []string{"pod-template-hash"},
				}}}}
		}},
		{"volumeDevices: device of a hostPath volume", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "dev", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/dev/sda"}}}}
			ds.Spec.Template.Spec.Containers[0].VolumeDevices = []corev1.VolumeDevice{{Name: "dev", DevicePath: "/dev/xvda"}}
		}},
		{"hostnameOverride with hostNetwork", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.HostNetwork = true
			ds.Spec.Template.Spec.HostnameOverride = ptr("agent.example.com")
		}},
		{"allowPrivilegeEscalation false with CAP_SYS_ADMIN", func(ds *appsv1.DaemonSet) {
			no := false
			ds.Spec.Template.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{AllowPrivilegeEscalation: &no,
				Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"CAP_SYS_ADMIN"}}}
		}},
		{"env fileKeyRef: volume is not an emptyDir", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "cfg", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/etc/agent"}}}}
			ds.Spec.Template.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "TOKEN", ValueFrom: &corev1.EnvVarSource{
				FileKeyRef: &corev1.FileKeySelector{VolumeName: "cfg", Path: "env", Key: "TOKEN"}}}}
		}},
		{"hugepages: request not a multiple of the page size", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Containers[0].Resources = corev1.ResourceRequirements{
				Requests: corev1.ResourceList{"hugepages-2Mi": resource.MustParse("3Mi"), corev1.ResourceMemory: resource.MustParse("64Mi")},
				Limits:   corev1.ResourceList{"hugepages-2Mi": resource.MustParse("3Mi"), corev1.ResourceMemory: resource.MustParse("64Mi")},
			}
		}},
		{"ephemeral container: name of a regular container", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
				Name: "agent", Image: "busybox", TerminationMessagePolicy: corev1.TerminationMessageReadFile, ImagePullPolicy: corev1.PullIfNotPresent}}}
		}},
		{"template generation annotation is not an integer", func(ds *appsv1.DaemonSet) {
			ds.Annotations = map[string]string{templateGenerationAnnotation: "abc"}
		}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ds := validAgent(fmt.Sprintf("broken-%d", i))
			tc.mod(ds)
			var ours []string
			for _, e := range daemonset.Validate(ds) {
				ours = append(ours, e.Field+" "+string(e.Type))
			}
			slices.Sort(ours)
			_, err := cs.AppsV1().DaemonSets(ds.Namespace).Create(ctx, ds.DeepCopy(), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			var theirs []string
			if err != nil && apierrors.IsBadRequest(err) {
				// The request fails while the server decodes it, before
				// validation; daemonkit reports the one field that fails it.
				const want = "metadata.annotations[" + templateGenerationAnnotation + "] FieldValueInvalid"
				if len(ours) != 1 || ours[0] != want {
					t.Fatalf("server refused to decode the object (%v); daemonkit: %v, want %s", err, ours, want)
				}
				return
			}
			if err != nil {
				st, ok := err.(apierrors.APIStatus)
				if !ok || !apierrors.IsInvalid(err) {
					t.Fatalf("server: %v (not a validation error)", err)
				}
				if d := st.Status().Details; d != nil {
					for _, c := range d.Causes {
						theirs = append(theirs, c.Field+" "+string(c.Type))
					}
				}
				if len(theirs) == 0 {
					t.Fatalf("server rejected without causes: %v", err)
				}
			}
			slices.Sort(theirs)
			if !slices.Equal(ours, theirs) {
				t.Errorf("daemonkit:\n  %s\nserver:\n  %s\n(server message: %v)",
					strings.Join(ours, "\n  "), strings.Join(theirs, "\n  "), err)
			}
		})
	}
}
