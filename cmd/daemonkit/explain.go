package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/live"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// explainReport is what `explain` prints, for people or as JSON/YAML
// (kind Explanation, docs/json-schema.md).
type explainReport struct {
	envelope
	Cluster string `json:"cluster"`
	// Warnings say what a live cluster did not let daemonkit read and what
	// the answer lacks for it.
	Warnings   []live.Warning `json:"warnings,omitempty"`
	DaemonSets []dsExplain    `json:"daemonSets"`
	Traps      []trapReport   `json:"traps,omitempty"`
	// Failed lists the --fail-on conditions that held (exit status 1).
	Failed []string `json:"failedConditions,omitempty"`
	// dump says the cluster is a dump or a live cluster (text output).
	dump bool
	// placement is what the report says, for --plot.
	placement *simulate.Placement
}

type dsExplain struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Source    string `json:"source,omitempty"`
	// Status is the status the DaemonSet controller would report
	// (simulate.DaemonSetPlacement.Status).
	Status   appsv1.DaemonSetStatus `json:"status"`
	Runs     int                    `json:"runs"`
	Pending  int                    `json:"pending"`
	Excluded int                    `json:"excluded"`
	// Claimed counts the cluster's pods of the DaemonSet (replaced by the
	// placed ones: they are its pods as they run now).
	Claimed claimedOut `json:"claimedPods"`
	// Refused: nodes where the controller's create fails because the API
	// server's Priority admission refuses the pod (refusal in Reasons).
	Refused  int               `json:"refused,omitempty"`
	Requests map[string]string `json:"podRequests,omitempty"`
	// Overhead is what the bound daemon pods take over all nodes
	// (simulate.DaemonSetPlacement.Overhead); Pending pods take no room.
	Overhead map[string]string   `json:"overhead,omitempty"`
	Nodes    []nodeExplain       `json:"nodes"`
	Traps    []trapReport        `json:"traps,omitempty"`
	Invalid  []validationError   `json:"validationErrors,omitempty"`
	groups   []explainGroup      // for text output
	stateOf  map[string][]string // state -> nodes, for text output
}

type nodeExplain struct {
	Node  string `json:"node"`
	State string `json:"state"`
	// ShouldRun and ShouldContinueRunning are the controller's verdict
	// (upstream NodeShouldRunDaemonPod): a node excluded for a new pod may
	// keep a running one (an untolerated NoSchedule taint).
	ShouldRun             bool        `json:"shouldRun"`
	ShouldContinueRunning bool        `json:"shouldContinueRunning"`
	Reasons               []reasonOut `json:"reasons,omitempty"`
	// Preempts are the lower-priority pods ("namespace/name") the scheduler
	// evicts so that the daemon pod runs here.
	Preempts []string `json:"preempts,omitempty"`
	// PreemptsViolatingPDBs: how many of Preempts are evicted against a
	// PodDisruptionBudget.
	PreemptsViolatingPDBs int `json:"preemptsViolatingPDBs,omitempty"`
}

type trapReport struct {
	Kind      string   `json:"kind"`
	DaemonSet string   `json:"daemonSet,omitempty"`
	Message   string   `json:"message"`
	Nodes     []string `json:"nodes,omitempty"`
	// Victims are, for a Preemption trap, the pods evicted on each node.
	Victims []preemptionVictims `json:"victims,omitempty"`
}

type preemptionVictims struct {
	Node string   `json:"node"`
	Pods []string `json:"pods"`
	// PDBViolations: how many of Pods are evicted against a
	// PodDisruptionBudget.
	PDBViolations int `json:"pdbViolations,omitempty"`
}

// explainGroup is nodes sharing a state and the same reasons.
type explainGroup struct {
	state, why string
	nodes      []string
}

const explainUsage = "-f FILE|DIR [-f ...] [-R] [--nodes FILE | --cluster NAME | --kubeconfig FILE [--context NAME]] [-o text|json|yaml] [--wide] [--plot FILE.svg [--pool-label KEY]] [--fail-on rejected,pending,traps] [--print-rbac]\n" +
	"       daemonkit explain --kubeconfig FILE [--context NAME] [--name NS/NAME]   (the DaemonSets running in the cluster)"

