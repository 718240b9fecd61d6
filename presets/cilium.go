package presets

import (
	"github.com/daemonkit/daemonkit/builder"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/utils/ptr"
)

// CiliumOptions configures the Cilium agent preset. The zero value gives the
// cilium-agent DaemonSet of the cilium Helm chart's default values (release
// v1.19.3: unprivileged mode with capabilities, cgroup and BPF filesystem
// auto-mount, embedded-envoy sockets, Hubble TLS, Prometheus metrics off).
type CiliumOptions struct {
	// Namespace; default "kube-system". The DaemonSet, ServiceAccount and
	// ClusterRole are all named "cilium", as the chart names them.
	Namespace string `help:"namespace of the DaemonSet and ServiceAccount (all named cilium)"`
	// Image; default "quay.io/cilium/cilium:v1.19.3". Release charts pin it
	// by digest too; pass "quay.io/cilium/cilium:v1.19.3@sha256:..." to do so.
	Image string `help:"image of the agent and its init containers"`
	// K8sServiceHost and K8sServicePort point the agent at the API server
	// directly (needed with kube-proxy replacement); empty leaves them unset.
	K8sServiceHost string `help:"API server host the agent talks to directly (kube-proxy replacement); empty: unset"`
	K8sServicePort string `help:"API server port for K8sServiceHost; empty: unset"`
	// PrometheusMetrics serves agent metrics on host port 9962 and the Hubble
	// peer service on 4244 (chart prometheus.enabled), and adds a metrics
	// Service.
	PrometheusMetrics bool `help:"serve agent metrics on host port 9962 and Hubble peers on 4244, with a metrics Service"`
}

func (o CiliumOptions) withDefaults() CiliumOptions {
	o.Namespace = or(o.Namespace, "kube-system")
	o.Image = or(o.Image, "quay.io/cilium/cilium:v1.19.3")
	return o
}

// ciliumHealthPort is the agent's health API port on 127.0.0.1 (chart healthPort).
const ciliumHealthPort = 9879

