package conformance

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
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
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/apis/core"
	corev1conv "k8s.io/kubernetes/pkg/apis/core/v1"
	"k8s.io/kubernetes/pkg/controller/daemon"
	podregistry "k8s.io/kubernetes/pkg/registry/core/pod"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/names"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodeports"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodeunschedulable"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/podtopologyspread"
	"k8s.io/utils/ptr"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate"
)

// schedCase is one random cluster and DaemonSet for the scheduler-stage
// differential.
type schedCase struct {
	nodes   []*corev1.Node
	pods    []*corev1.Pod
	dss     []*appsv1.DaemonSet
	classes []*schedulingv1.PriorityClass
	pdbs    []*policyv1.PodDisruptionBudget
}

// schedGen draws the pieces of a schedCase from one seed.
type schedGen struct {
	r *rand.Rand
	// start hands out distinct pod start times: upstream orders victims of
	// equal priority by start time and leaves exact ties in its cache's
	// arbitrary order (util.MoreImportantPod), so the cases have none.
	start int64
}

func (g *schedGen) pick(vs ...string) string { return vs[g.r.IntN(len(vs))] }
func (g *schedGen) chance(p float64) bool    { return g.r.Float64() < p }

// resources draws a small ResourceList over the resources the scheduler
// counts: cpu, memory, ephemeral-storage, an extended resource, hugepages.
func (g *schedGen) resources() corev1.ResourceList {
	out := corev1.ResourceList{}
	if g.chance(0.8) {
		out[corev1.ResourceCPU] = resource.MustParse(g.pick("0", "50m", "100m", "250m", "500m", "1", "1500m")[:])
	}
	if g.chance(0.6) {
		out[corev1.ResourceMemory] = resource.MustParse(g.pick("0", "64Mi", "128Mi", "512Mi", "1Gi"))
	}
	if g.chance(0.06) {
		out[corev1.ResourceEphemeralStorage] = resource.MustParse(g.pick("100Mi", "1Gi", "5Gi"))
	}
	if g.chance(0.06) {
		out["example.com/gpu"] = resource.MustParse(g.pick("1", "2"))
	}
	if g.chance(0.04) {
		out["hugepages-2Mi"] = resource.MustParse(g.pick("2Mi", "4Mi"))
	}
	return out
}

// container draws a container with requests, limits (limits alone default
// the requests when stored), and maybe host ports.
func (g *schedGen) container(name string, hostNetwork bool) corev1.Container {
	c := corev1.Container{Name: name, Image: "registry.example/x:1"}
	switch g.r.IntN(4) {
	case 0:
	case 1:
		c.Resources.Requests = g.resources()
	case 2:
		c.Resources.Limits = g.resources()
	default:
		c.Resources.Requests = g.resources()
		c.Resources.Limits = g.resources()
		for k, v := range c.Resources.Requests {
			if l, ok := c.Resources.Limits[k]; ok && l.Cmp(v) < 0 {
				c.Resources.Limits[k] = v
			}
		}
	}
	if g.chance(0.25) || hostNetwork && g.chance(0.5) {
		port := int32(g.pick2(8080, 9100))
		cp := corev1.ContainerPort{ContainerPort: port, Protocol: corev1.Protocol(g.pick("TCP", "UDP", "TCP"))}
		if !hostNetwork {
			cp.HostPort = port
			cp.HostIP = g.pick("", "", "127.0.0.1", "10.0.0.1", "0.0.0.0")
		}
		c.Ports = append(c.Ports, cp)
	}
	return c
}

func (g *schedGen) pick2(a, b int) int {
	if g.chance(0.5) {
		return a
	}
	return b
}

