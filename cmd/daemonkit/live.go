package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/live"
	appsv1 "k8s.io/api/apps/v1"
)

// liveTimeout bounds every conversation with a live cluster.
const liveTimeout = 2 * time.Minute

// liveLoader reads a live cluster; live.Load unless a test replaces it.
type liveLoader func(ctx context.Context, kubeconfig, kubeContext string) (*simulate.Cluster, []*appsv1.DaemonSet, error)

// liveFlags are the live-cluster inputs, --kubeconfig and --context, taken
// wherever --nodes is: the cluster is read (never written) with client-go.
type liveFlags struct {
	kubeconfig  string
	kubeContext string
	// loader reads the cluster (nil: live.Load).
	loader liveLoader
	// dss are the DaemonSets read with the cluster by loadCluster.
	dss []*appsv1.DaemonSet
	// readAt is when loadCluster finished reading the cluster.
	readAt time.Time
}

func (l *liveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.kubeconfig, "kubeconfig", "", "read nodes and pods from the live cluster of this kubeconfig `FILE` (read-only; instead of --nodes)")
	fs.StringVar(&l.kubeContext, "context", "", "kubeconfig context `NAME` of the live cluster (default: the current context)")
}

// active says whether a live cluster was asked for.
func (l *liveFlags) active() bool { return l.kubeconfig != "" || l.kubeContext != "" }

// loadCluster reads the live cluster. conflicting says whether --nodes or
// --cluster were given too, which is a usage error.
func (l *liveFlags) loadCluster(ctx context.Context, conflicting bool) (*simulate.Cluster, string, error) {
	if conflicting {
		return nil, "", usagef("give either --kubeconfig/--context or --nodes/--cluster, not both")
	}
	load := l.loader
	if load == nil {
		load = live.Load
	}
	ctx, cancel := context.WithTimeout(ctx, liveTimeout)
	defer cancel()
	cl, dss, err := load(ctx, l.kubeconfig, l.kubeContext)
	if err != nil {
		return nil, "", fmt.Errorf("reading the live cluster: %w", err)
	}
	if cl.NumNodes() == 0 {
		return nil, "", fmt.Errorf("%s: the cluster has no nodes", l.describe())
	}
	l.dss = dss
	l.readAt = time.Now()
	return cl, fmt.Sprintf("live cluster %s (%d nodes, %d pods)", l.describe(), cl.NumNodes(), len(cl.Pods())), nil
}

// daemonSets returns the DaemonSets loadCluster read with the cluster, so a
// command can explain or update one of them without a file.
func (l *liveFlags) daemonSets() []*appsv1.DaemonSet { return l.dss }

func (l *liveFlags) describe() string {
	s := l.kubeconfig
	if s == "" {
		s = "default kubeconfig"
	}
	if l.kubeContext != "" {
		s += ", context " + l.kubeContext
	}
	return s
}
