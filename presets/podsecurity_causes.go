package presets

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/pod-security-admission/policy"
)

// location is one field that fails a check.
type location struct {
	path *field.Path
	note string
	// call is the builder call that sets the field, or "".
	call string
	// hostNetworkPort marks a hostPort the API server defaults from
	// containerPort under hostNetwork: it takes the hostNetwork reason.
	hostNetworkPort bool
}

// cause attaches the recorded reason to the location; spec is the path of
// the pod spec the reasons are rooted at.
func (l location) cause(spec *field.Path, reasons reasons) Cause {
	c := Cause{Path: l.path.String(), Note: l.note, Call: l.call, Reason: reasons.at(l.path)}
	if c.Reason == "" && l.hostNetworkPort {
		c.Reason = reasons.at(spec.Child("hostNetwork"))
	}
	return c
}

// childOf is root.Child(name), or a path starting at name when root is nil.
func childOf(root *field.Path, name string) *field.Path {
	if root == nil {
		return field.NewPath(name)
	}
	return root.Child(name)
}

// containerList is one of the pod's container lists with its field name and
// the builder constructor that adds its containers ("" for none).
type containerList struct {
	name string
	ctor string
	cs   []corev1.Container
}

func containerLists(spec *corev1.PodSpec) []containerList {
	eph := make([]corev1.Container, len(spec.EphemeralContainers))
	for i := range spec.EphemeralContainers {
		eph[i] = corev1.Container(spec.EphemeralContainers[i].EphemeralContainerCommon)
	}
	// upstream: policy/visitor.go visitContainers — init, regular, ephemeral.
	return []containerList{
		{"initContainers", "InitContainer", spec.InitContainers},
		{"containers", "Container", spec.Containers},
		{"ephemeralContainers", "", eph},
	}
}

// forEachContainer calls fn with the path of every container of spec (whose
// own path is specPath) and the builder constructor that adds it.
func forEachContainer(spec *corev1.PodSpec, specPath *field.Path, fn func(path *field.Path, ctor string, c *corev1.Container)) {
	for _, l := range containerLists(spec) {
		for i := range l.cs {
			fn(specPath.Child(l.name).Index(i), l.ctor, &l.cs[i])
		}
	}
}

// baselineCapabilities are the capabilities baseline allows containers to add.
// upstream: policy/check_capabilities_baseline.go capabilities_allowed_1_0
var baselineCapabilities = map[corev1.Capability]bool{
	"AUDIT_WRITE": true, "CHOWN": true, "DAC_OVERRIDE": true, "FOWNER": true, "FSETID": true,
	"KILL": true, "MKNOD": true, "NET_BIND_SERVICE": true, "SETFCAP": true, "SETGID": true,
	"SETPCAP": true, "SETUID": true, "SYS_CHROOT": true,
}

