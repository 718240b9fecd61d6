package builder

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

// ReadOnlyRootFilesystem makes the container's root filesystem read-only.
func ReadOnlyRootFilesystem() ContainerOption {
	return securityOption(func(sc *corev1.SecurityContext) { sc.ReadOnlyRootFilesystem = ptr.To(true) })
}

// RunAsNonRoot makes the kubelet refuse to start the container as UID 0.
func RunAsNonRoot() ContainerOption {
	return securityOption(func(sc *corev1.SecurityContext) { sc.RunAsNonRoot = ptr.To(true) })
}

// RunAsUser sets the UID the container runs as.
func RunAsUser(uid int64) ContainerOption {
	return securityOption(func(sc *corev1.SecurityContext) { sc.RunAsUser = ptr.To(uid) })
}

// RunAsGroup sets the primary GID the container runs as.
func RunAsGroup(gid int64) ContainerOption {
	return securityOption(func(sc *corev1.SecurityContext) { sc.RunAsGroup = ptr.To(gid) })
}

// NoPrivilegeEscalation sets allowPrivilegeEscalation to false.
func NoPrivilegeEscalation() ContainerOption {
	return securityOption(func(sc *corev1.SecurityContext) { sc.AllowPrivilegeEscalation = ptr.To(false) })
}

// SeccompRuntimeDefault sets the container's seccomp profile to the
// container runtime's default.
func SeccompRuntimeDefault() ContainerOption {
	return securityOption(func(sc *corev1.SecurityContext) {
		sc.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
	})
}

// DropAllCapabilities drops every Linux capability ("ALL"); capabilities
// added with AddCapability are still granted.
func DropAllCapabilities() ContainerOption {
	return DropCapability("ALL")
}

// DropCapability drops Linux capabilities.
func DropCapability(caps ...corev1.Capability) ContainerOption {
	caps = slices.Clone(caps)
	return securityOption(func(sc *corev1.SecurityContext) {
		if sc.Capabilities == nil {
			sc.Capabilities = &corev1.Capabilities{}
		}
		for _, c := range caps {
			if !slices.Contains(sc.Capabilities.Drop, c) {
				sc.Capabilities.Drop = append(sc.Capabilities.Drop, c)
			}
		}
	})
}

// AddCapability grants a Linux capability (such as "NET_ADMIN"), which is a
// privilege: reason says why the agent needs it, and Build records it in
// PrivilegesAnnotation. An empty reason is a Build error.
func AddCapability(capability corev1.Capability, reason string) ContainerOption {
	return containerOptionFunc(func(x *containerCtx) {
		sc := ensureSecurityContext(x.c)
		if sc.Capabilities == nil {
			sc.Capabilities = &corev1.Capabilities{}
		}
		if !slices.Contains(sc.Capabilities.Add, capability) {
			sc.Capabilities.Add = append(sc.Capabilities.Add, capability)
		}
		x.b.justify(privilegeKey{kind: PrivilegeCapability, container: x.c.Name, capability: capability}, reason)
	})
}

// RemoveCapability takes back capabilities granted with AddCapability.
func RemoveCapability(caps ...corev1.Capability) ContainerOption {
	caps = slices.Clone(caps)
	return containerOptionFunc(func(x *containerCtx) {
		sc := x.c.SecurityContext
		if sc != nil && sc.Capabilities != nil {
			sc.Capabilities = sc.Capabilities.DeepCopy()
			sc.Capabilities.Add = slices.DeleteFunc(sc.Capabilities.Add, func(c corev1.Capability) bool { return slices.Contains(caps, c) })
		}
		for _, c := range caps {
			delete(x.b.reasons, privilegeKey{kind: PrivilegeCapability, container: x.c.Name, capability: c})
		}
	})
}

// Privileged runs the container privileged (all capabilities, all devices,
// no confinement). reason says why, and Build records it in
// PrivilegesAnnotation; an empty reason is a Build error.
func Privileged(reason string) ContainerOption {
	return containerOptionFunc(func(x *containerCtx) {
		ensureSecurityContext(x.c).Privileged = ptr.To(true)
		x.b.justify(privilegeKey{kind: PrivilegePrivileged, container: x.c.Name}, reason)
	})
}

// Unprivileged clears a Privileged setting (and its reason).
func Unprivileged() ContainerOption {
	return containerOptionFunc(func(x *containerCtx) {
		if x.c.SecurityContext != nil {
			ensureSecurityContext(x.c).Privileged = nil
		}
		delete(x.b.reasons, privilegeKey{kind: PrivilegePrivileged, container: x.c.Name})
	})
}

func securityOption(fn func(sc *corev1.SecurityContext)) ContainerOption {
	return containerOptionFunc(func(x *containerCtx) { fn(ensureSecurityContext(x.c)) })
}

// ensureSecurityContext gives the container a security context of its own
// (copied, in case a ContainerFunc shared one between containers).
func ensureSecurityContext(c *corev1.Container) *corev1.SecurityContext {
	if c.SecurityContext == nil {
		c.SecurityContext = &corev1.SecurityContext{}
	} else {
		c.SecurityContext = c.SecurityContext.DeepCopy()
	}
	return c.SecurityContext
}
