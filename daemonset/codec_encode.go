package daemonset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// EncodeYAML writes objects as a multi-document YAML stream the way kubectl
// shows them: apiVersion and kind first (filled in from the Go type when the
// object's TypeMeta is empty), then the other fields in key order, without
// the noise of unset fields (`status: {}` or an all-zero status,
// `creationTimestamp: null`). Documents are separated by "---".
func EncodeYAML(objs ...runtime.Object) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteYAML(&b, objs...); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteYAML is EncodeYAML writing to w.
func WriteYAML(w io.Writer, objs ...runtime.Object) error {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{appsv1.AddToScheme, corev1.AddToScheme,
		rbacv1.AddToScheme, policyv1.AddToScheme, schedulingv1.AddToScheme} {
		if err := add(scheme); err != nil {
			return err
		}
	}
	for i, obj := range objs {
		if obj == nil {
			return fmt.Errorf("object %d is nil", i)
		}
		doc, err := encodeOne(scheme, obj)
		if err != nil {
			return fmt.Errorf("object %d (%T): %w", i, obj, err)
		}
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		if _, err := w.Write(doc); err != nil {
			return err
		}
	}
	return nil
}

func encodeOne(scheme *runtime.Scheme, obj runtime.Object) ([]byte, error) {
	j, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		return nil, err
	}
	apiVersion, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	if apiVersion == "" || kind == "" {
		gvks, _, err := scheme.ObjectKinds(obj)
		if err != nil || len(gvks) == 0 {
			return nil, fmt.Errorf("apiVersion and kind are not set and the type is unknown")
		}
		apiVersion, kind = gvks[0].GroupVersion().String(), gvks[0].Kind
	}
	delete(m, "apiVersion")
	delete(m, "kind")
	dropNoise(m)
	if st, ok := m["status"]; ok && allZero(st) {
		delete(m, "status")
	}
	var b bytes.Buffer
	head, err := yaml.Marshal(map[string]string{"apiVersion": apiVersion})
	if err != nil {
		return nil, err
	}
	b.Write(head)
	head, err = yaml.Marshal(map[string]string{"kind": kind})
	if err != nil {
		return nil, err
	}
	b.Write(head)
	if len(m) > 0 {
		rest, err := yaml.Marshal(m)
		if err != nil {
			return nil, err
		}
		b.Write(rest)
	}
	return b.Bytes(), nil
}

// dropNoise removes `creationTimestamp: null` from every metadata, the
// marshalled form of an unset metav1.Time.
func dropNoise(v any) {
	switch t := v.(type) {
	case map[string]any:
		if ct, ok := t["creationTimestamp"]; ok && ct == nil {
			delete(t, "creationTimestamp")
		}
		for _, x := range t {
			dropNoise(x)
		}
	case []any:
		for _, x := range t {
			dropNoise(x)
		}
	}
}

// allZero reports whether a decoded JSON value carries no information:
// null, false, 0, "", or maps and lists of such.
func allZero(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case bool:
		return !t
	case float64:
		return t == 0
	case string:
		return t == ""
	case map[string]any:
		for _, x := range t {
			if !allZero(x) {
				return false
			}
		}
		return true
	case []any:
		return len(t) == 0
	}
	return false
}
