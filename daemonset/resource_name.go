package daemonset

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// IsExtendedResourceName reports whether name is an extended resource: a
// fully qualified name outside the kubernetes.io/ namespace (for example
// "nvidia.com/gpu") that is still a qualified name once "requests." is put
// in front of it, as resource quota spells it. Extended resources are
// integers, cannot be overcommitted (requests must equal limits) and are
// counted by the scheduler like cpu and memory.
//
// upstream: pkg/apis/core/v1/helper/helpers.go IsExtendedResourceName (the
// same rule as pkg/apis/core/helper IsExtendedResourceName)
func IsExtendedResourceName(name corev1.ResourceName) bool {
	s := string(name)
	if isNativeResource(s) || strings.HasPrefix(s, corev1.DefaultResourceRequestsPrefix) {
		return false
	}
	return len(validation.IsQualifiedName(corev1.DefaultResourceRequestsPrefix+s)) == 0
}

// isNativeResource reports whether name is in the kubernetes.io/ namespace;
// an unprefixed name is implicitly in it.
//
// upstream: pkg/apis/core/v1/helper/helpers.go IsNativeResource,
// IsPrefixedNativeResource
func isNativeResource(name string) bool {
	return !strings.Contains(name, "/") || strings.Contains(name, corev1.ResourceDefaultNamespacePrefix)
}

// upstream: pkg/apis/core/v1/helper/helpers.go IsHugePageResourceName
func isHugePageResourceName(name string) bool {
	return strings.HasPrefix(name, corev1.ResourceHugePagesPrefix)
}

// isOvercommitAllowed reports whether requests of name may be below its
// limits: native resources other than hugepages.
//
// upstream: pkg/apis/core/v1/helper/helpers.go IsOvercommitAllowed
func isOvercommitAllowed(name corev1.ResourceName) bool {
	return isNativeResource(string(name)) && !isHugePageResourceName(string(name))
}