func runExplain(e *env, args []string) error {
	fs := newFlags(e, "explain", explainUsage)
	var mf manifestFlags
	mf.register(fs, "manifests with one or more DaemonSets (other kinds are ignored)")
	out := fs.String("o", "text", "output `format`: text, json or yaml")
	wide := fs.Bool("wide", false, "one row per node (the default up to 20 nodes; larger clusters are grouped by state and reason)")
	plot := fs.String("plot", "", "write a picture of the cluster to `FILE.svg`: every node a cell coloured by state, grouped by pool, its reason in the tooltip")
	poolLabel := fs.String("pool-label", "", "with --plot: group nodes into pools by this node label `KEY` (comma-separated: the first a node carries; default "+strings.Join(simulate.DefaultPoolLabels(), ", ")+")")
	failOn := registerFailOn(fs, []string{"rejected"},
		"rejected: the API server would reject a DaemonSet",
		"pending: a daemon pod would stay Pending on some node",
		"traps: a trap is reported")
	name := fs.String("name", "", "with --kubeconfig and no -f: explain only this DaemonSet of the cluster (`NAME` or namespace/name)")
	var cf clusterFlags
	cf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if err := outputFormat(*out); err != nil {
		return err
	}
	if err := svgName("--plot", *plot); err != nil {
		return err
	}
	if *poolLabel != "" && *plot == "" {
		return usagef("--pool-label groups the nodes of --plot: give --plot FILE.svg too")
	}
	if cf.live.printRBAC {
		// every way explain reads: all DaemonSets, one by name, a file's
		req := live.Request{AllDaemonSets: true, DaemonSets: []string{"namespace/name"}, SchedulerStage: true}
		return printRBAC(e.stdout, req.ClusterRole("daemonkit-explain"), readRoleComment("explain"))
	}
	cf.recursive = mf.recursive
	if err := stdinOnce(mf.files, cf.nodes); err != nil {
		return err
	}
	if *name != "" && (len(mf.files) > 0 || !cf.live.active()) {
		return usagef("--name picks a DaemonSet of a live cluster: give it with --kubeconfig/--context and without -f")
	}
	var (
		dss  []*appsv1.DaemonSet
		objs *daemonset.Objects
		err  error
	)
	loadFiles := func() error {
		files, err := inputFiles("-f", mf.files, mf.recursive)
		if err != nil {
			return err
		}
		dss, objs, err = loadDaemonSets(e, files)
		return err
	}
	if cf.live.active() {
		// Read what the answer needs: the file's DaemonSets' own pods, or
		// the DaemonSets running there (all, or the one --name picks).
		if len(mf.files) > 0 {
			if err := loadFiles(); err != nil {
				return err
			}
			cf.live.req = live.Request{Templates: dss, SchedulerStage: true}
		} else {
			cf.live.req = live.Request{AllDaemonSets: *name == "", SchedulerStage: true, RequireDaemonSets: true}
			if *name != "" {
				cf.live.req.DaemonSets = []string{*name}
			}
		}
	}
	cluster, where, err := cf.load(e)
	if err != nil {
		return helpOK(err)
	}
	if len(mf.files) == 0 && cf.live.active() {
		// "explain my DaemonSet on my real cluster": the ones running there
		if dss, err = liveDaemonSets(cf.live.daemonSets(), *name, cf.live.describe()); err != nil {
			return err
		}
	} else if dss == nil {
		if err := loadFiles(); err != nil {
			return err
		}
	}
	if cluster, err = withManifestNamespaces(cluster, objs); err != nil {
		return err
	}
	rep, err := explain(cluster, where, dss, objs)
	if err != nil {
		return err
	}
	if *plot != "" {
		if err := writePlacementPlot(e, *plot, cluster, where, rep.placement, *poolLabel); err != nil {
			return err
		}
	}
	rep.Warnings = cf.live.warnings
	rep.dump = len(cf.nodes) > 0 && len(cluster.Pods()) > 0 || cf.live.active()
	fl := explainFailures(rep, failOn)
	rep.Failed = fl.names
	switch *out {
	case "json", "yaml":
		if err := writeStructured(e.stdout, *out, rep); err != nil {
			return err
		}
		return fl.err()
	}
	renderExplain(e.stdout, rep, *wide, e.color())
	if *plot != "" {
		fmt.Fprintf(e.stdout, "\nPlot written to %s\n", *plot)
	}
	return fl.err()
}

