package daemonset

import (
	"bytes"
	"fmt"
	"github.com/daemonkit/daemonkit/internal/goldentest"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestEvaluateGolden renders the decisions and reasons for a matrix of
// DaemonSets and nodes into testdata/placement/decisions.golden, so that a
// change in any message or order shows up in review. Rewrite with -update
// (the package's shared golden-file flag).
func TestEvaluateGolden(t *testing.T) {
	gpuTaint := corev1.Taint{Key: "nvidia.com/gpu", Value: "present", Effect: corev1.TaintEffectNoSchedule}
	notReady := []corev1.Taint{{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule}, {Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute}}
	dss := []struct {
		name string
		ds   *appsv1.DaemonSet
	}{
		{"plain", plDS(nil)},
		{"gpu-selector", plDS(func(s *corev1.PodSpec) {
			s.NodeSelector = map[string]string{"nvidia.com/gpu.present": "true"}
			s.Tolerations = []corev1.Toleration{{Key: "nvidia.com/gpu", Operator: corev1.TolerationOpExists}}
		})},
		{"arch-affinity", plDS(func(s *corev1.PodSpec) {
			s.Affinity = required(
				exprTerm(expr("kubernetes.io/arch", corev1.NodeSelectorOpIn, "arm64"), expr("cores", corev1.NodeSelectorOpGt, "16")),
				exprTerm(expr("node-role.kubernetes.io/edge", corev1.NodeSelectorOpExists)),
			)
		})},
		{"invalid-affinity", plDS(func(s *corev1.PodSpec) {
			s.Affinity = required(exprTerm(expr("cores", corev1.NodeSelectorOpGt, "4", "5")), fieldTerm(expr(metav1.ObjectNameField, corev1.NodeSelectorOpIn)))
		})},
		{"pinned", plDS(func(s *corev1.PodSpec) { s.NodeName = "gpu-1" })},
		{"tolerate-all", plDS(func(s *corev1.PodSpec) { s.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}} })},
	}
	nodes := []*corev1.Node{
		plNode("cpu-1", map[string]string{"kubernetes.io/arch": "amd64", "cores": "8"}),
		plNode("gpu-1", map[string]string{"kubernetes.io/arch": "amd64", "cores": "32", "nvidia.com/gpu.present": "true"}, gpuTaint),
		plNode("arm-1", map[string]string{"kubernetes.io/arch": "arm64", "cores": "many"}, notReady...),
		plNode("edge-1", map[string]string{"node-role.kubernetes.io/edge": ""}, corev1.Taint{Key: "edge", Value: "true", Effect: corev1.TaintEffectNoExecute}),
	}
	var buf bytes.Buffer
	for _, d := range dss {
		p := NewPlacer(d.ds)
		for _, n := range nodes {
			dec := p.Evaluate(n)
			fmt.Fprintf(&buf, "%s on %s: shouldRun=%v shouldContinueRunning=%v\n", d.name, n.Name, dec.ShouldRun, dec.ShouldContinueRunning)
			for _, r := range dec.Reasons {
				fmt.Fprintf(&buf, "  [%s] %s\n", r.Kind, r)
			}
		}
	}
	goldentest.Check(t, "placement/decisions.golden", buf.String())
}
