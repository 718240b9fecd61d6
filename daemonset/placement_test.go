package daemonset

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"pgregory.net/rapid"
)

func resourceQuantity(s string) *resource.Quantity { q := resource.MustParse(s); return &q }

func strconvParseInt(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }

// Fixtures after daemon_controller_test.go: simpleDaemonSetLabel and newNode.
func plLabels() map[string]string {
	return map[string]string{"name": "simple-daemon", "type": "production"}
}
func plLabels2() map[string]string { return map[string]string{"name": "simple-daemon", "type": "test"} }

func plNode(name string, labels map[string]string, taints ...corev1.Taint) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Spec: corev1.NodeSpec{Taints: taints}}
}

func plDS(mutate func(spec *corev1.PodSpec)) *appsv1.DaemonSet {
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "foo", Namespace: "default"}}
	ds.Spec.Selector = &metav1.LabelSelector{MatchLabels: plLabels()}
	ds.Spec.Template.Labels = plLabels()
	ds.Spec.Template.Spec.Containers = []corev1.Container{{Name: "c", Image: "foo/bar"}}
	if mutate != nil {
		mutate(&ds.Spec.Template.Spec)
	}
	return ds
}

func required(terms ...corev1.NodeSelectorTerm) *corev1.Affinity {
	return &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: terms},
	}}
}

func expr(key string, op corev1.NodeSelectorOperator, values ...string) corev1.NodeSelectorRequirement {
	return corev1.NodeSelectorRequirement{Key: key, Operator: op, Values: values}
}

func exprTerm(reqs ...corev1.NodeSelectorRequirement) corev1.NodeSelectorTerm {
	return corev1.NodeSelectorTerm{MatchExpressions: reqs}
}

func fieldTerm(reqs ...corev1.NodeSelectorRequirement) corev1.NodeSelectorTerm {
	return corev1.NodeSelectorTerm{MatchFields: reqs}
}

type placementCase struct {
	name      string
	ds        *appsv1.DaemonSet
	node      *corev1.Node
	run, cont bool
}

func checkPlacement(t *testing.T, cases []placementCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate(tc.ds, tc.node)
			if d.ShouldRun != tc.run || d.ShouldContinueRunning != tc.cont {
				t.Fatalf("Evaluate = (%v,%v), want (%v,%v); reasons %v", d.ShouldRun, d.ShouldContinueRunning, tc.run, tc.cont, d.Reasons)
			}
			if r, c := NewPlacer(tc.ds).ShouldRun(tc.node); r != tc.run || c != tc.cont {
				t.Fatalf("Placer.ShouldRun = (%v,%v), want (%v,%v)", r, c, tc.run, tc.cont)
			}
			if (tc.run && tc.cont) != (len(d.Reasons) == 0) {
				t.Fatalf("reasons %v for (%v,%v)", d.Reasons, tc.run, tc.cont)
			}
		})
	}
}

// upstream: daemon_controller_test.go TestNodeShouldRunDaemonPod. Resource,
// host-port and unschedulable cases all run: the controller leaves those to
// the scheduler.
func TestEvaluateNodeShouldRunDaemonPod(t *testing.T) {
	node := plNode("test-node", plLabels())
	unschedulable := plNode("test-node", plLabels())
	unschedulable.Spec.Unschedulable = true
	checkPlacement(t, []placementCase{
		{"ShouldRunDaemonPod", plDS(nil), node, true, true},
		{"InsufficientResourceError ignored", plDS(func(s *corev1.PodSpec) {
			s.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceMemory: *resourceQuantity("100G")}
		}), node, true, true},
		{"ErrPodNotMatchHostName", plDS(func(s *corev1.PodSpec) { s.NodeName = "other-node" }), node, false, false},
		{"PodMatchesHostName", plDS(func(s *corev1.PodSpec) { s.NodeName = "test-node" }), node, true, true},
		{"ErrPodNotFitsHostPorts ignored", plDS(func(s *corev1.PodSpec) {
			s.Containers[0].Ports = []corev1.ContainerPort{{HostPort: 666, ContainerPort: 666}}
		}), node, true, true},
		{"ErrNodeSelectorNotMatch", plDS(func(s *corev1.PodSpec) { s.NodeSelector = plLabels2() }), node, false, false},
		{"NodeSelectorMatches", plDS(func(s *corev1.PodSpec) { s.NodeSelector = plLabels() }), node, true, true},
		{"ErrPodAffinityNotMatch", plDS(func(s *corev1.PodSpec) {
			s.Affinity = required(exprTerm(expr("type", corev1.NodeSelectorOpIn, "test")))
		}), node, false, false},
		{"PodAffinityMatches", plDS(func(s *corev1.PodSpec) {
			s.Affinity = required(exprTerm(expr("type", corev1.NodeSelectorOpIn, "production")))
		}), node, true, true},
		{"ShouldRunDaemonPodOnUnschedulableNode", plDS(nil), unschedulable, true, true},
		{"node conditions alone change nothing", plDS(nil), func() *corev1.Node {
			n := plNode("test-node", plLabels())
			n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionFalse}, {Type: corev1.NodeNetworkUnavailable, Status: corev1.ConditionTrue}}
			return n
		}(), true, true},
	})
}