// locateCheck finds the fields that make check id fail on the (defaulted) pod;
// specPath and metaPath are the paths of spec and meta.
// It mirrors each upstream check's per-field logic; it only runs when the
// upstream check has already failed, so it names culprits, it does not judge.
// An unknown (future) check yields no locations.
//
// For checks whose allowed set changes between policy versions (sysctls,
// seLinuxOptions) it asks the check itself, fn, about each item alone.
func locateCheck(id string, fn policy.CheckPodFn, meta *metav1.ObjectMeta, spec *corev1.PodSpec,
	specPath, metaPath *field.Path, defaulted map[portRef]bool) []location {
	var out []location
	add := func(path *field.Path, note, call string) {
		out = append(out, location{path: path, note: note, call: call})
	}
	each := func(fn func(path *field.Path, ctor string, c *corev1.Container)) {
		forEachContainer(spec, specPath, fn)
	}
	pscPath := specPath.Child("securityContext")
	psc := spec.SecurityContext
	switch id {
	case "hostNamespaces":
		// upstream: check_hostNamespaces.go hostNamespaces_1_0
		if spec.HostNetwork {
			add(specPath.Child("hostNetwork"), "", "HostNetwork(reason)")
		}
		if spec.HostPID {
			add(specPath.Child("hostPID"), "", "HostPID(reason)")
		}
		if spec.HostIPC {
			add(specPath.Child("hostIPC"), "", "HostIPC(reason)")
		}
	case "privileged":
		each(func(p *field.Path, ctor string, c *corev1.Container) {
			if c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged {
				add(p.Child("securityContext", "privileged"), "", containerCall("Privileged(reason)", ctor, c))
			}
		})
	case "capabilities_baseline":
		each(func(p *field.Path, ctor string, c *corev1.Container) {
			if c.SecurityContext == nil || c.SecurityContext.Capabilities == nil {
				return
			}
			for k, cp := range c.SecurityContext.Capabilities.Add {
				if !baselineCapabilities[cp] {
					add(p.Child("securityContext", "capabilities", "add").Index(k), string(cp), addCapabilityCall(cp, ctor, c))
				}
			}
		})
	case "capabilities_restricted":
		each(func(p *field.Path, ctor string, c *corev1.Container) {
			caps := p.Child("securityContext", "capabilities")
			if c.SecurityContext == nil || c.SecurityContext.Capabilities == nil {
				add(caps, `unset: must drop ["ALL"] (builder: DropAllCapabilities())`, "")
				return
			}
			dropped := false
			for _, d := range c.SecurityContext.Capabilities.Drop {
				if d == "ALL" {
					dropped = true
				}
			}
			if !dropped {
				add(caps.Child("drop"), `must drop ["ALL"] (builder: DropAllCapabilities())`, "")
			}
			for k, cp := range c.SecurityContext.Capabilities.Add {
				if cp != "NET_BIND_SERVICE" {
					add(caps.Child("add").Index(k), string(cp), addCapabilityCall(cp, ctor, c))
				}
			}
		})
	case "hostPathVolumes":
		for i := range spec.Volumes {
			if v := &spec.Volumes[i]; v.HostPath != nil {
				add(specPath.Child("volumes").Index(i).Child("hostPath"), "hostPath "+v.HostPath.Path, hostPathCall(v))
			}
		}
	case "restrictedVolumes":
		for i := range spec.Volumes {
			v := &spec.Volumes[i]
			switch {
			case v.ConfigMap != nil, v.CSI != nil, v.DownwardAPI != nil, v.EmptyDir != nil, v.Ephemeral != nil,
				v.Image != nil, v.PersistentVolumeClaim != nil, v.Projected != nil, v.Secret != nil:
			case v.HostPath != nil:
				add(specPath.Child("volumes").Index(i).Child("hostPath"), "hostPath "+v.HostPath.Path, hostPathCall(v))
			default:
				add(specPath.Child("volumes").Index(i), "volume type not allowed by restricted", "")
			}
		}
	case "hostPorts":
		for _, l := range containerLists(spec) {
			for i := range l.cs {
				c := &l.cs[i]
				for j, port := range c.Ports {
					if port.HostPort == 0 {
						continue
					}
					pp := specPath.Child(l.name).Index(i).Child("ports").Index(j)
					if defaulted[portRef{l.name, i, j}] {
						call := containerCall(fmt.Sprintf("Port(%q, %d)", port.Name, port.ContainerPort), l.ctor, c)
						if call != "" {
							call += " with HostNetwork(reason)"
						}
						out = append(out, location{path: pp.Child("containerPort"), call: call, hostNetworkPort: true,
							note: fmt.Sprintf("hostNetwork=true makes containerPort %d a hostPort when the pod is created", port.ContainerPort)})
						continue
					}
					add(pp.Child("hostPort"), "", containerCall(hostPortCall(port), l.ctor, c))
				}
			}
		}
	case "appArmorProfile":
		if psc != nil && psc.AppArmorProfile != nil && !allowedAppArmor(psc.AppArmorProfile.Type) {
			add(pscPath.Child("appArmorProfile", "type"), string(psc.AppArmorProfile.Type), "")
		}
		each(func(p *field.Path, _ string, c *corev1.Container) {
			if c.SecurityContext != nil && c.SecurityContext.AppArmorProfile != nil && !allowedAppArmor(c.SecurityContext.AppArmorProfile.Type) {
				add(p.Child("securityContext", "appArmorProfile", "type"), string(c.SecurityContext.AppArmorProfile.Type), "")
			}
		})
		for _, k := range slices.Sorted(maps.Keys(meta.Annotations)) {
			v := meta.Annotations[k]
			if strings.HasPrefix(k, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix) &&
				!(v == "" || v == corev1.DeprecatedAppArmorBetaProfileRuntimeDefault || strings.HasPrefix(v, corev1.DeprecatedAppArmorBetaProfileNamePrefix)) {
				add(metaPath.Child("annotations").Key(k), v, "")
			}
		}
	case "seccompProfile_baseline", "seccompProfile_restricted":
		podOK := false
		if psc != nil && psc.SeccompProfile != nil {
			if validSeccomp(psc.SeccompProfile.Type) {
				podOK = true
			} else {
				add(pscPath.Child("seccompProfile", "type"), string(psc.SeccompProfile.Type), "")
			}
		}
		each(func(p *field.Path, _ string, c *corev1.Container) {
			switch {
			case c.SecurityContext != nil && c.SecurityContext.SeccompProfile != nil:
				if !validSeccomp(c.SecurityContext.SeccompProfile.Type) {
					add(p.Child("securityContext", "seccompProfile", "type"), string(c.SecurityContext.SeccompProfile.Type), "")
				}
			case id == "seccompProfile_restricted" && !podOK:
				add(p.Child("securityContext", "seccompProfile"), `unset: set RuntimeDefault or Localhost on the pod or the container (builder: SeccompRuntimeDefault())`, "")
			}
		})
		if id == "seccompProfile_baseline" {
			// upstream: check_seccompProfile_baseline.go seccompProfileBaseline_1_0 (policy < v1.19)
			for _, k := range slices.Sorted(maps.Keys(meta.Annotations)) {
				v := meta.Annotations[k]
				if (k == "seccomp.security.alpha.kubernetes.io/pod" || strings.HasPrefix(k, "container.seccomp.security.alpha.kubernetes.io/")) &&
					!(v == corev1.SeccompProfileRuntimeDefault || v == corev1.DeprecatedSeccompProfileDockerDefault || strings.HasPrefix(v, corev1.SeccompLocalhostProfileNamePrefix)) {
					add(metaPath.Child("annotations").Key(k), v, "")
				}
			}
		}
	case "seLinuxOptions":
		bad := func(o *corev1.SELinuxOptions) bool {
			alone := &corev1.PodSpec{SecurityContext: &corev1.PodSecurityContext{SELinuxOptions: o}}
			return !fn(&metav1.ObjectMeta{}, alone).Allowed
		}
		if psc != nil && psc.SELinuxOptions != nil && bad(psc.SELinuxOptions) {
			add(pscPath.Child("seLinuxOptions"), psc.SELinuxOptions.Type, "")
		}
		each(func(p *field.Path, _ string, c *corev1.Container) {
			if c.SecurityContext != nil && c.SecurityContext.SELinuxOptions != nil && bad(c.SecurityContext.SELinuxOptions) {
				add(p.Child("securityContext", "seLinuxOptions"), c.SecurityContext.SELinuxOptions.Type, "")
			}
		})
	case "procMount", "procMount_restricted":
		each(func(p *field.Path, _ string, c *corev1.Container) {
			if c.SecurityContext != nil && c.SecurityContext.ProcMount != nil && *c.SecurityContext.ProcMount != corev1.DefaultProcMount {
				add(p.Child("securityContext", "procMount"), string(*c.SecurityContext.ProcMount), "")
			}
		})
	case "sysctls":
		if psc != nil {
			for i, s := range psc.Sysctls {
				alone := &corev1.PodSpec{SecurityContext: &corev1.PodSecurityContext{Sysctls: []corev1.Sysctl{s}}}
				if !fn(&metav1.ObjectMeta{}, alone).Allowed {
					add(pscPath.Child("sysctls").Index(i), s.Name, "")
				}
			}
		}
	case "windowsHostProcess":
		if psc != nil && psc.WindowsOptions != nil && psc.WindowsOptions.HostProcess != nil && *psc.WindowsOptions.HostProcess {
			add(pscPath.Child("windowsOptions", "hostProcess"), "", "")
		}
		each(func(p *field.Path, _ string, c *corev1.Container) {
			if c.SecurityContext != nil && c.SecurityContext.WindowsOptions != nil && c.SecurityContext.WindowsOptions.HostProcess != nil && *c.SecurityContext.WindowsOptions.HostProcess {
				add(p.Child("securityContext", "windowsOptions", "hostProcess"), "", "")
			}
		})
	case "hostProbesAndHostLifecycle":
		each(func(p *field.Path, _ string, c *corev1.Container) {
			for _, pr := range []struct {
				name  string
				probe *corev1.Probe
			}{{"livenessProbe", c.LivenessProbe}, {"readinessProbe", c.ReadinessProbe}, {"startupProbe", c.StartupProbe}} {
				if pr.probe == nil {
					continue
				}
				if pr.probe.HTTPGet != nil && pr.probe.HTTPGet.Host != "" {
					add(p.Child(pr.name, "httpGet", "host"), pr.probe.HTTPGet.Host, "")
				}
				if pr.probe.TCPSocket != nil && pr.probe.TCPSocket.Host != "" {
					add(p.Child(pr.name, "tcpSocket", "host"), pr.probe.TCPSocket.Host, "")
				}
			}
			if c.Lifecycle == nil {
				return
			}
			for _, h := range []struct {
				name string
				h    *corev1.LifecycleHandler
			}{{"postStart", c.Lifecycle.PostStart}, {"preStop", c.Lifecycle.PreStop}} {
				if h.h == nil {
					continue
				}
				if h.h.HTTPGet != nil && h.h.HTTPGet.Host != "" {
					add(p.Child("lifecycle", h.name, "httpGet", "host"), h.h.HTTPGet.Host, "")
				}
				if h.h.TCPSocket != nil && h.h.TCPSocket.Host != "" {
					add(p.Child("lifecycle", h.name, "tcpSocket", "host"), h.h.TCPSocket.Host, "")
				}
			}
		})
	case "allowPrivilegeEscalation":
		each(func(p *field.Path, _ string, c *corev1.Container) {
			ape := p.Child("securityContext", "allowPrivilegeEscalation")
			if c.SecurityContext == nil || c.SecurityContext.AllowPrivilegeEscalation == nil {
				add(ape, "unset: must be false (builder: NoPrivilegeEscalation())", "")
			} else if *c.SecurityContext.AllowPrivilegeEscalation {
				add(ape, "true: must be false (builder: NoPrivilegeEscalation())", "")
			}
		})
	case "runAsNonRoot":
		podNonRoot := false
		if psc != nil && psc.RunAsNonRoot != nil {
			if *psc.RunAsNonRoot {
				podNonRoot = true
			} else {
				add(pscPath.Child("runAsNonRoot"), "false: must be true", "")
			}
		}
		each(func(p *field.Path, _ string, c *corev1.Container) {
			switch {
			case c.SecurityContext != nil && c.SecurityContext.RunAsNonRoot != nil:
				if !*c.SecurityContext.RunAsNonRoot {
					add(p.Child("securityContext", "runAsNonRoot"), "false: must be true", "")
				}
			case !podNonRoot:
				add(p.Child("securityContext", "runAsNonRoot"), "unset: set true on the pod or the container (builder: RunAsNonRoot())", "")
			}
		})
	case "runAsUser":
		if psc != nil && psc.RunAsUser != nil && *psc.RunAsUser == 0 {
			add(pscPath.Child("runAsUser"), "0", "")
		}
		each(func(p *field.Path, ctor string, c *corev1.Container) {
			if c.SecurityContext != nil && c.SecurityContext.RunAsUser != nil && *c.SecurityContext.RunAsUser == 0 {
				add(p.Child("securityContext", "runAsUser"), "0", containerCall("RunAsUser(0)", ctor, c))
			}
		})
	}
	return out
}

func allowedAppArmor(t corev1.AppArmorProfileType) bool {
	return t == corev1.AppArmorProfileTypeRuntimeDefault || t == corev1.AppArmorProfileTypeLocalhost
}

// upstream: policy/check_seccompProfile_baseline.go validSeccomp
func validSeccomp(t corev1.SeccompProfileType) bool {
	return t == corev1.SeccompProfileTypeLocalhost || t == corev1.SeccompProfileTypeRuntimeDefault
}
