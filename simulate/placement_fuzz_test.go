package simulate_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/simtest"
)

const fuzzNodes = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata: {name: a, labels: {kubernetes.io/os: linux}}
  spec: {taints: [{key: gpu, effect: NoSchedule}]}
  status: {allocatable: {cpu: "2", memory: 1Gi, pods: "3"}}
- apiVersion: v1
  kind: Node
  metadata: {name: b}
- apiVersion: v1
  kind: Pod
  metadata: {name: p, namespace: default}
  spec: {nodeName: a, hostNetwork: true, containers: [{name: c, ports: [{containerPort: 80}], resources: {limits: {cpu: 1900m}}}]}
`

const fuzzDaemonSet = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      tolerations: [{operator: Exists}]
      containers: [{name: c, ports: [{containerPort: 80, hostPort: 80}], resources: {requests: {cpu: 200m}}}]
`

// FuzzLoadCluster: any bytes either fail to load with an error or give a
// cluster on which Place succeeds with consistent results; never a panic.
func FuzzLoadCluster(f *testing.F) {
	f.Add([]byte(fuzzNodes))
	f.Add([]byte("kind: Node\napiVersion: v1\nmetadata: {name: x}\nstatus: {allocatable: {cpu: lots}}"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := simulate.LoadCluster(simulate.ClusterFile{Name: "fuzz.yaml", Data: data})
		if err != nil {
			return
		}
		objs, err := daemonset.Decode("ds.yaml", []byte(fuzzDaemonSet))
		if err != nil {
			t.Fatal(err)
		}
		p, err := simulate.Place(c, objs.DaemonSets...)
		if err != nil {
			t.Fatal(err)
		}
		simtest.CheckInvariants(t, p)
		_ = p.Overhead()
	})
}

// FuzzPlace: any DaemonSets decoded from user YAML are placed on a mixed
// cluster without a panic and with consistent results.
func FuzzPlace(f *testing.F) {
	f.Add([]byte(fuzzDaemonSet))
	f.Add([]byte(fuzzDaemonSet + "---\n" + fuzzDaemonSet))
	// inter-pod affinity, anti-affinity and spread, against each other
	f.Add([]byte(`apiVersion: apps/v1
kind: DaemonSet
metadata: {name: a, namespace: kube-system}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers: [{name: c, image: x}]
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, nodeAffinityPolicy: Ignore, minDomains: 2, labelSelector: {matchLabels: {app: a}}, matchLabelKeys: [controller-revision-hash]}
      affinity:
        podAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: b}}, namespaceSelector: {}}
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {topologyKey: topology.kubernetes.io/zone, labelSelector: {matchLabels: {app: a}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: b, namespace: kube-system}
spec:
  selector: {matchLabels: {app: b}}
  template:
    metadata: {labels: {app: b}}
    spec:
      priorityClassName: system-node-critical
      containers: [{name: c, image: x}]
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {topologyKey: kubernetes.io/hostname, labelSelector: {matchExpressions: [{key: app, operator: Exists}]}, namespaceSelector: {matchLabels: {team: x}}}
`))
	// the repository's real-world manifests and the presets' generated DaemonSets
	for _, pattern := range []string{"../internal/testdata/manifests/*.yaml", "../presets/testdata/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	c, err := simulate.LoadCluster(simulate.ClusterFile{Name: "nodes.yaml", Data: []byte(fuzzNodes)})
	if err != nil {
		f.Fatal(err)
	}
	mixed, err := simulate.MixedCluster(1)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := daemonset.Decode("fuzz.yaml", data)
		if err != nil {
			return
		}
		for _, cl := range []*simulate.Cluster{c, mixed} {
			p, err := simulate.Place(cl, objs.DaemonSets...)
			if err != nil {
				continue // nil or duplicate DaemonSets: a clear error
			}
			simtest.CheckInvariants(t, p)
			for _, d := range p.DaemonSets {
				_ = simulate.Diff(d, d)
			}
		}
	})
}
