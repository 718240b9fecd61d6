package simtest

import (
	"fmt"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"pgregory.net/rapid"

	"github.com/daemonkit/daemonkit/simulate"
)

// The vocabulary generated objects draw from. It is small on purpose: a
// selector, affinity term or toleration generated independently of a node
// then matches it often enough to exercise both outcomes.
func labelKeys() []string {
	return []string{"pool", "zone", "tier", "gpu", "cores", corev1.LabelOSStable, corev1.LabelArchStable, "example.com/team"}
}

func labelValues() []string {
	return []string{"", "a", "b", "c", "linux", "windows", "true", "2", "8", "16"}
}

func taintKeys() []string {
	return []string{"dedicated", "gpu", "example.com/special",
		corev1.TaintNodeNotReady, corev1.TaintNodeUnreachable, corev1.TaintNodeUnschedulable,
		corev1.TaintNodeDiskPressure, corev1.TaintNodeMemoryPressure, corev1.TaintNodePIDPressure,
		corev1.TaintNodeNetworkUnavailable, "node-role.kubernetes.io/control-plane"}
}

func effects() []corev1.TaintEffect {
	return []corev1.TaintEffect{corev1.TaintEffectNoSchedule, corev1.TaintEffectNoExecute, corev1.TaintEffectPreferNoSchedule}
}

// LabelKey generates a label key from a small vocabulary (pool, zone, tier,
// gpu, cores, kubernetes.io/os, kubernetes.io/arch, example.com/team).
func LabelKey() *rapid.Generator[string] { return rapid.SampledFrom(labelKeys()) }

// LabelValue generates a label value from a small vocabulary, including
// the empty value and integers (for Gt/Lt).
func LabelValue() *rapid.Generator[string] { return rapid.SampledFrom(labelValues()) }

// Labels generates a label map of up to 5 entries.
func Labels() *rapid.Generator[map[string]string] {
	return rapid.MapOfN(LabelKey(), LabelValue(), 0, 5)
}

// NodeSelector generates a nodeSelector: nil, empty or up to 3 entries.
func NodeSelector() *rapid.Generator[map[string]string] {
	return rapid.Custom(func(t *rapid.T) map[string]string {
		if rapid.IntRange(0, 2).Draw(t, "selectorNil") == 0 {
			return nil
		}
		return rapid.MapOfN(LabelKey(), LabelValue(), 0, 3).Draw(t, "nodeSelector")
	})
}

// Taint generates a taint: well-known lifecycle and custom keys, any effect.
func Taint() *rapid.Generator[corev1.Taint] {
	return rapid.Custom(func(t *rapid.T) corev1.Taint {
		return corev1.Taint{
			Key:    rapid.SampledFrom(taintKeys()).Draw(t, "key"),
			Value:  rapid.SampledFrom([]string{"", "true", "present", "5"}).Draw(t, "value"),
			Effect: rapid.SampledFrom(effects()).Draw(t, "effect"),
		}
	})
}

// Taints generates up to 4 taints, distinct by key and effect (as the API
// server requires).
func Taints() *rapid.Generator[[]corev1.Taint] {
	return rapid.SliceOfNDistinct(Taint(), 0, 4, func(x corev1.Taint) string { return x.Key + ":" + string(x.Effect) })
}

// Toleration generates a toleration: empty or vocabulary key, operator
// Exists / Equal / empty (and rarely Lt or Gt, which match nothing with the
// comparison-operators gate off), empty or any effect, sometimes
// tolerationSeconds.
func Toleration() *rapid.Generator[corev1.Toleration] {
	return rapid.Custom(func(t *rapid.T) corev1.Toleration {
		tol := corev1.Toleration{
			Key:      rapid.SampledFrom(append([]string{""}, taintKeys()...)).Draw(t, "key"),
			Operator: rapid.SampledFrom([]corev1.TolerationOperator{corev1.TolerationOpExists, corev1.TolerationOpEqual, "", "Lt", "Gt"}).Draw(t, "operator"),
			Effect:   rapid.SampledFrom(append([]corev1.TaintEffect{""}, effects()...)).Draw(t, "effect"),
		}
		if tol.Operator != corev1.TolerationOpExists {
			tol.Value = rapid.SampledFrom([]string{"", "true", "present", "5"}).Draw(t, "value")
		}
		if rapid.IntRange(0, 3).Draw(t, "hasSeconds") == 0 {
			tol.TolerationSeconds = ptr.To(rapid.Int64Range(0, 600).Draw(t, "seconds"))
		}
		return tol
	})
}

