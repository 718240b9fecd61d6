package presets

import (
	"github.com/daemonkit/daemonkit/builder"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/utils/ptr"
)

// CalicoOptions configures the Calico node preset. The zero value gives the
// calico-node DaemonSet of projectcalico/calico manifests/calico.yaml at
// v3.32.1 (Kubernetes datastore, BGP with IP-in-IP).
type CalicoOptions struct {
	// Name of the DaemonSet, ServiceAccount, ClusterRole and binding;
	// default "calico-node".
	Name string `help:"name of the DaemonSet, ServiceAccount, ClusterRole and binding"`
	// Namespace; default "kube-system".
	Namespace string `help:"namespace of the DaemonSet and ServiceAccount"`
	// Version tags both images; default "v3.32.1".
	Version string `help:"Calico release; tags both images"`
	// NodeImage and CNIImage override the images; default
	// "quay.io/calico/node:<Version>" and "quay.io/calico/cni:<Version>".
	NodeImage string `help:"image of the calico-node container and its ebpf-bootstrap init container"`
	CNIImage  string `help:"image of the upgrade-ipam and install-cni init containers"`
	// ConfigMap with calico_backend, veth_mtu and cni_network_config; default
	// "calico-config". The preset reads it and does not create it.
	ConfigMap string `help:"ConfigMap with calico_backend, veth_mtu and cni_network_config (not created)"`
}

func (o CalicoOptions) withDefaults() CalicoOptions {
	o.Name = or(o.Name, "calico-node")
	o.Namespace = or(o.Namespace, "kube-system")
	o.Version = or(o.Version, "v3.32.1")
	o.NodeImage = or(o.NodeImage, "quay.io/calico/node:"+o.Version)
	o.CNIImage = or(o.CNIImage, "quay.io/calico/cni:"+o.Version)
	o.ConfigMap = or(o.ConfigMap, "calico-config")
	return o
}

// calicoMemoryReason is why the calico-node preset has no memory request or
// limit, recorded in ignore-check annotations for DK101 and DK102.
const calicoMemoryReason = "calico.yaml requests 250m cpu only: calico-node's memory grows with the cluster's endpoints, policies and routes, and an OOM-killed calico-node stops the node's pod networking; set resources.requests.memory (and a limit) from observed usage"

// servicesEndpoint lets eBPF mode override KUBERNETES_SERVICE_HOST/PORT
// (calico.yaml's optional envFrom on every container).
func servicesEndpoint() builder.ContainerOption {
	return builder.ContainerFunc(func(c *corev1.Container) {
		c.EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: "kubernetes-services-endpoint"}, Optional: ptr.To(true)}}}
	})
}

