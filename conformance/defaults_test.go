package conformance

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	upstreamappsv1 "k8s.io/kubernetes/pkg/apis/apps/v1"
	"k8s.io/kubernetes/pkg/util/parsers"
	"pgregory.net/rapid"

	"github.com/daemonkit/daemonkit/daemonset"
)

// defUpstream runs upstream's generated defaulter on ds and reports
// whether it panicked (such inputs are skipped and counted, not compared).
func defUpstream(ds *appsv1.DaemonSet) (panicked bool) {
	defer func() {
		if recover() != nil {
			panicked = true
		}
	}()
	upstreamappsv1.SetObjectDefaults_DaemonSet(ds)
	return false
}

// defCompare defaults two deep copies of in, ours and upstream's, and
// fails t unless they are equal three ways: cmp.Diff (semantic, quantities by
// value), reflect.DeepEqual (representation, including cached quantity
// strings) and the spec's JSON bytes (what the API server would store). It also checks
// that defaulting twice equals defaulting once. It returns false when upstream
// panicked and the case was skipped.
func defCompare(t interface {
	Helper()
	Fatalf(string, ...any)
}, in *appsv1.DaemonSet) bool {
	t.Helper()
	theirs := in.DeepCopy()
	if defUpstream(theirs) {
		return false
	}
	ours := in.DeepCopy()
	daemonset.SetDefaults(ours)
	if d := cmp.Diff(theirs, ours); d != "" {
		t.Fatalf("SetDefaults differs from upstream SetObjectDefaults_DaemonSet (-upstream +daemonkit):\n%s", d)
	}
	if !reflect.DeepEqual(theirs, ours) {
		t.Fatalf("SetDefaults equals upstream semantically but not in representation:\nupstream:  %#v\ndaemonkit: %#v", theirs, ours)
	}
	// Defaulting touches only the spec; random metadata may not marshal.
	jt, errT := json.Marshal(theirs.Spec)
	jo, errO := json.Marshal(ours.Spec)
	if errT != nil || errO != nil || string(jt) != string(jo) {
		t.Fatalf("JSON differs (errors %v, %v):\nupstream:  %s\ndaemonkit: %s", errT, errO, jt, jo)
	}
	twice := ours.DeepCopy()
	daemonset.SetDefaults(twice)
	if d := cmp.Diff(ours, twice); d != "" {
		t.Fatalf("SetDefaults is not idempotent (-once +twice):\n%s", d)
	}
	return true
}

// TestSetDefaultsMatchesUpstream holds daemonset.SetDefaults to upstream's
// k8s.io/kubernetes/pkg/apis/apps/v1.SetObjectDefaults_DaemonSet on (1)
// realistic structured DaemonSets and (2) wide randfill objects.
func TestSetDefaultsMatchesUpstream(t *testing.T) {
	t.Run("structured", func(t *testing.T) {
		var cases, skipped atomic.Int64
		rapid.Check(t, func(t *rapid.T) {
			ds := defGenDaemonSet().Draw(t, "ds")
			cases.Add(1)
			if !defCompare(t, ds) {
				skipped.Add(1)
			}
		})
		t.Logf("%d structured cases compared, %d skipped because upstream panicked", cases.Load()-skipped.Load(), skipped.Load())
	})
	t.Run("randfill", func(t *testing.T) {
		var cases, skipped atomic.Int64
		rapid.Check(t, func(t *rapid.T) {
			seed := rapid.Int64().Draw(t, "seed")
			ds := randomDaemonSet(seed)
			cases.Add(1)
			if !defCompare(t, ds) {
				skipped.Add(1)
			}
		})
		t.Logf("%d randfill cases compared, %d skipped because upstream panicked", cases.Load()-skipped.Load(), skipped.Load())
	})
}

