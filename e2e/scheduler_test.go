package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/e2e/harness"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/live"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// The scheduler stage against the real kube-scheduler and API server: four
// KWOK nodes of 1 cpu — one free, one full of a high-priority pod's cpu,
// one whose host port 9100 a high-priority pod holds, one full of a
// priority-0 pod — and a DaemonSet of a custom PriorityClass asking 200m cpu
// and host port 9100. Place, on the cluster as simulate/live reads it
// before the DaemonSet exists, predicts: Runs on the free node, Pending
// ("Insufficient cpu", "didn't have free ports") on the next two, Runs by
// preempting the priority-0 pod on the last; the daemon pods get the
// class's priority. The real scheduler binds, leaves Pending with those
// reasons and evicts exactly that.
// upstream: test/e2e/scheduling/preemption.go ("validates basic preemption
// works"), predicates.go ("validates resource limits of pods that are
// allowed to run", "validates that there is no conflict between pods with
// same hostPort")
func TestSchedulerStageMatchesRealScheduler(t *testing.T) {
	cs := client(t)
	ctx := testContext(t, 6*time.Minute)
	const group, ns = "sched", "e2e-sched"
	var nodes []*corev1.Node
	for _, name := range []string{"sched-free", "sched-full", "sched-port", "sched-preempt"} {
		n := inGroup(harness.FakeNode(name), group)
		for _, rl := range []corev1.ResourceList{n.Status.Allocatable, n.Status.Capacity} {
			rl[corev1.ResourceCPU] = resource.MustParse("1")
		}
		nodes = append(nodes, n)
	}
	createNodes(t, ctx, cs, nodes)
	if err := harness.CreateNamespace(ctx, cs, ns); err != nil {
		t.Fatal(err)
	}
	classes := []*schedulingv1.PriorityClass{
		{ObjectMeta: metav1.ObjectMeta{Name: "e2e-sched-agents"}, Value: 100000},
		{ObjectMeta: metav1.ObjectMeta{Name: "e2e-sched-high"}, Value: 1000000},
	}
	for _, pc := range classes {
		if _, err := cs.SchedulingV1().PriorityClasses().Create(ctx, pc, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = cs.SchedulingV1().PriorityClasses().Delete(context.Background(), pc.Name, metav1.DeleteOptions{})
		})
	}
	workload := func(name, node, cpu, class string, port int32) *corev1.Pod {
		c := corev1.Container{Name: "app", Image: "registry.k8s.io/pause:3.10",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}}}
		if port > 0 {
			c.Ports = []corev1.ContainerPort{{ContainerPort: port, HostPort: port}}
		}
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": "workload"}, Annotations: harness.PodDelays(0, 0, 0)},
			Spec: corev1.PodSpec{NodeName: node, PriorityClassName: class, Containers: []corev1.Container{c},
				TerminationGracePeriodSeconds: new(int64)},
		}
	}
	createRunning(t, ctx, cs, ns,
		workload("fill", "sched-full", "900m", "e2e-sched-high", 0),
		workload("port", "sched-port", "100m", "e2e-sched-high", 9100),
		workload("victim", "sched-preempt", "900m", "", 0))

	ds := validAgent("agent")
	ds.Namespace = ns
	ds.Spec.Template.Annotations = harness.PodDelays(0, 0, 0)
	spec := &ds.Spec.Template.Spec
	spec.NodeSelector = map[string]string{groupLabel: group}
	spec.PriorityClassName = "e2e-sched-agents"
	spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m")}
	spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 9100, HostPort: 9100}}

	// The prediction, from the cluster as read before the DaemonSet exists.
	snap, err := live.ReadFrom(ctx, cs, live.Request{Templates: []*appsv1.DaemonSet{ds}, SchedulerStage: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Warnings) > 0 {
		t.Fatalf("live read warnings: %v", snap.Warnings)
	}
	pl, err := simulate.Place(snap.Cluster, ds)
	if err != nil {
		t.Fatal(err)
	}
	d := pl.DaemonSets[0]
	if d.Refused != nil || d.Priority.Priority != 100000 {
		t.Fatalf("Place: priority %+v, refused %v", d.Priority, d.Refused)
	}
	predicted := map[string]simulate.NodePlacement{}
	for _, n := range nodes {
		np, _ := d.Node(n.Name)
		predicted[n.Name] = np
	}
	want := map[string]string{"sched-free": "Runs", "sched-full": "Pending", "sched-port": "Pending", "sched-preempt": "Runs"}
	for name, st := range want {
		if predicted[name].State.String() != st {
			t.Fatalf("Place on %s: %s %v, this test expects %s", name, predicted[name].State, predicted[name].Pending, st)
		}
	}
	if got := predicted["sched-preempt"].Preempts; !slices.Equal(got, []string{ns + "/victim"}) {
		t.Fatalf("Place preempts %v on sched-preempt", got)
	}

	// What the real control plane does.
	stored, err := cs.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// pending reason the scheduler writes, by the Place reason kinds
	reasonText := map[simulate.PendingKind]string{
		simulate.PendingInsufficientResource: "Insufficient cpu",
		simulate.PendingHostPortConflict:     "didn't have free ports for the requested pod ports",
	}
	err = harness.Poll(ctx, 3*time.Minute, time.Second, func() (bool, string, error) {
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=agent"})
		if err != nil {
			return false, "", err
		}
		byNode := map[string]*corev1.Pod{}
		for i := range pods.Items {
			p := &pods.Items[i]
			if ref := metav1.GetControllerOf(p); ref == nil || ref.UID != stored.UID || p.DeletionTimestamp != nil {
				continue
			}
			byNode[daemonPodTarget(p)] = p
		}
		for name, np := range predicted {
			p := byNode[name]
			if p == nil {
				return false, "no daemon pod for " + name + " yet", nil
			}
			if p.Spec.Priority == nil || *p.Spec.Priority != d.Priority.Priority {
				return false, "", fmt.Errorf("daemon pod on %s has priority %v, Place said %d", name, p.Spec.Priority, d.Priority.Priority)
			}
			switch np.State {
			case simulate.Runs:
				if p.Spec.NodeName != name {
					return false, "daemon pod for " + name + " not bound yet", nil
				}
			case simulate.Pending:
				msg := unschedulableMessage(p)
				if msg == "" {
					return false, "daemon pod for " + name + " not yet found unschedulable", nil
				}
				if p.Spec.NodeName != "" {
					return false, "", fmt.Errorf("daemon pod bound to %s, Place said Pending: %v", name, np.Pending)
				}
				for _, r := range np.Pending {
					if !strings.Contains(msg, reasonText[r.Kind]) {
						return false, "", fmt.Errorf("on %s the scheduler says %q; Place said %s", name, msg, r.Message)
					}
				}
			}
		}
		if _, err := cs.CoreV1().Pods(ns).Get(ctx, "victim", metav1.GetOptions{}); err == nil {
			return false, "victim not evicted yet", nil
		}
		for _, keep := range []string{"fill", "port"} {
			p, err := cs.CoreV1().Pods(ns).Get(ctx, keep, metav1.GetOptions{})
			if err != nil || p.DeletionTimestamp != nil {
				return false, "", fmt.Errorf("pod %s was evicted; Place preempted only victim (%v)", keep, err)
			}
		}
		return true, "", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("real scheduler: Runs on sched-free, Pending on sched-full (Insufficient cpu) and sched-port (host port), Runs on sched-preempt after evicting %s/victim: as Place predicted", ns)
	_ = cs.AppsV1().DaemonSets(ns).Delete(ctx, ds.Name, metav1.DeleteOptions{})
}

// daemonPodTarget is the node a daemon pod is for: its node affinity's
// metadata.name (the DaemonSet controller pins each pod so), else its
// spec.nodeName.
func daemonPodTarget(p *corev1.Pod) string {
	if a := p.Spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		for _, term := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
			for _, f := range term.MatchFields {
				if f.Key == "metadata.name" && len(f.Values) == 1 {
					return f.Values[0]
				}
			}
		}
	}
	return p.Spec.NodeName
}

