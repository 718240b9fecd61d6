package presets

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/daemonkit/daemonkit/builder"
	corev1 "k8s.io/api/core/v1"
)

// TolerateAllReasonAnnotation, on the pod template, says why the agent
// tolerates every taint (NoExecute included). The builder records reasons
// for privileges only (builder.PrivilegesAnnotation); tolerating everything is
// not a privilege but keeps pods on nodes being drained, so presets and users
// state it here and lint check DK110 accepts it.
const TolerateAllReasonAnnotation = "daemonkit.io/tolerate-all-reason"

// recordedReasons returns the reasons recorded on the template, keyed by the
// field path (relative to the template) of the privilege they justify. An
// unreadable builder.PrivilegesAnnotation counts as no reasons: lint then
// reports the privileges as unjustified, which is the safe reading.
func recordedReasons(tmpl *corev1.PodTemplateSpec) map[string]string {
	out := map[string]string{}
	if r := tmpl.Annotations[TolerateAllReasonAnnotation]; r != "" {
		out["spec.tolerations"] = r
	}
	privs, err := builder.ParsePrivileges(tmpl.Annotations)
	if err != nil {
		return out
	}
	spec := &tmpl.Spec
	for _, p := range privs {
		switch p.Privilege {
		case builder.PrivilegeHostNetwork, builder.PrivilegeHostPID, builder.PrivilegeHostIPC:
			out["spec."+string(p.Privilege)] = p.Reason
		case builder.PrivilegePrivileged:
			if pre, _ := containerByName(spec, p.Container); pre != "" {
				out[pre+".securityContext.privileged"] = p.Reason
			}
		case builder.PrivilegeCapability:
			pre, c := containerByName(spec, p.Container)
			if c == nil || c.SecurityContext == nil || c.SecurityContext.Capabilities == nil {
				continue
			}
			for k, cp := range c.SecurityContext.Capabilities.Add {
				if cp == p.Capability {
					out[fmt.Sprintf("%s.securityContext.capabilities.add[%d]", pre, k)] = p.Reason
				}
			}
		case builder.PrivilegeWritableHostPath:
			pre, c := containerByName(spec, p.Container)
			if c == nil {
				continue
			}
			for k, m := range c.VolumeMounts {
				if m.Name == p.Volume && !m.ReadOnly {
					out[fmt.Sprintf("%s.volumeMounts[%d]", pre, k)] = p.Reason
				}
			}
			// The volume itself (a Pod Security hostPathVolumes cause) takes
			// the reason of its first writable mount.
			for j, v := range spec.Volumes {
				key := fmt.Sprintf("spec.volumes[%d].hostPath", j)
				if v.Name == p.Volume && v.HostPath != nil && out[key] == "" {
					out[key] = p.Reason
				}
			}
		}
	}
	return out
}

// containerByName finds an init or regular container and its path prefix.
func containerByName(spec *corev1.PodSpec, name string) (string, *corev1.Container) {
	for i := range spec.InitContainers {
		if spec.InitContainers[i].Name == name {
			return fmt.Sprintf("spec.initContainers[%d]", i), &spec.InitContainers[i]
		}
	}
	for i := range spec.Containers {
		if spec.Containers[i].Name == name {
			return fmt.Sprintf("spec.containers[%d]", i), &spec.Containers[i]
		}
	}
	return "", nil
}

// reasonFor returns the reason recorded for the field at rel, if any.
func reasonFor(rel string, reasons map[string]string) string {
	if r, ok := reasons[rel]; ok {
		return r
	}
	if m := tolerationPath.FindStringSubmatch(rel); m != nil {
		return reasons["spec.tolerations"]
	}
	return ""
}

var (
	tolerationPath = regexp.MustCompile(`^spec\.tolerations\[\d+\]$`)
	containerPath  = regexp.MustCompile(`^spec\.(initContainers|containers|ephemeralContainers)\[(\d+)\]\.(.*)$`)
	volumePath     = regexp.MustCompile(`^spec\.volumes\[(\d+)\]\.hostPath$`)
	capAddPath     = regexp.MustCompile(`^securityContext\.capabilities\.add\[(\d+)\]$`)
	portPath       = regexp.MustCompile(`^ports\[(\d+)\]\.(hostPort|containerPort)$`)
)

// builderCall names the builder call that puts the field at rel into the pod
// spec, or "" when no dedicated builder method sets it (Edit or
// ContainerFunc did, or the field is a missing setting).
func builderCall(rel string, spec *corev1.PodSpec) string {
	switch rel {
	case "spec.hostNetwork":
		return "HostNetwork(reason)"
	case "spec.hostPID":
		return "HostPID(reason)"
	case "spec.hostIPC":
		return "HostIPC(reason)"
	}
	if m := volumePath.FindStringSubmatch(rel); m != nil {
		j, _ := strconv.Atoi(m[1])
		if j < len(spec.Volumes) && spec.Volumes[j].HostPath != nil {
			return fmt.Sprintf("HostPath(%q, %q, …)", spec.Volumes[j].Name, spec.Volumes[j].HostPath.Path)
		}
		return ""
	}
	m := containerPath.FindStringSubmatch(rel)
	if m == nil {
		return ""
	}
	i, _ := strconv.Atoi(m[2])
	var c *corev1.Container
	ctor := "Container"
	switch m[1] {
	case "initContainers":
		ctor = "InitContainer"
		if i < len(spec.InitContainers) {
			c = &spec.InitContainers[i]
		}
	case "containers":
		if i < len(spec.Containers) {
			c = &spec.Containers[i]
		}
	}
	if c == nil {
		return ""
	}
	in := fmt.Sprintf(" in %s(%q, …)", ctor, c.Name)
	sub := m[3]
	switch {
	case sub == "securityContext.privileged":
		return "Privileged(reason)" + in
	case capAddPath.MatchString(sub):
		k, _ := strconv.Atoi(capAddPath.FindStringSubmatch(sub)[1])
		if c.SecurityContext != nil && c.SecurityContext.Capabilities != nil && k < len(c.SecurityContext.Capabilities.Add) {
			return fmt.Sprintf("AddCapability(%q, reason)", c.SecurityContext.Capabilities.Add[k]) + in
		}
	case sub == "securityContext.runAsUser":
		return "RunAsUser(0)" + in
	case portPath.MatchString(sub):
		pm := portPath.FindStringSubmatch(sub)
		j, _ := strconv.Atoi(pm[1])
		if j >= len(c.Ports) {
			return ""
		}
		p := c.Ports[j]
		if pm[2] == "containerPort" {
			return fmt.Sprintf("Port(%q, %d)", p.Name, p.ContainerPort) + in + " with HostNetwork(reason)"
		}
		if p.HostPort == p.ContainerPort {
			return fmt.Sprintf("HostPort(%q, %d)", p.Name, p.HostPort) + in
		}
		return fmt.Sprintf("Port(%q, %d, OnHostPort(%d))", p.Name, p.ContainerPort, p.HostPort) + in
	}
	return ""
}