// writePlacementPlot draws the placement as --plot asks
// (simulate.WritePlacementSVG).
func writePlacementPlot(e *env, file string, cluster *simulate.Cluster, where string, pl *simulate.Placement, poolLabel string) error {
	opts := simulate.PlacementPlotOptions{Title: "placement on " + where}
	for _, k := range strings.Split(poolLabel, ",") {
		if k = strings.TrimSpace(k); k != "" {
			opts.PoolLabels = append(opts.PoolLabels, k)
		}
	}
	var b bytes.Buffer
	if err := simulate.WritePlacementSVG(&b, cluster, pl, opts); err != nil {
		return err
	}
	return e.writeFile(file, b.Bytes())
}

// explainFailures checks explain's --fail-on conditions.
func explainFailures(rep *explainReport, failOn *failOnFlag) failed {
	var rejected, pending, traps int
	traps = len(rep.Traps)
	for _, x := range rep.DaemonSets {
		if len(x.Invalid) > 0 {
			rejected++
		}
		pending += x.Pending
		traps += len(x.Traps)
	}
	var fl failed
	fl.check(failOn, "rejected", rejected, fmt.Sprintf("%d DaemonSet(s) the API server would reject", rejected))
	fl.check(failOn, "pending", pending, fmt.Sprintf("%d node(s) with a Pending daemon pod", pending))
	fl.check(failOn, "traps", traps, fmt.Sprintf("%d trap(s)", traps))
	return fl
}

// explain places every DaemonSet of a file together (they share the nodes'
// resources and host ports) and builds the report.
func explain(cluster *simulate.Cluster, where string, dss []*appsv1.DaemonSet, objs *daemonset.Objects) (*explainReport, error) {
	pl, err := simulate.Place(cluster, dss...)
	if err != nil {
		return nil, err
	}
	rep := &explainReport{envelope: newEnvelope("Explanation"), Cluster: where, placement: pl}
	for _, t := range pl.Traps {
		if t.DaemonSet == "" {
			rep.Traps = append(rep.Traps, trapOf(t))
		}
	}
	for i, d := range pl.DaemonSets {
		ds := dss[i]
		x := dsExplain{Namespace: ds.Namespace, Name: ds.Name, stateOf: map[string][]string{}}
		if objs != nil {
			if src, ok := objs.SourceOf(ds); ok {
				x.Source = src.String()
			}
		}
		x.Status = d.Status()
		c := d.Counts()
		x.Runs, x.Pending, x.Excluded, x.Refused = c.Runs, c.Pending, c.Excluded, c.Refused
		x.Claimed = claimedPods(cluster, ds)
		x.Requests = quantities(d.PodRequests, d.PodRequests)
		x.Overhead = quantities(d.Overhead().Total, d.PodRequests)
		groups := map[string]*explainGroup{}
		var victims []preemptionVictims
		for _, n := range d.Nodes {
			var reasons []reasonOut
			switch n.State {
			case simulate.Excluded:
				for _, r := range n.Decision.Reasons {
					reasons = append(reasons, controllerReason(r))
				}
			case simulate.Pending:
				for _, r := range n.Pending {
					reasons = append(reasons, schedulerReason(r))
				}
			case simulate.Refused:
				reasons = append(reasons, reasonOut{Code: string(simulate.TrapAdmissionRefused),
					Message: "the API server refuses the pod (Priority admission): " + d.Refused.Error()})
			case simulate.Runs:
				if n.NotReady != "" {
					// the pod runs but is not Ready, as rollout says
					reasons = append(reasons, reasonOut{Code: string(simulate.CausePodNeverReady), Message: n.NotReady})
				}
			}
			state := n.State.String()
			x.Nodes = append(x.Nodes, nodeExplain{Node: n.Node, State: state, Reasons: reasons, Preempts: n.Preempts,
				PreemptsViolatingPDBs: n.PreemptsViolatingPDBs,
				ShouldRun:             n.Decision.ShouldRun, ShouldContinueRunning: n.Decision.ShouldContinueRunning})
			if len(n.Preempts) > 0 {
				victims = append(victims, preemptionVictims{Node: n.Node, Pods: n.Preempts, PDBViolations: n.PreemptsViolatingPDBs})
			}
			why := reasonMessages(reasons)
			key := state + "\x00" + why
			g, ok := groups[key]
			if !ok {
				g = &explainGroup{state: state, why: why}
				groups[key] = g
			}
			g.nodes = append(g.nodes, n.Node)
		}
		for _, g := range groups {
			x.groups = append(x.groups, *g)
		}
		sort.Slice(x.groups, func(a, b int) bool {
			ga, gb := x.groups[a], x.groups[b]
			if stateRank(ga.state) != stateRank(gb.state) {
				return stateRank(ga.state) < stateRank(gb.state)
			}
			if len(ga.nodes) != len(gb.nodes) {
				return len(ga.nodes) > len(gb.nodes)
			}
			return ga.why < gb.why
		})
		for _, t := range pl.Traps {
			if t.DaemonSet == d.Key() {
				tr := trapOf(t)
				if t.Kind == simulate.TrapPreemption {
					tr.Victims = victims
				}
				x.Traps = append(x.Traps, tr)
			}
		}
		x.Invalid = validationErrors(daemonset.Validate(ds))
		rep.DaemonSets = append(rep.DaemonSets, x)
	}
	return rep, nil
}

