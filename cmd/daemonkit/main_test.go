package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"github.com/daemonkit/daemonkit/internal/goldentest"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeEnv runs commands against in-memory files; real files (the
// manifests, testdata) are read through when not overridden.
type fakeEnv struct {
	// ctx is the command's context (nil: never cancelled).
	ctx            context.Context
	files          map[string][]byte
	written        map[string][]byte
	stdin          string
	stdout, stderr bytes.Buffer
	// stderrTTY plays a terminal on stderr (progress lines).
	stderrTTY bool
}

func newFakeEnv() *fakeEnv {
	return &fakeEnv{files: map[string][]byte{}, written: map[string][]byte{}}
}

func (f *fakeEnv) run(args ...string) int {
	e := &env{ctx: f.ctx, stdin: strings.NewReader(f.stdin), stdout: &f.stdout, stderr: &f.stderr, stderrTTY: f.stderrTTY,
		readFile: func(name string) ([]byte, error) {
			if name == "-" {
				return []byte(f.stdin), nil
			}
			if b, ok := f.files[name]; ok {
				return b, nil
			}
			return os.ReadFile(name)
		},
		writeFile: func(name string, data []byte) error { f.written[name] = data; return nil },
	}
	return run(e, args)
}

// manifests is the repository's corpus of real-world manifests.
const manifests = "../../internal/testdata/manifests"

// sharedManifests lists the real-world manifests every command must handle.
func sharedManifests(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(manifests, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".yaml") {
			out = append(out, p)
		}
		return err
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("no manifests under %s: %v", manifests, err)
	}
	return out
}

func base(p string) string { return strings.TrimSuffix(filepath.Base(p), ".yaml") }

func TestExplainSharedManifests(t *testing.T) {
	for _, m := range sharedManifests(t) {
		t.Run(base(m), func(t *testing.T) {
			f := newFakeEnv()
			if code := f.run("explain", "-f", m, "--cluster", "mixed"); code != 0 {
				t.Fatalf("exit %d: %s", code, f.stderr.String())
			}
			goldentest.Check(t, "explain/"+base(m)+".txt", strings.ReplaceAll(f.stdout.String(), manifests+"/", ""))
		})
	}
}

func TestExplainJSON(t *testing.T) {
	f := newFakeEnv()
	if code := f.run("explain", "-f", manifests+"/dcgm-exporter.yaml", "--cluster", "dev", "-o", "json"); code != 0 {
		t.Fatalf("exit %d: %s", code, f.stderr.String())
	}
	goldentest.Check(t, "explain/dcgm-exporter-dev.json", strings.ReplaceAll(f.stdout.String(), manifests+"/", ""))
}

func TestExplainOwnNodesFromStdin(t *testing.T) {
	f := newFakeEnv()
	f.stdin = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata: {name: gpu-1, labels: {kubernetes.io/os: linux, nvidia.com/gpu.present: "true"}}
  spec: {taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]}
  status: {allocatable: {cpu: "8", memory: 32Gi, pods: "110"}}
- apiVersion: v1
  kind: Node
  metadata: {name: cpu-1, labels: {kubernetes.io/os: linux}}
  status: {allocatable: {cpu: "8", memory: 32Gi, pods: "110"}}
`
	if code := f.run("explain", "-f", manifests+"/nvidia-device-plugin.yaml", "--nodes", "-"); code != 0 {
		t.Fatalf("exit %d: %s", code, f.stderr.String())
	}
	goldentest.Check(t, "explain/device-plugin-own-nodes.txt", strings.ReplaceAll(f.stdout.String(), manifests+"/", ""))
}

func TestLintSharedManifests(t *testing.T) {
	for _, m := range sharedManifests(t) {
		t.Run(base(m), func(t *testing.T) {
			f := newFakeEnv()
			code := f.run("lint", "-f", m)
			if code != 0 && code != 1 {
				t.Fatalf("exit %d: %s", code, f.stderr.String())
			}
			goldentest.Check(t, "lint/"+base(m)+".txt", strings.ReplaceAll(fmt.Sprintf("exit %d\n%s%s", code, f.stdout.String(), f.stderr.String()), manifests+"/", ""))
		})
	}
}

func TestLintExitsOneOnErrors(t *testing.T) {
	f := newFakeEnv()
	f.files["bad.yaml"] = []byte(`apiVersion: apps/v1
