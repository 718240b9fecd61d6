package simulate_test

import (
	"encoding/json"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/daemonkit/daemonkit/simulate"
)

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}

func taintsString(ts []corev1.Taint) string {
	var parts []string
	for _, t := range ts {
		parts = append(parts, t.ToString())
	}
	return strings.Join(parts, ",")
}

// spec §1.7; upstream: nodelifecycle/node_lifecycle_controller.go
// doNoScheduleTaintingPass, doNoExecuteTaintingPass; admission nodetaint.
func TestLifecycleTaints(t *testing.T) {
	cond := func(ty corev1.NodeConditionType, s corev1.ConditionStatus) corev1.NodeCondition {
		return corev1.NodeCondition{Type: ty, Status: s}
	}
	cases := []struct {
		name          string
		conds         []corev1.NodeCondition
		unschedulable bool
		taints        []corev1.Taint
		want          string
	}{
		{"ready node has none", []corev1.NodeCondition{cond(corev1.NodeReady, corev1.ConditionTrue)}, false, nil, ""},
		{"NotReady gets NoSchedule and NoExecute", []corev1.NodeCondition{cond(corev1.NodeReady, corev1.ConditionFalse)}, false, nil,
			"node.kubernetes.io/not-ready:NoSchedule,node.kubernetes.io/not-ready:NoExecute"},
		{"Unknown gets unreachable", []corev1.NodeCondition{cond(corev1.NodeReady, corev1.ConditionUnknown)}, false, nil,
			"node.kubernetes.io/unreachable:NoSchedule,node.kubernetes.io/unreachable:NoExecute"},
		{"pressure conditions", []corev1.NodeCondition{cond(corev1.NodeReady, corev1.ConditionTrue), cond(corev1.NodeDiskPressure, corev1.ConditionTrue),
			cond(corev1.NodeMemoryPressure, corev1.ConditionTrue), cond(corev1.NodePIDPressure, corev1.ConditionTrue), cond(corev1.NodeNetworkUnavailable, corev1.ConditionTrue)}, false, nil,
			"node.kubernetes.io/memory-pressure:NoSchedule,node.kubernetes.io/disk-pressure:NoSchedule,node.kubernetes.io/network-unavailable:NoSchedule,node.kubernetes.io/pid-pressure:NoSchedule"},
		{"cordoned", []corev1.NodeCondition{cond(corev1.NodeReady, corev1.ConditionTrue)}, true, nil, "node.kubernetes.io/unschedulable:NoSchedule"},
		{"new node without Ready keeps admission taint", nil, false, nil, "node.kubernetes.io/not-ready:NoSchedule"},
		{"stale taint removed, others kept", []corev1.NodeCondition{cond(corev1.NodeReady, corev1.ConditionTrue)}, false,
			[]corev1.Taint{{Key: "dedicated", Value: "x", Effect: corev1.TaintEffectNoSchedule}, {Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute}},
			"dedicated=x:NoSchedule"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"}, Spec: corev1.NodeSpec{Unschedulable: tc.unschedulable, Taints: tc.taints},
				Status: corev1.NodeStatus{Conditions: tc.conds}}
			orig := n.DeepCopy()
			got := simulate.ApplyLifecycleTaints(n)
			if s := taintsString(got.Spec.Taints); s != tc.want {
				t.Errorf("taints = %q, want %q", s, tc.want)
			}
			if !equalJSON(t, orig, n) {
				t.Error("input modified")
			}
			again := simulate.ApplyLifecycleTaints(got)
			if !equalJSON(t, got, again) {
				t.Error("not idempotent")
			}
		})
	}
	if simulate.ApplyLifecycleTaints(nil) != nil {
		t.Error("nil node")
	}
}

