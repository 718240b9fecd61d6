package conformance

// Fixtures and rapid generators for the rollout differential tests
// (rollout_test.go) and benchmarks (rollout_bench_test.go).

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"pgregory.net/rapid"
)

// rolloutNode is a Ready node with room for 110 pods.
func rolloutNode(name string, labels map[string]string, taints ...corev1.Taint) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec:       corev1.NodeSpec{Taints: taints},
		Status: corev1.NodeStatus{
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}},
			Allocatable: corev1.ResourceList{
				corev1.ResourcePods:   resource.MustParse("110"),
				corev1.ResourceCPU:    resource.MustParse("4"),
				corev1.ResourceMemory: resource.MustParse("16Gi"),
			},
		},
	}
}

// rolloutNodes returns n plain nodes named node-000, node-001, ...
func rolloutNodes(n int) []*corev1.Node {
	out := make([]*corev1.Node, n)
	for i := range out {
		out[i] = rolloutNode(fmt.Sprintf("node-%03d", i), nil)
	}
	return out
}

// nodeNames returns the names of nodes, in order.
func nodeNames(nodes []*corev1.Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.Name
	}
	return out
}

// rolloutDS is a DaemonSet "ds" in namespace default running image.
func rolloutDS(image string) *appsv1.DaemonSet {
	labels := map[string]string{"app": "agent"}
	return &appsv1.DaemonSet{
		TypeMeta:   metav1.TypeMeta{Kind: "DaemonSet", APIVersion: "apps/v1"},
		ObjectMeta: metav1.ObjectMeta{Name: "ds", Namespace: metav1.NamespaceDefault, UID: "ds-uid"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "agent", Image: image,
				}}},
			},
		},
	}
}

// withMaxUnavailable sets RollingUpdate with maxUnavailable v (and maxSurge 0).
func withMaxUnavailable(ds *appsv1.DaemonSet, v intstr.IntOrString) *appsv1.DaemonSet {
	zero := intstr.FromInt32(0)
	ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{
		Type:          appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &v, MaxSurge: &zero},
	}
	return ds
}

// withMaxSurge sets RollingUpdate with maxSurge v and maxUnavailable 0.
func withMaxSurge(ds *appsv1.DaemonSet, v intstr.IntOrString) *appsv1.DaemonSet {
	zero := intstr.FromInt32(0)
	ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{
		Type:          appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &zero, MaxSurge: &v},
	}
	return ds
}

// withOnDelete sets the OnDelete strategy.
func withOnDelete(ds *appsv1.DaemonSet) *appsv1.DaemonSet {
	ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
	return ds
}

// rolloutCase is one generated rollout scenario, in terms both the upstream
// harness and the engine take.
type rolloutCase struct {
	Nodes    []*corev1.Node
	From, To *appsv1.DaemonSet // From nil: To created at t=0
	// Changes are later updates: a third template, a rollback to From's
	// template, or a strategy change.
	Changes []upstreamChange
	Startup time.Duration
	Broken  []string
	// BrokenNew nodes fail only the pods of a template other than From's.
	BrokenNew []string
}

func (c rolloutCase) upstream() upstreamScenario {
	return upstreamScenario{Nodes: c.Nodes, From: c.From, To: c.To, Changes: c.Changes,
		Startup: c.Startup, Broken: c.Broken, BrokenNew: c.BrokenNew}
}

func (c rolloutCase) String() string {
	strat := func(ds *appsv1.DaemonSet) string {
		if ds == nil {
			return "none"
		}
		s := string(ds.Spec.UpdateStrategy.Type)
		if ru := ds.Spec.UpdateStrategy.RollingUpdate; ru != nil {
			if ru.MaxUnavailable != nil {
				s += " maxUnavailable=" + ru.MaxUnavailable.String()
			}
			if ru.MaxSurge != nil {
				s += " maxSurge=" + ru.MaxSurge.String()
			}
		}
		return fmt.Sprintf("%s minReady=%d sel=%v tol=%d", s, ds.Spec.MinReadySeconds,
			ds.Spec.Template.Spec.NodeSelector, len(ds.Spec.Template.Spec.Tolerations))
	}
	out := fmt.Sprintf("nodes=%d startup=%v broken=%d brokenNew=%d from=[%s] to=[%s]",
		len(c.Nodes), c.Startup, len(c.Broken), len(c.BrokenNew), strat(c.From), strat(c.To))
	for _, ch := range c.Changes {
		out += fmt.Sprintf(" at %v: [%s image=%s]", ch.At, strat(ch.DS), ch.DS.Spec.Template.Spec.Containers[0].Image)
	}
	return out
}

