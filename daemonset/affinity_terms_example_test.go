package daemonset_test

import (
	"fmt"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// A pod's required anti-affinity term, processed as kube-scheduler does, and
// the pods it matches.
func ExampleGetAffinityTerms() {
	terms := daemonset.GetAffinityTerms("kube-system", []corev1.PodAffinityTerm{{
		TopologyKey:   corev1.LabelHostname,
		LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
	}})
	web := func(ns string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Labels: map[string]string{"app": "web"}}}
	}
	fmt.Println(terms[0].TopologyKey, terms[0].Matches(web("kube-system"), nil), terms[0].Matches(web("default"), nil))
	// Output: kubernetes.io/hostname true false
}

// A term selecting namespaces by a label of theirs: decided by the labels
// of the cluster's Namespace objects. The incoming pod's terms are merged
// first, as kube-scheduler's PreFilter does.
func ExampleNamespaceLabels() {
	ns := daemonset.NamespaceLabelsOf([]*corev1.Namespace{
		{ObjectMeta: metav1.ObjectMeta{Name: "logging", Labels: map[string]string{"team": "infra"}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "shop", Labels: map[string]string{"team": "web"}}},
	})
	terms := ns.MergeAffinityTermNamespacesIfNotEmpty(daemonset.GetAffinityTerms("kube-system", []corev1.PodAffinityTerm{{
		TopologyKey:       corev1.LabelHostname,
		LabelSelector:     &metav1.LabelSelector{},
		NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "infra"}},
	}}))
	pod := func(ns string) *corev1.Pod { return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns}} }
	fmt.Println(terms[0].Namespaces, terms[0].Matches(pod("logging"), ns), terms[0].Matches(pod("shop"), ns))
	// Output: [logging] true false
}

// Cilium's chart keeps two agents off one node; with maxSurge the new agent
// would wait beside the old one for ever.
func ExampleAntiAffinityAgainstOtherRevisions() {
	labels := map[string]string{"k8s-app": "cilium"}
	surge, zero := intstr.FromInt32(1), intstr.FromInt32(0)
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "cilium", Namespace: "kube-system"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: &surge, MaxUnavailable: &zero}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{Name: "cilium-agent", Image: "quay.io/cilium/cilium:v1.18.0"}},
					Affinity: &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
						TopologyKey: corev1.LabelHostname, LabelSelector: &metav1.LabelSelector{MatchLabels: labels}}}}},
				},
			},
		},
	}
	fmt.Println(daemonset.AntiAffinityAgainstOtherRevisions(ds, nil), daemonset.AllowsSurge(ds))
	term := &ds.Spec.Template.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution[0]
	term.MatchLabelKeys = []string{daemonset.ControllerRevisionHashLabel}
	fmt.Println(daemonset.AntiAffinityAgainstOtherRevisions(ds, nil))
	// Output:
	// 0 true
	// -1
}