// Tolerations generates up to 4 tolerations.
func Tolerations() *rapid.Generator[[]corev1.Toleration] {
	return rapid.SliceOfN(Toleration(), 0, 4)
}

// NodeSelectorRequirement generates a matchExpressions requirement with every
// operator, including malformed ones (wrong value counts, non-integer Gt/Lt)
// that make the whole term fail to parse.
func NodeSelectorRequirement() *rapid.Generator[corev1.NodeSelectorRequirement] {
	return rapid.Custom(func(t *rapid.T) corev1.NodeSelectorRequirement {
		op := rapid.SampledFrom([]corev1.NodeSelectorOperator{
			corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn, corev1.NodeSelectorOpExists,
			corev1.NodeSelectorOpDoesNotExist, corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt,
		}).Draw(t, "op")
		r := corev1.NodeSelectorRequirement{Key: LabelKey().Draw(t, "key"), Operator: op}
		switch op {
		case corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn:
			r.Values = rapid.SliceOfN(LabelValue(), 0, 3).Draw(t, "values")
		case corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt:
			r.Values = rapid.SliceOfN(rapid.SampledFrom([]string{"1", "4", "8", "12", "x"}), 0, 2).Draw(t, "values")
		default:
			if rapid.IntRange(0, 9).Draw(t, "badValues") == 0 {
				r.Values = []string{"a"}
			}
		}
		return r
	})
}

// NodeSelectorTerm generates a term of up to 3 matchExpressions and
// sometimes a metadata.name matchFields requirement naming one of nodeNames.
func NodeSelectorTerm(nodeNames ...string) *rapid.Generator[corev1.NodeSelectorTerm] {
	return rapid.Custom(func(t *rapid.T) corev1.NodeSelectorTerm {
		term := corev1.NodeSelectorTerm{MatchExpressions: rapid.SliceOfN(NodeSelectorRequirement(), 0, 3).Draw(t, "matchExpressions")}
		if len(nodeNames) > 0 && rapid.IntRange(0, 3).Draw(t, "hasFields") == 0 {
			term.MatchFields = []corev1.NodeSelectorRequirement{{
				Key:      metav1.ObjectNameField,
				Operator: rapid.SampledFrom([]corev1.NodeSelectorOperator{corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn}).Draw(t, "fieldOp"),
				Values:   []string{rapid.SampledFrom(nodeNames).Draw(t, "fieldValue")},
			}}
		}
		return term
	})
}

// Affinity generates nil (often) or an affinity with a required node
// affinity of 1–3 terms (and rarely zero terms, which matches no node).
func Affinity(nodeNames ...string) *rapid.Generator[*corev1.Affinity] {
	return rapid.Custom(func(t *rapid.T) *corev1.Affinity {
		if rapid.IntRange(0, 1).Draw(t, "affinityNil") == 0 {
			return nil
		}
		terms := rapid.SliceOfN(NodeSelectorTerm(nodeNames...), 0, 3).Draw(t, "terms")
		return &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: terms},
		}}
	})
}

