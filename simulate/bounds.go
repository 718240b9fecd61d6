package simulate

import (
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Resource bounds. daemonkit reads clusters and scenarios people paste from
// anywhere; these caps keep every simulation within a few hundred megabytes
// and a bounded number of steps whatever it is given. An input beyond a cap
// is refused with an error naming the cap (it is never silently cut), and a
// run that reaches a Limits cap ends with Summary.Truncated.
const (
	// MaxNodes is the most nodes a Cluster (NewCluster, LoadCluster,
	// NodePool.Build, BuildCluster, LargeCluster) or a rollout (the cluster's
	// nodes plus the nodes EventNodeAdd adds, and nodes only claimed pods
	// name) may hold: above the largest clusters Kubernetes providers run
	// (65,000 nodes).
	MaxNodes = 100_000

	// MaxPlacements is the most node × DaemonSet pairs one Place call
	// computes (its output holds one NodePlacement per pair): 20 DaemonSets
	// on MaxNodes nodes, or 400 on 5,000.
	MaxPlacements = 2_000_000

	// MaxEvents is the most scripted events (Scenario.Events) of a rollout.
	MaxEvents = 1_000_000

	// MaxChanges is the most template changes (Scenario.Changes) of a
	// rollout; each is a whole DaemonSet, defaulted and validated.
	MaxChanges = 10_000

	// MaxSimulatedTime is the largest Limits.MaxTime a rollout accepts.
	MaxSimulatedTime = 366 * 24 * time.Hour

	// MaxReconcileLimit is the largest Limits.MaxReconciles a rollout
	// accepts.
	MaxReconcileLimit = 100_000_000

	// MaxStepLimit is the largest Limits.MaxSteps a rollout accepts.
	MaxStepLimit = 10_000_000

	// MaxPodLimit is the largest Limits.MaxPods a rollout accepts.
	MaxPodLimit = 20_000_000

	// MaxPodsPerNode is the most daemon pods one node may hold at once in a
	// rollout; a run that gets there ends with Summary.Truncated. Upstream
	// piles failed pods up on a node on the surge path: while the failed
	// pods are in their backoff, podsShouldBeOnNode sees no running pod and
	// creates another one (daemon_controller.go "We are surging so we need to
	// have at least one non-deleted pod on the node"), one per startup time,
	// and deletes only one per backoff period (up to 15 min).
	MaxPodsPerNode = 1_000
)

// Defaults of the Limits fields.
const (
	defaultMaxTime       = 30 * 24 * time.Hour
	defaultMaxReconciles = 10_000_000
	defaultMaxSteps      = 1_000_000
	defaultMaxPods       = 2_000_000
)

// errTooManyNodes is the error of a node list longer than MaxNodes.
func errTooManyNodes(p *field.Path, n int) *field.Error {
	return field.TooMany(p, n, MaxNodes)
}

// checkLimits validates s.Limits against the documented maxima.
func checkLimits(p *field.Path, l Limits) field.ErrorList {
	var errs field.ErrorList
	check := func(name string, v, maxV int64, show string) {
		switch {
		case v < 0:
			errs = append(errs, field.Invalid(p.Child(name), show, "must not be negative"))
		case v > maxV:
			errs = append(errs, field.Invalid(p.Child(name), show, fmt.Sprintf("must be at most %s", fmtLimit(name, maxV))))
		}
	}
	check("maxTime", int64(l.MaxTime), int64(MaxSimulatedTime), l.MaxTime.String())
	check("maxReconciles", int64(l.MaxReconciles), MaxReconcileLimit, fmt.Sprint(l.MaxReconciles))
	check("maxSteps", int64(l.MaxSteps), MaxStepLimit, fmt.Sprint(l.MaxSteps))
	check("maxPods", int64(l.MaxPods), MaxPodLimit, fmt.Sprint(l.MaxPods))
	return errs
}

func fmtLimit(name string, v int64) string {
	if name == "maxTime" {
		return time.Duration(v).String()
	}
	return fmt.Sprint(v)
}
