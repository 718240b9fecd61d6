package builder

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var (
	podSpecPath        = field.NewPath("spec", "template", "spec")
	containersPath     = podSpecPath.Child("containers")
	initContainersPath = podSpecPath.Child("initContainers")
	volumesPath        = podSpecPath.Child("volumes")
)

// ContainerOption configures one container; pass options to Container,
// InitContainer or UpdateContainer. Options are values: the same option may
// be used for several containers or builders. A nil option is ignored.
type ContainerOption interface {
	applyContainer(x *containerCtx)
}

// containerOptionFunc adapts a function to ContainerOption.
type containerOptionFunc func(x *containerCtx)

func (f containerOptionFunc) applyContainer(x *containerCtx) { f(x) }

// containerCtx is what an option sees: the container being configured and the
// builder, for pod-level parts (volumes) and side data (quantities, reasons).
type containerCtx struct {
	b *DaemonSet
	c *corev1.Container
}

// Container adds a container named name running image, configured by opts.
// If a container (or init container) of that name exists it is replaced as a
// whole, keeping its position when it was a regular container; everything
// recorded for the old one (resource strings, reasons, problems) is dropped.
func (b *DaemonSet) Container(name, image string, opts ...ContainerOption) *DaemonSet {
	return b.putContainer(false, name, image, opts)
}

// InitContainer adds an init container, with the same replace-by-name rule
// as Container. Init containers run in the order they were first added.
func (b *DaemonSet) InitContainer(name, image string, opts ...ContainerOption) *DaemonSet {
	return b.putContainer(true, name, image, opts)
}

func (b *DaemonSet) putContainer(init bool, name, image string, opts []ContainerOption) *DaemonSet {
	if b == nil {
		return nil
	}
	spec := &b.obj.Spec.Template.Spec
	target, other := &spec.Containers, &spec.InitContainers
	if init {
		target, other = other, target
	}
	b.forgetContainer(name)
	*other = slices.DeleteFunc(*other, func(c corev1.Container) bool { return c.Name == name })
	c := corev1.Container{Name: name, Image: image}
	b.applyContainer(&c, opts)
	if i := slices.IndexFunc(*target, func(c corev1.Container) bool { return c.Name == name }); i >= 0 {
		(*target)[i] = c
		// a list built with Edit may hold the name twice; keep the first.
		*target = append((*target)[:i+1], slices.DeleteFunc((*target)[i+1:], func(c corev1.Container) bool { return c.Name == name })...)
	} else {
		*target = append(*target, c)
	}
	return b
}

// UpdateContainer applies opts to the existing container or init container
// named name. Build reports an error if there is none at that time.
func (b *DaemonSet) UpdateContainer(name string, opts ...ContainerOption) *DaemonSet {
	if b == nil {
		return nil
	}
	c := b.findContainer(name)
	if c == nil {
		b.pending = append(b.pending, pendingError{path: containersPath.String(), typ: field.ErrorTypeNotFound, value: name,
			detail: "UpdateContainer: no container or init container has this name"})
		return b
	}
	b.applyContainer(c, opts)
	return b
}

// RemoveContainer removes the container or init container named name, with
// everything recorded for it. Removing a missing container does nothing.
// Volumes it mounted stay; remove them with RemoveVolume.
func (b *DaemonSet) RemoveContainer(name string) *DaemonSet {
	if b == nil {
		return nil
	}
	spec := &b.obj.Spec.Template.Spec
	match := func(c corev1.Container) bool { return c.Name == name }
	spec.Containers = slices.DeleteFunc(spec.Containers, match)
	spec.InitContainers = slices.DeleteFunc(spec.InitContainers, match)
	b.forgetContainer(name)
	return b
}

// ContainerNames lists the init containers, then the containers, in order.
func (b *DaemonSet) ContainerNames() []string {
	if b == nil {
		return nil
	}
	spec := &b.obj.Spec.Template.Spec
	names := make([]string, 0, len(spec.InitContainers)+len(spec.Containers))
	for _, c := range spec.InitContainers {
		names = append(names, c.Name)
	}
	for _, c := range spec.Containers {
		names = append(names, c.Name)
	}
	return names
}