// TestSetDefaultsMatchesLegacyScheme checks that the function compared above
// is the one the API server runs: the legacy scheme's registered defaulter
// (checked on 500 fixed randfill seeds; the properties above do the rest).
func TestSetDefaultsMatchesLegacyScheme(t *testing.T) {
	for seed := int64(0); seed < 500; seed++ {
		in := randomDaemonSet(seed)
		theirs := in.DeepCopy()
		legacyscheme.Scheme.Default(theirs)
		ours := in.DeepCopy()
		daemonset.SetDefaults(ours)
		if d := cmp.Diff(theirs, ours); d != "" {
			t.Fatalf("seed %d: differs from legacyscheme.Scheme.Default (-upstream +daemonkit):\n%s", seed, d)
		}
	}
}

// TestDefaultPullPolicyMatchesUpstream holds daemonset.DefaultPullPolicy to
// upstream's parsers.ParseImageName (distribution/reference) on image strings
// built from the grammar's own alphabet.
func TestDefaultPullPolicyMatchesUpstream(t *testing.T) {
	check := func(t interface{ Fatalf(string, ...any) }, image string) {
		_, tag, _, _ := parsers.ParseImageName(image)
		want := corev1.PullIfNotPresent
		if tag == "latest" {
			want = corev1.PullAlways
		}
		if got := daemonset.DefaultPullPolicy(image); got != want {
			t.Fatalf("DefaultPullPolicy(%q) = %s, upstream tag %q gives %s", image, got, tag, want)
		}
	}
	// The named forms of daemonset's TestDefaultPullPolicy table.
	for _, image := range []string{"nginx", "nginx:latest", "nginx:1.27", "nginx:LATEST", "library/nginx",
		"docker.io/library/nginx:latest", "index.docker.io/nginx", "registry:5000/nginx", "registry:5000/nginx:5000",
		"localhost/app", "localhost:5000/app:v1", "[::1]:5000/app", "gcr.io/project/app/sub:latest",
		"nginx@sha256:" + defHex64, "nginx:latest@sha256:" + defHex64, "nginx:1.2@sha256:" + defHex64,
		"nginx@sha256:" + strings.ToUpper(defHex64), "nginx@sha256:" + defHex64[:63], "nginx@md5:" + defHex64[:32], "Nginx",
		"Registry.Example.com/app", "registry.example.com/App", "", defHex64, "nginx:", "-nginx", "a__b", "a___b",
		"app:" + strings.Repeat("t", 128), "app:" + strings.Repeat("t", 129), "app" + strings.Repeat("x", 244),
		"app" + strings.Repeat("x", 245)} {
		check(t, image)
	}
	rapid.Check(t, func(t *rapid.T) {
		check(t, rapid.OneOf(defGenImage(), defGenImageNoise()).Draw(t, "image"))
	})
}

// TestImageTagMatchesUpstream holds daemonset.ImageTag to upstream's
// parsers.ParseImageName: the same tag (upstream fills in "latest" when there
// is neither tag nor digest), the same digest, and the same error text.
func TestImageTagMatchesUpstream(t *testing.T) {
	check := func(t interface{ Fatalf(string, ...any) }, image string) {
		_, wantTag, wantDigest, wantErr := parsers.ParseImageName(image)
		tag, digest, err := daemonset.ImageTag(image)
		if err == nil && tag == "" && digest == "" {
			tag = "latest"
		}
		if tag != wantTag || digest != wantDigest || (err == nil) != (wantErr == nil) ||
			(err != nil && err.Error() != wantErr.Error()) {
			t.Fatalf("ImageTag(%q) = (%q, %q, %v), upstream ParseImageName gives (%q, %q, %v)",
				image, tag, digest, err, wantTag, wantDigest, wantErr)
		}
	}
	for _, image := range []string{"nginx", "nginx:latest", "registry:5000/nginx", "registry:5000/nginx:5000",
		"[::1]:5000/app:v2", "nginx:1.2@sha256:" + defHex64, "nginx@sha256:" + strings.ToUpper(defHex64),
		"nginx@sha256:" + defHex64[:63], "nginx@md5:" + defHex64[:32], "nginx@MD5:" + defHex64[:32],
		"r.io/app:TAG@SHA256:" + defHex64, "Nginx", "registry.example.com/App", "", defHex64, "nginx:", "a___b",
		"app" + strings.Repeat("x", 245)} {
		check(t, image)
	}
	rapid.Check(t, func(t *rapid.T) {
		check(t, rapid.OneOf(defGenImage(), defGenImageNoise()).Draw(t, "image"))
	})
}

