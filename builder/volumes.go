package builder

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// MountOption refines a volume mount and, for the helpers that add the volume
// too (HostPath, ConfigMapVolume, SecretVolume, EmptyDirVolume,
// ProjectedVolume), the volume. An option that does not apply to the volume
// kind (HostPathType on a ConfigMap volume, say) is a Build error.
type MountOption interface {
	applyMount(m *mountCtx)
}

type mountOptionFunc func(m *mountCtx)

func (f mountOptionFunc) applyMount(m *mountCtx) { f(m) }

// mountCtx is what a MountOption sees. v is nil for Mount (the volume is
// defined elsewhere).
type mountCtx struct {
	x *containerCtx
	v *corev1.Volume
	m *corev1.VolumeMount
}

// fail records a misapplied option against the mount; Build reports it at
// the mount's index, and drops it when the mount is removed or replaced.
func (m *mountCtx) fail(value any, detail string) {
	m.x.b.pending = append(m.x.b.pending, pendingError{scope: scopeContainer, name: m.x.c.Name, onMount: true, mount: m.m.MountPath,
		typ: field.ErrorTypeInvalid, value: value, detail: detail})
}

func (m *mountCtx) reasonKey() privilegeKey {
	return privilegeKey{kind: PrivilegeWritableHostPath, container: m.x.c.Name, volume: m.m.Name}
}

func (m *mountCtx) failVolume(child string, value any, detail string) {
	m.x.b.pending = append(m.x.b.pending, pendingError{scope: scopeVolume, name: m.m.Name, path: child,
		typ: field.ErrorTypeInvalid, value: value, detail: detail})
}

// Volume adds a volume to the pod, replacing any volume of the same name
// (mounts of it stay). Use it for volume kinds without a helper; mount it
// with Mount.
func (b *DaemonSet) Volume(v corev1.Volume) *DaemonSet {
	if b == nil {
		return nil
	}
	b.putVolume(*v.DeepCopy())
	return b
}

// RemoveVolume removes the named volumes, every mount of them in every
// container, and the reasons recorded for those mounts.
func (b *DaemonSet) RemoveVolume(names ...string) *DaemonSet {
	if b == nil {
		return nil
	}
	spec := &b.obj.Spec.Template.Spec
	spec.Volumes = slices.DeleteFunc(spec.Volumes, func(v corev1.Volume) bool { return slices.Contains(names, v.Name) })
	unmount := func(cs []corev1.Container) {
		for i := range cs {
			cs[i].VolumeMounts = slices.DeleteFunc(cs[i].VolumeMounts, func(m corev1.VolumeMount) bool { return slices.Contains(names, m.Name) })
		}
	}
	unmount(spec.Containers)
	unmount(spec.InitContainers)
	for k := range b.reasons {
		if k.volume != "" && slices.Contains(names, k.volume) {
			delete(b.reasons, k)
		}
	}
	b.pending = slices.DeleteFunc(b.pending, func(p pendingError) bool { return p.scope == scopeVolume && slices.Contains(names, p.name) })
	return b
}

// HostPath adds the hostPath volume named volume (node directory or file
// hostPath) and mounts it at mountPath, read-only unless Writable(reason)
// says why the agent writes to the node. HostPathType checks the path's
// kind on the node.
func HostPath(volume, hostPath, mountPath string, opts ...MountOption) ContainerOption {
	return volumeMount(corev1.Volume{Name: volume, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: hostPath}}},
		mountPath, true, opts)
}

// ConfigMapVolume adds a volume with the keys of the ConfigMap configMap and
// mounts it read-only at mountPath.
func ConfigMapVolume(volume, configMap, mountPath string, opts ...MountOption) ContainerOption {
	return volumeMount(corev1.Volume{Name: volume, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: configMap}}}}, mountPath, true, opts)
}

// SecretVolume adds a volume with the keys of the Secret secret and mounts it
// read-only at mountPath.
func SecretVolume(volume, secret, mountPath string, opts ...MountOption) ContainerOption {
	return volumeMount(corev1.Volume{Name: volume, VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: secret}}},
		mountPath, true, opts)
}