func (b *DaemonSet) applyContainer(c *corev1.Container, opts []ContainerOption) {
	x := &containerCtx{b: b, c: c}
	for _, o := range opts {
		if o != nil {
			o.applyContainer(x)
		}
	}
}

// findContainer returns the container or init container named name, or nil.
func (b *DaemonSet) findContainer(name string) *corev1.Container {
	spec := &b.obj.Spec.Template.Spec
	for i := range spec.Containers {
		if spec.Containers[i].Name == name {
			return &spec.Containers[i]
		}
	}
	for i := range spec.InitContainers {
		if spec.InitContainers[i].Name == name {
			return &spec.InitContainers[i]
		}
	}
	return nil
}

// forgetContainer drops the side data recorded for the container name.
func (b *DaemonSet) forgetContainer(name string) {
	for k := range b.quantities {
		if k.container == name {
			delete(b.quantities, k)
		}
	}
	for k := range b.reasons {
		if k.container == name {
			delete(b.reasons, k)
		}
	}
	b.pending = slices.DeleteFunc(b.pending, func(p pendingError) bool { return p.scope == scopeContainer && p.name == name })
}

// Image sets the container image.
func Image(image string) ContainerOption {
	return containerOptionFunc(func(x *containerCtx) { x.c.Image = image })
}

// ImagePullPolicy sets the image pull policy.
func ImagePullPolicy(p corev1.PullPolicy) ContainerOption {
	return containerOptionFunc(func(x *containerCtx) { x.c.ImagePullPolicy = p })
}

// Command replaces the container's command (its entrypoint); no arguments
// clears it, so the image's entrypoint runs.
func Command(cmd ...string) ContainerOption {
	cmd = slices.Clone(cmd)
	return containerOptionFunc(func(x *containerCtx) { x.c.Command = slices.Clone(cmd) })
}

// Args replaces the container's arguments; no arguments clears them.
func Args(args ...string) ContainerOption {
	args = slices.Clone(args)
	return containerOptionFunc(func(x *containerCtx) { x.c.Args = slices.Clone(args) })
}

// AppendArgs appends to the container's arguments.
func AppendArgs(args ...string) ContainerOption {
	args = slices.Clone(args)
	return containerOptionFunc(func(x *containerCtx) { x.c.Args = append(slices.Clone(x.c.Args), args...) })
}

// RemoveArgs removes every argument equal to one of args.
func RemoveArgs(args ...string) ContainerOption {
	args = slices.Clone(args)
	return containerOptionFunc(func(x *containerCtx) {
		x.c.Args = slices.DeleteFunc(slices.Clone(x.c.Args), func(a string) bool { return slices.Contains(args, a) })
	})
}

// PreStop runs command in the container before it is stopped (the preStop
// lifecycle hook), for example to drain connections or leave a cluster.
// No command removes the hook.
func PreStop(command ...string) ContainerOption {
	command = slices.Clone(command)
	return containerOptionFunc(func(x *containerCtx) {
		if len(command) == 0 {
			if x.c.Lifecycle != nil {
				l := x.c.Lifecycle.DeepCopy()
				l.PreStop = nil
				if *l == (corev1.Lifecycle{}) {
					l = nil
				}
				x.c.Lifecycle = l
			}
			return
		}
		l := &corev1.Lifecycle{}
		if x.c.Lifecycle != nil {
			l = x.c.Lifecycle.DeepCopy()
		}
		l.PreStop = &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: slices.Clone(command)}}
		x.c.Lifecycle = l
	})
}

// WorkingDir sets the container's working directory.
func WorkingDir(dir string) ContainerOption {
	return containerOptionFunc(func(x *containerCtx) { x.c.WorkingDir = dir })
}

// ContainerFunc is the escape hatch for container fields without a dedicated
// option: fn changes the container in place when the option is applied. fn
// must not keep the pointer. Privileges set here still need a reason (see
// Justify). A nil fn is ignored.
func ContainerFunc(fn func(c *corev1.Container)) ContainerOption {
	return containerOptionFunc(func(x *containerCtx) {
		if fn != nil {
			fn(x.c)
		}
	})
}
