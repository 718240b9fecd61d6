package presets

import (
	"fmt"

	"github.com/daemonkit/daemonkit/builder"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// TolerateAllReasonAnnotation, on the pod template, says why the agent
// tolerates every taint (NoExecute included). The builder records reasons
// for privileges only (builder.PrivilegesAnnotation); tolerating everything is
// not a privilege but keeps pods on nodes being drained, so presets and users
// state it here and lint check DK110 accepts it.
const TolerateAllReasonAnnotation = "daemonkit.io/tolerate-all-reason"

// reasons are the reasons recorded on a pod template, by the field path of
// the privilege each justifies.
type reasons map[string]string

// at returns the reason recorded for the field at path, or "".
func (r reasons) at(path *field.Path) string { return r[path.String()] }

func (r reasons) set(path *field.Path, reason string) { r[path.String()] = reason }

// recordedReasons returns the reasons recorded on tmpl; spec is the path of
// tmpl.Spec, which roots the fields. The tolerate-all reason is recorded at
// spec.tolerations. An unreadable builder.PrivilegesAnnotation counts as no
// reasons: lint then reports the privileges as unjustified, which is the
// safe reading.
func recordedReasons(tmpl *corev1.PodTemplateSpec, spec *field.Path) reasons {
	out := reasons{}
	if r := tmpl.Annotations[TolerateAllReasonAnnotation]; r != "" {
		out.set(spec.Child("tolerations"), r)
	}
	privs, err := builder.ParsePrivileges(tmpl.Annotations)
	if err != nil {
		return out
	}
	podSpec := &tmpl.Spec
	for _, p := range privs {
		switch p.Kind {
		case builder.PrivilegeHostNetwork, builder.PrivilegeHostPID, builder.PrivilegeHostIPC:
			out.set(spec.Child(string(p.Kind)), p.Reason)
		case builder.PrivilegePrivileged:
			if at, _ := containerByName(podSpec, spec, p.Container); at != nil {
				out.set(at.Child("securityContext", "privileged"), p.Reason)
			}
		case builder.PrivilegeCapability:
			at, c := containerByName(podSpec, spec, p.Container)
			if c == nil || c.SecurityContext == nil || c.SecurityContext.Capabilities == nil {
				continue
			}
			for k, cp := range c.SecurityContext.Capabilities.Add {
				if cp == p.Capability {
					out.set(at.Child("securityContext", "capabilities", "add").Index(k), p.Reason)
				}
			}
		case builder.PrivilegeWritableHostPath:
			at, c := containerByName(podSpec, spec, p.Container)
			if c == nil {
				continue
			}
			for k, m := range c.VolumeMounts {
				if m.Name == p.Volume && !m.ReadOnly {
					out.set(at.Child("volumeMounts").Index(k), p.Reason)
				}
			}
			// The volume itself (a Pod Security hostPathVolumes cause) takes
			// the reason of its first writable mount.
			for j, v := range podSpec.Volumes {
				if v.Name != p.Volume || v.HostPath == nil {
					continue
				}
				if vp := spec.Child("volumes").Index(j).Child("hostPath"); out.at(vp) == "" {
					out.set(vp, p.Reason)
				}
			}
		}
	}
	return out
}

// containerByName finds an init or regular container of podSpec, whose path
// is spec, and returns the container's path.
func containerByName(podSpec *corev1.PodSpec, spec *field.Path, name string) (*field.Path, *corev1.Container) {
	for i := range podSpec.InitContainers {
		if podSpec.InitContainers[i].Name == name {
			return spec.Child("initContainers").Index(i), &podSpec.InitContainers[i]
		}
	}
	for i := range podSpec.Containers {
		if podSpec.Containers[i].Name == name {
			return spec.Child("containers").Index(i), &podSpec.Containers[i]
		}
	}
	return nil, nil
}

// The builder calls that put a field into the pod spec, for Cause.Call.

// containerCall names a builder call made inside the options of the builder
// constructor that adds container c: "Privileged(reason) in Container("agent", …)".
// ctor is "Container" or "InitContainer", or "" for a container the builder
// does not make (an ephemeral container), which has no call.
func containerCall(call, ctor string, c *corev1.Container) string {
	if ctor == "" {
		return ""
	}
	return fmt.Sprintf("%s in %s(%q, …)", call, ctor, c.Name)
}

// hostPathCall names the call that adds hostPath volume v.
func hostPathCall(v *corev1.Volume) string {
	return fmt.Sprintf("HostPath(%q, %q, …)", v.Name, v.HostPath.Path)
}

// hostPortCall names the call that declares port p with a hostPort.
func hostPortCall(p corev1.ContainerPort) string {
	if p.HostPort == p.ContainerPort {
		return fmt.Sprintf("HostPort(%q, %d)", p.Name, p.HostPort)
	}
	return fmt.Sprintf("Port(%q, %d, OnHostPort(%d))", p.Name, p.ContainerPort, p.HostPort)
}

// addCapabilityCall names the call that adds capability cp to container c.
func addCapabilityCall(cp corev1.Capability, ctor string, c *corev1.Container) string {
	return containerCall(fmt.Sprintf("AddCapability(%q, reason)", cp), ctor, c)
}
