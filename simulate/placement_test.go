package simulate_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/simtest"
)

// --- fixtures ---------------------------------------------------------------

func ds(name string, mutate ...func(*corev1.PodSpec)) *appsv1.DaemonSet {
	labels := map[string]string{"app": name}
	d := &appsv1.DaemonSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "kube-system", Generation: 1},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "agent", Image: "registry.example/agent:1",
					Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")}},
				}}},
			},
		},
	}
	for _, m := range mutate {
		m(&d.Spec.Template.Spec)
	}
	return d
}

func tolerate(key string, effect corev1.TaintEffect) func(*corev1.PodSpec) {
	return func(s *corev1.PodSpec) {
		s.Tolerations = append(s.Tolerations, corev1.Toleration{Key: key, Operator: corev1.TolerationOpExists, Effect: effect})
	}
}

func requests(cpu, mem string) func(*corev1.PodSpec) {
	return func(s *corev1.PodSpec) {
		s.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)}
	}
}

func hostPort(port int32) func(*corev1.PodSpec) {
	return func(s *corev1.PodSpec) {
		s.Containers[0].Ports = append(s.Containers[0].Ports, corev1.ContainerPort{ContainerPort: port, HostPort: port})
	}
}

func pool(t *testing.T, p *simulate.NodePool) []*corev1.Node {
	t.Helper()
	nodes, err := p.Build()
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}

func cluster(t *testing.T, nodes []*corev1.Node, pods ...*corev1.Pod) *simulate.Cluster {
	t.Helper()
	c, err := simulate.NewCluster(nodes, pods)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func place(t *testing.T, c *simulate.Cluster, dss ...*appsv1.DaemonSet) *simulate.Placement {
	t.Helper()
	p, err := simulate.Place(c, dss...)
	if err != nil {
		t.Fatal(err)
	}
	simtest.CheckInvariants(t, p)
	return p
}

func pod(name, node string, cpu string, pods ...func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "c",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning},
	}
	for _, f := range pods {
		f(p)
	}
	return p
}

func ownedBy(dsName string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Namespace = "kube-system"
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: dsName, Controller: ptr.To(true)}}
	}
}

// current marks a pod as of d's current template.
func current(d *appsv1.DaemonSet) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Labels = map[string]string{daemonset.ControllerRevisionHashLabel: daemonset.RevisionHash(d)}
	}
}

// --- research §4.1: pods missing on some nodes -------------------------------

// P1/F1: a tainted GPU pool is silently left out of desired.
func TestPlacement_P1_TaintedGPUPoolExcluded(t *testing.T) {
	nodes := append(pool(t, simulate.NewNodePool("cpu", 7)),
		pool(t, simulate.NewNodePool("gpu", 3).Taint("gpu", "true", corev1.TaintEffectNoSchedule))...)
	p := place(t, cluster(t, nodes), ds("dcgm-exporter", tolerate("node-role.kubernetes.io/control-plane", corev1.TaintEffectNoSchedule)))
	d := p.DaemonSets[0]
	simtest.AssertDesired(t, d, 7)
	simtest.AssertExcluded(t, d, "gpu-0", daemonset.ReasonUntoleratedTaint)
	if n, _ := d.Node("gpu-0"); !strings.Contains(n.Decision.Reasons[0].Message, "gpu") {
		t.Errorf("why-not does not name the taint: %q", n.Decision.Reasons[0].Message)
	}
	// Only the GPU pool: desired 0 is a trap (kubectl says "rolled out").
	p = place(t, cluster(t, pool(t, simulate.NewNodePool("gpu", 3).Taint("gpu", "true", corev1.TaintEffectNoSchedule))), ds("dcgm-exporter"))
	simtest.AssertTrap(t, p, simulate.TrapDesiredZero)
}

// P2: adding a taint to a node group removes a DaemonSet from those nodes.
func TestPlacement_P2_NewTaintOnNodeGroupLosesCoverage(t *testing.T) {
	before := cluster(t, pool(t, simulate.NewNodePool("gpu", 2)))
	after := cluster(t, pool(t, simulate.NewNodePool("gpu", 2).Taint("scale-to-zero", "true", corev1.TaintEffectNoSchedule)))
	d := ds("nvidia-driver")
	diff := simulate.Diff(place(t, before, d).DaemonSets[0], place(t, after, d).DaemonSets[0])
	if got := diff.Lost(); !slices.Equal(got, []string{"gpu-0", "gpu-1"}) {
		t.Errorf("lost = %v", got)
	}
	if !strings.Contains(diff.Changes[0].Why, "scale-to-zero") {
		t.Errorf("why = %q", diff.Changes[0].Why)
	}
}

// P3: a new node type with a new taint joins; coverage per node class.
func TestPlacement_P3_NewNodeClassNotCovered(t *testing.T) {
	old := pool(t, simulate.NewNodePool("a100", 2).Taint("nvidia.com/gpu", "", corev1.TaintEffectNoSchedule))
	joined := append(slices.Clone(old), pool(t, simulate.NewNodePool("h100", 2).Taint("nvidia.com/h100", "", corev1.TaintEffectNoSchedule))...)
	d := ds("gpu-operator", tolerate("nvidia.com/gpu", ""))
	diff := simulate.Diff(place(t, cluster(t, old), d).DaemonSets[0], place(t, cluster(t, joined), d).DaemonSets[0])
	if len(diff.Changes) != 2 || diff.Changes[0].InBefore || diff.Changes[0].After.State != simulate.Excluded {
		t.Fatalf("changes = %+v", diff.Changes)
	}
	if diff.Changes[0].Kind != simulate.StateChanges || !strings.Contains(diff.Changes[0].Why, "node not in cluster") {
		t.Errorf("change = %+v", diff.Changes[0])
	}
}

// P4: one DaemonSet of a family lacks the toleration its siblings have.
func TestPlacement_P4_SiblingDaemonSetsCoverDifferentNodes(t *testing.T) {
	c := cluster(t, pool(t, simulate.NewNodePool("gpu", 2).Taint("nvidia.com/gpu", "", corev1.TaintEffectNoSchedule)))
	p := place(t, c, ds("device-plugin", tolerate("nvidia.com/gpu", "")), ds("dcgm-exporter"))
	d := simulate.Diff(p.DaemonSets[0], p.DaemonSets[1])
	if got := d.Lost(); len(got) != 2 {
		t.Errorf("sibling lost = %v, want both GPU nodes", got)
	}
}

// P5: the nodeSelector matches control-plane nodes, but the taint excludes:
// why-not must name the taint, not the selector.
func TestPlacement_P5_WhyNotNamesTaintNotSelector(t *testing.T) {
	c := cluster(t, pool(t, simulate.NewNodePool("cp", 1).Label("node-role.kubernetes.io/control-plane", "").
		Taint("node-role.kubernetes.io/control-plane", "", corev1.TaintEffectNoSchedule)))
	d := ds("etcd-backup", func(s *corev1.PodSpec) {
		s.NodeSelector = map[string]string{"node-role.kubernetes.io/control-plane": ""}
	})
	p := place(t, c, d)
	simtest.AssertExcluded(t, p.DaemonSets[0], "cp-0", daemonset.ReasonUntoleratedTaint)
	n, _ := p.DaemonSets[0].Node("cp-0")
	for _, r := range n.Decision.Reasons {
		if r.Kind == daemonset.ReasonNodeSelector {
			t.Errorf("selector blamed: %v", r)
		}
	}
}

