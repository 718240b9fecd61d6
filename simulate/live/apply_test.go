package live

import (
	"context"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/scheme"
	k8stesting "k8s.io/client-go/testing"
)

func testMapper() meta.RESTMapper {
	m := meta.NewDefaultRESTMapper(nil)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, meta.RESTScopeRoot)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "ServiceAccount"}, meta.RESTScopeNamespace)
	m.Add(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "DaemonSet"}, meta.RESTScopeNamespace)
	return m
}

// Apply sends one server-side apply patch per object, as field manager
// "daemonkit", with kinds filled in from the scheme, status and empty
// creationTimestamp dropped, namespaced objects defaulted to "default" and
// cluster-scoped ones sent without a namespace; refusals are per object.
func TestApplySendsServerSideApplyPatches(t *testing.T) {
	dyn := dynamicfake.NewSimpleDynamicClient(scheme.Scheme)
	var patches []k8stesting.PatchActionImpl
	dyn.PrependReactor("patch", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		p := a.(k8stesting.PatchActionImpl)
		patches = append(patches, p)
		if p.GetResource().Resource == "serviceaccounts" {
			return true, nil, errRefused
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(p.GetPatch()); err != nil {
			return true, nil, err
		}
		return true, u, nil
	})
	ap := NewApplierFrom(dyn, testMapper())
	objs := []runtime.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "monitoring", Namespace: "ignored"}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "monitoring"}},
		&appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent"}, Status: appsv1.DaemonSetStatus{NumberReady: 3}},
	}
	res, err := ap.Apply(context.Background(), objs, ApplyOptions{Force: true, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 || len(patches) != 3 {
		t.Fatalf("%d results, %d patches", len(res), len(patches))
	}
	if res[0].Err != nil || res[2].Err != nil {
		t.Errorf("unexpected errors: %v, %v", res[0].Err, res[2].Err)
	}
	if res[1].Err == nil || !strings.Contains(res[1].Err.Error(), "objects[1] ServiceAccount monitoring/agent") {
		t.Errorf("refusal: %v", res[1].Err)
	}
	if res[0].Namespace != "" || patches[0].GetNamespace() != "" {
		t.Errorf("cluster-scoped Namespace sent with namespace %q", patches[0].GetNamespace())
	}
	if res[2].Namespace != "default" || patches[2].GetNamespace() != "default" {
		t.Errorf("DaemonSet without namespace went to %q", patches[2].GetNamespace())
	}
	for i, p := range patches {
		if p.GetPatchType() != "application/apply-patch+yaml" {
			t.Errorf("patch %d type %s", i, p.GetPatchType())
		}
		body := string(p.GetPatch())
		if strings.Contains(body, `"status"`) || strings.Contains(body, "creationTimestamp") {
			t.Errorf("patch %d carries status or creationTimestamp: %s", i, body)
		}
		if !strings.Contains(body, `"kind"`) {
			t.Errorf("patch %d has no kind: %s", i, body)
		}
	}
	if gvk := res[2].GroupVersionKind; gvk.Group != "apps" || gvk.Kind != "DaemonSet" {
		t.Errorf("kind from scheme: %v", gvk)
	}
}

var errRefused = errorString("admission webhook denied the request")

type errorString string

func (e errorString) Error() string { return string(e) }

// Objects Apply cannot send are refused one by one with the reason.
func TestApplyRefusesUnsendableObjects(t *testing.T) {
	ap := NewApplierFrom(dynamicfake.NewSimpleDynamicClient(scheme.Scheme), testMapper())
	unknown := &unstructured.Unstructured{}
	unknown.SetAPIVersion("example.com/v1")
	unknown.SetKind("Widget")
	unknown.SetName("w")
	noName := &appsv1.DaemonSet{}
	res, err := ap.Apply(context.Background(), []runtime.Object{nil, unknown, noName}, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wants := []string{"nil object", "does not serve example.com/v1, Kind=Widget", "metadata.name: Required value"}
	for i, w := range wants {
		if res[i].Err == nil || !strings.Contains(res[i].Err.Error(), w) {
			t.Errorf("objects[%d]: %v; want %q", i, res[i].Err, w)
		}
	}
}
