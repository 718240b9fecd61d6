package simulate_test

import (
	"reflect"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"pgregory.net/rapid"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/simtest"
)

func nodeNames(c *simulate.Cluster) []string {
	names := make([]string, len(c.Nodes()))
	for i, n := range c.Nodes() {
		names[i] = n.Name
	}
	return names
}

func mustPlace(t *rapid.T, c *simulate.Cluster, dss ...*appsv1.DaemonSet) *simulate.Placement {
	p, err := simulate.Place(c, dss...)
	if err != nil {
		t.Fatalf("place: %v", err)
	}
	simtest.CheckInvariants(t, p)
	return p
}

// Pending ⊆ created, and every other invariant simtest checks, on random
// clusters and sets of up to 3 DaemonSets; and Place is deterministic.
func TestProperty_InvariantsAndDeterminism(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := simtest.Cluster(0, 8).Draw(t, "cluster")
		var dss []*appsv1.DaemonSet
		for i := range rapid.IntRange(1, 3).Draw(t, "dsCount") {
			dss = append(dss, simtest.DaemonSet(string(rune('a'+i)), nodeNames(c)...).Draw(t, "ds"))
		}
		p := mustPlace(t, c, dss...)
		q := mustPlace(t, c, dss...)
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("two Place calls differ")
		}
	})
}

// interPod: the template asks for inter-pod affinity, anti-affinity or
// topology spread, through which its daemon pods may meet each other
// across nodes (one more node can then take another's place).
func interPod(d *appsv1.DaemonSet) bool {
	aff, anti := daemonset.RequiredAffinityTerms(&d.Spec.Template.Spec)
	return len(aff) > 0 || len(anti) > 0 || len(d.Spec.Template.Spec.TopologySpreadConstraints) > 0
}

// Adding a toleration never removes a node: the created set and, unless
// its daemon pods meet across nodes (interPod), the Runs set of a lone
// DaemonSet can only grow.
func TestProperty_AddingTolerationNeverRemovesNode(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := simtest.Cluster(1, 8).Draw(t, "cluster")
		d := simtest.DaemonSet("agent", nodeNames(c)...).Draw(t, "ds")
		more := d.DeepCopy()
		more.Spec.Template.Spec.Tolerations = append(more.Spec.Template.Spec.Tolerations, simtest.Toleration().Draw(t, "extra"))
		a, b := mustPlace(t, c, d).DaemonSets[0], mustPlace(t, c, more).DaemonSets[0]
		for i := range a.Nodes {
			if a.Nodes[i].State != simulate.Excluded && b.Nodes[i].State == simulate.Excluded {
				t.Fatalf("%s: created before, excluded after adding a toleration", a.Nodes[i].Node)
			}
			if a.Nodes[i].State == simulate.Runs && b.Nodes[i].State != simulate.Runs && !interPod(d) {
				t.Fatalf("%s: ran before, %s after adding a toleration", a.Nodes[i].Node, b.Nodes[i].State)
			}
		}
	})
}

// Adding a nodeSelector entry never adds a node.
func TestProperty_AddingNodeSelectorTermNeverAddsNode(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := simtest.Cluster(1, 8).Draw(t, "cluster")
		d := simtest.DaemonSet("agent", nodeNames(c)...).Draw(t, "ds")
		more := d.DeepCopy()
		key := simtest.LabelKey().Draw(t, "key")
		if _, exists := more.Spec.Template.Spec.NodeSelector[key]; exists {
			t.Skip("key already selected")
		}
		if more.Spec.Template.Spec.NodeSelector == nil {
			more.Spec.Template.Spec.NodeSelector = map[string]string{}
		}
		more.Spec.Template.Spec.NodeSelector[key] = simtest.LabelValue().Draw(t, "value")
		a, b := mustPlace(t, c, d).DaemonSets[0], mustPlace(t, c, more).DaemonSets[0]
		for i := range a.Nodes {
			if a.Nodes[i].State == simulate.Excluded && b.Nodes[i].State != simulate.Excluded {
				t.Fatalf("%s: excluded before, created after adding a nodeSelector entry", a.Nodes[i].Node)
			}
		}
	})
}

// The controller stage never depends on resources: changing every node's
// allocatable and removing all pods leaves every Decision as it was (I6).
func TestProperty_ControllerStageIgnoresResources(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := simtest.Cluster(1, 8).Draw(t, "cluster")
		d := simtest.DaemonSet("agent", nodeNames(c)...).Draw(t, "ds")
		nodes := make([]*corev1.Node, len(c.Nodes()))
		for i, n := range c.Nodes() {
			n = n.DeepCopy()
			n.Status.Allocatable = corev1.ResourceList{
				corev1.ResourceCPU:  *resource.NewMilliQuantity(rapid.Int64Range(0, 64000).Draw(t, "cpu"), resource.DecimalSI),
				corev1.ResourcePods: *resource.NewQuantity(rapid.Int64Range(0, 3).Draw(t, "pods"), resource.DecimalSI),
			}
			nodes[i] = n
		}
		other, err := simulate.NewCluster(nodes, nil)
		if err != nil {
			t.Fatal(err)
		}
		a, b := mustPlace(t, c, d).DaemonSets[0], mustPlace(t, other, d).DaemonSets[0]
		for i := range a.Nodes {
			if !reflect.DeepEqual(a.Nodes[i].Decision, b.Nodes[i].Decision) {
				t.Fatalf("%s: decision changed with resources: %+v vs %+v", a.Nodes[i].Node, a.Nodes[i].Decision, b.Nodes[i].Decision)
			}
		}
	})
}

