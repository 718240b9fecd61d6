package main

import (
	"strings"
	"testing"

	"github.com/daemonkit/daemonkit/internal/goldentest"
	"github.com/daemonkit/daemonkit/presets"
)

// --set help lists every option and setting with its default and meaning.
func TestPresetSetHelp(t *testing.T) {
	for _, name := range []string{"calico-node", "fluent-bit"} {
		f := newFakeEnv()
		if code := f.run("preset", name, "--set", "help"); code != 0 {
			t.Fatalf("exit %d: %s", code, f.stderr.String())
		}
		goldentest.Check(t, "preset/"+name+"-help.txt", f.stdout.String())
		for _, k := range presets.SettingKeys() {
			if !strings.Contains(f.stdout.String(), "\n  "+k.Key+"=") {
				t.Errorf("%s: --set help does not list %s", name, k.Key)
			}
		}
	}
}

// Every preset, with every setting the CLI takes, still lints with no
// error or warning, and the settings are in the output.
func TestPresetSetCommonSettings(t *testing.T) {
	for _, p := range presets.Catalog() {
		f := newFakeEnv()
		code := f.run("preset", p.Name, "--no-companions",
			"--set", "nodeSelector=kubernetes.io/os=linux,pool=infra",
			"--set", "tolerations=:NoSchedule,dedicated=infra:NoExecute",
			"--set", "resources.requests.cpu=150m", "--set", "resources.requests.memory=200Mi",
			"--set", "resources.limits.cpu=2", "--set", "resources.limits.memory=1Gi",
			"--set", "maxUnavailable=10%", "--set", "priorityClassName=system-node-critical",
			"--set", "image=registry.example/agent:1.0")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", p.Name, code, f.stderr.String())
		}
		out := f.stdout.String()
		for _, want := range []string{"pool: infra", "key: dedicated", "cpu: 150m", "memory: 1Gi", "maxUnavailable: 10%",
			"priorityClassName: system-node-critical", "image: registry.example/agent:1.0"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q", p.Name, want)
			}
		}
		g := newFakeEnv()
		g.files["p.yaml"] = f.stdout.Bytes()
		if code := g.run("lint", "-f", "p.yaml", "--fail-on", "warning"); code != 0 {
			t.Errorf("%s: lint --fail-on warning: exit %d\n%s%s", p.Name, code, g.stdout.String(), g.stderr.String())
		}
	}
	f := newFakeEnv()
	if code := f.run("preset", "fluent-bit", "--set", "tolerations=a:Never"); code != 2 || !strings.Contains(f.stderr.String(), `effect "Never"`) {
		t.Errorf("bad toleration: exit %d: %s", code, f.stderr.String())
	}
}

// Presets in kube-system print no Namespace object.
func TestPresetNoSystemNamespaceObject(t *testing.T) {
	for _, name := range []string{"calico-node", "cilium"} {
		f := newFakeEnv()
		if code := f.run("preset", name); code != 0 {
			t.Fatalf("exit %d: %s", code, f.stderr.String())
		}
		if strings.Contains(f.stdout.String(), "kind: Namespace") {
			t.Errorf("%s prints a Namespace", name)
		}
	}
}