// Cilium returns a builder for the Cilium agent as the chart renders it with
// default values: init containers config, mount-cgroup,
// apply-sysctl-overwrites, mount-bpf-fs (privileged), clean-cilium-state and
// install-cni-binaries, then cilium-agent with twelve capabilities and
// SELinux type spc_t (not privileged), the chart's suggested resources
// (requests 100m cpu and 512Mi, limits 4 cpu and 4Gi), health probes on
// 127.0.0.1:9879,
// preStop /cni-uninstall.sh, AppArmor unconfined; host network,
// system-node-critical, termination grace 1 s, on Linux nodes, tolerating
// every taint, one agent per node by pod anti-affinity, maxUnavailable 2.
//
// Pod Security: privileged. It fails baseline on host namespaces
// (hostNetwork: it is the node's datapath), privileged (mount-bpf-fs needs
// Bidirectional propagation), capabilities (NET_ADMIN, SYS_ADMIN, SYS_MODULE,
// ... to load eBPF programs and manage interfaces), hostPath volumes (BPF
// maps, cgroup2, CNI binaries and config, /proc), SELinux spc_t, the
// Unconfined AppArmor profile, and, from policy v1.34, probes on host
// 127.0.0.1.
func Cilium(opts CiliumOptions) *builder.DaemonSet {
	o := opts.withDefaults()
	selinux := builder.ContainerFunc(func(c *corev1.Container) {
		if c.SecurityContext == nil {
			c.SecurityContext = &corev1.SecurityContext{}
		}
		c.SecurityContext.SELinuxOptions = &corev1.SELinuxOptions{Level: "s0", Type: "spc_t"}
	})
	fallback := builder.ContainerFunc(func(c *corev1.Container) {
		c.TerminationMessagePolicy = corev1.TerminationMessageFallbackToLogsOnError
	})
	caps := func(reasons ...[2]string) []builder.ContainerOption {
		out := make([]builder.ContainerOption, 0, len(reasons)+1)
		for _, r := range reasons {
			out = append(out, builder.AddCapability(corev1.Capability(r[0]), r[1]))
		}
		return append(out, builder.DropAllCapabilities())
	}
	apiEnv := func() []builder.ContainerOption {
		var out []builder.ContainerOption
		if o.K8sServiceHost != "" {
			out = append(out, builder.Env("KUBERNETES_SERVICE_HOST", o.K8sServiceHost))
		}
		if o.K8sServicePort != "" {
			out = append(out, builder.Env("KUBERNETES_SERVICE_PORT", o.K8sServicePort))
		}
		return out
	}
	health := func(p builder.Probe) builder.Probe { return p.Header("brief", "true") }

	agent := []builder.ContainerOption{
		builder.ImagePullPolicy(corev1.PullIfNotPresent),
		builder.Command("cilium-agent"),
		builder.Args("--config-dir=/tmp/cilium/config-map"),
		builder.Startup(health(builder.HTTPGet("/healthz", builder.PortNumber(ciliumHealthPort))).FailureThreshold(105).Period(2).SuccessThreshold(1).InitialDelay(5)),
		builder.Liveness(health(builder.HTTPGet("/healthz", builder.PortNumber(ciliumHealthPort))).Header("require-k8s-connectivity", "false").
			Period(30).SuccessThreshold(1).FailureThreshold(10).Timeout(5)),
		builder.Readiness(health(builder.HTTPGet("/healthz", builder.PortNumber(ciliumHealthPort))).Period(30).SuccessThreshold(1).FailureThreshold(3).Timeout(5)),
		builder.EnvFromField("K8S_NODE_NAME", builder.FieldNodeName),
		builder.EnvFromField("CILIUM_K8S_NAMESPACE", builder.FieldPodNamespace),
		builder.Env("CILIUM_CLUSTERMESH_CONFIG", "/var/lib/cilium/clustermesh/"),
		builder.EnvFromResource("GOMEMLIMIT", "limits.memory"),
		// The chart sets resources: {} and suggests these values in its
		// comment (cilium/cilium install/kubernetes/cilium/values.yaml,
		// chart v1.19.3, key resources); without a limit GOMEMLIMIT above
		// is the node's memory.
		builder.Requests("100m", "512Mi"),
		builder.Limits("4000m", "4Gi"),
	}
	agent = append(agent, apiEnv()...)
	if o.PrometheusMetrics {
		agent = append(agent, builder.HostPort("peer-service", 4244), builder.HostPort("prometheus", 9962))
	}
	agent = append(agent, caps(
		[2]string{"CHOWN", "changes ownership of files it creates for endpoints"},
		[2]string{"KILL", "signals the processes it manages (envoy, health endpoint)"},
		[2]string{"NET_ADMIN", "configures interfaces, routes, iptables and eBPF datapath programs"},
		[2]string{"NET_RAW", "uses raw sockets for health probing and iptables"},
		[2]string{"IPC_LOCK", "locks memory for eBPF maps"},
		[2]string{"SYS_MODULE", "loads the kernel modules the datapath needs"},
		[2]string{"SYS_ADMIN", "loads eBPF programs and mounts BPF and cgroup filesystems"},
		[2]string{"SYS_RESOURCE", "raises the memlock limit for eBPF maps"},
		[2]string{"DAC_OVERRIDE", "writes node files it does not own (CNI config, sysctls)"},
		[2]string{"FOWNER", "changes permissions of node files it manages"},
		[2]string{"SETGID", "drops group privileges in helper processes"},
		[2]string{"SETUID", "drops user privileges in helper processes"})...)
	agent = append(agent, selinux, fallback,
		builder.ContainerFunc(func(c *corev1.Container) {
			for _, p := range []*corev1.Probe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
				if p != nil && p.HTTPGet != nil {
					p.HTTPGet.Host = "127.0.0.1"
					p.HTTPGet.Scheme = corev1.URISchemeHTTP
				}
			}
			c.Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"/cni-uninstall.sh"}}}}
		}),
		builder.Mount("envoy-sockets", "/var/run/cilium/envoy/sockets", builder.Writable("shares sockets with the cilium-envoy DaemonSet on the node")),
		builder.HostPath("host-proc-sys-net", "/proc/sys/net", "/host/proc/sys/net", builder.HostPathType(corev1.HostPathDirectory),
			builder.Writable("sets network sysctls, which an unprivileged container can only reach through the host's /proc/sys")),
		builder.HostPath("host-proc-sys-kernel", "/proc/sys/kernel", "/host/proc/sys/kernel", builder.HostPathType(corev1.HostPathDirectory),
			builder.Writable("sets kernel sysctls, which an unprivileged container can only reach through the host's /proc/sys")),
		builder.Mount("bpf-maps", "/sys/fs/bpf", builder.Propagation(corev1.MountPropagationHostToContainer),
			builder.Writable("pins eBPF maps so the datapath survives agent restarts")),
		builder.Mount("cilium-cgroup", "/run/cilium/cgroupv2", builder.Writable("attaches socket-level eBPF programs to the node's cgroup2 root")),
		builder.Mount("cilium-run", "/var/run/cilium", builder.Writable("keeps endpoint state and its API socket across restarts")),
		builder.HostPath("etc-cni-netd", "/etc/cni/net.d", "/host/etc/cni/net.d", builder.HostPathType(corev1.HostPathDirectoryOrCreate),
			builder.Writable("writes the node's CNI network configuration")),
		builder.ProjectedVolume("clustermesh-secrets", "/var/lib/cilium/clustermesh", []corev1.VolumeProjection{
			{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "cilium-clustermesh"}, Optional: ptr.To(true)}},
		}, builder.DefaultMode(0o400)),
		builder.HostPath("lib-modules", "/lib/modules", "/lib/modules"),
		builder.HostPath("xtables-lock", "/run/xtables.lock", "/run/xtables.lock", builder.HostPathType(corev1.HostPathFileOrCreate),
			builder.Writable("shares the iptables lock with kube-proxy and other agents")),
		builder.ProjectedVolume("hubble-tls", "/var/lib/cilium/tls/hubble", []corev1.VolumeProjection{
			{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "hubble-server-certs"}, Optional: ptr.To(true),
				Items: []corev1.KeyToPath{{Key: "tls.crt", Path: "server.crt"}, {Key: "tls.key", Path: "server.key"}, {Key: "ca.crt", Path: "client-ca.crt"}}}},
		}, builder.DefaultMode(0o400)),
		builder.Mount("tmp", "/tmp"),
	)

	mountHelper := func(name, script string, extraEnv ...builder.ContainerOption) []builder.ContainerOption {
		out := []builder.ContainerOption{
			builder.ImagePullPolicy(corev1.PullIfNotPresent),
			builder.Command("sh", "-ec", script),
		}
		out = append(out, extraEnv...)
		out = append(out, builder.Env("BIN_PATH", "/opt/cni/bin"),
			builder.Mount("hostproc", "/hostproc", builder.Writable("enters the host's namespaces through /proc/1/ns with nsenter")),
			builder.Mount("cni-path", "/hostbin", builder.Writable("copies a static helper binary to the node to run it in the host's namespaces")),
			fallback, selinux)
		return append(out, caps(
			[2]string{"SYS_ADMIN", name + " mounts or changes host settings in the host's mount namespace"},
			[2]string{"SYS_CHROOT", "nsenter changes into the host's mount namespace"},
			[2]string{"SYS_PTRACE", "nsenter opens /proc/1/ns of the host's init process"})...)
	}

	return builder.New("cilium").
		Namespace(o.Namespace).
		RemoveSelectorLabel(builder.NameLabel).
		SelectorLabel("k8s-app", "cilium").
		Label("k8s-app", "cilium").
		Label("app.kubernetes.io/name", "cilium-agent").
		Label("app.kubernetes.io/part-of", "cilium").
		ServiceAccount("cilium").
		HostNetwork("the Cilium agent is the node's datapath: it manages the node's interfaces, routes and eBPF programs").
		PriorityClass("system-node-critical").
		TerminationGracePeriod(1).
		NodeSelector(corev1.LabelOSStable, "linux").
		TolerateAll().
		PodAnnotation(TolerateAllReasonAnnotation, "the CNI agent must run on every node, including tainted and draining ones, or pods there lose networking").
		RollingUpdate(builder.Count(2)).
		InitContainer("config", o.Image, append([]builder.ContainerOption{
			builder.ImagePullPolicy(corev1.PullIfNotPresent),
			builder.Command("cilium-dbg", "build-config"),
			builder.EnvFromField("K8S_NODE_NAME", builder.FieldNodeName),
			builder.EnvFromField("CILIUM_K8S_NAMESPACE", builder.FieldPodNamespace),
			builder.EmptyDirVolume("tmp", "/tmp"),
			fallback,
		}, apiEnv()...)...).
		InitContainer("mount-cgroup", o.Image, mountHelper("mount-cgroup",
			"cp /usr/bin/cilium-mount /hostbin/cilium-mount;\nnsenter --cgroup=/hostproc/1/ns/cgroup --mount=/hostproc/1/ns/mnt \"${BIN_PATH}/cilium-mount\" $CGROUP_ROOT;\nrm /hostbin/cilium-mount\n",
			builder.Env("CGROUP_ROOT", "/run/cilium/cgroupv2"),
			builder.HostPath("hostproc", "/proc", "/hostproc", builder.HostPathType(corev1.HostPathDirectory),
				builder.Writable("enters the host's namespaces through /proc/1/ns with nsenter")),
			builder.HostPath("cni-path", "/opt/cni/bin", "/hostbin", builder.HostPathType(corev1.HostPathDirectoryOrCreate),
				builder.Writable("copies a static helper binary to the node to run it in the host's namespaces")))...).
		InitContainer("apply-sysctl-overwrites", o.Image, mountHelper("apply-sysctl-overwrites",
			"cp /usr/bin/cilium-sysctlfix /hostbin/cilium-sysctlfix;\nnsenter --mount=/hostproc/1/ns/mnt \"${BIN_PATH}/cilium-sysctlfix\";\nrm /hostbin/cilium-sysctlfix\n")...).
		InitContainer("mount-bpf-fs", o.Image,
			builder.ImagePullPolicy(corev1.PullIfNotPresent),
			builder.Command("/bin/bash", "-c", "--"),
			builder.Args(`mount | grep "/sys/fs/bpf type bpf" || mount -t bpf bpf /sys/fs/bpf`),
			fallback,
			builder.Privileged("mounts the BPF filesystem on the node; Bidirectional mount propagation needs a privileged container"),
			builder.HostPath("bpf-maps", "/sys/fs/bpf", "/sys/fs/bpf", builder.HostPathType(corev1.HostPathDirectoryOrCreate),
				builder.Propagation(corev1.MountPropagationBidirectional),
				builder.Writable("mounts the BPF filesystem so that it outlives the container"))).
		InitContainer("clean-cilium-state", o.Image, append(append([]builder.ContainerOption{
			builder.ImagePullPolicy(corev1.PullIfNotPresent),
			builder.Command("/init-container.sh"),
			builder.ContainerFunc(func(c *corev1.Container) {
				for _, kv := range [][2]string{{"CILIUM_ALL_STATE", "clean-cilium-state"}, {"CILIUM_BPF_STATE", "clean-cilium-bpf-state"}} {
					c.Env = append(c.Env, corev1.EnvVar{Name: kv[0], ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
						LocalObjectReference: corev1.LocalObjectReference{Name: "cilium-config"}, Key: kv[1], Optional: ptr.To(true)}}})
				}
			}),
		}, apiEnv()...), append([]builder.ContainerOption{
			fallback, selinux,
			builder.Mount("bpf-maps", "/sys/fs/bpf", builder.Writable("removes stale eBPF state when asked to")),
			builder.HostPath("cilium-cgroup", "/run/cilium/cgroupv2", "/run/cilium/cgroupv2", builder.HostPathType(corev1.HostPathDirectoryOrCreate),
				builder.Propagation(corev1.MountPropagationHostToContainer),
				builder.Writable("detaches stale cgroup eBPF programs when asked to")),
			builder.HostPath("cilium-run", "/var/run/cilium", "/var/run/cilium", builder.HostPathType(corev1.HostPathDirectoryOrCreate),
				builder.Writable("removes stale endpoint state when asked to")),
		}, caps(
			[2]string{"NET_ADMIN", "removes stale interfaces and routes"},
			[2]string{"SYS_MODULE", "loads kernel modules the cleanup needs"},
			[2]string{"SYS_ADMIN", "unloads stale eBPF programs"},
			[2]string{"SYS_RESOURCE", "raises the memlock limit for eBPF maps"})...)...)...).
		InitContainer("install-cni-binaries", o.Image,
			builder.ImagePullPolicy(corev1.PullIfNotPresent),
			builder.Command("/install-plugin.sh"),
			builder.Requests("100m", "10Mi"),
			selinux, builder.DropAllCapabilities(), fallback,
			builder.Mount("cni-path", "/host/opt/cni/bin", builder.Writable("installs the Cilium CNI plugin binary on the node"))).
		Container("cilium-agent", o.Image, agent...).
		Volume(corev1.Volume{Name: "envoy-sockets", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{
			Path: "/var/run/cilium/envoy/sockets", Type: ptr.To(corev1.HostPathDirectoryOrCreate)}}}).
		Edit(func(ds *appsv1.DaemonSet) {
			spec := &ds.Spec.Template.Spec
			spec.AutomountServiceAccountToken = ptr.To(true)
			spec.SecurityContext = &corev1.PodSecurityContext{AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}}
			spec.RestartPolicy = corev1.RestartPolicyAlways
			if spec.Affinity == nil {
				spec.Affinity = &corev1.Affinity{}
			}
			spec.Affinity.PodAntiAffinity = &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
				LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "cilium"}},
				TopologyKey:   corev1.LabelHostname,
			}}}
		})
}