// P6: unschedulable without the taint does not exclude; the pod takes room.
// upstream: daemon_controller_test.go TestNodeShouldRunDaemonPod "ShouldRunDaemonPodOnUnschedulableNode"
func TestPlacement_P6_UnschedulableWithoutTaintRuns(t *testing.T) {
	n := pool(t, simulate.NewNodePool("master", 1).Allocatable("1", "2Gi", 110))[0]
	n.Spec.Unschedulable = true
	p := place(t, cluster(t, []*corev1.Node{n}, pod("apiserver", "master-0", "900m")), ds("csi", requests("100m", "64Mi")))
	simtest.AssertRuns(t, p.DaemonSets[0], "master-0")
	if got := p.Overhead().PerNode[0].Requests.Cpu().MilliValue(); got != 100 {
		t.Errorf("overhead on master = %dm", got)
	}
}

// P7/F4: a cordoned node (with the unschedulable taint) still gets the pod.
func TestPlacement_P7_CordonedNodeGetsDaemonPod(t *testing.T) {
	p := place(t, cluster(t, pool(t, simulate.NewNodePool("n", 5).Cordoned(1))), ds("agent"))
	simtest.AssertRuns(t, p.DaemonSets[0], "n-0", "n-1", "n-2", "n-3", "n-4")
	if tr := simtest.AssertTrap(t, p, simulate.TrapCordonedNodes); !slices.Equal(tr.Nodes, []string{"n-0"}) {
		t.Errorf("cordoned trap nodes = %v", tr.Nodes)
	}
}

// P8/F5: no OS selector: pods land on Windows nodes and count in desired.
func TestPlacement_P8_WindowsNodesTrap(t *testing.T) {
	nodes := append(pool(t, simulate.NewNodePool("linux", 4)), pool(t, simulate.NewNodePool("win", 2).OS("windows"))...)
	p := place(t, cluster(t, nodes), ds("fluent-bit"))
	simtest.AssertDesired(t, p.DaemonSets[0], 6)
	if tr := simtest.AssertTrap(t, p, simulate.TrapWindowsNodes); !slices.Equal(tr.Nodes, []string{"win-0", "win-1"}) {
		t.Errorf("windows trap nodes = %v", tr.Nodes)
	}
	p = place(t, cluster(t, nodes), ds("fluent-bit", func(s *corev1.PodSpec) { s.NodeSelector = map[string]string{corev1.LabelOSStable: "linux"} }))
	simtest.AssertDesired(t, p.DaemonSets[0], 4)
	simtest.AssertNoTrap(t, p, simulate.TrapWindowsNodes)
}

// P9: a node registers before its kubernetes.io/os label arrives: a
// selector on that label leaves it uncovered until then.
func TestPlacement_P9_LabelArrivesAfterRegistration(t *testing.T) {
	registered := pool(t, simulate.NewNodePool("new", 1))[0]
	delete(registered.Labels, corev1.LabelOSStable)
	labelled := registered.DeepCopy()
	labelled.Labels[corev1.LabelOSStable] = "linux"
	d := ds("kube-proxy", func(s *corev1.PodSpec) { s.NodeSelector = map[string]string{corev1.LabelOSStable: "linux"} })
	before := place(t, cluster(t, []*corev1.Node{registered}), d)
	simtest.AssertExcluded(t, before.DaemonSets[0], "new-0", daemonset.ReasonNodeSelector)
	after := place(t, cluster(t, []*corev1.Node{labelled}), d)
	if got := simulate.Diff(before.DaemonSets[0], after.DaemonSets[0]).Gained(); !slices.Equal(got, []string{"new-0"}) {
		t.Errorf("gained = %v", got)
	}
}

// P10/F21: removing a node label drops the pod at once.
func TestPlacement_P10_LabelRemovalLosesCoverage(t *testing.T) {
	with := cluster(t, pool(t, simulate.NewNodePool("storage", 3).Label("ceph-mon", "true")))
	without := cluster(t, pool(t, simulate.NewNodePool("storage", 3)))
	d := ds("ceph-mon", func(s *corev1.PodSpec) { s.NodeSelector = map[string]string{"ceph-mon": "true"} })
	diff := simulate.Diff(place(t, with, d).DaemonSets[0], place(t, without, d).DaemonSets[0])
	if len(diff.Lost()) != 3 || diff.After.DesiredNumberScheduled != 0 {
		t.Errorf("diff = %+v", diff)
	}
}

// P11/F20: harness taints are not inherited: 11 KWOK-tainted of 18 -> desired 7.
func TestPlacement_P11_HarnessTaintedNodes(t *testing.T) {
	nodes := append(pool(t, simulate.NewNodePool("real", 7)),
		pool(t, simulate.NewNodePool("kwok", 11).Taint("kwok.x-k8s.io/node", "fake", corev1.TaintEffectNoSchedule))...)
	p := place(t, cluster(t, nodes), ds("agent"))
	simtest.AssertDesired(t, p.DaemonSets[0], 7)
}

// P12: a blanket Exists toleration tolerates every taint, NoExecute included.
func TestPlacement_P12_BlanketTolerationCoversAll(t *testing.T) {
	nodes := append(pool(t, simulate.NewNodePool("a", 2).Taint("x", "y", corev1.TaintEffectNoExecute)),
		pool(t, simulate.NewNodePool("b", 2).NotReady(2))...)
	p := place(t, cluster(t, nodes), ds("cni", func(s *corev1.PodSpec) {
		s.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
	}))
	simtest.AssertDesired(t, p.DaemonSets[0], 4)
}

// P13: pods allocatable is a resource: N DaemonSets take N slots.
func TestPlacement_P13_MaxPodsBelowDaemonSetCount(t *testing.T) {
	c := cluster(t, pool(t, simulate.NewNodePool("tiny", 1).Allocatable("4", "8Gi", 3)), pod("w", "tiny-0", "10m"))
	p := place(t, c, ds("a"), ds("b"), ds("c"))
	simtest.AssertRuns(t, p.DaemonSets[0], "tiny-0")
	simtest.AssertRuns(t, p.DaemonSets[1], "tiny-0")
	simtest.AssertPending(t, p.DaemonSets[2], "tiny-0", simulate.PendingTooManyPods)
}

// --- research §4.2: pods Pending --------------------------------------------

// S1/F17: a node full of equal-priority pods: Pending forever, counted in desired.
func TestPlacement_S1_FullNodePendingCountedInDesired(t *testing.T) {
	var pods []*corev1.Pod
	for i := range 110 {
		pods = append(pods, pod("w-"+strings.Repeat("x", i%3)+string(rune('a'+i%26))+string(rune('a'+i/26)), "n-0", "1m"))
	}
	p := place(t, cluster(t, pool(t, simulate.NewNodePool("n", 1)), pods...), ds("agent"))
	d := p.DaemonSets[0]
	simtest.AssertPending(t, d, "n-0", simulate.PendingTooManyPods)
	if s := d.Status(); s.DesiredNumberScheduled != 1 || s.CurrentNumberScheduled != 1 || s.NumberUnavailable != 1 || s.NumberAvailable != 0 {
		t.Errorf("status = %+v", s)
	}
	simtest.AssertTrap(t, p, simulate.TrapPendingPods)
}

