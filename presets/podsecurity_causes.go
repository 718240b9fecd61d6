package presets

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/pod-security-admission/policy"
)

// location is one field that fails a check, relative to the pod template.
type location struct {
	// rel is the path below the template, e.g. "spec.volumes[0].hostPath".
	rel  string
	note string
}

// cause roots the location and attaches the builder call and recorded reason.
// A hostPort defaulted from hostNetwork takes the hostNetwork reason.
func (l location) cause(root *field.Path, spec *corev1.PodSpec, reasons map[string]string) Cause {
	c := Cause{Path: joinPath(root, l.rel), Note: l.note, Call: builderCall(l.rel, spec)}
	c.Reason = reasonFor(l.rel, reasons)
	if c.Reason == "" && strings.HasSuffix(l.rel, ".containerPort") {
		c.Reason = reasons["spec.hostNetwork"]
	}
	return c
}

func joinPath(root *field.Path, rel string) string {
	if root == nil {
		return rel
	}
	return root.String() + "." + rel
}

// containerList is one of the pod's container lists with its field name.
type containerList struct {
	name string
	cs   []corev1.Container
}

func containerLists(spec *corev1.PodSpec) []containerList {
	eph := make([]corev1.Container, len(spec.EphemeralContainers))
	for i := range spec.EphemeralContainers {
		eph[i] = corev1.Container(spec.EphemeralContainers[i].EphemeralContainerCommon)
	}
	// upstream: policy/visitor.go visitContainers — init, regular, ephemeral.
	return []containerList{{"initContainers", spec.InitContainers}, {"containers", spec.Containers}, {"ephemeralContainers", eph}}
}

