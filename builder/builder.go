package builder

import (
	"fmt"
	"maps"
	"slices"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// NameLabel is the selector label New sets by default, with the DaemonSet's
// name as value (the recommended label, app.kubernetes.io/name).
const NameLabel = "app.kubernetes.io/name"

// DefaultNamespace is the namespace New sets; kubectl fills the same one when
// no namespace is given, and validation requires one.
const DefaultNamespace = "default"

// DaemonSet builds an *appsv1.DaemonSet. Create one with New; every method
// changes the builder and returns it, so calls chain. The zero value is not
// usable; a nil *DaemonSet is inert (methods return nil, Build reports an
// error) rather than panicking.
//
// A DaemonSet is not safe for concurrent use; Clone one per goroutine.
type DaemonSet struct {
	// obj holds everything set so far, as the user would apply it, except
	// what Build derives: selector labels copied into the template, resource
	// quantities parsed from strings, and the privileges annotation.
	obj appsv1.DaemonSet
	// quantities are resource strings per container, parsed at Build so a
	// parse error is reported with its field path (and disappears if the
	// container is removed or the quantity replaced).
	quantities map[quantityKey]string
	// reasons justify privileges; Build keeps those whose privilege is
	// present in the built object.
	reasons map[privilegeKey]string
	// pending are problems found while calling methods, reported by Build.
	pending []pendingError
}

// quantityKey names one resource quantity of one container.
type quantityKey struct {
	container string
	limit     bool
	resource  corev1.ResourceName
}

// scope says what a pendingError's path is relative to.
type scope uint8

const (
	scopeNone      scope = iota // path is absolute
	scopeContainer              // path is relative to the container named name
	scopeVolume                 // path is relative to the volume named name
)

// pendingError is a problem found during a call. A scoped path is resolved to
// the container's or volume's index at Build, and the error is dropped when
// that container or volume is removed or replaced.
type pendingError struct {
	scope scope
	name  string
	// onMount (scopeContainer only): the error concerns the container's
	// mount whose mountPath is mount (resolved to its index at Build).
	onMount bool
	mount   string
	path    string
	typ     field.ErrorType
	value   any
	detail  string
}

// New starts a DaemonSet named name in DefaultNamespace, whose selector (and
// pod template labels) is NameLabel=name. Nothing else is set: Build returns
// the object as a user would apply it, leaving server defaults to the server.
func New(name string) *DaemonSet {
	b := &DaemonSet{
		quantities: map[quantityKey]string{},
		reasons:    map[privilegeKey]string{},
	}
	b.obj.TypeMeta = metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"}
	b.obj.Name = name
	b.obj.Namespace = DefaultNamespace
	b.obj.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{NameLabel: name}}
	return b
}

// Clone returns an independent copy: changing either builder afterwards never
// affects the other, so one base can spawn variants.
func (b *DaemonSet) Clone() *DaemonSet {
	if b == nil {
		return nil
	}
	c := &DaemonSet{
		obj:        *b.obj.DeepCopy(),
		quantities: maps.Clone(b.quantities),
		reasons:    maps.Clone(b.reasons),
		pending:    append([]pendingError(nil), b.pending...),
	}
	if c.quantities == nil {
		c.quantities = map[quantityKey]string{}
	}
	if c.reasons == nil {
		c.reasons = map[privilegeKey]string{}
	}
	return c
}