// F17: with a system-node-critical priority the daemon pod preempts
// lower-priority pods on its (only) node: the fewest needed, lowest
// priority first; equal priority, preemptionPolicy Never, or a node too
// small even when empty leave it Pending.
// upstream: defaultpreemption/default_preemption_test.go TestSelectCandidate,
// SelectVictimsOnNode (reprieve by priority)
func TestPlacement_F17_PreemptionOfLowerPriorityPods(t *testing.T) {
	prio := func(p int32) func(*corev1.Pod) { return func(pd *corev1.Pod) { pd.Spec.Priority = ptr.To(p) } }
	critical := func(s *corev1.PodSpec) { s.PriorityClassName = "system-node-critical" }
	node := func(cpu string) []*corev1.Node {
		return pool(t, simulate.NewNodePool("n", 1).Allocatable(cpu, "8Gi", 110))
	}
	full := func() []*corev1.Pod {
		return []*corev1.Pod{pod("low-a", "n-0", "600m", prio(10)), pod("low-b", "n-0", "300m", prio(100)), pod("high", "n-0", "100m", prio(2000000000))}
	}
	t.Run("evicts the fewest, lowest priority first", func(t *testing.T) {
		p := place(t, cluster(t, node("1"), full()...), ds("agent", requests("500m", "64Mi"), critical))
		simtest.AssertRuns(t, p.DaemonSets[0], "n-0")
		if n, _ := p.DaemonSets[0].Node("n-0"); !slices.Equal(n.Preempts, []string{"default/low-a"}) {
			t.Errorf("preempts = %v", n.Preempts)
		}
		simtest.AssertTrap(t, p, simulate.TrapPreemption)
	})
	t.Run("equal priority: the earlier started is reprieved", func(t *testing.T) {
		started := func(min int) func(*corev1.Pod) {
			return func(pd *corev1.Pod) {
				pd.Status.StartTime = &metav1.Time{Time: time.Date(2026, 1, 1, 0, min, 0, 0, time.UTC)}
			}
		}
		// listed newest first; the one with no start time counts as started now
		pods := []*corev1.Pod{pod("new", "n-0", "400m", prio(10), started(30)), pod("unstarted", "n-0", "400m", prio(10)),
			pod("old", "n-0", "400m", prio(10), started(10))}
		p := place(t, cluster(t, node("1"), pods...), ds("agent", requests("500m", "64Mi"), critical))
		if n, _ := p.DaemonSets[0].Node("n-0"); !slices.Equal(n.Preempts, []string{"default/new", "default/unstarted"}) {
			t.Errorf("preempts = %v, want the two started last", n.Preempts)
		}
	})
	t.Run("equal priority: Pending", func(t *testing.T) {
		p := place(t, cluster(t, node("1"), full()...), ds("agent", requests("500m", "64Mi")))
		simtest.AssertPending(t, p.DaemonSets[0], "n-0", simulate.PendingInsufficientResource)
	})
	t.Run("preemptionPolicy Never from the class: Pending", func(t *testing.T) {
		c, err := cluster(t, node("1"), full()...).WithPriorityClasses(&schedulingv1.PriorityClass{
			ObjectMeta: metav1.ObjectMeta{Name: "agents"}, Value: 1000000, PreemptionPolicy: ptr.To(corev1.PreemptNever)})
		if err != nil {
			t.Fatal(err)
		}
		p := place(t, c, ds("agent", requests("500m", "64Mi"), func(s *corev1.PodSpec) { s.PriorityClassName = "agents" }))
		simtest.AssertPending(t, p.DaemonSets[0], "n-0", simulate.PendingInsufficientResource)
		if got := p.DaemonSets[0].Priority; got.Priority != 1000000 || got.Preempts() {
			t.Errorf("priority = %+v", got)
		}
	})
	t.Run("preemptionPolicy Never against the class: refused by admission", func(t *testing.T) {
		p := place(t, cluster(t, node("1"), full()...), ds("agent", requests("500m", "64Mi"), critical, func(s *corev1.PodSpec) {
			s.PreemptionPolicy = ptr.To(corev1.PreemptNever)
		}))
		d := p.DaemonSets[0]
		if n, _ := d.Node("n-0"); n.State != simulate.Refused || d.Refused == nil || d.Refused.Field != "spec.preemptionPolicy" {
			t.Errorf("state %s, refused %v", n.State, d.Refused)
		}
		simtest.AssertTrap(t, p, simulate.TrapAdmissionRefused)
	})
	t.Run("too big for the node: Pending", func(t *testing.T) {
		p := place(t, cluster(t, node("1"), full()...), ds("agent", requests("2", "64Mi"), critical))
		simtest.AssertPending(t, p.DaemonSets[0], "n-0", simulate.PendingInsufficientResource)
	})
	t.Run("host port held by a lower-priority pod", func(t *testing.T) {
		holder := pod("holder", "n-0", "10m", prio(0), func(p *corev1.Pod) {
			p.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 9100, HostPort: 9100}}
		})
		p := place(t, cluster(t, node("4"), pod("other", "n-0", "10m"), holder), ds("agent", hostPort(9100), critical))
		if n, _ := p.DaemonSets[0].Node("n-0"); n.State != simulate.Runs || !slices.Equal(n.Preempts, []string{"default/holder"}) {
			t.Errorf("state %s, preempts %v", n.State, n.Preempts)
		}
	})
}

// S2/F18: workload bound first took the cpu: "needs 200m cpu, 100m free".
func TestPlacement_S2_InsufficientCPUMessage(t *testing.T) {
	c := cluster(t, pool(t, simulate.NewNodePool("n", 1).Allocatable("2", "8Gi", 110)), pod("w", "n-0", "1900m"))
	p := place(t, c, ds("agent", requests("200m", "64Mi")))
	simtest.AssertPending(t, p.DaemonSets[0], "n-0", simulate.PendingInsufficientResource)
	n, _ := p.DaemonSets[0].Node("n-0")
	if got := n.Pending[0].Message; got != "needs 200m cpu, 100m free" {
		t.Errorf("message = %q", got)
	}
}

// A workload pod being resized in place (spec 500m, status still 1500m)
// holds the larger size in the scheduler's cache: the daemon pod is Pending
// with the room the status leaves.
// upstream: framework/types_test.go TestCalculatePodResourcesWithResize
func TestPlacement_ResizingPodHoldsTheLargerSize(t *testing.T) {
	resizing := pod("w", "n-0", "500m", func(p *corev1.Pod) {
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "c",
			Resources: &corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1500m")}}}}
	})
	c := cluster(t, pool(t, simulate.NewNodePool("n", 1).Allocatable("2", "8Gi", 110)), resizing)
	p := place(t, c, ds("agent", requests("600m", "64Mi")))
	simtest.AssertPending(t, p.DaemonSets[0], "n-0", simulate.PendingInsufficientResource)
	if n, _ := p.DaemonSets[0].Node("n-0"); n.Pending[0].Message != "needs 600m cpu, 500m free" {
		t.Errorf("message = %q", n.Pending[0].Message)
	}
}

// S3: "Too many pods" on a default-sized node.
func TestPlacement_S3_TooManyPods(t *testing.T) {
	var pods []*corev1.Pod
	for i := range 17 {
		pods = append(pods, pod("w"+string(rune('a'+i)), "n-0", "1m"))
	}
	p := place(t, cluster(t, pool(t, simulate.NewNodePool("n", 1).Allocatable("2", "4Gi", 17)), pods...), ds("aad-pod-identity"))
	simtest.AssertPending(t, p.DaemonSets[0], "n-0", simulate.PendingTooManyPods)
	n, _ := p.DaemonSets[0].Node("n-0")
	if n.Pending[0].Message != "too many pods: 17 of 17 pod slots used" {
		t.Errorf("message = %q", n.Pending[0].Message)
	}
}