func TestNodePool_Build(t *testing.T) {
	nodes, err := simulate.NewNodePool("gpu", 12).Zones("a", "b", "c").Arch("arm64").KubeletVersion("v1.36.0").
		Taint("nvidia.com/gpu", "present", corev1.TaintEffectNoSchedule).Resource("nvidia.com/gpu", "8").Build()
	if err != nil {
		t.Fatal(err)
	}
	n := nodes[4]
	if n.Name != "gpu-04" || n.Labels[corev1.LabelTopologyZone] != "b" || n.Labels[corev1.LabelArchStable] != "arm64" ||
		n.Status.NodeInfo.KubeletVersion != "v1.36.0" || n.Status.Allocatable.Name("nvidia.com/gpu", "").Value() != 8 || len(n.Spec.Taints) != 1 {
		t.Errorf("node = %+v", n)
	}
}

func TestShapes_DeterministicAndValid(t *testing.T) {
	for _, s := range simulate.Shapes() {
		if strings.HasPrefix(s.Name, "large-") {
			continue // built by the benchmarks and below
		}
		t.Run(s.Name, func(t *testing.T) {
			a, err := s.Build(7)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := s.Build(7)
			if !equalJSON(t, a.Nodes(), b.Nodes()) || !equalJSON(t, a.Pods(), b.Pods()) {
				t.Error("same seed, different clusters")
			}
			if len(a.Nodes()) == 0 {
				t.Error("no nodes")
			}
		})
	}
	if _, err := simulate.ShapeByName("nope", 1); err == nil || !strings.Contains(err.Error(), "dev") {
		t.Errorf("err = %v", err)
	}
	if c, err := simulate.LargeCluster(simulate.Large5K, 1); err != nil || len(c.Nodes()) != 5000 {
		t.Errorf("large: %v", err)
	}
}

func TestLoadCluster(t *testing.T) {
	c, err := simulate.DevCluster(1)
	if err != nil {
		t.Fatal(err)
	}
	nodeList := &corev1.NodeList{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "NodeList"}}
	for _, n := range c.Nodes() {
		nodeList.Items = append(nodeList.Items, *n)
	}
	podList := &corev1.PodList{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "List"}}
	for _, p := range c.Pods() {
		podList.Items = append(podList.Items, *p)
	}
	ny, _ := yaml.Marshal(nodeList)
	py, _ := yaml.Marshal(podList)
	loaded, err := simulate.LoadCluster(simulate.ClusterFile{Name: "nodes.yaml", Data: ny}, simulate.ClusterFile{Name: "pods.yaml", Data: py})
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded.Nodes()) != len(c.Nodes()) || len(loaded.Pods()) != len(c.Pods()) || len(loaded.PodsOn("worker-0")) != len(c.PodsOn("worker-0")) {
		t.Errorf("loaded %d nodes %d pods", len(loaded.Nodes()), len(loaded.Pods()))
	}
	// The same nodes twice: the error names both places.
	_, err = simulate.LoadCluster(simulate.ClusterFile{Name: "a.yaml", Data: ny}, simulate.ClusterFile{Name: "b.yaml", Data: ny})
	if err == nil || !strings.Contains(err.Error(), "b.yaml") || !strings.Contains(err.Error(), "a.yaml") {
		t.Errorf("duplicate error = %v", err)
	}
	_, err = simulate.LoadCluster(simulate.ClusterFile{Name: "bad.yaml", Data: []byte("apiVersion: v1\nkind: Node\nmetadata: {name: x}\nstatus: {allocatable: {cpu: lots}}\n")})
	if err == nil || !strings.Contains(err.Error(), "bad.yaml") {
		t.Errorf("malformed quantity error = %v", err)
	}
}

