package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/daemonkit/daemonkit/simulate"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// --kubeconfig/--context read the live cluster with the loader, describe
// it, keep its DaemonSets, and conflict with --nodes/--cluster.
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
	lf.loader = func(_ context.Context, kc, ctx string) (*simulate.Cluster, []*appsv1.DaemonSet, error) {
		got = [2]string{kc, ctx}
		cl, err := simulate.NewCluster([]*corev1.Node{{ObjectMeta: metav1.ObjectMeta{Name: "n1"}}}, nil)
		return cl, []*appsv1.DaemonSet{{ObjectMeta: metav1.ObjectMeta{Name: "agent"}}}, err
	}
	cl, where, err := lf.loadCluster(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if got != [2]string{"/home/me/.kube/config", "prod"} || cl.NumNodes() != 1 {
		t.Errorf("loader got %v, %d nodes", got, cl.NumNodes())
	}
	if where != "live cluster /home/me/.kube/config, context prod (1 nodes, 0 pods)" {
		t.Errorf("where = %q", where)
	}
	if len(lf.daemonSets()) != 1 {
		t.Errorf("daemonSets() = %v", lf.daemonSets())
	}
	var ue usageError
	if _, _, err := lf.loadCluster(context.Background(), true); !errors.As(err, &ue) {
		t.Errorf("with --nodes too: %v; want a usage error", err)
	}
}

// Loader errors and empty clusters are errors that say what was read.
func TestLiveFlagsErrors(t *testing.T) {
	lf := liveFlags{kubeContext: "staging", loader: func(context.Context, string, string) (*simulate.Cluster, []*appsv1.DaemonSet, error) {
		return nil, nil, errors.New(`context "staging" does not exist`)
	}}
	if _, _, err := lf.loadCluster(context.Background(), false); err == nil || !strings.Contains(err.Error(), `reading the live cluster: context "staging" does not exist`) {
		t.Errorf("got %v", err)
	}
	lf.loader = func(context.Context, string, string) (*simulate.Cluster, []*appsv1.DaemonSet, error) {
		cl, err := simulate.NewCluster(nil, nil)
		return cl, nil, err
	}
	if _, _, err := lf.loadCluster(context.Background(), false); err == nil || !strings.Contains(err.Error(), "default kubeconfig, context staging: the cluster has no nodes") {
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
}
