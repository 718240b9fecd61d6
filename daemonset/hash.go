package daemonset

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/dump"
)

// RevisionHash is the controller-revision-hash the DaemonSet controller gives
// ds's current template when it snapshots a new ControllerRevision:
// ComputeHash(&ds.Spec.Template, ds.Status.CollisionCount). It equals
// upstream's only for the template as the API server stores it, so default
// ds first (SetDefaults). A nil ds hashes an empty template.
//
// upstream: pkg/controller/daemon/update.go snapshot
func RevisionHash(ds *appsv1.DaemonSet) string {
	if ds == nil {
		return ComputeHash(&corev1.PodTemplateSpec{}, nil)
	}
	return ComputeHash(&ds.Spec.Template, ds.Status.CollisionCount)
}

// ComputeHash hashes a pod template the way the Kubernetes controllers do:
// FNV-1a 32 over the go-spew dump (k8s.io/utils/dump.ForHash) of the Go
// value, then the collision count as 8 little-endian bytes when non-nil, the
// decimal sum encoded with the API's safe alphabet. The result depends on the
// exact k8s.io/api struct layout, which is why this package pins v0.37.2. A
// nil template hashes as an empty one.
//
// upstream: pkg/controller/controller_utils.go ComputeHash,
// pkg/util/hash/hash.go DeepHashObject
func ComputeHash(template *corev1.PodTemplateSpec, collisionCount *int32) string {
	if template == nil {
		template = &corev1.PodTemplateSpec{}
	}
	h := fnv.New32a()
	fmt.Fprintf(h, "%v", dump.ForHash(*template))
	if collisionCount != nil {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint32(b, uint32(*collisionCount))
		h.Write(b)
	}
	return rand.SafeEncodeString(strconv.FormatUint(uint64(h.Sum32()), 10))
}

// TemplateGeneration is the DaemonSet's template generation, read from the
// annotation deprecated.daemonset.template.generation; nil when the
// annotation is absent or not a base-10 int64 (the controller then ignores
// it).
//
// upstream: pkg/controller/daemon/util/daemonset_util.go GetTemplateGeneration
// (its parse error is discarded by every caller in the controller)
func TemplateGeneration(ds *appsv1.DaemonSet) *int64 {
	if ds == nil {
		return nil
	}
	s, ok := ds.Annotations[TemplateGenerationAnnotation]
	if !ok {
		return nil
	}
	g, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil
	}
	return &g
}

// IsPodUpdated reports whether pod belongs to the DaemonSet's current
// template: its controller-revision-hash label equals a non-empty hash, or its
// pod-template-generation label equals the decimal templateGeneration.
// A nil pod is not updated.
//
// upstream: pkg/controller/daemon/util/daemonset_util.go IsPodUpdated
func IsPodUpdated(pod *corev1.Pod, hash string, templateGeneration *int64) bool {
	if pod == nil {
		return false
	}
	templateMatches := false
	if templateGeneration != nil {
		v, ok := pod.Labels[TemplateGenerationLabel]
		// A missing label reads as "" and never equals a decimal number.
		templateMatches = ok && v == strconv.FormatInt(*templateGeneration, 10)
	}
	hashMatches := hash != "" && pod.Labels[ControllerRevisionHashLabel] == hash
	return hashMatches || templateMatches
}
