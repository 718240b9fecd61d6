package presets

import (
	"fmt"

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
	// Options returns a pointer to a new options struct of the preset
	// (*CalicoOptions, *FluentBitOptions, ...) whose zero fields take the
	// defaults. Tools that set options by name, such as the CLI's --set,
	// fill it and pass it to Make.
	Options func() any
	// Defaults returns a pointer to a new options struct of the preset with
	// every default filled in, what a zero field of Options stands for. Each
	// field's struct tag "help" says in one line what it sets.
	Defaults func() any
	// Make returns the builder and companions for options, a pointer that
	// Options returned; another type is an error.
	Make func(options any) (*builder.DaemonSet, Companions, error)
}

// newOptions is the Options of a preset whose options type is O.
func newOptions[O any]() any { return new(O) }

// defaultsOf is the Defaults of a preset whose options type is O.
func defaultsOf[O interface{ withDefaults() O }]() any {
	var zero O
	d := zero.withDefaults()
	return &d
}

// makeWith returns the Make of a preset from its typed constructors.
func makeWith[O any](ds func(O) *builder.DaemonSet, companions func(O) Companions) func(any) (*builder.DaemonSet, Companions, error) {
	return func(options any) (*builder.DaemonSet, Companions, error) {
		o, ok := options.(*O)
		if !ok || o == nil {
			return nil, Companions{}, fmt.Errorf("options %T: expected a non-nil %T", options, o)
		}
		return ds(*o), companions(*o), nil
	}
}

// Catalog returns every preset, sorted by name. The slice is fresh on each
// call.
func Catalog() []Preset {
	return []Preset{
		{Name: "calico-node", Source: "projectcalico/calico manifests/calico.yaml v3.32.1", Level: psaapi.LevelPrivileged,
			LevelReason: "host network, privileged containers (routes, iptables/eBPF, BPF filesystem mounts) and hostPath volumes",
			Builder:     func() *builder.DaemonSet { return Calico(CalicoOptions{}) },
			Companions:  func() Companions { return CalicoCompanions(CalicoOptions{}) },
			Options:     newOptions[CalicoOptions], Defaults: defaultsOf[CalicoOptions], Make: makeWith(Calico, CalicoCompanions)},
		{Name: "cilium", Source: "cilium/cilium Helm chart v1.19.3, default values", Level: psaapi.LevelPrivileged,
			LevelReason: "host network, a privileged BPF-mount init container, capabilities beyond baseline, hostPath volumes, SELinux spc_t, Unconfined AppArmor and probes on 127.0.0.1",
			Builder:     func() *builder.DaemonSet { return Cilium(CiliumOptions{}) },
			Companions:  func() Companions { return CiliumCompanions(CiliumOptions{}) },
			Options:     newOptions[CiliumOptions], Defaults: defaultsOf[CiliumOptions], Make: makeWith(Cilium, CiliumCompanions)},
		{Name: "dcgm-exporter", Source: "NVIDIA/dcgm-exporter Helm chart 4.8.2, GPU-node placement as the GPU operator", Level: psaapi.LevelPrivileged,
			LevelReason: "the kubelet pod-resources hostPath and SYS_ADMIN for profiling metrics",
			Builder:     func() *builder.DaemonSet { return DCGMExporter(DCGMExporterOptions{}) },
			Companions:  func() Companions { return DCGMExporterCompanions(DCGMExporterOptions{}) },
			Options:     newOptions[DCGMExporterOptions], Defaults: defaultsOf[DCGMExporterOptions], Make: makeWith(DCGMExporter, DCGMExporterCompanions)},
		{Name: "flannel", Source: "flannel-io/flannel Documentation/kube-flannel.yml v0.28.9", Level: psaapi.LevelPrivileged,
			LevelReason: "host network, hostPath volumes, NET_ADMIN and NET_RAW, and a host port from hostNetwork",
			Builder:     func() *builder.DaemonSet { return Flannel(FlannelOptions{}) },
			Companions:  func() Companions { return FlannelCompanions(FlannelOptions{}) },
			Options:     newOptions[FlannelOptions], Defaults: defaultsOf[FlannelOptions], Make: makeWith(Flannel, FlannelCompanions)},
		{Name: "fluent-bit", Source: "fluent/helm-charts fluent-bit chart 0.58.1 (fluent-bit 5.1.1)", Level: psaapi.LevelPrivileged,
			LevelReason: "hostPath volumes for the node's log files",
			Builder:     func() *builder.DaemonSet { return FluentBit(FluentBitOptions{}) },
			Companions:  func() Companions { return FluentBitCompanions(FluentBitOptions{}) },
			Options:     newOptions[FluentBitOptions], Defaults: defaultsOf[FluentBitOptions], Make: makeWith(FluentBit, FluentBitCompanions)},
		{Name: "node-exporter", Source: "prometheus-community prometheus-node-exporter chart 4.56.1 (v1.12.1)", Level: psaapi.LevelPrivileged,
			LevelReason: "host network and PID namespaces, hostPath volumes for /proc, /sys and /, and a host port from hostNetwork",
			Builder:     func() *builder.DaemonSet { return NodeExporter(NodeExporterOptions{}) },
			Companions:  func() Companions { return NodeExporterCompanions(NodeExporterOptions{}) },
			Options:     newOptions[NodeExporterOptions], Defaults: defaultsOf[NodeExporterOptions], Make: makeWith(NodeExporter, NodeExporterCompanions)},
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