// podSpec draws containers, init containers, sidecars, overhead and
// pod-level resources.
func (g *schedGen) podSpec() corev1.PodSpec {
	var s corev1.PodSpec
	s.HostNetwork = g.chance(0.15)
	for i := range 1 + g.r.IntN(2) {
		s.Containers = append(s.Containers, g.container(fmt.Sprintf("c%d", i), s.HostNetwork))
	}
	for i := range g.r.IntN(3) {
		c := g.container(fmt.Sprintf("i%d", i), s.HostNetwork)
		if g.chance(0.5) {
			c.RestartPolicy = ptr.To(corev1.ContainerRestartPolicyAlways) // sidecar
		} else {
			c.Ports = nil
		}
		s.InitContainers = append(s.InitContainers, c)
	}
	if g.chance(0.15) {
		s.Overhead = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(g.pick("10m", "250m")),
			corev1.ResourceMemory: resource.MustParse("120Mi")}
	}
	if g.chance(0.12) {
		s.Resources = &corev1.ResourceRequirements{}
		if g.chance(0.7) {
			s.Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(g.pick("200m", "1", "2"))}
		}
		if g.chance(0.5) {
			s.Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("3"), corev1.ResourceMemory: resource.MustParse(g.pick("1Gi", "2Gi"))}
		}
	}
	return s
}

// node draws a node: allocatable (or only capacity, or nothing), labels,
// taints, cordon.
func (g *schedGen) node(i int) *corev1.Node {
	name := fmt.Sprintf("node-%d", i)
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
		corev1.LabelHostname: name, corev1.LabelOSStable: "linux", "pool": g.pick("a", "b")}}}
	rl := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse(g.pick("0", "500m", "1", "2", "4", "8", "16")),
		corev1.ResourceMemory: resource.MustParse(g.pick("0", "512Mi", "1Gi", "4Gi", "16Gi", "64Gi")),
		corev1.ResourcePods:   resource.MustParse(g.pick("0", "1", "2", "3", "5", "110", "110", "110", "110", "110", "110")),
	}
	if g.chance(0.5) {
		rl[corev1.ResourceEphemeralStorage] = resource.MustParse(g.pick("1Gi", "10Gi", "100Gi"))
	}
	if g.chance(0.3) {
		rl["example.com/gpu"] = resource.MustParse(g.pick("0", "1", "2", "4"))
	}
	if g.chance(0.2) {
		rl["hugepages-2Mi"] = resource.MustParse(g.pick("0", "4Mi", "8Mi"))
	}
	switch g.r.IntN(10) {
	case 0: // capacity only: the API server stores allocatable = capacity
		n.Status.Capacity = rl
	case 1: // nothing reported
	default:
		n.Status.Capacity = rl
		n.Status.Allocatable = rl.DeepCopy()
	}
	if g.chance(0.2) {
		n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: "dedicated", Value: "infra", Effect: corev1.TaintEffect(g.pick("NoSchedule", "PreferNoSchedule", "NoExecute"))})
	}
	n.Spec.Unschedulable = g.chance(0.1)
	// topology labels for inter-pod affinity and spread: a zone most
	// nodes have, a rack some have, now and then no hostname label
	if g.chance(0.8) {
		n.Labels[corev1.LabelTopologyZone] = g.pick("z1", "z2")
	}
	if g.chance(0.5) {
		n.Labels["rack"] = g.pick("r1", "r2")
	}
	if g.chance(0.08) {
		delete(n.Labels, corev1.LabelHostname)
	}
	n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}
	daemonset.SetNodeDefaults(n)
	return n
}

var schedPriorities = []int32{-5, 0, 0, 10, 1000, 2000000000}

