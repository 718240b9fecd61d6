package main

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const rolloutUsage = "-f NEW [--from OLD] [-R] [--name NAME] [--nodes FILE | --cluster NAME] [--startup 10s] [--broken NODES] [--event \"t=5m taint node-3 dedicated=x:NoExecute\" ...] [--seed N] [--plot FILE.svg] [-o text|json|yaml]"

func runRollout(e *env, args []string) error {
	fs := newFlags(e, "rollout", rolloutUsage)
	var mf manifestFlags
	mf.register(fs, "manifests with the new DaemonSet (--name picks one of several)")
	var from stringList
	fs.Var(&from, "from", "manifest `FILE` or directory with the DaemonSet as it runs now (repeatable); without it the DaemonSet is created at t=0")
	name := fs.String("name", "", "which DaemonSet, when a file holds several (`NAME` or namespace/name)")
	startup := fs.Duration("startup", 10*time.Second, "time from pod creation to Ready (image pull, start, readiness)")
	jitter := fs.Duration("startup-jitter", 0, "add up to this much to each node's startup time (drawn from --seed)")
	termination := fs.Duration("termination", 0, "graceful termination time of deleted pods (0: they vanish at once, the parity model)")
	var broken, crashloop stringList
	fs.Var(&broken, "broken", "`NODES` (comma-separated, repeatable) where pods never become Ready")
	fs.Var(&crashloop, "crashloop", "`NODES` (comma-separated, repeatable) where new pods crash-loop")
	scheduler := fs.Bool("scheduler", true, "pods that the scheduler cannot place (resources, host ports) stay Pending")
	var events stringList
	fs.Var(&events, "event", "scripted event \"t=DURATION ACTION NODE [ARG]\"; ACTION: taint, untaint, label, unlabel, notready, ready, cordon, uncordon, remove, add (repeatable)")
	seed := fs.Int64("seed", 0, "pick nodes in a random order drawn from this seed, as upstream's map order would (0: sorted node names)")
	plot := fs.String("plot", "", "write a chart of the rollout to `FILE.svg`")
	out := fs.String("o", "text", "output `format`: text, or json / yaml for the whole trace")
	maxTime := fs.Duration("max-time", 24*time.Hour, "stop simulating after this much simulated time")
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
	durations := map[string]time.Duration{"--startup": *startup, "--startup-jitter": *jitter, "--termination": *termination}
	for _, flagName := range slices.Sorted(maps.Keys(durations)) {
		if d := durations[flagName]; d < 0 || d > 24*time.Hour {
			return usagef("%s %v: expected a duration between 0s and 24h", flagName, d)
		}
	}
	if *maxTime <= 0 || *maxTime > simulate.MaxSimulatedTime {
		return usagef("--max-time %v: expected a duration between 1s and %v", *maxTime, simulate.MaxSimulatedTime)
	}
	cf.recursive = mf.recursive
	if err := stdinOnce(mf.files, from, cf.nodes); err != nil {
		return err
	}
	newFiles, err := inputFiles("-f", mf.files, mf.recursive)
	if err != nil {
		return err
	}
	fromFiles, err := inputFiles("--from", from, mf.recursive)
	if err != nil {
		return err
	}
	cluster, where, err := cf.load(e)
	if err != nil {
		return helpOK(err)
	}
	newDSs, _, err := loadDaemonSets(e, newFiles)
	if err != nil {
		return err
	}
	to, err := pickDaemonSet(newDSs, displayNames(newFiles), *name)
	if err != nil {
		return err
	}
	var old *appsv1.DaemonSet
	origin := ""
	if len(fromFiles) == 0 && cf.live.active() {
		// "simulate this update on my real nodes": the DaemonSet of that
		// name running in the cluster is the one being updated, and its
		// pods (which the snapshot holds) are where the rollout starts.
		for _, ds := range cf.live.daemonSets() {
			if ds.Namespace == to.Namespace && ds.Name == to.Name {
				old = ds.DeepCopy()
				pods := 0
				for _, p := range cluster.Pods {
					if ref := metav1.GetControllerOf(p); ref != nil && ref.UID == ds.UID && ds.UID != "" {
						pods++
					}
				}
				origin = fmt.Sprintf("from the DaemonSet running in the cluster (generation %d, %d pods)", ds.Generation, pods)
			}
		}
	}
	if len(fromFiles) > 0 {
		oldDSs, _, err := loadDaemonSets(e, fromFiles)
		if err != nil {
			return err
		}
		pick := *name
		if pick == "" && len(oldDSs) > 1 {
			pick = to.Namespace + "/" + to.Name
		}
		if old, err = pickDaemonSet(oldDSs, displayNames(fromFiles), pick); err != nil {
			return err
		}
	}
	nodeSet := map[string]bool{}
	for _, n := range cluster.Nodes {
		nodeSet[n.Name] = true
	}
	brokenNodes, err := nodeList("--broken", broken, nodeSet)
	if err != nil {
		return err
	}
	crashNodes, err := nodeList("--crashloop", crashloop, nodeSet)
	if err != nil {
		return err
	}
	var evs []simulate.Event
	if len(events) > 0 {
		if evs, err = simulate.ParseEvents(cluster, events...); err != nil {
			return usagef("--event %v", err)
		}
	}
	sc := simulate.Scenario{
		Cluster: cluster, From: old, To: to,
		Kubelet: simulate.KubeletModel{Startup: *startup, StartupJitter: *jitter, Broken: brokenNodes, CrashLoop: crashNodes,
			SchedulerStage: *scheduler, Termination: *termination},
		Events: evs,
		Limits: simulate.Limits{MaxTime: *maxTime},
	}
	if *seed != 0 {
		sc.Order = simulate.Order{Kind: simulate.OrderRandom, Seed: *seed}
	}
	// t=0 is when the cluster was read, so that the ages and Ready times of
	// its pods count as they were then.
	if cf.live.active() {
		sc.Start = cf.live.readAt
	} else if len(cluster.Pods) > 0 {
		sc.Start = cluster.LatestTimestamp()
	}
	res, err := simulateWithProgress(e, sc)
	if err != nil {
		return err
	}
	if *plot != "" {
		var b bytes.Buffer
		if err := simulate.WriteSVG(&b, res, simulate.PlotOptions{}); err != nil {
			return err
		}
		if err := e.writeFile(*plot, b.Bytes()); err != nil {
			return err
		}
	}
	switch *out {
	case "json", "yaml":
		return writeStructured(e.stdout, *out, traceOf(res, where))
	}
	renderRollout(e.stdout, res, sc, where, origin)
	if *plot != "" {
		fmt.Fprintf(e.stdout, "\nPlot written to %s\n", *plot)
	}
	return nil
}

