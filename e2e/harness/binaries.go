package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Versions are the pinned versions of the binaries the harness runs.
type Versions struct {
	Kubernetes, Etcd, KWOK string
}

// PinnedVersions are the versions daemonkit's fidelity contract names.
var PinnedVersions = Versions{Kubernetes: "v1.37.2", Etcd: "v3.7.0", KWOK: "v0.8.0"}

// key names the cache directory of one set of versions.
func (v Versions) key() string {
	return fmt.Sprintf("k8s-%s-etcd-%s-kwok-%s", v.Kubernetes, v.Etcd, v.KWOK)
}

// Binary names.
const (
	Etcd                  = "etcd"
	KubeAPIServer         = "kube-apiserver"
	KubeControllerManager = "kube-controller-manager"
	KubeScheduler         = "kube-scheduler"
	KWOK                  = "kwok"
)

var allBinaries = []string{Etcd, KubeAPIServer, KubeControllerManager, KubeScheduler, KWOK}

// CacheRoot is where binaries are cached: $DAEMONKIT_E2E_CACHE, else
// $XDG_CACHE_HOME/daemonkit-e2e, else ~/.cache/daemonkit-e2e.
func CacheRoot() (string, error) {
	if d := os.Getenv("DAEMONKIT_E2E_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory: %w (set DAEMONKIT_E2E_CACHE)", err)
	}
	return filepath.Join(d, "daemonkit-e2e"), nil
}

// BinDir is the directory the binaries of v live in under root.
func BinDir(root string, v Versions) string { return filepath.Join(root, v.key(), "bin") }

// Missing lists the binaries not yet built in dir.
func Missing(dir string) []string {
	var out []string
	for _, b := range allBinaries {
		if st, err := os.Stat(filepath.Join(dir, b)); err != nil || st.Mode()&0o111 == 0 {
			out = append(out, b)
		}
	}
	return out
}

// ErrBuild wraps every failure to build the binaries; tests skip (loudly)
// only on this error.
var ErrBuild = errors.New("cannot build the control-plane binaries")

// EnsureBinaries returns the directory holding the pinned binaries, building
// the missing ones with build-binaries.sh (next to this module's go.mod)
// into CacheRoot. The build log goes to log. Building everything takes about
// 9 minutes on 2 cores and 3 GiB of memory; later calls return at once.
func EnsureBinaries(ctx context.Context, log *os.File) (string, error) {
	root, err := CacheRoot()
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBuild, err)
	}
	dir := BinDir(root, PinnedVersions)
	if len(Missing(dir)) == 0 {
		return dir, nil
	}
	script, err := buildScript()
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBuild, err)
	}
	if _, err := exec.LookPath("go"); err != nil {
		return "", fmt.Errorf("%w: no go command on PATH", ErrBuild)
	}
	cmd := exec.CommandContext(ctx, "bash", script, root)
	cmd.Env = append(os.Environ(),
		"K8S_VERSION="+PinnedVersions.Kubernetes,
		"ETCD_VERSION="+PinnedVersions.Etcd,
		"KWOK_VERSION="+PinnedVersions.KWOK)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%w: %s %s: %v (log: %s)", ErrBuild, script, root, err, log.Name())
	}
	if m := Missing(dir); len(m) > 0 {
		return "", fmt.Errorf("%w: still missing after the build: %s", ErrBuild, strings.Join(m, ", "))
	}
	return dir, nil
}

// buildScript finds build-binaries.sh at the root of the e2e module.
func buildScript() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot locate the harness source")
	}
	p := filepath.Join(filepath.Dir(filepath.Dir(file)), "build-binaries.sh")
	if _, err := os.Stat(p); err != nil {
		return "", err
	}
	return p, nil
}