// S4: the per-node DaemonSet overhead autoscalers need, over several DaemonSets.
func TestPlacement_S4_PerNodeOverhead(t *testing.T) {
	c := cluster(t, pool(t, simulate.NewNodePool("n", 2)))
	p := place(t, c, ds("a", requests("100m", "64Mi")), ds("b", requests("250m", "128Mi")))
	o := p.Overhead()
	if len(o.PerNode) != 2 || o.PerNode[0].Pods != 2 || o.PerNode[0].Requests.Cpu().MilliValue() != 350 ||
		o.PerNode[0].Requests.Memory().Value() != 192<<20 || o.Total.Cpu().MilliValue() != 700 || o.TotalPods != 4 {
		t.Errorf("overhead = %+v", o)
	}
}

// S5: DaemonSets compete for room; the higher priority binds first whatever
// the order given.
func TestPlacement_S5_PriorityWinsContendedNode(t *testing.T) {
	c := cluster(t, pool(t, simulate.NewNodePool("n", 1).Allocatable("1", "4Gi", 110)))
	low := ds("low", requests("600m", "64Mi"))
	high := ds("high", requests("600m", "64Mi"), func(s *corev1.PodSpec) { s.PriorityClassName = "system-node-critical" })
	p := place(t, c, low, high)
	simtest.AssertPending(t, p.DaemonSets[0], "n-0", simulate.PendingInsufficientResource)
	simtest.AssertRuns(t, p.DaemonSets[1], "n-0")
}

// --- scheduler stage details --------------------------------------------------

// upstream: noderesources/fit_test.go TestEnoughRequests (init containers,
// sidecars, overhead), defaults.go SetDefaults_Pod (requests from limits).
func TestScheduler_PodRequestsAsSchedulerCounts(t *testing.T) {
	q := resource.MustParse
	cases := []struct {
		name string
		spec func(*corev1.PodSpec)
		cpu  int64
	}{
		{"containers sum", func(s *corev1.PodSpec) {
			s.Containers = append(s.Containers, corev1.Container{Name: "b", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{"cpu": q("150m")}}})
		}, 250},
		{"largest init container wins", func(s *corev1.PodSpec) {
			s.InitContainers = []corev1.Container{{Name: "i", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{"cpu": q("500m")}}}}
		}, 500},
		{"sidecar adds to containers and to later init containers", func(s *corev1.PodSpec) {
			s.InitContainers = []corev1.Container{
				{Name: "side", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways), Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{"cpu": q("50m")}}},
				{Name: "i", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{"cpu": q("300m")}}},
			}
		}, 350},
		{"requests default from limits", func(s *corev1.PodSpec) {
			s.Containers[0].Resources = corev1.ResourceRequirements{Limits: corev1.ResourceList{"cpu": q("700m")}}
		}, 700},
		{"pod overhead added", func(s *corev1.PodSpec) { s.Overhead = corev1.ResourceList{"cpu": q("250m")} }, 350},
		{"pod-level requests override", func(s *corev1.PodSpec) {
			s.Resources = &corev1.ResourceRequirements{Requests: corev1.ResourceList{"cpu": q("1")}}
		}, 1000},
	}
	c := cluster(t, pool(t, simulate.NewNodePool("n", 1)))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := place(t, c, ds("a", tc.spec))
			if got := p.DaemonSets[0].PodRequests.Cpu().MilliValue(); got != tc.cpu {
				t.Errorf("cpu = %dm, want %dm", got, tc.cpu)
			}
		})
	}
}

// upstream: nodeports/node_ports_test.go TestNodePorts; framework/types_test.go HostPortInfo
func TestScheduler_HostPortConflicts(t *testing.T) {
	existing := func(ip string, proto corev1.Protocol, port int32, hostNetwork bool) *corev1.Pod {
		return pod("holder", "n-0", "1m", func(p *corev1.Pod) {
			p.Spec.HostNetwork = hostNetwork
			cp := corev1.ContainerPort{ContainerPort: port, HostIP: ip, Protocol: proto}
			if !hostNetwork {
				cp.HostPort = port
			}
			p.Spec.Containers[0].Ports = []corev1.ContainerPort{cp}
		})
	}
	cases := []struct {
		name     string
		holder   *corev1.Pod
		ip       string
		proto    corev1.Protocol
		conflict bool
	}{
		{"same port all addresses", existing("", "", 9100, false), "", "", true},
		{"hostNetwork pod holds its container port", existing("", "", 9100, true), "", "", true},
		{"specific IP vs wildcard", existing("127.0.0.1", "TCP", 9100, false), "", "", true},
		{"different specific IPs", existing("10.0.0.1", "TCP", 9100, false), "10.0.0.2", "", false},
		{"UDP vs TCP", existing("", corev1.ProtocolUDP, 9100, false), "", "", false},
		{"other port", existing("", "", 9101, false), "", "", false},
		{"terminal pod frees its port", func() *corev1.Pod {
			p := existing("", "", 9100, false)
			p.Status.Phase = corev1.PodSucceeded
			return p
		}(), "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := cluster(t, pool(t, simulate.NewNodePool("n", 1)), pod("first", "n-0", "1m"), tc.holder)
			d := ds("exporter", func(s *corev1.PodSpec) {
				s.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 9100, HostPort: 9100, HostIP: tc.ip, Protocol: tc.proto}}
			})
			p := place(t, c, d)
			if tc.conflict {
				simtest.AssertPending(t, p.DaemonSets[0], "n-0", simulate.PendingHostPortConflict)
				n, _ := p.DaemonSets[0].Node("n-0")
				if n.Pending[0].HeldBy != "default/holder" {
					t.Errorf("held by %q", n.Pending[0].HeldBy)
				}
			} else {
				simtest.AssertRuns(t, p.DaemonSets[0], "n-0")
			}
		})
	}
}

func TestScheduler_HostPortConflictBetweenDaemonSets(t *testing.T) {
	c := cluster(t, pool(t, simulate.NewNodePool("n", 2)))
	// hostNetwork: hostPort defaults to the container port.
	a := ds("node-exporter", func(s *corev1.PodSpec) {
		s.HostNetwork = true
		s.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 9100}}
	})
	b := ds("other-exporter", hostPort(9100))
	p := place(t, c, a, b)
	simtest.AssertRuns(t, p.DaemonSets[0], "n-0", "n-1")
	simtest.AssertPending(t, p.DaemonSets[1], "n-0", simulate.PendingHostPortConflict)
	n, _ := p.DaemonSets[1].Node("n-1")
	if n.Pending[0].HeldBy != "daemonset kube-system/node-exporter" {
		t.Errorf("held by %q", n.Pending[0].HeldBy)
	}
}

// The DaemonSet's own pods already in a loaded cluster are replaced, not counted twice.
func TestPlacement_OwnPodsReplacedNotDoubleCounted(t *testing.T) {
	c := cluster(t, pool(t, simulate.NewNodePool("n", 1).Allocatable("1", "4Gi", 3)),
		pod("first", "n-0", "10m"),
		pod("agent-abc", "n-0", "900m", ownedBy("agent"), func(p *corev1.Pod) {
			p.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 9100, HostPort: 9100}}
		}),
		pod("w", "n-0", "50m"))
	p := place(t, c, ds("agent", requests("900m", "64Mi"), hostPort(9100)))
	simtest.AssertRuns(t, p.DaemonSets[0], "n-0")
	if n, _ := p.DaemonSets[0].Node("n-0"); !n.ExistingPod {
		t.Error("existing pod not noticed")
	}
}

