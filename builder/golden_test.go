package builder

import (
	"github.com/daemonkit/daemonkit/internal/goldentest"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
	"testing"
)

// goldenCases are full builds whose output is compared byte for byte with
// testdata/<name>.golden (YAML of the object, or the error text).
var goldenCases = []struct {
	name string
	b    func() *DaemonSet
}{
	{"log-shipper", func() *DaemonSet {
		return New("log-shipper").Namespace("logging").Label("app.kubernetes.io/part-of", "logging").
			Container("shipper", "example.com/shipper:3.1.4",
				Args("--config=/etc/shipper/shipper.yaml"),
				EnvFromField("NODE_NAME", FieldNodeName),
				EnvFromResource("GOMEMLIMIT", "limits.memory"),
				Port("http", 2020),
				Requests("100m", "128Mi"), Limits("", "256Mi"),
				Liveness(HTTPGet("/", PortName("http"))),
				Readiness(HTTPGet("/api/v1/health", PortName("http")).Period(5)),
				HostPath("varlog", "/var/log", "/var/log"),
				HostPath("state", "/var/lib/shipper", "/var/lib/shipper", Writable("keeps read offsets across restarts"), HostPathType(corev1.HostPathDirectoryOrCreate)),
				ConfigMapVolume("config", "log-shipper", "/etc/shipper"),
				ReadOnlyRootFilesystem(), RunAsNonRoot(), RunAsUser(10001), NoPrivilegeEscalation(), DropAllCapabilities()).
			ServiceAccount("log-shipper").
			PriorityClass("system-node-critical").
			NodeSelector("kubernetes.io/os", "linux").
			TolerateAll().
			RollingUpdate(Percent(10)).
			MinReadySeconds(10).
			RevisionHistoryLimit(5)
	}},
	{"cni-agent", func() *DaemonSet {
		return New("cni-agent").Namespace("kube-system").
			InitContainer("install-cni", "example.com/cni:1.16.0",
				Command("/install-cni.sh"),
				HostPath("cni-bin", "/opt/cni/bin", "/host/opt/cni/bin", Writable("installs the CNI plugin binary")),
				HostPath("cni-conf", "/etc/cni/net.d", "/host/etc/cni/net.d", Writable("writes the CNI network configuration"))).
			Container("agent", "example.com/cni:1.16.0",
				EnvFromField("NODE_NAME", FieldNodeName), EnvFromField("HOST_IP", FieldHostIP),
				HostPort("health", 9879),
				Requests("100m", "256Mi"),
				Readiness(HTTPGet("/healthz", PortNumber(9879)).Period(10).FailureThreshold(3)),
				Privileged("loads eBPF programs and programs the node's routing"),
				Mount("cni-conf", "/host/etc/cni/net.d"),
				HostPath("lib-modules", "/lib/modules", "/lib/modules"),
				HostPath("run", "/var/run/cni", "/var/run/cni", Writable("creates its API socket"), HostPathType(corev1.HostPathDirectoryOrCreate)),
				AddCapability("NET_ADMIN", "configures interfaces and routes"),
				AddCapability("SYS_MODULE", "loads kernel modules it needs")).
			HostNetwork("provides the pod network; cannot run inside it").
			PriorityClass("system-node-critical").
			NodeSelector("kubernetes.io/os", "linux").
			TolerateAll().
			RollingUpdate(Count(1))
	}},
	{"gpu-exporter-surge", func() *DaemonSet {
		return New("gpu-exporter").Namespace("monitoring").
			Container("exporter", "example.com/gpu-exporter:4.1.1",
				Port("metrics", 9400),
				Requests("100m", "128Mi"),
				Startup(TCPSocket(PortName("metrics")).FailureThreshold(30)),
				Readiness(HTTPGet("/health", PortName("metrics"))),
				AddCapability("SYS_ADMIN", "reads GPU profiling counters")).
			RequireNodeAffinity(NodeLabelIn("nvidia.com/gpu.present", "true")).
			Tolerate(corev1.Toleration{Key: "nvidia.com/gpu", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}).
			Surge(Percent(25))
	}},
	{"errors", func() *DaemonSet {
		return New("Broken_Name").
			Container("agent", "", Requests("lots", "128Mi"), Privileged(""), EmptyDirVolume("tmp", "/tmp", SizeLimit("big"), HostPathType(corev1.HostPathFile))).
			PodLabel(NameLabel, "other").
			UpdateContainer("missing", Image("x")).
			HostPID("").
			RequireNodeAffinity().
			Surge(Count(0)).
			MinReadySeconds(-5)
	}},
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			var got []byte
			ds, err := tc.b().Build()
			if err != nil {
				got = []byte(err.Error() + "\n")
			} else {
				var merr error
				if got, merr = yaml.Marshal(ds); merr != nil {
					t.Fatal(merr)
				}
			}
			goldentest.Check(t, tc.name+".golden", string(got))
		})
	}
}
