package daemonset

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"pgregory.net/rapid"
)

func defaultsPtr[V any](v V) *V { return &v }

// defaultsEmptyTemplate is upstream's defaultTemplate in TestSetDefaultDaemonSetSpec.
func defaultsEmptyTemplate(labels map[string]string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec: corev1.PodSpec{
			DNSPolicy:                     corev1.DNSClusterFirst,
			RestartPolicy:                 corev1.RestartPolicyAlways,
			SecurityContext:               &corev1.PodSecurityContext{},
			TerminationGracePeriodSeconds: defaultsPtr[int64](30),
			SchedulerName:                 corev1.DefaultSchedulerName,
		},
	}
}

// upstream: apps/v1 defaults_test.go TestSetDefaultDaemonSetSpec
func TestSetDefaultsDaemonSetSpec(t *testing.T) {
	labels := map[string]string{"foo": "bar"}
	rolling := appsv1.DaemonSetUpdateStrategy{
		Type: appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{
			MaxUnavailable: defaultsPtr(intstr.FromInt32(1)),
			MaxSurge:       defaultsPtr(intstr.FromInt32(0)),
		},
	}
	tests := []struct {
		name string
		in   appsv1.DaemonSetSpec
		want appsv1.DaemonSetSpec
	}{{
		name: "empty strategy becomes RollingUpdate maxUnavailable 1 maxSurge 0, history 10",
		in:   appsv1.DaemonSetSpec{Template: defaultsEmptyTemplate(labels)},
		want: appsv1.DaemonSetSpec{Template: defaultsEmptyTemplate(labels), UpdateStrategy: rolling,
			RevisionHistoryLimit: defaultsPtr[int32](10)},
	}, {
		name: "set revisionHistoryLimit is kept",
		in:   appsv1.DaemonSetSpec{Template: defaultsEmptyTemplate(labels), RevisionHistoryLimit: defaultsPtr[int32](1)},
		want: appsv1.DaemonSetSpec{Template: defaultsEmptyTemplate(labels), UpdateStrategy: rolling,
			RevisionHistoryLimit: defaultsPtr[int32](1)},
	}, {
		name: "OnDelete gets no rollingUpdate",
		in: appsv1.DaemonSetSpec{Template: defaultsEmptyTemplate(nil),
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}},
		want: appsv1.DaemonSetSpec{Template: defaultsEmptyTemplate(nil),
			UpdateStrategy:       appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType},
			RevisionHistoryLimit: defaultsPtr[int32](10)},
	}, {
		name: "empty spec gets template defaults too",
		in:   appsv1.DaemonSetSpec{},
		want: appsv1.DaemonSetSpec{Template: defaultsEmptyTemplate(nil), UpdateStrategy: rolling,
			RevisionHistoryLimit: defaultsPtr[int32](10)},
	}, {
		name: "OnDelete keeps a supplied rollingUpdate verbatim",
		in: appsv1.DaemonSetSpec{Template: defaultsEmptyTemplate(nil), UpdateStrategy: appsv1.DaemonSetUpdateStrategy{
			Type: appsv1.OnDeleteDaemonSetStrategyType, RollingUpdate: &appsv1.RollingUpdateDaemonSet{}}},
		want: appsv1.DaemonSetSpec{Template: defaultsEmptyTemplate(nil), UpdateStrategy: appsv1.DaemonSetUpdateStrategy{
			Type: appsv1.OnDeleteDaemonSetStrategyType, RollingUpdate: &appsv1.RollingUpdateDaemonSet{}},
			RevisionHistoryLimit: defaultsPtr[int32](10)},
	}, {
		name: "RollingUpdate fills only the missing bound",
		in: appsv1.DaemonSetSpec{Template: defaultsEmptyTemplate(nil), UpdateStrategy: appsv1.DaemonSetUpdateStrategy{
			RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: defaultsPtr(intstr.FromString("10%"))}}},
		want: appsv1.DaemonSetSpec{Template: defaultsEmptyTemplate(nil), UpdateStrategy: appsv1.DaemonSetUpdateStrategy{
			Type: appsv1.RollingUpdateDaemonSetStrategyType,
			RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: defaultsPtr(intstr.FromInt32(1)),
				MaxSurge: defaultsPtr(intstr.FromString("10%"))}},
			RevisionHistoryLimit: defaultsPtr[int32](10)},
	}, {
		name: "unknown strategy type is kept and not filled",
		in: appsv1.DaemonSetSpec{Template: defaultsEmptyTemplate(nil),
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: "Bogus"}},
		want: appsv1.DaemonSetSpec{Template: defaultsEmptyTemplate(nil),
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: "Bogus"}, RevisionHistoryLimit: defaultsPtr[int32](10)},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := &appsv1.DaemonSet{Spec: tc.in}
			SetDefaults(ds)
			if d := cmp.Diff(tc.want, ds.Spec); d != "" {
				t.Errorf("spec (-want +got):\n%s", d)
			}
		})
	}
}