// pod draws an existing pod, as the API server stores it (defaults, priority
// resolved by admission), maybe being resized, maybe terminal or unbound.
func (g *schedGen) pod(ns, name, node string, startNil bool) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(ns + "/" + name)}, Spec: g.podSpec()}
	if app := g.pick("web", "db", ""); app != "" {
		p.Labels = map[string]string{"app": app}
	}
	if ns == "kube-system" && g.chance(0.5) {
		// beside the agents: what their spread and anti-affinity terms
		// count
		p.Labels = map[string]string{"app": "web"}
	}
	// (an agent's label in kube-system would make the pod an orphan its
	// DaemonSet adopts: not drawn)
	if ns != "kube-system" && g.chance(0.1) {
		if p.Labels == nil {
			p.Labels = map[string]string{}
		}
		p.Labels["app"] = g.pick("agent-0", "agent-1")
	}
	if g.chance(0.15) {
		p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{}}
		for range 1 + g.r.IntN(2) {
			p.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution = append(
				p.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution, g.affinityTerm("web", false))
		}
	}
	if g.chance(0.04) {
		p.DeletionTimestamp = &metav1.Time{Time: time.Unix(1_800_000_000, 0).UTC()}
	}
	p.Spec.NodeName = node
	p.Spec.Priority = ptr.To(schedPriorities[g.r.IntN(len(schedPriorities))])
	p.Spec.PreemptionPolicy = ptr.To(corev1.PreemptLowerPriority)
	p.Status.Phase = corev1.PodRunning
	switch g.r.IntN(20) {
	case 0:
		p.Status.Phase = corev1.PodSucceeded
	case 1:
		p.Status.Phase = corev1.PodFailed
	case 2:
		p.Status.Phase = corev1.PodPending
	case 3:
		p.Spec.NodeName = ""
		p.Status.Phase = corev1.PodPending
	case 4:
		p.Spec.NodeName = "node-gone"
	}
	if !startNil {
		g.start += 1 + g.r.Int64N(100)
		p.Status.StartTime = &metav1.Time{Time: time.Unix(1_700_000_000+g.start, 0).UTC()}
	}
	// an in-place resize in progress: the status reports other requests
	if g.chance(0.2) {
		for _, c := range p.Spec.Containers {
			st := corev1.ContainerStatus{Name: c.Name}
			if g.chance(0.7) {
				st.Resources = &corev1.ResourceRequirements{Requests: g.resources()}
			}
			if g.chance(0.4) {
				st.AllocatedResources = g.resources()
			}
			p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, st)
		}
		if g.chance(0.3) {
			p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: corev1.PodResizePending, Status: corev1.ConditionTrue,
				Reason: g.pick(corev1.PodReasonInfeasible, corev1.PodReasonDeferred)})
		}
		if p.Spec.Resources != nil && g.chance(0.5) {
			p.Status.Resources = &corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(g.pick("100m", "3"))}}
			p.Status.AllocatedResources = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(g.pick("100m", "3"))}
		}
	}
	return daemonset.WithPodOnlyDefaults(p)
}

// affinityTerm draws a required pod (anti-)affinity term: a topology key
// (per node, per zone, per rack), a selector (the pod's own app, workload
// apps, the agents' apps, nil), the namespaces it reads (its own, a list, all,
// one by kubernetes.io/metadata.name, by the team label of the Namespace
// objects) and, on a template, matchLabelKeys.
func (g *schedGen) affinityTerm(own string, template bool) corev1.PodAffinityTerm {
	t := corev1.PodAffinityTerm{TopologyKey: g.pick(corev1.LabelHostname, corev1.LabelHostname, corev1.LabelTopologyZone, "rack")}
	switch g.r.IntN(6) {
	case 0: // nil selector: matches nothing
	case 1, 2:
		t.LabelSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": own}}
	case 3:
		t.LabelSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "app", Operator: metav1.LabelSelectorOpIn, Values: []string{g.pick("web", "db"), g.pick("agent-0", "agent-1")}}}}
	case 4:
		t.LabelSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": g.pick("web", "db", "agent-0", "agent-1")}}
	default:
		t.LabelSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "app", Operator: metav1.LabelSelectorOpExists}}}
	}
	switch g.r.IntN(8) {
	case 0:
		t.Namespaces = []string{g.pick("default", "team-a", "kube-system", "team-b")}
	case 1:
		t.Namespaces = []string{"default", "kube-system"}
	case 2:
		t.NamespaceSelector = &metav1.LabelSelector{}
	case 3:
		t.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: g.pick("default", "team-a", "kube-system", "team-b")}}
	case 4:
		t.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"team": g.pick("a", "b")}}
	case 5:
		// on the team label (which kube-system lacks and team-b, without a
		// Namespace object, reads as lacking), with a list beside it
		op := metav1.LabelSelectorOperator(g.pick("In", "NotIn", "Exists", "DoesNotExist"))
		r := metav1.LabelSelectorRequirement{Key: "team", Operator: op}
		if op == metav1.LabelSelectorOpIn || op == metav1.LabelSelectorOpNotIn {
			r.Values = []string{g.pick("a", "b")}
		}
		t.NamespaceSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{r}}
		if g.chance(0.3) {
			t.Namespaces = []string{g.pick("default", "team-b")}
		}
	}
	if template && t.LabelSelector != nil && g.chance(0.25) {
		t.MatchLabelKeys = []string{daemonset.ControllerRevisionHashLabel}
	}
	return t
}