func TestPlacement_ExtendedResources(t *testing.T) {
	c := cluster(t, append(pool(t, simulate.NewNodePool("gpu", 1).Resource("nvidia.com/gpu", "1")), pool(t, simulate.NewNodePool("cpu", 1))...))
	p := place(t, c, ds("gpu-burn", func(s *corev1.PodSpec) {
		s.Containers[0].Resources.Limits = corev1.ResourceList{"nvidia.com/gpu": resource.MustParse("1")}
	}))
	simtest.AssertRuns(t, p.DaemonSets[0], "gpu-0")
	simtest.AssertPending(t, p.DaemonSets[0], "cpu-0", simulate.PendingInsufficientResource)
	if n, _ := p.DaemonSets[0].Node("cpu-0"); n.Pending[0].Message != "needs 1 nvidia.com/gpu, 0 free" {
		t.Errorf("message = %q", n.Pending[0].Message)
	}
}

// --- traps ------------------------------------------------------------------

// spec §1.6: NotReady nodes get not-ready NoSchedule + NoExecute; daemon pods
// tolerate only the NoExecute one: dropped from desired, existing pod stays.
func TestTraps_NotReadyDroppedExistingPodMisscheduled(t *testing.T) {
	nodes := pool(t, simulate.NewNodePool("n", 3).NotReady(1))
	d := ds("agent")
	c := cluster(t, nodes, pod("agent-x", "n-2", "10m", ownedBy("agent"), current(d)))
	p := place(t, c, d)
	dp := p.DaemonSets[0]
	simtest.AssertExcluded(t, dp, "n-2", daemonset.ReasonUntoleratedTaint)
	if s := dp.Status(); s.DesiredNumberScheduled != 2 || s.NumberMisscheduled != 1 {
		t.Errorf("status = %+v", s)
	}
	simtest.AssertTrap(t, p, simulate.TrapNotReadyDropped)
	simtest.AssertTrap(t, p, simulate.TrapNoScheduleKeepsPods)
}

// spec §3 / F2: a rolling update deletes an out-of-date pod on a node that
// no longer should run it, and does not recreate it; OnDelete leaves it.
// upstream: update.go rollingUpdate
func TestPlacement_OutdatedPodOnExcludedNodeNotMisscheduledAfterRollout(t *testing.T) {
	nodes := pool(t, simulate.NewNodePool("n", 1).Taint("maint", "", corev1.TaintEffectNoSchedule))
	c := cluster(t, nodes, pod("agent-old", "n-0", "10m", ownedBy("agent")))
	d := ds("agent")
	if s := place(t, c, d).DaemonSets[0].Status(); s.NumberMisscheduled != 0 {
		t.Errorf("rolling update: misscheduled = %d, want 0", s.NumberMisscheduled)
	}
	d.Spec.UpdateStrategy.Type = appsv1.OnDeleteDaemonSetStrategyType
	if s := place(t, c, d).DaemonSets[0].Status(); s.NumberMisscheduled != 1 {
		t.Errorf("OnDelete: misscheduled = %d, want 1", s.NumberMisscheduled)
	}
}

// F2 vs F3: NoSchedule keeps an existing pod, NoExecute deletes it.
func TestTraps_NoScheduleKeepsNoExecuteEvicts(t *testing.T) {
	ns := pool(t, simulate.NewNodePool("ns", 1).Taint("maint", "", corev1.TaintEffectNoSchedule))
	ne := pool(t, simulate.NewNodePool("ne", 1).Taint("maint", "", corev1.TaintEffectNoExecute))
	d := ds("agent")
	c := cluster(t, append(ns, ne...), pod("a1", "ns-0", "1m", ownedBy("agent"), current(d)), pod("a2", "ne-0", "1m", ownedBy("agent"), current(d)))
	p := place(t, c, d)
	if tr := simtest.AssertTrap(t, p, simulate.TrapNoScheduleKeepsPods); !slices.Equal(tr.Nodes, []string{"ns-0"}) {
		t.Errorf("keeps = %v", tr.Nodes)
	}
	if tr := simtest.AssertTrap(t, p, simulate.TrapNoExecuteEvicts); !slices.Equal(tr.Nodes, []string{"ne-0"}) {
		t.Errorf("evicts = %v", tr.Nodes)
	}
	if s := p.DaemonSets[0].Status(); s.NumberMisscheduled != 1 {
		t.Errorf("misscheduled = %d", s.NumberMisscheduled)
	}
}

func TestTraps_TolerationSecondsOverridden(t *testing.T) {
	d := ds("agent", func(s *corev1.PodSpec) {
		s.Tolerations = []corev1.Toleration{{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists,
			Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](300)}}
	})
	p := place(t, cluster(t, pool(t, simulate.NewNodePool("n", 1))), d)
	simtest.AssertTrap(t, p, simulate.TrapTolerationSecondsOverridden)
}

func TestTraps_ConditionsWithoutTaints(t *testing.T) {
	n := pool(t, simulate.NewNodePool("n", 1))[0]
	n.Status.Conditions[0].Status = corev1.ConditionFalse // NotReady, but no taint
	p := place(t, cluster(t, []*corev1.Node{n}), ds("agent"))
	simtest.AssertRuns(t, p.DaemonSets[0], "n-0") // conditions alone change nothing (spec §1.7)
	simtest.AssertTrap(t, p, simulate.TrapConditionsWithoutTaints)
}

// F8: hostPort + maxSurge stalls every update.
func TestTraps_SurgeHostPort(t *testing.T) {
	d := ds("agent", hostPort(54323))
	surge := intstr.FromInt32(2)
	d.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: &surge}}
	p := place(t, cluster(t, pool(t, simulate.NewNodePool("n", 2))), d)
	simtest.AssertTrap(t, p, simulate.TrapSurgeHostPort)
}

// --- bad input ----------------------------------------------------------------