// ---- structured generator ---------------------------------------------------

func defOptional[V any](g *rapid.Generator[V]) *rapid.Generator[*V] {
	return rapid.Custom(func(t *rapid.T) *V {
		if rapid.Bool().Draw(t, "set") {
			v := g.Draw(t, "value")
			return &v
		}
		return nil
	})
}

func defOrEmpty[S ~string](values ...S) *rapid.Generator[S] {
	return rapid.SampledFrom(append([]S{""}, values...))
}

const (
	defHex64  = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	defHex96  = defHex64 + "0123456789abcdef0123456789abcdef"
	defHex128 = defHex64 + defHex64
)

// defGenImage draws references in every form the grammar knows, valid or not.
func defGenImage() *rapid.Generator[string] {
	domain := rapid.SampledFrom([]string{"", "", "", "docker.io/", "index.docker.io/", "registry:5000/", "localhost/",
		"localhost:5000/", "gcr.io/", "quay.io/", "Registry.Example.com/", "[::1]:5000/", "[fe80::1]/", "a-b.c/", "-x.io/",
		"reg:port/", "UPPER/", "a_b.c/", "a.b_c/"})
	path := rapid.SampledFrom([]string{"nginx", "library/nginx", "org/app", "x/y/z", "Nginx", "my_app", "a--b", "a__b",
		"a___b", "a.b", "-bad", "bad-", "", "a//b", defHex64, "app" + strings.Repeat("x", 253), "app" + strings.Repeat("x", 252)})
	tag := rapid.SampledFrom([]string{"", "", ":latest", ":1.2", ":LATEST", ":Latest", ":v1.0-rc.1", ":_x", ":.bad", ":",
		":" + strings.Repeat("t", 128), ":" + strings.Repeat("t", 129), ":latest:latest", ":a b"})
	digest := rapid.SampledFrom([]string{"", "", "@sha256:" + defHex64, "@sha256:" + strings.ToUpper(defHex64), "@sha256:" + defHex64[:63],
		"@sha384:" + defHex96, "@sha512:" + defHex128, "@SHA256:" + defHex64, "@md5:" + defHex64[:32], "@sha256:", "@", "@sha256:" + defHex128,
		"@sha256+b64:" + defHex64})
	return rapid.Custom(func(t *rapid.T) string {
		return domain.Draw(t, "domain") + path.Draw(t, "path") + tag.Draw(t, "tag") + digest.Draw(t, "digest")
	})
}

// defGenImageNoise draws short strings over the reference grammar's alphabet.
func defGenImageNoise() *rapid.Generator[string] {
	return rapid.StringOfN(rapid.SampledFrom([]rune("abcfAB019:/@._-[]+ Ω")), 0, 40, -1)
}

func defGenQuantity() *rapid.Generator[resource.Quantity] {
	return rapid.Custom(func(t *rapid.T) resource.Quantity {
		s := rapid.SampledFrom([]string{"0", "0.0001", "0.0005", "0.001", "1.5Gi", "100m", "100.5m", "1", "2.5", "1e3",
			"1E-7", "128974848", "129e6", "129M", "123Mi", "0.1Ki", "1n", "1u", "999999999999999999", "1e30", "-1",
			"-0.0001", "5.0000001", "7Ei", "12345678901234567890123"}).Draw(t, "quantity")
		return resource.MustParse(s)
	})
}

func defGenResourceList() *rapid.Generator[corev1.ResourceList] {
	return rapid.Custom(func(t *rapid.T) corev1.ResourceList {
		if rapid.IntRange(0, 4).Draw(t, "nil") == 0 {
			return nil
		}
		names := rapid.SliceOfNDistinct(rapid.SampledFrom([]corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory,
			corev1.ResourceEphemeralStorage, "hugepages-2Mi", "nvidia.com/gpu", corev1.ResourceStorage}), 0, 4,
			func(n corev1.ResourceName) corev1.ResourceName { return n }).Draw(t, "names")
		list := corev1.ResourceList{}
		for _, n := range names {
			list[n] = defGenQuantity().Draw(t, string(n))
		}
		return list
	})
}