// TestSetDefaultsPodTemplate names each pod-template default; the list is
// upstream's expectedDefaults for a PodTemplateSpec.
// upstream: core/v1 defaults_test.go TestWorkloadDefaults, TestSetDefaultProbe,
// TestSetDefaultProbeGRPCMode, TestSetDefaultHostPathVolumeSource,
// TestSetDefaultSecretVolumeSource, TestSetDefaultConfigMapVolumeSource,
// TestSetDefaultDownwardAPIVolumeSource, TestSetDefaultProjectedVolumeSource,
// TestSetDefaultEphemeral, TestSetDefaults_Volume, TestSetDefaultServiceAccountAlias
func TestSetDefaultsPodTemplate(t *testing.T) {
	probe := func() *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: intstr.FromInt32(80)}}}
	}
	full := func() *appsv1.DaemonSet {
		env := []corev1.EnvVar{
			{Name: "A", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}},
			{Name: "B", ValueFrom: &corev1.EnvVarSource{FileKeyRef: &corev1.FileKeySelector{VolumeName: "v", Path: "p", Key: "k"}}},
		}
		lifecycle := &corev1.Lifecycle{
			PostStart: &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Port: intstr.FromInt32(80)}},
			PreStop:   &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Port: intstr.FromInt32(80)}},
		}
		c := corev1.Container{Name: "c", Image: "nginx:1.27", Env: env, Lifecycle: lifecycle,
			Ports:          []corev1.ContainerPort{{ContainerPort: 8080}},
			LivenessProbe:  probe(),
			ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9090}}},
			StartupProbe:   probe(),
			Resources: corev1.ResourceRequirements{
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("0.0001")},
				Requests: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1.5Gi")},
			},
		}
		items := []corev1.DownwardAPIVolumeFile{{Path: "l", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels"}}}
		return &appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			DeprecatedServiceAccount: "legacy",
			HostNetwork:              true,
			InitContainers:           []corev1.Container{c},
			Containers:               []corev1.Container{c},
			EphemeralContainers:      []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon(c)}},
			Overhead:                 corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1.00001")},
			Volumes: []corev1.Volume{
				{Name: "none"},
				{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}},
				{Name: "secret", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{}}},
				{Name: "cm", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{}}},
				{Name: "dapi", VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{Items: items}}},
				{Name: "proj", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
					{DownwardAPI: &corev1.DownwardAPIProjection{Items: items}},
					{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "t"}},
				}}}},
				{Name: "iscsi", VolumeSource: corev1.VolumeSource{ISCSI: &corev1.ISCSIVolumeSource{}}},
				{Name: "rbd", VolumeSource: corev1.VolumeSource{RBD: &corev1.RBDVolumeSource{}}},
				{Name: "azure", VolumeSource: corev1.VolumeSource{AzureDisk: &corev1.AzureDiskVolumeSource{}}},
				{Name: "scaleio", VolumeSource: corev1.VolumeSource{ScaleIO: &corev1.ScaleIOVolumeSource{}}},
				{Name: "eph", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{
					VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{Spec: corev1.PersistentVolumeClaimSpec{
						Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
							corev1.ResourceStorage: resource.MustParse("1.0001")}}}}}}},
				{Name: "image", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: "tools"}}},
			},
		}}}}
	}
	ds := full()
	SetDefaults(ds)
	spec := &ds.Spec.Template.Spec
	vol := func(name string) *corev1.VolumeSource {
		for i := range spec.Volumes {
			if spec.Volumes[i].Name == name {
				return &spec.Volumes[i].VolumeSource
			}
		}
		t.Fatalf("volume %q missing", name)
		return nil
	}
	c := spec.Containers[0]
	tests := []struct {
		name      string
		got, want any
	}{
		{"dnsPolicy ClusterFirst", spec.DNSPolicy, corev1.DNSClusterFirst},
		{"restartPolicy Always", spec.RestartPolicy, corev1.RestartPolicyAlways},
		{"securityContext empty", spec.SecurityContext, &corev1.PodSecurityContext{}},
		{"terminationGracePeriodSeconds 30", spec.TerminationGracePeriodSeconds, defaultsPtr[int64](30)},
		{"schedulerName default-scheduler", spec.SchedulerName, "default-scheduler"},
		{"serviceAccountName from deprecated alias", spec.ServiceAccountName, "legacy"},
		{"imagePullPolicy IfNotPresent for a version tag", c.ImagePullPolicy, corev1.PullIfNotPresent},
		{"terminationMessagePath", c.TerminationMessagePath, "/dev/termination-log"},
		{"terminationMessagePolicy File", c.TerminationMessagePolicy, corev1.TerminationMessageReadFile},
		{"port protocol TCP", c.Ports[0].Protocol, corev1.ProtocolTCP},
		{"hostPort not defaulted under hostNetwork in a template", c.Ports[0].HostPort, int32(0)},
		{"probe timings", [4]int32{c.LivenessProbe.TimeoutSeconds, c.LivenessProbe.PeriodSeconds,
			c.LivenessProbe.SuccessThreshold, c.LivenessProbe.FailureThreshold}, [4]int32{1, 10, 1, 3}},
		{"probe httpGet path and scheme", [2]string{c.LivenessProbe.HTTPGet.Path, string(c.LivenessProbe.HTTPGet.Scheme)},
			[2]string{"/", "HTTP"}},
		{"probe httpGet protocol not defaulted in a template", c.StartupProbe.HTTPGet.Protocol, (*corev1.HTTPProtocol)(nil)},
		{"grpc probe service empty", c.ReadinessProbe.GRPC.Service, defaultsPtr("")},
		{"lifecycle postStart httpGet", c.Lifecycle.PostStart.HTTPGet.Path, "/"},
		{"lifecycle preStop httpGet", c.Lifecycle.PreStop.HTTPGet.Scheme, corev1.URISchemeHTTP},
		{"env fieldRef apiVersion v1", c.Env[0].ValueFrom.FieldRef.APIVersion, "v1"},
		{"env fileKeyRef optional false", c.Env[1].ValueFrom.FileKeyRef.Optional, defaultsPtr(false)},
		{"limits rounded up to milli", c.Resources.Limits.Cpu().String(), "1m"},
		{"requests kept when already milli-exact", c.Resources.Requests.Memory().String(), "1536Mi"},
		{"requests not copied from limits in a template", c.Resources.Requests.Cpu().IsZero(), true},
		{"init container defaulted", spec.InitContainers[0].TerminationMessagePolicy, corev1.TerminationMessageReadFile},
		{"ephemeral container defaulted", spec.EphemeralContainers[0].LivenessProbe.PeriodSeconds, int32(10)},
		{"overhead rounded up to milli", spec.Overhead.Cpu().String(), "1001m"},
		{"volume without source becomes emptyDir", vol("none").EmptyDir, &corev1.EmptyDirVolumeSource{}},
		{"hostPath type unset", vol("host").HostPath.Type, defaultsPtr(corev1.HostPathUnset)},
		{"secret defaultMode 0644", vol("secret").Secret.DefaultMode, defaultsPtr[int32](0o644)},
		{"configMap defaultMode 0644", vol("cm").ConfigMap.DefaultMode, defaultsPtr[int32](0o644)},
		{"downwardAPI defaultMode 0644", vol("dapi").DownwardAPI.DefaultMode, defaultsPtr[int32](0o644)},
		{"downwardAPI item fieldRef v1", vol("dapi").DownwardAPI.Items[0].FieldRef.APIVersion, "v1"},
		{"projected defaultMode 0644", vol("proj").Projected.DefaultMode, defaultsPtr[int32](0o644)},
		{"projected downwardAPI fieldRef v1", vol("proj").Projected.Sources[0].DownwardAPI.Items[0].FieldRef.APIVersion, "v1"},
		{"serviceAccountToken expiration 1h", vol("proj").Projected.Sources[1].ServiceAccountToken.ExpirationSeconds, defaultsPtr[int64](3600)},
		{"iscsi interface default", vol("iscsi").ISCSI.ISCSIInterface, "default"},
		{"rbd pool, user, keyring", [3]string{vol("rbd").RBD.RBDPool, vol("rbd").RBD.RadosUser, vol("rbd").RBD.Keyring},
			[3]string{"rbd", "admin", "/etc/ceph/keyring"}},
		{"azureDisk caching, fsType, readOnly, kind", *vol("azure").AzureDisk, corev1.AzureDiskVolumeSource{
			CachingMode: defaultsPtr(corev1.AzureDataDiskCachingReadWrite), FSType: defaultsPtr("ext4"),
			ReadOnly: defaultsPtr(false), Kind: defaultsPtr(corev1.AzureSharedBlobDisk)}},
		{"scaleIO storageMode and fsType", [2]string{vol("scaleio").ScaleIO.StorageMode, vol("scaleio").ScaleIO.FSType},
			[2]string{"ThinProvisioned", "xfs"}},
		{"ephemeral claim volumeMode Filesystem", vol("eph").Ephemeral.VolumeClaimTemplate.Spec.VolumeMode,
			defaultsPtr(corev1.PersistentVolumeFilesystem)},
		{"ephemeral claim requests rounded", vol("eph").Ephemeral.VolumeClaimTemplate.Spec.Resources.Requests.Storage().String(), "1001m"},
		{"image volume pullPolicy Always for untagged", vol("image").Image.PullPolicy, corev1.PullAlways},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, tc.got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestSetDefaultsKeepsSetValues: defaulting fills blanks and never replaces a
// value the user set.
// upstream: core/v1 defaults_test.go TestSetDefaultProbe (set values kept),
// TestSetDefaultPodTerminationGracePeriodSeconds (negative kept on templates)
func TestSetDefaultsKeepsSetValues(t *testing.T) {
	in := &appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
		ServiceAccountName:            "agent",
		DeprecatedServiceAccount:      "other",
		DNSPolicy:                     corev1.DNSClusterFirstWithHostNet,
		RestartPolicy:                 corev1.RestartPolicyNever,
		TerminationGracePeriodSeconds: defaultsPtr[int64](-5),
		SchedulerName:                 "custom",
		Containers: []corev1.Container{{Name: "c", Image: "nginx", ImagePullPolicy: corev1.PullNever,
			TerminationMessagePath: "/x", TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
			Ports: []corev1.ContainerPort{{ContainerPort: 53, Protocol: corev1.ProtocolUDP}},
			LivenessProbe: &corev1.Probe{TimeoutSeconds: 2, PeriodSeconds: 3, SuccessThreshold: 4, FailureThreshold: 5,
				ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/h", Scheme: corev1.URISchemeHTTPS}}}}},
		Volumes: []corev1.Volume{{Name: "s", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{DefaultMode: defaultsPtr[int32](0o400)}}}},
	}}}}
	got := in.DeepCopy()
	SetDefaults(got)
	want := in.DeepCopy()
	want.Spec.Template.Spec.DeprecatedServiceAccount = "agent" // the alias mirrors serviceAccountName
	if d := cmp.Diff(want.Spec.Template.Spec.Containers, got.Spec.Template.Spec.Containers); d != "" {
		t.Errorf("containers changed (-want +got):\n%s", d)
	}
	gs, ws := got.Spec.Template.Spec, want.Spec.Template.Spec
	for _, f := range []struct{ name, got, want string }{
		{"serviceAccountName", gs.ServiceAccountName, ws.ServiceAccountName},
		{"deprecatedServiceAccount", gs.DeprecatedServiceAccount, ws.DeprecatedServiceAccount},
		{"dnsPolicy", string(gs.DNSPolicy), string(ws.DNSPolicy)},
		{"restartPolicy", string(gs.RestartPolicy), string(ws.RestartPolicy)},
		{"schedulerName", gs.SchedulerName, ws.SchedulerName},
	} {
		if f.got != f.want {
			t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
		}
	}
	if *gs.TerminationGracePeriodSeconds != -5 {
		t.Errorf("negative terminationGracePeriodSeconds changed to %d; only Pods clamp it to 1", *gs.TerminationGracePeriodSeconds)
	}
	if *gs.Volumes[0].Secret.DefaultMode != 0o400 {
		t.Errorf("secret defaultMode changed to %o", *gs.Volumes[0].Secret.DefaultMode)
	}
}