// Taints the generator puts on nodes; tolerations of templates match them.
var (
	rolloutNoSchedule = corev1.Taint{Key: "dedicated", Value: "infra", Effect: corev1.TaintEffectNoSchedule}
	rolloutNoExecute  = corev1.Taint{Key: "evict", Value: "yes", Effect: corev1.TaintEffectNoExecute}
)

// The generators below draw one seed with rapid and the rest from a PCG
// stream: rapid's integer draws lean towards small values and edges, which
// would make most nodes broken or tainted; a plain uniform stream keeps the
// documented proportions.

// rolloutRand is a uniform random stream seeded from rapid.
type rolloutRand struct{ *rand.Rand }

func (r rolloutRand) between(lo, hi int) int { return lo + r.IntN(hi-lo+1) }
func (r rolloutRand) percent(p int) bool     { return r.IntN(100) < p }

// rolloutNodeCount draws a cluster size in 10..400, mostly small.
func rolloutNodeCount(r rolloutRand) int {
	switch c := r.IntN(20); {
	case c == 0:
		return r.between(101, 400)
	case c <= 3:
		return r.between(41, 100)
	default:
		return r.between(10, 40)
	}
}

// rolloutTemplate draws a template's scheduling constraints (nodeSelector,
// tolerations of the generator's NoSchedule and NoExecute taints).
func rolloutTemplate(r rolloutRand, image string) *appsv1.DaemonSet {
	ds := rolloutDS(image)
	spec := &ds.Spec.Template.Spec
	switch r.IntN(4) {
	case 1:
		spec.NodeSelector = map[string]string{"pool": "a"}
	case 2:
		spec.NodeSelector = map[string]string{"zone": "z1"}
	}
	if r.percent(50) {
		spec.Tolerations = append(spec.Tolerations, corev1.Toleration{
			Key: rolloutNoSchedule.Key, Operator: corev1.TolerationOpEqual, Value: rolloutNoSchedule.Value,
			Effect: corev1.TaintEffectNoSchedule})
	}
	if r.percent(35) {
		spec.Tolerations = append(spec.Tolerations, corev1.Toleration{
			Key: rolloutNoExecute.Key, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute})
	}
	return ds
}

// rolloutStrategy draws every strategy form: maxUnavailable int/percent,
// maxSurge int/percent with maxUnavailable 0, OnDelete; and minReadySeconds.
func rolloutStrategy(r rolloutRand, ds *appsv1.DaemonSet) {
	switch r.IntN(10) {
	case 0, 1, 2:
		withMaxUnavailable(ds, intstr.FromInt32(int32(r.between(1, 6))))
	case 3, 4:
		withMaxUnavailable(ds, intstr.FromString(fmt.Sprintf("%d%%", r.between(1, 60))))
	case 5, 6:
		withMaxSurge(ds, intstr.FromInt32(int32(r.between(1, 5))))
	case 7, 8:
		withMaxSurge(ds, intstr.FromString(fmt.Sprintf("%d%%", r.between(1, 60))))
	default:
		withOnDelete(ds)
	}
	if r.percent(35) {
		ds.Spec.MinReadySeconds = int32(r.between(1, 40))
	}
}

// genRolloutCase draws a whole scenario: 10..400 nodes (mostly <= 40) with
// pool/zone labels, NoSchedule and NoExecute taints, broken nodes and nodes
// where only the new template fails; an old
// and a new template whose nodeSelector and tolerations may differ; every
// strategy form; minReadySeconds; in one case of six the DaemonSet is created
// at t=0 instead of updated.
func genRolloutCase() *rapid.Generator[rolloutCase] {
	return rapid.Custom(func(t *rapid.T) rolloutCase {
		return rolloutCaseFromSeed(rapid.Uint64().Draw(t, "seed"))
	})
}