func defGenHTTPGet() *rapid.Generator[*corev1.HTTPGetAction] {
	return rapid.Custom(func(t *rapid.T) *corev1.HTTPGetAction {
		return &corev1.HTTPGetAction{
			Path:     rapid.SampledFrom([]string{"", "/", "/healthz"}).Draw(t, "path"),
			Port:     intstr.FromInt32(8080),
			Host:     defOrEmpty("127.0.0.1").Draw(t, "host"),
			Scheme:   defOrEmpty(corev1.URISchemeHTTP, corev1.URISchemeHTTPS).Draw(t, "scheme"),
			Protocol: defOptional(rapid.SampledFrom([]corev1.HTTPProtocol{corev1.HTTPProtocolHTTP1, corev1.HTTPProtocolHTTP2})).Draw(t, "protocol"),
		}
	})
}

func defGenProbe() *rapid.Generator[*corev1.Probe] {
	return rapid.Custom(func(t *rapid.T) *corev1.Probe {
		if rapid.IntRange(0, 2).Draw(t, "nil") == 0 {
			return nil
		}
		p := &corev1.Probe{
			InitialDelaySeconds: rapid.Int32Range(0, 5).Draw(t, "delay"),
			TimeoutSeconds:      rapid.Int32Range(-1, 3).Draw(t, "timeout"),
			PeriodSeconds:       rapid.Int32Range(-1, 20).Draw(t, "period"),
			SuccessThreshold:    rapid.Int32Range(0, 2).Draw(t, "success"),
			FailureThreshold:    rapid.Int32Range(0, 5).Draw(t, "failure"),
		}
		switch rapid.IntRange(0, 4).Draw(t, "handler") {
		case 0:
			p.Exec = &corev1.ExecAction{Command: []string{"true"}}
		case 1:
			p.HTTPGet = defGenHTTPGet().Draw(t, "httpGet")
		case 2:
			p.TCPSocket = &corev1.TCPSocketAction{Port: intstr.FromString("metrics")}
		case 3:
			p.GRPC = &corev1.GRPCAction{Port: 9090, Service: defOptional(defOrEmpty("health")).Draw(t, "service")}
		}
		return p
	})
}

func defGenLifecycleHandler() *rapid.Generator[*corev1.LifecycleHandler] {
	return rapid.Custom(func(t *rapid.T) *corev1.LifecycleHandler {
		switch rapid.IntRange(0, 4).Draw(t, "handler") {
		case 0:
			return nil
		case 1:
			return &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"sh", "-c", "sleep 1"}}}
		case 2:
			return &corev1.LifecycleHandler{HTTPGet: defGenHTTPGet().Draw(t, "httpGet")}
		case 3:
			return &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: 5}}
		default:
			return &corev1.LifecycleHandler{}
		}
	})
}

func defGenEnvVar() *rapid.Generator[corev1.EnvVar] {
	return rapid.Custom(func(t *rapid.T) corev1.EnvVar {
		e := corev1.EnvVar{Name: rapid.SampledFrom([]string{"NODE_NAME", "POD_IP", "LOG_LEVEL"}).Draw(t, "name")}
		switch rapid.IntRange(0, 5).Draw(t, "kind") {
		case 0:
			e.Value = "info"
		case 1:
			e.ValueFrom = &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{
				APIVersion: defOrEmpty("v1", "v2").Draw(t, "apiVersion"), FieldPath: "spec.nodeName"}}
		case 2:
			e.ValueFrom = &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.cpu"}}
		case 3:
			e.ValueFrom = &corev1.EnvVarSource{FileKeyRef: &corev1.FileKeySelector{VolumeName: "cfg", Path: "env", Key: "K",
				Optional: defOptional(rapid.Bool()).Draw(t, "optional")}}
		case 4:
			e.ValueFrom = &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{Key: "k"}}
		case 5:
			e.ValueFrom = &corev1.EnvVarSource{}
		}
		return e
	})
}

