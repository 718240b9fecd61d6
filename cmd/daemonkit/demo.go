package main

import (
	"bytes"
	"fmt"
	"time"

	"github.com/daemonkit/daemonkit/builder"
	"github.com/daemonkit/daemonkit/presets"
	"github.com/daemonkit/daemonkit/simulate"
	appsv1 "k8s.io/api/apps/v1"
)

const demoUsage = "[--plot FILE.svg] [--cluster-size 5000|65000]"

// runDemo is the main job with no input: build the presets, explain them on
// the built-in mixed cluster, then simulate a Cilium upgrade on a large
// cluster and plot it.
func runDemo(e *env, args []string) error {
	fs := newFlags(e, "demo", demoUsage)
	plot := fs.String("plot", "daemonkit-demo-rollout.svg", "where to write the rollout chart (`FILE.svg`; empty: no chart)")
	size := fs.String("cluster-size", "5000", "nodes of the rollout cluster: 5000 (or 5k) or 65000 (or 65k)")
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	shape := map[string]string{"5k": "large-5k", "5000": "large-5k", "65k": "large-65k", "65000": "large-65k"}[*size]
	if shape == "" {
		return usagef("--cluster-size %q: expected 5000 or 65000 (5k, 65k)", *size)
	}
	if err := svgName("--plot", *plot); err != nil {
		return err
	}

	// 1. Build every preset.
	fmt.Fprintln(e.stdout, "== 1. Production presets, built and checked")
	var dss []*appsv1.DaemonSet
	for _, p := range presets.Catalog() {
		ds, err := p.Builder().Build()
		if err != nil {
			return fmt.Errorf("preset %s: %w", p.Name, err)
		}
		r := lint(ds, nil)
		counts := map[string]int{}
		for _, f := range r.Findings {
			counts[f.Severity]++
		}
		fmt.Fprintf(e.stdout, "  %-16s pod security %-10s  %d validation errors, lint: %d error, %d warning, %d info\n",
			p.Name, r.PodSecurity.Level, len(r.Validation), counts["error"], counts["warning"], counts["info"])
		dss = append(dss, ds)
	}

	// 2. Explain them together on the mixed cluster.
	fmt.Fprintln(e.stdout)
	fmt.Fprintln(e.stdout, "== 2. Where they run on the built-in mixed cluster")
	mixed, err := simulate.ShapeByName("mixed", 1)
	if err != nil {
		return err
	}
	rep, err := explain(mixed, fmt.Sprintf("built-in cluster \"mixed\" (seed 1, %d nodes)", mixed.NumNodes()), dss, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "  %s\n", rep.Cluster)
	for _, x := range rep.DaemonSets {
		fmt.Fprintf(e.stdout, "  %-16s desired %2d  runs %2d  pending %2d  excluded %2d", x.Name, x.Status.DesiredNumberScheduled, x.Runs, x.Pending, x.Excluded)
		for _, g := range x.groups {
			if g.state != "Runs" {
				fmt.Fprintf(e.stdout, "\n      %s on %d node(s): %s", g.state, len(g.nodes), orDash(g.why))
				break
			}
		}
		fmt.Fprintln(e.stdout)
		for _, t := range x.Traps {
			fmt.Fprintf(e.stdout, "      ! %s: %s\n", t.Kind, t.Message)
		}
	}

	// 3. A Cilium upgrade on a large cluster.
	fmt.Fprintln(e.stdout)
	fmt.Fprintf(e.stdout, "== 3. Upgrading Cilium on the built-in %s cluster\n", shape)
	large, err := simulate.ShapeByName(shape, 1)
	if err != nil {
		return err
	}
	old, err := presets.Cilium(presets.CiliumOptions{}).Build()
	if err != nil {
		return err
	}
	next, err := presets.Cilium(presets.CiliumOptions{}).
		UpdateContainer("cilium-agent", builder.Image("quay.io/cilium/cilium:v1.19.4")).Build()
	if err != nil {
		return err
	}
	sc := simulate.Scenario{Cluster: large, From: old, To: next,
		Kubelet: simulate.KubeletModel{Startup: 20 * time.Second, SchedulerStage: true},
		Limits:  simulate.Limits{MaxTime: 7 * 24 * time.Hour}}
	res, err := simulateWithProgress(e, sc)
	if err != nil {
		return err
	}
	renderRollout(e.stdout, res, sc, fmt.Sprintf("built-in cluster %q (seed 1, %d nodes)", shape, large.NumNodes()), "", nil, "")
	if *plot != "" {
		var b bytes.Buffer
		if err := simulate.WriteSVG(&b, res, simulate.PlotOptions{Title: "Cilium v1.19.3 → v1.19.4 on " + shape}); err != nil {
			return err
		}
		if err := e.writeFile(*plot, b.Bytes()); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\nPlot written to %s\n", *plot)
	}
	return nil
}