func TestCluster_BadInput(t *testing.T) {
	good := pool(t, simulate.NewNodePool("n", 2))
	cases := []struct {
		name  string
		nodes []*corev1.Node
		pods  []*corev1.Pod
		want  string
	}{
		{"duplicate node names", []*corev1.Node{good[0], good[0]}, nil, "nodes[1].metadata.name: Duplicate value"},
		{"nil node", []*corev1.Node{nil}, nil, "nodes[0]: Required value"},
		{"node without name", []*corev1.Node{{}}, nil, "nodes[0].metadata.name: Required value"},
		{"duplicate pods", good, []*corev1.Pod{pod("p", "n-0", "1m"), pod("p", "n-1", "1m")}, "pods[1].metadata.name: Duplicate value"},
		{"nil pod", good, []*corev1.Pod{nil}, "pods[0]: Required value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := simulate.NewCluster(tc.nodes, tc.pods)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestPlacement_EmptyClusterAndDocumentedEdges(t *testing.T) {
	p := place(t, cluster(t, nil), ds("agent"))
	if len(p.DaemonSets[0].Nodes) != 0 || p.DaemonSets[0].Status().DesiredNumberScheduled != 0 {
		t.Errorf("empty cluster placement = %+v", p.DaemonSets[0])
	}
	simtest.AssertNoTrap(t, p, simulate.TrapDesiredZero) // nothing to cover

	// No allocatable: the scheduler reads zero pods -> Pending "Too many pods".
	p = place(t, cluster(t, pool(t, simulate.NewNodePool("bare", 1).NoAllocatable())), ds("agent"))
	simtest.AssertPending(t, p.DaemonSets[0], "bare-0", simulate.PendingTooManyPods)
	simtest.AssertTrap(t, p, simulate.TrapNoAllocatable)

	// A pod bound to an unknown node takes no room anywhere.
	p = place(t, cluster(t, pool(t, simulate.NewNodePool("n", 1).Allocatable("1", "1Gi", 1)), pod("ghost", "gone", "5")), ds("agent"))
	simtest.AssertRuns(t, p.DaemonSets[0], "n-0")

	if _, err := simulate.Place(nil, ds("a")); err == nil {
		t.Error("nil cluster accepted")
	}
	if _, err := simulate.Place(cluster(t, nil), ds("a"), nil); err == nil {
		t.Error("nil DaemonSet accepted")
	}
	if _, err := simulate.Place(cluster(t, nil), ds("a"), ds("a")); err == nil {
		t.Error("duplicate DaemonSet accepted")
	}
}

func TestNodePool_BadInput(t *testing.T) {
	cases := []struct {
		name string
		pool *simulate.NodePool
		want string
	}{
		{"malformed quantity", simulate.NewNodePool("p", 1).Allocatable("four", "1Gi", 110), `nodePool[p].allocatable[cpu]: Invalid value: "four"`},
		{"negative count", simulate.NewNodePool("p", -1), "nodePool[p].count: Invalid value: -1"},
		{"too many NotReady", simulate.NewNodePool("p", 2).NotReady(3), "nodePool[p].notReady: Invalid value: 3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.pool.Build()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := simulate.BuildCluster(simulate.NewNodePool("a", 1), simulate.NewNodePool("a", 1)); err == nil {
		t.Error("duplicate names across pools accepted")
	}
}

// Place must not modify its inputs.
func TestPlacement_DoesNotModifyInputs(t *testing.T) {
	c, err := simulate.MixedCluster(1)
	if err != nil {
		t.Fatal(err)
	}
	d := ds("agent", func(s *corev1.PodSpec) {
		s.HostNetwork = true
		s.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 9100}}
		s.Containers[0].Resources = corev1.ResourceRequirements{Limits: corev1.ResourceList{"cpu": resource.MustParse("1")}}
	})
	before := d.DeepCopy()
	nodeBefore := c.Nodes()[0].DeepCopy()
	place(t, c, d, ds("other"))
	if d.Spec.Template.Spec.Containers[0].Ports[0].HostPort != 0 || d.Spec.Template.Spec.Containers[0].Resources.Requests != nil {
		t.Errorf("DaemonSet modified: %+v", d.Spec.Template.Spec.Containers[0])
	}
	if !equalJSON(t, before, d) || !equalJSON(t, nodeBefore, c.Nodes()[0]) {
		t.Error("inputs modified")
	}
}

// The published manifests of internal/testdata/manifests on the mixed production shape:
// P1 (dcgm-exporter has no GPU toleration: it never reaches the tainted GPU
// pool) and P4 (the device plugin, its sibling, does), P8 (flannel's
// required affinity keeps it off Windows).
func TestPlacement_PublishedManifestsOnMixedCluster(t *testing.T) {
	c, err := simulate.MixedCluster(1)
	if err != nil {
		t.Fatal(err)
	}
	load := func(name string) *appsv1.DaemonSet {
		t.Helper()
		objs, err := daemonset.DecodeFile(filepath.Join("..", "internal", "testdata", "manifests", name))
		if err != nil {
			t.Fatal(err)
		}
		if len(objs.DaemonSets) != 1 {
			t.Fatalf("%s: %d DaemonSets", name, len(objs.DaemonSets))
		}
		return objs.DaemonSets[0]
	}
	dcgm, plugin, flannel := load("dcgm-exporter.yaml"), load("nvidia-device-plugin.yaml"), load("kube-flannel.yaml")
	p := place(t, c, dcgm, plugin, flannel)
	d, dp, fl := p.DaemonSets[0], p.DaemonSets[1], p.DaemonSets[2]
	for i := range 8 {
		gpu := fmt.Sprintf("gpu-%d", i)
		simtest.AssertExcluded(t, d, gpu, daemonset.ReasonUntoleratedTaint)
		simtest.AssertRuns(t, dp, gpu)
	}
	// The small nodes have one free pod slot: the device plugin
	// (system-node-critical) binds first, dcgm-exporter stays Pending (S5).
	for i := range 4 {
		small := fmt.Sprintf("small-%d", i)
		simtest.AssertRuns(t, dp, small)
		simtest.AssertPending(t, d, small, simulate.PendingTooManyPods)
	}
	if lost := simulate.Diff(dp, d).Lost(); len(lost) != 12 {
		t.Errorf("siblings differ on %v, want the 8 GPU and 4 small nodes", lost)
	}
	for i := range 4 {
		simtest.AssertExcluded(t, fl, fmt.Sprintf("windows-%d", i), daemonset.ReasonNodeAffinity)
	}
}

// The daemon pod's priority is the Priority admission plugin's: a custom
// class gives its value (and wins a contended node); a class the cluster
// lacks, or spec.priority without a class, is refused: no pod, Refused on
// every node that should run one, desired but not current. Without the
// cluster's classes a custom class is read as 0 and named in a trap.
// upstream: plugin/pkg/admission/priority/admission_test.go TestPodAdmission
func TestPlacement_PriorityAdmission(t *testing.T) {
	objs, err := daemonset.Decode("classes.yaml", []byte(`apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: agents}
value: 100000
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: batch}
value: 10
globalDefault: true
`))
	if err != nil {
		t.Fatal(err)
	}
	nodes := pool(t, simulate.NewNodePool("n", 2).Allocatable("1", "4Gi", 110))
	// a workload pod written without spec.priority: admission gave it the
	// global default, 10
	objs.Nodes = nodes
	objs.Pods = []*corev1.Pod{pod("w", "n-0", "800m")}
	c, err := simulate.ClusterFromObjects(objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.PriorityClasses()) != 2 {
		t.Fatalf("classes = %v", c.PriorityClasses())
	}
	withClass := func(name string) func(*corev1.PodSpec) {
		return func(s *corev1.PodSpec) { s.PriorityClassName = name }
	}
	t.Run("custom class: its value, preempts the default-priority pod", func(t *testing.T) {
		p := place(t, c, ds("agent", requests("500m", "64Mi"), withClass("agents")))
		d := p.DaemonSets[0]
		if d.Priority.Priority != 100000 || d.Priority.ClassName != "agents" || d.Refused != nil {
			t.Fatalf("priority %+v, refused %v", d.Priority, d.Refused)
		}
		if n, _ := d.Node("n-0"); n.State != simulate.Runs || !slices.Equal(n.Preempts, []string{"default/w"}) {
			t.Errorf("n-0: %s, preempts %v", n.State, n.Preempts)
		}
	})
	t.Run("no class: the global default, equal to the workload's, no preemption", func(t *testing.T) {
		p := place(t, c, ds("agent", requests("500m", "64Mi")))
		if got := p.DaemonSets[0].Priority; got.Priority != 10 || got.ClassName != "batch" {
			t.Fatalf("priority %+v", got)
		}
		simtest.AssertPending(t, p.DaemonSets[0], "n-0", simulate.PendingInsufficientResource)
	})
	for _, tc := range []struct {
		name, field string
		mutate      func(*corev1.PodSpec)
	}{
		{"a class the cluster lacks", "spec.priorityClassName", withClass("missing")},
		{"spec.priority without a class", "spec.priority", func(s *corev1.PodSpec) { s.Priority = ptr.To[int32](1000) }},
	} {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			p := place(t, c, ds("agent", tc.mutate))
			d := p.DaemonSets[0]
			if d.Refused == nil || d.Refused.Field != tc.field {
				t.Fatalf("refused = %v", d.Refused)
			}
			if cnt := d.Counts(); cnt.Refused != 2 || cnt.Runs != 0 {
				t.Errorf("counts = %+v", cnt)
			}
			if s := d.Status(); s.DesiredNumberScheduled != 2 || s.CurrentNumberScheduled != 0 || s.NumberUnavailable != 2 {
				t.Errorf("status = %+v", s)
			}
			simtest.AssertTrap(t, p, simulate.TrapAdmissionRefused)
		})
	}
	t.Run("classes not given: a custom class is read as 0 and named", func(t *testing.T) {
		p := place(t, cluster(t, nodes), ds("agent", withClass("agents")))
		simtest.AssertRuns(t, p.DaemonSets[0], "n-0", "n-1")
		tr := simtest.AssertTrap(t, p, simulate.TrapPriorityClassNotGiven)
		if !strings.Contains(tr.Message, `"agents"`) {
			t.Errorf("message = %q", tr.Message)
		}
		p = place(t, cluster(t, nodes), ds("agent", func(s *corev1.PodSpec) { s.Priority = ptr.To[int32](1000) }))
		if r := p.DaemonSets[0].Refused; r == nil || !strings.Contains(r.Detail, "assuming no global default class") {
			t.Errorf("refused = %v", r)
		}
	})
}