func defGenContainer(prefix string) *rapid.Generator[corev1.Container] {
	return rapid.Custom(func(t *rapid.T) corev1.Container {
		c := corev1.Container{
			Name:                     prefix + rapid.StringMatching(`[a-z]{1,5}`).Draw(t, "name"),
			Image:                    defGenImage().Draw(t, "image"),
			ImagePullPolicy:          defOrEmpty(corev1.PullAlways, corev1.PullNever, corev1.PullIfNotPresent).Draw(t, "pullPolicy"),
			TerminationMessagePath:   defOrEmpty("/tmp/log").Draw(t, "terminationMessagePath"),
			TerminationMessagePolicy: defOrEmpty(corev1.TerminationMessageFallbackToLogsOnError).Draw(t, "terminationMessagePolicy"),
			Resources: corev1.ResourceRequirements{
				Limits:   defGenResourceList().Draw(t, "limits"),
				Requests: defGenResourceList().Draw(t, "requests"),
			},
			LivenessProbe:  defGenProbe().Draw(t, "liveness"),
			ReadinessProbe: defGenProbe().Draw(t, "readiness"),
			StartupProbe:   defGenProbe().Draw(t, "startup"),
			Env:            rapid.SliceOfN(defGenEnvVar(), 0, 3).Draw(t, "env"),
		}
		for i, n := 0, rapid.IntRange(0, 3).Draw(t, "ports"); i < n; i++ {
			c.Ports = append(c.Ports, corev1.ContainerPort{
				ContainerPort: rapid.Int32Range(1, 65535).Draw(t, "containerPort"),
				HostPort:      rapid.SampledFrom([]int32{0, 0, 9100}).Draw(t, "hostPort"),
				Protocol:      defOrEmpty(corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP).Draw(t, "protocol"),
			})
		}
		if rapid.Bool().Draw(t, "lifecycle") {
			c.Lifecycle = &corev1.Lifecycle{
				PostStart: defGenLifecycleHandler().Draw(t, "postStart"),
				PreStop:   defGenLifecycleHandler().Draw(t, "preStop"),
			}
		}
		return c
	})
}