// simulateWithProgress runs the engine, showing elapsed time on a terminal
// when it takes longer than a moment.
func simulateWithProgress(e *env, sc simulate.Scenario) (*simulate.Result, error) {
	done := make(chan struct{})
	var res *simulate.Result
	var err error
	go func() {
		defer close(done)
		res, err = simulate.Rollout(e.context(), sc)
	}()
	if !e.stderrTTY {
		<-done
		return res, err
	}
	start := time.Now()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	shown := false
	frames := []string{"|", "/", "-", "\\"}
	for i := 0; ; i++ {
		select {
		case <-done:
			if shown {
				fmt.Fprint(e.stderr, "\r\x1b[K")
			}
			return res, err
		case <-tick.C:
			if time.Since(start) < 500*time.Millisecond {
				continue
			}
			shown = true
			fmt.Fprintf(e.stderr, "\r%s simulating %d nodes… %.1fs", frames[i%len(frames)], len(sc.Cluster.Nodes), time.Since(start).Seconds())
		}
	}
}

// nodeList splits comma-separated node names and checks each exists.
func nodeList(flagName string, values stringList, nodes map[string]bool) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, n := range strings.Split(v, ",") {
			n = strings.TrimSpace(n)
			if n == "" {
				continue
			}
			if !nodes[n] {
				return nil, usagef("%s: unknown node %q (the cluster has %d nodes)", flagName, n, len(nodes))
			}
			out = append(out, n)
		}
	}
	return out, nil
}

// rolloutTrace is the -o json|yaml form of a rollout.
type rolloutTrace struct {
	Cluster   string           `json:"cluster"`
	DaemonSet string           `json:"daemonSet"`
	Summary   rolloutSummary   `json:"summary"`
	Steps     []rolloutStepOut `json:"steps"`
}

type rolloutSummary struct {
	EndSeconds            float64  `json:"endSeconds"`
	Reconciles            int      `json:"reconciles"`
	Creates               int      `json:"creates"`
	Deletes               int      `json:"deletes"`
	Truncated             bool     `json:"truncated,omitempty"`
	AllUpdatedSeconds     *float64 `json:"allUpdatedSeconds,omitempty"`
	AllAvailableSeconds   *float64 `json:"allAvailableSeconds,omitempty"`
	MinAvailable          int32    `json:"minAvailable"`
	MaxUnavailable        int32    `json:"maxUnavailable"`
	BudgetBreaches        []string `json:"budgetBreaches,omitempty"`
	Uncovered             []string `json:"uncovered,omitempty"`
	Stuck                 bool     `json:"stuck"`
	StuckSinceSeconds     *float64 `json:"stuckSinceSeconds,omitempty"`
	Blocking              []string `json:"blocking,omitempty"`
	KubectlRolloutDone    bool     `json:"kubectlRolloutStatusDone"`
	EveryNodeRunsNewReady bool     `json:"everyEligibleNodeRunsAvailableNewPod"`
}

