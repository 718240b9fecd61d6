package daemonset_test

import (
	"fmt"

	"github.com/daemonkit/daemonkit/daemonset"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Decode reads the files users already have: manifests full of kinds and
// `kubectl get nodes -o yaml` lists.
func ExampleDecode() {
	manifest := `apiVersion: v1
kind: ServiceAccount
metadata: {name: agent, namespace: monitoring}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: monitoring}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: "registry.example/agent:1.0"}]
---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Node, metadata: {name: node-a}}
- {apiVersion: v1, kind: Node, metadata: {name: node-b}}
`
	objs, err := daemonset.Decode("agent.yaml", []byte(manifest))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, ds := range objs.DaemonSets {
		src, _ := objs.SourceOf(ds)
		fmt.Println("DaemonSet", ds.Name, "from", src)
	}
	fmt.Println(len(objs.Nodes), "nodes;", len(objs.Others), "other object:", objs.Others[0].Kind)
	// Output:
	// DaemonSet agent from agent.yaml: document 2 (line 5)
	// 2 nodes; 1 other object: ServiceAccount
}

// Every problem comes with its place and what was expected.
func ExampleDecode_errors() {
	manifest := `apiVersion: extensions/v1beta1
kind: DaemonSet
metadata: {name: old}
---
apiVersion: v1
kind: Node
metadata:
  name: node-a
  labels:
    gpu: true
`
	_, err := daemonset.Decode("cluster.yaml", []byte(manifest))
	fmt.Println(err)
	// Output:
	// cluster.yaml: document 1, line 1: apiVersion: DaemonSet in extensions/v1beta1 is no longer served (removed in Kubernetes v1.16) (change apiVersion to apps/v1 and make sure spec.selector matches spec.template.metadata.labels (apps/v1 requires a selector))
	// cluster.yaml: document 2, line 10: metadata.labels[gpu]: got a boolean, expected a string (quote the value)
}

func ExampleEncodeYAML() {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-a", Labels: map[string]string{"kubernetes.io/os": "linux"}}}
	out, err := daemonset.EncodeYAML(node)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// apiVersion: v1
	// kind: Node
	// metadata:
	//   labels:
	//     kubernetes.io/os: linux
	//   name: node-a
	// spec: {}
}