// spread draws a topology spread constraint of a template.
func (g *schedGen) spread(own string) corev1.TopologySpreadConstraint {
	c := corev1.TopologySpreadConstraint{MaxSkew: 1 + int32(g.r.IntN(2)),
		TopologyKey:       g.pick(corev1.LabelTopologyZone, corev1.LabelTopologyZone, corev1.LabelHostname, "rack"),
		WhenUnsatisfiable: corev1.UnsatisfiableConstraintAction(g.pick("DoNotSchedule", "DoNotSchedule", "DoNotSchedule", "ScheduleAnyway")),
		LabelSelector:     &metav1.LabelSelector{MatchLabels: map[string]string{"app": g.pick(own, "web", "web", "agent-1")}}}
	if c.WhenUnsatisfiable == corev1.DoNotSchedule && g.chance(0.4) {
		c.MinDomains = ptr.To(1 + int32(g.r.IntN(3)))
	}
	switch g.r.IntN(3) {
	case 1:
		c.NodeAffinityPolicy = ptr.To(corev1.NodeInclusionPolicyHonor)
	case 2:
		c.NodeAffinityPolicy = ptr.To(corev1.NodeInclusionPolicyIgnore)
	}
	switch g.r.IntN(3) {
	case 1:
		c.NodeTaintsPolicy = ptr.To(corev1.NodeInclusionPolicyHonor)
	case 2:
		c.NodeTaintsPolicy = ptr.To(corev1.NodeInclusionPolicyIgnore)
	}
	if g.chance(0.25) {
		c.MatchLabelKeys = []string{daemonset.ControllerRevisionHashLabel}
	}
	return c
}

