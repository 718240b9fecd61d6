package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/live"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// liveTimeout bounds every conversation with a live cluster.
const liveTimeout = 2 * time.Minute

// liveReader reads a live cluster; live.Read unless a test replaces it.
type liveReader func(ctx context.Context, kubeconfig, kubeContext string, req live.Request) (*live.Snapshot, error)

// liveFlags are the live-cluster inputs, --kubeconfig and --context, taken
// wherever --nodes is: the cluster is read (never written) with client-go,
// only what the command's answer needs (live.Request).
type liveFlags struct {
	kubeconfig  string
	kubeContext string
	printRBAC   bool
	// command is the command the flags belong to, for hints.
	command string
	// req is what the command needs from the cluster; set before loadCluster.
	req live.Request
	// reader reads the cluster (nil: live.Read).
	reader liveReader
	// dss are the DaemonSets read with the cluster by loadCluster.
	dss []*appsv1.DaemonSet
	// warnings say what the cluster did not let loadCluster read.
	warnings []live.Warning
	// readAt is when loadCluster finished reading the cluster.
	readAt time.Time
}

func (l *liveFlags) register(fs *flag.FlagSet) {
	l.command = fs.Name()
	fs.StringVar(&l.kubeconfig, "kubeconfig", "", "read nodes and pods from the live cluster of this kubeconfig `FILE` (read-only; instead of --nodes)")
	fs.StringVar(&l.kubeContext, "context", "", "kubeconfig context `NAME` of the live cluster (default: the current context)")
	fs.BoolVar(&l.printRBAC, "print-rbac", false, "print the minimal ClusterRole the command needs on a live cluster, and exit")
}

// active says whether a live cluster was asked for.
func (l *liveFlags) active() bool { return l.kubeconfig != "" || l.kubeContext != "" }

// loadCluster reads what l.req asks for from the live cluster. conflicting
// says whether --nodes or --cluster were given too, which is a usage error.
// A progress line goes to stderr while a big list is read, if stderr is a
// terminal.
func (l *liveFlags) loadCluster(e *env, conflicting bool) (*simulate.Cluster, string, error) {
	if conflicting {
		return nil, "", usagef("give either --kubeconfig/--context or --nodes/--cluster, not both")
	}
	read := l.reader
	if read == nil {
		read = live.Read
	}
	ctx, cancel := context.WithTimeout(e.context(), liveTimeout)
	defer cancel()
	req := l.req
	if e.stderrTTY {
		req.Progress = func(p live.Progress) { showProgress(e.stderr, p) }
	}
	snap, err := read(ctx, l.kubeconfig, l.kubeContext, req)
	if err != nil {
		var fe *live.ForbiddenError
		if errors.As(err, &fe) {
			return nil, "", fmt.Errorf("reading the live cluster: %w\n'daemonkit %s --print-rbac' prints the ClusterRole it needs", err, l.command)
		}
		return nil, "", fmt.Errorf("reading the live cluster: %w", err)
	}
	cl := snap.Cluster
	if cl.NumNodes() == 0 {
		return nil, "", fmt.Errorf("%s: the cluster has no nodes", l.describe())
	}
	l.dss, l.warnings = snap.DaemonSets, snap.Warnings
	l.readAt = time.Now()
	return cl, fmt.Sprintf("live cluster %s (%d nodes, %d pods)", l.describe(), cl.NumNodes(), len(cl.Pods())), nil
}

// showProgress keeps one line on a terminal up to date while a list spans
// pages, and clears it when the list is read.
func showProgress(w io.Writer, p live.Progress) {
	if p.Done {
		fmt.Fprint(w, "\r\x1b[K")
		return
	}
	if p.Total > 0 {
		fmt.Fprintf(w, "\r\x1b[Kreading %s: %d of %d", p.List, p.Read, p.Total)
		return
	}
	fmt.Fprintf(w, "\r\x1b[Kreading %s: %d", p.List, p.Read)
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

// renderWarnings prints what the live cluster did not let daemonkit read,
// once each, and where to find the role that reads all of it.
func renderWarnings(w io.Writer, ws []live.Warning, command string) {
	for _, x := range ws {
		fmt.Fprintf(w, "  ! %s\n", x.Message)
	}
	if len(ws) > 0 {
		fmt.Fprintf(w, "    ('daemonkit %s --print-rbac' prints the ClusterRole that reads all of it)\n", command)
	}
}

// printRBAC prints role as YAML after a comment saying what it is for.
func printRBAC(w io.Writer, role runtime.Object, comment string) error {
	out, err := daemonset.EncodeYAML(role)
	if err != nil {
		return err
	}
	fmt.Fprint(w, comment)
	_, err = w.Write(out)
	return err
}

// readRoleComment heads the ClusterRole of a read-only command.
func readRoleComment(command string) string {
	return fmt.Sprintf(`# The minimal ClusterRole for 'daemonkit %[1]s --kubeconfig ...': read-only
# (get and list; no watch, no writes, no Secrets or ConfigMaps). daemonkit
# also creates SelfSubjectAccessReviews to check these up front; every
# authenticated user may, and they change nothing. Without a rule it still
# answers and says what it could not read. Bind it, for example:
#   kubectl create clusterrolebinding daemonkit-%[1]s --clusterrole=daemonkit-%[1]s --serviceaccount=NAMESPACE:NAME
`, command)
}
