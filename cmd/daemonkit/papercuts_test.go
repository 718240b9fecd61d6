package main

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// A usage mistake is one line and a pointer to the command's help on
// stderr, exit 2, and nothing on stdout (which may be a pipe).
func TestUnknownFlagIsOneLineOnStderr(t *testing.T) {
	for _, cmd := range []string{"explain", "rollout", "lint", "preset", "demo", "apply", "version", "completion"} {
		f := newFakeEnv()
		if code := f.run(cmd, "--bogus"); code != 2 {
			t.Errorf("%s --bogus: exit %d, want 2", cmd, code)
		}
		if f.stdout.Len() != 0 {
			t.Errorf("%s --bogus: stdout %q, want nothing", cmd, f.stdout.String())
		}
		want := fmt.Sprintf("daemonkit: %s: flag provided but not defined: -bogus\nSee 'daemonkit %s -h'.\n", cmd, cmd)
		if f.stderr.String() != want {
			t.Errorf("%s --bogus: stderr %q, want %q", cmd, f.stderr.String(), want)
		}
	}
}

// help CMD and CMD -h print the usage once.
func TestHelpPrintsUsageOnce(t *testing.T) {
	for _, args := range [][]string{{"help", "lint"}, {"lint", "-h"}, {"rollout", "--help"}, {"apply", "-h"}} {
		f := newFakeEnv()
		if code := f.run(args...); code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
		if n := strings.Count(f.stdout.String(), "Usage: daemonkit"); n != 1 {
			t.Errorf("%v: usage printed %d times:\n%s", args, n, f.stdout.String())
		}
		if strings.Contains(f.stdout.String(), "-help") {
			t.Errorf("%v: lists -h/-help as flags:\n%s", args, f.stdout.String())
		}
	}
}

// apply writes, so its --kubeconfig is not described as read-only.
func TestApplyHelpDoesNotSayReadOnly(t *testing.T) {
	f := newFakeEnv()
	f.run("apply", "-h")
	if strings.Contains(f.stdout.String(), "read-only") {
		t.Errorf("apply -h says read-only:\n%s", f.stdout.String())
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		f := newFakeEnv()
		if code := f.run(args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, f.stderr.String())
		}
		if !strings.HasPrefix(f.stdout.String(), "daemonkit ") || !strings.Contains(f.stdout.String(), "models Kubernetes v1.37.2\n") {
			t.Errorf("%v:\n%s", args, f.stdout.String())
		}
	}
}

func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string][]string{
		"bash": {"complete -F _daemonkit daemonkit", "--nodes|-nodes) COMPREPLY=( $(compgen -f"},
		"zsh":  {"bashcompinit", "complete -F _daemonkit daemonkit"},
		"fish": {"-n '__fish_seen_subcommand_from rollout' -l nodes -r -F", "-n '__fish_seen_subcommand_from preset' -a '"},
	} {
		f := newFakeEnv()
		if code := f.run("completion", shell); code != 0 {
			t.Fatalf("%s: exit %d: %s", shell, code, f.stderr.String())
		}
		for _, w := range want {
			if !strings.Contains(f.stdout.String(), w) {
				t.Errorf("completion %s: no %q in\n%s", shell, w, f.stdout.String())
			}
		}
	}
	f := newFakeEnv()
	if code := f.run("completion", "tcsh"); code != 2 {
		t.Errorf("completion tcsh: exit %d, want 2", code)
	}
}

// Plots are SVG; another extension is refused before anything runs.
func TestPlotRefusesOtherThanSVG(t *testing.T) {
	for _, args := range [][]string{
		{"rollout", "-f", manifests + "/kube-flannel.yaml", "--plot", "x.png"},
		{"demo", "--plot", "demo.PNG"},
	} {
		f := newFakeEnv()
		if code := f.run(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if !strings.Contains(f.stderr.String(), "SVG only") {
			t.Errorf("%v: %s", args, f.stderr.String())
		}
		if len(f.written) != 0 {
			t.Errorf("%v wrote %v", args, f.written)
		}
	}
}

func TestDemoClusterSizeAsTheUsageShows(t *testing.T) {
	f := newFakeEnv()
	f.run("demo", "-h")
	if !strings.Contains(f.stdout.String(), "--cluster-size 5000") {
		t.Fatalf("usage changed:\n%s", f.stdout.String())
	}
	f = newFakeEnv()
	if code := f.run("demo", "--cluster-size", "5000", "--plot", ""); code != 0 {
		t.Fatalf("demo --cluster-size 5000: exit %d: %s", code, f.stderr.String())
	}
	if code := f.run("demo", "--cluster-size", "6000"); code != 2 {
		t.Errorf("demo --cluster-size 6000: exit %d, want 2", code)
	}
}

func TestNoColor(t *testing.T) {
	f := newFakeEnv()
	e := f.testEnv()
	e.stdoutTTY = true
	if code := run(e, []string{"explain", "-f", manifests + "/kube-flannel.yaml", "--cluster", "dev"}); code != 0 {
		t.Fatal(f.stderr.String())
	}
	if !strings.Contains(f.stdout.String(), "\x1b[") {
		t.Fatalf("no colour on a terminal:\n%s", f.stdout.String())
	}
	f = newFakeEnv()
	e = f.testEnv()
	e.stdoutTTY, e.noColor = true, true
	if code := run(e, []string{"explain", "-f", manifests + "/kube-flannel.yaml", "--cluster", "dev"}); code != 0 {
		t.Fatal(f.stderr.String())
	}
	if strings.Contains(f.stdout.String(), "\x1b[") {
		t.Errorf("colour with NO_COLOR:\n%q", f.stdout.String())
	}
}

func TestApplyPlainConnectionErrors(t *testing.T) {
	_, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{}, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err == nil {
		t.Fatal("an empty kubeconfig loaded")
	}
	got := plainConfigError(fmt.Errorf("kubeconfig: %w", err)).Error()
	if !strings.HasPrefix(got, "no kubeconfig: ") || strings.Contains(got, "KUBERNETES_MASTER") {
		t.Errorf("plainConfigError = %q", got)
	}
	other := errors.New("context \"x\" does not exist")
	if plainConfigError(other) != other {
		t.Errorf("plainConfigError changed %v", other)
	}

	srv := httptest.NewServer(nil)
	host := srv.URL
	srv.Close()
	err = checkReachable(&rest.Config{Host: host})
	if err == nil || err.Error() != "cannot reach the cluster at "+host+": connect: connection refused" {
		t.Errorf("checkReachable on a closed port: %v", err)
	}
}