// Placing DaemonSets together changes only the scheduler stage: each one's
// controller decisions equal those of placing it alone, and the set never
// runs a pod where the lone DaemonSet would not (except where another
// DaemonSet's preemption evicted pods, or its pod affinity may be met by
// the other's pods).
func TestProperty_SetOnlyAddsCompetition(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := simtest.Cluster(1, 6).Draw(t, "cluster")
		a := simtest.DaemonSet("a", nodeNames(c)...).Draw(t, "a")
		b := simtest.DaemonSet("b", nodeNames(c)...).Draw(t, "b")
		set := mustPlace(t, c, a, b)
		for k, d := range []*appsv1.DaemonSet{a, b} {
			alone := mustPlace(t, c, d).DaemonSets[0]
			for i := range alone.Nodes {
				together := set.DaemonSets[k].Nodes[i]
				if !reflect.DeepEqual(alone.Nodes[i].Decision, together.Decision) {
					t.Fatalf("%s: decision differs in a set", together.Node)
				}
				// Unless another DaemonSet of the set preempted pods there,
				// which can make room for this one too.
				preempted := false
				for j, other := range set.DaemonSets {
					preempted = preempted || (j != k && len(other.Nodes[i].Preempts) > 0)
				}
				aff, _ := daemonset.RequiredAffinityTerms(&d.Spec.Template.Spec)
				if together.State == simulate.Runs && alone.Nodes[i].State != simulate.Runs && !preempted && len(aff) == 0 {
					t.Fatalf("%s: runs only when competing", together.Node)
				}
			}
		}
	})
}

// Required pod anti-affinity holds among the pods Place leaves bound: no
// daemon pod that Runs shares a topology domain with a pod still bound (a
// cluster pod neither replaced nor preempted, or another daemon pod that
// Runs) that one of its required anti-affinity terms matches, or whose own
// term matches it — whatever the order Place bound them in, as in the
// cluster (upstream: interpodaffinity Filter checks both directions).
func TestProperty_AntiAffinityHoldsAmongBoundPods(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := simtest.Cluster(1, 8).Draw(t, "cluster")
		var dss []*appsv1.DaemonSet
		for i := range rapid.IntRange(1, 3).Draw(t, "dsCount") {
			dss = append(dss, simtest.DaemonSet(string(rune('a'+i)), nodeNames(c)...).Draw(t, "ds"))
		}
		p := mustPlace(t, c, dss...)
		type boundPod struct {
			name string
			pod  *corev1.Pod
			node *corev1.Node
			anti []daemonset.AffinityTerm
		}
		nodes := map[string]*corev1.Node{}
		for _, n := range c.Nodes() {
			nodes[n.Name] = n
		}
		gone := map[string]bool{}
		var daemons, all []boundPod
		for k, d := range p.DaemonSets {
			for _, np := range d.Nodes {
				for _, v := range np.Preempts {
					gone[v] = true
				}
				if np.State != simulate.Runs {
					continue
				}
				pod := daemonset.PodAsCreated(dss[k], np.Node)
				_, anti := daemonset.RequiredAffinityTerms(&pod.Spec)
				daemons = append(daemons, boundPod{"daemonset " + d.Key() + " on " + np.Node, pod, nodes[np.Node], daemonset.GetAffinityTerms(pod.Namespace, anti)})
			}
		}
		for _, q := range c.Pods() {
			n := nodes[q.Spec.NodeName]
			if n == nil || q.Status.Phase == corev1.PodSucceeded || q.Status.Phase == corev1.PodFailed || gone[q.Namespace+"/"+q.Name] ||
				slices.ContainsFunc(dss, func(ds *appsv1.DaemonSet) bool { return daemonset.OwnsPod(ds, q) }) {
				continue
			}
			_, anti := daemonset.RequiredAffinityTerms(&q.Spec)
			all = append(all, boundPod{q.Namespace + "/" + q.Name, q, n, daemonset.GetAffinityTerms(q.Namespace, anti)})
		}
		all = append(all, daemons...)
		sameDomain := func(a, b *corev1.Node, key string) bool {
			va, oka := a.Labels[key]
			vb, okb := b.Labels[key]
			return oka && okb && va == vb
		}
		// the generated clusters know namespaces by name only (nil): which pod
		// was the incoming one does not change what a term matches
		var ns daemonset.NamespaceLabels
		if given := c.Namespaces(); given != nil {
			ns = daemonset.NamespaceLabelsOf(given)
		}
		for _, a := range daemons {
			for _, b := range all {
				if a.name == b.name {
					continue
				}
				for _, term := range a.anti {
					if sameDomain(a.node, b.node, term.TopologyKey) && term.Matches(b.pod, ns) {
						t.Fatalf("%s runs though its anti-affinity (topologyKey %s) matches %s", a.name, term.TopologyKey, b.name)
					}
				}
				for _, term := range b.anti {
					if sameDomain(a.node, b.node, term.TopologyKey) && term.Matches(a.pod, ns) {
						t.Fatalf("%s runs though the anti-affinity (topologyKey %s) of %s matches it", a.name, term.TopologyKey, b.name)
					}
				}
			}
		}
	})
}
