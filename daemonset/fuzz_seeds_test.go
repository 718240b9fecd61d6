package daemonset

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// seedFiles are the YAML files the fuzz targets start from: the repository's
// corpus of real-world manifests, the presets' generated DaemonSets and the
// codec's own testdata.
func seedFiles() []string {
	var out []string
	for _, pattern := range []string{
		filepath.Join(manifestsDir, "*.yaml"),
		filepath.Join("..", "presets", "testdata", "*.yaml"),
		filepath.Join("testdata", "codec", "*.yaml"),
	} {
		files, _ := filepath.Glob(pattern)
		out = append(out, files...)
	}
	slices.Sort(out)
	return out
}

// seedDaemonSets decodes every seed file and returns its DaemonSets as JSON,
// as stored by the API server (defaulted) and as written (not defaulted).
func seedDaemonSets(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, path := range seedFiles() {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		objs, err := Decode(path, data)
		if err != nil {
			continue
		}
		for _, ds := range objs.DaemonSets {
			raw, err := json.Marshal(ds)
			if err != nil {
				tb.Fatalf("%s: %v", path, err)
			}
			out = append(out, raw)
			d := ds.DeepCopy()
			SetDefaults(d)
			if raw, err = json.Marshal(d); err == nil {
				out = append(out, raw)
			}
		}
	}
	return out
}

// seedNodes are nodes the manifests' DaemonSets meet in practice: a plain
// Linux worker, a tainted GPU node, a NotReady control-plane node and a
// Windows node.
func seedNodes() []*corev1.Node {
	return []*corev1.Node{
		{ObjectMeta: metav1.ObjectMeta{Name: "worker", Labels: map[string]string{
			corev1.LabelOSStable: "linux", corev1.LabelArchStable: "amd64", corev1.LabelHostname: "worker"}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "gpu", Labels: map[string]string{
			corev1.LabelOSStable: "linux", "nvidia.com/gpu.present": "true", "feature.node.kubernetes.io/pci-10de.present": "true"}},
			Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "nvidia.com/gpu", Effect: corev1.TaintEffectNoSchedule}}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "cp", Labels: map[string]string{
			corev1.LabelOSStable: "linux", "node-role.kubernetes.io/control-plane": ""}},
			Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule},
				{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute}}},
			Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionFalse}}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "win", Labels: map[string]string{corev1.LabelOSStable: "windows"}}},
	}
}

// seedEvaluateInputs pairs every seed DaemonSet with every seed node in the
// {"ds":...,"node":...} form of FuzzEvaluate.
func seedEvaluateInputs(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, ds := range seedDaemonSets(tb) {
		for _, n := range seedNodes() {
			node, err := json.Marshal(n)
			if err != nil {
				tb.Fatal(err)
			}
			raw, err := json.Marshal(map[string]json.RawMessage{"ds": ds, "node": node})
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, raw)
		}
	}
	return out
}

// The seed corpus holds the manifests' and presets' DaemonSets.
func TestFuzzSeedsDecoded(t *testing.T) {
	if n := len(seedDaemonSets(t)); n < 6 {
		t.Errorf("%d seed DaemonSets from %v, want the manifests' and presets' ones", n, seedFiles())
	}
}