func defGenVolume() *rapid.Generator[corev1.Volume] {
	return rapid.Custom(func(t *rapid.T) corev1.Volume {
		v := corev1.Volume{Name: rapid.StringMatching(`[a-z]{1,6}`).Draw(t, "name")}
		mode := defOptional(rapid.SampledFrom([]int32{0o400, 0o644, 0o777})).Draw(t, "defaultMode")
		items := []corev1.DownwardAPIVolumeFile{
			{Path: "labels", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels",
				APIVersion: defOrEmpty("v1").Draw(t, "fieldRefAPIVersion")}},
			{Path: "cpu", ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.cpu"}},
		}
		s := &v.VolumeSource
		switch rapid.IntRange(0, 30).Draw(t, "source") {
		case 0: // no source: becomes emptyDir
		case 1:
			s.HostPath = &corev1.HostPathVolumeSource{Path: "/var/log",
				Type: defOptional(defOrEmpty(corev1.HostPathDirectory, corev1.HostPathSocket)).Draw(t, "hostPathType")}
		case 2:
			s.EmptyDir = &corev1.EmptyDirVolumeSource{Medium: defOrEmpty(corev1.StorageMediumMemory).Draw(t, "medium"),
				SizeLimit: defOptional(defGenQuantity()).Draw(t, "sizeLimit")}
		case 3:
			s.GCEPersistentDisk = &corev1.GCEPersistentDiskVolumeSource{PDName: "pd"}
		case 4:
			s.AWSElasticBlockStore = &corev1.AWSElasticBlockStoreVolumeSource{VolumeID: "vol"}
		case 5:
			s.GitRepo = &corev1.GitRepoVolumeSource{Repository: "https://example.com/r.git"}
		case 6:
			s.Secret = &corev1.SecretVolumeSource{SecretName: "s", DefaultMode: mode}
		case 7:
			s.NFS = &corev1.NFSVolumeSource{Server: "nfs", Path: "/"}
		case 8:
			s.ISCSI = &corev1.ISCSIVolumeSource{TargetPortal: "1.2.3.4", IQN: "iqn", ISCSIInterface: defOrEmpty("tcp").Draw(t, "iface")}
		case 9:
			s.Glusterfs = &corev1.GlusterfsVolumeSource{EndpointsName: "ep", Path: "p"}
		case 10:
			s.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "c"}
		case 11:
			s.RBD = &corev1.RBDVolumeSource{CephMonitors: []string{"m"}, RBDImage: "img",
				RBDPool: defOrEmpty("pool").Draw(t, "pool"), RadosUser: defOrEmpty("user").Draw(t, "user"),
				Keyring: defOrEmpty("/k").Draw(t, "keyring")}
		case 12:
			s.FlexVolume = &corev1.FlexVolumeSource{Driver: "d"}
		case 13:
			s.Cinder = &corev1.CinderVolumeSource{VolumeID: "v"}
		case 14:
			s.CephFS = &corev1.CephFSVolumeSource{Monitors: []string{"m"}}
		case 15:
			s.Flocker = &corev1.FlockerVolumeSource{DatasetName: "d"}
		case 16:
			s.DownwardAPI = &corev1.DownwardAPIVolumeSource{Items: items, DefaultMode: mode}
		case 17:
			s.FC = &corev1.FCVolumeSource{}
		case 18:
			s.AzureFile = &corev1.AzureFileVolumeSource{SecretName: "s", ShareName: "sh"}
		case 19:
			s.ConfigMap = &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}, DefaultMode: mode}
		case 20:
			s.VsphereVolume = &corev1.VsphereVirtualDiskVolumeSource{VolumePath: "p"}
		case 21:
			s.Quobyte = &corev1.QuobyteVolumeSource{Registry: "r", Volume: "v"}
		case 22:
			s.AzureDisk = &corev1.AzureDiskVolumeSource{DiskName: "d", DataDiskURI: "u",
				FSType:   defOptional(rapid.SampledFrom([]string{"", "xfs"})).Draw(t, "fsType"),
				ReadOnly: defOptional(rapid.Bool()).Draw(t, "readOnly")}
		case 23:
			s.PhotonPersistentDisk = &corev1.PhotonPersistentDiskVolumeSource{PdID: "p"}
		case 24:
			s.Projected = &corev1.ProjectedVolumeSource{DefaultMode: mode, Sources: []corev1.VolumeProjection{
				{DownwardAPI: &corev1.DownwardAPIProjection{Items: items}},
				{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token",
					ExpirationSeconds: defOptional(rapid.Int64Range(600, 7200)).Draw(t, "expiration")}},
				{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "ca"}}},
				{ClusterTrustBundle: &corev1.ClusterTrustBundleProjection{Path: "b"}},
			}}
		case 25:
			s.PortworxVolume = &corev1.PortworxVolumeSource{VolumeID: "v"}
		case 26:
			s.ScaleIO = &corev1.ScaleIOVolumeSource{Gateway: "g", System: "s",
				StorageMode: defOrEmpty("ThickProvisioned").Draw(t, "storageMode"), FSType: defOrEmpty("ext4").Draw(t, "scaleIOFSType")}
		case 27:
			s.StorageOS = &corev1.StorageOSVolumeSource{VolumeName: "v"}
		case 28:
			s.CSI = &corev1.CSIVolumeSource{Driver: "csi.example.com"}
		case 29:
			s.Ephemeral = &corev1.EphemeralVolumeSource{}
			if rapid.Bool().Draw(t, "claimTemplate") {
				s.Ephemeral.VolumeClaimTemplate = &corev1.PersistentVolumeClaimTemplate{Spec: corev1.PersistentVolumeClaimSpec{
					VolumeMode: defOptional(rapid.SampledFrom([]corev1.PersistentVolumeMode{corev1.PersistentVolumeBlock})).Draw(t, "volumeMode"),
					Resources: corev1.VolumeResourceRequirements{
						Limits:   defGenResourceList().Draw(t, "claimLimits"),
						Requests: defGenResourceList().Draw(t, "claimRequests"),
					},
				}}
			}
		case 30:
			s.Image = &corev1.ImageVolumeSource{Reference: defGenImage().Draw(t, "reference"),
				PullPolicy: defOrEmpty(corev1.PullNever).Draw(t, "imagePullPolicy")}
		}
		return v
	})
}

