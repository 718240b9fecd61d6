// CNI rollout what-if: will this Cilium upgrade stall on our 5,000 nodes, and
// how long will it take? The program replays the DaemonSet controller on a
// virtual clock for three update strategies, on a healthy cluster and on one
// where three nodes never get a Ready agent, and prints a table a change
// review can use.
//
//	go run ./examples/cni-rollout-what-if
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"text/tabwriter"
	"time"

	"github.com/daemonkit/daemonkit/builder"
	"github.com/daemonkit/daemonkit/presets"
	"github.com/daemonkit/daemonkit/simulate"
)

func main() {
	cluster, err := simulate.LargeCluster(simulate.Large5K, 1)
	if err != nil {
		log.Fatal(err)
	}
	running, err := presets.Cilium(presets.CiliumOptions{}).Build()
	if err != nil {
		log.Fatal(err)
	}
	strategies := []struct {
		name  string
		apply func(*builder.DaemonSet) *builder.DaemonSet
	}{
		{"chart default (maxUnavailable 2)", func(b *builder.DaemonSet) *builder.DaemonSet { return b }},
		{"maxUnavailable 10%", func(b *builder.DaemonSet) *builder.DaemonSet { return b.RollingUpdate(builder.Percent(10)) }},
		{"maxSurge 5% (host ports!)", func(b *builder.DaemonSet) *builder.DaemonSet { return b.Surge(builder.Percent(5)) }},
	}
	nodes := cluster.Nodes()
	broken := []string{nodes[100].Name, nodes[2000].Name, nodes[4000].Name}

	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STRATEGY\tBROKEN NODES\tALL UPDATED\tALL AVAILABLE\tMIN AVAILABLE\tSTUCK\tWHY")
	for _, st := range strategies {
		next, err := st.apply(presets.Cilium(presets.CiliumOptions{})).
			UpdateContainer("cilium-agent", builder.Image("quay.io/cilium/cilium:v1.19.4")).Build()
		if err != nil {
			log.Fatal(err)
		}
		for _, b := range [][]string{nil, broken} {
			res, err := simulate.Rollout(context.Background(), simulate.Scenario{
				Cluster: cluster, From: running, To: next,
				Kubelet: simulate.KubeletModel{Startup: 30 * time.Second, Broken: b},
				Limits:  simulate.Limits{MaxTime: 3 * 24 * time.Hour},
			})
			if err != nil {
				log.Fatal(err)
			}
			s := res.Summary
			why := "-"
			if s.Stuck && len(s.Blocking) > 0 {
				why = fmt.Sprintf("%s on %d node(s), e.g. %s", s.Blocking[0].Cause, len(s.Blocking), s.Blocking[0].Node)
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%v\t%s\n", st.name, len(b), when(s.AllUpdated), when(s.AllAvailable), s.MinAvailable, s.Stuck, why)
		}
	}
	tw.Flush()
}

func when(d *time.Duration) string {
	if d == nil {
		return "never"
	}
	return d.String()
}
