package daemonset_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daemonkit/daemonkit/daemonset"
)

func TestPositionFlannel(t *testing.T) {
	objs, err := daemonset.DecodeFile(filepath.Join("..", "internal", "testdata", "manifests", "kube-flannel.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ds := objs.DaemonSets[0]
	for _, tc := range []struct {
		path      string
		line, col int
	}{
		{"spec.template.spec.hostNetwork", 163, 7},
		{"spec.template.spec.containers[0].securityContext.capabilities.add[1]", 201, 32},
		{"spec.template.spec.containers[0].volumeMounts[0]", 212, 11},
		// absent: readOnly is not set, so the mount it belongs to.
		{"spec.template.spec.containers[0].volumeMounts[0].readOnly", 212, 11},
		{"spec.template.spec.containers[0].readinessProbe", 184, 9},
		{"spec.template.spec.volumes[1].hostPath.path", 222, 11},
		{"metadata.annotations[ignore-check.lint.daemonkit.io/DK105]", 138, 1},
	} {
		line, col := objs.Position(ds, tc.path)
		if line != tc.line || col != tc.col {
			t.Errorf("Position(%s) = %d:%d, want %d:%d", tc.path, line, col, tc.line, tc.col)
		}
	}
	if l, c := objs.Position(nil, "spec"); l != 0 || c != 0 {
		t.Errorf("Position of an unknown DaemonSet = %d:%d, want 0:0", l, c)
	}
}

// A DaemonSet inside a List (kubectl get ds -o yaml) keeps positions too,
// whichever way the List items were decoded.
func TestPositionListItems(t *testing.T) {
	const list = `apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: a, namespace: ns}
  spec:
    selector: {matchLabels: {app: a}}
    template:
      metadata: {labels: {app: a}}
      spec:
        containers:
        - name: c
          image: busybox:1.36
- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: b, namespace: ns}
  spec:
    selector: {matchLabels: {app: b}}
    template:
      metadata: {labels: {app: b}}
      spec:
        containers:
        - name: c
          image: busybox:1.36
`
	objs, err := daemonset.Decode("list.yaml", []byte(list))
	if err != nil {
		t.Fatal(err)
	}
	if len(objs.DaemonSets) != 2 {
		t.Fatalf("decoded %d DaemonSets, want 2", len(objs.DaemonSets))
	}
	for i, want := range []int{14, 25} {
		if line, col := objs.Position(objs.DaemonSets[i], "spec.template.spec.containers[0].image"); line != want || col != 11 {
			t.Errorf("item %d image at %d:%d, want %d:11", i, line, col, want)
		}
	}
}

func FuzzParseFieldPathPosition(f *testing.F) {
	f.Add("spec.template.spec.containers[0].image")
	f.Add("metadata.annotations[a.b/c]")
	f.Add("[")
	f.Add("a[99999999999999999999]")
	doc := "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: a, annotations: {x: z}}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec:\n      containers: [{name: c, image: i}]\n"
	objs, err := daemonset.Decode("f.yaml", []byte(doc))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, p string) {
		line, col := objs.Position(objs.DaemonSets[0], p)
		if line < 1 || line > strings.Count(doc, "\n") || col < 0 {
			t.Fatalf("Position(%q) = %d:%d, outside the document", p, line, col)
		}
	})
}

func ExampleObjects_Position() {
	objs, err := daemonset.Decode("agent.yaml", []byte(`apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - name: agent
        image: registry.example/agent:1.0
`))
	if err != nil {
		panic(err)
	}
	line, col := objs.Position(objs.DaemonSets[0], "spec.template.spec.containers[0].image")
	fmt.Printf("agent.yaml:%d:%d\n", line, col)
	// Output: agent.yaml:11:9
}