func defGenIntOrString() *rapid.Generator[intstr.IntOrString] {
	return rapid.SampledFrom([]intstr.IntOrString{intstr.FromInt32(0), intstr.FromInt32(1), intstr.FromInt32(3),
		intstr.FromString("25%"), intstr.FromString("100%"), intstr.FromString("")})
}

// defGenDaemonSet draws realistic DaemonSets, each field present or left for
// defaulting.
func defGenDaemonSet() *rapid.Generator[*appsv1.DaemonSet] {
	return rapid.Custom(func(t *rapid.T) *appsv1.DaemonSet {
		labels := map[string]string{"app": "agent"}
		ds := &appsv1.DaemonSet{
			ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "kube-system", Labels: labels},
			Spec: appsv1.DaemonSetSpec{
				Selector:             &metav1.LabelSelector{MatchLabels: labels},
				MinReadySeconds:      rapid.Int32Range(0, 30).Draw(t, "minReadySeconds"),
				RevisionHistoryLimit: defOptional(rapid.Int32Range(-1, 12)).Draw(t, "revisionHistoryLimit"),
				UpdateStrategy: appsv1.DaemonSetUpdateStrategy{
					Type: defOrEmpty(appsv1.RollingUpdateDaemonSetStrategyType, appsv1.OnDeleteDaemonSetStrategyType, "Bogus").Draw(t, "strategy"),
				},
			},
		}
		if rapid.Bool().Draw(t, "rollingUpdate") {
			ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{
				MaxUnavailable: defOptional(defGenIntOrString()).Draw(t, "maxUnavailable"),
				MaxSurge:       defOptional(defGenIntOrString()).Draw(t, "maxSurge"),
			}
		}
		spec := &ds.Spec.Template.Spec
		ds.Spec.Template.Labels = labels
		spec.HostNetwork = rapid.Bool().Draw(t, "hostNetwork")
		spec.DNSPolicy = defOrEmpty(corev1.DNSClusterFirstWithHostNet, corev1.DNSDefault).Draw(t, "dnsPolicy")
		spec.RestartPolicy = defOrEmpty(corev1.RestartPolicyAlways, corev1.RestartPolicyNever).Draw(t, "restartPolicy")
		spec.ServiceAccountName = defOrEmpty("agent").Draw(t, "serviceAccountName")
		spec.DeprecatedServiceAccount = defOrEmpty("agent", "legacy").Draw(t, "serviceAccount")
		spec.SchedulerName = defOrEmpty("custom-scheduler").Draw(t, "schedulerName")
		spec.TerminationGracePeriodSeconds = defOptional(rapid.Int64Range(-5, 60)).Draw(t, "terminationGracePeriodSeconds")
		if rapid.Bool().Draw(t, "securityContext") {
			spec.SecurityContext = &corev1.PodSecurityContext{RunAsNonRoot: defOptional(rapid.Bool()).Draw(t, "runAsNonRoot")}
		}
		spec.PriorityClassName = defOrEmpty("system-node-critical").Draw(t, "priorityClassName")
		spec.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
		spec.Overhead = defGenResourceList().Draw(t, "overhead")
		if rapid.Bool().Draw(t, "podResources") {
			spec.Resources = &corev1.ResourceRequirements{
				Limits:   defGenResourceList().Draw(t, "podLimits"),
				Requests: defGenResourceList().Draw(t, "podRequests"),
			}
		}
		spec.Volumes = rapid.SliceOfN(defGenVolume(), 0, 4).Draw(t, "volumes")
		spec.InitContainers = rapid.SliceOfN(defGenContainer("init-"), 0, 2).Draw(t, "initContainers")
		spec.Containers = rapid.SliceOfN(defGenContainer(""), 1, 3).Draw(t, "containers")
		for _, c := range rapid.SliceOfN(defGenContainer("debug-"), 0, 1).Draw(t, "ephemeralContainers") {
			spec.EphemeralContainers = append(spec.EphemeralContainers, corev1.EphemeralContainer{
				EphemeralContainerCommon: corev1.EphemeralContainerCommon(c), TargetContainerName: "x"})
		}
		return ds
	})
}

