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
// parsed. The namespace selector is read against the labels of the
// cluster's namespaces (NamespaceLabels); where those are not known, against
// the label every namespace carries, kubernetes.io/metadata.name
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
	// kubernetes.io/metadata.name, so Matches is exact without the cluster's
	// Namespace objects.
	ByNamespaceName bool

	// sortedNamespaces: Namespaces is sorted and without repeats (the
	// incoming pod's terms, merged).
	sortedNamespaces bool
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

// Matches says whether pod is in the term's namespaces — by name, or by its
// namespace's labels as ns holds them — and its labels match. For the term
// of a pod already bound, checked against the incoming pod, this is
// upstream's Matches with the incoming pod's namespace labels; the incoming
// pod's own terms are first merged (MergeAffinityTermNamespacesIfNotEmpty),
// after which no label is read, as upstream.
// upstream: kube-scheduler framework/types.go AffinityTerm.Matches;
// interpodaffinity/plugin.go GetNamespaceLabelsSnapshot
func (t *AffinityTerm) Matches(pod *corev1.Pod, ns NamespaceLabels) bool {
	if t.inNamespaces(pod.Namespace) || t.namespaceSelected(pod, ns) {
		return t.Selector.Matches(labels.Set(pod.Labels))
	}
	return false
}

// namespaceSelected: the namespaceSelector selects pod's namespace (nil and
// labels.Nothing select none, an empty selector all, without reading labels).
func (t *AffinityTerm) namespaceSelected(pod *corev1.Pod, ns NamespaceLabels) bool {
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
	return sel.Matches(ns.of(pod))
}

func (t *AffinityTerm) inNamespaces(ns string) bool {
	if t.sortedNamespaces {
		_, found := slices.BinarySearch(t.Namespaces, ns)
		return found
	}
	return slices.Contains(t.Namespaces, ns)
}

// NamespaceLabels are the labels of a cluster's namespaces by name, as
// kube-scheduler's Namespace lister holds them (NamespaceLabelsOf builds
// them from Namespace objects). A namespace not among them has no labels
// (upstream GetNamespaceLabelsSnapshot: "assuming empty set of namespace
// labels") and is not selected by an incoming pod's namespaceSelector
// (upstream mergeAffinityTermNamespacesIfNotEmpty lists the namespaces that
// exist).
//
// A nil NamespaceLabels stands for namespaces known by name only: every
// namespace is taken to exist and to carry just kubernetes.io/metadata.name,
// the label the API server sets on each; a namespaceSelector reading any
// other label (AffinityTerm.ByNamespaceName false) is then not decided
// exactly.
type NamespaceLabels map[string]labels.Set

// NamespaceLabelsOf returns the labels of namespaces as the API server
// stores them: kubernetes.io/metadata.name set to the namespace's name
// whatever the object says (upstream: pkg/registry/core/namespace/strategy.go
// Canonicalize). The result is not nil, even for no namespaces. Nil
// namespaces are skipped; the objects are not modified.
func NamespaceLabelsOf(namespaces []*corev1.Namespace) NamespaceLabels {
	out := make(NamespaceLabels, len(namespaces))
	for _, n := range namespaces {
		if n == nil {
			continue
		}
		l := make(labels.Set, len(n.Labels)+1)
		for k, v := range n.Labels {
			l[k] = v
		}
		l[corev1.LabelMetadataName] = n.Name
		out[n.Name] = l
	}
	return out
}

// of returns the labels of pod's namespace.
func (m NamespaceLabels) of(pod *corev1.Pod) labels.Labels {
	if m == nil {
		// a pointer into pod: no allocation
		return (*namespaceName)(&pod.Namespace)
	}
	return m[pod.Namespace]
}

// MergeAffinityTermNamespacesIfNotEmpty returns the incoming pod's terms
// with each namespaceSelector that is not empty ({}) unrolled into the
// term's namespaces — those of m whose labels it matches — and replaced by
// one that selects nothing, as kube-scheduler's InterPodAffinity PreFilter
// does. With m nil (namespaces known by name only) terms are returned as
// they are: Matches reads each namespace's name label instead. terms is not
// modified.
// upstream: interpodaffinity/plugin.go mergeAffinityTermNamespacesIfNotEmpty,
// filtering.go PreFilter
func (m NamespaceLabels) MergeAffinityTermNamespacesIfNotEmpty(terms []AffinityTerm) []AffinityTerm {
	if m == nil || len(terms) == 0 {
		return terms
	}
	out := slices.Clone(terms)
	for i := range out {
		t := &out[i]
		if t.NamespaceSelector == nil {
			continue
		}
		if _, selects := t.NamespaceSelector.Requirements(); !selects || t.NamespaceSelector.Empty() {
			// none (a nil namespaceSelector) or all: nothing to unroll
			continue
		}
		names := slices.Clone(t.Namespaces)
		for name, l := range m {
			if t.NamespaceSelector.Matches(l) {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		t.Namespaces, t.sortedNamespaces = slices.Compact(names), true
		t.NamespaceSelector = labels.Nothing()
	}
	return out
}

// namespaceName is the labels known of a namespace by name only: its
// kubernetes.io/metadata.name.
type namespaceName string

func (n *namespaceName) Has(key string) bool { return key == corev1.LabelMetadataName }

func (n *namespaceName) Lookup(key string) (string, bool) {
	if key == corev1.LabelMetadataName {
		return string(*n), true
	}
	return "", false
}

func (n *namespaceName) Get(key string) string {
	if key == corev1.LabelMetadataName {
		return string(*n)
	}
	return ""
}

// AntiAffinityAgainstOtherRevisions returns the index of the first required
// pod anti-affinity term of ds's template that keeps two of its daemon pods
// of different revisions off one node — the new pod's term matches the old
// pod or the old pod's term matches the new one, over the same labels but
// controller-revision-hash and pod-template-generation — or -1. ns are the
// labels of the cluster's namespaces (nil: known by name only). With
// maxSurge (AllowsSurge) the new pod is created beside the old one, stays
// Pending and the rollout stalls; a term with controller-revision-hash
// among its matchLabelKeys matches only its own revision and does not stall
// it. ds is not modified.
// upstream: the pods as daemon_controller.go syncNodes creates them and
// pkg/registry/core/pod/strategy.go PrepareForCreate stores them; the
// InterPodAffinity filter (satisfyPodAntiAffinity,
// satisfyExistingPodsAntiAffinity) for the new pod
func AntiAffinityAgainstOtherRevisions(ds *appsv1.DaemonSet, ns NamespaceLabels) int {
	if ds == nil || ds.Spec.Template.Spec.Affinity == nil || ds.Spec.Template.Spec.Affinity.PodAntiAffinity == nil {
		return -1
	}
	stored := storedCopy(ds)
	oldPod := podAsCreated(stored, "", "revision-a")
	newPod := podAsCreated(stored, "", "revision-b")
	if newPod.Labels[TemplateGenerationLabel] != "" {
		newPod.Labels[TemplateGenerationLabel] += "0"
	}
	_, oldAnti := RequiredAffinityTerms(&oldPod.Spec)
	_, newAnti := RequiredAffinityTerms(&newPod.Spec)
	oldTerms := GetAffinityTerms(oldPod.Namespace, oldAnti)
	newTerms := ns.MergeAffinityTermNamespacesIfNotEmpty(GetAffinityTerms(newPod.Namespace, newAnti))
	for i := range oldTerms {
		if newTerms[i].Matches(oldPod, ns) || oldTerms[i].Matches(newPod, ns) {
			return i
		}
	}
	return -1
}