kind: DaemonSet
metadata: {name: bad, namespace: default}
spec:
  selector: {matchLabels: {app: bad}}
  template:
    metadata: {labels: {app: other}}
    spec:
      containers: [{name: c, image: "busybox"}]
`)
	if code := f.run("lint", "-f", "bad.yaml"); code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, f.stderr.String())
	}
	if !strings.Contains(f.stdout.String(), "spec.template.metadata.labels") {
		t.Errorf("validation error not shown:\n%s", f.stdout.String())
	}
}

func TestPreset(t *testing.T) {
	f := newFakeEnv()
	if code := f.run("preset", "list"); code != 0 {
		t.Fatalf("exit %d: %s", code, f.stderr.String())
	}
	goldentest.Check(t, "preset/list.txt", f.stdout.String())
	for _, name := range []string{"cilium", "fluent-bit"} {
		f := newFakeEnv()
		if code := f.run("preset", name); code != 0 {
			t.Fatalf("exit %d: %s", code, f.stderr.String())
		}
		goldentest.Check(t, "preset/"+name+".yaml", f.stdout.String())
		// What preset prints, lint reads back without errors.
		g := newFakeEnv()
		g.files["p.yaml"] = f.stdout.Bytes()
		if code := g.run("lint", "-f", "p.yaml"); code != 0 {
			t.Errorf("lint of preset %s: exit %d\n%s%s", name, code, g.stdout.String(), g.stderr.String())
		}
	}
}

func TestPresetSet(t *testing.T) {
	f := newFakeEnv()
	if code := f.run("preset", "node-exporter", "--set", "namespace=metrics", "--no-companions"); code != 0 {
		t.Fatalf("exit %d: %s", code, f.stderr.String())
	}
	if !strings.Contains(f.stdout.String(), "namespace: metrics") {
		t.Errorf("--set namespace not applied:\n%s", f.stdout.String())
	}
	f = newFakeEnv()
	if code := f.run("preset", "node-exporter", "--set", "nosuch=1"); code != 2 {
		t.Errorf("unknown option: exit %d, want 2", code)
	}
	if !strings.Contains(f.stderr.String(), `unknown option "nosuch"`) {
		t.Errorf("stderr: %s", f.stderr.String())
	}
}

const smallDS = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: "registry.example/agent:%s", resources: {requests: {cpu: 10m, memory: 16Mi}}}]
`

// Ctrl-C cancels the command's context: a rollout stops and says it was
// interrupted, exit status 1.
func TestRolloutInterrupted(t *testing.T) {
	f := newFakeEnv()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f.ctx = ctx
	f.files["new.yaml"] = []byte(fmt.Sprintf(smallDS, "1.1"))
	if code := f.run("rollout", "-f", "new.yaml", "--cluster", "dev"); code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, f.stderr.String())
	}
	if got := f.stderr.String(); got != "daemonkit: interrupted\n" {
		t.Errorf("stderr %q", got)
	}
	if f.stdout.Len() != 0 {
		t.Errorf("printed a result:\n%s", f.stdout.String())
	}
}

func TestRolloutWithPlotAndEvents(t *testing.T) {
	f := newFakeEnv()
	f.files["old.yaml"] = []byte(fmt.Sprintf(smallDS, "1.0"))
	f.files["new.yaml"] = []byte(fmt.Sprintf(smallDS, "1.1"))
	code := f.run("rollout", "-f", "new.yaml", "--from", "old.yaml", "--cluster", "dev", "--startup", "5s",
		"--event", "t=3s taint worker-1 dedicated=x:NoExecute", "--plot", "out.svg")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, f.stderr.String())
	}
	goldentest.Check(t, "rollout/dev.txt", f.stdout.String())
	svg, ok := f.written["out.svg"]
	if !ok {
		t.Fatal("no plot written")
	}
	var doc struct {
		XMLName   xml.Name
		Polylines []struct {
			ID string `xml:"id,attr"`
		} `xml:"polyline"`
	}
	if err := xml.Unmarshal(svg, &doc); err != nil {
		t.Fatalf("plot is not well-formed: %v", err)
	}
	if doc.XMLName.Local != "svg" || len(doc.Polylines) < 4 {
		t.Errorf("plot lacks its series: %+v", doc)
	}
}

