package daemonset

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestIsExtendedResourceName mirrors the rule of upstream
// pkg/apis/core/v1/helper/helpers.go IsExtendedResourceName, with the native
// names of helpers_test.go TestIsNativeResource as negatives.
func TestIsExtendedResourceName(t *testing.T) {
	for _, tc := range []struct {
		name corev1.ResourceName
		want bool
	}{
		{"nvidia.com/gpu", true},
		{"example.com/foo", true},
		{"a/b", true},
		{"cpu", false},           // unprefixed: native
		{"foo", false},           // unprefixed: native
		{"", false},              // unprefixed: native
		{"hugepages-2Mi", false}, // native
		{"kubernetes.io/resource-foo", false},
		{"pod.alpha.kubernetes.io/opaque-int-resource-foo", false},
		{"requests.example.com/foo", false}, // a quota name, not a resource
		{corev1.ResourceName("example.com/" + strings.Repeat("a", 63)), true},
		{corev1.ResourceName("example.com/" + strings.Repeat("a", 64)), false}, // name part too long
		{"example.com/-foo", false},                                            // not a qualified name
		{"Example.com/foo", false},                                             // prefix must be a DNS subdomain
		{"example.com/foo/bar", false},                                         // two slashes
	} {
		if got := IsExtendedResourceName(tc.name); got != tc.want {
			t.Errorf("IsExtendedResourceName(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
