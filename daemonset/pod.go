package daemonset

import (
	"fmt"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Label and annotation keys the DaemonSet controller reads and writes, and
// its per-sync burst cap.
const (
	// ControllerRevisionHashLabel carries the revision hash on daemon pods
	// and ControllerRevisions.
	// upstream: k8s.io/api apps/v1 ControllerRevisionHashLabelKey
	ControllerRevisionHashLabel = appsv1.ControllerRevisionHashLabelKey
	// TemplateGenerationLabel is the legacy pod label carrying the template
	// generation.
	// upstream: k8s.io/api extensions/v1beta1 DaemonSetTemplateGenerationKey
	TemplateGenerationLabel = "pod-template-generation"
	// TemplateGenerationAnnotation is the DaemonSet annotation carrying the
	// template generation in apps/v1.
	// upstream: k8s.io/api apps/v1 DeprecatedTemplateGeneration
	TemplateGenerationAnnotation = appsv1.DeprecatedTemplateGeneration
	// BurstReplicas caps the pods the controller creates, and separately
	// deletes, in one sync.
	// upstream: pkg/controller/daemon/daemon_controller.go BurstReplicas
	BurstReplicas = 250
)

// NewPod is the pod the DaemonSet controller creates for nodeName, with the
// current revision's hash RevisionHash(ds). To build many pods, compute the
// hash once and call NewPodForRevision.
func NewPod(ds *appsv1.DaemonSet, nodeName string) *corev1.Pod {
	return NewPodForRevision(ds, nodeName, RevisionHash(ds))
}

// NewPodForRevision is the pod the DaemonSet controller creates for nodeName
// when its current ControllerRevision carries hash:
//   - labels, annotations and finalizers copied from the template, plus
//     pod-template-generation (when the DaemonSet's annotation parses) and
//     controller-revision-hash (when hash is non-empty);
//   - the spec deep-copied from the template, tolerations merged as in
//     DaemonPodTolerations, and the required node affinity replaced by
//     exactly one term `metadata.name In [nodeName]` (all other required
//     terms dropped; preferred terms and nodeSelector kept); spec.nodeName
//     stays as in the template;
//   - generateName "<ds>-", namespace of the DaemonSet and a controller
//     owner reference to it (apps/v1 DaemonSet, blockOwnerDeletion).
//
// The result never aliases ds. A nil ds reads as an empty DaemonSet.
//
// upstream: daemon_controller.go syncNodes, daemonset_util.go
// CreatePodTemplate and ReplaceDaemonSetPodNodeNameNodeAffinity,
// controller_utils.go GetPodFromTemplate
func NewPodForRevision(ds *appsv1.DaemonSet, nodeName, hash string) *corev1.Pod {
	if ds == nil {
		ds = &appsv1.DaemonSet{}
	}
	tmpl := &ds.Spec.Template
	labels := make(map[string]string, len(tmpl.Labels)+2)
	for k, v := range tmpl.Labels {
		labels[k] = v
	}
	if g := TemplateGeneration(ds); g != nil {
		labels[TemplateGenerationLabel] = strconv.FormatInt(*g, 10)
	}
	if hash != "" {
		labels[ControllerRevisionHashLabel] = hash
	}
	annotations := make(map[string]string, len(tmpl.Annotations))
	for k, v := range tmpl.Annotations {
		annotations[k] = v
	}
	finalizers := make([]string, len(tmpl.Finalizers))
	copy(finalizers, tmpl.Finalizers)

	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName:    podNamePrefix(ds.Name),
			Namespace:       ds.Namespace,
			Labels:          labels,
			Annotations:     annotations,
			Finalizers:      finalizers,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(ds, appsv1.SchemeGroupVersion.WithKind("DaemonSet"))},
		},
	}
	tmpl.Spec.DeepCopyInto(&pod.Spec)
	pod.Spec.Tolerations = daemonPodTolerations(&tmpl.Spec)
	pod.Spec.Affinity = pinToNode(pod.Spec.Affinity, nodeName)
	return pod
}

// podNamePrefix is the generateName of a controller's pods: "<name>-" unless
// that is not a valid name prefix, then "<name>".
//
// upstream: pkg/controller/controller_utils.go getPodsPrefix
func podNamePrefix(name string) string {
	prefix := name + "-"
	if len(apimachineryvalidation.NameIsDNSSubdomain(prefix, true)) != 0 {
		prefix = name
	}
	return prefix
}

// pinToNode replaces the required node affinity of aff (which it may modify)
// with exactly one term `metadata.name In [nodeName]`.
//
// upstream: daemonset_util.go ReplaceDaemonSetPodNodeNameNodeAffinity
func pinToNode(aff *corev1.Affinity, nodeName string) *corev1.Affinity {
	terms := []corev1.NodeSelectorTerm{{
		MatchFields: []corev1.NodeSelectorRequirement{{
			Key: metav1.ObjectNameField, Operator: corev1.NodeSelectorOpIn, Values: []string{nodeName},
		}},
	}}
	if aff == nil {
		aff = &corev1.Affinity{}
	}
	if aff.NodeAffinity == nil {
		aff.NodeAffinity = &corev1.NodeAffinity{}
	}
	if aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{}
	}
	aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms = terms
	return aff
}

// TargetNodeName is the node a daemon pod is meant for: spec.nodeName when
// set, else the value of the first matchFields requirement `metadata.name In`
// across the required node affinity terms, which must have exactly one value.
// Pods without either are an error; the controller ignores them.
//
// upstream: daemonset_util.go GetTargetNodeName
func TargetNodeName(pod *corev1.Pod) (string, error) {
	if pod == nil {
		return "", fmt.Errorf("nil pod")
	}
	if pod.Spec.NodeName != "" {
		return pod.Spec.NodeName, nil
	}
	aff := pod.Spec.Affinity
	if aff == nil || aff.NodeAffinity == nil || aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return "", fmt.Errorf("no spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution for pod %s/%s",
			pod.Namespace, pod.Name)
	}
	terms := aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	if len(terms) < 1 {
		return "", fmt.Errorf("no nodeSelectorTerms in requiredDuringSchedulingIgnoredDuringExecution of pod %s/%s",
			pod.Namespace, pod.Name)
	}
	for _, term := range terms {
		for _, exp := range term.MatchFields {
			if exp.Key == metav1.ObjectNameField && exp.Operator == corev1.NodeSelectorOpIn {
				if len(exp.Values) != 1 {
					return "", fmt.Errorf("the matchFields value of '%s' is not unique for pod %s/%s",
						metav1.ObjectNameField, pod.Namespace, pod.Name)
				}
				return exp.Values[0], nil
			}
		}
	}
	return "", fmt.Errorf("no node name found for pod %s/%s", pod.Namespace, pod.Name)
}
