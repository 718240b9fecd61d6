package main

import (
	"errors"
	"fmt"
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