// Preemption spares first the pods whose eviction would violate a
// PodDisruptionBudget, and counts those it evicts all the same.
// upstream: default_preemption_test.go TestSelectNodesForPreemption
// ("pods with PDB"), preemption/util.go FilterVictimsWithPDBViolation
func TestPlacement_PreemptionSparesPDBProtectedPods(t *testing.T) {
	prio := func(p int32) func(*corev1.Pod) { return func(pd *corev1.Pod) { pd.Spec.Priority = ptr.To(p) } }
	label := func(pd *corev1.Pod) { pd.Labels = map[string]string{"app": "web"} }
	critical := func(s *corev1.PodSpec) { s.PriorityClassName = "system-node-critical" }
	nodes := pool(t, simulate.NewNodePool("n", 1).Allocatable("1", "8Gi", 110))
	// web (PDB-protected) is the least important: without the PDB it goes
	web := pod("web", "n-0", "500m", prio(5), label)
	batch := pod("batch", "n-0", "500m", prio(10))
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web"},
		Spec:   policyv1.PodDisruptionBudgetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}},
		Status: policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: 0}}
	c := cluster(t, nodes, web, batch)
	p := place(t, c, ds("agent", requests("500m", "64Mi"), critical))
	if n, _ := p.DaemonSets[0].Node("n-0"); !slices.Equal(n.Preempts, []string{"default/web"}) || n.PreemptsViolatingPDBs != 0 {
		t.Fatalf("without the PDB: preempts %v (%d against a PDB)", n.Preempts, n.PreemptsViolatingPDBs)
	}
	withPDB, err := c.WithPodDisruptionBudgets(pdb)
	if err != nil {
		t.Fatal(err)
	}
	p = place(t, withPDB, ds("agent", requests("500m", "64Mi"), critical))
	if n, _ := p.DaemonSets[0].Node("n-0"); !slices.Equal(n.Preempts, []string{"default/batch"}) || n.PreemptsViolatingPDBs != 0 {
		t.Fatalf("with the PDB: preempts %v (%d against a PDB)", n.Preempts, n.PreemptsViolatingPDBs)
	}
	// needing both, the PDB is violated
	p = place(t, withPDB, ds("agent", requests("1", "64Mi"), critical))
	if n, _ := p.DaemonSets[0].Node("n-0"); !slices.Equal(n.Preempts, []string{"default/batch", "default/web"}) || n.PreemptsViolatingPDBs != 1 {
		t.Fatalf("needing both: preempts %v (%d against a PDB)", n.Preempts, n.PreemptsViolatingPDBs)
	}
}

// A template asking the scheduler for what the scheduler stage does not
// model is named in a trap, with what it asks.
func TestTraps_SchedulerNotModelled(t *testing.T) {
	other := pod("other", "n-0", "10m", func(p *corev1.Pod) { p.Namespace, p.Labels = "kube-system", map[string]string{"app": "other"} })
	c := cluster(t, pool(t, simulate.NewNodePool("n", 1)), other)
	p := place(t, c, ds("agent"))
	simtest.AssertNoTrap(t, p, simulate.TrapSchedulerNotModelled)
	p = place(t, c, ds("agent", func(s *corev1.PodSpec) {
		// modelled: no trap for these
		s.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
			TopologyKey: "kubernetes.io/hostname", LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "none"}}}}}}
		s.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: "kubernetes.io/hostname", WhenUnsatisfiable: corev1.DoNotSchedule}}
	}))
	simtest.AssertNoTrap(t, p, simulate.TrapSchedulerNotModelled)
	p = place(t, c, ds("agent", func(s *corev1.PodSpec) {
		s.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
			TopologyKey: "kubernetes.io/hostname", LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "other"}},
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "infra"}}}}}}
		s.SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/wait"}}
	}))
	tr := simtest.AssertTrap(t, p, simulate.TrapSchedulerNotModelled)
	if !strings.Contains(tr.Message, "namespace labels other than kubernetes.io/metadata.name (the cluster's Namespaces were not given), scheduling gates") {
		t.Errorf("message = %q", tr.Message)
	}
}

