package simulate_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/daemonkit/daemonkit/simulate"
)

// The -update flag may already be registered by another test file of the
// package (the internal tests are linked into the same binary).
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata/")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

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
	path := filepath.Join("testdata", "mixed_placement.golden.json")
	if updateGolden() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if string(want) != string(got)+"\n" {
		t.Errorf("placement differs from %s; run with -update if intended", path)
	}
}