// Calico returns a builder for calico-node as calico.yaml ships it: init
// containers upgrade-ipam and install-cni (calico/cni) and ebpf-bootstrap
// (calico/node), all privileged, then the privileged calico-node agent with
// 250m cpu requested and no memory request or limit (ignore-check annotations
// tell lint why), exec liveness/readiness probes and a preStop shutdown;
// host network, seccomp RuntimeDefault, system-node-critical, termination
// grace 0, on Linux nodes, tolerating every NoSchedule and NoExecute taint
// and CriticalAddonsOnly, maxUnavailable 1.
//
// Pod Security: privileged. It fails baseline on host namespaces
// (hostNetwork: it is the node's pod network), privileged containers (it
// programs routes, iptables/eBPF and mounts the BPF filesystem) and hostPath
// volumes (CNI binaries and config, its state, the xtables lock, /sys/fs,
// /proc, kernel modules).
func Calico(opts CalicoOptions) *builder.DaemonSet {
	o := opts.withDefaults()
	cm := func(env, key string) builder.ContainerOption { return builder.EnvFromConfigMap(env, o.ConfigMap, key) }
	return builder.New(o.Name).
		Namespace(o.Namespace).
		RemoveSelectorLabel(builder.NameLabel).
		// calico.yaml v3.32.1 requests 250m cpu and sets nothing else
		// (projectcalico/calico charts/calico/templates/calico-node.yaml).
		Annotation(IgnoreCheckAnnotationPrefix+("DK101"), calicoMemoryReason).
		Annotation(IgnoreCheckAnnotationPrefix+("DK102"), calicoMemoryReason).
		SelectorLabel("k8s-app", "calico-node").
		Label("k8s-app", "calico-node").
		ServiceAccount(o.Name).
		HostNetwork("calico-node is the node's pod network: it programs the node's routes, BGP sessions and iptables/eBPF policy").
		NodeSelector(corev1.LabelOSStable, "linux").
		Tolerate(
			corev1.Toleration{Effect: corev1.TaintEffectNoSchedule, Operator: corev1.TolerationOpExists},
			corev1.Toleration{Key: "CriticalAddonsOnly", Operator: corev1.TolerationOpExists},
			corev1.Toleration{Effect: corev1.TaintEffectNoExecute, Operator: corev1.TolerationOpExists}).
		PodAnnotation(TolerateAllReasonAnnotation, "the pod network must keep running on nodes being drained or evicted, or their remaining pods lose networking").
		TerminationGracePeriod(0).
		PriorityClass("system-node-critical").
		RollingUpdate(builder.Count(1)).
		InitContainer("upgrade-ipam", o.CNIImage,
			builder.ImagePullPolicy(corev1.PullIfNotPresent),
			builder.Command("/opt/cni/bin/calico-ipam", "-upgrade"),
			servicesEndpoint(),
			builder.EnvFromField("KUBERNETES_NODE_NAME", builder.FieldNodeName),
			cm("CALICO_NETWORKING_BACKEND", "calico_backend"),
			builder.HostPath("host-local-net-dir", "/var/lib/cni/networks", "/var/lib/cni/networks",
				builder.Writable("migrates host-local IPAM allocations to calico-ipam")),
			builder.HostPath("cni-bin-dir", "/opt/cni/bin", "/host/opt/cni/bin", builder.HostPathType(corev1.HostPathDirectoryOrCreate),
				builder.Writable("runs the calico-ipam binary from the node's CNI directory")),
			builder.Privileged("migrates the node's IPAM state")).
		InitContainer("install-cni", o.CNIImage,
			builder.ImagePullPolicy(corev1.PullIfNotPresent),
			builder.Command("/opt/cni/bin/install"),
			servicesEndpoint(),
			builder.Env("CNI_CONF_NAME", "10-calico.conflist"),
			cm("CNI_NETWORK_CONFIG", "cni_network_config"),
			builder.EnvFromField("KUBERNETES_NODE_NAME", builder.FieldNodeName),
			cm("CNI_MTU", "veth_mtu"),
			builder.Env("SLEEP", "false"),
			builder.Mount("cni-bin-dir", "/host/opt/cni/bin", builder.Writable("installs the Calico CNI plugin binaries on the node")),
			builder.HostPath("cni-net-dir", "/etc/cni/net.d", "/host/etc/cni/net.d",
				builder.Writable("writes the node's CNI network configuration and plugin credentials")),
			builder.Privileged("installs CNI binaries and configuration owned by root on the node")).
		InitContainer("ebpf-bootstrap", o.NodeImage,
			builder.ImagePullPolicy(corev1.PullIfNotPresent),
			builder.Command("calico-node", "-init", "-best-effort"),
			builder.HostPath("sys-fs", "/sys/fs/", "/sys/fs", builder.HostPathType(corev1.HostPathDirectoryOrCreate),
				builder.Propagation(corev1.MountPropagationBidirectional),
				builder.Writable("mounts the BPF filesystem at /sys/fs/bpf so it outlives the container")),
			builder.HostPath("var-run-calico", "/var/run/calico", "/var/run/calico", builder.HostPathType(corev1.HostPathDirectoryOrCreate),
				builder.Propagation(corev1.MountPropagationBidirectional),
				builder.Writable("mounts the root cgroup2 filesystem under /run/calico/cgroup for eBPF programs")),
			builder.HostPath("nodeproc", "/proc", "/nodeproc"),
			builder.Privileged("mounts the BPF and cgroup2 filesystems on the node (Bidirectional propagation needs privileged)")).
		Container("calico-node", o.NodeImage,
			builder.ImagePullPolicy(corev1.PullIfNotPresent),
			servicesEndpoint(),
			builder.Env("DATASTORE_TYPE", "kubernetes"),
			builder.Env("WAIT_FOR_DATASTORE", "true"),
			builder.EnvFromField("NODENAME", builder.FieldNodeName),
			cm("CALICO_NETWORKING_BACKEND", "calico_backend"),
			builder.Env("CLUSTER_TYPE", "k8s,bgp"),
			builder.Env("IP", "autodetect"),
			builder.Env("CALICO_IPV4POOL_IPIP", "Always"),
			builder.Env("CALICO_IPV4POOL_VXLAN", "Never"),
			builder.Env("CALICO_IPV6POOL_VXLAN", "Never"),
			cm("FELIX_IPINIPMTU", "veth_mtu"),
			cm("FELIX_VXLANMTU", "veth_mtu"),
			cm("FELIX_WIREGUARDMTU", "veth_mtu"),
			builder.Env("CALICO_DISABLE_FILE_LOGGING", "true"),
			builder.Env("FELIX_DEFAULTENDPOINTTOHOSTACTION", "ACCEPT"),
			builder.Env("FELIX_IPV6SUPPORT", "false"),
			builder.Env("FELIX_HEALTHENABLED", "true"),
			builder.Privileged("programs routes, iptables or eBPF policy and BGP on the node"),
			builder.Request(corev1.ResourceCPU, "250m"),
			builder.Liveness(builder.Exec("/bin/calico-node", "-felix-live", "-bird-live").Period(10).InitialDelay(10).FailureThreshold(6).Timeout(10)),
			builder.Readiness(builder.Exec("/bin/calico-node", "-felix-ready", "-bird-ready").Period(10).Timeout(10)),
			builder.ContainerFunc(func(c *corev1.Container) {
				c.Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"/bin/calico-node", "-shutdown"}}}}
			}),
			builder.Mount("cni-net-dir", "/host/etc/cni/net.d", builder.Writable("maintains the CNI plugin's API credentials")),
			builder.HostPath("lib-modules", "/lib/modules", "/lib/modules"),
			builder.HostPath("xtables-lock", "/run/xtables.lock", "/run/xtables.lock", builder.HostPathType(corev1.HostPathFileOrCreate),
				builder.Writable("shares the iptables lock with other agents on the node")),
			builder.Mount("var-run-calico", "/var/run/calico", builder.Writable("keeps its runtime state and sockets on the node")),
			builder.HostPath("var-lib-calico", "/var/lib/calico", "/var/lib/calico", builder.HostPathType(corev1.HostPathDirectoryOrCreate),
				builder.Writable("keeps the node name and IPAM state across restarts")),
			builder.HostPath("policysync", "/var/run/nodeagent", "/var/run/nodeagent", builder.HostPathType(corev1.HostPathDirectoryOrCreate),
				builder.Writable("creates per-pod policy sync sockets")),
			builder.HostPath("bpffs", "/sys/fs/bpf", "/sys/fs/bpf", builder.HostPathType(corev1.HostPathDirectory),
				builder.Writable("pins eBPF maps and programs")),
			builder.HostPath("cni-log-dir", "/var/log/calico/cni", "/var/log/calico/cni")).
		Edit(func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.SecurityContext = &corev1.PodSecurityContext{
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			}
		})
}