// TestDefaultPullPolicy covers every reference form of the parse.
// upstream: core/v1 defaults_test.go TestSetDefaultReplicationControllerInitContainers
// and TestSetDefaults_Volume (pull policy by tag); pkg/util/parsers
// parsers_test.go TestParseImageName; distribution/reference normalize_test.go
func TestDefaultPullPolicy(t *testing.T) {
	const hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	always, ifNotPresent := corev1.PullAlways, corev1.PullIfNotPresent
	tests := []struct {
		image string
		want  corev1.PullPolicy
	}{
		{"nginx", always},
		{"nginx:latest", always},
		{"nginx:1.27", ifNotPresent},
		{"nginx:LATEST", ifNotPresent}, // tags are case-sensitive
		{"library/nginx", always},
		{"docker.io/library/nginx:latest", always},
		{"index.docker.io/nginx", always},
		{"registry:5000/nginx", always},
		{"registry:5000/nginx:5000", ifNotPresent},
		{"localhost/app", always},
		{"localhost:5000/app:v1", ifNotPresent},
		{"[::1]:5000/app", always},
		{"gcr.io/project/app/sub:latest", always},
		{"nginx@sha256:" + hex, ifNotPresent},
		{"nginx:latest@sha256:" + hex, always}, // tag and digest: the tag decides
		{"nginx:1.2@sha256:" + hex, ifNotPresent},
		{"nginx@sha256:" + strings.ToUpper(hex), ifNotPresent}, // invalid digest: parse fails
		{"nginx@sha256:" + hex[:63], ifNotPresent},
		{"nginx@md5:" + hex[:32], ifNotPresent},
		{"Nginx", ifNotPresent},                    // uppercase repository: parse fails
		{"Registry.Example.com/app", always},       // uppercase is allowed in the domain
		{"registry.example.com/App", ifNotPresent}, // but not in the path
		{"", ifNotPresent},
		{hex, ifNotPresent},      // a bare 64-hex identifier is rejected
		{"nginx:", ifNotPresent}, // empty tag
		{"-nginx", ifNotPresent}, // bad path component
		{"a__b", always},         // double underscore separator
		{"a___b", ifNotPresent},  // triple underscore is not a separator
		{"app:" + strings.Repeat("t", 128), ifNotPresent},
		{"app:" + strings.Repeat("t", 129), ifNotPresent},
		{"app" + strings.Repeat("x", 244), always},       // library/ + 247 = 255 chars
		{"app" + strings.Repeat("x", 245), ifNotPresent}, // 256 chars: name too long
	}
	for _, tc := range tests {
		name := tc.image
		if len(name) > 40 {
			name = name[:40] + "..."
		}
		t.Run(name, func(t *testing.T) {
			if got := DefaultPullPolicy(tc.image); got != tc.want {
				t.Errorf("DefaultPullPolicy(%q) = %s, want %s", tc.image, got, tc.want)
			}
		})
	}
}

