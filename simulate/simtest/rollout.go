package simtest

import (
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"pgregory.net/rapid"

	"github.com/daemonkit/daemonkit/simulate"
)

// The rollout vocabulary: nodes are rollout-0, rollout-1, ...; some carry
// the taint dedicated=x (NoSchedule or NoExecute) or the label pool=a, and
// the DaemonSets sometimes tolerate the one or select the other, so that
// events and updates move nodes in and out of the desired set.
const (
	rolloutTaintKey = "dedicated"
	rolloutPoolKey  = "pool"
)

// UpdateStrategy generates every update strategy form the API accepts:
// RollingUpdate with maxUnavailable or maxSurge (the other 0) as an integer
// (1–6) or a percentage (1%–100%), or OnDelete.
func UpdateStrategy() *rapid.Generator[appsv1.DaemonSetUpdateStrategy] {
	return rapid.Custom(func(t *rapid.T) appsv1.DaemonSetUpdateStrategy {
		rolling := func(unavailable, surge intstr.IntOrString) appsv1.DaemonSetUpdateStrategy {
			return appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &unavailable, MaxSurge: &surge}}
		}
		zero := intstr.FromInt32(0)
		switch rapid.IntRange(0, 4).Draw(t, "strategyKind") {
		case 0:
			return rolling(intstr.FromInt32(rapid.Int32Range(1, 6).Draw(t, "maxUnavailable")), zero)
		case 1:
			return rolling(intstr.FromString(fmt.Sprintf("%d%%", rapid.IntRange(1, 100).Draw(t, "maxUnavailablePct"))), zero)
		case 2:
			return rolling(zero, intstr.FromInt32(rapid.Int32Range(1, 6).Draw(t, "maxSurge")))
		case 3:
			return rolling(zero, intstr.FromString(fmt.Sprintf("%d%%", rapid.IntRange(1, 100).Draw(t, "maxSurgePct"))))
		}
		return appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
	})
}

// RolloutDaemonSet generates a valid DaemonSet default/agent running image,
// with strategy, sometimes a toleration of the dedicated taint, sometimes
// nodeSelector pool=a, and minReadySeconds of 0–20. The API server accepts
// it.
func RolloutDaemonSet(image string, strategy appsv1.DaemonSetUpdateStrategy) *rapid.Generator[*appsv1.DaemonSet] {
	return rapid.Custom(func(t *rapid.T) *appsv1.DaemonSet {
		labels := map[string]string{"app": "agent"}
		ds := &appsv1.DaemonSet{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
			ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "default", UID: types.UID("agent-uid")},
			Spec: appsv1.DaemonSetSpec{
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "agent", Image: image}}},
				},
				UpdateStrategy:  strategy,
				MinReadySeconds: rapid.Int32Range(0, 20).Draw(t, "minReadySeconds"),
			},
		}
		spec := &ds.Spec.Template.Spec
		if rapid.Bool().Draw(t, "tolerate") {
			spec.Tolerations = []corev1.Toleration{{Key: rolloutTaintKey, Operator: corev1.TolerationOpExists}}
		}
		if rapid.IntRange(0, 3).Draw(t, "select") == 0 {
			spec.NodeSelector = map[string]string{rolloutPoolKey: "a"}
		}
		return ds
	})
}

// rolloutNode is node rollout-i, Ready, with a hostname label.
func rolloutNode(name string) *corev1.Node {
	return &corev1.Node{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Node"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{corev1.LabelHostname: name}},
		Status:     corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}},
	}
}

