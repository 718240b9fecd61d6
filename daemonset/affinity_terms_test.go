package daemonset

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func sel(kv ...string) *metav1.LabelSelector {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return &metav1.LabelSelector{MatchLabels: m}
}

// Which pods a term matches: namespaces by name, the owner's own by
// default, namespaceSelector {} (all), on kubernetes.io/metadata.name, on
// another namespace label (team), nil selector (none) — with the
// namespaces known by name only and with their labels given, for the term
// of a pod already bound (labels of the pod's namespace read; a namespace
// not given has none) and for the incoming pod's term (merged: only the
// namespaces given are selected).
// upstream: kube-scheduler framework/types_test.go TestGetAffinityTerms,
// interpodaffinity/filtering_test.go (namespaceSelector cases),
// plugin_test.go TestMergeAffinityTermNamespacesIfNotEmpty
func TestAffinityTermMatches(t *testing.T) {
	pod := func(ns string, labels map[string]string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Labels: labels}}
	}
	given := NamespaceLabelsOf([]*corev1.Namespace{
		{ObjectMeta: metav1.ObjectMeta{Name: "kube-system"}},
		{ObjectMeta: metav1.ObjectMeta{Name: "team-a", Labels: map[string]string{"team": "a"}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "default", Labels: map[string]string{"team": "infra"}}},
	})
	noTeam := &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "team", Operator: metav1.LabelSelectorOpDoesNotExist}}}
	web := map[string]string{"app": "web"}
	for _, tc := range []struct {
		name string
		term corev1.PodAffinityTerm
		pod  *corev1.Pod
		// names: namespaces by name only; existing, incoming: given
		names, existing, incoming bool
		exact                     bool
	}{
		{"own namespace by default", corev1.PodAffinityTerm{LabelSelector: sel("app", "web")}, pod("kube-system", web), true, true, true, true},
		{"other namespace not by default", corev1.PodAffinityTerm{LabelSelector: sel("app", "web")}, pod("default", web), false, false, false, true},
		{"namespaces listed", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), Namespaces: []string{"default"}}, pod("default", web), true, true, true, true},
		{"namespaces listed leave out the own", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), Namespaces: []string{"default"}}, pod("kube-system", web), false, false, false, true},
		{"a namespace listed need not exist", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), Namespaces: []string{"ghost"}}, pod("ghost", web), true, true, true, true},
		{"empty namespaceSelector: all", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), NamespaceSelector: &metav1.LabelSelector{}}, pod("team-a", web), true, true, true, true},
		{"empty namespaceSelector: even a namespace not given", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), NamespaceSelector: &metav1.LabelSelector{}}, pod("ghost", web), true, true, true, true},
		{"namespaceSelector by name", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), NamespaceSelector: sel(corev1.LabelMetadataName, "team-a")}, pod("team-a", web), true, true, true, true},
		{"namespaceSelector by name, namespace not given", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), NamespaceSelector: sel(corev1.LabelMetadataName, "ghost")}, pod("ghost", web), true, false, false, true},
		{"namespaceSelector on another label", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), NamespaceSelector: sel("team", "a")}, pod("team-a", web), false, true, true, false},
		{"namespaceSelector team=infra", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), NamespaceSelector: sel("team", "infra")}, pod("default", web), false, true, true, false},
		{"namespaceSelector team=infra, another team", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), NamespaceSelector: sel("team", "infra")}, pod("team-a", web), false, false, false, false},
		{"namespaceSelector and namespaces together", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), NamespaceSelector: sel("team", "infra"), Namespaces: []string{"team-a"}}, pod("team-a", web), true, true, true, false},
		{"no team label: a namespace not given has no labels, but is not selected for the incoming pod", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), NamespaceSelector: noTeam}, pod("ghost", web), true, true, false, false},
		{"no team label: a namespace with one", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), NamespaceSelector: noTeam}, pod("default", web), true, false, false, false},
		{"labels differ", corev1.PodAffinityTerm{LabelSelector: sel("app", "db")}, pod("kube-system", web), false, false, false, true},
		{"nil labelSelector matches nothing", corev1.PodAffinityTerm{}, pod("kube-system", web), false, false, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			terms := GetAffinityTerms("kube-system", []corev1.PodAffinityTerm{tc.term})
			if got := terms[0].Matches(tc.pod, nil); got != tc.names {
				t.Errorf("by name only: Matches = %v, want %v", got, tc.names)
			}
			if got := terms[0].Matches(tc.pod, given); got != tc.existing {
				t.Errorf("a bound pod's term: Matches = %v, want %v", got, tc.existing)
			}
			merged := given.MergeAffinityTermNamespacesIfNotEmpty(terms)
			if got := merged[0].Matches(tc.pod, given); got != tc.incoming {
				t.Errorf("the incoming pod's term: Matches = %v, want %v (namespaces %v)", got, tc.incoming, merged[0].Namespaces)
			}
			if got := merged[0].Matches(tc.pod, NamespaceLabels{}); got != tc.incoming {
				t.Errorf("the incoming pod's merged term reads no namespace label: Matches = %v, want %v", got, tc.incoming)
			}
			if got := terms[0].Matches(tc.pod, given); got != tc.existing {
				t.Errorf("merging changed the term: Matches = %v, want %v", got, tc.existing)
			}
			if unmerged := NamespaceLabels(nil).MergeAffinityTermNamespacesIfNotEmpty(terms); &unmerged[0] != &terms[0] {
				t.Error("by name only, the terms are not merged")
			}
			if terms[0].ByNamespaceName != tc.exact {
				t.Errorf("ByNamespaceName = %v, want %v", terms[0].ByNamespaceName, tc.exact)
			}
		})
	}
}

