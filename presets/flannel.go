package presets

import (
	"github.com/daemonkit/daemonkit/builder"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/utils/ptr"
)

// FlannelOptions configures the Flannel preset. The zero value gives the
// defaults of flannel-io/flannel Documentation/kube-flannel.yml v0.28.9.
type FlannelOptions struct {
	// Name of the DaemonSet; default "kube-flannel-ds". The ServiceAccount,
	// ClusterRole and binding are "flannel".
	Name string `help:"name of the DaemonSet (ServiceAccount and ClusterRole are flannel)"`
	// Namespace; default "kube-flannel".
	Namespace string `help:"namespace of the DaemonSet and ServiceAccount"`
	// Image of flanneld and the install-cni init container; default
	// "ghcr.io/flannel-io/flannel:v0.28.9".
	Image string `help:"image of flanneld and the install-cni init container"`
	// CNIPluginImage of the install-cni-plugin init container; default
	// "ghcr.io/flannel-io/flannel-cni-plugin:v1.9.1-flannel3".
	CNIPluginImage string `help:"image of the install-cni-plugin init container"`
	// ConfigMap holding cni-conf.json and net-conf.json; default
	// "kube-flannel-cfg". The preset mounts it and does not create it.
	ConfigMap string `help:"ConfigMap with cni-conf.json and net-conf.json (not created)"`
}

func (o FlannelOptions) withDefaults() FlannelOptions {
	o.Name = or(o.Name, "kube-flannel-ds")
	o.Namespace = or(o.Namespace, "kube-flannel")
	o.Image = or(o.Image, "ghcr.io/flannel-io/flannel:v0.28.9")
	o.CNIPluginImage = or(o.CNIPluginImage, "ghcr.io/flannel-io/flannel-cni-plugin:v1.9.1-flannel3")
	o.ConfigMap = or(o.ConfigMap, "kube-flannel-cfg")
	return o
}

// Flannel returns a builder for the Flannel CNI agent as kube-flannel.yml
// ships it: two init containers installing the flannel CNI plugin into
// /opt/cni/bin and the CNI config into /etc/cni/net.d, then flanneld
// (--ip-masq --kube-subnet-mgr, health on 8081) on the host network with
// NET_ADMIN and NET_RAW, 100m/50Mi requested and no limit (an
// ignore-check annotation tells lint why), /healthz and /readyz probes,
// at system-node-critical, tolerating NoSchedule taints, on Linux nodes by
// required node affinity, with the API's default update strategy.
//
// Pod Security: privileged (the manifest labels its namespace so). It fails
// baseline on host namespaces (hostNetwork: it programs the node's routes
// and VXLAN device), hostPath volumes (CNI binaries and config, its subnet
// lease, the xtables lock), capabilities (NET_ADMIN, NET_RAW) and hostPorts
// (8081 becomes a host port under hostNetwork).
func Flannel(opts FlannelOptions) *builder.DaemonSet {
	o := opts.withDefaults()
	return builder.New(o.Name).
		Namespace(o.Namespace).
		RemoveSelectorLabel(builder.NameLabel).
		Annotation(IgnoreCheckAnnotationPrefix+("DK102"), "kube-flannel.yml requests 100m cpu and 50Mi memory and sets no limit: an OOM-killed flanneld stops the node's pod networking").
		SelectorLabel("app", "flannel").
		Label("tier", "node").
		Label("k8s-app", "flannel").
		ServiceAccount("flannel").
		HostNetwork("flanneld programs the node's routes, VXLAN device and iptables masquerading").
		PriorityClass("system-node-critical").
		Tolerate(corev1.Toleration{Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}).
		RequireNodeAffinity(builder.NodeLabelIn(corev1.LabelOSStable, "linux")).
		InitContainer("install-cni-plugin", o.CNIPluginImage,
			builder.Command("cp"),
			builder.Args("-f", "/flannel", "/opt/cni/bin/flannel"),
			builder.HostPath("cni-plugin", "/opt/cni/bin", "/opt/cni/bin",
				builder.Writable("installs the flannel CNI plugin binary on the node"))).
		InitContainer("install-cni", o.Image,
			builder.Command("cp"),
			builder.Args("-f", "/etc/kube-flannel/cni-conf.json", "/etc/cni/net.d/10-flannel.conflist"),
			builder.HostPath("cni", "/etc/cni/net.d", "/etc/cni/net.d",
				builder.Writable("writes the node's CNI network configuration")),
			builder.ConfigMapVolume("flannel-cfg", o.ConfigMap, "/etc/kube-flannel/")).
		Container("kube-flannel", o.Image,
			builder.Command("/opt/bin/flanneld"),
			builder.Args("--ip-masq", "--kube-subnet-mgr", "--healthz-port=8081"),
			builder.Port("healthz", 8081),
			builder.Liveness(builder.HTTPGet("/healthz", builder.PortName("healthz")).InitialDelay(10).Period(30)),
			builder.Readiness(builder.HTTPGet("/readyz", builder.PortName("healthz")).InitialDelay(5).Period(10)),
			builder.Requests("100m", "50Mi"),
			builder.AddCapability("NET_ADMIN", "configures routes, the VXLAN device and iptables rules on the node"),
			builder.AddCapability("NET_RAW", "iptables needs raw sockets"),
			builder.EnvFromField("POD_NAME", builder.FieldPodName),
			builder.EnvFromField("POD_NAMESPACE", builder.FieldPodNamespace),
			builder.Env("EVENT_QUEUE_DEPTH", "5000"),
			builder.Env("CONT_WHEN_CACHE_NOT_READY", "false"),
			builder.HostPath("run", "/run/flannel", "/run/flannel",
				builder.Writable("writes the node's subnet lease (subnet.env) for the CNI plugin")),
			builder.Mount("flannel-cfg", "/etc/kube-flannel/"),
			builder.HostPath("xtables-lock", "/run/xtables.lock", "/run/xtables.lock",
				builder.HostPathType(corev1.HostPathFileOrCreate),
				builder.Writable("shares the iptables lock with other agents on the node")),
			builder.ContainerFunc(func(c *corev1.Container) {
				if c.SecurityContext == nil {
					c.SecurityContext = &corev1.SecurityContext{}
				}
				c.SecurityContext.Privileged = ptr.To(false)
			}))
}

// FlannelCompanions returns the ServiceAccount "flannel", the ClusterRole
// flanneld uses (pods get; nodes get/list/watch; nodes/status patch), its
// binding, and the namespace labelled privileged, as the manifest has it.
// flanneld serves no metrics, so there is no Service.
func FlannelCompanions(opts FlannelOptions) Companions {
	o := opts.withDefaults()
	return companionSet{
		name: "flannel", namespace: o.Namespace, level: psaapi.LevelPrivileged,
		labels: map[string]string{"k8s-app": "flannel"},
		rules: []rbacv1.PolicyRule{
			rule(core, []string{"pods"}, []string{"get"}),
			rule(core, []string{"nodes"}, readOnly),
			rule(core, []string{"nodes/status"}, []string{"patch"}),
		},
	}.build()
}
