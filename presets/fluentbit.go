package presets

import (
	"github.com/daemonkit/daemonkit/builder"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	psaapi "k8s.io/pod-security-admission/api"
)

// FluentBitOptions configures the fluent-bit preset. The zero value gives the
// defaults of the fluent/helm-charts fluent-bit chart 0.58.1 (fluent-bit
// 5.1.1).
type FluentBitOptions struct {
	// Name of the DaemonSet, ServiceAccount, ClusterRole and Service;
	// default "fluent-bit".
	Name string `help:"name of the DaemonSet, ServiceAccount, ClusterRole and Service"`
	// Namespace; default "logging".
	Namespace string `help:"namespace of the DaemonSet, ServiceAccount and Service"`
	// Image; default "cr.fluentbit.io/fluent/fluent-bit:5.1.1".
	Image string `help:"fluent-bit image"`
	// ConfigMap holding fluent-bit.conf (and parsers); default Name. The
	// preset mounts it; it does not create it (the pipeline is yours).
	ConfigMap string `help:"ConfigMap holding fluent-bit.conf (mounted, not created)"`
	// SkipDockerLogs leaves out the /var/lib/docker/containers mount, dead
	// weight on containerd and CRI-O nodes, whose logs are under /var/log/pods.
	SkipDockerLogs bool `help:"leave out the /var/lib/docker/containers mount (containerd and CRI-O nodes)"`
	// NodeAccess lets the kubernetes filter read nodes, nodes/metrics and
	// nodes/proxy (chart rbac.nodeAccess), for kubelet-based metadata.
	NodeAccess bool `help:"let the kubernetes filter read nodes, nodes/metrics and nodes/proxy"`
	// EventsAccess lets it read events (chart rbac.eventsAccess), for the
	// kubernetes_events input.
	EventsAccess bool `help:"let it read events, for the kubernetes_events input"`
}

func (o FluentBitOptions) withDefaults() FluentBitOptions {
	o.Name = or(o.Name, "fluent-bit")
	o.Namespace = or(o.Namespace, "logging")
	o.Image = or(o.Image, "cr.fluentbit.io/fluent/fluent-bit:5.1.1")
	o.ConfigMap = or(o.ConfigMap, o.Name)
	return o
}

// FluentBit returns a builder for the fluent-bit log shipper as the chart
// ships it: container "fluent-bit" serving HTTP on 2020 ("http") with
// liveness on / and readiness on /api/v2/health, the config mounted at
// /fluent-bit/etc/conf, /var/log mounted writable (the tail input keeps its
// offset database there), /var/lib/docker/containers and /etc/machine-id
// read-only; the chart's suggested resources (requests 100m cpu and 128Mi,
// limits 100m cpu and 128Mi), on Linux nodes only (the image and its paths
// are Linux's); no tolerations, no priority class, and the API's default
// update strategy.
//
// Pod Security: privileged. The hostPath volumes fail baseline
// (hostPathVolumes); fluent-bit reads every container's log files from the
// node, which no baseline volume type can give.
func FluentBit(opts FluentBitOptions) *builder.DaemonSet {
	o := opts.withDefaults()
	c := []builder.ContainerOption{
		builder.ImagePullPolicy(corev1.PullIfNotPresent),
		builder.Command("/fluent-bit/bin/fluent-bit"),
		builder.Args("--workdir=/fluent-bit/etc", "--config=/fluent-bit/etc/conf/fluent-bit.conf"),
		builder.Port("http", 2020),
		builder.Liveness(builder.HTTPGet("/", builder.PortName("http"))),
		builder.Readiness(builder.HTTPGet("/api/v2/health", builder.PortName("http"))),
		// The chart sets resources: {} and suggests these values in its
		// comment (fluent/helm-charts charts/fluent-bit/values.yaml, chart
		// 0.58.1, key resources).
		builder.Requests("100m", "128Mi"),
		builder.Limits("100m", "128Mi"),
		builder.ConfigMapVolume("config", o.ConfigMap, "/fluent-bit/etc/conf"),
		builder.HostPath("varlog", "/var/log", "/var/log",
			builder.Writable("the tail input keeps its offset database (flb_kube.db) under /var/log")),
	}
	if !o.SkipDockerLogs {
		c = append(c, builder.HostPath("varlibdockercontainers", "/var/lib/docker/containers", "/var/lib/docker/containers"))
	}
	c = append(c, builder.HostPath("etcmachineid", "/etc/machine-id", "/etc/machine-id", builder.HostPathType(corev1.HostPathFile)))
	return builder.New(o.Name).
		Namespace(o.Namespace).
		Label("app.kubernetes.io/instance", o.Name).
		ServiceAccount(o.Name).
		// fluent-bit's Linux image reads Linux log paths; the chart's
		// Windows support is a separate DaemonSet.
		NodeSelector(corev1.LabelOSStable, "linux").
		Container("fluent-bit", o.Image, c...)
}

// FluentBitCompanions returns the ServiceAccount, the ClusterRole the
// kubernetes filter uses (namespaces and pods get/list/watch, plus nodes and
// events when asked), its binding, a ClusterIP Service on port 2020 ("http")
// and the namespace labelled privileged.
func FluentBitCompanions(opts FluentBitOptions) Companions {
	o := opts.withDefaults()
	rules := []rbacv1.PolicyRule{rule(core, []string{"namespaces", "pods"}, readOnly)}
	if o.NodeAccess {
		rules = append(rules, rule(core, []string{"nodes", "nodes/metrics", "nodes/proxy"}, readOnly))
	}
	if o.EventsAccess {
		rules = append(rules, rule(core, []string{"events"}, readOnly))
	}
	return companionSet{
		name: o.Name, namespace: o.Namespace, level: psaapi.LevelPrivileged,
		labels:   map[string]string{builder.NameLabel: o.Name, "app.kubernetes.io/instance": o.Name},
		selector: map[string]string{builder.NameLabel: o.Name},
		rules:    rules, metricsPort: 2020, metricsPortName: "http",
	}.build()
}

func or(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