// The API server sets kubernetes.io/metadata.name on every Namespace.
// upstream: pkg/registry/core/namespace/strategy_test.go
// TestNamespaceStrategy (Canonicalize)
func TestNamespaceLabelsOf(t *testing.T) {
	in := []*corev1.Namespace{
		{ObjectMeta: metav1.ObjectMeta{Name: "a"}},
		nil,
		{ObjectMeta: metav1.ObjectMeta{Name: "b", Labels: map[string]string{"team": "x", corev1.LabelMetadataName: "wrong"}}},
	}
	got := NamespaceLabelsOf(in)
	want := NamespaceLabels{"a": {corev1.LabelMetadataName: "a"}, "b": {corev1.LabelMetadataName: "b", "team": "x"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if in[2].Labels[corev1.LabelMetadataName] != "wrong" {
		t.Error("the object was modified")
	}
	if NamespaceLabelsOf(nil) == nil {
		t.Error("no namespaces given is not namespaces unknown")
	}
}

// Matching allocates nothing, with namespaces known by name only or given.
func TestAffinityTermMatchesAllocatesNothing(t *testing.T) {
	terms := GetAffinityTerms("kube-system", []corev1.PodAffinityTerm{{LabelSelector: sel("app", "web"), NamespaceSelector: sel("team", "a")}})
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Labels: map[string]string{"app": "web"}}}
	given := NamespaceLabelsOf([]*corev1.Namespace{{ObjectMeta: metav1.ObjectMeta{Name: "team-a", Labels: map[string]string{"team": "a"}}}})
	for _, ns := range []NamespaceLabels{nil, given} {
		if n := testing.AllocsPerRun(100, func() { terms[0].Matches(p, ns) }); n != 0 {
			t.Errorf("%d allocations (namespaces %v)", int(n), ns)
		}
	}
}