// TestVolumeSourceEmptyCoversEveryPointerField guards volumeSourceEmpty against
// new volume sources in k8s.io/api: setting any one pointer field of
// VolumeSource must make it non-empty, as upstream's ptr.AllPtrFieldsNil does.
func TestVolumeSourceEmptyCoversEveryPointerField(t *testing.T) {
	if !volumeSourceEmpty(&corev1.VolumeSource{}) {
		t.Fatal("zero VolumeSource reported non-empty")
	}
	typ := reflect.TypeFor[corev1.VolumeSource]()
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if f.Type.Kind() != reflect.Pointer {
			continue
		}
		var src corev1.VolumeSource
		reflect.ValueOf(&src).Elem().Field(i).Set(reflect.New(f.Type.Elem()))
		if volumeSourceEmpty(&src) {
			t.Errorf("VolumeSource.%s set but volumeSourceEmpty says empty; add it", f.Name)
		}
	}
}

func TestSetDefaultsNilIsNoop(t *testing.T) {
	SetDefaults(nil) // must not panic
}

// TestSetDefaultsProperties: on wide random DaemonSets SetDefaults is
// idempotent, never changes a value that was set (except the mirrored
// deprecatedServiceAccount alias and rounded quantities) and never touches
// metadata or status.
func TestSetDefaultsProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := rapid.Make[appsv1.DaemonSet]().Draw(t, "ds")
		once := in.DeepCopy()
		SetDefaults(once)
		twice := once.DeepCopy()
		SetDefaults(twice)
		if d := cmp.Diff(once, twice); d != "" {
			t.Fatalf("not idempotent (-once +twice):\n%s", d)
		}
		if d := cmp.Diff(in.ObjectMeta, once.ObjectMeta); d != "" {
			t.Fatalf("metadata changed:\n%s", d)
		}
		if d := cmp.Diff(in.Status, once.Status); d != "" {
			t.Fatalf("status changed:\n%s", d)
		}
		if path, ok := defaultsKeepsSet(reflect.ValueOf(in.Spec), reflect.ValueOf(once.Spec), "spec"); !ok {
			t.Fatalf("a set value changed at %s", path)
		}
	})
}