// Lifecycle taints, network-unavailable, tolerationSeconds and
// PreferNoSchedule, checked against upstream daemon_controller.go
// NodeShouldRunDaemonPod (no upstream unit test covers them).
func TestEvaluateLifecycleTaints(t *testing.T) {
	taint := func(key string, effect corev1.TaintEffect) corev1.Taint {
		return corev1.Taint{Key: key, Effect: effect}
	}
	secs := int64(300)
	checkPlacement(t, []placementCase{
		{"74 NotReady node with both lifecycle taints keeps but does not get a pod", plDS(nil),
			plNode("n", nil, taint(corev1.TaintNodeNotReady, corev1.TaintEffectNoSchedule), taint(corev1.TaintNodeNotReady, corev1.TaintEffectNoExecute)), false, true},
		{"74 unreachable node with both lifecycle taints", plDS(nil),
			plNode("n", nil, taint(corev1.TaintNodeUnreachable, corev1.TaintEffectNoSchedule), taint(corev1.TaintNodeUnreachable, corev1.TaintEffectNoExecute)), false, true},
		{"74 blanket Exists toleration runs on NotReady node", plDS(func(s *corev1.PodSpec) {
			s.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
		}), plNode("n", nil, taint(corev1.TaintNodeNotReady, corev1.TaintEffectNoSchedule), taint(corev1.TaintNodeNotReady, corev1.TaintEffectNoExecute)), true, true},
		{"75 network-unavailable without hostNetwork", plDS(nil),
			plNode("n", nil, taint(corev1.TaintNodeNetworkUnavailable, corev1.TaintEffectNoSchedule)), false, true},
		{"75 network-unavailable with hostNetwork", plDS(func(s *corev1.PodSpec) { s.HostNetwork = true }),
			plNode("n", nil, taint(corev1.TaintNodeNetworkUnavailable, corev1.TaintEffectNoSchedule)), true, true},
		{"76 zero affinity terms match no node", plDS(func(s *corev1.PodSpec) { s.Affinity = required() }), plNode("n", nil), false, false},
		{"76 one empty term matches no node", plDS(func(s *corev1.PodSpec) { s.Affinity = required(corev1.NodeSelectorTerm{}) }), plNode("n", nil), false, false},
		{"76 matchFields metadata.name NotIn other", plDS(func(s *corev1.PodSpec) {
			s.Affinity = required(fieldTerm(expr(metav1.ObjectNameField, corev1.NodeSelectorOpNotIn, "other")))
		}), plNode("n", nil), true, true},
		{"77 tolerationSeconds is not consulted", plDS(func(s *corev1.PodSpec) {
			s.Tolerations = []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &secs}}
		}), plNode("n", nil, taint("k", corev1.TaintEffectNoExecute)), true, true},
		{"77 PreferNoSchedule alone is ignored", plDS(nil), plNode("n", nil, taint("k", corev1.TaintEffectPreferNoSchedule)), true, true},
		{"77 untolerated NoSchedule and NoExecute", plDS(nil),
			plNode("n", nil, taint("a", corev1.TaintEffectNoSchedule), taint("b", corev1.TaintEffectNoExecute)), false, false},
		{"untolerated NoExecute alone", plDS(nil), plNode("n", nil, taint("b", corev1.TaintEffectNoExecute)), false, false},
		{"cordoned node is tolerated by the daemon toleration", plDS(nil),
			plNode("n", nil, taint(corev1.TaintNodeUnschedulable, corev1.TaintEffectNoSchedule)), true, true},
		{"not-ready NoExecute alone is tolerated", plDS(nil), plNode("n", nil, taint(corev1.TaintNodeNotReady, corev1.TaintEffectNoExecute)), true, true},
	})
}