// CalicoCompanions returns the ServiceAccount, the calico-node ClusterRole of
// calico.yaml (less the KubeVirt live-migration rule) and its binding; no
// Namespace, since kube-system exists in every cluster. The CNI plugin's own ServiceAccount and
// ClusterRole (calico-cni-plugin), the CRDs and calico-kube-controllers are
// not part of this preset. calico-node serves no metrics by default.
func CalicoCompanions(opts CalicoOptions) Companions {
	o := opts.withDefaults()
	crd := []string{"crd.projectcalico.org"}
	rules := []rbacv1.PolicyRule{
		{APIGroups: core, Resources: []string{"serviceaccounts/token"}, ResourceNames: []string{"calico-cni-plugin"}, Verbs: []string{"create"}},
		rule(core, []string{"pods", "nodes", "namespaces"}, []string{"get"}),
		rule([]string{"discovery.k8s.io"}, []string{"endpointslices"}, []string{"watch", "list"}),
		rule(core, []string{"endpoints", "services"}, []string{"watch", "list", "get"}),
		rule(core, []string{"configmaps"}, []string{"get"}),
		rule(core, []string{"nodes/status"}, []string{"patch", "update"}),
		rule([]string{"networking.k8s.io"}, []string{"networkpolicies"}, []string{"watch", "list"}),
		rule([]string{"policy.networking.k8s.io"}, []string{"clusternetworkpolicies"}, []string{"watch", "list"}),
		rule(core, []string{"pods", "namespaces", "serviceaccounts"}, []string{"list", "watch"}),
		rule(core, []string{"pods/status"}, []string{"patch"}),
		rule(crd, []string{"globalfelixconfigs", "felixconfigurations", "bgppeers", "bgpfilters", "globalbgpconfigs", "bgpconfigurations",
			"ippools", "ipreservations", "ipamblocks", "globalnetworkpolicies", "stagedglobalnetworkpolicies", "networkpolicies",
			"stagednetworkpolicies", "stagedkubernetesnetworkpolicies", "globalnetworksets", "networksets", "clusterinformations",
			"hostendpoints", "blockaffinities", "caliconodestatuses", "tiers"}, readOnly),
		rule(crd, []string{"tiers"}, []string{"create"}),
		rule(crd, []string{"ippools", "felixconfigurations", "bgpconfigurations", "clusterinformations"}, []string{"create", "update"}),
		rule(crd, []string{"caliconodestatuses"}, []string{"update"}),
		rule(core, []string{"nodes"}, readOnly),
		rule(crd, []string{"bgpconfigurations", "bgppeers"}, []string{"create", "update"}),
		rule(crd, []string{"blockaffinities", "ipamblocks", "ipamhandles"}, []string{"get", "list", "create", "update", "delete"}),
		rule(crd, []string{"ipamconfigs"}, []string{"get", "create"}),
		rule(crd, []string{"blockaffinities"}, []string{"watch"}),
		rule([]string{"apps"}, []string{"daemonsets"}, []string{"get"}),
	}
	return companionSet{
		name: o.Name, namespace: o.Namespace, level: psaapi.LevelPrivileged,
		labels: map[string]string{"k8s-app": "calico-node"}, rules: rules,
	}.build()
}