func stateRank(s string) int {
	switch s {
	case simulate.Runs.String():
		return 0
	case simulate.Pending.String():
		return 1
	case simulate.Refused.String():
		return 2
	}
	return 3
}

func trapOf(t simulate.Trap) trapReport {
	return trapReport{Kind: string(t.Kind), DaemonSet: t.DaemonSet, Message: t.Message, Nodes: t.Nodes}
}

// quantities renders a resource list as strings by resource name, each in
// the format of the same resource in like (the pod's requests, as written),
// so that a total of "50Mi" requests reads "1950Mi", not "2044723200".
func quantities(rl, like corev1.ResourceList) map[string]string {
	if len(rl) == 0 {
		return nil
	}
	out := map[string]string{}
	for name, q := range rl {
		format := q.Format
		if l, ok := like[name]; ok {
			format = l.Format
		}
		shown := resource.NewQuantity(q.Value(), format)
		if name == corev1.ResourceCPU {
			shown = resource.NewMilliQuantity(q.MilliValue(), format)
		}
		out[string(name)] = shown.String()
	}
	return out
}

// renderExplain prints the report for people.
func renderExplain(w io.Writer, rep *explainReport, wide, color bool) {
	fmt.Fprintf(w, "Cluster: %s\n", rep.Cluster)
	renderWarnings(w, rep.Warnings, "explain")
	for _, t := range rep.Traps {
		fmt.Fprintf(w, "  ! %s: %s\n", t.Kind, t.Message)
	}
	for _, x := range rep.DaemonSets {
		fmt.Fprintln(w)
		title := fmt.Sprintf("DaemonSet %s/%s", x.Namespace, x.Name)
		if x.Source != "" {
			title += "  (" + x.Source + ")"
		}
		fmt.Fprintln(w, bold(title, color))
		s := x.Status
		fmt.Fprintf(w, "  status: desired %d  current %d  ready %d  available %d  unavailable %d  misscheduled %d\n",
			s.DesiredNumberScheduled, s.CurrentNumberScheduled, s.NumberReady, s.NumberAvailable, s.NumberUnavailable, s.NumberMisscheduled)
		fmt.Fprintf(w, "  nodes:  %d run a pod, %d get a pod that stays Pending, %d excluded by the controller\n", x.Runs, x.Pending, x.Excluded)
		if line := claimedLine(x.Claimed, rep.dump); line != "" {
			fmt.Fprintf(w, "  claimed: %s\n", line)
		}
		if x.Refused > 0 {
			fmt.Fprintf(w, "  refused: on %d nodes the controller's creates fail: the API server refuses the pod (see traps)\n", x.Refused)
		}
		switch {
		case len(x.Requests) > 0 && x.Runs > 0:
			pending := ""
			if x.Pending > 0 {
				pending = fmt.Sprintf(" (Pending pods take no room: %d)", x.Pending)
			}
			fmt.Fprintf(w, "  overhead: %s per node; %s on %d nodes%s\n", joinQuantities(x.Requests), joinQuantities(x.Overhead), x.Runs, pending)
		case len(x.Requests) > 0:
			fmt.Fprintf(w, "  overhead: %s per node; none yet, no daemon pod runs\n", joinQuantities(x.Requests))
		default:
			fmt.Fprintf(w, "  overhead: the daemon pod requests nothing (the scheduler cannot reserve room for it)\n")
		}
		for _, v := range x.Invalid {
			fmt.Fprintf(w, "  ! the API server would reject it: %s\n", v.Message)
		}
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		if wide || len(x.Nodes) <= 20 {
			fmt.Fprintln(tw, "  NODE\tSTATE\tWHY")
			for _, n := range x.Nodes {
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", n.Node, paint(n.State, color), orDash(reasonMessages(n.Reasons)))
			}
		} else {
			fmt.Fprintln(tw, "  STATE\tNODES\tEXAMPLES\tWHY")
			for _, g := range x.groups {
				fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\n", paint(g.state, color), len(g.nodes), examples(g.nodes, 3), orDash(g.why))
			}
		}
		tw.Flush()
		if len(x.Traps) > 0 {
			fmt.Fprintln(w)
			fmt.Fprintln(w, "  Traps:")
			for _, t := range x.Traps {
				fmt.Fprintf(w, "  ! %s: %s\n", t.Kind, t.Message)
				if len(t.Nodes) > 0 {
					fmt.Fprintf(w, "      nodes: %s\n", examples(t.Nodes, 5))
				}
				for i, v := range t.Victims {
					if i == 5 {
						fmt.Fprintf(w, "      … and %d more nodes\n", len(t.Victims)-5)
						break
					}
					fmt.Fprintf(w, "      %s evicts %s\n", v.Node, strings.Join(v.Pods, ", "))
				}
			}
		}
	}
}