// Every corner of the required node affinity.
// upstream: component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go
// LazyErrorNodeSelector; apimachinery labels.Requirement.Matches
func TestEvaluateAffinityCorners(t *testing.T) {
	cores := plNode("n1", map[string]string{"cores": "8", "zone": "a", "word": "abc"})
	aff := func(a *corev1.Affinity) *appsv1.DaemonSet { return plDS(func(s *corev1.PodSpec) { s.Affinity = a }) }
	in := corev1.NodeSelectorOpIn
	checkPlacement(t, []placementCase{
		{"Gt below label", aff(required(exprTerm(expr("cores", corev1.NodeSelectorOpGt, "4")))), cores, true, true},
		{"Gt equal is strict", aff(required(exprTerm(expr("cores", corev1.NodeSelectorOpGt, "8")))), cores, false, false},
		{"Lt above label", aff(required(exprTerm(expr("cores", corev1.NodeSelectorOpLt, "9")))), cores, true, true},
		{"Gt non-integer value fails to parse", aff(required(exprTerm(expr("cores", corev1.NodeSelectorOpGt, "abc")))), cores, false, false},
		{"Gt two values fails to parse", aff(required(exprTerm(expr("cores", corev1.NodeSelectorOpGt, "4", "5")))), cores, false, false},
		{"Gt negative value is not a valid label value", aff(required(exprTerm(expr("cores", corev1.NodeSelectorOpGt, "-3")))), cores, false, false},
		{"Gt on non-integer label", aff(required(exprTerm(expr("word", corev1.NodeSelectorOpGt, "1")))), cores, false, false},
		{"Gt on absent label", aff(required(exprTerm(expr("absent", corev1.NodeSelectorOpGt, "1")))), cores, false, false},
		{"NotIn on absent label matches", aff(required(exprTerm(expr("absent", corev1.NodeSelectorOpNotIn, "x")))), cores, true, true},
		{"NotIn on present other value", aff(required(exprTerm(expr("zone", corev1.NodeSelectorOpNotIn, "b")))), cores, true, true},
		{"NotIn on present same value", aff(required(exprTerm(expr("zone", corev1.NodeSelectorOpNotIn, "a")))), cores, false, false},
		{"In with empty values fails to parse", aff(required(exprTerm(expr("zone", in)))), cores, false, false},
		{"In with an invalid label value fails the term", aff(required(exprTerm(expr("zone", in, "a", "bad value!")))), cores, false, false},
		{"invalid key fails the term", aff(required(exprTerm(expr("bad key!", corev1.NodeSelectorOpDoesNotExist)))), cores, false, false},
		{"Exists with values fails to parse", aff(required(exprTerm(expr("zone", corev1.NodeSelectorOpExists, "a")))), cores, false, false},
		{"unknown operator fails the term", aff(required(exprTerm(expr("zone", "Like", "a")))), cores, false, false},
		{"a failing term does not stop a later one", aff(required(exprTerm(expr("zone", "Like", "a")), exprTerm(expr("zone", in, "a")))), cores, true, true},
		{"requirements in a term are ANDed", aff(required(exprTerm(expr("zone", in, "a"), expr("cores", in, "4")))), cores, false, false},
		{"terms are ORed", aff(required(exprTerm(expr("zone", in, "b")), exprTerm(expr("cores", in, "8")))), cores, true, true},
		{"matchFields name In", aff(required(fieldTerm(expr(metav1.ObjectNameField, in, "n1")))), cores, true, true},
		{"matchFields name In other", aff(required(fieldTerm(expr(metav1.ObjectNameField, in, "n2")))), cores, false, false},
		{"matchFields two values fail to parse", aff(required(fieldTerm(expr(metav1.ObjectNameField, in, "n1", "n2")))), cores, false, false},
		{"matchFields Exists fails to parse", aff(required(fieldTerm(expr(metav1.ObjectNameField, corev1.NodeSelectorOpExists)))), cores, false, false},
		{"matchFields unknown key In never matches", aff(required(fieldTerm(expr("metadata.foo", in, "n1")))), cores, false, false},
		{"matchFields unknown key NotIn always matches", aff(required(fieldTerm(expr("metadata.foo", corev1.NodeSelectorOpNotIn, "n1")))), cores, true, true},
		{"matchFields skipped for a node without name", aff(required(fieldTerm(expr(metav1.ObjectNameField, in, "n1")))), plNode("", nil), true, true},
		{"matchExpressions and matchFields are ANDed", aff(required(corev1.NodeSelectorTerm{
			MatchExpressions: []corev1.NodeSelectorRequirement{expr("zone", in, "a")},
			MatchFields:      []corev1.NodeSelectorRequirement{expr(metav1.ObjectNameField, in, "n2")},
		})), cores, false, false},
		{"nil required affinity", aff(&corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{}}), cores, true, true},
		{"preferred terms are ignored", aff(&corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
			PreferredDuringSchedulingIgnoredDuringExecution: []corev1.PreferredSchedulingTerm{{Weight: 1, Preference: exprTerm(expr("zone", in, "b"))}},
		}}), cores, true, true},
		{"nodeSelector empty value needs the label", plDS(func(s *corev1.PodSpec) { s.NodeSelector = map[string]string{"gpu": ""} }), cores, false, false},
		{"nodeSelector and affinity are ANDed", plDS(func(s *corev1.PodSpec) {
			s.NodeSelector = map[string]string{"zone": "a"}
			s.Affinity = required(exprTerm(expr("cores", in, "4")))
		}), cores, false, false},
	})
}