// CiliumCompanions returns the ServiceAccount "cilium", the agent's
// ClusterRole as the chart's cilium-agent/clusterrole.yaml renders it with
// default values, its binding and, with PrometheusMetrics, a metrics Service
// on 9962; no Namespace, since kube-system exists in every cluster.
func CiliumCompanions(opts CiliumOptions) Companions {
	o := opts.withDefaults()
	cio := []string{"cilium.io"}
	rules := []rbacv1.PolicyRule{
		rule([]string{"networking.k8s.io"}, []string{"networkpolicies"}, readOnly),
		rule([]string{"discovery.k8s.io"}, []string{"endpointslices"}, readOnly),
		rule(core, []string{"namespaces", "services", "pods", "endpoints", "nodes"}, readOnly),
		rule([]string{"apiextensions.k8s.io"}, []string{"customresourcedefinitions"}, []string{"list", "watch", "get"}),
		rule(cio, []string{"ciliumloadbalancerippools", "ciliumbgppeeringpolicies", "ciliumclusterwideenvoyconfigs",
			"ciliumclusterwidenetworkpolicies", "ciliumegressgatewaypolicies", "ciliumendpoints", "ciliumendpointslices",
			"ciliumenvoyconfigs", "ciliumidentities", "ciliumlocalredirectpolicies", "ciliumnetworkpolicies", "ciliumnodes",
			"ciliumnodeconfigs", "ciliumcidrgroups", "ciliuml2announcementpolicies"}, []string{"list", "watch"}),
		rule(cio, []string{"ciliumidentities", "ciliumendpoints", "ciliumnodes"}, []string{"create"}),
		rule(cio, []string{"ciliumidentities"}, []string{"update"}),
		rule(cio, []string{"ciliumendpoints"}, []string{"delete", "get"}),
		rule(cio, []string{"ciliumnodes", "ciliumnodes/status"}, []string{"get", "update"}),
		rule(cio, []string{"ciliumnetworkpolicies/status", "ciliumclusterwidenetworkpolicies/status", "ciliumendpoints/status",
			"ciliumendpoints", "ciliuml2announcementpolicies/status"}, []string{"patch"}),
	}
	s := companionSet{
		name: "cilium", namespace: o.Namespace, level: psaapi.LevelPrivileged,
		labels: map[string]string{"app.kubernetes.io/part-of": "cilium"}, rules: rules,
		selector: map[string]string{"k8s-app": "cilium"},
	}
	if o.PrometheusMetrics {
		s.metricsPort, s.metricsPortName = 9962, "prometheus"
	}
	c := s.build()
	if c.Service != nil {
		c.Service.Name = "cilium-agent"
		c.Service.Spec.ClusterIP = corev1.ClusterIPNone
	}
	return c
}