// Build returns the DaemonSet, or an *Error listing every problem with its
// field path: the builder's own findings and daemonset.Validate's verdict on
// the result. The returned object shares no memory with the builder, and
// Build leaves the builder unchanged, so it can be called again (giving an
// equal object) or changed further.
//
// Build copies the selector's matchLabels into the template labels, parses
// the resource quantities given as strings, and records the reasons for the
// privileges present in the template as JSON in the PrivilegesAnnotation
// annotation of the pod template (removing it when there are none).
func (b *DaemonSet) Build() (*appsv1.DaemonSet, error) {
	if b == nil {
		return nil, &Error{Errs: field.ErrorList{field.InternalError(nil, fmt.Errorf("nil builder: use builder.New"))}}
	}
	out := b.obj.DeepCopy()
	var errs field.ErrorList
	errs = append(errs, b.applySelector(out)...)
	errs = append(errs, b.applyQuantities(out)...)
	errs = append(errs, checkImages(out)...)
	errs = append(errs, b.resolvePending(out)...)
	errs = append(errs, checkNodeSelectorTerms(&out.Spec.Template.Spec)...)
	errs = append(errs, b.applyPrivileges(out)...)
	errs = mergeValidation(errs, daemonset.Validate(out))
	if len(errs) > 0 {
		return nil, &Error{Name: b.obj.Name, Errs: errs}
	}
	return out, nil
}

// applySelector copies matchLabels into the template labels; a template label
// that disagrees with the selector is an error rather than silently replaced.
func (b *DaemonSet) applySelector(out *appsv1.DaemonSet) field.ErrorList {
	if out.Spec.Selector == nil || len(out.Spec.Selector.MatchLabels) == 0 {
		return nil
	}
	var errs field.ErrorList
	labelsPath := field.NewPath("spec", "template", "metadata", "labels")
	if out.Spec.Template.Labels == nil {
		out.Spec.Template.Labels = make(map[string]string, len(out.Spec.Selector.MatchLabels))
	}
	for _, k := range slices.Sorted(maps.Keys(out.Spec.Selector.MatchLabels)) {
		v := out.Spec.Selector.MatchLabels[k]
		if old, ok := out.Spec.Template.Labels[k]; ok && old != v {
			errs = append(errs, field.Invalid(labelsPath.Key(k), old,
				fmt.Sprintf("conflicts with selector label %s=%s; change selector labels with SelectorLabel", k, v)))
			continue
		}
		out.Spec.Template.Labels[k] = v
	}
	return errs
}

// checkImages reports containers without an image: the controller's pods
// would be rejected, and the API server accepts such templates silently.
func checkImages(out *appsv1.DaemonSet) field.ErrorList {
	var errs field.ErrorList
	spec := &out.Spec.Template.Spec
	for i := range spec.InitContainers {
		if spec.InitContainers[i].Image == "" {
			errs = append(errs, field.Required(initContainersPath.Index(i).Child("image"), "every container needs an image"))
		}
	}
	for i := range spec.Containers {
		if spec.Containers[i].Image == "" {
			errs = append(errs, field.Required(containersPath.Index(i).Child("image"), "every container needs an image"))
		}
	}
	return errs
}

// resolvePending turns the problems recorded during calls into field errors
// against the built object's indices.
func (b *DaemonSet) resolvePending(out *appsv1.DaemonSet) field.ErrorList {
	var errs field.ErrorList
	for _, p := range b.pending {
		path := p.path
		switch p.scope {
		case scopeContainer:
			c, cp := containerByName(&out.Spec.Template.Spec, p.name)
			if cp == nil {
				continue
			}
			if p.onMount {
				i := slices.IndexFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == p.mount })
				if i < 0 {
					continue
				}
				cp = cp.Child("volumeMounts").Index(i)
			}
			path = cp.String() + p.path
		case scopeVolume:
			i := volumeIndex(out.Spec.Template.Spec.Volumes, p.name)
			if i < 0 {
				continue
			}
			path = volumesPath.Index(i).String() + p.path
		}
		errs = append(errs, &field.Error{Type: p.typ, Field: path, BadValue: p.value, Detail: p.detail})
	}
	return errs
}

// Name returns metadata.name.
func (b *DaemonSet) Name() string {
	if b == nil {
		return ""
	}
	return b.obj.Name
}

// Namespace sets metadata.namespace.
func (b *DaemonSet) Namespace(namespace string) *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Namespace = namespace
	return b
}