// Toleration matching with the TaintTolerationComparisonOperators gate off.
// upstream: k8s.io/api/core/v1 toleration.go Toleration.ToleratesTaint
func TestEvaluateTolerationCorners(t *testing.T) {
	gpu := plNode("n", nil, corev1.Taint{Key: "nvidia.com/gpu", Value: "present", Effect: corev1.TaintEffectNoSchedule})
	num := plNode("n", nil, corev1.Taint{Key: "level", Value: "5", Effect: corev1.TaintEffectNoSchedule})
	tol := func(ts ...corev1.Toleration) *appsv1.DaemonSet {
		return plDS(func(s *corev1.PodSpec) { s.Tolerations = ts })
	}
	checkPlacement(t, []placementCase{
		{"empty key Exists tolerates every taint", tol(corev1.Toleration{Operator: corev1.TolerationOpExists}), gpu, true, true},
		{"empty key Equal compares values of any key", tol(corev1.Toleration{Value: "present"}), gpu, true, true},
		{"empty operator means Equal", tol(corev1.Toleration{Key: "nvidia.com/gpu", Value: "present"}), gpu, true, true},
		{"Equal with another value", tol(corev1.Toleration{Key: "nvidia.com/gpu", Operator: corev1.TolerationOpEqual, Value: "absent"}), gpu, false, true},
		{"Equal with empty value against a valued taint", tol(corev1.Toleration{Key: "nvidia.com/gpu", Operator: corev1.TolerationOpEqual}), gpu, false, true},
		{"effect must match", tol(corev1.Toleration{Key: "nvidia.com/gpu", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute}), gpu, false, true},
		{"empty effect matches every effect", tol(corev1.Toleration{Key: "nvidia.com/gpu", Operator: corev1.TolerationOpExists}), gpu, true, true},
		{"Gt never matches with the gate off", tol(corev1.Toleration{Key: "level", Operator: corev1.TolerationOpGt, Value: "1"}), num, false, true},
		{"Lt never matches with the gate off", tol(corev1.Toleration{Key: "level", Operator: corev1.TolerationOpLt, Value: "9"}), num, false, true},
		{"unknown operator never matches", tol(corev1.Toleration{Key: "level", Operator: "Maybe", Value: "5"}), num, false, true},
	})
}

