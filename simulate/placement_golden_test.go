package simulate_test

import (
	"encoding/json"
	"github.com/daemonkit/daemonkit/internal/goldentest"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/daemonkit/daemonkit/simulate"
)

// TestGolden_MixedCluster pins the whole placement of three DaemonSets on
// the mixed production shape: every node's state, reasons, pending reasons,
// status, overhead and traps. Run with -update after an intended change.
func TestGolden_MixedCluster(t *testing.T) {
	c, err := simulate.MixedCluster(1)
	if err != nil {
		t.Fatal(err)
	}
	exporter := ds("node-exporter", requests("100m", "128Mi"), func(s *corev1.PodSpec) {
		s.HostNetwork = true
		s.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 9100}}
	})
	logs := ds("fluent-bit", requests("500m", "512Mi"), func(s *corev1.PodSpec) {
		s.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
	})
	gpu := ds("dcgm-exporter", requests("100m", "256Mi"), tolerate("nvidia.com/gpu", corev1.TaintEffectNoSchedule), hostPort(10256), func(s *corev1.PodSpec) {
		s.NodeSelector = map[string]string{"nvidia.com/gpu.present": "true"}
	})
	surge := intstr.FromInt32(1)
	gpu.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxSurge: &surge} // SurgeHostPort trap
	p := place(t, c, exporter, logs, gpu)
	type dsOut struct {
		DaemonSet   string
		Status      any
		Counts      simulate.Counts
		PodRequests corev1.ResourceList
		Nodes       []simulate.NodePlacement
	}
	out := struct {
		DaemonSets []dsOut
		Overhead   simulate.Overhead
		Traps      []simulate.Trap
	}{Overhead: p.Overhead(), Traps: p.Traps}
	for _, d := range p.DaemonSets {
		out.DaemonSets = append(out.DaemonSets, dsOut{d.Key(), d.Status(), d.Counts(), d.PodRequests, d.Nodes})
	}
	got, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	goldentest.Check(t, "mixed_placement.golden.json", string(got)+"\n")
}