type rolloutStepOut struct {
	TimeSeconds float64                `json:"t"`
	Reconcile   int                    `json:"reconcile"`
	Created     []string               `json:"created,omitempty"`
	Deleted     []string               `json:"deleted,omitempty"`
	Status      appsv1.DaemonSetStatus `json:"status"`
}

func secs(d time.Duration) float64 { return d.Seconds() }

func secsPtr(d *time.Duration) *float64 {
	if d == nil {
		return nil
	}
	s := d.Seconds()
	return &s
}

func traceOf(r *simulate.Result, where string) rolloutTrace {
	s := r.Summary
	out := rolloutTrace{Cluster: where, Summary: rolloutSummary{
		EndSeconds: secs(s.End), Reconciles: s.Reconciles, Creates: s.Creates, Deletes: s.Deletes, Truncated: s.Truncated,
		AllUpdatedSeconds: secsPtr(s.AllUpdated), AllAvailableSeconds: secsPtr(s.AllAvailable),
		MinAvailable: s.MinAvailable, MaxUnavailable: s.MaxUnavailable, Stuck: s.Stuck,
		KubectlRolloutDone: s.Done, EveryNodeRunsNewReady: s.TrulyDone,
	}}
	if r.DaemonSet != nil {
		out.DaemonSet = r.DaemonSet.Namespace + "/" + r.DaemonSet.Name
	}
	if s.Stuck {
		out.Summary.StuckSinceSeconds = secsPtr(&s.StuckSince)
	}
	for _, b := range s.Breaches {
		out.Summary.BudgetBreaches = append(out.Summary.BudgetBreaches, fmt.Sprintf("t=%v: %d unavailable > %d (%s)", b.Time, b.Unavailable, b.MaxUnavailable, b.Cause))
	}
	for _, n := range s.Uncovered {
		out.Summary.Uncovered = append(out.Summary.Uncovered, issueString(n))
	}
	for _, n := range s.Blocking {
		out.Summary.Blocking = append(out.Summary.Blocking, issueString(n))
	}
	for _, st := range r.Steps {
		out.Steps = append(out.Steps, rolloutStepOut{TimeSeconds: secs(st.Time), Reconcile: st.Reconcile, Created: st.Created, Deleted: st.Deleted, Status: st.Status})
	}
	return out
}

func issueString(n simulate.NodeIssue) string {
	s := n.Node + ": " + string(n.Cause)
	if n.Detail != "" {
		s += " (" + n.Detail + ")"
	}
	return s
}