func genSchedCase(seed uint64) schedCase {
	g := &schedGen{r: rand.New(rand.NewPCG(seed, 0x5c4ed))}
	var c schedCase
	for i := range 1 + g.r.IntN(5) {
		c.nodes = append(c.nodes, g.node(i))
	}
	for i, n := range c.nodes {
		k := g.r.IntN(7)
		nilAt := -1
		if g.chance(0.3) {
			nilAt = g.r.IntN(k + 1)
		}
		for j := range k {
			c.pods = append(c.pods, g.pod(g.pick("default", "team-a", "kube-system", "default", "team-a", "kube-system", "team-b"), fmt.Sprintf("w-%d-%d", i, j), n.Name, j == nilAt))
		}
	}
	for i := range g.r.IntN(4) {
		pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: g.pick("default", "team-a"), Name: fmt.Sprintf("pdb-%d", i)},
			Status: policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: int32(g.r.IntN(3))}}
		switch g.r.IntN(5) {
		case 0: // no selector: matches nothing
		case 1:
			pdb.Spec.Selector = &metav1.LabelSelector{}
		default:
			pdb.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": g.pick("web", "db")}}
		}
		if g.chance(0.3) && len(c.pods) > 0 {
			pdb.Status.DisruptedPods = map[string]metav1.Time{c.pods[g.r.IntN(len(c.pods))].Name: {}}
		}
		c.pdbs = append(c.pdbs, pdb)
	}
	for _, name := range []string{"agents", "batch"} {
		if !g.chance(0.6) {
			continue
		}
		pc := &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: name},
			Value: []int32{-5, 0, 10, 1000, 100000, 1000000000}[g.r.IntN(6)], GlobalDefault: g.chance(0.25)}
		switch g.r.IntN(3) {
		case 0:
			pc.PreemptionPolicy = ptr.To(corev1.PreemptNever)
		case 1:
			pc.PreemptionPolicy = ptr.To(corev1.PreemptLowerPriority)
		}
		// two global defaults (a race upstream tolerates) with one value:
		// upstream takes either, in its informer's order; not drawn
		if len(c.classes) == 1 && c.classes[0].GlobalDefault && pc.GlobalDefault && c.classes[0].Value == pc.Value {
			pc.Value++
		}
		c.classes = append(c.classes, pc)
	}
	// one DaemonSet, or two or three competing for room
	count := 1
	if g.chance(0.35) {
		count = 2 + g.r.IntN(2)
	}
	for k := range count {
		name := fmt.Sprintf("agent-%d", k)
		labels := map[string]string{"app": name}
		spec := g.podSpec()
		spec.PriorityClassName = g.pick("", "", "", "system-node-critical", "system-cluster-critical", "agents", "agents", "batch", "missing")
		if g.chance(0.06) {
			spec.Priority = ptr.To([]int32{0, 10, 100000, 2000001000}[g.r.IntN(4)])
		}
		if g.chance(0.06) {
			spec.PreemptionPolicy = ptr.To(corev1.PreemptionPolicy(g.pick(string(corev1.PreemptNever), string(corev1.PreemptLowerPriority))))
		}
		if g.chance(0.5) {
			spec.Tolerations = append(spec.Tolerations, corev1.Toleration{Key: "dedicated", Operator: corev1.TolerationOpExists})
		}
		if g.chance(0.2) {
			spec.NodeSelector = map[string]string{"pool": "a"}
		}
		if g.chance(0.15) {
			spec.Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{}}
			for range 1 + g.r.IntN(2) {
				spec.Affinity.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution = append(
					spec.Affinity.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution, g.affinityTerm(name, true))
			}
		}
		if g.chance(0.3) {
			if spec.Affinity == nil {
				spec.Affinity = &corev1.Affinity{}
			}
			spec.Affinity.PodAntiAffinity = &corev1.PodAntiAffinity{}
			for range 1 + g.r.IntN(2) {
				spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution = append(
					spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution, g.affinityTerm(g.pick("web", "db", name), true))
			}
		}
		if g.chance(0.3) {
			for range 1 + g.r.IntN(2) {
				sc := g.spread(name)
				// one constraint per key and action (API validation)
				if !slices.ContainsFunc(spec.TopologySpreadConstraints, func(o corev1.TopologySpreadConstraint) bool {
					return o.TopologyKey == sc.TopologyKey && o.WhenUnsatisfiable == sc.WhenUnsatisfiable
				}) {
					spec.TopologySpreadConstraints = append(spec.TopologySpreadConstraints, sc)
				}
			}
		}
		ds := &appsv1.DaemonSet{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "kube-system", UID: types.UID("ds-" + name), Generation: 1},
			Spec: appsv1.DaemonSetSpec{
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec},
			},
		}
		daemonset.SetDefaults(ds)
		c.dss = append(c.dss, ds)
	}
	return c
}

