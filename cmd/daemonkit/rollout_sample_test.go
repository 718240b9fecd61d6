package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/daemonkit/daemonkit/internal/goldentest"
)

// nodeExporterFiles writes the node-exporter preset (the
// prometheus-community chart: liveness and readiness probes on the metrics
// port) as new.yaml, and the same at the previous image as old.yaml.
func nodeExporterFiles(t *testing.T, f *fakeEnv) {
	t.Helper()
	for file, image := range map[string]string{"new.yaml": "quay.io/prometheus/node-exporter:v1.12.1", "old.yaml": "quay.io/prometheus/node-exporter:v1.12.0"} {
		g := newFakeEnv()
		if code := g.run("preset", "node-exporter", "--no-companions", "--set", "image="+image); code != 0 {
			t.Fatalf("preset: exit %d: %s", code, g.stderr.String())
		}
		f.files[file] = g.stdout.Bytes()
	}
	var nodes strings.Builder
	nodes.WriteString("apiVersion: v1\nkind: List\nitems:\n")
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&nodes, "- {apiVersion: v1, kind: Node, metadata: {name: node-%02d, labels: {kubernetes.io/os: linux}}, status: {allocatable: {cpu: \"4\", memory: 16Gi, pods: \"110\"}}}\n", i)
	}
	f.files["nodes.yaml"] = []byte(nodes.String())
}

func TestRolloutRunsFromTemplate(t *testing.T) {
	f := newFakeEnv()
	nodeExporterFiles(t, f)
	args := []string{"rollout", "-f", "new.yaml", "--from", "old.yaml", "--nodes", "nodes.yaml", "--startup-model", "template",
		"--runs", "100", "--seed", "3", "--pull", "10s..40s", "--app-ready", "1s,2s,4s,15s"}
	if code := f.run(append(args, "--plot", "band.svg")...); code != 0 {
		t.Fatalf("exit %d: %s", code, f.stderr.String())
	}
	goldentest.Check(t, "rollout/runs-node-exporter.txt", f.stdout.String())
	var doc struct {
		Polygons []struct {
			ID string `xml:"id,attr"`
		} `xml:"polygon"`
	}
	if err := xml.Unmarshal(f.written["band.svg"], &doc); err != nil || len(doc.Polygons) != 1 || doc.Polygons[0].ID != "updated-band" {
		t.Errorf("plot has no P10-P90 band: %v %+v", err, doc)
	}
	if f.stderr.Len() > 0 {
		t.Errorf("stderr is not a terminal, yet: %q", f.stderr.String())
	}

	g := newFakeEnv()
	nodeExporterFiles(t, g)
	if code := g.run(append(args, "-o", "json")...); code != 0 {
		t.Fatalf("exit %d: %s", code, g.stderr.String())
	}
	var out sampleOut
	if err := json.Unmarshal(g.stdout.Bytes(), &out); err != nil || out.Runs != 100 || out.Available.P50Seconds == nil {
		t.Fatalf("JSON: %v %+v", err, out)
	}
	goldentest.Check(t, "rollout/runs-node-exporter.json", g.stdout.String())

	// the mixed cluster has a NotReady node: every run stalls there
	h := newFakeEnv()
	nodeExporterFiles(t, h)
	if code := h.run("rollout", "-f", "new.yaml", "--from", "old.yaml", "--cluster", "mixed", "--startup-model", "template", "--runs", "20"); code != 0 {
		t.Fatalf("exit %d: %s", code, h.stderr.String())
	}
	goldentest.Check(t, "rollout/runs-node-exporter-mixed.txt", h.stdout.String())
}

// TestRolloutSingleRunFromTemplate: one run with the template model names
// the model on its "model" line.
func TestRolloutSingleRunFromTemplate(t *testing.T) {
	f := newFakeEnv()
	nodeExporterFiles(t, f)
	if code := f.run("rollout", "-f", "new.yaml", "--from", "old.yaml", "--cluster", "dev", "--startup-model", "template", "--seed", "5"); code != 0 {
		t.Fatalf("exit %d: %s", code, f.stderr.String())
	}
	if !strings.Contains(f.stdout.String(), "model:    startup from the template: pull 5s..45s") {
		t.Errorf("model line missing:\n%s", f.stdout.String())
	}
}

