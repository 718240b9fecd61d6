package presets

import (
	"github.com/daemonkit/daemonkit/builder"
	psaapi "k8s.io/pod-security-admission/api"
)

// Preset describes one production agent of the catalog with its default
// options: how to build it, its companions and the Pod Security level it
// needs. Use the typed functions (FluentBit, NodeExporter, ...) to change
// options; use the returned builder to change anything else.
type Preset struct {
	// Name is the catalog name, for example "node-exporter".
	Name string
	// Source names the upstream chart or manifest and version the defaults
	// come from.
	Source string
	// Level is the Pod Security level the agent's namespace must allow.
	Level psaapi.Level
	// LevelReason says why the agent needs that level.
	LevelReason string
	// Builder returns a fresh builder with the default options.
	Builder func() *builder.DaemonSet
	// Companions returns the companion objects with the default options.
	Companions func() Companions
}

// Catalog returns every preset, sorted by name. The slice is fresh on each
// call.
func Catalog() []Preset {
	return []Preset{
		{Name: "calico-node", Source: "projectcalico/calico manifests/calico.yaml v3.32.1", Level: psaapi.LevelPrivileged,
			LevelReason: "host network, privileged containers (routes, iptables/eBPF, BPF filesystem mounts) and hostPath volumes",
			Builder:     func() *builder.DaemonSet { return Calico(CalicoOptions{}) },
			Companions:  func() Companions { return CalicoCompanions(CalicoOptions{}) }},
		{Name: "cilium", Source: "cilium/cilium Helm chart v1.19.3, default values", Level: psaapi.LevelPrivileged,
			LevelReason: "host network, a privileged BPF-mount init container, capabilities beyond baseline, hostPath volumes, SELinux spc_t, Unconfined AppArmor and probes on 127.0.0.1",
			Builder:     func() *builder.DaemonSet { return Cilium(CiliumOptions{}) },
			Companions:  func() Companions { return CiliumCompanions(CiliumOptions{}) }},
		{Name: "dcgm-exporter", Source: "NVIDIA/dcgm-exporter Helm chart 4.8.2, GPU-node placement as the GPU operator", Level: psaapi.LevelPrivileged,
			LevelReason: "the kubelet pod-resources hostPath and SYS_ADMIN for profiling metrics",
			Builder:     func() *builder.DaemonSet { return DCGMExporter(DCGMExporterOptions{}) },
			Companions:  func() Companions { return DCGMExporterCompanions(DCGMExporterOptions{}) }},
		{Name: "flannel", Source: "flannel-io/flannel Documentation/kube-flannel.yml v0.28.9", Level: psaapi.LevelPrivileged,
			LevelReason: "host network, hostPath volumes, NET_ADMIN and NET_RAW, and a host port from hostNetwork",
			Builder:     func() *builder.DaemonSet { return Flannel(FlannelOptions{}) },
			Companions:  func() Companions { return FlannelCompanions(FlannelOptions{}) }},
		{Name: "fluent-bit", Source: "fluent/helm-charts fluent-bit chart 0.58.1 (fluent-bit 5.1.1)", Level: psaapi.LevelPrivileged,
			LevelReason: "hostPath volumes for the node's log files",
			Builder:     func() *builder.DaemonSet { return FluentBit(FluentBitOptions{}) },
			Companions:  func() Companions { return FluentBitCompanions(FluentBitOptions{}) }},
		{Name: "node-exporter", Source: "prometheus-community prometheus-node-exporter chart 4.56.1 (v1.12.1)", Level: psaapi.LevelPrivileged,
			LevelReason: "host network and PID namespaces, hostPath volumes for /proc, /sys and /, and a host port from hostNetwork",
			Builder:     func() *builder.DaemonSet { return NodeExporter(NodeExporterOptions{}) },
			Companions:  func() Companions { return NodeExporterCompanions(NodeExporterOptions{}) }},
	}
}

// Lookup returns the catalog preset with this name.
func Lookup(name string) (Preset, bool) {
	for _, p := range Catalog() {
		if p.Name == name {
			return p, true
		}
	}
	return Preset{}, false
}
