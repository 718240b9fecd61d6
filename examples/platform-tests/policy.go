package main

import (
	"fmt"

	"github.com/daemonkit/daemonkit/builder"
	"github.com/daemonkit/daemonkit/presets"
	"github.com/daemonkit/daemonkit/simulate"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// Our platform's policy for the log agent: it must be wanted on every Linux
// node, whatever taints the node carries — a node whose logs are not
// collected is a node nobody can debug.

// chartDefaultAgent is fluent-bit as its chart ships it.
func chartDefaultAgent() *builder.DaemonSet {
	return presets.FluentBit(presets.FluentBitOptions{})
}

// platformAgent is our variant: it tolerates every taint, which is what the
// policy needs, and says so.
func platformAgent() *builder.DaemonSet {
	return presets.FluentBit(presets.FluentBitOptions{}).TolerateAll()
}

// checkCoverage returns an error naming the first Linux node of cluster on
// which the DaemonSet controller would not want the agent.
func checkCoverage(ds *appsv1.DaemonSet, cluster *simulate.Cluster) error {
	p, err := simulate.Place(cluster, ds)
	if err != nil {
		return err
	}
	nodes := cluster.Nodes()
	for i, n := range p.DaemonSets[0].Nodes {
		node := nodes[i]
		if node.Labels[corev1.LabelOSStable] != "linux" {
			continue
		}
		if !n.Decision.ShouldRun {
			return fmt.Errorf("linux node %s gets no log agent: %v", n.Node, n.Decision.Reasons)
		}
	}
	return nil
}