// rolloutCaseFromSeed is genRolloutCase's scenario for one explicit seed.
func rolloutCaseFromSeed(seed uint64) rolloutCase {
	{
		r := rolloutRand{rand.New(rand.NewPCG(seed, 0x5eed))}
		n := rolloutNodeCount(r)
		pNoSched, pNoExec, pBroken := 0, 0, 0
		if r.percent(60) {
			pNoSched = r.between(5, 30)
		}
		if r.percent(40) {
			pNoExec = r.between(5, 20)
		}
		if r.percent(50) {
			pBroken = r.between(1, 10)
		}
		var c rolloutCase
		for i := 0; i < n; i++ {
			// Names whose sorted order is unrelated to creation order.
			name := fmt.Sprintf("node-%04x", (i*7919+13)%65536)
			labels := map[string]string{
				"pool": []string{"a", "b", "c"}[r.IntN(3)],
				"zone": []string{"z1", "z2"}[r.IntN(2)],
			}
			var taints []corev1.Taint
			if r.percent(pNoSched) {
				taints = append(taints, rolloutNoSchedule)
			}
			if r.percent(pNoExec) {
				taints = append(taints, rolloutNoExecute)
			}
			c.Nodes = append(c.Nodes, rolloutNode(name, labels, taints...))
			if r.percent(pBroken) {
				c.Broken = append(c.Broken, name)
			}
		}
		c.Startup = time.Duration(r.between(1, 30)) * time.Second
		c.To = rolloutTemplate(r, "agent:v2")
		rolloutStrategy(r, c.To)
		if !r.percent(17) {
			if r.percent(50) {
				// Same scheduling constraints, new image.
				c.From = c.To.DeepCopy()
				c.From.Spec.Template.Spec.Containers[0].Image = "agent:v1"
			} else {
				c.From = rolloutTemplate(r, "agent:v1")
				c.From.Spec.UpdateStrategy = c.To.Spec.UpdateStrategy
				c.From.Spec.MinReadySeconds = c.To.Spec.MinReadySeconds
			}
		}
		// Nodes where only the new template fails (BrokenNew), drawn from a
		// stream of their own so that the rest is what the seed always gave.
		rb := rolloutRand{rand.New(rand.NewPCG(seed, 0xb40e))}
		if rb.percent(40) {
			p := rb.between(1, 15)
			for _, n := range c.Nodes {
				if !slices.Contains(c.Broken, n.Name) && rb.percent(p) {
					c.BrokenNew = append(c.BrokenNew, n.Name)
				}
			}
		}
		return c
	}
}

// rolloutChangesCaseFromSeed draws a scenario on a homogeneous cluster (10..60
// identical nodes: no labels that matter, no taints, no broken nodes) with
// one or two later updates at random times: a third template, a rollback to
// From's template, or a strategy (and minReadySeconds) change. Every node is
// interchangeable, so the counts and statuses do not depend on which nodes
// upstream's map order picks.
func rolloutChangesCaseFromSeed(seed uint64) rolloutCase {
	r := rolloutRand{rand.New(rand.NewPCG(seed, 0xc4a6e))}
	var c rolloutCase
	c.Nodes = rolloutNodes(r.between(10, 60))
	c.Startup = time.Duration(r.between(1, 30)) * time.Second
	c.To = rolloutDS("agent:v2")
	rolloutStrategy(r, c.To)
	if !r.percent(15) {
		c.From = rolloutDS("agent:v1")
		c.From.Spec.UpdateStrategy = c.To.Spec.UpdateStrategy
		c.From.Spec.MinReadySeconds = c.To.Spec.MinReadySeconds
	}
	at := time.Duration(0)
	cur := c.To
	third := false
	for i, n := 0, r.between(1, 2); i < n; i++ {
		at += time.Duration(r.between(1, 150)) * time.Second
		var next *appsv1.DaemonSet
		switch k := r.IntN(3); {
		case k == 0 && c.From != nil && !third:
			// Rollback: From's template again (its revision's hash is reused).
			// Not after a third template: which From pods that one replaced
			// is upstream's map-order choice, and after the rollback From
			// pods are "updated" again, so the numbers would depend on it.
			next = c.From.DeepCopy()
			next.Spec.UpdateStrategy = cur.Spec.UpdateStrategy
			next.Spec.MinReadySeconds = cur.Spec.MinReadySeconds
		case k == 1:
			// Strategy and minReadySeconds change, same template.
			next = cur.DeepCopy()
			next.Spec.MinReadySeconds = 0
			rolloutStrategy(r, next)
		default:
			next = cur.DeepCopy()
			next.Spec.Template.Spec.Containers[0].Image = fmt.Sprintf("agent:v%d", 3+i)
			third = true
		}
		c.Changes = append(c.Changes, upstreamChange{At: at, DS: next})
		cur = next
	}
	return c
}