// ---- benchmark ---------------------------------------------------------------

// defTypicalDaemonSet is the size of a preset (a log shipper): one init and two
// containers, three probes, six volumes, env from fieldRef, resources.
func defTypicalDaemonSet() *appsv1.DaemonSet {
	labels := map[string]string{"app.kubernetes.io/name": "fluent-bit"}
	probe := func(path string) *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromString("http")}}}
	}
	res := corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")},
	}
	hostPath := func(name, path string) corev1.Volume {
		return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: path}}}
	}
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "fluent-bit", Namespace: "logging", Labels: labels},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					ServiceAccountName: "fluent-bit",
					PriorityClassName:  "system-node-critical",
					Tolerations:        []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
					InitContainers: []corev1.Container{{Name: "init", Image: "busybox:1.36",
						Command: []string{"sh", "-c", "true"}}},
					Containers: []corev1.Container{{
						Name:           "fluent-bit",
						Image:          "cr.fluentbit.io/fluent/fluent-bit:3.1.4",
						Ports:          []corev1.ContainerPort{{Name: "http", ContainerPort: 2020}},
						Env:            []corev1.EnvVar{{Name: "NODE_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}}},
						Resources:      res,
						LivenessProbe:  probe("/"),
						ReadinessProbe: probe("/api/v1/health"),
						VolumeMounts:   []corev1.VolumeMount{{Name: "varlog", MountPath: "/var/log"}},
					}, {
						Name:      "reloader",
						Image:     "ghcr.io/example/reloader@sha256:" + defHex64,
						Resources: res,
						StartupProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
							GRPC: &corev1.GRPCAction{Port: 9090}}},
					}},
					Volumes: []corev1.Volume{
						hostPath("varlog", "/var/log"),
						hostPath("containers", "/var/lib/docker/containers"),
						hostPath("machine-id", "/etc/machine-id"),
						{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
							LocalObjectReference: corev1.LocalObjectReference{Name: "fluent-bit"}}}},
						{Name: "tls", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "tls"}}},
						{Name: "tmp"},
					},
				},
			},
		},
	}
}

// BenchmarkSetDefaults compares daemonset.SetDefaults with upstream's
// SetObjectDefaults_DaemonSet on a preset-sized DaemonSet. Each iteration
// defaults a fresh deep copy; the deepcopy sub-benchmark is that baseline.
func BenchmarkSetDefaults(b *testing.B) {
	base := defTypicalDaemonSet()
	for _, bc := range []struct {
		name string
		fn   func(*appsv1.DaemonSet)
	}{
		{"deepcopy", func(*appsv1.DaemonSet) {}},
		{"daemonkit", daemonset.SetDefaults},
		{"upstream", upstreamappsv1.SetObjectDefaults_DaemonSet},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.fn(base.DeepCopy())
			}
		})
	}
}

// BenchmarkDefaultPullPolicy compares the image-reference parse with upstream's.
func BenchmarkDefaultPullPolicy(b *testing.B) {
	images := []string{"nginx", "cr.fluentbit.io/fluent/fluent-bit:3.1.4", "registry:5000/nginx:latest",
		"ghcr.io/example/reloader@sha256:" + defHex64}
	b.Run("daemonkit", func(b *testing.B) {
		for b.Loop() {
			for _, im := range images {
				_ = daemonset.DefaultPullPolicy(im)
			}
		}
	})
	b.Run("upstream", func(b *testing.B) {
		for b.Loop() {
			for _, im := range images {
				_, _, _, _ = parsers.ParseImageName(im)
			}
		}
	})
}