// Label sets a label on the DaemonSet and on its pod template.
func (b *DaemonSet) Label(key, value string) *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Labels = setKey(b.obj.Labels, key, value)
	b.obj.Spec.Template.Labels = setKey(b.obj.Spec.Template.Labels, key, value)
	return b
}

// RemoveLabel removes a label set by Label (from the DaemonSet and its pod
// template). Selector labels are not affected; see RemoveSelectorLabel.
func (b *DaemonSet) RemoveLabel(key string) *DaemonSet {
	if b == nil {
		return nil
	}
	delete(b.obj.Labels, key)
	delete(b.obj.Spec.Template.Labels, key)
	return b
}

// SelectorLabel sets a selector matchLabels entry; Build copies every selector
// label into the pod template labels, so the two never drift apart. Changing
// the selector of an existing DaemonSet is rejected by the API server.
func (b *DaemonSet) SelectorLabel(key, value string) *DaemonSet {
	if b == nil {
		return nil
	}
	if b.obj.Spec.Selector == nil {
		b.obj.Spec.Selector = &metav1.LabelSelector{}
	}
	b.obj.Spec.Selector.MatchLabels = setKey(b.obj.Spec.Selector.MatchLabels, key, value)
	return b
}

// RemoveSelectorLabel removes a selector matchLabels entry (such as the
// default NameLabel). A DaemonSet needs at least one selector requirement.
func (b *DaemonSet) RemoveSelectorLabel(key string) *DaemonSet {
	if b == nil {
		return nil
	}
	if b.obj.Spec.Selector != nil {
		delete(b.obj.Spec.Selector.MatchLabels, key)
	}
	return b
}

// PodLabel sets a label on the pod template only. It may not contradict a
// selector label (Build reports the conflict).
func (b *DaemonSet) PodLabel(key, value string) *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Spec.Template.Labels = setKey(b.obj.Spec.Template.Labels, key, value)
	return b
}

// RemovePodLabel removes a pod template label (selector labels are copied in
// again by Build).
func (b *DaemonSet) RemovePodLabel(key string) *DaemonSet {
	if b == nil {
		return nil
	}
	delete(b.obj.Spec.Template.Labels, key)
	return b
}

// Annotation sets an annotation on the DaemonSet object.
func (b *DaemonSet) Annotation(key, value string) *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Annotations = setKey(b.obj.Annotations, key, value)
	return b
}

// RemoveAnnotation removes an annotation from the DaemonSet object.
func (b *DaemonSet) RemoveAnnotation(key string) *DaemonSet {
	if b == nil {
		return nil
	}
	delete(b.obj.Annotations, key)
	return b
}

// PodAnnotation sets an annotation on the pod template. The key
// PrivilegesAnnotation belongs to Build, which overwrites it.
func (b *DaemonSet) PodAnnotation(key, value string) *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Spec.Template.Annotations = setKey(b.obj.Spec.Template.Annotations, key, value)
	return b
}

// RemovePodAnnotation removes an annotation from the pod template.
func (b *DaemonSet) RemovePodAnnotation(key string) *DaemonSet {
	if b == nil {
		return nil
	}
	delete(b.obj.Spec.Template.Annotations, key)
	return b
}

// Edit is the escape hatch for any field without a dedicated method: fn gets
// the builder's object (containers, volumes and selector included) and may
// change it in place at once. fn must not keep the pointer. Privileges set
// here still need a reason (see Justify); resource strings given with
// Requests/Limits are still applied at Build; renaming a container drops the
// resource strings and reasons recorded under its old name. A nil fn is
// ignored.
func (b *DaemonSet) Edit(fn func(ds *appsv1.DaemonSet)) *DaemonSet {
	if b == nil {
		return nil
	}
	if fn != nil {
		fn(&b.obj)
	}
	return b
}

func setKey(m map[string]string, key, value string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[key] = value
	return m
}
