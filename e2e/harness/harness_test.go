package harness

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"
)

// The stage file holds upstream's node and pod stages, each a KWOK Stage.
func TestWriteStagesHoldsNodeAndPodStages(t *testing.T) {
	p, err := writeStages(filepath.Join(t.TempDir(), "stages.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, doc := range strings.Split(string(data), "\n---\n") {
		doc = strings.TrimPrefix(doc, "---\n")
		var s struct {
			Kind     string
			Metadata struct{ Name string }
		}
		if err := yaml.Unmarshal([]byte(doc), &s); err != nil {
			t.Fatalf("stage document: %v\n%s", err, doc)
		}
		if s.Kind != "Stage" {
			t.Errorf("kind %q", s.Kind)
		}
		names = append(names, s.Metadata.Name)
	}
	for _, want := range []string{"node-initialize", "node-heartbeat-with-lease", "pod-create", "pod-ready", "pod-delete"} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("stage %s missing from %v", want, names)
		}
	}
}

// PodDelays fixes create and ready delays (delay = jitter) and sets the
// delete delay.
func TestPodDelaysFixesKWOKDelays(t *testing.T) {
	a := PodDelays(2*time.Second, 3*time.Second, 4*time.Second)
	want := map[string]string{
		"pod-create.stage.kwok.x-k8s.io/delay": "2s", "pod-create.stage.kwok.x-k8s.io/jitter-delay": "2s",
		"pod-ready.stage.kwok.x-k8s.io/delay": "3s", "pod-ready.stage.kwok.x-k8s.io/jitter-delay": "3s",
		"pod-delete.stage.kwok.x-k8s.io/delay": "4s",
	}
	if len(a) != len(want) {
		t.Errorf("got %v", a)
	}
	for k, v := range want {
		if a[k] != v {
			t.Errorf("%s = %q, want %q", k, a[k], v)
		}
	}
}

// The admin kubeconfig parses and selects context e2e.
func TestKubeconfigParses(t *testing.T) {
	cfg, err := clientcmd.Load([]byte(kubeconfig("https://127.0.0.1:6443", "tok")))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CurrentContext != "e2e" || cfg.AuthInfos["admin"].Token != "tok" || cfg.Clusters["e2e"].Server != "https://127.0.0.1:6443" {
		t.Errorf("%+v", cfg)
	}
}

// Missing names every binary not in the directory; the cache directory is
// keyed by the versions.
func TestBinariesCacheLayout(t *testing.T) {
	dir := t.TempDir()
	if got := Missing(dir); len(got) != 5 {
		t.Errorf("Missing(empty) = %v", got)
	}
	if err := os.WriteFile(filepath.Join(dir, Etcd), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := Missing(dir); len(got) != 4 || got[0] != KubeAPIServer {
		t.Errorf("Missing = %v", got)
	}
	t.Setenv("DAEMONKIT_E2E_CACHE", "/cache")
	root, err := CacheRoot()
	if err != nil || root != "/cache" {
		t.Fatalf("CacheRoot = %q, %v", root, err)
	}
	if got := BinDir(root, PinnedVersions); got != "/cache/k8s-v1.37.2-etcd-v3.7.0-kwok-v0.8.0/bin" {
		t.Errorf("BinDir = %s", got)
	}
}

func TestFreePortsAreDistinct(t *testing.T) {
	ps, err := freePorts(6)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ps {
		if seen[p] || p <= 0 {
			t.Errorf("ports %v", ps)
		}
		seen[p] = true
	}
}
