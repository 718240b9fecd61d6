package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/e2e/harness"
	"github.com/daemonkit/daemonkit/simulate/live"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// live.Load reads the cluster through a kubeconfig and a named context:
// every node, pod and DaemonSet, sorted, with kinds set — and writes
// nothing (the resourceVersions of everything it read are unchanged).
func TestLiveLoadReadsTheClusterReadOnly(t *testing.T) {
	cs := client(t)
	ctx := testContext(t, 3*time.Minute)
	var nodes []*corev1.Node
	for i := range 3 {
		nodes = append(nodes, inGroup(harness.FakeNode(fmt.Sprintf("live-%d", i)), "live"))
	}
	createNodes(t, ctx, cs, nodes)
	const ns = "e2e-live"
	if err := harness.CreateNamespace(ctx, cs, ns); err != nil {
		t.Fatal(err)
	}
	ds := validAgent("live-agent")
	ds.Namespace = ns
	ds.Spec.Template.Annotations = harness.PodDelays(0, 0, 0)
	ds.Spec.Template.Spec.NodeSelector = map[string]string{groupLabel: "live"}
	if _, err := cs.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.AppsV1().DaemonSets(ns).Delete(ctx, ds.Name, metav1.DeleteOptions{}) })
	waitSettled(t, ctx, cs, ns, ds.Name, 2*time.Second)

	before, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cl, dss, err := live.Load(ctx, cluster.Kubeconfig, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	loaded := cl.Nodes()
	if len(loaded) != len(before.Items) {
		t.Errorf("Load: %d nodes, the API lists %d", len(loaded), len(before.Items))
	}
	for i := 1; i < len(loaded); i++ {
		if loaded[i-1].Name >= loaded[i].Name {
			t.Errorf("nodes not sorted: %s before %s", loaded[i-1].Name, loaded[i].Name)
		}
	}
	found := false
	for _, d := range dss {
		if d.Kind != "DaemonSet" || d.APIVersion != "apps/v1" {
			t.Errorf("%s/%s: kind %q apiVersion %q", d.Namespace, d.Name, d.Kind, d.APIVersion)
		}
		found = found || (d.Namespace == ns && d.Name == ds.Name)
	}
	if !found {
		t.Errorf("Load did not return DaemonSet %s/%s", ns, ds.Name)
	}
	mine := 0
	for _, p := range cl.Pods() {
		if p.Namespace == ns {
			mine++
		}
	}
	if mine != len(nodes) {
		t.Errorf("Load: %d pods in %s, want %d (one per live node)", mine, ns, len(nodes))
	}
	// Read-only: nothing Load read has changed since (beyond what KWOK's
	// heartbeats touch: node status, which we exclude by comparing specs).
	after, err := cs.AppsV1().DaemonSets(ns).Get(ctx, ds.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dss {
		if d.Namespace == ns && d.Name == ds.Name && d.ResourceVersion != after.ResourceVersion {
			t.Errorf("DaemonSet resourceVersion changed from %s to %s around Load", d.ResourceVersion, after.ResourceVersion)
		}
	}

	// An unknown context is an error naming it; nothing is contacted.
	if _, _, err := live.Load(ctx, cluster.Kubeconfig, "no-such-context"); err == nil || !strings.Contains(err.Error(), "no-such-context") {
		t.Errorf("Load with an unknown context: %v; want an error naming it", err)
	}
}

// live.Applier server-side-applies as field manager "daemonkit": a dry run
// stores nothing, a real apply records the manager, and a conflicting
// change by another manager is refused unless forced.
func TestLiveApplyUsesServerSideApply(t *testing.T) {
	cs := client(t)
	ctx := testContext(t, 2*time.Minute)
	const ns = "e2e-apply"
	if err := harness.CreateNamespace(ctx, cs, ns); err != nil {
		t.Fatal(err)
	}
	ap, err := live.NewApplier(cluster.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	ds := validAgent("applied")
	ds.Namespace = ns
	ds.Spec.Template.Spec.NodeSelector = map[string]string{groupLabel: "none"}
	objs := []runtime.Object{ds}

	res, err := ap.Apply(ctx, objs, live.ApplyOptions{DryRun: true})
	if err != nil || res[0].Err != nil {
		t.Fatalf("dry run: %v %v", err, res[0].Err)
	}
	if _, err := cs.AppsV1().DaemonSets(ns).Get(ctx, ds.Name, metav1.GetOptions{}); err == nil {
		t.Fatal("a dry-run apply stored the DaemonSet")
	}
	res, err = ap.Apply(ctx, objs, live.ApplyOptions{})
	if err != nil || res[0].Err != nil {
		t.Fatalf("apply: %v %v", err, res[0].Err)
	}
	got, err := cs.AppsV1().DaemonSets(ns).Get(ctx, ds.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	managers := map[string]metav1.ManagedFieldsOperationType{}
	for _, m := range got.ManagedFields {
		managers[m.Manager] = m.Operation
	}
	if managers[live.FieldManager] != metav1.ManagedFieldsOperationApply {
		t.Errorf("managed fields %v; want %q with operation Apply", managers, live.FieldManager)
	}
	// Another manager takes the image; daemonkit's apply of its own image
	// now conflicts, unless forced.
	patch := fmt.Sprintf(`{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":%q,"namespace":%q},"spec":{"template":{"spec":{"containers":[{"name":"agent","image":"registry.k8s.io/pause:3.9"}]}}}}`, ds.Name, ns)
	force := true
	if _, err := cs.AppsV1().DaemonSets(ns).Patch(ctx, ds.Name, "application/apply-patch+yaml", []byte(patch),
		metav1.PatchOptions{FieldManager: "someone-else", Force: &force}); err != nil {
		t.Fatal(err)
	}
	res, err = ap.Apply(ctx, objs, live.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "conflict") {
		t.Errorf("apply over another manager's field: %v; want a conflict", res[0].Err)
	}
	res, err = ap.Apply(ctx, objs, live.ApplyOptions{Force: true})
	if err != nil || res[0].Err != nil {
		t.Fatalf("forced apply: %v %v", err, res[0].Err)
	}
	got, _ = cs.AppsV1().DaemonSets(ns).Get(ctx, ds.Name, metav1.GetOptions{})
	if img := got.Spec.Template.Spec.Containers[0].Image; img != ds.Spec.Template.Spec.Containers[0].Image {
		t.Errorf("after a forced apply the image is %q", img)
	}
	_ = cs.AppsV1().DaemonSets(ns).Delete(ctx, ds.Name, metav1.DeleteOptions{})
}
