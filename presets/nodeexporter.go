package presets

import (
	"strconv"

	"github.com/daemonkit/daemonkit/builder"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/utils/ptr"
)

// NodeExporterOptions configures the Prometheus node-exporter preset. The zero
// value gives the defaults of the prometheus-community
// prometheus-node-exporter chart 4.56.1 (node-exporter v1.12.1).
type NodeExporterOptions struct {
	// Name of the DaemonSet, ServiceAccount and Service; default
	// "node-exporter".
	Name string `help:"name of the DaemonSet, ServiceAccount and Service"`
	// Namespace; default "monitoring".
	Namespace string `help:"namespace of the DaemonSet, ServiceAccount and Service"`
	// Image; default "quay.io/prometheus/node-exporter:v1.12.1".
	Image string `help:"node-exporter image"`
	// Port the exporter listens on, on every node address (it becomes a
	// host port through hostNetwork); default 9100.
	Port int32 `help:"port it listens on, on every node address (a host port through hostNetwork)"`
}

func (o NodeExporterOptions) withDefaults() NodeExporterOptions {
	o.Name = or(o.Name, "node-exporter")
	o.Namespace = or(o.Namespace, "monitoring")
	o.Image = or(o.Image, "quay.io/prometheus/node-exporter:v1.12.1")
	if o.Port == 0 {
		o.Port = 9100
	}
	return o
}

// NodeExporter returns a builder for Prometheus node-exporter as the chart
// ships it: host network and host PID, /proc, /sys and / mounted read-only
// under /host (the root with HostToContainer propagation), listening on
// [$(HOST_IP)]:9100 with HOST_IP=0.0.0.0, liveness and readiness GET / on
// "metrics", the chart's suggested resources (requests 100m cpu and 30Mi,
// limits 200m cpu and 50Mi), running as nobody (65534) with a read-only root
// filesystem,
// tolerating NoSchedule taints, on Linux nodes that are neither Fargate nor
// virtual-kubelet, no service account token, maxUnavailable 1 and 10
// revisions kept.
//
// Pod Security: privileged. It fails baseline on host namespaces
// (hostNetwork: metrics of the node's interfaces; hostPID: per-process
// metrics), hostPath volumes (it reads the node's /proc, /sys and
// filesystems) and hostPorts (9100 becomes a host port under hostNetwork).
func NodeExporter(opts NodeExporterOptions) *builder.DaemonSet {
	o := opts.withDefaults()
	probe := func(p builder.Probe) builder.Probe {
		return p.Period(10).Timeout(1).FailureThreshold(3).SuccessThreshold(1)
	}
	return builder.New(o.Name).
		Namespace(o.Namespace).
		Label("app.kubernetes.io/instance", o.Name).
		PodAnnotation("cluster-autoscaler.kubernetes.io/safe-to-evict", "true").
		ServiceAccount(o.Name).
		HostNetwork("exports the node's network interface statistics and serves on the node's address").
		HostPID("reads per-process statistics of every process on the node").
		Container("node-exporter", o.Image,
			builder.ImagePullPolicy(corev1.PullIfNotPresent),
			builder.Args(
				"--path.procfs=/host/proc",
				"--path.sysfs=/host/sys",
				"--path.rootfs=/host/root",
				"--path.udev.data=/host/root/run/udev/data",
				"--web.listen-address=[$(HOST_IP)]:"+strconv.Itoa(int(o.Port))),
			builder.Env("HOST_IP", "0.0.0.0"),
			builder.Port("metrics", o.Port),
			builder.Liveness(probe(builder.HTTPGet("/", builder.PortName("metrics")))),
			builder.Readiness(probe(builder.HTTPGet("/", builder.PortName("metrics")))),
			// The chart sets resources: {} and suggests these values in
			// its comment (prometheus-community/helm-charts
			// charts/prometheus-node-exporter/values.yaml, chart 4.56.1, key
			// resources).
			builder.Requests("100m", "30Mi"),
			builder.Limits("200m", "50Mi"),
			builder.HostPath("proc", "/proc", "/host/proc"),
			builder.HostPath("sys", "/sys", "/host/sys"),
			builder.HostPath("root", "/", "/host/root", builder.Propagation(corev1.MountPropagationHostToContainer)),
			builder.ReadOnlyRootFilesystem()).
		NodeSelector(corev1.LabelOSStable, "linux").
		RequireNodeAffinity(
			builder.NodeLabelNotIn("eks.amazonaws.com/compute-type", "fargate"),
			builder.NodeLabelNotIn("type", "virtual-kubelet")).
		Tolerate(corev1.Toleration{Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}).
		RollingUpdate(builder.Count(1)).
		RevisionHistoryLimit(10).
		Edit(func(ds *appsv1.DaemonSet) {
			spec := &ds.Spec.Template.Spec
			spec.AutomountServiceAccountToken = ptr.To(false)
			spec.SecurityContext = &corev1.PodSecurityContext{
				RunAsUser: ptr.To[int64](65534), RunAsGroup: ptr.To[int64](65534),
				FSGroup: ptr.To[int64](65534), RunAsNonRoot: ptr.To(true),
			}
		})
}

// NodeExporterCompanions returns the ServiceAccount (token not mounted), a
// ClusterIP Service on the metrics port, and the namespace labelled
// privileged. node-exporter uses no Kubernetes API, so there is no RBAC.
func NodeExporterCompanions(opts NodeExporterOptions) Companions {
	o := opts.withDefaults()
	return companionSet{
		name: o.Name, namespace: o.Namespace, level: psaapi.LevelPrivileged,
		labels:    map[string]string{builder.NameLabel: o.Name, "app.kubernetes.io/instance": o.Name},
		selector:  map[string]string{builder.NameLabel: o.Name},
		automount: ptr.To(false), metricsPort: o.Port, metricsPortName: "metrics",
	}.build()
}