// joinQuantities renders quantities for people, each short
// (simulate.ShortQuantity); -o json and yaml keep them exact.
func joinQuantities(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := m[k]
		if q, err := resource.ParseQuantity(v); err == nil {
			v = simulate.ShortQuantity(corev1.ResourceName(k), q)
		}
		parts[i] = k + " " + v
	}
	return strings.Join(parts, ", ")
}

func examples(nodes []string, n int) string {
	if len(nodes) <= n {
		return strings.Join(nodes, ", ")
	}
	return strings.Join(nodes[:n], ", ") + fmt.Sprintf(", … (+%d)", len(nodes)-n)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func paint(state string, color bool) string {
	if !color {
		return state
	}
	switch state {
	case "Runs":
		return "\x1b[32m" + state + "\x1b[0m"
	case "Pending":
		return "\x1b[33m" + state + "\x1b[0m"
	case "Excluded":
		return "\x1b[90m" + state + "\x1b[0m"
	}
	return state
}

func bold(s string, color bool) string {
	if !color {
		return s
	}
	return "\x1b[1m" + s + "\x1b[0m"
}

// helpOK turns a shown -h into success.
func helpOK(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

// liveDaemonSets returns the DaemonSets read from a live cluster, or the one
// named (see pickDaemonSet).
func liveDaemonSets(all []*appsv1.DaemonSet, name, where string) ([]*appsv1.DaemonSet, error) {
	switch {
	case len(all) == 0 && name != "":
		return nil, fmt.Errorf("%s: no DaemonSet %q in the cluster", where, name)
	case len(all) == 0:
		return nil, fmt.Errorf("%s: the cluster has no DaemonSets; give one with -f", where)
	}
	if name == "" {
		return all, nil
	}
	ds, err := pickDaemonSet(all, where, name)
	if err != nil {
		return nil, err
	}
	return []*appsv1.DaemonSet{ds}, nil
}
