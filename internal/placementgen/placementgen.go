// Package placementgen holds the rapid generators of DaemonSets and nodes
// that the placement property tests of package daemonset and the
// conformance module share. The pools are small on purpose, so that
// selectors, affinity terms and tolerations often hit the labels and taints
// of the generated node; they include every corner of spec §1.4/§1.5 (empty
// and invalid keys and values, integer and non-integer values, unknown
// operators and effects, the node lifecycle taints).
package placementgen

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"pgregory.net/rapid"
)

// The pools the generators draw from. Tests may read them to draw values of
// their own; nothing writes them.
var (
	NodeNames = []string{"", "n1", "n2", "node-a"}
	Keys      = []string{
		"a", "b", "zone", "cores", "", "bad key!", "example.com/", "nvidia.com/gpu",
		corev1.TaintNodeNotReady, corev1.TaintNodeUnreachable, corev1.TaintNodeUnschedulable,
		corev1.TaintNodeNetworkUnavailable, corev1.TaintNodeDiskPressure, corev1.TaintNodeMemoryPressure,
		corev1.TaintNodePIDPressure,
	}
	Values = []string{
		"", "x", "y", "present", "4", "8", "9", "-3", "+5", "abc", "007",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "bad value!",
	}
	Effects = []corev1.TaintEffect{
		"", corev1.TaintEffectNoSchedule, corev1.TaintEffectNoExecute, corev1.TaintEffectPreferNoSchedule, "Weird",
	}
	TolerationOperators = []corev1.TolerationOperator{
		"", corev1.TolerationOpEqual, corev1.TolerationOpExists, corev1.TolerationOpLt, corev1.TolerationOpGt, "Weird",
	}
	SelectorOperators = []corev1.NodeSelectorOperator{
		corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn, corev1.NodeSelectorOpExists,
		corev1.NodeSelectorOpDoesNotExist, corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt, "", "Weird",
	}
	FieldKeys = []string{metav1.ObjectNameField, metav1.ObjectNameField, "metadata.foo", ""}
)

func Taint() *rapid.Generator[corev1.Taint] {
	return rapid.Custom(func(t *rapid.T) corev1.Taint {
		return corev1.Taint{
			Key:    rapid.SampledFrom(Keys).Draw(t, "key"),
			Value:  rapid.SampledFrom(Values).Draw(t, "value"),
			Effect: rapid.SampledFrom(Effects[1:]).Draw(t, "effect"),
		}
	})
}

func Toleration() *rapid.Generator[corev1.Toleration] {
	return rapid.Custom(func(t *rapid.T) corev1.Toleration {
		tol := corev1.Toleration{
			Key:      rapid.SampledFrom(Keys).Draw(t, "key"),
			Operator: rapid.SampledFrom(TolerationOperators).Draw(t, "op"),
			Value:    rapid.SampledFrom(Values).Draw(t, "value"),
			Effect:   rapid.SampledFrom(Effects).Draw(t, "effect"),
		}
		if rapid.Bool().Draw(t, "hasSeconds") {
			s := rapid.Int64Range(-1, 600).Draw(t, "seconds")
			tol.TolerationSeconds = &s
		}
		return tol
	})
}

func Labels(maxLen int) *rapid.Generator[map[string]string] {
	return rapid.MapOfN(rapid.SampledFrom(Keys), rapid.SampledFrom(Values), 0, maxLen)
}

func SelectorRequirement(keys []string) *rapid.Generator[corev1.NodeSelectorRequirement] {
	return rapid.Custom(func(t *rapid.T) corev1.NodeSelectorRequirement {
		return corev1.NodeSelectorRequirement{
			Key:      rapid.SampledFrom(keys).Draw(t, "key"),
			Operator: rapid.SampledFrom(SelectorOperators).Draw(t, "op"),
			Values:   rapid.SliceOfN(rapid.SampledFrom(append(append([]string{}, Values...), NodeNames...)), 0, 3).Draw(t, "values"),
		}
	})
}

func FieldRequirement() *rapid.Generator[corev1.NodeSelectorRequirement] {
	return rapid.Custom(func(t *rapid.T) corev1.NodeSelectorRequirement {
		n := rapid.SampledFrom([]int{1, 1, 1, 0, 2}).Draw(t, "nvalues")
		return corev1.NodeSelectorRequirement{
			Key:      rapid.SampledFrom(FieldKeys).Draw(t, "key"),
			Operator: rapid.SampledFrom([]corev1.NodeSelectorOperator{corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn, corev1.NodeSelectorOpIn, corev1.NodeSelectorOpExists}).Draw(t, "op"),
			Values:   rapid.SliceOfN(rapid.SampledFrom(NodeNames), n, n).Draw(t, "values"),
		}
	})
}

func Term() *rapid.Generator[corev1.NodeSelectorTerm] {
	return rapid.Custom(func(t *rapid.T) corev1.NodeSelectorTerm {
		var term corev1.NodeSelectorTerm
		if n := rapid.IntRange(0, 3).Draw(t, "nexprs"); n > 0 {
			term.MatchExpressions = rapid.SliceOfN(SelectorRequirement(Keys), n, n).Draw(t, "exprs")
		}
		if n := rapid.IntRange(0, 2).Draw(t, "nfields"); n > 0 {
			term.MatchFields = rapid.SliceOfN(FieldRequirement(), n, n).Draw(t, "fields")
		}
		return term
	})
}

func Affinity() *rapid.Generator[*corev1.Affinity] {
	return rapid.Custom(func(t *rapid.T) *corev1.Affinity {
		switch rapid.IntRange(0, 9).Draw(t, "affShape") {
		case 0, 1, 2:
			return nil
		case 3:
			return &corev1.Affinity{}
		case 4:
			return &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{}}
		}
		return &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
				NodeSelectorTerms: rapid.SliceOfN(Term(), 0, 3).Draw(t, "terms"),
			},
		}}
	})
}

// DaemonSet draws a DaemonSet whose template exercises every
// input placement reads.
func DaemonSet() *rapid.Generator[*appsv1.DaemonSet] {
	return rapid.Custom(func(t *rapid.T) *appsv1.DaemonSet {
		ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "ds", Namespace: "default"}}
		spec := &ds.Spec.Template.Spec
		if rapid.IntRange(0, 5).Draw(t, "pin") == 0 {
			spec.NodeName = rapid.SampledFrom(NodeNames).Draw(t, "nodeName")
		}
		if rapid.Bool().Draw(t, "hasSelector") {
			spec.NodeSelector = Labels(2).Draw(t, "nodeSelector")
		}
		spec.Affinity = Affinity().Draw(t, "affinity")
		spec.Tolerations = rapid.SliceOfN(Toleration(), 0, 4).Draw(t, "tolerations")
		spec.HostNetwork = rapid.Bool().Draw(t, "hostNetwork")
		return ds
	})
}

// Node draws a node with many labels and taints, including the
// node lifecycle taints.
func Node() *rapid.Generator[*corev1.Node] {
	return rapid.Custom(func(t *rapid.T) *corev1.Node {
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: rapid.SampledFrom(NodeNames).Draw(t, "name")}}
		if rapid.IntRange(0, 9).Draw(t, "nilLabels") > 0 {
			n.Labels = Labels(8).Draw(t, "labels")
		}
		n.Spec.Taints = rapid.SliceOfN(Taint(), 0, 5).Draw(t, "taints")
		return n
	})
}