func TestRolloutJSONIsDeterministic(t *testing.T) {
	var outs []string
	for i := 0; i < 2; i++ {
		f := newFakeEnv()
		f.files["old.yaml"] = []byte(fmt.Sprintf(smallDS, "1.0"))
		f.files["new.yaml"] = []byte(fmt.Sprintf(smallDS, "1.1"))
		if code := f.run("rollout", "-f", "new.yaml", "--from", "old.yaml", "--cluster", "mixed", "--seed", "7", "-o", "json"); code != 0 {
			t.Fatalf("exit %d: %s", code, f.stderr.String())
		}
		outs = append(outs, f.stdout.String())
	}
	if outs[0] != outs[1] {
		t.Error("same inputs and seed gave different JSON")
	}
	goldentest.Check(t, "rollout/mixed-seed7.json", outs[0])
}

// TestBadInputs holds each bad input to the exact error line a user sees.
func TestBadInputs(t *testing.T) {
	ds := fmt.Sprintf(smallDS, "1.0")
	tests := []struct {
		name  string
		files map[string]string
		args  []string
		code  int
		want  string // first line of stderr
	}{
		{"no command", nil, nil, 2, "daemonkit: no command given"},
		{"unknown command", nil, []string{"frobnicate"}, 2, `daemonkit: unknown command "frobnicate"`},
		{"missing -f", nil, []string{"explain"}, 2, "daemonkit: no input file: give -f FILE (or -f - for standard input)"},
		{"missing file", nil, []string{"lint", "-f", "nope.yaml"}, 1, "daemonkit: nope.yaml: no such file or directory"},
		{"empty file", map[string]string{"e.yaml": ""}, []string{"lint", "-f", "e.yaml"}, 1, "daemonkit: e.yaml: the file is empty; expected YAML or JSON with at least one DaemonSet"},
		{"binary junk", map[string]string{"j.bin": "\x00\x01\x02\xff\xfe"}, []string{"lint", "-f", "j.bin"}, 1, "daemonkit: j.bin: document 1, line 1: not valid YAML or JSON:"},
		{"YAML bomb", map[string]string{"b.yaml": yamlBomb()}, []string{"lint", "-f", "b.yaml"}, 1, "daemonkit: b.yaml: document 1, line 1: not valid YAML or JSON: document contains excessive aliasing"},
		{"a Deployment", map[string]string{"d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"}, []string{"explain", "-f", "d.yaml"}, 1, "daemonkit: d.yaml: no DaemonSet found (found Deployment); expected an apps/v1 DaemonSet"},
		{"extensions/v1beta1", map[string]string{"x.yaml": strings.Replace(ds, "apps/v1", "extensions/v1beta1", 1)}, []string{"lint", "-f", "x.yaml"}, 1, "daemonkit: x.yaml: document 1, line 1: apiVersion: DaemonSet in extensions/v1beta1 is no longer served (removed in Kubernetes v1.16)"},
		{"apps/v1beta2", map[string]string{"x.yaml": strings.Replace(ds, "apps/v1", "apps/v1beta2", 1)}, []string{"lint", "-f", "x.yaml"}, 1, "daemonkit: x.yaml: document 1, line 1: apiVersion: DaemonSet in apps/v1beta2 is no longer served (removed in Kubernetes v1.16)"},
		{"negative startup", map[string]string{"d.yaml": ds}, []string{"rollout", "-f", "d.yaml", "--cluster", "dev", "--startup", "-5s"}, 2, "daemonkit: --startup -5s: expected a duration between 0s and 24h"},
		{"absurd max-time", map[string]string{"d.yaml": ds}, []string{"rollout", "-f", "d.yaml", "--cluster", "dev", "--max-time", "100000h"}, 2, "daemonkit: --max-time 100000h0m0s: expected a duration between 1s and 8784h0m0s"},
		{"not a duration", map[string]string{"d.yaml": ds}, []string{"rollout", "-f", "d.yaml", "--startup", "soon"}, 2, `daemonkit: rollout: invalid value "soon" for flag -startup: parse error`},
		{"broken unknown node", map[string]string{"d.yaml": ds}, []string{"rollout", "-f", "d.yaml", "--cluster", "dev", "--broken", "node-x"}, 2, `daemonkit: --broken: unknown node "node-x" (the cluster has 4 nodes)`},
		{"event unknown node", map[string]string{"d.yaml": ds}, []string{"rollout", "-f", "d.yaml", "--cluster", "dev", "--event", "t=1m cordon ghost"}, 2, `daemonkit: --event "t=1m cordon ghost": unknown node "ghost"`},
		{"event negative time", map[string]string{"d.yaml": ds}, []string{"rollout", "-f", "d.yaml", "--cluster", "dev", "--event", "t=-1m cordon worker-1"}, 2, `daemonkit: --event "t=-1m cordon worker-1": time "-1m": expected a duration between 0s and 8784h0m0s, e.g. 90s or 5m`},
		{"event bad taint", map[string]string{"d.yaml": ds}, []string{"rollout", "-f", "d.yaml", "--cluster", "dev", "--event", "t=1m taint worker-1 x=y:Sometimes"}, 2, `daemonkit: --event "t=1m taint worker-1 x=y:Sometimes": taint "x=y:Sometimes": expected KEY[=VALUE]:EFFECT with effect NoSchedule, PreferNoSchedule or NoExecute`},
		{"duplicate node names", map[string]string{"d.yaml": ds, "n.yaml": "apiVersion: v1\nkind: Node\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: a}\n"}, []string{"explain", "-f", "d.yaml", "--nodes", "n.yaml"}, 1, "daemonkit: load cluster: n.yaml: document 2 (line 5): duplicate node \"a\" (first at n.yaml: document 1 (line 1))"},
		{"both cluster inputs", map[string]string{"d.yaml": ds}, []string{"explain", "-f", "d.yaml", "--cluster", "dev", "--nodes", "n.yaml"}, 2, "daemonkit: give either --nodes or --cluster, not both"},
		{"unknown cluster", map[string]string{"d.yaml": ds}, []string{"explain", "-f", "d.yaml", "--cluster", "huge"}, 2, `daemonkit: --cluster: unknown cluster shape "huge"`},
		{"bad output format", map[string]string{"d.yaml": ds}, []string{"explain", "-f", "d.yaml", "-o", "xml"}, 2, `daemonkit: -o "xml": expected text, json or yaml`},
		{"1,000,000 nodes", map[string]string{"d.yaml": ds, "n.yaml": millionNodes()}, []string{"explain", "-f", "d.yaml", "--nodes", "n.yaml"}, 1, "daemonkit: load cluster: n.yaml: document 1, line 1: the list holds 1000000 items, more than 200000"},
		{"unknown preset", nil, []string{"preset", "nginx"}, 2, `daemonkit: preset: unknown preset "nginx" (known: calico-node, cilium, dcgm-exporter, flannel, fluent-bit, node-exporter)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeEnv()
			for k, v := range tc.files {
				f.files[k] = []byte(v)
			}
			code := f.run(tc.args...)
			first, _, _ := strings.Cut(f.stderr.String(), "\n")
			if code != tc.code || !strings.HasPrefix(first, tc.want) {
				t.Errorf("exit %d, stderr first line:\n  %s\nwant exit %d and a line starting with:\n  %s", code, first, tc.code, tc.want)
			}
			if strings.Contains(f.stderr.String(), "goroutine ") || strings.Contains(f.stderr.String(), "panic") {
				t.Errorf("stack trace on stderr:\n%s", f.stderr.String())
			}
		})
	}
}

func millionNodes() string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: NodeList\nitems:\n")
	for i := 0; i < 1_000_000; i++ {
		fmt.Fprintf(&b, "- metadata: {name: node-%07d}\n", i)
	}
	return b.String()
}

func yamlBomb() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 12; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	return b.String()
}

func TestHelp(t *testing.T) {
	for _, cmd := range []string{"explain", "rollout", "lint", "preset", "demo"} {
		f := newFakeEnv()
		if code := f.run("help", cmd); code != 0 {
			t.Errorf("help %s: exit %d", cmd, code)
		}
		if !strings.Contains(f.stdout.String(), "Usage: daemonkit "+cmd) {
			t.Errorf("help %s:\n%s", cmd, f.stdout.String())
		}
	}
}