// unschedulableMessage is the message of the PodScheduled=False condition
// the scheduler writes on a pod it cannot place ("" if none yet).
func unschedulableMessage(p *corev1.Pod) string {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			return c.Message
		}
	}
	return ""
}

// Inter-pod affinity, anti-affinity and topology spread against the real
// kube-scheduler: six KWOK nodes with zones — a free one; two in the zone of
// a db pod the agent's anti-affinity (per zone) avoids; one holding a pod
// whose own anti-affinity (per node) refuses agents; one without a zone
// label (the agent spreads over zones); one holding two cache pods that the
// agent's second spread constraint (per node, minDomains 2) counts — and a
// second DaemonSet with a pod affinity (per node) to the cache pods. Place,
// on the cluster as simulate/live reads it before the DaemonSets exist,
// predicts Runs on the free node and each node's failing filter; the real
// scheduler binds and writes those reasons.
// upstream: test/e2e/scheduling/predicates.go ("validates that InterPodAntiAffinity
// is respected if matching", "validates that InterPodAffinity is respected if
// matching"), test/integration/scheduler/filters TestPodTopologySpreadFilter
func TestInterPodAffinityAndSpreadMatchRealScheduler(t *testing.T) {
	cs := client(t)
	ctx := testContext(t, 6*time.Minute)
	const group, ns = "ipa", "e2e-ipa"
	zones := map[string]string{"ipa-free": "e2e-za", "ipa-db": "e2e-zb", "ipa-db2": "e2e-zb", "ipa-guard": "e2e-zc", "ipa-nozone": "", "ipa-skew": "e2e-zd"}
	var nodes []*corev1.Node
	for _, name := range []string{"ipa-db", "ipa-db2", "ipa-free", "ipa-guard", "ipa-nozone", "ipa-skew"} {
		n := inGroup(harness.FakeNode(name), group)
		if z := zones[name]; z != "" {
			n.Labels[corev1.LabelTopologyZone] = z
		}
		nodes = append(nodes, n)
	}
	createNodes(t, ctx, cs, nodes)
	if err := harness.CreateNamespace(ctx, cs, ns); err != nil {
		t.Fatal(err)
	}
	workload := func(name, node, app string, anti *corev1.PodAntiAffinity) *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": app}, Annotations: harness.PodDelays(0, 0, 0)},
			Spec: corev1.PodSpec{NodeName: node, Affinity: &corev1.Affinity{PodAntiAffinity: anti},
				Containers:                    []corev1.Container{{Name: "app", Image: "registry.k8s.io/pause:3.10"}},
				TerminationGracePeriodSeconds: new(int64)},
		}
	}
	sel := func(app string) *metav1.LabelSelector {
		return &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}
	}
	refuseAgents := &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
		TopologyKey: corev1.LabelHostname, LabelSelector: sel("agent")}}}
	createRunning(t, ctx, cs, ns,
		workload("db", "ipa-db", "db", nil),
		workload("guard", "ipa-guard", "guard", refuseAgents),
		workload("cache-1", "ipa-skew", "cache", nil),
		workload("cache-2", "ipa-skew", "cache", nil))

	agent := validAgent("agent")
	agent.Namespace = ns
	agent.Spec.Template.Annotations = harness.PodDelays(0, 0, 0)
	spec := &agent.Spec.Template.Spec
	spec.NodeSelector = map[string]string{groupLabel: group}
	spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
		TopologyKey: corev1.LabelTopologyZone, LabelSelector: sel("db")}}}}
	spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{
		{MaxSkew: 1, TopologyKey: corev1.LabelTopologyZone, WhenUnsatisfiable: corev1.DoNotSchedule, LabelSelector: sel("agent")},
		{MaxSkew: 1, TopologyKey: corev1.LabelHostname, WhenUnsatisfiable: corev1.DoNotSchedule, LabelSelector: sel("cache"), MinDomains: new(int32(2))},
	}
	near := validAgent("near-cache")
	near.Namespace = ns
	near.Spec.Template.Annotations = harness.PodDelays(0, 0, 0)
	near.Spec.Template.Spec.NodeSelector = map[string]string{groupLabel: group}
	near.Spec.Template.Spec.Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
		TopologyKey: corev1.LabelHostname, LabelSelector: sel("cache")}}}}
	// one pod a zone: its pods repel each other per zone, across nodes
	zonal := validAgent("one-per-zone")
	zonal.Namespace = ns
	zonal.Spec.Template.Annotations = harness.PodDelays(0, 0, 0)
	zonal.Spec.Template.Spec.NodeSelector = map[string]string{groupLabel: group}
	zonal.Spec.Template.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
		TopologyKey: corev1.LabelTopologyZone, LabelSelector: sel("one-per-zone")}}}}
	dss := []*appsv1.DaemonSet{agent, near, zonal}

	// The prediction, from the cluster as read before the DaemonSets exist.
	snap, err := live.ReadFrom(ctx, cs, live.Request{Templates: dss, SchedulerStage: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Warnings) > 0 {
		t.Fatalf("live read warnings: %v", snap.Warnings)
	}
	pl, err := simulate.Place(snap.Cluster, dss...)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]simulate.PendingKind{
		"agent": {"ipa-free": "", "ipa-db": simulate.PendingPodAntiAffinity, "ipa-db2": simulate.PendingPodAntiAffinity,
			"ipa-guard": simulate.PendingExistingPodsAntiAffinity, "ipa-nozone": simulate.PendingTopologySpreadLabel, "ipa-skew": simulate.PendingTopologySpread},
		"near-cache": {"ipa-free": simulate.PendingPodAffinity, "ipa-db": simulate.PendingPodAffinity, "ipa-db2": simulate.PendingPodAffinity,
			"ipa-guard": simulate.PendingPodAffinity, "ipa-nozone": simulate.PendingPodAffinity, "ipa-skew": ""},
	}
	for _, d := range pl.DaemonSets {
		for node, kind := range want[d.DaemonSet.Name] {
			np, _ := d.Node(node)
			got := simulate.PendingKind("")
			if np.State == simulate.Pending {
				got = np.Pending[0].Kind
			}
			if (kind == "") != (np.State == simulate.Runs) || got != kind {
				t.Fatalf("Place %s on %s: %s %v, this test expects %q", d.DaemonSet.Name, node, np.State, np.Pending, kind)
			}
		}
	}
	interact := false
	for _, tr := range pl.Traps {
		switch {
		case tr.Kind == simulate.TrapDaemonPodsInteract && tr.DaemonSet == ns+"/one-per-zone":
			interact = true
		case tr.Kind == simulate.TrapSchedulerNotModelled || tr.Kind == simulate.TrapDaemonPodsInteract:
			t.Fatalf("Place: unexpected trap %s", tr)
		}
	}
	if !interact {
		t.Fatalf("Place: no DaemonPodsInteract trap for one-per-zone: %v", pl.Traps)
	}
	// one-per-zone: which of the two nodes of e2e-zb gets the pod is the
	// scheduler's order; Place's count per zone is the cluster's
	zonalRuns := map[string]int{}
	for _, np := range pl.DaemonSet(ns, "one-per-zone").Nodes {
		if np.State == simulate.Runs {
			zonalRuns[zones[np.Node]]++
		}
	}
	if want := map[string]int{"e2e-za": 1, "e2e-zb": 1, "e2e-zc": 1, "e2e-zd": 1, "": 1}; fmt.Sprint(zonalRuns) != fmt.Sprint(want) {
		t.Fatalf("Place one-per-zone runs per zone %v, want %v", zonalRuns, want)
	}

	// What the real control plane does.
	uids := map[string]string{}
	for _, ds := range dss {
		stored, err := cs.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		uids[string(stored.UID)] = ds.Name
	}
	// the scheduler's words, by Place's reason kinds
	reasonText := map[simulate.PendingKind]string{
		simulate.PendingPodAffinity:              "didn't match pod affinity rules",
		simulate.PendingPodAntiAffinity:          "didn't match pod anti-affinity rules",
		simulate.PendingExistingPodsAntiAffinity: "didn't satisfy existing pods anti-affinity rules",
		simulate.PendingTopologySpread:           "didn't match pod topology spread constraints",
		simulate.PendingTopologySpreadLabel:      "didn't match pod topology spread constraints (missing required label)",
	}
	err = harness.Poll(ctx, 3*time.Minute, time.Second, func() (bool, string, error) {
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, "", err
		}
		byDS := map[string]map[string]*corev1.Pod{}
		for i := range pods.Items {
			p := &pods.Items[i]
			ref := metav1.GetControllerOf(p)
			if ref == nil || uids[string(ref.UID)] == "" || p.DeletionTimestamp != nil {
				continue
			}
			name := uids[string(ref.UID)]
			if byDS[name] == nil {
				byDS[name] = map[string]*corev1.Pod{}
			}
			byDS[name][daemonPodTarget(p)] = p
		}
		for dsName, nodes := range want {
			for node, kind := range nodes {
				p := byDS[dsName][node]
				if p == nil {
					return false, fmt.Sprintf("no %s pod for %s yet", dsName, node), nil
				}
				if kind == "" {
					if p.Spec.NodeName != node {
						return false, fmt.Sprintf("%s pod for %s not bound yet", dsName, node), nil
					}
					continue
				}
				msg := unschedulableMessage(p)
				if msg == "" {
					return false, fmt.Sprintf("%s pod for %s not yet found unschedulable", dsName, node), nil
				}
				if p.Spec.NodeName != "" {
					return false, "", fmt.Errorf("%s pod bound to %s, Place said Pending (%s)", dsName, node, kind)
				}
				if !strings.Contains(msg, reasonText[kind]+",") && !strings.HasSuffix(msg, reasonText[kind]+".") {
					return false, "", fmt.Errorf("%s on %s: the scheduler says %q; Place said %s", dsName, node, msg, kind)
				}
			}
		}
		// one-per-zone: a pod bound in each zone (and on the node without
		// one), the other of e2e-zb unschedulable for its anti-affinity
		perZone := map[string]int{}
		unsched := 0
		for node, p := range byDS["one-per-zone"] {
			switch {
			case p.Spec.NodeName != "":
				perZone[zones[node]]++
			case strings.Contains(unschedulableMessage(p), reasonText[simulate.PendingPodAntiAffinity]):
				unsched++
			}
		}
		if unsched != 1 || fmt.Sprint(perZone) != fmt.Sprint(zonalRuns) {
			return false, fmt.Sprintf("one-per-zone: bound per zone %v, %d unschedulable", perZone, unsched), nil
		}
		return true, "", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("real scheduler: agent Runs on ipa-free and is Pending on the other five with Place's reasons (anti-affinity per zone, an existing pod's anti-affinity, spread: missing zone label, minDomains skew); near-cache Runs only beside the cache pods; one-per-zone binds one pod a zone: as Place predicted")
	for _, ds := range dss {
		_ = cs.AppsV1().DaemonSets(ns).Delete(ctx, ds.Name, metav1.DeleteOptions{})
	}
}

// createRunning creates pods in namespace ns (the only pods there) and
// waits until all of them run.
func createRunning(t *testing.T, ctx context.Context, cs kubernetes.Interface, ns string, pods ...*corev1.Pod) {
	t.Helper()
	for _, p := range pods {
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := harness.Poll(ctx, 2*time.Minute, 500*time.Millisecond, func() (bool, string, error) {
		l, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, "", err
		}
		running := 0
		for _, p := range l.Items {
			if p.Status.Phase == corev1.PodRunning {
				running++
			}
		}
		return running == len(pods), fmt.Sprintf("%d of %d workload pods running", running, len(pods)), nil
	}); err != nil {
		t.Fatal(err)
	}
}
