package conformance

import (
	"fmt"
	"testing"

	"github.com/daemonkit/daemonkit/builder"
	corev1 "k8s.io/api/core/v1"
	"pgregory.net/rapid"
)

// builderCall is one fluent call on a builder, drawn at random.
type builderCall func(b *builder.DaemonSet) *builder.DaemonSet

// genContainerOptions draws the options node agents use, including ones
// that grant privileges (always with a reason, as the builder demands).
func genContainerOptions(t *rapid.T, label string) []builder.ContainerOption {
	var opts []builder.ContainerOption
	n := rapid.IntRange(0, 8).Draw(t, label+"/n")
	for i := 0; i < n; i++ {
		l := fmt.Sprintf("%s/%d", label, i)
		switch rapid.IntRange(0, 13).Draw(t, l) {
		case 0:
			opts = append(opts, builder.Args(rapid.SampledFrom([]string{"--v=2", "--config=/etc/agent.yaml", "-x"}).Draw(t, l+"/arg")))
		case 1:
			opts = append(opts, builder.Port(rapid.SampledFrom([]string{"metrics", "http", "grpc"}).Draw(t, l+"/pn"), rapid.Int32Range(1, 65535).Draw(t, l+"/p")))
		case 2:
			opts = append(opts, builder.HostPort(rapid.SampledFrom([]string{"host", "hp"}).Draw(t, l+"/hn"), rapid.Int32Range(1, 65535).Draw(t, l+"/hp")))
		case 3:
			opts = append(opts, builder.Requests(rapid.SampledFrom([]string{"", "10m", "100m", "1", "1.5"}).Draw(t, l+"/cpu"),
				rapid.SampledFrom([]string{"", "16Mi", "128Mi", "1Gi"}).Draw(t, l+"/mem")))
		case 4:
			opts = append(opts, builder.Limits(rapid.SampledFrom([]string{"", "200m", "2"}).Draw(t, l+"/lcpu"),
				rapid.SampledFrom([]string{"", "256Mi", "2Gi"}).Draw(t, l+"/lmem")))
		case 5:
			opts = append(opts, builder.Readiness(builder.HTTPGet("/healthz", builder.PortNumber(rapid.Int32Range(1, 65535).Draw(t, l+"/rp")))))
		case 6:
			opts = append(opts, builder.Liveness(builder.TCPSocket(builder.PortNumber(rapid.Int32Range(1, 65535).Draw(t, l+"/lp")))))
		case 7:
			opts = append(opts, builder.Startup(builder.Exec("cat", "/tmp/ready")))
		case 8:
			mo := []builder.MountOption{builder.HostPathType(rapid.SampledFrom([]corev1.HostPathType{"", corev1.HostPathDirectory, corev1.HostPathDirectoryOrCreate}).Draw(t, l+"/ht"))}
			if rapid.Bool().Draw(t, l+"/w") {
				mo = append(mo, builder.Writable("the agent keeps its state there"))
			}
			v := rapid.SampledFrom([]string{"varlog", "proc", "sys", "run"}).Draw(t, l+"/v")
			opts = append(opts, builder.HostPath(v, "/"+v, "/host/"+v, mo...))
		case 9:
			opts = append(opts, builder.AddCapability(rapid.SampledFrom([]corev1.Capability{"NET_ADMIN", "SYS_ADMIN", "NET_RAW"}).Draw(t, l+"/cap"), "manages the node's network"))
		case 10:
			opts = append(opts, builder.Privileged("loads kernel modules"))
		case 11:
			opts = append(opts, builder.ReadOnlyRootFilesystem(), builder.DropAllCapabilities(), builder.NoPrivilegeEscalation())
		case 12:
			opts = append(opts, builder.EnvFromField("NODE_NAME", builder.FieldNodeName), builder.Env("LOG_LEVEL", "info"))
		case 13:
			opts = append(opts, builder.EmptyDirVolume("scratch", "/scratch"))
		}
	}
	return opts
}