func TestRolloutTarget(t *testing.T) {
	f := newFakeEnv()
	nodeExporterFiles(t, f)
	args := []string{"rollout", "-f", "new.yaml", "--from", "old.yaml", "--nodes", "nodes.yaml", "--startup-model", "template",
		"--target", "10m", "--min-available", "90%", "--runs", "30"}
	if code := f.run(args...); code != 0 {
		t.Fatalf("exit %d: %s", code, f.stderr.String())
	}
	goldentest.Check(t, "rollout/target-node-exporter.txt", f.stdout.String())
	g := newFakeEnv()
	nodeExporterFiles(t, g)
	if code := g.run(append(args, "-o", "json")...); code != 0 {
		t.Fatalf("exit %d: %s", code, g.stderr.String())
	}
	goldentest.Check(t, "rollout/target-node-exporter.json", g.stdout.String())

	// a goal no budget meets: exit 1, the closest budget still printed
	h := newFakeEnv()
	nodeExporterFiles(t, h)
	if code := h.run("rollout", "-f", "new.yaml", "--from", "old.yaml", "--nodes", "nodes.yaml", "--startup-model", "template",
		"--target", "30s", "--runs", "10"); code != 1 {
		t.Fatalf("impossible target: exit %d: %s", code, h.stderr.String())
	}
	if !strings.Contains(h.stdout.String(), "No budget meets the goal") || !strings.Contains(h.stdout.String(), "maxUnavailable:") {
		t.Errorf("stdout:\n%s", h.stdout.String())
	}
}

func TestRolloutSampleBadInputs(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--runs", "0"}, "daemonkit: --runs 0: expected a number between 1 and 10000"},
		{[]string{"--pull", "5s"}, "daemonkit: --pull needs --startup-model template"},
		{[]string{"--startup-model", "template", "--startup", "5s"}, "daemonkit: --startup and --startup-jitter belong to --startup-model fixed"},
		{[]string{"--startup-model", "magic"}, `daemonkit: --startup-model "magic": expected fixed or template`},
		{[]string{"--startup-model", "template", "--pull", "40s..5s"}, `daemonkit: rollout: invalid value "40s..5s" for flag -pull: "40s..5s": quantiles must not decrease`},
		{[]string{"--min-available", "99%"}, "daemonkit: --min-available needs --target"},
		{[]string{"--target", "1h", "--min-available", "99"}, `daemonkit: --min-available "99": expected a percentage between 0% and 100%, e.g. 99%`},
		{[]string{"--startup-model", "template", "--image-size", "nginx=70Mi"}, "daemonkit: --image-size needs --bandwidth"},
		{[]string{"--startup-model", "template", "--image-size", "nginx=big", "--bandwidth", "1Mi"}, `daemonkit: --image-size "nginx=big": expected IMAGE=SIZE such as nginx:1.27=70Mi`},
		{[]string{"--startup-model", "template", "--bandwidth", "-3"}, `daemonkit: --bandwidth "-3": expected a positive number of bytes per second such as 50Mi or 1G`},
	}
	for _, tc := range tests {
		f := newFakeEnv()
		nodeExporterFiles(t, f)
		code := f.run(append([]string{"rollout", "-f", "new.yaml", "--cluster", "dev"}, tc.args...)...)
		first, _, _ := strings.Cut(f.stderr.String(), "\n")
		if code != 2 || !strings.HasPrefix(first, tc.want) {
			t.Errorf("%v: exit %d, stderr first line:\n  %s\nwant exit 2 and:\n  %s", tc.args, code, first, tc.want)
		}
	}
}

// --fail-on over many runs: a condition holds when it holds in any run.
// The new version never turns Ready on node-07, so every run stalls.
func TestRolloutRunsFailOn(t *testing.T) {
	args := []string{"rollout", "-f", "new.yaml", "--from", "old.yaml", "--nodes", "nodes.yaml", "--runs", "20", "--seed", "3"}
	f := newFakeEnv()
	nodeExporterFiles(t, f)
	if code := f.run(append(args, "--broken", "node-07", "--fail-on", "stuck,not-done", "-o", "json")...); code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, f.stderr.String())
	}
	var out sampleReport
	if err := json.Unmarshal(f.stdout.Bytes(), &out); err != nil || !slices.Equal(out.Failed, []string{"stuck", "not-done"}) {
		t.Fatalf("JSON: %v, failedConditions %v", err, out.Failed)
	}
	if !strings.Contains(f.stderr.String(), "stuck in 20 of 20 runs") {
		t.Errorf("stderr = %q", f.stderr.String())
	}
	g := newFakeEnv()
	nodeExporterFiles(t, g)
	if code := g.run(append(args, "--fail-on", "stuck,not-done,budget")...); code != 0 {
		t.Fatalf("healthy runs: exit %d: %s", code, g.stderr.String())
	}
}