// TestSetDefaultsRoundsQuantitiesUp: every quantity ends milli-exact, rounded
// away from zero (negative values grow in magnitude, as upstream's
// Quantity.RoundUp does) by less than 1m.
// upstream: core/v1 defaults_test.go TestSetMinimumScalePod
func TestSetDefaultsRoundsQuantitiesUp(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q := *resource.NewScaledQuantity(rapid.Int64Range(-1e15, 1e15).Draw(t, "value"),
			resource.Scale(rapid.IntRange(-9, 6).Draw(t, "scale")))
		ds := &appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceCPU: q}}}},
		}}}}
		SetDefaults(ds)
		got := ds.Spec.Template.Spec.Containers[0].Resources.Limits[corev1.ResourceCPU]
		exact := got.DeepCopy()
		if exact.RoundUp(-3); exact.Cmp(got) != 0 {
			t.Fatalf("%s is not milli-exact", got.String())
		}
		absIn, absOut := q.DeepCopy(), got.DeepCopy()
		if q.Sign() < 0 {
			absIn.Neg()
			absOut.Neg()
		}
		if absOut.Cmp(absIn) < 0 {
			t.Fatalf("%s rounded towards zero to %s", q.String(), got.String())
		}
		absOut.Sub(*resource.NewMilliQuantity(1, resource.DecimalSI))
		if absOut.Cmp(absIn) >= 0 {
			t.Fatalf("%s moved by 1m or more to %s", q.String(), got.String())
		}
	})
}