// DaemonSetPlacement.Node finds every node, however the cluster's nodes were
// ordered when given and however the placement was built. (Before, it
// binary-searched Nodes, which only NewCluster sorted: a Cluster literal
// with unsorted nodes, or a DaemonSetPlacement built by hand, missed nodes.)
func TestDaemonSetPlacementNodeFindsEveryNode(t *testing.T) {
	var nodes []*corev1.Node
	for _, name := range []string{"zeta", "alpha", "mu", "beta"} {
		nodes = append(nodes, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}})
	}
	c, err := simulate.NewCluster(nodes, nil)
	if err != nil {
		t.Fatal(err)
	}
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "kube-system"}}
	p, err := simulate.Place(c, ds)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		if np, ok := p.DaemonSets[0].Node(n.Name); !ok || np.Node != n.Name {
			t.Errorf("Place(...).Node(%q) = %q, %v", n.Name, np.Node, ok)
		}
		if got := c.Node(n.Name); got != n {
			t.Errorf("Cluster.Node(%q) = %v", n.Name, got)
		}
	}
	byHand := &simulate.DaemonSetPlacement{Nodes: []simulate.NodePlacement{{Node: "b"}, {Node: "a"}, {Node: "c"}}}
	for _, name := range []string{"a", "b", "c"} {
		if np, ok := byHand.Node(name); !ok || np.Node != name {
			t.Errorf("hand-built placement: Node(%q) = %q, %v", name, np.Node, ok)
		}
	}
	if _, ok := byHand.Node("d"); ok {
		t.Error("hand-built placement: found a node it does not hold")
	}
}

// A Cluster cannot be changed after NewCluster: neither the slices given to
// it nor those its accessors return reach it, so Place answers for the nodes
// it holds. (Before, the index was cached by slice identity: after
// c.Nodes[i] = other, Place ran the controller stage on the new node and the
// scheduler stage on the old node's resources.)
func TestClusterCannotGoStale(t *testing.T) {
	alloc := func(pods string) corev1.ResourceList {
		return corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("8Gi"),
			corev1.ResourcePods: resource.MustParse(pods)}
	}
	roomy := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n-0"}, Status: corev1.NodeStatus{Allocatable: alloc("110")}}
	full := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n-0", Labels: map[string]string{"pool": "other"}},
		Status: corev1.NodeStatus{Allocatable: alloc("0")}}
	given := []*corev1.Node{roomy}
	c, err := simulate.NewCluster(given, nil)
	if err != nil {
		t.Fatal(err)
	}
	given[0] = full
	c.Nodes()[0] = full
	if got := c.Node("n-0"); got != roomy {
		t.Fatalf("Cluster.Node answers for a node it was not given")
	}
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "kube-system"},
		Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "x"}}}}}}
	got, err := simulate.Place(c, ds)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := simulate.NewCluster(c.Nodes(), c.Pods())
	if err != nil {
		t.Fatal(err)
	}
	want, err := simulate.Place(fresh, ds)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := got.DaemonSets[0].Nodes[0], want.DaemonSets[0].Nodes[0]; g.State != w.State || g.State != simulate.Runs {
		t.Errorf("Place on the cluster: %s; on a cluster built from its nodes: %s; want Runs for both", g.State, w.State)
	}
}

// Nodes enter a Cluster as the API server stores them: capacity without
// allocatable gets allocatable from capacity (upstream:
// pkg/apis/core/v1/defaults.go SetDefaults_NodeStatus), on a copy; the pod
// fits there and no NoAllocatable trap is raised. A node with neither keeps
// the trap.
func TestNewClusterDefaultsNodes(t *testing.T) {
	capOnly := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "cap-only"},
		Status: corev1.NodeStatus{Capacity: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"),
			corev1.ResourceMemory: resource.MustParse("8Gi"), corev1.ResourcePods: resource.MustParse("110")}}}
	bare := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "bare"}}
	c, err := simulate.NewCluster([]*corev1.Node{capOnly, bare}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if capOnly.Status.Allocatable != nil {
		t.Error("NewCluster changed the caller's node")
	}
	if got := c.Node("cap-only").Status.Allocatable; !got.Pods().Equal(resource.MustParse("110")) || !got.Cpu().Equal(resource.MustParse("4")) {
		t.Errorf("allocatable %v, want the capacity", got)
	}
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "default"},
		Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "a"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "a"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i"}}}}}}
	p, err := simulate.Place(c, ds)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range p.Traps {
		if tr.Kind == simulate.TrapNoAllocatable && (len(tr.Nodes) != 1 || tr.Nodes[0] != "bare") {
			t.Errorf("NoAllocatable trap on %v, want bare only", tr.Nodes)
		}
	}
	if np, ok := p.DaemonSets[0].Node("cap-only"); !ok || np.State != simulate.Runs {
		t.Errorf("cap-only: %+v", np)
	}
}