// daemonkitReasons maps Place's Pending reasons to "Plugin: reason" as the
// scheduler's filters word them.
func daemonkitReasons(rs []simulate.PendingReason) []string {
	var out []string
	for _, r := range rs {
		var s string
		switch r.Kind {
		case simulate.PendingInsufficientResource:
			s = names.NodeResourcesFit + ": Insufficient " + string(r.Resource)
		case simulate.PendingTooManyPods:
			s = names.NodeResourcesFit + ": Too many pods"
		case simulate.PendingHostPortConflict:
			s = names.NodePorts + ": " + nodeports.ErrReason
		case simulate.PendingNodeUnschedulable:
			s = names.NodeUnschedulable + ": " + nodeunschedulable.ErrReasonUnschedulable
		case simulate.PendingPodAffinity:
			s = names.InterPodAffinity + ": " + interpodaffinity.ErrReasonAffinityRulesNotMatch
		case simulate.PendingPodAntiAffinity:
			s = names.InterPodAffinity + ": " + interpodaffinity.ErrReasonAntiAffinityRulesNotMatch
		case simulate.PendingExistingPodsAntiAffinity:
			s = names.InterPodAffinity + ": " + interpodaffinity.ErrReasonExistingAntiAffinityRulesNotMatch
		case simulate.PendingTopologySpread:
			s = names.PodTopologySpread + ": " + podtopologyspread.ErrReasonConstraintsNotMatch
		case simulate.PendingTopologySpreadLabel:
			s = names.PodTopologySpread + ": " + podtopologyspread.ErrReasonNodeLabelNotMatch
		default:
			s = "unknown: " + string(r.Kind)
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// schedStageCases: 10,000 random clusters per run (about 15 s); 1,000
// with -short.
func schedStageCases() int {
	if testing.Short() {
		return 1000
	}
	return 10000
}

// TestSchedulerStageMatchesUpstreamFramework: on random clusters (random
// PriorityClasses, global defaults among them, the daemon pod admitted by
// the API server's own Priority admission plugin; nodes with
// odd allocatable, taints, cordons; bound pods with requests and limits,
// init containers, sidecars, overhead, pod-level resources, in-place resize
// status, priorities and start times, labels under random
// PodDisruptionBudgets, host ports, hostNetwork; terminal, unbound and
// orphaned pods) and one to three random DaemonSets (several compete for
// room: the scheduler takes their pods of a node highest priority first,
// each finding the node as the one before left it), simulate.Place agrees
// node for node with kube-scheduler v1.37.2's own framework: on every node
// where the controller (upstream NodeShouldRunDaemonPod) creates a pod,
// Refused exactly where admission refuses it (with its message), the
// priority, class and preemption policy admission sets, Runs exactly where the filters pass or DefaultPreemption finds victims,
// the failing filters' reasons (every failing filter, as "Plugin: reason"),
// and the victims in SelectVictimsOnNode's order with the number evicted
// against a PodDisruptionBudget.
func TestSchedulerStageMatchesUpstreamFramework(t *testing.T) {
	us := newUpstreamScheduler(t)
	us.lister.live = true // daemon pods bound and victims removed on the snapshot
	logger := klog.Background()
	n := schedStageCases()
	var nodes, created, runs, pending, preempting, victims, refused, violations, competing, retried int
	reasons := map[string]int{}
	for seed := range uint64(n) {
		tc := genSchedCase(seed)
		cl, err := simulate.NewCluster(tc.nodes, tc.pods)
		if err == nil {
			cl, err = cl.WithPriorityClasses(tc.classes...)
		}
		if err == nil {
			cl, err = cl.WithPodDisruptionBudgets(tc.pdbs...)
		}
		if err == nil {
			cl, err = cl.WithNamespaces(schedNamespaces()...)
		}
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		adm := upstreamPriorityAdmission(t, tc.classes)
		pl, err := simulate.Place(cl, tc.dss...)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		// the scheduler takes the daemon pods of a node highest priority
		// first (its queue's order; Place binds ties in the order given)
		order := make([]int, len(tc.dss))
		prio := make([]int32, len(tc.dss))
		for k, ds := range tc.dss {
			order[k] = k
			if p, err := admitPod(t, adm, daemonset.PodAsCreated(ds, "")); err == nil {
				prio[k] = *p.Spec.Priority
			}
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(prio[b], prio[a]) })
		podByKey := map[string]*corev1.Pod{}
		for _, p := range tc.pods {
			podByKey[p.Namespace+"/"+p.Name] = p
		}
		// The scheduler binds the daemon pods one after another, nodes in
		// name order and on each node highest priority first, each on the
		// cluster as the pods before it left it (victims gone, daemon pods
		// bound, on every node), then tries the Pending ones again until a
		// round binds none: Place's order (simulate/placement.go).
		us.load(tc.nodes, tc.pods)
		type attempt struct {
			i, k int
			pod  *corev1.Pod
			want upstreamOutcome
		}
		var tried []*attempt
		schedule := func(a *attempt) {
			node := cl.Nodes()[a.i]
			a.want = us.schedule(t, a.pod, node.Name, tc.pdbs)
			if !a.want.Binds {
				return
			}
			ni, err := us.lister.NodeInfos().Get(node.Name)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range a.want.Victims {
				if err := ni.RemovePod(logger, podByKey[v]); err != nil {
					t.Fatal(err)
				}
			}
			bound := a.pod.DeepCopy()
			bound.Spec.NodeName = node.Name
			info, err := framework.NewPodInfo(bound)
			if err != nil {
				t.Fatal(err)
			}
			ni.AddPodInfo(info)
		}
		for i, node := range cl.Nodes() {
			nodes++
			for _, k := range order {
				ds, dp := tc.dss[k], pl.DaemonSets[k]
				got := dp.Nodes[i]
				run, _ := daemon.NodeShouldRunDaemonPod(logger, node, ds)
				if !run {
					if got.State != simulate.Excluded {
						t.Fatalf("seed %d, %s, %s: Place %s, upstream controller creates no pod", seed, ds.Name, node.Name, got.State)
					}
					continue
				}
				created++
				pod := daemonset.PodAsCreated(ds, node.Name)
				pod.Name, pod.UID = ds.Name+"-"+node.Name, types.UID(ds.Name+"-"+node.Name)
				admitted, refusal := admitPod(t, adm, pod)
				if refusal != nil {
					if dp.Refused == nil || got.State != simulate.Refused || !strings.Contains(refusal.Error(), dp.Refused.Detail) {
						t.Fatalf("seed %d, %s, %s: admission refuses (%v); Place %s, refusal %v\nclasses %s\ntemplate priority %q %v %v", seed, ds.Name, node.Name, refusal,
							got.State, dp.Refused, simPlaceJSON(tc.classes), pod.Spec.PriorityClassName, pod.Spec.Priority, pod.Spec.PreemptionPolicy)
					}
					refused++
					continue
				}
				if dp.Refused != nil || *admitted.Spec.Priority != dp.Priority.Priority || *admitted.Spec.PreemptionPolicy != dp.Priority.PreemptionPolicy ||
					admitted.Spec.PriorityClassName != dp.Priority.ClassName {
					t.Fatalf("seed %d, %s, %s: admission gives %q %d %s; Place %+v, refusal %v", seed, ds.Name, node.Name,
						admitted.Spec.PriorityClassName, *admitted.Spec.Priority, *admitted.Spec.PreemptionPolicy, dp.Priority, dp.Refused)
				}
				a := &attempt{i: i, k: k, pod: upstreamPrepareForCreate(t, ds, admitted)}
				schedule(a)
				tried = append(tried, a)
			}
		}
		// every unschedulable pod is tried again (queueing hints, and at
		// least every five minutes) until a round binds none
		for changed := true; changed; {
			changed = false
			for _, a := range tried {
				if !a.want.Binds {
					schedule(a)
					if a.want.Binds {
						changed = true
						retried++
					}
				}
			}
		}
		for _, a := range tried {
			node, ds, want := cl.Nodes()[a.i], tc.dss[a.k], a.want
			got := pl.DaemonSets[a.k].Nodes[a.i]
			fail := func(what string) {
				t.Fatalf("seed %d, %s on %s: %s\nPlace: %s pending=%q preempts=%v\nupstream: %s\nnode: %s\npods on it: %s\nds: %s",
					seed, ds.Name, node.Name, what, got.State, daemonkitReasons(got.Pending), got.Preempts, want,
					simPlaceJSON(node), simPlaceJSON(cl.PodsOn(node.Name)), simPlaceJSON(ds.Spec.Template.Spec))
			}
			switch {
			case want.Binds && got.State != simulate.Runs, !want.Binds && got.State != simulate.Pending:
				fail("Runs/Pending differ")
			case !want.Binds && !slices.Equal(daemonkitReasons(got.Pending), want.Reasons):
				fail("Pending reasons differ")
			case !slices.Equal(got.Preempts, want.Victims):
				fail("victims differ")
			case got.PreemptsViolatingPDBs != want.PDBViolations:
				fail(fmt.Sprintf("PDB violations differ: Place %d\npdbs: %s", got.PreemptsViolatingPDBs, simPlaceJSON(tc.pdbs)))
			}
			violations += want.PDBViolations
			if !want.Binds {
				pending++
				for _, r := range want.Reasons {
					reasons[r]++
				}
				continue
			}
			runs++
			if len(want.Victims) > 0 {
				preempting++
				victims += len(want.Victims)
			}
			if len(tc.dss) > 1 {
				competing++
			}
		}
	}
	t.Logf("%d clusters, %d nodes, %d daemon pods to create: %d refused by Priority admission, %d run (%d by preempting %d pods, %d of them against a PDB; %d beside other DaemonSets' pods; %d bound on a second try), %d pending; 0 disagreements",
		n, nodes, created, refused, runs, preempting, victims, violations, competing, retried, pending)
	t.Logf("failing filters' reasons on Pending nodes: %v", reasons)
}

// upstreamPrepareForCreate applies the API server's pod create strategy to
// the daemon pod with its template's inter-pod affinity terms and spread
// constraints as written (upstream: pkg/registry/core/pod/strategy.go
// PrepareForCreate: matchLabelKeys and mismatchLabelKeys merged into the
// selectors) and fails unless daemonset.PodAsCreated merged them the same
// way. It returns pod.
func upstreamPrepareForCreate(t *testing.T, ds *appsv1.DaemonSet, pod *corev1.Pod) *corev1.Pod {
	t.Helper()
	raw := pod.DeepCopy()
	tmpl := &ds.Spec.Template.Spec
	if tmpl.Affinity != nil {
		raw.Spec.Affinity.PodAffinity = tmpl.Affinity.PodAffinity.DeepCopy()
		raw.Spec.Affinity.PodAntiAffinity = tmpl.Affinity.PodAntiAffinity.DeepCopy()
	}
	raw.Spec.TopologySpreadConstraints = nil
	for _, c := range tmpl.TopologySpreadConstraints {
		raw.Spec.TopologySpreadConstraints = append(raw.Spec.TopologySpreadConstraints, *c.DeepCopy())
	}
	var internal core.Pod
	if err := corev1conv.Convert_v1_Pod_To_core_Pod(raw, &internal, nil); err != nil {
		t.Fatal(err)
	}
	podregistry.Strategy.PrepareForCreate(context.Background(), &internal)
	var out corev1.Pod
	if err := corev1conv.Convert_core_Pod_To_v1_Pod(&internal, &out, nil); err != nil {
		t.Fatal(err)
	}
	if d := gocmp.Diff(out.Spec.Affinity, pod.Spec.Affinity); d != "" {
		t.Fatalf("%s: the pod's affinity as the API server stores it differs from daemonset.PodAsCreated (-upstream +daemonkit):\n%s", ds.Name, d)
	}
	if d := gocmp.Diff(out.Spec.TopologySpreadConstraints, pod.Spec.TopologySpreadConstraints); d != "" {
		t.Fatalf("%s: the pod's spread constraints as the API server stores them differ from daemonset.PodAsCreated (-upstream +daemonkit):\n%s", ds.Name, d)
	}
	return pod
}