// defaultsKeepsSet reports whether every non-zero leaf of before is unchanged
// in after, and the first path where it is not.
func defaultsKeepsSet(before, after reflect.Value, path string) (string, bool) {
	switch before.Kind() {
	case reflect.Pointer:
		if before.IsNil() {
			return "", true
		}
		if after.IsNil() {
			return path, false
		}
		return defaultsKeepsSet(before.Elem(), after.Elem(), path)
	case reflect.Struct:
		if before.Type() == reflect.TypeFor[resource.Quantity]() {
			return "", true // rounded; see TestSetDefaultsRoundsQuantitiesUp
		}
		for i := 0; i < before.NumField(); i++ {
			f := before.Type().Field(i)
			if !f.IsExported() || f.Name == "DeprecatedServiceAccount" {
				continue
			}
			if p, ok := defaultsKeepsSet(before.Field(i), after.Field(i), path+"."+f.Name); !ok {
				return p, false
			}
		}
		return "", true
	case reflect.Slice:
		if before.Len() == 0 {
			return "", true
		}
		if after.Len() != before.Len() {
			return path, false
		}
		for i := 0; i < before.Len(); i++ {
			if p, ok := defaultsKeepsSet(before.Index(i), after.Index(i), path+"[]"); !ok {
				return p, false
			}
		}
		return "", true
	case reflect.Map:
		for _, k := range before.MapKeys() {
			a := after.MapIndex(k)
			if !a.IsValid() {
				return path, false
			}
			if p, ok := defaultsKeepsSet(before.MapIndex(k), a, path+"[k]"); !ok {
				return p, false
			}
		}
		return "", true
	default:
		if before.IsZero() || reflect.DeepEqual(before.Interface(), after.Interface()) {
			return "", true
		}
		return path, false
	}
}

