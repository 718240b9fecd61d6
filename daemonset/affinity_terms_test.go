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
// default, namespaceSelector {} (all), on kubernetes.io/metadata.name, nil
// selector (none).
// upstream: kube-scheduler framework/types_test.go TestGetAffinityTerms,
// interpodaffinity/filtering_test.go (namespaceSelector cases)
func TestAffinityTermMatches(t *testing.T) {
	pod := func(ns string, labels map[string]string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Labels: labels}}
	}
	web := map[string]string{"app": "web"}
	for _, tc := range []struct {
		name  string
		term  corev1.PodAffinityTerm
		pod   *corev1.Pod
		want  bool
		exact bool
	}{
		{"own namespace by default", corev1.PodAffinityTerm{LabelSelector: sel("app", "web")}, pod("kube-system", web), true, true},
		{"other namespace not by default", corev1.PodAffinityTerm{LabelSelector: sel("app", "web")}, pod("default", web), false, true},
		{"namespaces listed", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), Namespaces: []string{"default"}}, pod("default", web), true, true},
		{"namespaces listed leave out the own", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), Namespaces: []string{"default"}}, pod("kube-system", web), false, true},
		{"empty namespaceSelector: all", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), NamespaceSelector: &metav1.LabelSelector{}}, pod("team-a", web), true, true},
		{"namespaceSelector by name", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), NamespaceSelector: sel(corev1.LabelMetadataName, "team-a")}, pod("team-a", web), true, true},
		{"namespaceSelector on another label", corev1.PodAffinityTerm{LabelSelector: sel("app", "web"), NamespaceSelector: sel("team", "a")}, pod("team-a", web), false, false},
		{"labels differ", corev1.PodAffinityTerm{LabelSelector: sel("app", "db")}, pod("kube-system", web), false, true},
		{"nil labelSelector matches nothing", corev1.PodAffinityTerm{}, pod("kube-system", web), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			terms := GetAffinityTerms("kube-system", []corev1.PodAffinityTerm{tc.term})
			if got := terms[0].Matches(tc.pod); got != tc.want {
				t.Errorf("Matches = %v, want %v", got, tc.want)
			}
			if terms[0].ByNamespaceName != tc.exact {
				t.Errorf("ByNamespaceName = %v, want %v", terms[0].ByNamespaceName, tc.exact)
			}
		})
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
			if got := AntiAffinityAgainstOtherRevisions(ds); got != tc.want {
				t.Errorf("= %d, want %d", got, tc.want)
			}
			if !reflect.DeepEqual(ds, orig) {
				t.Error("DaemonSet modified")
			}
		})
	}
	if got := AntiAffinityAgainstOtherRevisions(nil); got != -1 {
		t.Errorf("nil: %d", got)
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
	f.Fuzz(func(t *testing.T, data []byte) {
		var ds appsv1.DaemonSet
		if err := json.Unmarshal(data, &ds); err != nil {
			return
		}
		orig := ds.DeepCopy()
		got := AntiAffinityAgainstOtherRevisions(&ds)
		if !reflect.DeepEqual(&ds, orig) {
			t.Fatal("DaemonSet modified")
		}
		_, anti := RequiredAffinityTerms(&ds.Spec.Template.Spec)
		if got < -1 || got >= len(anti) {
			t.Fatalf("index %d of %d terms", got, len(anti))
		}
	})
}
