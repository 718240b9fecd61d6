package builder

import (
	"cmp"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Requests sets the container's cpu and memory requests from quantity
// strings such as "100m" and "128Mi". An empty string leaves that resource
// without a request (removing an earlier one). Build reports strings that do
// not parse, at their field path.
func Requests(cpu, memory string) ContainerOption {
	return containerOptionFunc(func(x *containerCtx) {
		setQuantity(x, false, corev1.ResourceCPU, cpu)
		setQuantity(x, false, corev1.ResourceMemory, memory)
	})
}

// Limits sets the container's cpu and memory limits, like Requests.
func Limits(cpu, memory string) ContainerOption {
	return containerOptionFunc(func(x *containerCtx) {
		setQuantity(x, true, corev1.ResourceCPU, cpu)
		setQuantity(x, true, corev1.ResourceMemory, memory)
	})
}

// Request sets the request of any resource (for example "ephemeral-storage"
// or "nvidia.com/gpu"); an empty quantity removes it.
func Request(name corev1.ResourceName, quantity string) ContainerOption {
	return containerOptionFunc(func(x *containerCtx) { setQuantity(x, false, name, quantity) })
}

// Limit sets the limit of any resource; an empty quantity removes it.
func Limit(name corev1.ResourceName, quantity string) ContainerOption {
	return containerOptionFunc(func(x *containerCtx) { setQuantity(x, true, name, quantity) })
}

// ClearResources removes every request and limit of the container.
func ClearResources() ContainerOption {
	return containerOptionFunc(func(x *containerCtx) {
		x.c.Resources.Requests = nil
		x.c.Resources.Limits = nil
		for k := range x.b.quantities {
			if k.container == x.c.Name {
				delete(x.b.quantities, k)
			}
		}
	})
}

func setQuantity(x *containerCtx, limit bool, name corev1.ResourceName, q string) {
	k := quantityKey{container: x.c.Name, limit: limit, resource: name}
	list := &x.c.Resources.Requests
	if limit {
		list = &x.c.Resources.Limits
	}
	if *list != nil {
		*list = (*list).DeepCopy()
		delete(*list, name)
		if len(*list) == 0 {
			*list = nil
		}
	}
	if q == "" {
		delete(x.b.quantities, k)
		return
	}
	if x.b.quantities == nil {
		x.b.quantities = map[quantityKey]string{}
	}
	x.b.quantities[k] = q
}

// applyQuantities parses the resource strings into the built object.
func (b *DaemonSet) applyQuantities(out *appsv1.DaemonSet) field.ErrorList {
	keys := make([]quantityKey, 0, len(b.quantities))
	for k := range b.quantities {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, c quantityKey) int {
		if r := cmp.Compare(a.container, c.container); r != 0 {
			return r
		}
		if a.limit != c.limit {
			if a.limit {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.resource, c.resource)
	})
	var errs field.ErrorList
	spec := &out.Spec.Template.Spec
	for _, k := range keys {
		c, path := containerByName(spec, k.container)
		if c == nil {
			continue
		}
		list, child := &c.Resources.Requests, "requests"
		if k.limit {
			list, child = &c.Resources.Limits, "limits"
		}
		s := b.quantities[k]
		q, err := resource.ParseQuantity(s)
		if err != nil {
			errs = append(errs, field.Invalid(path.Child("resources", child).Key(string(k.resource)), s, err.Error()))
			continue
		}
		if *list == nil {
			*list = corev1.ResourceList{}
		}
		(*list)[k.resource] = q
	}
	return errs
}

// containerByName returns the container named name in spec and its path.
func containerByName(spec *corev1.PodSpec, name string) (*corev1.Container, *field.Path) {
	for i := range spec.Containers {
		if spec.Containers[i].Name == name {
			return &spec.Containers[i], containersPath.Index(i)
		}
	}
	for i := range spec.InitContainers {
		if spec.InitContainers[i].Name == name {
			return &spec.InitContainers[i], initContainersPath.Index(i)
		}
	}
	return nil, nil
}