// FuzzSetDefaults: any JSON that decodes to a DaemonSet defaults without
// panicking, and defaulting twice equals defaulting once.
func FuzzSetDefaults(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":{}}}}`,
		`{"spec":{"template":{"spec":{"hostNetwork":true,"containers":[{"name":"a","image":"nginx:latest",` +
			`"ports":[{"containerPort":80}],"resources":{"limits":{"cpu":"0.0001","memory":"1.5Gi"}},` +
			`"livenessProbe":{"httpGet":{"port":80}},"readinessProbe":{"grpc":{"port":9}},` +
			`"lifecycle":{"preStop":{"httpGet":{"port":1}}},"env":[{"name":"N","valueFrom":{"fieldRef":{"fieldPath":"spec.nodeName"}}}]}],` +
			`"volumes":[{"name":"x"},{"name":"h","hostPath":{"path":"/"}},{"name":"p","projected":{"sources":[{"serviceAccountToken":{"path":"t"}}]}}]}}}}`,
		`{"spec":{"template":{"spec":{"initContainers":[{"image":"registry:5000/a@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}],` +
			`"ephemeralContainers":[{"name":"d","image":"Busybox"}],"overhead":{"cpu":"1e-7"},"resources":{"requests":{"memory":"129e6"}}}}}}`,
	} {
		f.Add([]byte(seed))
	}
	for _, seed := range seedDaemonSets(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var ds appsv1.DaemonSet
		if err := json.Unmarshal(data, &ds); err != nil {
			return
		}
		SetDefaults(&ds)
		twice := ds.DeepCopy()
		SetDefaults(twice)
		if d := cmp.Diff(&ds, twice); d != "" {
			t.Fatalf("not idempotent (-once +twice):\n%s", d)
		}
	})
}

// FuzzDefaultPullPolicy: any string gives one of the two policies, without
// panicking, and appending ":latest" to a bare reference that parses never
// turns Always into IfNotPresent.
func FuzzDefaultPullPolicy(f *testing.F) {
	for _, s := range []string{"nginx", "nginx:1.2", "registry:5000/a/b@sha256:" + strings.Repeat("a", 64), "", "Nginx", "[::1]/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, image string) {
		got := DefaultPullPolicy(image)
		if got != corev1.PullAlways && got != corev1.PullIfNotPresent {
			t.Fatalf("DefaultPullPolicy(%q) = %q", image, got)
		}
		if got == corev1.PullAlways && !strings.ContainsAny(image, ":@") {
			if again := DefaultPullPolicy(image + ":latest"); again != corev1.PullAlways {
				t.Fatalf("%q is Always but %q is %s", image, image+":latest", again)
			}
		}
	})
}

// defaultsTypicalDaemonSet is a preset-sized DaemonSet (a log shipper).
func defaultsTypicalDaemonSet() *appsv1.DaemonSet {
	probe := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: intstr.FromString("http")}}}
	res := corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")},
	}
	hostPath := func(name, path string) corev1.Volume {
		return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: path}}}
	}
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "fluent-bit", Namespace: "logging"},
		Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "init", Image: "busybox:1.36"}},
			Containers: []corev1.Container{{
				Name: "fluent-bit", Image: "cr.fluentbit.io/fluent/fluent-bit:3.1.4",
				Ports:     []corev1.ContainerPort{{Name: "http", ContainerPort: 2020}},
				Env:       []corev1.EnvVar{{Name: "NODE_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}}},
				Resources: res, LivenessProbe: probe, ReadinessProbe: probe.DeepCopy(),
			}, {
				Name: "reloader", Image: "ghcr.io/example/reloader@sha256:" + strings.Repeat("ab", 32), Resources: res,
			}},
			Volumes: []corev1.Volume{
				hostPath("varlog", "/var/log"), hostPath("containers", "/var/lib/docker/containers"),
				hostPath("machine-id", "/etc/machine-id"),
				{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{}}},
				{Name: "tls", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "tls"}}},
				{Name: "tmp"},
			},
		}}},
	}
}

// BenchmarkSetDefaults defaults a fresh copy of a preset-sized DaemonSet per
// iteration; the deepcopy sub-benchmark is the copying baseline.
func BenchmarkSetDefaults(b *testing.B) {
	base := defaultsTypicalDaemonSet()
	b.Run("deepcopy", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = base.DeepCopy()
		}
	})
	b.Run("defaults", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			SetDefaults(base.DeepCopy())
		}
	})
}

func BenchmarkDefaultPullPolicy(b *testing.B) {
	images := []string{"nginx", "cr.fluentbit.io/fluent/fluent-bit:3.1.4", "registry:5000/nginx:latest",
		"ghcr.io/example/reloader@sha256:" + strings.Repeat("ab", 32)}
	b.ReportAllocs()
	for b.Loop() {
		for _, im := range images {
			_ = DefaultPullPolicy(im)
		}
	}
}
