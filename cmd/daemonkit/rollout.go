package main

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/live"
	appsv1 "k8s.io/api/apps/v1"
)

const rolloutUsage = "-f NEW [-f ...] [--from OLD] [-R] [--name NAME] [--nodes FILE | --cluster NAME] [--startup 10s | --startup-model template] [--runs N] [--target 2h [--min-available 99%]] [--broken NODES] [--broken-all NODES] [--event \"t=5m taint node-3 dedicated=x:NoExecute\" ...] [--pod-gc 20s/40s/0s|off] [--seed N] [--plot FILE.svg] [-o text|json|yaml] [--fail-on LIST] [--kubeconfig FILE [--context NAME]] [--print-rbac]"

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
	var broken, crashloop, brokenAll, crashloopAll stringList
	fs.Var(&broken, "broken", "`NODES` (comma-separated, repeatable) where pods of the new template never become Ready; the pods running there keep running")
	fs.Var(&crashloop, "crashloop", "`NODES` (comma-separated, repeatable) where pods of the new template crash-loop; the pods running there keep running")
	fs.Var(&brokenAll, "broken-all", "`NODES` (comma-separated, repeatable) where no daemon pod becomes Ready, the running ones included")
	fs.Var(&crashloopAll, "crashloop-all", "`NODES` (comma-separated, repeatable) where every daemon pod crash-loops, the running ones included")
	scheduler := fs.Bool("scheduler", true, "pods that the scheduler cannot place (resources, host ports) stay Pending")
	var events stringList
	fs.Var(&events, "event", "scripted event \"t=DURATION ACTION NODE [ARG]\"; ACTION: taint, untaint, label, unlabel, notready, ready, cordon, uncordon, remove, add (repeatable). "+
		"\"add NODE [KEY=VALUE...]\" makes a node with only those labels (no capacity: nodes added by events take every pod), \"add NODE like=OTHER [KEY=VALUE...]\" a copy of node OTHER (labels, taints, capacity); "+
		"a removed node's name may be added again (a node replaced under the same name runs the pods still bound to it)")
	podGC := fs.String("pod-gc", "20s/40s/0s", "the pod garbage collector that deletes removed nodes' pods: `PERIOD/QUARANTINE[/OFFSET]` (runs every PERIOD from OFFSET, deletes a missing node's pods QUARANTINE after a run found it; kube-controller-manager's is 20s/40s), or off (they stay for ever)")
	seed := fs.Int64("seed", 0, "pick nodes in a random order drawn from this seed, as upstream's map order would (0: sorted node names)")
	plot := fs.String("plot", "", "write a chart of the rollout to `FILE.svg`")
	out := fs.String("o", "text", "output `format`: text, or json / yaml for the whole trace")
	maxTime := fs.Duration("max-time", 0, "stop simulating after this much simulated time (0: run to the end, within the simulator's cap of "+simulate.MaxSimulatedTime.String()+")")
	failOn := registerFailOn(fs, []string{"rejected"},
		"rejected: the API server would reject the new DaemonSet; nothing is simulated then, so this always exits 1",
		"stuck: the rollout comes to rest before every node runs an available new pod",
		"not-done: kubectl rollout status would not say done at the end",
		"budget: more nodes are unavailable than maxUnavailable allows at some point")
	var cf clusterFlags
	cf.register(fs)
	sf := registerSampleFlags(fs)
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
	if *maxTime < 0 || *maxTime > simulate.MaxSimulatedTime {
		return usagef("--max-time %v: expected a duration between 1s and %v (0: no cut)", *maxTime, simulate.MaxSimulatedTime)
	}
	if *maxTime == 0 {
		*maxTime = simulate.MaxSimulatedTime
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
	if cf.live.printRBAC {
		req := live.Request{DaemonSets: []string{"namespace/name"}, SchedulerStage: true}
		return printRBAC(e.stdout, req.ClusterRole("daemonkit-rollout"), readRoleComment("rollout"))
	}
	newDSs, newObjs, err := loadDaemonSets(e, newFiles)
	if err != nil {
		return err
	}
	to, err := pickDaemonSet(newDSs, displayNames(newFiles), *name)
	if err != nil {
		return err
	}
	if invalid := daemonset.Validate(to); len(invalid) > 0 {
		// nothing to simulate: the API server would not store it
		return fmt.Errorf("%s/%s: the API server would reject it, nothing to simulate:\n%s", to.Namespace, to.Name, invalid.ToAggregate().Error())
	}
	if cf.live.active() {
		// What the rollout needs: the DaemonSet of that name as it runs
		// (unless --from gives it), its own pods, and the other pods for
		// the scheduler stage.
		cf.live.req = live.Request{Templates: []*appsv1.DaemonSet{to}, SchedulerStage: *scheduler}
		if len(fromFiles) == 0 {
			cf.live.req.DaemonSets = []string{to.Namespace + "/" + to.Name}
		}
	}
	cluster, where, err := cf.load(e)
	if err != nil {
		return helpOK(err)
	}
	if cluster, err = withManifestNamespaces(cluster, newObjs); err != nil {
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
				for _, p := range cluster.Pods() {
					if daemonset.OwnsPod(ds, p) {
						pods++
					}
				}
				origin = fmt.Sprintf("from the DaemonSet running in the cluster (generation %d, %d pods)", ds.Generation, pods)
				for _, w := range cf.live.warnings {
					if w.Code == live.DaemonSetPodsForbidden {
						origin = fmt.Sprintf("from the DaemonSet running in the cluster (generation %d, its pods not readable)", ds.Generation)
					}
				}
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
	for _, n := range cluster.Nodes() {
		nodeSet[n.Name] = true
	}
	var faults [4][]string
	for k, f := range []struct {
		name   string
		values stringList
	}{{"--broken", broken}, {"--crashloop", crashloop}, {"--broken-all", brokenAll}, {"--crashloop-all", crashloopAll}} {
		if faults[k], err = nodeList(f.name, f.values, nodeSet); err != nil {
			return err
		}
	}
	gc, err := simulate.ParsePodGCModel(*podGC)
	if err != nil {
		return usagef("--pod-gc: %v", err)
	}
	var evs []simulate.Event
	if len(events) > 0 {
		if evs, err = simulate.ParseEvents(cluster, events...); err != nil {
			return usagef("--event %v", err)
		}
	}
	sc := simulate.Scenario{
		Cluster: cluster, From: old, To: to,
		Kubelet: simulate.KubeletModel{Startup: *startup, StartupJitter: *jitter, BrokenNew: faults[0], CrashLoopNew: faults[1],
			Broken: faults[2], CrashLoop: faults[3],
			SchedulerStage: *scheduler, Termination: *termination},
		Events: evs,
		PodGC:  gc,
		Limits: simulate.Limits{MaxTime: *maxTime},
	}
	if *seed != 0 {
		sc.Order = simulate.Order{Kind: simulate.OrderRandom, Seed: *seed}
	}
	if err := sf.apply(fs, &sc); err != nil {
		return err
	}
	// t=0 is when the cluster was read, so that the ages and Ready times of
	// its pods count as they were then.
	if cf.live.active() {
		sc.Start = cf.live.readAt
	} else if len(cluster.Pods()) > 0 {
		sc.Start = cluster.LatestTimestamp()
	}
	// The cluster's pods of the DaemonSet, claimed as the engine claims
	// them: by To carrying From's identity (simulate.Scenario.To).
	claimer := to
	if old != nil {
		claimer = to.DeepCopy()
		claimer.Name, claimer.Namespace, claimer.UID = old.Name, old.Namespace, old.UID
	}
	claimed := claimedPods(cluster, claimer)
	dump := len(cf.nodes) > 0 && len(cluster.Pods()) > 0 || cf.live.active()
	if sf.sampled() {
		return runSampled(e, sf, sc, where, origin, *plot, *out, claimed, dump, failOn)
	}
	res, err := simulateWithProgress(e, sc)
	if err != nil {
		return err
	}
	if *plot != "" {
		var b bytes.Buffer
		if err := simulate.WriteSVG(&b, res, simulate.PlotOptions{Events: evs}); err != nil {
			return err
		}
		if err := e.writeFile(*plot, b.Bytes()); err != nil {
			return err
		}
	}
	fl := rolloutFailures(res, failOn)
	switch *out {
	case "json", "yaml":
		tr := traceOf(res, where, evs, *maxTime)
		tr.Claimed = claimed
		tr.Warnings = cf.live.warnings
		tr.Failed = fl.names
		if err := writeStructured(e.stdout, *out, tr); err != nil {
			return err
		}
		return fl.err()
	}
	renderRollout(e.stdout, res, sc, where, origin, cf.live.warnings, claimedLine(claimed, dump))
	if *plot != "" {
		fmt.Fprintf(e.stdout, "\nPlot written to %s\n", *plot)
	}
	return fl.err()
}

// rolloutFailures checks rollout's --fail-on conditions (rejected is
// checked before the simulation).
func rolloutFailures(r *simulate.Result, failOn *failOnFlag) failed {
	s := r.Summary
	var fl failed
	fl.check(failOn, "stuck", boolCount(s.Stuck), fmt.Sprintf("stuck since %v on %d node(s)", s.StuckSince, len(s.Blocking)))
	fl.check(failOn, "not-done", boolCount(!s.Done), "kubectl rollout status would not say done")
	fl.check(failOn, "budget", len(s.Breaches), fmt.Sprintf("maxUnavailable exceeded %d time(s)", len(s.Breaches)))
	return fl
}

func boolCount(b bool) int {
	if b {
		return 1
	}
	return 0
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
			fmt.Fprintf(e.stderr, "\r%s simulating %d nodes… %.1fs", frames[i%len(frames)], sc.Cluster.NumNodes(), time.Since(start).Seconds())
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

// rolloutTrace is the -o json|yaml form of a rollout (kind RolloutTrace,
// docs/json-schema.md).
type rolloutTrace struct {
	envelope
	Cluster string `json:"cluster"`
	// Warnings say what a live cluster did not let daemonkit read and what
	// the prediction lacks for it.
	Warnings  []live.Warning `json:"warnings,omitempty"`
	DaemonSet string         `json:"daemonSet"`
	// Claimed counts the cluster's pods of the DaemonSet, where the rollout
	// starts from.
	Claimed claimedOut       `json:"claimedPods"`
	Summary rolloutSummary   `json:"summary"`
	Events  []eventOut       `json:"events,omitempty"`
	Steps   []rolloutStepOut `json:"steps"`
	// Failed lists the --fail-on conditions that held (exit status 1).
	Failed []string `json:"failedConditions,omitempty"`
}

type rolloutSummary struct {
	EndSeconds            float64         `json:"endSeconds"`
	Reconciles            int             `json:"reconciles"`
	Creates               int             `json:"creates"`
	Deletes               int             `json:"deletes"`
	FailedCreates         int             `json:"failedCreates,omitempty"`
	Truncated             bool            `json:"truncated,omitempty"`
	Cut                   *cutOut         `json:"cut,omitempty"`
	AllUpdatedSeconds     *float64        `json:"allUpdatedSeconds,omitempty"`
	AllAvailableSeconds   *float64        `json:"allAvailableSeconds,omitempty"`
	MinAvailable          int32           `json:"minAvailable"`
	MaxUnavailable        int32           `json:"maxUnavailable"`
	BudgetBreaches        []breachOut     `json:"budgetBreaches,omitempty"`
	ControllerErrors      []controllerErr `json:"controllerErrors,omitempty"`
	Orphans               []orphansOut    `json:"orphanedPods,omitempty"`
	Uncovered             []nodeIssueOut  `json:"uncovered,omitempty"`
	Stuck                 bool            `json:"stuck"`
	StuckSinceSeconds     *float64        `json:"stuckSinceSeconds,omitempty"`
	Blocking              []nodeIssueOut  `json:"blocking,omitempty"`
	KubectlRolloutDone    bool            `json:"kubectlRolloutStatusDone"`
	EveryNodeRunsNewReady bool            `json:"everyEligibleNodeRunsAvailableNewPod"`
}

// cutOut says how far a cut run got and when it would end at its pace.
type cutOut struct {
	// MaxTimeSeconds is the simulated-time limit in force.
	MaxTimeSeconds float64 `json:"maxTimeSeconds"`
	// Updated and Desired are the status counts at the cut.
	Updated int32 `json:"updated"`
	Desired int32 `json:"desired"`
	// ExtrapolatedEndSeconds is when every desired node would run the new
	// template at the update rate so far; absent when nothing was updated.
	ExtrapolatedEndSeconds *float64 `json:"extrapolatedEndSeconds,omitempty"`
}

type breachOut struct {
	TimeSeconds    float64 `json:"t"`
	Unavailable    int32   `json:"unavailable"`
	MaxUnavailable int32   `json:"maxUnavailable"`
	// Cause is why upstream let it happen (simulate.Cause).
	Cause string `json:"cause"`
}

type controllerErr struct {
	TimeSeconds float64 `json:"t"`
	Message     string  `json:"message"`
}

// orphansOut is what became of the pods a removed node left
// (simulate.OrphanedPods).
type orphansOut struct {
	Node           string   `json:"node"`
	RemovedSeconds float64  `json:"removedAt"`
	Pods           int      `json:"pods"`
	CollectedAt    *float64 `json:"collectedAt,omitempty"`
	// DeletedByController counts those the rolling update deleted itself.
	DeletedByController int  `json:"deletedByController,omitempty"`
	BlockedSurge        bool `json:"blockedSurge,omitempty"`
	// BackAt is when a node of that name was added again.
	BackAt    *float64 `json:"backAt,omitempty"`
	Remaining []string `json:"remaining,omitempty"`
}

// nodeIssueOut is a node and why it is not where the rollout wants it.
type nodeIssueOut struct {
	Node string `json:"node"`
	// Cause is a simulate.Cause: PodNeverReady, CrashLoopBackOff, Failed,
	// Pending, HostPortConflict, PodAntiAffinity, BudgetEatenByUnavailable, WaitingForTurn,
	// OldPodKept, Terminating, NoPod, Starting, OrphanedPod.
	Cause   string `json:"cause"`
	Message string `json:"message"`
}

// eventOut is a scripted event.
type eventOut struct {
	TimeSeconds float64 `json:"t"`
	Kind        string  `json:"kind"`
	Node        string  `json:"node"`
	// Text is the event as --event takes it.
	Text string `json:"text"`
}

type rolloutStepOut struct {
	TimeSeconds float64  `json:"t"`
	Reconcile   int      `json:"reconcile"`
	Created     []string `json:"created,omitempty"`
	Deleted     []string `json:"deleted,omitempty"`
	// FailedCreate are the nodes whose pod create the API server refused
	// (a FailedCreate event each), with the events' message.
	FailedCreate        []string `json:"failedCreate,omitempty"`
	FailedCreateMessage string   `json:"failedCreateMessage,omitempty"`
	// Evicted are the nodes whose pods the taint-eviction controller
	// deleted since the previous step.
	Evicted []string `json:"evicted,omitempty"`
	// Events are the scripted events since the previous step: what the
	// controller reacted to.
	Events []eventOut             `json:"events,omitempty"`
	Status appsv1.DaemonSetStatus `json:"status"`
}

func secs(d time.Duration) float64 { return d.Seconds() }

func secsPtr(d *time.Duration) *float64 {
	if d == nil {
		return nil
	}
	s := d.Seconds()
	return &s
}

func traceOf(r *simulate.Result, where string, evs []simulate.Event, maxTime time.Duration) rolloutTrace {
	s := r.Summary
	out := rolloutTrace{envelope: newEnvelope("RolloutTrace"), Cluster: where, Summary: rolloutSummary{
		EndSeconds: secs(s.End), Reconciles: s.Reconciles, Creates: s.Creates, Deletes: s.Deletes, FailedCreates: s.FailedCreates, Truncated: s.Truncated,
		AllUpdatedSeconds: secsPtr(s.AllUpdated), AllAvailableSeconds: secsPtr(s.AllAvailable),
		MinAvailable: s.MinAvailable, MaxUnavailable: s.MaxUnavailable, Stuck: s.Stuck,
		KubectlRolloutDone: s.Done, EveryNodeRunsNewReady: s.AllCurrentAndAvailable,
	}}
	if r.DaemonSet != nil {
		out.DaemonSet = r.DaemonSet.Namespace + "/" + r.DaemonSet.Name
	}
	if s.Stuck {
		out.Summary.StuckSinceSeconds = secsPtr(&s.StuckSince)
	}
	if s.Truncated {
		c := cutOf(r, maxTime)
		out.Summary.Cut = &cutOut{MaxTimeSeconds: secs(maxTime), Updated: c.updated, Desired: c.desired, ExtrapolatedEndSeconds: secsPtr(c.end)}
	}
	for _, b := range s.Breaches {
		out.Summary.BudgetBreaches = append(out.Summary.BudgetBreaches, breachOut{TimeSeconds: secs(b.Time), Unavailable: b.Unavailable, MaxUnavailable: b.MaxUnavailable, Cause: string(b.Cause)})
	}
	for _, ce := range s.Errors {
		out.Summary.ControllerErrors = append(out.Summary.ControllerErrors, controllerErr{TimeSeconds: secs(ce.Time), Message: ce.Message})
	}
	for _, o := range s.Orphans {
		out.Summary.Orphans = append(out.Summary.Orphans, orphansOut{Node: o.Node, RemovedSeconds: secs(o.Removed), Pods: o.Pods,
			CollectedAt: secsPtr(o.CollectedAt), DeletedByController: o.DeletedByController, BlockedSurge: o.BlockedSurge,
			BackAt: secsPtr(o.BackAt), Remaining: o.Remaining})
	}
	for _, n := range s.Uncovered {
		out.Summary.Uncovered = append(out.Summary.Uncovered, issueOf(n))
	}
	for _, n := range s.Blocking {
		out.Summary.Blocking = append(out.Summary.Blocking, issueOf(n))
	}
	sorted := slices.Clone(evs)
	slices.SortStableFunc(sorted, func(a, b simulate.Event) int { return cmp.Compare(a.At, b.At) })
	for _, ev := range sorted {
		out.Events = append(out.Events, eventOf(ev))
	}
	next := 0 // the first event not yet given to a step
	evicted := evictedPerStep(r)
	for i, st := range r.Steps {
		so := rolloutStepOut{TimeSeconds: secs(st.Time), Reconcile: st.Reconcile, Created: st.Created, Deleted: st.Deleted,
			FailedCreate: st.FailedCreate, FailedCreateMessage: st.FailedCreateMessage, Evicted: evicted[i], Status: st.Status}
		for next < len(sorted) && sorted[next].At <= st.Time {
			so.Events = append(so.Events, eventOf(sorted[next]))
			next++
		}
		out.Steps = append(out.Steps, so)
	}
	return out
}

func issueOf(n simulate.NodeIssue) nodeIssueOut {
	return nodeIssueOut{Node: n.Node, Cause: string(n.Cause), Message: n.Detail}
}

func eventOf(ev simulate.Event) eventOut {
	node := ev.Node
	if ev.Kind == simulate.EventNodeAdd && ev.NewNode != nil {
		node = ev.NewNode.Name
	}
	return eventOut{TimeSeconds: secs(ev.At), Kind: string(ev.Kind), Node: node, Text: ev.String()}
}

// cut is how far a cut run got.
type cut struct {
	updated, desired int32
	// end is when every desired node would be updated at the rate so far
	// (nil: no update yet, no rate).
	end *time.Duration
}

// cutOf extrapolates a cut run from its update rate: the updated count at
// the cut over the simulated time, applied to the nodes left.
func cutOf(r *simulate.Result, maxTime time.Duration) cut {
	var c cut
	if len(r.Steps) == 0 {
		return c
	}
	first, last := r.Steps[0].Status, r.Steps[len(r.Steps)-1].Status
	c.updated, c.desired = last.UpdatedNumberScheduled, last.DesiredNumberScheduled
	gained := c.updated - first.UpdatedNumberScheduled
	if first.UpdatedNumberScheduled > 0 && r.Steps[0].Time == 0 {
		gained = c.updated // a creation's first step already counts
	}
	elapsed := max(r.Summary.End, maxTime)
	if gained <= 0 || elapsed <= 0 || c.updated >= c.desired {
		return c
	}
	perNode := float64(elapsed) / float64(gained)
	end := elapsed + time.Duration(perNode*float64(c.desired-c.updated)).Round(time.Second)
	c.end = &end
	return c
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
// claimed, when not empty, says which of the cluster's pods are the
// DaemonSet's.
func renderRollout(w io.Writer, r *simulate.Result, sc simulate.Scenario, where, origin string, warnings []live.Warning, claimed string) {
	ds := sc.To
	s := r.Summary
	start := "from the running template"
	if sc.From == nil {
		start = "from the creation of the DaemonSet"
		if claimed != "" {
			start = "from its pods in the cluster (no --from: their templates are taken as older)"
		}
	}
	if origin != "" {
		start = origin
	}
	fmt.Fprintf(w, "Rollout of %s/%s %s\n", ds.Namespace, ds.Name, start)
	fmt.Fprintf(w, "  cluster:  %s\n", where)
	if claimed != "" {
		fmt.Fprintf(w, "  claimed:  %s\n", claimed)
	}
	renderWarnings(w, warnings, "rollout")
	fmt.Fprintf(w, "  strategy: %s\n", strategyString(r.DaemonSet, lastDesired(r)))
	order := "sorted node names"
	if sc.Order.Kind == simulate.OrderRandom {
		order = fmt.Sprintf("random, seed %d", sc.Order.Seed)
	}
	fmt.Fprintf(w, "  model:    %s; node order: %s\n", modelLine(sc), order)
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
	failed := ""
	if s.FailedCreates > 0 {
		failed = fmt.Sprintf(", %d failed creates", s.FailedCreates)
	}
	fmt.Fprintf(tw, "  reconciles\t%d (%d creates, %d deletes%s), simulated until %v\n", s.Reconciles, s.Creates, s.Deletes, failed, s.End)
	fmt.Fprintf(tw, "  kubectl rollout status\t%s\n", yesNo(s.Done, "done", "not done"))
	fmt.Fprintf(tw, "  every eligible node runs an available new pod\t%s\n", yesNo(s.AllCurrentAndAvailable, "yes", "no"))
	if s.Stuck {
		fmt.Fprintf(tw, "  stuck\tyes, nothing has changed since %v\n", s.StuckSince)
	} else {
		fmt.Fprintf(tw, "  stuck\tno\n")
	}
	if s.Truncated {
		c := cutOf(r, maxTimeOf(sc))
		how := fmt.Sprintf("%d of %d desired nodes updated (%.1f%%)", c.updated, c.desired, percent(c.updated, c.desired))
		if c.end != nil {
			how += fmt.Sprintf("; at the rate so far every node would be updated around %v", *c.end)
		}
		fmt.Fprintf(tw, "  cut\tyes, at %v by the simulation's limits (--max-time %v): %s\n", s.End, maxTimeOf(sc), how)
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
	if len(sc.Events) > 0 {
		fmt.Fprintf(w, "\nScripted events (%d):\n", len(sc.Events))
		evs := slices.Clone(sc.Events)
		slices.SortStableFunc(evs, func(a, b simulate.Event) int { return cmp.Compare(a.At, b.At) })
		for i, ev := range evs {
			if i == 10 {
				fmt.Fprintf(w, "  … and %d more\n", len(evs)-10)
				break
			}
			fmt.Fprintf(w, "  %s\n", ev.String())
		}
	}
	renderOrphans(w, s.Orphans, sc.PodGC)
	renderTimeline(w, r)
	renderFailedCreates(w, r)
}

// renderFailedCreates lists the steps whose creates the API server refused,
// one line per FailedCreate event; long lists are cut to the first and last.
func renderFailedCreates(w io.Writer, r *simulate.Result) {
	if r.Summary.FailedCreates == 0 {
		return
	}
	var lines []string
	last := ""
	for _, st := range r.Steps {
		for _, n := range st.FailedCreate {
			msg := st.FailedCreateMessage
			if msg == last {
				msg = "(the same)"
			}
			last = st.FailedCreateMessage
			lines = append(lines, fmt.Sprintf("  %-10v FailedCreate on %s: %s", st.Time, n, msg))
		}
	}
	fmt.Fprintf(w, "\nFailed creates (%d FailedCreate events: a sync stops creating at its first failure and returns the error;"+
		" the controller retries after 5ms, doubling up to 1000s)\n", r.Summary.FailedCreates)
	const head, tail = 5, 1
	for i, l := range lines {
		if len(lines) > head+tail && i == head {
			fmt.Fprintf(w, "  … %d more\n", len(lines)-head-tail)
		}
		if len(lines) > head+tail && i >= head && i < len(lines)-tail {
			continue
		}
		fmt.Fprintln(w, l)
	}
}

// renderOrphans says what became of the pods removed nodes left.
func renderOrphans(w io.Writer, orphans []simulate.OrphanedPods, gc simulate.PodGCModel) {
	if len(orphans) == 0 {
		return
	}
	fmt.Fprintf(w, "\nPods of removed nodes (pod GC %s):\n", gc)
	for i, o := range orphans {
		if i == 10 {
			fmt.Fprintf(w, "  … and %d more\n", len(orphans)-10)
			break
		}
		line := fmt.Sprintf("  %s removed at %v with %d pod(s)", o.Node, o.Removed, o.Pods)
		if o.BlockedSurge {
			line += "; the surge path stood still on them (couldn't get node for nodeName)"
		}
		if o.DeletedByController > 0 {
			line += fmt.Sprintf("; the rolling update deleted %d itself (an available old pod takes a maxUnavailable slot)", o.DeletedByController)
		}
		switch {
		case o.CollectedAt != nil:
			line += fmt.Sprintf("; the pod GC deleted them at %v (%v after the removal)", *o.CollectedAt, *o.CollectedAt-o.Removed)
		case o.BackAt != nil:
			line += fmt.Sprintf("; the node was back at %v and runs them again", *o.BackAt)
		case len(o.Remaining) > 0:
			line += fmt.Sprintf("; %d still bound to it at the end", len(o.Remaining))
		}
		fmt.Fprintln(w, line)
	}
}

func maxTimeOf(sc simulate.Scenario) time.Duration {
	if sc.Limits.MaxTime > 0 {
		return sc.Limits.MaxTime
	}
	return simulate.MaxSimulatedTime
}

func percent(a, b int32) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
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
	type stepRow struct {
		simulate.Step
		evicted int
	}
	var acted []stepRow
	perStep := evictedPerStep(r)
	evictions := len(r.Evictions)
	failing := r.Summary.FailedCreates > 0
	nActed := 0
	for i, st := range r.Steps {
		acts := len(st.Created) > 0 || len(st.Deleted) > 0 || len(perStep[i]) > 0
		if acts {
			nActed++
		}
		if acts || len(st.FailedCreate) > 0 {
			acted = append(acted, stepRow{st, len(perStep[i])})
		}
	}
	if failing {
		fmt.Fprintf(w, "\nTimeline (%d reconciles acted, %d failed a create)\n", nActed, len(acted)-nActed)
	} else {
		fmt.Fprintf(w, "\nTimeline (%d reconciles acted)\n", nActed)
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	evicted, failed := "", ""
	if evictions > 0 {
		// the taint-eviction controller's deletes the reconcile reacts to
		evicted = "EVICTED\t"
	}
	if failing {
		// creates the API server refused
		failed = "FAILED\t"
	}
	fmt.Fprintln(tw, "  TIME\t"+evicted+"CREATED\t"+failed+"DELETED\tDESIRED\tCURRENT\tUPDATED\tAVAILABLE\tUNAVAILABLE\t")
	cells := 8 // columns of a row
	if evictions > 0 {
		cells++
	}
	if failing {
		cells++
	}
	row := func(st stepRow) {
		s := st.Status
		ev, fc := "", ""
		if evictions > 0 {
			ev = fmt.Sprintf("%d\t", st.evicted)
		}
		if failing {
			fc = fmt.Sprintf("%d\t", len(st.FailedCreate))
		}
		fmt.Fprintf(tw, "  %v\t%s%d\t%s%d\t%d\t%d\t%d\t%d\t%d\t\n", st.Time, ev, len(st.Created), fc, len(st.Deleted),
			s.DesiredNumberScheduled, s.CurrentNumberScheduled, s.UpdatedNumberScheduled, s.NumberAvailable, s.NumberUnavailable)
	}
	const head, tail = 12, 6
	for i, st := range acted {
		if len(acted) > head+tail && i == head {
			fmt.Fprintln(tw, "  …"+strings.Repeat("\t", cells))
		}
		if len(acted) > head+tail && i >= head && i < len(acted)-tail {
			continue
		}
		row(st)
	}
	tw.Flush()
	if evictions > 0 {
		fmt.Fprintf(w, "  (EVICTED: pods the taint-eviction controller deleted, %d in all: a NoExecute taint tolerated with tolerationSeconds)\n", evictions)
	}
}

// evictedPerStep gives each step the nodes of the taint-eviction
// controller's deletes since the previous step, which it reacts to.
func evictedPerStep(r *simulate.Result) [][]string {
	out := make([][]string, len(r.Steps))
	k := 0
	for i, st := range r.Steps {
		for k < len(r.Evictions) && r.Evictions[k].Time <= st.Time {
			out[i] = append(out[i], r.Evictions[k].Node)
			k++
		}
	}
	return out
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