// RolloutEvent generates a scripted event at a whole second between 0 and
// maxAt on one of nodeNames: a dedicated=x taint (NoSchedule or NoExecute)
// added or removed, the label pool=a set or removed, NotReady, Ready,
// cordon, uncordon or removal; or, when addName is not empty, the addition
// of a node of that name (sometimes labelled pool=a or tainted). Give
// nodeNames, addName or both.
func RolloutEvent(maxAt time.Duration, addName string, nodeNames ...string) *rapid.Generator[simulate.Event] {
	return rapid.Custom(func(t *rapid.T) simulate.Event {
		if addName == "" && len(nodeNames) == 0 {
			t.Fatalf("simtest.RolloutEvent: no node to name and none to add")
		}
		at := time.Duration(rapid.Int64Range(0, int64(maxAt/time.Second)).Draw(t, "at")) * time.Second
		kinds := 9
		if addName != "" {
			kinds++
		}
		kind := rapid.IntRange(0, kinds-1).Draw(t, "eventKind")
		if kind == 9 || len(nodeNames) == 0 {
			n := rolloutNode(addName)
			switch rapid.IntRange(0, 3).Draw(t, "addedKind") {
			case 0:
				n.Labels[rolloutPoolKey] = "a"
			case 1:
				n.Spec.Taints = []corev1.Taint{{Key: rolloutTaintKey, Value: "x", Effect: corev1.TaintEffectNoSchedule}}
			}
			return simulate.NodeAdded(at, n)
		}
		node := rapid.SampledFrom(nodeNames).Draw(t, "node")
		effect := rapid.SampledFrom([]corev1.TaintEffect{corev1.TaintEffectNoSchedule, corev1.TaintEffectNoExecute}).Draw(t, "effect")
		switch kind {
		case 0:
			return simulate.Tainted(at, node, corev1.Taint{Key: rolloutTaintKey, Value: "x", Effect: effect})
		case 1:
			return simulate.Untainted(at, node, rolloutTaintKey, effect)
		case 2:
			return simulate.Labeled(at, node, rolloutPoolKey, "a")
		case 3:
			return simulate.Unlabeled(at, node, rolloutPoolKey)
		case 4:
			return simulate.NodeNotReady(at, node)
		case 5:
			return simulate.NodeReady(at, node)
		case 6:
			return simulate.Cordoned(at, node)
		case 7:
			return simulate.Uncordoned(at, node)
		}
		return simulate.NodeRemoved(at, node)
	})
}

// Scenario generates a rollout that simulate.Rollout accepts: 1 to maxNodes
// nodes, some tainted dedicated=x (NoSchedule or NoExecute), labelled
// pool=a, broken (pods never Ready) or crash-looping (every pod, or the new
// template's only: Kubelet.BrokenNew, CrashLoopNew); a running DaemonSet
// (From; sometimes none, then the rollout is To's creation) and its update
// To: a new image and sometimes another strategy, toleration, nodeSelector
// or minReadySeconds; startup time (0–30s, sometimes jitter), node order
// and seed; and up to maxEvents scripted events in the first hour, among
// them node additions. The run is limited to a simulated day.
func Scenario(maxNodes, maxEvents int) *rapid.Generator[simulate.Scenario] {
	return scenario(maxNodes, maxEvents, false)
}

// HealthyScenario generates a rollout on 1 to maxNodes untainted, Ready
// nodes without broken nodes or events, from a running DaemonSet to a new
// image under one RollingUpdate strategy: the one where upstream's rolling
// update holds its budget on every reconcile (no BudgetBreach) and always
// finishes (Summary.Done).
func HealthyScenario(maxNodes int) *rapid.Generator[simulate.Scenario] {
	return scenario(maxNodes, 0, true)
}

