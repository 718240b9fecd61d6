package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// explain's overhead is simulate's DaemonSetPlacement.Overhead: the pods
// that run, not the Pending ones, which take no room (explain used to
// multiply the pod's requests by runs + pending nodes).
func TestExplainOverheadCountsBoundPodsOnly(t *testing.T) {
	nodes := `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata: {name: big-1, labels: {kubernetes.io/os: linux}}
  status: {allocatable: {cpu: "8", memory: 32Gi, pods: "110"}}
- apiVersion: v1
  kind: Node
  metadata: {name: big-2, labels: {kubernetes.io/os: linux}}
  status: {allocatable: {cpu: "8", memory: 32Gi, pods: "110"}}
- apiVersion: v1
  kind: Node
  metadata: {name: tiny-1, labels: {kubernetes.io/os: linux}}
  status: {allocatable: {cpu: 5m, memory: 32Gi, pods: "110"}}
`
	f := newFakeEnv()
	f.files["d.yaml"] = []byte(fmt.Sprintf(smallDS, "1.0"))
	f.files["n.yaml"] = []byte(nodes)
	if code := f.run("explain", "-f", "d.yaml", "--nodes", "n.yaml"); code != 0 {
		t.Fatalf("exit %d: %s", code, f.stderr.String())
	}
	want := "  overhead: cpu 10m, memory 16Mi per node; cpu 20m, memory 32Mi on 2 nodes (Pending pods take no room: 1)\n"
	if !strings.Contains(f.stdout.String(), want) {
		t.Errorf("want %q in\n%s", want, f.stdout.String())
	}

	f.stdout.Reset()
	if code := f.run("explain", "-f", "d.yaml", "--nodes", "n.yaml", "-o", "json"); code != 0 {
		t.Fatalf("exit %d: %s", code, f.stderr.String())
	}
	var rep struct {
		DaemonSets []struct {
			Pending  int               `json:"pending"`
			Overhead map[string]string `json:"overhead"`
		} `json:"daemonSets"`
	}
	if err := json.Unmarshal(f.stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.DaemonSets) != 1 || rep.DaemonSets[0].Pending != 1 ||
		rep.DaemonSets[0].Overhead["cpu"] != "20m" || rep.DaemonSets[0].Overhead["memory"] != "32Mi" {
		t.Errorf("json report %+v", rep)
	}
}

// The Namespaces in the --nodes files (`kubectl get ns -o yaml`) decide a
// pod affinity namespaceSelector on a namespace label; without them the
// selector is named in a SchedulerNotModelled trap.
func TestExplainReadsNamespacesFromNodeFiles(t *testing.T) {
	cluster := `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata: {name: node-1, labels: {kubernetes.io/hostname: node-1}}
  status: {allocatable: {cpu: "8", memory: 32Gi, pods: "110"}}
- apiVersion: v1
  kind: Node
  metadata: {name: node-2, labels: {kubernetes.io/hostname: node-2}}
  status: {allocatable: {cpu: "8", memory: 32Gi, pods: "110"}}
- apiVersion: v1
  kind: Pod
  metadata: {name: fluentd, namespace: logging, labels: {app: collector}}
  spec: {nodeName: node-1, containers: [{name: c, image: fluentd}]}
  status: {phase: Running}
`
	namespaces := `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: logging, labels: {team: infra}}
- apiVersion: v1
  kind: Namespace
  metadata: {name: default}
`
	ds := fmt.Sprintf(smallDS, "1.0") + `      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: kubernetes.io/hostname
            labelSelector: {matchLabels: {app: collector}}
            namespaceSelector: {matchLabels: {team: infra}}
`
	for _, withNS := range []bool{false, true} {
		f := newFakeEnv()
		f.files["d.yaml"] = []byte(ds)
		f.files["c.yaml"] = []byte(cluster)
		f.files["ns.yaml"] = []byte(namespaces)
		args := []string{"explain", "-f", "d.yaml", "--nodes", "c.yaml", "-o", "json"}
		if withNS {
			args = append(args, "--nodes", "ns.yaml")
		}
		if code := f.run(args...); code != 0 {
			t.Fatalf("exit %d: %s", code, f.stderr.String())
		}
		var rep struct {
			DaemonSets []struct {
				Pending int `json:"pending"`
				Traps   []struct {
					Kind string `json:"kind"`
				} `json:"traps"`
			} `json:"daemonSets"`
		}
		if err := json.Unmarshal(f.stdout.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		trapped := false
		for _, d := range rep.DaemonSets {
			for _, tr := range d.Traps {
				trapped = trapped || tr.Kind == "SchedulerNotModelled"
			}
		}
		wantPending := 0
		if withNS {
			wantPending = 1
		}
		if len(rep.DaemonSets) != 1 || rep.DaemonSets[0].Pending != wantPending || trapped == withNS {
			t.Errorf("namespaces given %v: %+v\n%s", withNS, rep, f.stdout.String())
		}
	}
}

// A Namespace in the manifest that the cluster's Namespaces lack is added
// to them (it exists once the manifest is applied); without the cluster's
// Namespaces the manifest's are not used alone.
func TestExplainAddsManifestNamespaces(t *testing.T) {
	cluster := `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata: {name: node-1, labels: {kubernetes.io/hostname: node-1}}
  status: {allocatable: {cpu: "8", memory: 32Gi, pods: "110"}}
- apiVersion: v1
  kind: Pod
  metadata: {name: web, namespace: shop, labels: {app: web}}
  spec:
    nodeName: node-1
    containers: [{name: c, image: web}]
    affinity:
      podAntiAffinity:
        requiredDuringSchedulingIgnoredDuringExecution:
        - topologyKey: kubernetes.io/hostname
          labelSelector: {matchLabels: {app: agent}}
          namespaceSelector: {matchLabels: {team: infra}}
  status: {phase: Running}
`
	namespaces := "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"
	manifest := "apiVersion: v1\nkind: Namespace\nmetadata: {name: monitoring, labels: {team: infra}}\n---\n" +
		strings.Replace(fmt.Sprintf(smallDS, "1.0"), "namespace: default", "namespace: monitoring", 1)
	for _, withNS := range []bool{false, true} {
		f := newFakeEnv()
		f.files["d.yaml"] = []byte(manifest)
		f.files["c.yaml"] = []byte(cluster)
		f.files["ns.yaml"] = []byte(namespaces)
		args := []string{"explain", "-f", "d.yaml", "--nodes", "c.yaml", "-o", "json"}
		if withNS {
			args = append(args, "--nodes", "ns.yaml")
		}
		if code := f.run(args...); code != 0 {
			t.Fatalf("exit %d: %s", code, f.stderr.String())
		}
		var rep struct {
			DaemonSets []struct {
				Pending int `json:"pending"`
			} `json:"daemonSets"`
		}
		if err := json.Unmarshal(f.stdout.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		wantPending := 0
		if withNS {
			wantPending = 1 // web's anti-affinity selects the new namespace monitoring
		}
		if len(rep.DaemonSets) != 1 || rep.DaemonSets[0].Pending != wantPending {
			t.Errorf("cluster namespaces given %v: %+v\n%s", withNS, rep, f.stdout.String())
		}
	}
}
