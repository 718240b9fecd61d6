package daemonset

import (
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// AffinityTerm is a required inter-pod (anti-)affinity term as kube-scheduler
// processes it: its namespaces, namespace selector and label selector
// parsed. Namespaces are known by name only: a namespace selector is read
// against the label every namespace carries, kubernetes.io/metadata.name
// (ByNamespaceName says whether that is all it reads).
// upstream: kube-scheduler framework/types.go AffinityTerm
type AffinityTerm struct {
	// Namespaces the term reads by name: the owning pod's own when the term
	// names none and has no namespaceSelector.
	Namespaces []string
	// NamespaceSelector selects namespaces by their labels (nil selects
	// none, {} all).
	NamespaceSelector labels.Selector
	// Selector selects pods by their labels (a nil labelSelector, or one
	// that does not parse, selects none).
	Selector    labels.Selector
	TopologyKey string
	// ByNamespaceName: the namespaceSelector reads no namespace label but
	// kubernetes.io/metadata.name, so Matches needs no Namespace object.
	ByNamespaceName bool
}

// GetAffinityTerms processes the terms of a pod of namespace ns.
// upstream: kube-scheduler framework/types.go GetAffinityTerms,
// newAffinityTerm, getNamespacesFromPodAffinityTerm
func GetAffinityTerms(ns string, terms []corev1.PodAffinityTerm) []AffinityTerm {
	if len(terms) == 0 {
		return nil
	}
	out := make([]AffinityTerm, len(terms))
	for i := range terms {
		t := &terms[i]
		at := AffinityTerm{TopologyKey: t.TopologyKey, ByNamespaceName: true}
		var err error
		if at.Selector, err = metav1.LabelSelectorAsSelector(t.LabelSelector); err != nil {
			at.Selector = labels.Nothing()
		}
		if len(t.Namespaces) == 0 && t.NamespaceSelector == nil {
			at.Namespaces = []string{ns}
		} else {
			at.Namespaces = t.Namespaces
		}
		if at.NamespaceSelector, err = metav1.LabelSelectorAsSelector(t.NamespaceSelector); err != nil {
			at.NamespaceSelector = labels.Nothing()
		}
		if s := t.NamespaceSelector; s != nil {
			for _, r := range s.MatchExpressions {
				at.ByNamespaceName = at.ByNamespaceName && r.Key == corev1.LabelMetadataName
			}
			for k := range s.MatchLabels {
				at.ByNamespaceName = at.ByNamespaceName && k == corev1.LabelMetadataName
			}
		}
		out[i] = at
	}
	return out
}

// RequiredAffinityTerms returns the required pod affinity and anti-affinity
// terms of spec.
// upstream: kube-scheduler framework/types.go GetPodAffinityTerms,
// GetPodAntiAffinityTerms
func RequiredAffinityTerms(spec *corev1.PodSpec) (affinity, antiAffinity []corev1.PodAffinityTerm) {
	a := spec.Affinity
	if a == nil {
		return nil, nil
	}
	if a.PodAffinity != nil {
		affinity = a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	}
	if a.PodAntiAffinity != nil {
		antiAffinity = a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	}
	return affinity, antiAffinity
}

// Matches says whether pod is in the term's namespaces (by name, or by its
// namespace's kubernetes.io/metadata.name label) and its labels match.
// upstream: kube-scheduler framework/types.go AffinityTerm.Matches (with the
// incoming pod's namespaceSelector merged into its namespaces, as the
// InterPodAffinity plugin's PreFilter mergeAffinityTermNamespacesIfNotEmpty
// does)
func (t *AffinityTerm) Matches(pod *corev1.Pod) bool {
	if slices.Contains(t.Namespaces, pod.Namespace) || t.namespaceSelected(pod.Namespace) {
		return t.Selector.Matches(labels.Set(pod.Labels))
	}
	return false
}

// namespaceSelected: the namespaceSelector selects namespace ns (nil and
// labels.Nothing select none, an empty selector all, without reading labels).
func (t *AffinityTerm) namespaceSelected(ns string) bool {
	sel := t.NamespaceSelector
	switch {
	case sel == nil:
		return false
	case sel.Empty():
		return true
	}
	if _, selectable := sel.Requirements(); !selectable {
		return false
	}
	return sel.Matches(namespaceLabels(ns))
}

// namespaceLabels are the labels known of a namespace: its
// kubernetes.io/metadata.name (a labels.Labels that allocates nothing).
type namespaceLabels string

func (n namespaceLabels) Has(key string) bool { return key == corev1.LabelMetadataName }

func (n namespaceLabels) Lookup(key string) (string, bool) {
	if key == corev1.LabelMetadataName {
		return string(n), true
	}
	return "", false
}

func (n namespaceLabels) Get(key string) string {
	if key == corev1.LabelMetadataName {
		return string(n)
	}
	return ""
}

// AntiAffinityAgainstOtherRevisions returns the index of the first required
// pod anti-affinity term of ds's template that keeps two of its daemon pods
// of different revisions off one node — a term of either matches the
// other, over the same labels but controller-revision-hash and
// pod-template-generation — or -1. With maxSurge (AllowsSurge) the new pod
// is created beside the old one, stays Pending and the rollout stalls; a
// term with controller-revision-hash among its matchLabelKeys matches only
// its own revision and does not stall it. ds is not modified.
// upstream: the pods as daemon_controller.go syncNodes creates them and
// pkg/registry/core/pod/strategy.go PrepareForCreate stores them; the
// InterPodAffinity filter (satisfyPodAntiAffinity,
// satisfyExistingPodsAntiAffinity) between them
func AntiAffinityAgainstOtherRevisions(ds *appsv1.DaemonSet) int {
	if ds == nil || ds.Spec.Template.Spec.Affinity == nil || ds.Spec.Template.Spec.Affinity.PodAntiAffinity == nil {
		return -1
	}
	stored := storedCopy(ds)
	podA := podAsCreated(stored, "", "revision-a")
	podB := podAsCreated(stored, "", "revision-b")
	if podB.Labels[TemplateGenerationLabel] != "" {
		podB.Labels[TemplateGenerationLabel] += "0"
	}
	_, antiA := RequiredAffinityTerms(&podA.Spec)
	_, antiB := RequiredAffinityTerms(&podB.Spec)
	termsA, termsB := GetAffinityTerms(podA.Namespace, antiA), GetAffinityTerms(podB.Namespace, antiB)
	for i := range termsA {
		if termsA[i].Matches(podB) || termsB[i].Matches(podA) {
			return i
		}
	}
	return -1
}