func antiAffinityDS(maxSurge int32, term corev1.PodAffinityTerm) *appsv1.DaemonSet {
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "cilium", Namespace: "kube-system"},
		Spec: appsv1.DaemonSetSpec{Selector: sel("k8s-app", "cilium"), Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"k8s-app": "cilium"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "agent", Image: "cilium:1"}},
				Affinity: &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{term}}}}}}}
	surge, zero := intstr.FromInt32(maxSurge), intstr.FromInt32(0)
	if maxSurge > 0 {
		ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
			RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: &surge, MaxUnavailable: &zero}}
	}
	return ds
}

func TestAntiAffinityAgainstOtherRevisions(t *testing.T) {
	for _, tc := range []struct {
		name string
		term corev1.PodAffinityTerm
		want int
	}{
		{"own pods per node (Cilium's chart)", corev1.PodAffinityTerm{TopologyKey: corev1.LabelHostname, LabelSelector: sel("k8s-app", "cilium")}, 0},
		{"own revision only (matchLabelKeys controller-revision-hash)", corev1.PodAffinityTerm{TopologyKey: corev1.LabelHostname,
			LabelSelector: sel("k8s-app", "cilium"), MatchLabelKeys: []string{ControllerRevisionHashLabel}}, -1},
		{"other revisions only (mismatchLabelKeys)", corev1.PodAffinityTerm{TopologyKey: corev1.LabelHostname,
			LabelSelector: sel("k8s-app", "cilium"), MismatchLabelKeys: []string{ControllerRevisionHashLabel}}, 0},
		{"other pods", corev1.PodAffinityTerm{TopologyKey: corev1.LabelHostname, LabelSelector: sel("app", "db")}, -1},
		{"own pods of another namespace only", corev1.PodAffinityTerm{TopologyKey: corev1.LabelHostname, LabelSelector: sel("k8s-app", "cilium"),
			Namespaces: []string{"default"}}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := antiAffinityDS(1, tc.term)
			orig := ds.DeepCopy()
			if got := AntiAffinityAgainstOtherRevisions(ds, nil); got != tc.want {
				t.Errorf("= %d, want %d", got, tc.want)
			}
			if !reflect.DeepEqual(ds, orig) {
				t.Error("DaemonSet modified")
			}
		})
	}
	if got := AntiAffinityAgainstOtherRevisions(nil, nil); got != -1 {
		t.Errorf("nil: %d", got)
	}
}

// A term selecting namespaces by another label than their name: decided by
// the labels of the DaemonSet's namespace when given; by name only it
// selects none (the trap that says so is simulate's).
func TestAntiAffinityAgainstOtherRevisionsByNamespaceLabel(t *testing.T) {
	ds := antiAffinityDS(1, corev1.PodAffinityTerm{TopologyKey: corev1.LabelHostname, LabelSelector: sel("k8s-app", "cilium"),
		NamespaceSelector: sel("team", "infra")})
	for _, tc := range []struct {
		name string
		ns   NamespaceLabels
		want int
	}{
		{"by name only", nil, -1},
		{"the namespace has the label", NamespaceLabelsOf([]*corev1.Namespace{{ObjectMeta: metav1.ObjectMeta{Name: "kube-system", Labels: map[string]string{"team": "infra"}}}}), 0},
		{"the namespace lacks it", NamespaceLabelsOf([]*corev1.Namespace{{ObjectMeta: metav1.ObjectMeta{Name: "kube-system", Labels: map[string]string{"team": "web"}}}}), -1},
		{"the namespace is not given", NamespaceLabels{}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := AntiAffinityAgainstOtherRevisions(ds, tc.ns); got != tc.want {
				t.Errorf("= %d, want %d", got, tc.want)
			}
		})
	}
}