// EmptyDirVolume adds a scratch directory that lives as long as the pod and
// mounts it writable at mountPath.
func EmptyDirVolume(volume, mountPath string, opts ...MountOption) ContainerOption {
	return volumeMount(corev1.Volume{Name: volume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		mountPath, false, opts)
}

// ProjectedVolume adds a volume that projects several sources (service
// account tokens, ConfigMaps, Secrets, downward API) into one directory and
// mounts it read-only at mountPath.
func ProjectedVolume(volume, mountPath string, sources []corev1.VolumeProjection, opts ...MountOption) ContainerOption {
	src := make([]corev1.VolumeProjection, len(sources))
	for i := range sources {
		sources[i].DeepCopyInto(&src[i])
	}
	return volumeMount(corev1.Volume{Name: volume, VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: src}}},
		mountPath, true, opts)
}

// Mount mounts the volume named volume (added by another container's helper
// or by DaemonSet.Volume) at mountPath, read-only unless Writable. Mounts are
// keyed by mountPath: mounting at an existing path replaces that mount.
func Mount(volume, mountPath string, opts ...MountOption) ContainerOption {
	return volumeMount(corev1.Volume{Name: volume}, mountPath, true, opts)
}

// RemoveMount removes the container's mounts at these paths.
func RemoveMount(mountPaths ...string) ContainerOption {
	mountPaths = slices.Clone(mountPaths)
	return containerOptionFunc(func(x *containerCtx) {
		x.c.VolumeMounts = slices.DeleteFunc(slices.Clone(x.c.VolumeMounts), func(m corev1.VolumeMount) bool {
			return slices.Contains(mountPaths, m.MountPath)
		})
	})
}

// ReadOnly mounts the volume read-only (the default for all but EmptyDirVolume).
func ReadOnly() MountOption {
	return mountOptionFunc(func(m *mountCtx) { m.m.ReadOnly = true })
}

// Writable mounts the volume read-write. On a hostPath volume this is a
// privilege (the agent can change the node), so reason must say why; Build
// records it in PrivilegesAnnotation, and an empty reason there is a Build
// error. For other volumes the reason is not needed. The reason covers every
// writable mount of that volume in the container; Writable("") withdraws it.
func Writable(reason string) MountOption {
	return mountOptionFunc(func(m *mountCtx) {
		m.m.ReadOnly = false
		m.x.b.justify(m.reasonKey(), reason)
	})
}

// SubPath mounts only this path inside the volume.
func SubPath(path string) MountOption {
	return mountOptionFunc(func(m *mountCtx) { m.m.SubPath = path })
}

// Propagation sets the mount propagation (HostToContainer lets the agent see
// mounts the node makes later; Bidirectional needs a privileged container).
func Propagation(mode corev1.MountPropagationMode) MountOption {
	return mountOptionFunc(func(m *mountCtx) { m.m.MountPropagation = &mode })
}

// HostPathType makes the kubelet check what the host path is (Directory,
// DirectoryOrCreate, File, Socket, ...) before starting the pod. HostPath only.
func HostPathType(t corev1.HostPathType) MountOption {
	return mountOptionFunc(func(m *mountCtx) {
		if m.v == nil || m.v.HostPath == nil {
			m.fail(string(t), "HostPathType applies only to HostPath volumes")
			return
		}
		m.v.HostPath.Type = &t
	})
}

// DefaultMode sets the file mode of the projected keys (ConfigMapVolume,
// SecretVolume, ProjectedVolume only), for example 0o400.
func DefaultMode(mode int32) MountOption {
	return mountOptionFunc(func(m *mountCtx) {
		switch {
		case m.v != nil && m.v.ConfigMap != nil:
			m.v.ConfigMap.DefaultMode = &mode
		case m.v != nil && m.v.Secret != nil:
			m.v.Secret.DefaultMode = &mode
		case m.v != nil && m.v.Projected != nil:
			m.v.Projected.DefaultMode = &mode
		default:
			m.fail(mode, "DefaultMode applies only to ConfigMap, Secret and projected volumes")
		}
	})
}

