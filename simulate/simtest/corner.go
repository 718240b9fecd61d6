package simtest

import (
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"pgregory.net/rapid"
)

// The corner-case vocabulary. Where the generators of generators.go draw
// objects the API server accepts from a realistic vocabulary, the Corner
// generators draw what the placement rules must also answer for, valid or
// not: empty and malformed label keys and values, integers that overflow
// int64 for Gt/Lt, unknown operators and effects, empty node names, and every
// node lifecycle taint. Their pools are tiny on purpose, so that a selector,
// affinity term or toleration drawn independently of a node often hits its
// labels and taints. The conformance module holds daemonset.Evaluate to
// upstream's NodeShouldRunDaemonPod on them (upstream:
// pkg/controller/daemon/util/daemonset_util.go, component-helpers
// scheduling/corev1/nodeaffinity and corev1 helpers ToleratesTaint).

// CornerNodeNames returns the node names the Corner generators draw from,
// the empty name included.
func CornerNodeNames() []string { return []string{"", "n1", "n2", "node-a"} }

// CornerKeys returns the label and taint keys the Corner generators draw
// from: valid and invalid keys and the node lifecycle taints.
func CornerKeys() []string {
	return []string{
		"a", "b", "zone", "cores", "", "bad key!", "example.com/", "nvidia.com/gpu",
		corev1.TaintNodeNotReady, corev1.TaintNodeUnreachable, corev1.TaintNodeUnschedulable,
		corev1.TaintNodeNetworkUnavailable, corev1.TaintNodeDiskPressure, corev1.TaintNodeMemoryPressure,
		corev1.TaintNodePIDPressure,
	}
}

// CornerValues returns the label, taint and toleration values the Corner
// generators draw from: empty, words, integers with signs and leading
// zeros, the int64 bounds and one past them, and an invalid value.
func CornerValues() []string {
	return []string{
		"", "x", "y", "present", "4", "8", "9", "-3", "+5", "abc", "007",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "bad value!",
	}
}

func cornerEffects() []corev1.TaintEffect {
	return []corev1.TaintEffect{
		"", corev1.TaintEffectNoSchedule, corev1.TaintEffectNoExecute, corev1.TaintEffectPreferNoSchedule, "Weird",
	}
}

func cornerTolerationOperators() []corev1.TolerationOperator {
	return []corev1.TolerationOperator{
		"", corev1.TolerationOpEqual, corev1.TolerationOpExists, corev1.TolerationOpLt, corev1.TolerationOpGt, "Weird",
	}
}

func cornerSelectorOperators() []corev1.NodeSelectorOperator {
	return []corev1.NodeSelectorOperator{
		corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn, corev1.NodeSelectorOpExists,
		corev1.NodeSelectorOpDoesNotExist, corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt, "", "Weird",
	}
}

func cornerFieldKeys() []string {
	return []string{metav1.ObjectNameField, metav1.ObjectNameField, "metadata.foo", ""}
}

// CornerTaint generates a taint of a CornerKeys key and a CornerValues
// value with a known or unknown ("Weird") effect.
func CornerTaint() *rapid.Generator[corev1.Taint] {
	return rapid.Custom(func(t *rapid.T) corev1.Taint {
		return corev1.Taint{
			Key:    rapid.SampledFrom(CornerKeys()).Draw(t, "key"),
			Value:  rapid.SampledFrom(CornerValues()).Draw(t, "value"),
			Effect: rapid.SampledFrom(cornerEffects()[1:]).Draw(t, "effect"),
		}
	})
}

// CornerToleration generates a toleration with any operator (Lt, Gt and
// unknown ones too), any effect (empty and unknown too) and sometimes
// tolerationSeconds, negative ones included.
func CornerToleration() *rapid.Generator[corev1.Toleration] {
	return rapid.Custom(func(t *rapid.T) corev1.Toleration {
		tol := corev1.Toleration{
			Key:      rapid.SampledFrom(CornerKeys()).Draw(t, "key"),
			Operator: rapid.SampledFrom(cornerTolerationOperators()).Draw(t, "op"),
			Value:    rapid.SampledFrom(CornerValues()).Draw(t, "value"),
			Effect:   rapid.SampledFrom(cornerEffects()).Draw(t, "effect"),
		}
		if rapid.Bool().Draw(t, "hasSeconds") {
			s := rapid.Int64Range(-1, 600).Draw(t, "seconds")
			tol.TolerationSeconds = &s
		}
		return tol
	})
}

// CornerLabels generates up to maxLen labels of CornerKeys keys and
// CornerValues values.
func CornerLabels(maxLen int) *rapid.Generator[map[string]string] {
	return rapid.MapOfN(rapid.SampledFrom(CornerKeys()), rapid.SampledFrom(CornerValues()), 0, maxLen)
}