// PodAffinityTerm generates a required pod (anti-)affinity term: topology
// key per node or per zone, a selector on app (one of apps, or any app),
// the owner's namespace or all of them.
func PodAffinityTerm(apps ...string) *rapid.Generator[corev1.PodAffinityTerm] {
	return rapid.Custom(func(t *rapid.T) corev1.PodAffinityTerm {
		term := corev1.PodAffinityTerm{TopologyKey: rapid.SampledFrom([]string{corev1.LabelHostname, corev1.LabelTopologyZone}).Draw(t, "topologyKey")}
		if len(apps) > 0 && rapid.IntRange(0, 3).Draw(t, "anyApp") != 0 {
			term.LabelSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": rapid.SampledFrom(apps).Draw(t, "app")}}
		} else {
			term.LabelSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: metav1.LabelSelectorOpExists}}}
		}
		if rapid.Bool().Draw(t, "allNamespaces") {
			term.NamespaceSelector = &metav1.LabelSelector{}
		}
		return term
	})
}

// PodAffinity generates nil (mostly) or required pod affinity and
// anti-affinity terms (PodAffinityTerm) added to a, which may be nil.
func PodAffinity(a *corev1.Affinity, apps ...string) *rapid.Generator[*corev1.Affinity] {
	return rapid.Custom(func(t *rapid.T) *corev1.Affinity {
		if rapid.IntRange(0, 2).Draw(t, "podAffinityNil") != 0 {
			return a
		}
		out := &corev1.Affinity{}
		if a != nil {
			out = a.DeepCopy()
		}
		if rapid.IntRange(0, 2).Draw(t, "hasAffinity") == 0 {
			out.PodAffinity = &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: rapid.SliceOfN(PodAffinityTerm(apps...), 1, 2).Draw(t, "affinity")}
		}
		if rapid.Bool().Draw(t, "hasAntiAffinity") {
			out.PodAntiAffinity = &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: rapid.SliceOfN(PodAffinityTerm(apps...), 1, 2).Draw(t, "antiAffinity")}
		}
		return out
	})
}

// ResourceList generates cpu (0–4000m) and memory (0–8Gi) quantities, each
// sometimes absent.
func ResourceList() *rapid.Generator[corev1.ResourceList] {
	return rapid.Custom(func(t *rapid.T) corev1.ResourceList {
		rl := corev1.ResourceList{}
		if rapid.Bool().Draw(t, "hasCPU") {
			rl[corev1.ResourceCPU] = *resource.NewMilliQuantity(rapid.Int64Range(0, 4000).Draw(t, "milliCPU"), resource.DecimalSI)
		}
		if rapid.Bool().Draw(t, "hasMemory") {
			rl[corev1.ResourceMemory] = *resource.NewQuantity(rapid.Int64Range(0, 8<<10).Draw(t, "memMi")<<20, resource.BinarySI)
		}
		return rl
	})
}

// Container generates a container with requests, limits (requests may be
// left to default from limits) and up to 2 ports, some with host ports.
func Container(name string) *rapid.Generator[corev1.Container] {
	return rapid.Custom(func(t *rapid.T) corev1.Container {
		c := corev1.Container{Name: name, Image: "registry.example/" + name + ":1"}
		c.Resources.Requests = ResourceList().Draw(t, "requests")
		if rapid.Bool().Draw(t, "hasLimits") {
			c.Resources.Limits = ResourceList().Draw(t, "limits")
		}
		for i := range rapid.IntRange(0, 2).Draw(t, "ports") {
			p := corev1.ContainerPort{
				ContainerPort: rapid.SampledFrom([]int32{53, 80, 9100, 10256}).Draw(t, "containerPort"),
				Protocol:      rapid.SampledFrom([]corev1.Protocol{"", corev1.ProtocolTCP, corev1.ProtocolUDP}).Draw(t, "protocol"),
				Name:          "p" + strconv.Itoa(i),
			}
			if rapid.Bool().Draw(t, "hostPort") {
				p.HostPort = p.ContainerPort
				p.HostIP = rapid.SampledFrom([]string{"", "", "0.0.0.0", "127.0.0.1"}).Draw(t, "hostIP")
			}
			c.Ports = append(c.Ports, p)
		}
		return c
	})
}