// forEachContainer calls fn with the relative path prefix of every container.
func forEachContainer(spec *corev1.PodSpec, fn func(prefix string, c *corev1.Container)) {
	for _, l := range containerLists(spec) {
		for i := range l.cs {
			fn(fmt.Sprintf("spec.%s[%d]", l.name, i), &l.cs[i])
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

// locateCheck finds the fields that make check id fail on the (defaulted) pod.
// It mirrors each upstream check's per-field logic; it only runs when the
// upstream check has already failed, so it names culprits, it does not judge.
// An unknown (future) check yields no locations.
//
// For checks whose allowed set changes between policy versions (sysctls,
// seLinuxOptions) it asks the check itself, fn, about each item alone.
func locateCheck(id string, fn policy.CheckPodFn, meta *metav1.ObjectMeta, spec *corev1.PodSpec, defaulted map[portRef]bool) []location {
	var out []location
	add := func(rel, note string) { out = append(out, location{rel: rel, note: note}) }
	psc := spec.SecurityContext
	switch id {
	case "hostNamespaces":
		// upstream: check_hostNamespaces.go hostNamespaces_1_0
		if spec.HostNetwork {
			add("spec.hostNetwork", "")
		}
		if spec.HostPID {
			add("spec.hostPID", "")
		}
		if spec.HostIPC {
			add("spec.hostIPC", "")
		}
	case "privileged":
		forEachContainer(spec, func(p string, c *corev1.Container) {
			if c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged {
				add(p+".securityContext.privileged", "")
			}
		})
	case "capabilities_baseline":
		forEachContainer(spec, func(p string, c *corev1.Container) {
			if c.SecurityContext == nil || c.SecurityContext.Capabilities == nil {
				return
			}
			for k, cp := range c.SecurityContext.Capabilities.Add {
				if !baselineCapabilities[cp] {
					add(fmt.Sprintf("%s.securityContext.capabilities.add[%d]", p, k), string(cp))
				}
			}
		})
	case "capabilities_restricted":
		forEachContainer(spec, func(p string, c *corev1.Container) {
			if c.SecurityContext == nil || c.SecurityContext.Capabilities == nil {
				add(p+".securityContext.capabilities", `unset: must drop ["ALL"] (DropAllCapabilities())`)
				return
			}
			dropped := false
			for _, d := range c.SecurityContext.Capabilities.Drop {
				if d == "ALL" {
					dropped = true
				}
			}
			if !dropped {
				add(p+".securityContext.capabilities.drop", `must drop ["ALL"] (DropAllCapabilities())`)
			}
			for k, cp := range c.SecurityContext.Capabilities.Add {
				if cp != "NET_BIND_SERVICE" {
					add(fmt.Sprintf("%s.securityContext.capabilities.add[%d]", p, k), string(cp))
				}
			}
		})
	case "hostPathVolumes":
		for i, v := range spec.Volumes {
			if v.HostPath != nil {
				add(fmt.Sprintf("spec.volumes[%d].hostPath", i), "hostPath "+v.HostPath.Path)
			}
		}
	case "restrictedVolumes":
		for i, v := range spec.Volumes {
			switch {
			case v.ConfigMap != nil, v.CSI != nil, v.DownwardAPI != nil, v.EmptyDir != nil, v.Ephemeral != nil,
				v.Image != nil, v.PersistentVolumeClaim != nil, v.Projected != nil, v.Secret != nil:
			case v.HostPath != nil:
				add(fmt.Sprintf("spec.volumes[%d].hostPath", i), "hostPath "+v.HostPath.Path)
			default:
				add(fmt.Sprintf("spec.volumes[%d]", i), "volume type not allowed by restricted")
			}
		}
	case "hostPorts":
		for _, l := range containerLists(spec) {
			for i := range l.cs {
				for j, port := range l.cs[i].Ports {
					if port.HostPort == 0 {
						continue
					}
					rel := fmt.Sprintf("spec.%s[%d].ports[%d].hostPort", l.name, i, j)
					note := ""
					if defaulted[portRef{l.name, i, j}] {
						rel = fmt.Sprintf("spec.%s[%d].ports[%d].containerPort", l.name, i, j)
						note = fmt.Sprintf("hostNetwork=true makes containerPort %d a hostPort when the pod is created", port.ContainerPort)
					}
					add(rel, note)
				}
			}
		}
	case "appArmorProfile":
		if psc != nil && psc.AppArmorProfile != nil && !allowedAppArmor(psc.AppArmorProfile.Type) {
			add("spec.securityContext.appArmorProfile.type", string(psc.AppArmorProfile.Type))
		}
		forEachContainer(spec, func(p string, c *corev1.Container) {
			if c.SecurityContext != nil && c.SecurityContext.AppArmorProfile != nil && !allowedAppArmor(c.SecurityContext.AppArmorProfile.Type) {
				add(p+".securityContext.appArmorProfile.type", string(c.SecurityContext.AppArmorProfile.Type))
			}
		})
		for _, k := range sortedKeys(meta.Annotations) {
			v := meta.Annotations[k]
			if strings.HasPrefix(k, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix) &&
				!(v == "" || v == corev1.DeprecatedAppArmorBetaProfileRuntimeDefault || strings.HasPrefix(v, corev1.DeprecatedAppArmorBetaProfileNamePrefix)) {
				add(fmt.Sprintf("metadata.annotations[%s]", k), v)
			}
		}
	case "seccompProfile_baseline", "seccompProfile_restricted":
		podOK := false
		if psc != nil && psc.SeccompProfile != nil {
			if validSeccomp(psc.SeccompProfile.Type) {
				podOK = true
			} else {
				add("spec.securityContext.seccompProfile.type", string(psc.SeccompProfile.Type))
			}
		}
		forEachContainer(spec, func(p string, c *corev1.Container) {
			switch {
			case c.SecurityContext != nil && c.SecurityContext.SeccompProfile != nil:
				if !validSeccomp(c.SecurityContext.SeccompProfile.Type) {
					add(p+".securityContext.seccompProfile.type", string(c.SecurityContext.SeccompProfile.Type))
				}
			case id == "seccompProfile_restricted" && !podOK:
				add(p+".securityContext.seccompProfile", `unset: set RuntimeDefault or Localhost on the pod or the container (SeccompRuntimeDefault())`)
			}
		})
		if id == "seccompProfile_baseline" {
			// upstream: check_seccompProfile_baseline.go seccompProfileBaseline_1_0 (policy < v1.19)
			for _, k := range sortedKeys(meta.Annotations) {
				v := meta.Annotations[k]
				if (k == "seccomp.security.alpha.kubernetes.io/pod" || strings.HasPrefix(k, "container.seccomp.security.alpha.kubernetes.io/")) &&
					!(v == corev1.SeccompProfileRuntimeDefault || v == corev1.DeprecatedSeccompProfileDockerDefault || strings.HasPrefix(v, corev1.SeccompLocalhostProfileNamePrefix)) {
					add(fmt.Sprintf("metadata.annotations[%s]", k), v)
				}
			}
		}
	case "seLinuxOptions":
		bad := func(o *corev1.SELinuxOptions) bool {
			alone := &corev1.PodSpec{SecurityContext: &corev1.PodSecurityContext{SELinuxOptions: o}}
			return !fn(&metav1.ObjectMeta{}, alone).Allowed
		}
		if psc != nil && psc.SELinuxOptions != nil && bad(psc.SELinuxOptions) {
			add("spec.securityContext.seLinuxOptions", psc.SELinuxOptions.Type)
		}
		forEachContainer(spec, func(p string, c *corev1.Container) {
			if c.SecurityContext != nil && c.SecurityContext.SELinuxOptions != nil && bad(c.SecurityContext.SELinuxOptions) {
				add(p+".securityContext.seLinuxOptions", c.SecurityContext.SELinuxOptions.Type)
			}
		})
	case "procMount", "procMount_restricted":
		forEachContainer(spec, func(p string, c *corev1.Container) {
			if c.SecurityContext != nil && c.SecurityContext.ProcMount != nil && *c.SecurityContext.ProcMount != corev1.DefaultProcMount {
				add(p+".securityContext.procMount", string(*c.SecurityContext.ProcMount))
			}
		})
	case "sysctls":
		if psc != nil {
			for i, s := range psc.Sysctls {
				alone := &corev1.PodSpec{SecurityContext: &corev1.PodSecurityContext{Sysctls: []corev1.Sysctl{s}}}
				if !fn(&metav1.ObjectMeta{}, alone).Allowed {
					add(fmt.Sprintf("spec.securityContext.sysctls[%d]", i), s.Name)
				}
			}
		}
	case "windowsHostProcess":
		if psc != nil && psc.WindowsOptions != nil && psc.WindowsOptions.HostProcess != nil && *psc.WindowsOptions.HostProcess {
			add("spec.securityContext.windowsOptions.hostProcess", "")
		}
		forEachContainer(spec, func(p string, c *corev1.Container) {
			if c.SecurityContext != nil && c.SecurityContext.WindowsOptions != nil && c.SecurityContext.WindowsOptions.HostProcess != nil && *c.SecurityContext.WindowsOptions.HostProcess {
				add(p+".securityContext.windowsOptions.hostProcess", "")
			}
		})
	case "hostProbesAndHostLifecycle":
		forEachContainer(spec, func(p string, c *corev1.Container) {
			for _, pr := range []struct {
				name  string
				probe *corev1.Probe
			}{{"livenessProbe", c.LivenessProbe}, {"readinessProbe", c.ReadinessProbe}, {"startupProbe", c.StartupProbe}} {
				if pr.probe == nil {
					continue
				}
				if pr.probe.HTTPGet != nil && pr.probe.HTTPGet.Host != "" {
					add(p+"."+pr.name+".httpGet.host", pr.probe.HTTPGet.Host)
				}
				if pr.probe.TCPSocket != nil && pr.probe.TCPSocket.Host != "" {
					add(p+"."+pr.name+".tcpSocket.host", pr.probe.TCPSocket.Host)
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
					add(p+".lifecycle."+h.name+".httpGet.host", h.h.HTTPGet.Host)
				}
				if h.h.TCPSocket != nil && h.h.TCPSocket.Host != "" {
					add(p+".lifecycle."+h.name+".tcpSocket.host", h.h.TCPSocket.Host)
				}
			}
		})
	case "allowPrivilegeEscalation":
		forEachContainer(spec, func(p string, c *corev1.Container) {
			if c.SecurityContext == nil || c.SecurityContext.AllowPrivilegeEscalation == nil {
				add(p+".securityContext.allowPrivilegeEscalation", "unset: must be false (NoPrivilegeEscalation())")
			} else if *c.SecurityContext.AllowPrivilegeEscalation {
				add(p+".securityContext.allowPrivilegeEscalation", "true: must be false (NoPrivilegeEscalation())")
			}
		})
	case "runAsNonRoot":
		podNonRoot := false
		if psc != nil && psc.RunAsNonRoot != nil {
			if *psc.RunAsNonRoot {
				podNonRoot = true
			} else {
				add("spec.securityContext.runAsNonRoot", "false: must be true")
			}
		}
		forEachContainer(spec, func(p string, c *corev1.Container) {
			switch {
			case c.SecurityContext != nil && c.SecurityContext.RunAsNonRoot != nil:
				if !*c.SecurityContext.RunAsNonRoot {
					add(p+".securityContext.runAsNonRoot", "false: must be true")
				}
			case !podNonRoot:
				add(p+".securityContext.runAsNonRoot", "unset: set true on the pod or the container (RunAsNonRoot())")
			}
		})
	case "runAsUser":
		if psc != nil && psc.RunAsUser != nil && *psc.RunAsUser == 0 {
			add("spec.securityContext.runAsUser", "0")
		}
		forEachContainer(spec, func(p string, c *corev1.Container) {
			if c.SecurityContext != nil && c.SecurityContext.RunAsUser != nil && *c.SecurityContext.RunAsUser == 0 {
				add(p+".securityContext.runAsUser", "0")
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