// genBuilder draws a builder through a random sequence of fluent calls.
func genBuilder(t *rapid.T) *builder.DaemonSet {
	b := builder.New(rapid.SampledFrom([]string{"agent", "node-exporter", "log-shipper"}).Draw(t, "name")).
		Namespace(rapid.SampledFrom([]string{"default", "kube-system", "monitoring"}).Draw(t, "ns"))
	b = b.Container("main", rapid.SampledFrom([]string{"registry.example/agent:1.2", "busybox", "quay.io/x/y@sha256:" + fmt.Sprintf("%064x", 7)}).Draw(t, "image"),
		genContainerOptions(t, "main")...)
	calls := []builderCall{
		func(b *builder.DaemonSet) *builder.DaemonSet {
			return b.Container("sidecar", "registry.example/sidecar:0.3", genContainerOptions(t, "sidecar")...)
		},
		func(b *builder.DaemonSet) *builder.DaemonSet {
			return b.InitContainer("init", "busybox:1.36", builder.Command("sh", "-c", "true"))
		},
		func(b *builder.DaemonSet) *builder.DaemonSet { return b.HostNetwork("serves the node's network") },
		func(b *builder.DaemonSet) *builder.DaemonSet { return b.HostPID("reads every process") },
		func(b *builder.DaemonSet) *builder.DaemonSet { return b.HostIPC("talks to a host daemon over IPC") },
		func(b *builder.DaemonSet) *builder.DaemonSet { return b.NodeSelector("kubernetes.io/os", "linux") },
		func(b *builder.DaemonSet) *builder.DaemonSet {
			return b.RequireNodeAffinity(builder.NodeLabelIn("node-role", "worker", "infra"), builder.NodeLabelGt("cores", 4))
		},
		func(b *builder.DaemonSet) *builder.DaemonSet {
			return b.PreferNodeAffinity(rapid.Int32Range(1, 100).Draw(t, "weight"), builder.NodeLabelExists("ssd"))
		},
		func(b *builder.DaemonSet) *builder.DaemonSet { return b.TolerateAll() },
		func(b *builder.DaemonSet) *builder.DaemonSet { return b.TolerateControlPlane() },
		func(b *builder.DaemonSet) *builder.DaemonSet {
			return b.Tolerate(corev1.Toleration{Key: "nvidia.com/gpu", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule})
		},
		func(b *builder.DaemonSet) *builder.DaemonSet { return b.PriorityClass("system-node-critical") },
		func(b *builder.DaemonSet) *builder.DaemonSet { return b.ServiceAccount("agent") },
		func(b *builder.DaemonSet) *builder.DaemonSet {
			return b.RollingUpdate(builder.Count(rapid.Int32Range(1, 10).Draw(t, "mu")))
		},
		func(b *builder.DaemonSet) *builder.DaemonSet {
			return b.RollingUpdate(builder.Percent(rapid.Int32Range(1, 100).Draw(t, "mup")))
		},
		func(b *builder.DaemonSet) *builder.DaemonSet {
			return b.Surge(builder.Percent(rapid.Int32Range(1, 100).Draw(t, "ms")))
		},
		func(b *builder.DaemonSet) *builder.DaemonSet { return b.OnDelete() },
		func(b *builder.DaemonSet) *builder.DaemonSet {
			return b.MinReadySeconds(rapid.Int32Range(0, 600).Draw(t, "mrs"))
		},
		func(b *builder.DaemonSet) *builder.DaemonSet {
			return b.RevisionHistoryLimit(rapid.Int32Range(0, 20).Draw(t, "rhl"))
		},
		func(b *builder.DaemonSet) *builder.DaemonSet {
			return b.Label("team", "platform").PodAnnotation("example.com/scrape", "true")
		},
		func(b *builder.DaemonSet) *builder.DaemonSet { return b.RemoveContainer("sidecar") },
		func(b *builder.DaemonSet) *builder.DaemonSet {
			return b.UpdateContainer("main", builder.Image("registry.example/agent:1.3"))
		},
	}
	n := rapid.IntRange(0, 12).Draw(t, "calls")
	for i := 0; i < n; i++ {
		b = calls[rapid.IntRange(0, len(calls)-1).Draw(t, fmt.Sprintf("call%d", i))](b)
	}
	return b
}

// TestBuilderOutputAcceptedByUpstream: whatever a user builds, if Build
// succeeds, the real API server's defaulting and validation accept the
// object (with --allow-privileged=true, the setting of kubeadm, kind and
// managed clusters). Refused builds are counted: the generator mixes in
// combinations the API server forbids (host ports with surge, duplicate
// ports), which Build must report rather than return.
func TestBuilderOutputAcceptedByUpstream(t *testing.T) {
	valWithPrivileged(t, true)
	built, refused := 0, 0
	rapid.Check(t, func(rt *rapid.T) {
		ds, err := genBuilder(rt).Build()
		if err != nil {
			refused++
			return
		}
		built++
		if errs := valUpstreamCreate(rt, valUpstreamDefault(ds)); len(errs) > 0 {
			rt.Fatalf("Build succeeded but upstream rejects the object:\n%v", errs.ToAggregate())
		}
	})
	t.Logf("built %d DaemonSets accepted by upstream; %d builds refused", built, refused)
	if built == 0 {
		t.Fatal("the generator never produced a buildable DaemonSet")
	}
}