// Node generates a node named name with vocabulary labels, taints, sometimes
// spec.unschedulable and NotReady conditions, and allocatable of 1–16 cpu,
// 1–64Gi memory and 2–110 pods (rarely none at all).
func Node(name string) *rapid.Generator[*corev1.Node] {
	return rapid.Custom(func(t *rapid.T) *corev1.Node {
		labels := Labels().Draw(t, "labels")
		labels[corev1.LabelHostname] = name
		if z := rapid.IntRange(0, 2).Draw(t, "zone"); z > 0 {
			labels[corev1.LabelTopologyZone] = "zone-" + strconv.Itoa(z)
		}
		n := &corev1.Node{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Node"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
			Spec: corev1.NodeSpec{
				Taints:        Taints().Draw(t, "taints"),
				Unschedulable: rapid.IntRange(0, 5).Draw(t, "cordoned") == 0,
			},
		}
		if rapid.IntRange(0, 19).Draw(t, "noAllocatable") != 0 {
			n.Status.Allocatable = corev1.ResourceList{
				corev1.ResourceCPU:    *resource.NewQuantity(rapid.Int64Range(1, 16).Draw(t, "cpu"), resource.DecimalSI),
				corev1.ResourceMemory: *resource.NewQuantity(rapid.Int64Range(1, 64).Draw(t, "memGi")<<30, resource.BinarySI),
				corev1.ResourcePods:   *resource.NewQuantity(rapid.Int64Range(2, 110).Draw(t, "pods"), resource.DecimalSI),
			}
			n.Status.Capacity = n.Status.Allocatable.DeepCopy()
		}
		ready := rapid.SampledFrom([]corev1.ConditionStatus{corev1.ConditionTrue, corev1.ConditionTrue, corev1.ConditionFalse, corev1.ConditionUnknown}).Draw(t, "ready")
		n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}
		return n
	})
}

// Nodes generates between min and max nodes named node-0, node-1, ...
func Nodes(minN, maxN int) *rapid.Generator[[]*corev1.Node] {
	return rapid.Custom(func(t *rapid.T) []*corev1.Node {
		n := rapid.IntRange(minN, maxN).Draw(t, "nodeCount")
		out := make([]*corev1.Node, n)
		for i := range out {
			out[i] = Node(fmt.Sprintf("node-%d", i)).Draw(t, "node")
		}
		return out
	})
}

// Pod generates a pod named name bound to one of nodeNames (or to none),
// with 1–2 containers, sometimes hostNetwork, and a phase that is sometimes
// terminal.
func Pod(name string, nodeNames ...string) *rapid.Generator[*corev1.Pod] {
	return rapid.Custom(func(t *rapid.T) *corev1.Pod {
		p := &corev1.Pod{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
			Spec: corev1.PodSpec{
				HostNetwork: rapid.IntRange(0, 4).Draw(t, "hostNetwork") == 0,
				Containers:  []corev1.Container{Container("app").Draw(t, "container")},
			},
			Status: corev1.PodStatus{Phase: rapid.SampledFrom([]corev1.PodPhase{corev1.PodRunning, corev1.PodRunning, corev1.PodPending, corev1.PodSucceeded, corev1.PodFailed}).Draw(t, "phase")},
		}
		if rapid.IntRange(0, 2).Draw(t, "hasApp") == 0 {
			p.Labels = map[string]string{"app": rapid.SampledFrom([]string{"web", "db"}).Draw(t, "app")}
		}
		if rapid.IntRange(0, 5).Draw(t, "hasAntiAffinity") == 0 {
			p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{PodAffinityTerm("a", "b", "web").Draw(t, "antiAffinity")}}}
		}
		if len(nodeNames) > 0 {
			p.Spec.NodeName = rapid.SampledFrom(append([]string{""}, nodeNames...)).Draw(t, "nodeName")
		}
		return p
	})
}

