package e2e

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/e2e/harness"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
)

var (
	placementSeed   = flag.Uint64("e2e.seed", 1, "first seed of the random nodes and DaemonSets of TestRandomPlacementMatchesController")
	placementRounds = flag.Int("e2e.rounds", 3, "rounds (seeds e2e.seed, e2e.seed+1, ...) of TestRandomPlacementMatchesController")
)

// The label and taint pools the random nodes and DaemonSets draw from:
// small, so that selectors, affinities and tolerations often meet what the
// nodes carry.
var (
	poolLabels = map[string][]string{"zone": {"a", "b", "c"}, "role": {"gpu", "infra", "general"}, "disk": {"ssd", "hdd"}}
	poolKeys   = []string{"disk", "role", "zone"}
	poolTaints = []corev1.Taint{
		{Key: "dedicated", Value: "infra", Effect: corev1.TaintEffectNoSchedule},
		{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoExecute}, // unique by key and effect
		{Key: "nvidia.com/gpu", Value: "present", Effect: corev1.TaintEffectNoExecute},
		{Key: "spot", Value: "true", Effect: corev1.TaintEffectPreferNoSchedule},
		{Key: "maintenance", Effect: corev1.TaintEffectNoExecute},
	}
)

// Random nodes (labels, NoSchedule / NoExecute / PreferNoSchedule taints,
// cordoned, NotReady) and random DaemonSets (node selectors, required node
// affinity with In / NotIn / Exists / DoesNotExist terms, tolerations by
// value, by key and of everything) on the real control plane: for each, the
// nodes with a daemon pod and the status the controller writes equal
// daemonkit's. Each round draws a new cluster of 24 nodes and 10
// DaemonSets from its seed (-e2e.seed, -e2e.rounds).
// upstream: pkg/controller/daemon/daemon_controller.go NodeShouldRunDaemonPod
func TestRandomPlacementMatchesController(t *testing.T) {
	cs := client(t)
	total, agreed := 0, 0
	for r := range *placementRounds {
		seed := *placementSeed + uint64(r)
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			n, a := randomPlacementRound(t, cs, seed)
			total, agreed = total+n, agreed+a
		})
	}
	t.Logf("%d of %d random DaemonSets agree with the controller (%d rounds from seed %d)", agreed, total, *placementRounds, *placementSeed)
	report(t, map[string]any{"test": "random-placement", "first_seed": *placementSeed, "rounds": *placementRounds, "daemonsets": total, "agreed": agreed})
}

// randomPlacementRound draws one cluster and its DaemonSets and checks them;
// it returns how many DaemonSets there were and how many agreed.
func randomPlacementRound(t *testing.T, cs kubernetes.Interface, seed uint64) (total, agreed int) {
	ctx := testContext(t, 8*time.Minute)
	rng := rand.New(rand.NewPCG(seed, 0x6461656d6f6e6b))
	group, ns := fmt.Sprintf("random-%d", seed), fmt.Sprintf("e2e-random-placement-%d", seed)
	var nodes []*corev1.Node
	for i := range 22 {
		n := inGroup(harness.FakeNode(fmt.Sprintf("rand%d-%02d", seed, i)), group)
		for _, k := range poolKeys {
			if rng.IntN(3) > 0 {
				vs := poolLabels[k]
				n.Labels[k] = vs[rng.IntN(len(vs))]
			}
		}
		for _, tk := range rng.Perm(len(poolTaints))[:rng.IntN(3)] {
			n.Spec.Taints = append(n.Spec.Taints, poolTaints[tk])
		}
		n.Spec.Unschedulable = rng.IntN(8) == 0
		nodes = append(nodes, n)
	}
	for i := range 2 {
		nodes = append(nodes, inGroup(harness.UnmanagedNode(fmt.Sprintf("rand%d-notready-%d", seed, i)), group))
	}
	createNodes(t, ctx, cs, nodes)
	if err := harness.CreateNamespace(ctx, cs, ns); err != nil {
		t.Fatal(err)
	}
	var dss []*appsv1.DaemonSet
	for i := range 10 {
		ds := validAgent(fmt.Sprintf("rand-%02d", i))
		ds.Namespace = ns
		ds.Spec.Template.Annotations = harness.PodDelays(0, 0, 0)
		spec := &ds.Spec.Template.Spec
		spec.NodeSelector = map[string]string{groupLabel: group}
		if rng.IntN(3) == 0 {
			k := poolKeys[rng.IntN(len(poolKeys))]
			spec.NodeSelector[k] = poolLabels[k][rng.IntN(len(poolLabels[k]))]
		}
		if rng.IntN(2) == 0 {
			var terms []corev1.NodeSelectorTerm
			for range 1 + rng.IntN(2) {
				var term corev1.NodeSelectorTerm
				for range 1 + rng.IntN(2) {
					term.MatchExpressions = append(term.MatchExpressions, randomRequirement(rng))
				}
				terms = append(terms, term)
			}
			spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: terms}}}
		}
		switch rng.IntN(10) {
		case 0:
			spec.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
		default:
			for range rng.IntN(3) {
				tn := poolTaints[rng.IntN(len(poolTaints))]
				if rng.IntN(2) == 0 {
					spec.Tolerations = append(spec.Tolerations, corev1.Toleration{Key: tn.Key, Operator: corev1.TolerationOpExists})
				} else {
					spec.Tolerations = append(spec.Tolerations, corev1.Toleration{Key: tn.Key, Operator: corev1.TolerationOpEqual, Value: tn.Value, Effect: tn.Effect})
				}
			}
		}
		dss = append(dss, ds)
	}
	agreed = checkPlacement(t, ctx, cs, ns, group, dss)
	t.Logf("seed %d: %d of %d random DaemonSets on %d random nodes agree with the controller", seed, agreed, len(dss), len(nodes))
	return len(dss), agreed
}

// randomRequirement draws a node selector requirement on the pool's keys.
func randomRequirement(rng *rand.Rand) corev1.NodeSelectorRequirement {
	k := poolKeys[rng.IntN(len(poolKeys))]
	vs := poolLabels[k]
	switch rng.IntN(4) {
	case 0:
		return corev1.NodeSelectorRequirement{Key: k, Operator: corev1.NodeSelectorOpIn, Values: []string{vs[rng.IntN(len(vs))], vs[rng.IntN(len(vs))]}}
	case 1:
		return corev1.NodeSelectorRequirement{Key: k, Operator: corev1.NodeSelectorOpNotIn, Values: []string{vs[rng.IntN(len(vs))]}}
	case 2:
		return corev1.NodeSelectorRequirement{Key: k, Operator: corev1.NodeSelectorOpExists}
	default:
		return corev1.NodeSelectorRequirement{Key: k, Operator: corev1.NodeSelectorOpDoesNotExist}
	}
}
