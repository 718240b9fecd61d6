package live

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func node(name string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
}

func pod(ns, name, nodeName string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: corev1.PodSpec{NodeName: nodeName}}
}

func ds(ns, name string) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
}

// LoadFrom returns every node, pod and DaemonSet, sorted, with kinds set,
// and issues list requests only.
func TestLoadFromListsSortsAndOnlyReads(t *testing.T) {
	cs := fake.NewClientset(
		node("b"), node("a"), node("c"),
		pod("kube-system", "z", "a"), pod("default", "y", "b"), pod("default", "x", "zz"),
		ds("monitoring", "node-exporter"), ds("kube-system", "cilium"),
	)
	cl, dss, err := LoadFrom(context.Background(), cs)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range cl.Nodes() {
		names = append(names, n.Name+":"+n.Kind)
	}
	if got := strings.Join(names, " "); got != "a:Node b:Node c:Node" {
		t.Errorf("nodes %s", got)
	}
	var pods []string
	for _, p := range cl.Pods() {
		pods = append(pods, p.Namespace+"/"+p.Name+":"+p.Kind)
	}
	if got := strings.Join(pods, " "); got != "default/x:Pod default/y:Pod kube-system/z:Pod" {
		t.Errorf("pods %s", got)
	}
	var d []string
	for _, x := range dss {
		d = append(d, x.Namespace+"/"+x.Name+":"+x.APIVersion+"/"+x.Kind)
	}
	if got := strings.Join(d, " "); got != "kube-system/cilium:apps/v1/DaemonSet monitoring/node-exporter:apps/v1/DaemonSet" {
		t.Errorf("daemonsets %s", got)
	}
	if len(cl.PodsOn("a")) != 1 {
		t.Errorf("PodsOn(a) = %d pods, want 1", len(cl.PodsOn("a")))
	}
	for _, a := range cs.Actions() {
		if a.GetVerb() != "list" {
			t.Errorf("LoadFrom issued %s %s; it must only list", a.GetVerb(), a.GetResource().Resource)
		}
	}
}

// pagedNodes makes the fake server answer node lists in pages of one.
func pagedNodes(cs *fake.Clientset, total int, sameToken bool) {
	cs.PrependReactor("list", "nodes", func(a k8stesting.Action) (bool, runtime.Object, error) {
		opts := a.(k8stesting.ListActionImpl).ListOptions
		i := 0
		if opts.Continue != "" {
			i, _ = strconv.Atoi(opts.Continue)
		}
		l := &corev1.NodeList{Items: []corev1.Node{*node(fmt.Sprintf("n%03d", total-1-i))}}
		switch {
		case sameToken:
			l.Continue = "1"
		case i+1 < total:
			l.Continue = strconv.Itoa(i + 1)
		}
		return true, l, nil
	})
}

// Large clusters are read page by page, following continue tokens; a
// server repeating its token is an error, not an endless loop.
func TestLoadFromFollowsPages(t *testing.T) {
	cs := fake.NewClientset()
	pagedNodes(cs, 7, false)
	cl, _, err := LoadFrom(context.Background(), cs)
	if err != nil {
		t.Fatal(err)
	}
	if len(cl.Nodes()) != 7 || cl.Nodes()[0].Name != "n000" || cl.Nodes()[6].Name != "n006" {
		t.Errorf("got %d nodes, first %s", len(cl.Nodes()), cl.Nodes()[0].Name)
	}
	lists := 0
	for _, a := range cs.Actions() {
		if a.GetResource().Resource == "nodes" {
			lists++
			if lim := a.(k8stesting.ListActionImpl).ListOptions.Limit; lim != pageSize {
				t.Errorf("limit %d, want %d", lim, pageSize)
			}
		}
	}
	if lists != 7 {
		t.Errorf("%d node list calls, want 7", lists)
	}

	stuck := fake.NewClientset()
	pagedNodes(stuck, 3, true)
	if _, _, err := LoadFrom(context.Background(), stuck); !errors.Is(err, errNoProgress) {
		t.Errorf("repeated continue token: %v", err)
	}
}

// Errors say which list failed; duplicate objects (a broken server) are
// NewCluster's field-path errors.
func TestLoadFromErrors(t *testing.T) {
	cs := fake.NewClientset()
	cs.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.New("forbidden: User cannot list pods")
	})
	if _, _, err := LoadFrom(context.Background(), cs); err == nil || !strings.Contains(err.Error(), "listing pods: forbidden") {
		t.Errorf("got %v", err)
	}
	dup := fake.NewClientset()
	dup.PrependReactor("list", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, &corev1.NodeList{Items: []corev1.Node{*node("a"), *node("a")}}, nil
	})
	if _, _, err := LoadFrom(context.Background(), dup); err == nil || !strings.Contains(err.Error(), "nodes[1].metadata.name") {
		t.Errorf("got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := LoadFrom(ctx, fake.NewClientset()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

// Config resolves contexts like kubectl and names the file and context in
// its errors.
func TestConfigResolvesContexts(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kubeconfig")
	const kc = `apiVersion: v1
kind: Config
clusters:
- name: one
  cluster: {server: "https://127.0.0.1:6443"}
- name: two
  cluster: {server: "https://10.0.0.2:6443"}
users:
- name: u
  user: {token: abc}
contexts:
- name: one
  context: {cluster: one, user: u}
- name: two
  context: {cluster: two, user: u}
current-context: one
`
	if err := os.WriteFile(path, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ context, host string }{{"", "https://127.0.0.1:6443"}, {"two", "https://10.0.0.2:6443"}} {
		cfg, err := Config(path, tc.context)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Host != tc.host || cfg.BearerToken != "abc" || cfg.UserAgent != "daemonkit" {
			t.Errorf("context %q: host %s token %q agent %q", tc.context, cfg.Host, cfg.BearerToken, cfg.UserAgent)
		}
	}
	if _, err := Config(path, "three"); err == nil || !strings.Contains(err.Error(), `context "three"`) {
		t.Errorf("unknown context: %v", err)
	}
	if _, err := Config(filepath.Join(dir, "missing"), ""); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing file: %v", err)
	}
}

// FuzzConfig: any kubeconfig bytes give a config or an error, never a panic.
func FuzzConfig(f *testing.F) {
	f.Add([]byte("apiVersion: v1\nkind: Config\nclusters: []\n"), "")
	f.Add([]byte("current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: 'http://h'}\n"), "x")
	f.Add([]byte(":::"), "ctx")
	f.Fuzz(func(t *testing.T, data []byte, context string) {
		path := filepath.Join(t.TempDir(), "kubeconfig")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, _ = Config(path, context)
	})
}

func BenchmarkLoadFrom1000Nodes(b *testing.B) {
	var objs []runtime.Object
	for i := range 1000 {
		objs = append(objs, node(fmt.Sprintf("node-%04d", i)), pod("default", fmt.Sprintf("p-%04d", i), fmt.Sprintf("node-%04d", i)))
	}
	cs := fake.NewClientset(objs...)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := LoadFrom(ctx, cs); err != nil {
			b.Fatal(err)
		}
	}
}