// The API server merges matchLabelKeys and mismatchLabelKeys into the
// selectors of the pod it creates.
// upstream: pkg/registry/core/pod/strategy_test.go
// TestApplyMatchLabelKeysAndMismatchLabelKeys, TestApplyMatchLabelKeys
func TestPodAsCreatedMergesLabelKeys(t *testing.T) {
	ds := antiAffinityDS(0, corev1.PodAffinityTerm{TopologyKey: corev1.LabelHostname, LabelSelector: sel("k8s-app", "cilium"),
		MatchLabelKeys: []string{ControllerRevisionHashLabel, "absent"}, MismatchLabelKeys: []string{"k8s-app"}})
	ds.Spec.Template.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution = append(
		ds.Spec.Template.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution,
		corev1.PodAffinityTerm{TopologyKey: corev1.LabelHostname, MatchLabelKeys: []string{"k8s-app"}}) // nil selector: left alone
	ds.Spec.Template.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: corev1.LabelTopologyZone,
		WhenUnsatisfiable: corev1.DoNotSchedule, LabelSelector: sel("k8s-app", "cilium"), MatchLabelKeys: []string{ControllerRevisionHashLabel}}}
	orig := ds.DeepCopy()
	pod := PodAsCreatedForRevision(ds, "n1", "abc")
	terms := pod.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	want := []metav1.LabelSelectorRequirement{
		{Key: ControllerRevisionHashLabel, Operator: metav1.LabelSelectorOpIn, Values: []string{"abc"}},
		{Key: "k8s-app", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"cilium"}},
	}
	if d := cmp.Diff(want, terms[0].LabelSelector.MatchExpressions); d != "" {
		t.Errorf("anti-affinity term (-want +got):\n%s", d)
	}
	if terms[1].LabelSelector != nil {
		t.Errorf("nil selector became %v", terms[1].LabelSelector)
	}
	if d := cmp.Diff(want[:1], pod.Spec.TopologySpreadConstraints[0].LabelSelector.MatchExpressions); d != "" {
		t.Errorf("spread constraint (-want +got):\n%s", d)
	}
	if !reflect.DeepEqual(ds, orig) {
		t.Error("DaemonSet modified")
	}
}

// FuzzAntiAffinityAgainstOtherRevisions: any decoded DaemonSet, no panic, not
// modified, an index of a required anti-affinity term or -1.
func FuzzAntiAffinityAgainstOtherRevisions(f *testing.F) {
	f.Add([]byte(`{"spec":{"template":{"metadata":{"labels":{"a":"b"}},"spec":{"affinity":{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchLabels":{"a":"b"}},"topologyKey":"kubernetes.io/hostname","matchLabelKeys":["controller-revision-hash"]}]}}}}}}`))
	f.Add([]byte(`{"spec":{"template":{"spec":{"affinity":{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchExpressions":[{"key":"a","operator":"Bogus"}]},"namespaceSelector":{}}]}}}}}}`))
	f.Add([]byte(`{"metadata":{"namespace":"infra"},"spec":{"template":{"metadata":{"labels":{"a":"b"}},"spec":{"affinity":{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchLabels":{"a":"b"}},"topologyKey":"kubernetes.io/hostname","namespaceSelector":{"matchLabels":{"team":"infra"}}}]}}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ds appsv1.DaemonSet
		if err := json.Unmarshal(data, &ds); err != nil {
			return
		}
		orig := ds.DeepCopy()
		_, anti := RequiredAffinityTerms(&ds.Spec.Template.Spec)
		got := AntiAffinityAgainstOtherRevisions(&ds, nil)
		given := NamespaceLabelsOf([]*corev1.Namespace{{ObjectMeta: metav1.ObjectMeta{Name: ds.Namespace, Labels: map[string]string{"team": "infra"}}}})
		if g := AntiAffinityAgainstOtherRevisions(&ds, given); g < -1 || g >= len(anti) {
			t.Fatalf("index %d of %d terms with namespaces given", g, len(anti))
		}
		if !reflect.DeepEqual(&ds, orig) {
			t.Fatal("DaemonSet modified")
		}
		if got < -1 || got >= len(anti) {
			t.Fatalf("index %d of %d terms", got, len(anti))
		}
	})
}
