package presets

import (
	"github.com/daemonkit/daemonkit/builder"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/utils/ptr"
)

// GPUPresentLabel is the node label NVIDIA GPU feature discovery sets on
// nodes with an NVIDIA GPU; the dcgm-exporter preset selects it.
const GPUPresentLabel = "nvidia.com/gpu.present"

// GPUTaint is the taint key GPU node pools commonly carry (NoSchedule) to keep
// other workloads away; the dcgm-exporter preset tolerates it.
const GPUTaint = "nvidia.com/gpu"

// DCGMExporterOptions configures the NVIDIA dcgm-exporter preset. The zero
// value gives the defaults of the NVIDIA/dcgm-exporter chart 4.8.2, placed on
// GPU nodes as the GPU operator places it.
type DCGMExporterOptions struct {
	// Name of the DaemonSet, ServiceAccount and Service; default
	// "dcgm-exporter".
	Name string `help:"name of the DaemonSet, ServiceAccount and Service"`
	// Namespace; default "monitoring".
	Namespace string `help:"namespace of the DaemonSet, ServiceAccount and Service"`
	// Image; default "nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless".
	Image string `help:"dcgm-exporter image"`
	// ConfigMap holding the counters CSV under key "metrics"; default
	// "exporter-metrics-config-map". The preset mounts it, optionally (the
	// image ships default counters), and does not create it.
	ConfigMap string `help:"ConfigMap with the counters CSV under key metrics (optional, not created)"`
	// NoProfiling drops SYS_ADMIN and runs as UID 1000, non-root: DCP
	// profiling metrics (DCGM_FI_PROF_*) are then unavailable, as the chart's
	// values comment explains.
	NoProfiling bool `help:"drop SYS_ADMIN and run as UID 1000; DCP profiling metrics become unavailable"`
	// PodLabels adds pod labels (and UIDs) to the metrics, which needs read
	// access to pods (the chart's ClusterRole).
	PodLabels bool `help:"add pod labels to the metrics (read access to pods)"`
}

func (o DCGMExporterOptions) withDefaults() DCGMExporterOptions {
	o.Name = or(o.Name, "dcgm-exporter")
	o.Namespace = or(o.Namespace, "monitoring")
	o.Image = or(o.Image, "nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless")
	o.ConfigMap = or(o.ConfigMap, "exporter-metrics-config-map")
	return o
}

// DCGMExporter returns a builder for NVIDIA dcgm-exporter: the chart's
// container (metrics on 9400, /health probes after 45 s, the kubelet's
// pod-resources socket directory read-only, root with SYS_ADMIN for
// profiling metrics, all other capabilities dropped, no privilege
// escalation), at system-node-critical, 100m/128Mi requested and 200m/512Mi
// limited, maxUnavailable 1 and maxSurge 0.
//
// Placement differs from the chart on purpose: the chart has no node selector
// and tolerates only the control-plane taint, so it lands on nodes without
// GPUs and crash-loops (NVIDIA/dcgm-exporter#131) and never reaches GPU pools
// tainted nvidia.com/gpu (#731). The preset selects Linux nodes labelled
// nvidia.com/gpu.present=true and tolerates nvidia.com/gpu, as the GPU
// operator does; change it with NodeSelector, Tolerations or
// RemoveNodeSelector on the builder.
//
// Pod Security: privileged. It fails baseline on hostPath volumes (the
// kubelet's pod-resources API maps GPUs to pods) and capabilities
// (SYS_ADMIN, for DCP profiling); with NoProfiling only the hostPath remains,
// which still needs privileged.
func DCGMExporter(opts DCGMExporterOptions) *builder.DaemonSet {
	o := opts.withDefaults()
	c := []builder.ContainerOption{
		builder.ImagePullPolicy(corev1.PullIfNotPresent),
		builder.Args("-f", "/etc/dcgm-exporter/default-counters.csv"),
		builder.Env("DCGM_EXPORTER_KUBERNETES", "true"),
		builder.Env("DCGM_EXPORTER_LISTEN", ":9400"),
		builder.EnvFromField("NODE_NAME", builder.FieldNodeName),
		builder.Port("metrics", 9400),
		builder.Liveness(builder.HTTPGet("/health", builder.PortNumber(9400)).InitialDelay(45).Period(5)),
		builder.Readiness(builder.HTTPGet("/health", builder.PortNumber(9400)).InitialDelay(45)),
		builder.Requests("100m", "128Mi"),
		builder.Limits("200m", "512Mi"),
		builder.HostPath("pod-gpu-resources", "/var/lib/kubelet/pod-resources", "/var/lib/kubelet/pod-resources"),
		builder.ConfigMapVolume("exporter-metrics-volume", o.ConfigMap, "/etc/dcgm-exporter/default-counters.csv",
			builder.Items(corev1.KeyToPath{Key: "metrics", Path: "default-counters.csv"}),
			builder.SubPath("default-counters.csv"), builder.Optional()),
		builder.DropAllCapabilities(),
		builder.NoPrivilegeEscalation(),
	}
	if o.NoProfiling {
		c = append(c, builder.RunAsNonRoot(), builder.RunAsUser(1000))
	} else {
		c = append(c,
			builder.AddCapability("SYS_ADMIN", "DCP profiling metrics (DCGM_FI_PROF_*) need SYS_ADMIN to program the GPU's performance counters"),
			builder.RunAsUser(0),
			builder.ContainerFunc(func(c *corev1.Container) { c.SecurityContext.RunAsNonRoot = ptr.To(false) }))
	}
	if o.PodLabels {
		c = append(c, builder.Env("DCGM_EXPORTER_KUBERNETES_ENABLE_POD_LABELS", "true"),
			builder.Env("DCGM_EXPORTER_KUBERNETES_ENABLE_POD_UID", "true"))
	}
	return builder.New(o.Name).
		Namespace(o.Namespace).
		Label("app.kubernetes.io/instance", o.Name).
		ServiceAccount(o.Name).
		PriorityClass("system-node-critical").
		Container("exporter", o.Image, c...).
		NodeSelector(corev1.LabelOSStable, "linux").
		NodeSelector(GPUPresentLabel, "true").
		TolerateControlPlane().
		Tolerate(corev1.Toleration{Key: GPUTaint, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}).
		RollingUpdate(builder.Count(1)).
		Edit(func(ds *appsv1.DaemonSet) {
			ds.Spec.UpdateStrategy.RollingUpdate.MaxSurge = ptr.To(intstr.FromInt32(0))
			ds.Spec.Template.Spec.AutomountServiceAccountToken = ptr.To(o.PodLabels)
		})
}

// DCGMExporterCompanions returns the ServiceAccount, a ClusterIP Service on
// 9400 ("metrics"), the namespace labelled privileged and, with PodLabels,
// the ClusterRole reading pods (get/list/watch) and its binding.
func DCGMExporterCompanions(opts DCGMExporterOptions) Companions {
	o := opts.withDefaults()
	var rules []rbacv1.PolicyRule
	if o.PodLabels {
		rules = append(rules, rule(core, []string{"pods"}, readOnly))
	}
	return companionSet{
		name: o.Name, namespace: o.Namespace, level: psaapi.LevelPrivileged,
		labels:    map[string]string{builder.NameLabel: o.Name, "app.kubernetes.io/instance": o.Name},
		selector:  map[string]string{builder.NameLabel: o.Name},
		automount: ptr.To(o.PodLabels), rules: rules, metricsPort: 9400, metricsPortName: "metrics",
	}.build()
}