// The InterPodAffinity and PodTopologySpread filters on a daemon pod's node;
// cases after upstream's interpodaffinity/filtering_test.go TestRequiredAffinitySingleNode
// and podtopologyspread/filtering_test.go TestSingleConstraint.
func TestPlace_InterPodAffinityAndSpread(t *testing.T) {
	term := func(key string, app string) corev1.PodAffinityTerm {
		return corev1.PodAffinityTerm{TopologyKey: key, LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}}
	}
	anti := func(ts ...corev1.PodAffinityTerm) func(*corev1.PodSpec) {
		return func(s *corev1.PodSpec) {
			if s.Affinity == nil {
				s.Affinity = &corev1.Affinity{}
			}
			s.Affinity.PodAntiAffinity = &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: ts}
		}
	}
	aff := func(ts ...corev1.PodAffinityTerm) func(*corev1.PodSpec) {
		return func(s *corev1.PodSpec) {
			if s.Affinity == nil {
				s.Affinity = &corev1.Affinity{}
			}
			s.Affinity.PodAffinity = &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: ts}
		}
	}
	spread := func(c corev1.TopologySpreadConstraint) func(*corev1.PodSpec) {
		return func(s *corev1.PodSpec) { s.TopologySpreadConstraints = append(s.TopologySpreadConstraints, c) }
	}
	nodes := func() []*corev1.Node {
		ns := pool(t, simulate.NewNodePool("n", 3))
		for i, n := range ns {
			n.Labels[corev1.LabelTopologyZone] = []string{"z1", "z1", "z2"}[i]
		}
		delete(ns[2].Labels, corev1.LabelHostname)
		return ns
	}
	web := func(node string, f ...func(*corev1.Pod)) *corev1.Pod {
		return pod("web-"+node, node, "10m", append([]func(*corev1.Pod){func(p *corev1.Pod) { p.Namespace, p.Labels = "kube-system", map[string]string{"app": "web"} }}, f...)...)
	}
	withAnti := func(ts ...corev1.PodAffinityTerm) func(*corev1.Pod) {
		return func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: ts}}
		}
	}
	type want struct {
		state simulate.State
		kind  simulate.PendingKind
		held  string
	}
	for _, tc := range []struct {
		name string
		pods []*corev1.Pod
		ds   *appsv1.DaemonSet
		want [3]want // n-0, n-1, n-2
	}{
		{"anti-affinity per node: only the node holding the pod",
			[]*corev1.Pod{web("n-0")}, ds("agent", anti(term(corev1.LabelHostname, "web"))),
			[3]want{{simulate.Pending, simulate.PendingPodAntiAffinity, "kube-system/web-n-0"}, {state: simulate.Runs}, {state: simulate.Runs}}},
		{"anti-affinity per zone: the pod's zone",
			[]*corev1.Pod{web("n-0")}, ds("agent", anti(term(corev1.LabelTopologyZone, "web"))),
			[3]want{{simulate.Pending, simulate.PendingPodAntiAffinity, "kube-system/web-n-0"}, {simulate.Pending, simulate.PendingPodAntiAffinity, "kube-system/web-n-0"}, {state: simulate.Runs}}},
		{"anti-affinity of another namespace's pod: no match",
			[]*corev1.Pod{pod("web", "n-0", "10m", func(p *corev1.Pod) { p.Labels = map[string]string{"app": "web"} })}, ds("agent", anti(term(corev1.LabelHostname, "web"))),
			[3]want{{state: simulate.Runs}, {state: simulate.Runs}, {state: simulate.Runs}}},
		{"existing pod's anti-affinity matches the daemon pod",
			[]*corev1.Pod{web("n-1", withAnti(term(corev1.LabelTopologyZone, "agent")))}, ds("agent"),
			[3]want{{simulate.Pending, simulate.PendingExistingPodsAntiAffinity, "kube-system/web-n-1"}, {simulate.Pending, simulate.PendingExistingPodsAntiAffinity, "kube-system/web-n-1"}, {state: simulate.Runs}}},
		{"affinity: only where the pod's domain holds a match; a node without the key fails",
			[]*corev1.Pod{web("n-0")}, ds("agent", aff(term(corev1.LabelHostname, "web"))),
			[3]want{{state: simulate.Runs}, {simulate.Pending, simulate.PendingPodAffinity, ""}, {simulate.Pending, simulate.PendingPodAffinity, ""}}},
		{"affinity to itself with no match anywhere: the first pod is let in, then only its zone",
			nil, ds("agent", aff(term(corev1.LabelTopologyZone, "agent"))),
			[3]want{{state: simulate.Runs}, {state: simulate.Runs}, {simulate.Pending, simulate.PendingPodAffinity, ""}}},
		{"anti-affinity to itself per zone: one pod a zone, the first bound",
			nil, ds("agent", anti(term(corev1.LabelTopologyZone, "agent"))),
			[3]want{{state: simulate.Runs}, {simulate.Pending, simulate.PendingPodAntiAffinity, "daemonset kube-system/agent on n-0"}, {state: simulate.Runs}}},
		{"spread over every node: a pod in a fuller zone waits, then binds once the other zone has its pod",
			[]*corev1.Pod{web("n-2", func(p *corev1.Pod) { p.Labels["app"] = "agent-like" })}, ds("agent", spread(corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: corev1.LabelTopologyZone,
				WhenUnsatisfiable: corev1.DoNotSchedule, NodeAffinityPolicy: ptr.To(corev1.NodeInclusionPolicyIgnore), LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}}})),
			[3]want{{state: simulate.Runs}, {state: simulate.Runs}, {state: simulate.Runs}}},
		{"spread: a node without the topology key",
			nil, ds("agent", spread(corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: corev1.LabelHostname, WhenUnsatisfiable: corev1.DoNotSchedule,
				LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}}})),
			[3]want{{state: simulate.Runs}, {state: simulate.Runs}, {simulate.Pending, simulate.PendingTopologySpreadLabel, ""}}},
		{"spread: minDomains beyond the one domain a daemon pod counts",
			[]*corev1.Pod{web("n-0"), web("n-0", func(p *corev1.Pod) { p.Name = "web-2" })}, ds("agent", spread(corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: corev1.LabelTopologyZone,
				WhenUnsatisfiable: corev1.DoNotSchedule, MinDomains: ptr.To[int32](2), LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}})),
			[3]want{{simulate.Pending, simulate.PendingTopologySpread, ""}, {state: simulate.Runs}, {state: simulate.Runs}}},
		{"spread over every node (nodeAffinityPolicy Ignore): the fuller zone",
			[]*corev1.Pod{web("n-0"), web("n-1")}, ds("agent", spread(corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: corev1.LabelTopologyZone,
				WhenUnsatisfiable: corev1.DoNotSchedule, NodeAffinityPolicy: ptr.To(corev1.NodeInclusionPolicyIgnore), LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}})),
			[3]want{{simulate.Pending, simulate.PendingTopologySpread, ""}, {simulate.Pending, simulate.PendingTopologySpread, ""}, {state: simulate.Runs}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := place(t, cluster(t, nodes(), tc.pods...), tc.ds)
			for i, w := range tc.want {
				got := p.DaemonSets[0].Nodes[i]
				if got.State != w.state {
					t.Fatalf("%s: %s %v, want %s", got.Node, got.State, got.Pending, w.state)
				}
				if w.state != simulate.Pending {
					continue
				}
				if len(got.Pending) != 1 || got.Pending[0].Kind != w.kind || got.Pending[0].HeldBy != w.held {
					t.Errorf("%s: pending %+v, want %s held by %q", got.Node, got.Pending, w.kind, w.held)
				}
			}
		})
	}
}

// Daemon pods that meet across nodes (Place does not see them) and a
// surge that the template's anti-affinity stalls.
func TestTraps_DaemonPodsInteractAndSurgeAntiAffinity(t *testing.T) {
	antiSelf := func(key string, matchKeys ...string) func(*corev1.PodSpec) {
		return func(s *corev1.PodSpec) {
			s.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
				TopologyKey: key, LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}}, MatchLabelKeys: matchKeys}}}}
		}
	}
	nodes := pool(t, simulate.NewNodePool("n", 2).Label(corev1.LabelTopologyZone, "z1"))
	surge := func(d *appsv1.DaemonSet) *appsv1.DaemonSet {
		one, zero := intstr.FromInt32(1), intstr.FromInt32(0)
		d.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
			RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: &one, MaxUnavailable: &zero}}
		return d
	}
	for _, tc := range []struct {
		name                string
		ds                  *appsv1.DaemonSet
		interact, surgeTrap bool
	}{
		{"per node, own pods (Cilium's chart)", ds("agent", antiSelf(corev1.LabelHostname)), false, false},
		{"per zone, own pods", ds("agent", antiSelf(corev1.LabelTopologyZone)), true, false},
		{"per node, surge", surge(ds("agent", antiSelf(corev1.LabelHostname))), false, true},
		{"per node, surge, same revision only", surge(ds("agent", antiSelf(corev1.LabelHostname, "controller-revision-hash"))), false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := place(t, cluster(t, nodes), tc.ds)
			want := 2
			if tc.interact {
				want = 1 // one zone: the first bound keeps the other off
			}
			if got := p.DaemonSets[0].Counts(); got.Runs != want {
				t.Errorf("counts %+v, want %d Runs", got, want)
			}
			if tc.interact {
				simtest.AssertTrap(t, p, simulate.TrapDaemonPodsInteract)
			} else {
				simtest.AssertNoTrap(t, p, simulate.TrapDaemonPodsInteract)
			}
			if tc.surgeTrap {
				simtest.AssertTrap(t, p, simulate.TrapSurgeAntiAffinity)
			} else {
				simtest.AssertNoTrap(t, p, simulate.TrapSurgeAntiAffinity)
			}
			simtest.AssertNoTrap(t, p, simulate.TrapSchedulerNotModelled)
		})
	}
}