func reasonMessages(rs []Reason) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.String())
	}
	return out
}

// Reasons: typed, every cause, deterministic order.
func TestEvaluateReasons(t *testing.T) {
	t.Run("every untolerated taint, in node order, with its detail", func(t *testing.T) {
		node := plNode("n", nil,
			corev1.Taint{Key: "nvidia.com/gpu", Value: "present", Effect: corev1.TaintEffectNoSchedule},
			corev1.Taint{Key: "soft", Effect: corev1.TaintEffectPreferNoSchedule},
			corev1.Taint{Key: "dedicated", Value: "batch", Effect: corev1.TaintEffectNoExecute},
			corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule},
		)
		d := Evaluate(plDS(nil), node)
		want := []string{
			"taint nvidia.com/gpu=present:NoSchedule is not tolerated",
			"taint dedicated=batch:NoExecute is not tolerated",
		}
		if got := reasonMessages(d.Reasons); !reflect.DeepEqual(got, want) {
			t.Fatalf("messages %q, want %q", got, want)
		}
		r := d.Reasons[1]
		if r.Kind != ReasonUntoleratedTaint || r.Taint == nil || r.Taint.Effect != corev1.TaintEffectNoExecute || r.Key != "dedicated" || r.Value != "batch" || r.ExistingPodMayStay {
			t.Fatalf("reason detail %#v", r)
		}
	})
	t.Run("NoSchedule only: existing pod may stay", func(t *testing.T) {
		d := Evaluate(plDS(nil), plNode("n", nil, corev1.Taint{Key: "nvidia.com/gpu", Value: "present", Effect: corev1.TaintEffectNoSchedule}))
		if d.ShouldRun || !d.ShouldContinueRunning || len(d.Reasons) != 1 || !d.Reasons[0].ExistingPodMayStay {
			t.Fatalf("decision %+v", d)
		}
		if msg := d.Reasons[0].Message; !strings.HasPrefix(msg, "taint nvidia.com/gpu=present:NoSchedule is not tolerated") || !strings.Contains(msg, "existing one may stay") {
			t.Fatalf("message %q", msg)
		}
	})
	t.Run("all causes: nodeName, selector keys sorted, affinity per term, taints", func(t *testing.T) {
		ds := plDS(func(s *corev1.PodSpec) {
			s.NodeName = "other"
			s.NodeSelector = map[string]string{"zone": "b", "disk": "ssd", "os": "linux"}
			s.Affinity = required(
				exprTerm(expr("cores", corev1.NodeSelectorOpGt, "16"), expr("zone", corev1.NodeSelectorOpIn, "b", "c")),
				corev1.NodeSelectorTerm{},
				exprTerm(expr("zone", "Like", "a")),
				fieldTerm(expr(metav1.ObjectNameField, corev1.NodeSelectorOpIn, "other")),
			)
		})
		node := plNode("n1", map[string]string{"zone": "a", "cores": "8", "os": "linux"},
			corev1.Taint{Key: "k", Effect: corev1.TaintEffectNoSchedule})
		d := Evaluate(ds, node)
		want := []string{
			`pod template pins spec.nodeName "other"; this node is "n1"`,
			"nodeSelector needs label disk=ssd; node has no label disk",
			"nodeSelector needs label zone=b; node has zone=a",
			"required node affinity term 0: cores Gt 16 does not match: node has cores=8",
			"required node affinity term 0: zone In [b c] does not match: node has zone=a",
			`required node affinity term 2 never matches: spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[2].matchExpressions[0].operator: Unsupported value: "Like": supported values: "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"`,
			`required node affinity term 3: field metadata.name In [other] does not match node "n1"`,
			"taint k:NoSchedule is not tolerated",
		}
		if got := reasonMessages(d.Reasons); !reflect.DeepEqual(got, want) {
			t.Fatalf("messages\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		kinds := []ReasonKind{ReasonNodeName, ReasonNodeSelector, ReasonNodeSelector, ReasonNodeAffinity, ReasonNodeAffinity, ReasonNodeAffinity, ReasonNodeAffinity, ReasonUntoleratedTaint}
		for i, r := range d.Reasons {
			if r.Kind != kinds[i] {
				t.Errorf("reason %d kind %s, want %s", i, r.Kind, kinds[i])
			}
		}
		if r := d.Reasons[2]; r.Key != "zone" || r.Value != "b" || !r.NodeHasKey || r.NodeValue != "a" {
			t.Errorf("selector detail %#v", r)
		}
		if r := d.Reasons[4]; r.Term != 0 || r.Part != AffinityMatchExpressions || r.Requirement != 1 || r.Operator != corev1.NodeSelectorOpIn || r.Key != "zone" {
			t.Errorf("affinity detail %#v", r)
		}
		if r := d.Reasons[5]; r.Term != 2 || !r.Invalid || r.Requirement != -1 {
			t.Errorf("invalid term detail %#v", r)
		}
	})
	t.Run("no usable term", func(t *testing.T) {
		d := Evaluate(plDS(func(s *corev1.PodSpec) { s.Affinity = required(corev1.NodeSelectorTerm{}) }), plNode("n", nil))
		want := []string{"required node affinity has only empty nodeSelectorTerms (1), so it matches no node"}
		if got := reasonMessages(d.Reasons); !reflect.DeepEqual(got, want) || d.Reasons[0].Term != -1 {
			t.Fatalf("messages %q, want %q", got, want)
		}
	})
	t.Run("nil DaemonSet and nil node", func(t *testing.T) {
		if d := Evaluate(nil, nil); !d.ShouldRun || !d.ShouldContinueRunning || d.Reasons != nil {
			t.Fatalf("Evaluate(nil, nil) = %+v", d)
		}
	})
}

// The fast path allocates nothing, whether the node is accepted or excluded.
func TestPlacerShouldRunDoesNotAllocate(t *testing.T) {
	ds := plDS(func(s *corev1.PodSpec) {
		s.NodeSelector = map[string]string{"kubernetes.io/os": "linux"}
		s.Affinity = required(exprTerm(expr("cores", corev1.NodeSelectorOpGt, "2"), expr("role", corev1.NodeSelectorOpDoesNotExist)))
		s.Tolerations = []corev1.Toleration{{Key: "gpu", Operator: corev1.TolerationOpExists}}
	})
	p := NewPlacer(ds)
	accepted := plNode("a", map[string]string{"kubernetes.io/os": "linux", "cores": "8"}, corev1.Taint{Key: "gpu", Effect: corev1.TaintEffectNoSchedule})
	notInt := plNode("b", map[string]string{"kubernetes.io/os": "linux", "cores": "many"})
	tainted := plNode("c", map[string]string{"kubernetes.io/os": "linux", "cores": "8"}, corev1.Taint{Key: "x", Effect: corev1.TaintEffectNoExecute})
	for _, n := range []*corev1.Node{accepted, notInt, tainted} {
		if a := testing.AllocsPerRun(100, func() { p.ShouldRun(n) }); a != 0 {
			t.Errorf("ShouldRun(%s) allocates %v times", n.Name, a)
		}
	}
	if a := testing.AllocsPerRun(100, func() { p.Evaluate(accepted) }); a != 0 {
		t.Errorf("Evaluate(accepted) allocates %v times", a)
	}
}

func TestParseInt64MatchesStrconv(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.OneOf(
			rapid.StringMatching(`[+-]?[0-9]{0,20}`),
			rapid.SampledFrom([]string{"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "+", "-", "", "1_0", "0x10", " 1"}),
			rapid.String(),
		).Draw(t, "s")
		got, ok := parseInt64(s)
		want, err := strconvParseInt(s)
		if ok != (err == nil) || (ok && got != want) {
			t.Fatalf("parseInt64(%q) = %d, %v; strconv %d, %v", s, got, ok, want, err)
		}
	})
}

// FuzzEvaluate decodes a DaemonSet and a node from JSON and checks that
// Evaluate and Placer.ShouldRun agree and nothing panics.
func FuzzEvaluate(f *testing.F) {
	f.Add([]byte(`{"ds":{"spec":{"template":{"spec":{"nodeSelector":{"a":"b"},"tolerations":[{"operator":"Exists"}]}}}},"node":{"metadata":{"name":"n","labels":{"a":"b"}},"spec":{"taints":[{"key":"k","effect":"NoExecute"}]}}}`))
	f.Add([]byte(`{"ds":{"spec":{"template":{"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"cores","operator":"Gt","values":["4"]}]},{"matchFields":[{"key":"metadata.name","operator":"In","values":["n"]}]}]}}}}}}},"node":{"metadata":{"name":"n","labels":{"cores":"8"}}}}`))
	f.Add([]byte(`{"ds":{"spec":{"template":{"spec":{"nodeName":"x","hostNetwork":true,"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{}]}}}}}}},"node":{}}`))
	f.Add([]byte(`{}`))
	for _, seed := range seedEvaluateInputs(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var in struct {
			DS   *appsv1.DaemonSet `json:"ds"`
			Node *corev1.Node      `json:"node"`
		}
		if err := json.Unmarshal(data, &in); err != nil {
			return
		}
		d := Evaluate(in.DS, in.Node)
		r, c := NewPlacer(in.DS).ShouldRun(in.Node)
		if d.ShouldRun != r || d.ShouldContinueRunning != c {
			t.Fatalf("Evaluate (%v,%v) != ShouldRun (%v,%v)", d.ShouldRun, d.ShouldContinueRunning, r, c)
		}
		if (r && c) != (len(d.Reasons) == 0) {
			t.Fatalf("(%v,%v) with reasons %v", r, c, d.Reasons)
		}
		for _, reason := range d.Reasons {
			if reason.Message == "" || strings.Contains(reason.Message, "\n") {
				t.Fatalf("bad message %q", reason.Message)
			}
		}
	})
}

