package builder

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestScheduling(t *testing.T) {
	exists := corev1.TolerationOpExists
	tests := []struct {
		name string
		b    *DaemonSet
		want func(t *testing.T, spec *corev1.PodSpec)
	}{
		{"nodeSelector set, removed and replaced", agent().NodeSelector("kubernetes.io/os", "linux").NodeSelector("gpu", "true").RemoveNodeSelector("gpu"),
			func(t *testing.T, spec *corev1.PodSpec) {
				if !reflect.DeepEqual(spec.NodeSelector, map[string]string{"kubernetes.io/os": "linux"}) {
					t.Errorf("nodeSelector = %v", spec.NodeSelector)
				}
			}},
		{"NodeSelectorLabels replaces, empty clears", agent().NodeSelector("a", "b").NodeSelectorLabels(map[string]string{"c": "d"}).NodeSelectorLabels(nil),
			func(t *testing.T, spec *corev1.PodSpec) {
				if spec.NodeSelector != nil {
					t.Errorf("nodeSelector = %v", spec.NodeSelector)
				}
			}},
		// upstream: core/validation/validation_test.go TestValidateAffinity (required terms ORed, expressions ANDed)
		{"required terms are alternatives, requirements within one term all hold", agent().
			RequireNodeAffinity(NodeLabelIn("zone", "a", "b"), NodeLabelExists("gpu")).
			RequireNodeAffinity(NodeLabelNotIn("tier", "x"), NodeLabelDoesNotExist("spot"), NodeLabelGt("cores", 4), NodeLabelLt("age", 10)),
			func(t *testing.T, spec *corev1.PodSpec) {
				terms := spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
				if len(terms) != 2 || len(terms[0].MatchExpressions) != 2 || len(terms[1].MatchExpressions) != 4 {
					t.Fatalf("terms = %+v", terms)
				}
				if e := terms[1].MatchExpressions[2]; e.Operator != corev1.NodeSelectorOpGt || e.Values[0] != "4" {
					t.Errorf("Gt = %+v", e)
				}
			}},
		{"preferred terms carry their weight", agent().PreferNodeAffinity(50, NodeLabelIn("disk", "ssd")),
			func(t *testing.T, spec *corev1.PodSpec) {
				p := spec.Affinity.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution
				if len(p) != 1 || p[0].Weight != 50 {
					t.Errorf("preferred = %+v", p)
				}
			}},
		{"ClearNodeAffinity removes terms and the empty-term problem", agent().RequireNodeAffinity().RequireNodeAffinity(NodeLabelExists("a")).ClearNodeAffinity(),
			func(t *testing.T, spec *corev1.PodSpec) {
				if spec.Affinity != nil {
					t.Errorf("affinity = %+v", spec.Affinity)
				}
			}},
		{"TolerateAll is one Exists toleration, added once", agent().TolerateAll().TolerateAll(),
			func(t *testing.T, spec *corev1.PodSpec) {
				if !reflect.DeepEqual(spec.Tolerations, []corev1.Toleration{{Operator: exists}}) {
					t.Errorf("tolerations = %+v", spec.Tolerations)
				}
			}},
		{"TolerateControlPlane tolerates the control-plane NoSchedule taint", agent().TolerateControlPlane(),
			func(t *testing.T, spec *corev1.PodSpec) {
				want := []corev1.Toleration{{Key: ControlPlaneTaint, Operator: exists, Effect: corev1.TaintEffectNoSchedule}}
				if !reflect.DeepEqual(spec.Tolerations, want) {
					t.Errorf("tolerations = %+v", spec.Tolerations)
				}
			}},
		{"Tolerate keeps distinct tolerationSeconds apart", agent().
			Tolerate(corev1.Toleration{Key: "k", Operator: exists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptrTo[int64](30)}).
			Tolerate(corev1.Toleration{Key: "k", Operator: exists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptrTo[int64](60)}).
			Tolerate(corev1.Toleration{Key: "k", Operator: exists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptrTo[int64](60)}),
			func(t *testing.T, spec *corev1.PodSpec) {
				if len(spec.Tolerations) != 2 {
					t.Errorf("tolerations = %+v", spec.Tolerations)
				}
			}},
		{"RemoveTolerations by key; empty key removes tolerate-all", agent().TolerateAll().TolerateControlPlane().
			Tolerate(corev1.Toleration{Key: "keep", Operator: exists}).RemoveTolerations("", ControlPlaneTaint),
			func(t *testing.T, spec *corev1.PodSpec) {
				if len(spec.Tolerations) != 1 || spec.Tolerations[0].Key != "keep" {
					t.Errorf("tolerations = %+v", spec.Tolerations)
				}
			}},
		{"Tolerations replaces the list", agent().TolerateAll().Tolerations(corev1.Toleration{Key: "only", Operator: exists}),
			func(t *testing.T, spec *corev1.PodSpec) {
				if len(spec.Tolerations) != 1 || spec.Tolerations[0].Key != "only" {
					t.Errorf("tolerations = %+v", spec.Tolerations)
				}
			}},
		{"priority class, service account, DNS policy, grace period", agent().PriorityClass("system-node-critical").ServiceAccount("agent").
			DNSPolicy(corev1.DNSDefault).TerminationGracePeriod(5),
			func(t *testing.T, spec *corev1.PodSpec) {
				if spec.PriorityClassName != "system-node-critical" || spec.ServiceAccountName != "agent" || spec.DNSPolicy != corev1.DNSDefault ||
					*spec.TerminationGracePeriodSeconds != 5 {
					t.Errorf("spec = %+v", spec)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.want(t, &mustBuild(t, tt.b).Spec.Template.Spec) })
	}
}

func ptrTo[T any](v T) *T { return &v }