func cornerSelectorRequirement() *rapid.Generator[corev1.NodeSelectorRequirement] {
	values := slices.Concat(CornerValues(), CornerNodeNames())
	return rapid.Custom(func(t *rapid.T) corev1.NodeSelectorRequirement {
		return corev1.NodeSelectorRequirement{
			Key:      rapid.SampledFrom(CornerKeys()).Draw(t, "key"),
			Operator: rapid.SampledFrom(cornerSelectorOperators()).Draw(t, "op"),
			Values:   rapid.SliceOfN(rapid.SampledFrom(values), 0, 3).Draw(t, "values"),
		}
	})
}

func cornerFieldRequirement() *rapid.Generator[corev1.NodeSelectorRequirement] {
	return rapid.Custom(func(t *rapid.T) corev1.NodeSelectorRequirement {
		n := rapid.SampledFrom([]int{1, 1, 1, 0, 2}).Draw(t, "nvalues")
		return corev1.NodeSelectorRequirement{
			Key:      rapid.SampledFrom(cornerFieldKeys()).Draw(t, "key"),
			Operator: rapid.SampledFrom([]corev1.NodeSelectorOperator{corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn, corev1.NodeSelectorOpIn, corev1.NodeSelectorOpExists}).Draw(t, "op"),
			Values:   rapid.SliceOfN(rapid.SampledFrom(CornerNodeNames()), n, n).Draw(t, "values"),
		}
	})
}

func cornerTerm() *rapid.Generator[corev1.NodeSelectorTerm] {
	return rapid.Custom(func(t *rapid.T) corev1.NodeSelectorTerm {
		var term corev1.NodeSelectorTerm
		if n := rapid.IntRange(0, 3).Draw(t, "nexprs"); n > 0 {
			term.MatchExpressions = rapid.SliceOfN(cornerSelectorRequirement(), n, n).Draw(t, "exprs")
		}
		if n := rapid.IntRange(0, 2).Draw(t, "nfields"); n > 0 {
			term.MatchFields = rapid.SliceOfN(cornerFieldRequirement(), n, n).Draw(t, "fields")
		}
		return term
	})
}

// CornerAffinity generates nil, an empty affinity, an empty node affinity,
// or a required node affinity of up to 3 terms whose matchExpressions and
// matchFields (metadata.name, an unknown field, an empty key; wrong value
// counts) may be malformed.
func CornerAffinity() *rapid.Generator[*corev1.Affinity] {
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
				NodeSelectorTerms: rapid.SliceOfN(cornerTerm(), 0, 3).Draw(t, "terms"),
			},
		}}
	})
}

// CornerDaemonSet generates a DaemonSet default/ds whose template sets only
// what placement reads: sometimes spec.nodeName (a CornerNodeNames name),
// nodeSelector, CornerAffinity, up to 4 CornerTolerations and hostNetwork.
// It has no containers: it is input for the placement rules, not for the
// API server.
func CornerDaemonSet() *rapid.Generator[*appsv1.DaemonSet] {
	return rapid.Custom(func(t *rapid.T) *appsv1.DaemonSet {
		ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "ds", Namespace: "default"}}
		spec := &ds.Spec.Template.Spec
		if rapid.IntRange(0, 5).Draw(t, "pin") == 0 {
			spec.NodeName = rapid.SampledFrom(CornerNodeNames()).Draw(t, "nodeName")
		}
		if rapid.Bool().Draw(t, "hasSelector") {
			spec.NodeSelector = CornerLabels(2).Draw(t, "nodeSelector")
		}
		spec.Affinity = CornerAffinity().Draw(t, "affinity")
		spec.Tolerations = rapid.SliceOfN(CornerToleration(), 0, 4).Draw(t, "tolerations")
		spec.HostNetwork = rapid.Bool().Draw(t, "hostNetwork")
		return ds
	})
}

// CornerNode generates a node named from CornerNodeNames (sometimes with
// nil labels) with up to 8 CornerLabels and up to 5 CornerTaints, the node
// lifecycle taints among them.
func CornerNode() *rapid.Generator[*corev1.Node] {
	return rapid.Custom(func(t *rapid.T) *corev1.Node {
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: rapid.SampledFrom(CornerNodeNames()).Draw(t, "name")}}
		if rapid.IntRange(0, 9).Draw(t, "nilLabels") > 0 {
			n.Labels = CornerLabels(8).Draw(t, "labels")
		}
		n.Spec.Taints = rapid.SliceOfN(CornerTaint(), 0, 5).Draw(t, "taints")
		return n
	})
}
