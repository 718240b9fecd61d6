package live

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// FieldManager is the server-side apply field manager daemonkit applies as.
const FieldManager = "daemonkit"

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// Force takes ownership of fields another manager set (kubectl's
	// --force-conflicts); without it such conflicts are errors.
	Force bool
	// DryRun asks the server to validate, default and admit the objects
	// without storing them (dryRun=All).
	DryRun bool
}

// Applied is the outcome for one object.
type Applied struct {
	// GroupVersionKind, Namespace and Name identify the object.
	GroupVersionKind schema.GroupVersionKind
	Namespace, Name  string
	// Object is the object as the server stored it (or would store it, on
	// a dry run), nil when Err is set.
	Object *unstructured.Unstructured
	// Err is the server's answer when it refused the object.
	Err error
}

// Applier applies objects to one cluster with server-side apply.
type Applier struct {
	dyn    dynamic.Interface
	mapper meta.RESTMapper
}

// NewApplier returns an Applier for the cluster cfg points to (see Config).
func NewApplier(cfg *rest.Config) (*Applier, error) {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("client for %s: %w", cfg.Host, err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("discovery client for %s: %w", cfg.Host, err)
	}
	return &Applier{dyn: dyn, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))}, nil
}

// NewApplierFrom returns an Applier over existing clients (fakes in tests).
func NewApplierFrom(dyn dynamic.Interface, mapper meta.RESTMapper) *Applier {
	return &Applier{dyn: dyn, mapper: mapper}
}

// Apply server-side-applies each object in order, as FieldManager, and
// returns one Applied per object. A refused object does not stop the others
// (a Namespace refused makes the objects in it fail on their own); the
// returned error is only for a context cancelled before the end. Objects may
// be typed API objects (their kind is taken from TypeMeta or, if empty, from
// client-go's scheme) or *unstructured.Unstructured. Apply never deletes.
func (a *Applier) Apply(ctx context.Context, objs []runtime.Object, opts ApplyOptions) ([]Applied, error) {
	out := make([]Applied, 0, len(objs))
	for i, obj := range objs {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		r := a.applyOne(ctx, obj, opts)
		if r.Err != nil {
			r.Err = fmt.Errorf("objects[%d] %s: %w", i, describe(r), r.Err)
		}
		out = append(out, r)
	}
	return out, nil
}

func describe(r Applied) string {
	s := r.GroupVersionKind.Kind
	if r.Namespace != "" {
		s += " " + r.Namespace + "/" + r.Name
	} else {
		s += " " + r.Name
	}
	return s
}

func (a *Applier) applyOne(ctx context.Context, obj runtime.Object, opts ApplyOptions) Applied {
	u, err := toUnstructured(obj)
	if err != nil {
		return Applied{Err: err}
	}
	gvk := u.GroupVersionKind()
	r := Applied{GroupVersionKind: gvk, Namespace: u.GetNamespace(), Name: u.GetName()}
	if r.Name == "" {
		r.Err = fmt.Errorf("metadata.name: Required value: server-side apply needs a name")
		return r
	}
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		r.Err = fmt.Errorf("the cluster does not serve %s: %w", gvk, err)
		return r
	}
	var ri dynamic.ResourceInterface = a.dyn.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		if r.Namespace == "" {
			r.Namespace = metav1.NamespaceDefault
			u.SetNamespace(r.Namespace)
		}
		ri = a.dyn.Resource(m.Resource).Namespace(r.Namespace)
	} else {
		u.SetNamespace("")
		r.Namespace = ""
	}
	ao := metav1.ApplyOptions{FieldManager: FieldManager, Force: opts.Force}
	if opts.DryRun {
		ao.DryRun = []string{metav1.DryRunAll}
	}
	r.Object, r.Err = ri.Apply(ctx, r.Name, u, ao)
	return r
}

// toUnstructured converts obj for apply: kind filled in, status and the
// empty creationTimestamp typed objects carry dropped (apply must not claim
// status fields; the server ignores them on the main resource anyway).
func toUnstructured(obj runtime.Object) (*unstructured.Unstructured, error) {
	if obj == nil {
		return nil, fmt.Errorf("nil object")
	}
	var u *unstructured.Unstructured
	if uo, ok := obj.(*unstructured.Unstructured); ok {
		u = uo.DeepCopy()
	} else {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return nil, fmt.Errorf("%T: %w", obj, err)
		}
		u = &unstructured.Unstructured{Object: m}
		if u.GetKind() == "" {
			gvks, _, err := scheme.Scheme.ObjectKinds(obj)
			if err != nil || len(gvks) == 0 {
				return nil, fmt.Errorf("%T: no apiVersion/kind and not a built-in type", obj)
			}
			u.SetGroupVersionKind(gvks[0])
		}
	}
	if u.GetKind() == "" || u.GetAPIVersion() == "" {
		return nil, fmt.Errorf("object %q has no apiVersion or kind", u.GetName())
	}
	delete(u.Object, "status")
	if md, ok := u.Object["metadata"].(map[string]any); ok {
		if ts, present := md["creationTimestamp"]; present && ts == nil {
			delete(md, "creationTimestamp")
		}
	}
	return u, nil
}