func scenario(maxNodes, maxEvents int, healthy bool) *rapid.Generator[simulate.Scenario] {
	return rapid.Custom(func(t *rapid.T) simulate.Scenario {
		n := rapid.IntRange(1, max(1, maxNodes)).Draw(t, "nodeCount")
		nodes := make([]*corev1.Node, n)
		names := make([]string, n)
		var kl simulate.KubeletModel
		for i := range nodes {
			names[i] = fmt.Sprintf("rollout-%d", i)
			nodes[i] = rolloutNode(names[i])
			if healthy {
				continue
			}
			switch rapid.IntRange(0, 11).Draw(t, "nodeKind") {
			case 0:
				nodes[i].Spec.Taints = []corev1.Taint{{Key: rolloutTaintKey, Value: "x", Effect: corev1.TaintEffectNoSchedule}}
			case 1:
				nodes[i].Spec.Taints = []corev1.Taint{{Key: rolloutTaintKey, Value: "x", Effect: corev1.TaintEffectNoExecute}}
			case 2:
				nodes[i].Labels[rolloutPoolKey] = "a"
			case 3:
				kl.Broken = append(kl.Broken, names[i])
			case 4:
				kl.CrashLoop = append(kl.CrashLoop, names[i])
			case 5:
				kl.BrokenNew = append(kl.BrokenNew, names[i])
			case 6:
				kl.CrashLoopNew = append(kl.CrashLoopNew, names[i])
			}
		}
		cluster, err := simulate.NewCluster(nodes, nil)
		if err != nil {
			t.Fatalf("simtest.Scenario generated an invalid cluster: %v", err)
		}
		var from, to *appsv1.DaemonSet
		if healthy {
			strategy := UpdateStrategy().Filter(func(s appsv1.DaemonSetUpdateStrategy) bool {
				return s.Type == appsv1.RollingUpdateDaemonSetStrategyType
			}).Draw(t, "strategy")
			from = RolloutDaemonSet("registry.example/agent:1", strategy).Draw(t, "from")
			from.Spec.Template.Spec.Tolerations, from.Spec.Template.Spec.NodeSelector = nil, nil
			to = from.DeepCopy()
			to.Spec.Template.Spec.Containers[0].Image = "registry.example/agent:2"
		} else {
			from = RolloutDaemonSet("registry.example/agent:1", UpdateStrategy().Draw(t, "fromStrategy")).Draw(t, "from")
			strategy := from.Spec.UpdateStrategy
			if rapid.IntRange(0, 3).Draw(t, "newStrategy") == 0 {
				strategy = UpdateStrategy().Draw(t, "toStrategy")
			}
			to = RolloutDaemonSet("registry.example/agent:2", strategy).Draw(t, "to")
			if rapid.IntRange(0, 5).Draw(t, "fromCreation") == 0 {
				from = nil
			}
		}
		kl.Startup = time.Duration(rapid.IntRange(0, 30).Draw(t, "startup")) * time.Second
		if !healthy && rapid.IntRange(0, 3).Draw(t, "hasJitter") == 0 {
			kl.StartupJitter = time.Duration(rapid.IntRange(1, 10).Draw(t, "jitter")) * time.Second
		}
		sc := simulate.Scenario{
			Cluster: cluster, From: from, To: to, Kubelet: kl,
			Order:  simulate.Order{Kind: rapid.SampledFrom([]simulate.OrderKind{simulate.OrderSorted, simulate.OrderRandom}).Draw(t, "order"), Seed: rapid.Int64().Draw(t, "seed")},
			Limits: simulate.Limits{MaxTime: 24 * time.Hour},
		}
		// Events name nodes that exist when they happen: drawn in time
		// order, a removed node is named no more, an added one may be.
		live := append([]string(nil), names...)
		var last time.Duration
		for i := range rapid.IntRange(0, max(0, maxEvents)).Draw(t, "eventCount") {
			add := ""
			if rapid.IntRange(0, 4).Draw(t, "mayAdd") == 0 || len(live) == 0 {
				add = fmt.Sprintf("added-%d", i)
			}
			ev := RolloutEvent(time.Hour, add, live...).Draw(t, "event")
			ev.At = max(ev.At, last)
			last = ev.At
			switch ev.Kind {
			case simulate.EventNodeAdd:
				live = append(live, ev.NewNode.Name)
			case simulate.EventNodeRemove:
				live = removeName(live, ev.Node)
			}
			sc.Events = append(sc.Events, ev)
		}
		return sc
	})
}

func removeName(names []string, name string) []string {
	out := names[:0:0]
	for _, n := range names {
		if n != name {
			out = append(out, n)
		}
	}
	return out
}
