package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// One picker for files and live clusters: a bare name that two DaemonSets
// share is refused with the candidates (files used to take the first).
func TestPickDaemonSet(t *testing.T) {
	mk := func(ns, name string) *appsv1.DaemonSet {
		return &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	}
	two := []*appsv1.DaemonSet{mk("logging", "agent"), mk("monitoring", "agent")}
	for _, tc := range []struct {
		dss        []*appsv1.DaemonSet
		name, want string
		err        string
		usageError bool
	}{
		{dss: two[:1], want: "logging/agent"},
		{dss: two[:1], name: "agent", want: "logging/agent"},
		{dss: two, name: "monitoring/agent", want: "monitoring/agent"},
		{dss: two, name: "agent", usageError: true,
			err: `--name "agent": 2 DaemonSets have that name (logging/agent, monitoring/agent); give namespace/name`},
		{dss: two, usageError: true, err: `f.yaml holds 2 DaemonSets (logging/agent, monitoring/agent); choose one with --name`},
		{dss: two, name: "other", err: `f.yaml: no DaemonSet "other" (it has logging/agent, monitoring/agent)`},
		{dss: two, name: "default/agent", err: `f.yaml: no DaemonSet "default/agent" (it has logging/agent, monitoring/agent)`},
	} {
		got, err := pickDaemonSet(tc.dss, "f.yaml", tc.name)
		if tc.err != "" {
			var ue usageError
			if err == nil || err.Error() != tc.err || errors.As(err, &ue) != tc.usageError {
				t.Errorf("%q: error %v, want %q (usage error %v)", tc.name, err, tc.err, tc.usageError)
			}
			continue
		}
		if err != nil || got.Namespace+"/"+got.Name != tc.want {
			t.Errorf("%q: %v, %v; want %s", tc.name, got, err, tc.want)
		}
	}
}

// rollout refuses an ambiguous --name in a file, exit status 2.
func TestRolloutRefusesAmbiguousName(t *testing.T) {
	f := newFakeEnv()
	one := fmt.Sprintf(smallDS, "1.1")
	f.files["two.yaml"] = []byte(one + "---\n" + strings.Replace(one, "namespace: default", "namespace: other", 1))
	if code := f.run("rollout", "-f", "two.yaml", "--name", "agent", "--cluster", "dev"); code != 2 {
		t.Fatalf("exit %d, want 2: %s", code, f.stderr.String())
	}
	if want := `--name "agent": 2 DaemonSets have that name (default/agent, other/agent); give namespace/name`; !strings.Contains(f.stderr.String(), want) {
		t.Errorf("stderr %q, want %q", f.stderr.String(), want)
	}
}

// -f repeats, takes directories (-R: recursively, .yaml/.yml/.json only)
// and - once; every DaemonSet found is linted and explained.
func TestManifestFilesAndDirectories(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ds := func(name string) string {
		return strings.Replace(fmt.Sprintf(smallDS, "1.0"), "name: agent", "name: "+name, 1)
	}
	a := write("a.yaml", ds("a"))
	write("b.yml", ds("b"))
	write("notes.txt", "not a manifest")
	write("sub/c.json", `{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"c","namespace":"default"},"spec":{"selector":{"matchLabels":{"app":"c"}},"template":{"metadata":{"labels":{"app":"c"}},"spec":{"containers":[{"name":"c","image":"c:1"}]}}}}`)
	names := func(out string) []string {
		var got []string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "DaemonSet ") {
				got = append(got, strings.Fields(l)[1])
			}
		}
		return got
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"-f", a, "-f", filepath.Join(dir, "b.yml")}, []string{"default/a", "default/b"}},
		{[]string{"-f", dir}, []string{"default/a", "default/b"}},
		{[]string{"-R", "-f", dir}, []string{"default/a", "default/b", "default/c"}},
		{[]string{"-f", "-", "-f", a}, []string{"default/stdin", "default/a"}},
	} {
		for _, cmd := range []string{"lint", "explain"} {
			f := newFakeEnv()
			f.stdin = ds("stdin")
			f.run(append([]string{cmd}, tc.args...)...)
			if got := names(f.stdout.String()); !slices.Equal(got, tc.want) {
				t.Errorf("%s %v: DaemonSets %v, want %v\n%s", cmd, tc.args, got, tc.want, f.stderr.String())
			}
		}
	}

	f := newFakeEnv()
	if code := f.run("explain", "-f", "-", "--nodes", "-"); code != 2 || !strings.Contains(f.stderr.String(), "can be read once") {
		t.Errorf("stdin twice: exit %d: %s", code, f.stderr.String())
	}
	f = newFakeEnv()
	if code := f.run("lint", "-f", a, "-f", dir); code != 1 || !strings.Contains(f.stderr.String(), "DaemonSet default/a is given twice") {
		t.Errorf("a DaemonSet twice: exit %d: %s", code, f.stderr.String())
	}
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	f = newFakeEnv()
	if code := f.run("lint", "-f", empty); code != 1 || !strings.Contains(f.stderr.String(), "holds no .yaml, .yml or .json file (-R reads its subdirectories)") {
		t.Errorf("empty dir: exit %d: %s", code, f.stderr.String())
	}
	// rollout needs one DaemonSet: --name picks it among the files
	f = newFakeEnv()
	if code := f.run("rollout", "-f", dir, "--cluster", "dev"); code != 2 || !strings.Contains(f.stderr.String(), "choose one with --name") {
		t.Errorf("rollout on two DaemonSets: exit %d: %s", code, f.stderr.String())
	}
	f = newFakeEnv()
	if code := f.run("rollout", "-f", dir, "--name", "b", "--cluster", "dev"); code != 0 || !strings.Contains(f.stdout.String(), "Rollout of default/b") {
		t.Errorf("rollout --name b: exit %d: %s", code, f.stderr.String())
	}
}