// Cluster generates a valid cluster of minNodes to maxNodes nodes and up to
// 3 pods per node.
func Cluster(minNodes, maxNodes int) *rapid.Generator[*simulate.Cluster] {
	return rapid.Custom(func(t *rapid.T) *simulate.Cluster {
		nodes := Nodes(minNodes, maxNodes).Draw(t, "nodes")
		names := make([]string, len(nodes))
		for i, n := range nodes {
			names[i] = n.Name
		}
		var pods []*corev1.Pod
		for i := range rapid.IntRange(0, 3*len(nodes)).Draw(t, "podCount") {
			pods = append(pods, Pod(fmt.Sprintf("pod-%d", i), names...).Draw(t, "pod"))
		}
		c, err := simulate.NewCluster(nodes, pods)
		if err != nil {
			t.Fatalf("simtest.Cluster generated an invalid cluster: %v", err)
		}
		return c
	})
}

// DaemonSet generates a DaemonSet named name in namespace default whose
// template draws nodeSelector, affinity (naming nodeNames in matchFields),
// required pod affinity and anti-affinity (PodAffinity), a DoNotSchedule
// spread over its own pods,
// tolerations, containers, an init container, hostNetwork, priority, rarely
// spec.nodeName, and a rolling update strategy that sometimes surges.
func DaemonSet(name string, nodeNames ...string) *rapid.Generator[*appsv1.DaemonSet] {
	return rapid.Custom(func(t *rapid.T) *appsv1.DaemonSet {
		labels := map[string]string{"app": name}
		spec := corev1.PodSpec{
			NodeSelector: NodeSelector().Draw(t, "nodeSelector"),
			Affinity:     PodAffinity(Affinity(nodeNames...).Draw(t, "affinity"), name, "a", "b", "web", "db").Draw(t, "podAffinity"),
			Tolerations:  Tolerations().Draw(t, "tolerations"),
			HostNetwork:  rapid.IntRange(0, 3).Draw(t, "hostNetwork") == 0,
			Containers:   []corev1.Container{Container("agent").Draw(t, "container")},
		}
		if rapid.IntRange(0, 3).Draw(t, "hasInit") == 0 {
			ic := Container("init").Draw(t, "initContainer")
			if rapid.Bool().Draw(t, "sidecar") {
				ic.RestartPolicy = ptr.To(corev1.ContainerRestartPolicyAlways)
			}
			spec.InitContainers = []corev1.Container{ic}
		}
		if rapid.IntRange(0, 4).Draw(t, "hasSpread") == 0 {
			spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
				MaxSkew: 1, TopologyKey: rapid.SampledFrom([]string{corev1.LabelHostname, corev1.LabelTopologyZone}).Draw(t, "spreadKey"),
				WhenUnsatisfiable: corev1.DoNotSchedule, LabelSelector: &metav1.LabelSelector{MatchLabels: labels},
				NodeAffinityPolicy: rapid.SampledFrom([]*corev1.NodeInclusionPolicy{nil, ptr.To(corev1.NodeInclusionPolicyIgnore)}).Draw(t, "nodeAffinityPolicy"),
			}}
		}
		if rapid.IntRange(0, 3).Draw(t, "hasPriority") == 0 {
			spec.PriorityClassName = rapid.SampledFrom([]string{"system-node-critical", "system-cluster-critical"}).Draw(t, "priorityClass")
		}
		if len(nodeNames) > 0 && rapid.IntRange(0, 19).Draw(t, "pinned") == 0 {
			spec.NodeName = rapid.SampledFrom(nodeNames).Draw(t, "nodeName")
		}
		surge := intstr.FromInt32(rapid.Int32Range(0, 1).Draw(t, "maxSurge"))
		unavailable := intstr.FromInt32(1 - surge.IntVal)
		return &appsv1.DaemonSet{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", Generation: 1},
			Spec: appsv1.DaemonSetSpec{
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec},
				UpdateStrategy: appsv1.DaemonSetUpdateStrategy{
					Type:          appsv1.RollingUpdateDaemonSetStrategyType,
					RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: &surge, MaxUnavailable: &unavailable},
				},
			},
		}
	})
}
