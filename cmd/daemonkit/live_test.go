package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/live"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// --kubeconfig/--context read the live cluster with the reader, describe
// it, keep its DaemonSets and warnings, and conflict with --nodes/--cluster.
func TestLiveFlagsLoadTheCluster(t *testing.T) {
	var lf liveFlags
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	lf.register(fs)
	if lf.active() {
		t.Fatal("active before any flag")
	}
	if err := fs.Parse([]string{"--kubeconfig", "/home/me/.kube/config", "--context", "prod"}); err != nil {
		t.Fatal(err)
	}
	var got [2]string
	lf.req = live.Request{AllDaemonSets: true}
	lf.reader = func(_ context.Context, kc, ctx string, req live.Request) (*live.Snapshot, error) {
		got = [2]string{kc, ctx}
		if !req.AllDaemonSets || req.Progress != nil {
			t.Errorf("request %+v; want the command's, and no progress off a terminal", req)
		}
		cl, err := simulate.NewCluster([]*corev1.Node{{ObjectMeta: metav1.ObjectMeta{Name: "n1"}}}, nil)
		return &live.Snapshot{Cluster: cl, DaemonSets: []*appsv1.DaemonSet{{ObjectMeta: metav1.ObjectMeta{Name: "agent"}}},
			Warnings: []live.Warning{{Code: live.OtherPodsForbidden, Message: "m"}}}, err
	}
	e := &env{stderr: io.Discard}
	cl, where, err := lf.loadCluster(e, false)
	if err != nil {
		t.Fatal(err)
	}
	if got != [2]string{"/home/me/.kube/config", "prod"} || cl.NumNodes() != 1 {
		t.Errorf("reader got %v, %d nodes", got, cl.NumNodes())
	}
	if where != "live cluster /home/me/.kube/config, context prod (1 nodes, 0 pods)" {
		t.Errorf("where = %q", where)
	}
	if len(lf.daemonSets()) != 1 || len(lf.warnings) != 1 {
		t.Errorf("daemonSets() = %v, warnings %v", lf.daemonSets(), lf.warnings)
	}
	var ue usageError
	if _, _, err := lf.loadCluster(e, true); !errors.As(err, &ue) {
		t.Errorf("with --nodes too: %v; want a usage error", err)
	}
}

// Reader errors and empty clusters are errors that say what was read; a
// forbidden read the answer cannot do without points to --print-rbac.
func TestLiveFlagsErrors(t *testing.T) {
	lf := liveFlags{kubeContext: "staging", command: "explain", reader: func(context.Context, string, string, live.Request) (*live.Snapshot, error) {
		return nil, errors.New(`context "staging" does not exist`)
	}}
	e := &env{stderr: io.Discard}
	if _, _, err := lf.loadCluster(e, false); err == nil || !strings.Contains(err.Error(), `reading the live cluster: context "staging" does not exist`) {
		t.Errorf("got %v", err)
	}
	lf.reader = func(context.Context, string, string, live.Request) (*live.Snapshot, error) {
		cl, err := simulate.NewCluster(nil, nil)
		return &live.Snapshot{Cluster: cl}, err
	}
	if _, _, err := lf.loadCluster(e, false); err == nil || !strings.Contains(err.Error(), "default kubeconfig, context staging: the cluster has no nodes") {
		t.Errorf("got %v", err)
	}
	lf.reader = func(context.Context, string, string, live.Request) (*live.Snapshot, error) {
		return nil, &live.ForbiddenError{Access: live.Access{Verb: "list", Resource: "nodes"}, Reason: "no role grants it"}
	}
	if _, _, err := lf.loadCluster(e, false); err == nil || err.Error() != "reading the live cluster: cannot list nodes: no role grants it\n'daemonkit explain --print-rbac' prints the ClusterRole it needs" {
		t.Errorf("got %v", err)
	}
}

// explain on a live cluster without -f explains the DaemonSets running
// there, or the one --name picks.
func TestLiveDaemonSetsPicksByName(t *testing.T) {
	mk := func(ns, name string) *appsv1.DaemonSet {
		return &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	}
	all := []*appsv1.DaemonSet{mk("kube-system", "cilium"), mk("logging", "agent"), mk("monitoring", "agent")}
	names := func(dss []*appsv1.DaemonSet) (out []string) {
		for _, ds := range dss {
			out = append(out, ds.Namespace+"/"+ds.Name)
		}
		return out
	}
	for _, tc := range []struct {
		name, want, err string
	}{
		{name: "", want: "kube-system/cilium logging/agent monitoring/agent"},
		{name: "cilium", want: "kube-system/cilium"},
		{name: "monitoring/agent", want: "monitoring/agent"},
		{name: "agent", err: `--name "agent": 2 DaemonSets have that name (logging/agent, monitoring/agent); give namespace/name`},
		{name: "kube-system/agent", err: `prod: no DaemonSet "kube-system/agent" (it has kube-system/cilium, logging/agent, monitoring/agent)`},
	} {
		got, err := liveDaemonSets(all, tc.name, "prod")
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || strings.Join(names(got), " ") != tc.want {
			t.Errorf("%q: %v, %v; want %s", tc.name, names(got), err, tc.want)
		}
	}
	if _, err := liveDaemonSets(nil, "", "prod"); err == nil || err.Error() != "prod: the cluster has no DaemonSets; give one with -f" {
		t.Errorf("empty cluster: %v", err)
	}
	// a get by namespace/name that found nothing
	if _, err := liveDaemonSets(nil, "team-x/agent", "prod"); err == nil || err.Error() != `prod: no DaemonSet "team-x/agent" in the cluster` {
		t.Errorf("not found: %v", err)
	}
}
