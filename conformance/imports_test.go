package conformance

// Keeps the upstream packages the conformance tests use in the module graph
// while the tests are written.
import (
	_ "github.com/daemonkit/daemonkit/daemonset"
	_ "github.com/google/go-cmp/cmp"
	_ "k8s.io/client-go/informers"
	_ "k8s.io/client-go/kubernetes/fake"
	_ "k8s.io/kubernetes/pkg/api/v1/pod"
	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	_ "k8s.io/kubernetes/pkg/apis/apps/v1"
	_ "k8s.io/kubernetes/pkg/apis/apps/validation"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	_ "k8s.io/kubernetes/pkg/capabilities"
	_ "k8s.io/kubernetes/pkg/controller"
	_ "k8s.io/kubernetes/pkg/controller/daemon"
	_ "k8s.io/kubernetes/pkg/controller/daemon/util"
	_ "k8s.io/pod-security-admission/policy"
	_ "pgregory.net/rapid"
	_ "sigs.k8s.io/randfill"
)