func benchPlacementFixture() (*appsv1.DaemonSet, *corev1.Node, *corev1.Node) {
	ds := plDS(func(s *corev1.PodSpec) {
		s.HostNetwork = true
		s.NodeSelector = map[string]string{"kubernetes.io/os": "linux"}
		s.Affinity = required(exprTerm(
			expr("kubernetes.io/arch", corev1.NodeSelectorOpIn, "amd64", "arm64"),
			expr("node-role.kubernetes.io/control-plane", corev1.NodeSelectorOpDoesNotExist),
		))
		s.Tolerations = []corev1.Toleration{{Key: "nvidia.com/gpu", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}
	})
	labels := map[string]string{
		"kubernetes.io/hostname": "node-1", "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
		"topology.kubernetes.io/zone": "eu-west-1a", "topology.kubernetes.io/region": "eu-west-1",
		"node.kubernetes.io/instance-type": "p4d.24xlarge", "pool": "gpu", "nvidia.com/gpu.present": "true",
		"beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
	}
	accepted := plNode("node-1", labels, corev1.Taint{Key: "nvidia.com/gpu", Value: "present", Effect: corev1.TaintEffectNoSchedule})
	excluded := plNode("node-2", labels,
		corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule},
		corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute})
	return ds, accepted, excluded
}

// BenchmarkPlacerShouldRun is the per-node fast path on a cache-hot node
// with ten labels, a nodeSelector, a two-requirement affinity term and a
// tolerated taint (see conformance BenchmarkPlacement65k for 65,000 nodes).
func BenchmarkPlacerShouldRun(b *testing.B) {
	ds, accepted, excluded := benchPlacementFixture()
	p := NewPlacer(ds)
	for _, bc := range []struct {
		name string
		node *corev1.Node
	}{{"accepted", accepted}, {"excluded", excluded}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.ShouldRun(bc.node)
			}
		})
	}
}

// BenchmarkEvaluate is the one-shot entry point: compile and decide, with
// reasons for an excluded node.
func BenchmarkEvaluate(b *testing.B) {
	ds, accepted, excluded := benchPlacementFixture()
	b.Run("accepted", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Evaluate(ds, accepted)
		}
	})
	b.Run("excluded-with-reasons", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Evaluate(ds, excluded)
		}
	})
}

func BenchmarkNewPlacer(b *testing.B) {
	ds, _, _ := benchPlacementFixture()
	b.ReportAllocs()
	for b.Loop() {
		NewPlacer(ds)
	}
}