// renderRollout prints the summary and a timeline for people.
// origin, when not empty, says where the rollout starts instead of the
// default wording.
func renderRollout(w io.Writer, r *simulate.Result, sc simulate.Scenario, where, origin string) {
	ds := sc.To
	s := r.Summary
	start := "from the running template"
	if sc.From == nil {
		start = "from the creation of the DaemonSet"
	}
	if origin != "" {
		start = origin
	}
	fmt.Fprintf(w, "Rollout of %s/%s %s\n", ds.Namespace, ds.Name, start)
	fmt.Fprintf(w, "  cluster:  %s\n", where)
	fmt.Fprintf(w, "  strategy: %s\n", strategyString(r.DaemonSet, lastDesired(r)))
	order := "sorted node names"
	if sc.Order.Kind == simulate.OrderRandom {
		order = fmt.Sprintf("random, seed %d", sc.Order.Seed)
	}
	fmt.Fprintf(w, "  model:    pods Ready %v after creation; %d broken, %d crash-looping nodes; deletions take %v; node order: %s\n",
		sc.Kubelet.Startup, len(sc.Kubelet.Broken), len(sc.Kubelet.CrashLoop), sc.Kubelet.Termination, order)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Summary")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  every desired node updated\t%s\n", durOrNever(s.AllUpdated))
	fmt.Fprintf(tw, "  every desired node available\t%s\n", durOrNever(s.AllAvailable))
	fmt.Fprintf(tw, "  lowest availability\t%s available (at %v)\n", pods(s.MinAvailable), s.MinAvailableAt)
	fmt.Fprintf(tw, "  highest unavailability\t%s unavailable (at %v)\n", pods(s.MaxUnavailable), s.MaxUnavailableAt)
	if len(s.Breaches) == 0 {
		fmt.Fprintf(tw, "  budget exceeded\tnever\n")
	} else {
		b := s.Breaches[0]
		fmt.Fprintf(tw, "  budget exceeded\t%d time(s); first at %v: %d unavailable > maxUnavailable %d (%s)\n", len(s.Breaches), b.Time, b.Unavailable, b.MaxUnavailable, b.Cause)
	}
	fmt.Fprintf(tw, "  reconciles\t%d (%d creates, %d deletes), simulated until %v\n", s.Reconciles, s.Creates, s.Deletes, s.End)
	fmt.Fprintf(tw, "  kubectl rollout status\t%s\n", yesNo(s.Done, "done", "not done"))
	fmt.Fprintf(tw, "  every eligible node runs an available new pod\t%s\n", yesNo(s.TrulyDone, "yes", "no"))
	if s.Stuck {
		fmt.Fprintf(tw, "  stuck\tyes, nothing has changed since %v\n", s.StuckSince)
	} else {
		fmt.Fprintf(tw, "  stuck\tno\n")
	}
	if s.Truncated {
		fmt.Fprintf(tw, "  truncated\tthe simulation stopped at its time or step limit (--max-time)\n")
	}
	tw.Flush()
	if len(s.Blocking) > 0 {
		fmt.Fprintf(w, "\nBlocking nodes (%d):\n", len(s.Blocking))
		for _, n := range firstIssues(s.Blocking, 10) {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	if len(s.Uncovered) > 0 {
		fmt.Fprintf(w, "\nNodes that end without an available new pod (%d):\n", len(s.Uncovered))
		for _, n := range firstIssues(s.Uncovered, 10) {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	renderTimeline(w, r)
}

func firstIssues(issues []simulate.NodeIssue, n int) []string {
	var out []string
	for i, is := range issues {
		if i == n {
			out = append(out, fmt.Sprintf("… and %d more", len(issues)-n))
			break
		}
		out = append(out, issueString(is))
	}
	return out
}

// renderTimeline prints the reconciles that acted; long ones are cut to the
// first and last rows.
func renderTimeline(w io.Writer, r *simulate.Result) {
	var acted []simulate.Step
	for _, st := range r.Steps {
		if len(st.Created) > 0 || len(st.Deleted) > 0 {
			acted = append(acted, st)
		}
	}
	fmt.Fprintf(w, "\nTimeline (%d reconciles acted)\n", len(acted))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  TIME\tCREATED\tDELETED\tDESIRED\tCURRENT\tUPDATED\tAVAILABLE\tUNAVAILABLE\t")
	row := func(st simulate.Step) {
		s := st.Status
		fmt.Fprintf(tw, "  %v\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", st.Time, len(st.Created), len(st.Deleted),
			s.DesiredNumberScheduled, s.CurrentNumberScheduled, s.UpdatedNumberScheduled, s.NumberAvailable, s.NumberUnavailable)
	}
	const head, tail = 12, 6
	for i, st := range acted {
		if len(acted) > head+tail && i == head {
			fmt.Fprintf(tw, "  …\t\t\t\t\t\t\t\t\n")
		}
		if len(acted) > head+tail && i >= head && i < len(acted)-tail {
			continue
		}
		row(st)
	}
	tw.Flush()
}

func lastDesired(r *simulate.Result) int {
	if n := len(r.Steps); n > 0 {
		return int(r.Steps[n-1].Status.DesiredNumberScheduled)
	}
	return 0
}

func strategyString(ds *appsv1.DaemonSet, desired int) string {
	if ds == nil {
		return "unknown"
	}
	d := ds.DeepCopy()
	daemonset.SetDefaults(d)
	st := d.Spec.UpdateStrategy
	if st.Type == appsv1.OnDeleteDaemonSetStrategyType {
		return "OnDelete (pods are replaced only when something deletes them)"
	}
	ru := st.RollingUpdate
	b, err := daemonset.UpdateBudget(d, desired)
	if err != nil || ru == nil {
		return fmt.Sprintf("RollingUpdate (invalid budget: %v)", err)
	}
	var parts []string
	if ru.MaxSurge != nil && b.MaxSurge > 0 {
		parts = append(parts, fmt.Sprintf("maxSurge %s (= %d of %d desired)", ru.MaxSurge.String(), b.MaxSurge, desired))
	} else if ru.MaxUnavailable != nil {
		parts = append(parts, fmt.Sprintf("maxUnavailable %s (= %d of %d desired)", ru.MaxUnavailable.String(), b.MaxUnavailable, desired))
	}
	if d.Spec.MinReadySeconds > 0 {
		parts = append(parts, fmt.Sprintf("minReadySeconds %d", d.Spec.MinReadySeconds))
	}
	return "RollingUpdate " + strings.Join(parts, ", ")
}

func durOrNever(d *time.Duration) string {
	if d == nil {
		return "never (within the simulated time)"
	}
	return "after " + d.String()
}

func yesNo(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// pods renders a pod count: "1 pod", "30 pods".
func pods(n int32) string {
	if n == 1 {
		return "1 pod"
	}
	return fmt.Sprintf("%d pods", n)
}