// Optional lets the pod start when the ConfigMap or Secret is missing
// (ConfigMapVolume, SecretVolume only).
func Optional() MountOption {
	return mountOptionFunc(func(m *mountCtx) {
		t := true
		switch {
		case m.v != nil && m.v.ConfigMap != nil:
			m.v.ConfigMap.Optional = &t
		case m.v != nil && m.v.Secret != nil:
			m.v.Secret.Optional = &t
		default:
			m.fail(true, "Optional applies only to ConfigMap and Secret volumes")
		}
	})
}

// Items projects only these keys, at these paths (ConfigMapVolume,
// SecretVolume only).
func Items(items ...corev1.KeyToPath) MountOption {
	items = slices.Clone(items)
	return mountOptionFunc(func(m *mountCtx) {
		list := make([]corev1.KeyToPath, len(items))
		for i := range items {
			items[i].DeepCopyInto(&list[i])
		}
		switch {
		case m.v != nil && m.v.ConfigMap != nil:
			m.v.ConfigMap.Items = list
		case m.v != nil && m.v.Secret != nil:
			m.v.Secret.Items = list
		default:
			m.fail(len(items), "Items applies only to ConfigMap and Secret volumes")
		}
	})
}

// SizeLimit caps an EmptyDirVolume at a quantity such as "1Gi"; Build
// reports a string that does not parse.
func SizeLimit(quantity string) MountOption {
	return mountOptionFunc(func(m *mountCtx) {
		if m.v == nil || m.v.EmptyDir == nil {
			m.fail(quantity, "SizeLimit applies only to EmptyDir volumes")
			return
		}
		q, err := resource.ParseQuantity(quantity)
		if err != nil {
			m.failVolume(".emptyDir.sizeLimit", quantity, err.Error())
			return
		}
		m.v.EmptyDir.SizeLimit = &q
	})
}

// InMemory backs an EmptyDirVolume with tmpfs (counted as the container's
// memory).
func InMemory() MountOption {
	return mountOptionFunc(func(m *mountCtx) {
		if m.v == nil || m.v.EmptyDir == nil {
			m.fail("Memory", "InMemory applies only to EmptyDir volumes")
			return
		}
		m.v.EmptyDir.Medium = corev1.StorageMediumMemory
	})
}

// volumeMount is the shared body of the helpers: it adds (or replaces) the
// volume when it has a source and mounts it at mountPath.
func volumeMount(v corev1.Volume, mountPath string, readOnly bool, opts []MountOption) ContainerOption {
	opts = slices.Clone(opts)
	return containerOptionFunc(func(x *containerCtx) {
		vol := *v.DeepCopy()
		mnt := corev1.VolumeMount{Name: v.Name, MountPath: mountPath, ReadOnly: readOnly}
		mounts := slices.Clone(x.c.VolumeMounts)
		i := slices.IndexFunc(mounts, func(m corev1.VolumeMount) bool { return m.MountPath == mountPath })
		if i < 0 {
			i = len(mounts)
			mounts = append(mounts, mnt)
		}
		hasSource := vol.VolumeSource != (corev1.VolumeSource{})
		if hasSource {
			// a replaced volume's problems belong to the old definition.
			x.b.pending = slices.DeleteFunc(x.b.pending, func(p pendingError) bool { return p.scope == scopeVolume && p.name == vol.Name })
		}
		// problems of an earlier mount at this path belong to it.
		x.b.pending = slices.DeleteFunc(x.b.pending, func(p pendingError) bool {
			return p.scope == scopeContainer && p.name == x.c.Name && p.onMount && p.mount == mountPath
		})
		m := &mountCtx{x: x, m: &mnt}
		if hasSource {
			m.v = &vol
		}
		for _, o := range opts {
			if o != nil {
				o.applyMount(m)
			}
		}
		mounts[i] = mnt
		x.c.VolumeMounts = mounts
		if hasSource {
			x.b.putVolume(vol)
		}
	})
}

func (b *DaemonSet) putVolume(v corev1.Volume) {
	spec := &b.obj.Spec.Template.Spec
	if i := volumeIndex(spec.Volumes, v.Name); i >= 0 {
		spec.Volumes[i] = v
		return
	}
	spec.Volumes = append(spec.Volumes, v)
}

func volumeIndex(vs []corev1.Volume, name string) int {
	return slices.IndexFunc(vs, func(v corev1.Volume) bool { return v.Name == name })
}
