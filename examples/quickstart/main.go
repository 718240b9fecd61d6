// Quickstart: build a node agent with the builder, then ask where it would
// run on a built-in production-like cluster and why it would not run on the
// other nodes — the two jobs of daemonkit in one page.
//
//	go run ./examples/quickstart
package main

import (
	"fmt"
	"log"
	"strings"

	"github.com/daemonkit/daemonkit/builder"
	"github.com/daemonkit/daemonkit/simulate"
)

func main() {
	// 1. Build: typed, validated as the API server would, every privilege justified.
	ds, err := builder.New("node-metrics").
		Namespace("monitoring").
		Container("agent", "example.com/node-metrics:1.4.2",
			builder.Port("metrics", 9100),
			builder.Requests("50m", "64Mi"),
			builder.Limits("", "128Mi"),
			builder.Readiness(builder.HTTPGet("/healthz", builder.PortName("metrics"))),
			builder.HostPath("proc", "/proc", "/host/proc"),
			builder.ReadOnlyRootFilesystem(),
			builder.DropAllCapabilities()).
		HostPID("reads per-process metrics from the node's /proc").
		NodeSelector("kubernetes.io/os", "linux").
		TolerateControlPlane().
		RollingUpdate(builder.Percent(10)).
		Build()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("built DaemonSet %s/%s\n\n", ds.Namespace, ds.Name)

	// 2. Predict: the controller stage (which nodes get a pod) and the
	// scheduler stage (which of those pods can actually start).
	cluster, err := simulate.MixedCluster(1)
	if err != nil {
		log.Fatal(err)
	}
	placement, err := simulate.Place(cluster, ds)
	if err != nil {
		log.Fatal(err)
	}
	p := placement.DaemonSets[0]
	st := p.Status()
	fmt.Printf("on %d nodes: desired %d, would run %d, Pending %d\n\n",
		cluster.NumNodes(), st.DesiredNumberScheduled, p.Counts().Runs, p.Counts().Pending)
	for _, n := range p.Nodes {
		if n.State == simulate.Runs {
			continue
		}
		var why []string
		for _, r := range n.Decision.Reasons {
			why = append(why, r.String())
		}
		for _, r := range n.Pending {
			why = append(why, r.String())
		}
		fmt.Printf("  %-14s %-8s %s\n", n.Node, n.State, strings.Join(why, "; "))
	}
	for _, t := range placement.Traps {
		fmt.Printf("\n! %s\n", t)
	}
}
