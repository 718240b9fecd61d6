package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/daemonkit/daemonkit/simulate"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"
)

// The flags of `rollout` that sample many runs (--runs), derive the startup
// from the template (--startup-model template) and search a budget
// (--target).

// maxCLIRuns bounds --runs: enough for a P99 of any precision people read.
const maxCLIRuns = 10000

type sampleFlags struct {
	runs         *int
	model        *string
	dists        map[string]*distFlag
	imageSizes   stringList
	bandwidth    *string
	stop         *string
	target       *time.Duration
	minAvailable *string
	set          map[string]bool
}

type distFlag struct {
	d simulate.Dist
}

func (f *distFlag) String() string { return f.d.String() }
func (f *distFlag) Set(v string) error {
	d, err := simulate.ParseDist(v)
	if err != nil {
		return err
	}
	f.d = d
	return nil
}

// distFlagNames are the distribution flags of the template model, in the
// order of the help text.
var distFlagNames = []string{"pull", "container-start", "init-run", "app-ready"}

func registerSampleFlags(fs *flag.FlagSet) *sampleFlags {
	def := simulate.DefaultStartupModel()
	f := &sampleFlags{dists: map[string]*distFlag{
		"pull": {def.Pull}, "container-start": {def.ContainerStart}, "init-run": {def.InitRun}, "app-ready": {def.AppReady},
	}}
	f.runs = fs.Int("runs", 1, "simulate `N` rollouts with independent seeds (node order and random times) and print P50/P90/P99 and the stall probability; a --fail-on condition then holds when it holds in any run")
	f.model = fs.String("startup-model", "fixed", "`MODEL` of pod startup: fixed (--startup, --startup-jitter) or template (image pulls, init containers, probes of the pod template)")
	help := map[string]string{
		"pull":            "template model: time to pull one image the node lacks",
		"container-start": "template model: time to create and start one container",
		"init-run":        "template model: run time of each init container",
		"app-ready":       "template model: time from a container's start until its probes pass",
	}
	for _, n := range distFlagNames {
		fs.Var(f.dists[n], n, help[n]+" (`DIST`: 5s, a uniform range 2s..20s, or quantiles 1s,3s,8s,40s)")
	}
	f.stop = fs.String("stop", "", "template model: time from deletion until a pod's containers have stopped, at most its terminationGracePeriodSeconds (`DIST`; default: --termination)")
	fs.Var(&f.imageSizes, "image-size", "template model: `IMAGE=SIZE` (e.g. quay.io/cilium/cilium:v1.16.0=600Mi) pulled at --bandwidth (repeatable)")
	f.bandwidth = fs.String("bandwidth", "", "template model: a node's pull `BANDWIDTH` in bytes per second (e.g. 50Mi), for --image-size")
	f.target = fs.Duration("target", 0, "recommend the smallest update budget whose P90 finishes within this `DURATION`")
	f.minAvailable = fs.String("min-available", "", "with --target: the share of desired nodes that must stay available (`PERCENT`, e.g. 99%)")
	return f
}

// apply checks the flags and sets the startup model of sc.
func (f *sampleFlags) apply(fs *flag.FlagSet, sc *simulate.Scenario) error {
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	if *f.runs < 1 || *f.runs > maxCLIRuns {
		return usagef("--runs %d: expected a number between 1 and %d", *f.runs, maxCLIRuns)
	}
	if *f.target < 0 || *f.target > simulate.MaxSimulatedTime {
		return usagef("--target %v: expected a duration between 1s and %v", *f.target, simulate.MaxSimulatedTime)
	}
	if f.set["min-available"] && *f.target == 0 {
		return usagef("--min-available needs --target")
	}
	if *f.model != "fixed" && *f.model != "template" {
		return usagef("--startup-model %q: expected fixed or template", *f.model)
	}
	if *f.model != "template" {
		for _, n := range append(append([]string{}, distFlagNames...), "image-size", "bandwidth", "stop") {
			if f.set[n] {
				return usagef("--%s needs --startup-model template", n)
			}
		}
		return nil
	}
	if f.set["startup"] || f.set["startup-jitter"] {
		return usagef("--startup and --startup-jitter belong to --startup-model fixed; the template model derives startup from the template")
	}
	m := simulate.StartupModel{Pull: f.dists["pull"].d, ContainerStart: f.dists["container-start"].d,
		InitRun: f.dists["init-run"].d, AppReady: f.dists["app-ready"].d}
	if *f.stop != "" {
		d, err := simulate.ParseDist(*f.stop)
		if err != nil {
			return usagef("--stop %v", err)
		}
		m.Stop = &d
	}
	if *f.bandwidth != "" {
		q, err := resource.ParseQuantity(*f.bandwidth)
		if err != nil || q.Sign() <= 0 || q.Value() > 1<<40 {
			return usagef("--bandwidth %q: expected a positive number of bytes per second such as 50Mi or 1G", *f.bandwidth)
		}
		m.Bandwidth = q.Value()
	}
	for _, kv := range f.imageSizes {
		img, size, ok := strings.Cut(kv, "=")
		if i := strings.LastIndex(kv, "="); i > 0 {
			img, size, ok = kv[:i], kv[i+1:], true
		}
		q, err := resource.ParseQuantity(strings.TrimSpace(size))
		if !ok || img == "" || err != nil || q.Sign() < 0 || q.Value() > 1<<40 {
			return usagef("--image-size %q: expected IMAGE=SIZE such as nginx:1.27=70Mi", kv)
		}
		if m.ImageSizes == nil {
			m.ImageSizes = map[string]int64{}
		}
		m.ImageSizes[strings.TrimSpace(img)] = q.Value()
	}
	if len(m.ImageSizes) > 0 && m.Bandwidth == 0 {
		return usagef("--image-size needs --bandwidth")
	}
	sc.Kubelet.StartupModel = &m
	return nil
}

// sampled says the command samples many runs instead of showing one.
func (f *sampleFlags) sampled() bool { return *f.runs > 1 || *f.target > 0 }

// modelLine describes the kubelet model for the "model:" line.
func modelLine(sc simulate.Scenario) string {
	start := fmt.Sprintf("pods Ready %v after creation", sc.Kubelet.Startup)
	term := terminationString(sc)
	if sc.Kubelet.StartupJitter > 0 {
		start += fmt.Sprintf(" plus up to %v", sc.Kubelet.StartupJitter)
	}
	if m := sc.Kubelet.StartupModel; m != nil {
		start = m.String()
		if m.Stop != nil {
			return fmt.Sprintf("%s; %s", start, faultsString(sc.Kubelet))
		}
	}
	return fmt.Sprintf("%s; %s; deletions take %s", start, faultsString(sc.Kubelet), term)
}

// faultsString counts the broken and crash-looping nodes of --broken,
// --crashloop (new pods only) and their -all forms (every pod).
func faultsString(k simulate.KubeletModel) string {
	all := func(nodes []string) string {
		if len(nodes) == 0 {
			return ""
		}
		return fmt.Sprintf(" (%d for every pod)", len(nodes))
	}
	return fmt.Sprintf("%d broken%s, %d crash-looping nodes%s", len(k.BrokenNew)+len(k.Broken), all(k.Broken),
		len(k.CrashLoopNew)+len(k.CrashLoop), all(k.CrashLoop))
}

func terminationString(sc simulate.Scenario) string {
	if sc.Kubelet.TerminationFromTemplate {
		return "terminationGracePeriodSeconds"
	}
	return sc.Kubelet.Termination.String()
}

// runSampled runs --runs and --target and prints the result.
// claimed counts the cluster's pods of the DaemonSet; dump says the
// cluster is a dump with pods or a live cluster (claimedLine).
func runSampled(e *env, f *sampleFlags, sc simulate.Scenario, where, origin, plot, out string, claimed claimedOut, dump bool, failOn *failOnFlag) error {
	runs := *f.runs
	if *f.target > 0 {
		return runRecommend(e, f, sc, where, out, claimed, dump)
	}
	var res *simulate.SampleResult
	err := withProgress(e, runs, func(progress func(int)) error {
		var err error
		res, err = simulate.SampleWithProgress(e.context(), sc, runs, progress)
		return err
	})
	if err != nil {
		return err
	}
	if plot != "" {
		one := sc
		one.Order = simulate.Order{Kind: simulate.OrderRandom, Seed: res.Seeds[res.MedianRun]}
		if sc.Order.Kind == simulate.OrderExplicit {
			one.Order.Kind, one.Order.Names = simulate.OrderExplicit, sc.Order.Names
		}
		r, err := simulate.Rollout(e.context(), one)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := simulate.WriteSVG(&b, r, simulate.PlotOptions{Band: res.Band}); err != nil {
			return err
		}
		if err := e.writeFile(plot, b.Bytes()); err != nil {
			return err
		}
	}
	fl := sampleFailures(res, failOn)
	if out == "json" || out == "yaml" {
		if err := writeStructured(e.stdout, out, sampleReport{envelope: newEnvelope("RolloutSample"), sampleOut: sampleOutOf(res, sc, where), Claimed: claimed, Failed: fl.names}); err != nil {
			return err
		}
		return fl.err()
	}
	ds := sc.To
	start := "from the running template"
	if sc.From == nil {
		start = "from the creation of the DaemonSet"
		if claimed.Pods > 0 {
			start = "from its pods in the cluster (no --from: their templates are taken as older)"
		}
	}
	if origin != "" {
		start = origin
	}
	fmt.Fprintf(e.stdout, "Rollout of %s/%s %s, %d runs\n", ds.Namespace, ds.Name, start, runs)
	fmt.Fprintf(e.stdout, "  cluster:  %s\n", where)
	if line := claimedLine(claimed, dump); line != "" {
		fmt.Fprintf(e.stdout, "  claimed:  %s\n", line)
	}
	fmt.Fprintf(e.stdout, "  strategy: %s\n", strategyString(ds, int(res.Desired)))
	fmt.Fprintf(e.stdout, "  model:    %s; node order: random, run seeds from seed %d\n", modelLine(sc), sc.Order.Seed)
	fmt.Fprintln(e.stdout)
	renderSample(e.stdout, res)
	if plot != "" {
		fmt.Fprintf(e.stdout, "\nPlot of the median run (seed %d) with the P10-P90 band of the runs written to %s\n", res.Seeds[res.MedianRun], plot)
	}
	return fl.err()
}

// sampleFailures checks rollout's --fail-on conditions over many runs: a
// condition holds when it holds in any run.
func sampleFailures(res *simulate.SampleResult, failOn *failOnFlag) failed {
	var fl failed
	fl.check(failOn, "stuck", res.Stalled, fmt.Sprintf("stuck in %d of %d runs", res.Stalled, res.Runs))
	fl.check(failOn, "not-done", res.NotDone, fmt.Sprintf("kubectl rollout status would not say done in %d of %d runs", res.NotDone, res.Runs))
	fl.check(failOn, "budget", res.Breached, fmt.Sprintf("maxUnavailable exceeded in %d of %d runs", res.Breached, res.Runs))
	return fl
}

func renderSample(w io.Writer, res *simulate.SampleResult) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  \tP50\tP90\tP99\n")
	row := func(name string, d simulate.Durations) {
		fmt.Fprintf(tw, "  %s", name)
		for _, p := range []float64{50, 90, 99} {
			fmt.Fprintf(tw, "\t%s", pctString(d, p))
		}
		fmt.Fprintln(tw)
	}
	row("every desired node updated", res.Updated)
	row("every desired node available", res.Available)
	tw.Flush()
	lo := res.LowestAvailable
	fmt.Fprintf(w, "\n  lowest availability: %d of %d desired in the median run; at least %d in 90%% of runs, %d in 99%%; %d in the worst run\n",
		lowPct(lo, 50), res.Desired, lowPct(lo, 10), lowPct(lo, 1), lo[0])
	fmt.Fprintf(w, "  stall probability: %s (%d of %d runs got stuck)\n", percentString(res.StallProbability()), res.Stalled, res.Runs)
	if res.Truncated > 0 {
		fmt.Fprintf(w, "  truncated: %d runs reached --max-time first\n", res.Truncated)
	}
	for _, c := range res.StallCauses {
		fmt.Fprintf(w, "    %s in %d runs, e.g. %s\n", c.Cause, c.Runs, c.Example)
	}
}

// lowPct is the lowest availability that p% of runs stay at or below: the
// p-th percentile from the bottom (lo ascending).
func lowPct(lo []int32, p float64) int32 {
	if len(lo) == 0 {
		return 0
	}
	r := int(math.Ceil(p / 100 * float64(len(lo))))
	return lo[min(max(r, 1), len(lo))-1]
}

func pctString(d simulate.Durations, p float64) string {
	v, ok := d.Percentile(p)
	if !ok {
		return "never"
	}
	return v.String()
}

func percentString(f float64) string {
	s := strconv.FormatFloat(100*f, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + "%"
}

// withProgress runs fn, drawing a progress bar on a terminal's stderr once
// it has taken more than a second.
func withProgress(e *env, total int, fn func(progress func(int)) error) error {
	if !e.stderrTTY {
		return fn(nil)
	}
	start := time.Now()
	var mu sync.Mutex
	shown := false
	last := time.Time{}
	progress := func(done int) {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		if now.Sub(start) < time.Second || now.Sub(last) < 100*time.Millisecond {
			return
		}
		last, shown = now, true
		const width = 30
		fill := width * done / total
		fmt.Fprintf(e.stderr, "\r[%s%s] %d/%d runs %.1fs", strings.Repeat("#", fill), strings.Repeat(" ", width-fill), done, total, now.Sub(start).Seconds())
	}
	err := fn(progress)
	mu.Lock()
	if shown {
		fmt.Fprint(e.stderr, "\r\x1b[K")
	}
	mu.Unlock()
	return err
}

// ---- --target ----

func runRecommend(e *env, f *sampleFlags, sc simulate.Scenario, where, out string, claimed claimedOut, dump bool) error {
	floor := 0.0
	if s := strings.TrimSpace(*f.minAvailable); s != "" {
		v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err != nil || !strings.HasSuffix(s, "%") || v < 0 || v > 100 {
			return usagef("--min-available %q: expected a percentage between 0%% and 100%%, e.g. 99%%", s)
		}
		floor = v / 100
	}
	runs := *f.runs
	if !f.set["runs"] {
		runs = 50
	}
	var rec *simulate.Recommendation
	err := withProgress(e, 0, func(func(int)) error {
		var err error
		rec, err = simulate.Recommend(e.context(), sc, simulate.Goal{Target: *f.target, MinAvailable: floor, Runs: runs})
		return err
	})
	if err != nil {
		return err
	}
	field, other := "maxUnavailable", "maxSurge"
	if rec.Surge {
		field, other = "maxSurge", "maxUnavailable"
	}
	yml, err := yaml.Marshal(map[string]any{"updateStrategy": rec.Strategy})
	if err != nil {
		return err
	}
	if out == "json" || out == "yaml" {
		o := recommendOut{envelope: newEnvelope("BudgetRecommendation"), Claimed: claimed, Cluster: where, DaemonSet: sc.To.Namespace + "/" + sc.To.Name, TargetSeconds: f.target.Seconds(),
			MinAvailablePercent: floor * 100, RunsPerBudget: runs, BudgetsTried: rec.Tried, Met: rec.Met, Reason: rec.Reason,
			Field: field, Budget: rec.Budget, Desired: rec.Desired, Floor: rec.Floor, UpdateStrategy: rec.Strategy,
			Sample: sampleOutOf(rec.Sample, sc, where)}
		return writeStructured(e.stdout, out, o)
	}
	ds := sc.To
	floorText := ""
	if floor > 0 {
		floorText = fmt.Sprintf(" with at least %s of %d nodes available (%d)", percentString(floor), rec.Desired, rec.Floor)
	}
	fmt.Fprintf(e.stdout, "Update budget of %s/%s for a P90 within %v%s\n", ds.Namespace, ds.Name, *f.target, floorText)
	fmt.Fprintf(e.stdout, "  cluster:  %s\n", where)
	if line := claimedLine(claimed, dump); line != "" {
		fmt.Fprintf(e.stdout, "  claimed:  %s\n", line)
	}
	fmt.Fprintf(e.stdout, "  model:    %s; %d runs per budget, %d budgets tried\n", modelLine(sc), runs, rec.Tried)
	fmt.Fprintln(e.stdout)
	if rec.Met {
		fmt.Fprintf(e.stdout, "Recommended: %s %d (%s 0) of %d desired nodes: P50 %s, P90 %s\n", field, rec.Budget, other, rec.Desired,
			pctString(rec.Sample.Available, 50), pctString(rec.Sample.Available, 90))
	} else {
		fmt.Fprintf(e.stdout, "No budget meets the goal: %s.\nClosest: %s %d (%s 0) of %d desired nodes: P50 %s, P90 %s\n", rec.Reason, field, rec.Budget, other,
			rec.Desired, pctString(rec.Sample.Available, 50), pctString(rec.Sample.Available, 90))
	}
	fmt.Fprintln(e.stdout)
	renderSample(e.stdout, rec.Sample)
	fmt.Fprintf(e.stdout, "\nPaste into the DaemonSet's spec:\n\n")
	for _, l := range strings.Split(strings.TrimRight(string(yml), "\n"), "\n") {
		fmt.Fprintf(e.stdout, "  %s\n", l)
	}
	if !rec.Met {
		return findingsError{}
	}
	return nil
}

// ---- JSON ----

// sampleReport is what `rollout --runs N -o json|yaml` prints (kind
// RolloutSample, docs/json-schema.md).
type sampleReport struct {
	envelope
	sampleOut
	// Claimed counts the cluster's pods of the DaemonSet, where every run
	// starts from.
	Claimed claimedOut `json:"claimedPods"`
	// Failed lists the --fail-on conditions that held in some run (exit
	// status 1).
	Failed []string `json:"failedConditions,omitempty"`
}

// sampleOut is many runs of one rollout (also the "sample" of a
// BudgetRecommendation).
type sampleOut struct {
	Cluster          string          `json:"cluster"`
	DaemonSet        string          `json:"daemonSet"`
	Model            string          `json:"model"`
	Runs             int             `json:"runs"`
	Desired          int32           `json:"desired"`
	Updated          percentilesOut  `json:"everyNodeUpdated"`
	Available        percentilesOut  `json:"everyNodeAvailable"`
	LowestAvailable  lowestOut       `json:"lowestAvailable"`
	StallProbability float64         `json:"stallProbability"`
	Stalled          int             `json:"stalledRuns"`
	Truncated        int             `json:"truncatedRuns,omitempty"`
	StallCauses      []stallCauseOut `json:"stallCauses,omitempty"`
	MedianRunSeed    int64           `json:"medianRunSeed"`
}

type percentilesOut struct {
	P10Seconds   *float64 `json:"p10Seconds"`
	P50Seconds   *float64 `json:"p50Seconds"`
	P90Seconds   *float64 `json:"p90Seconds"`
	P99Seconds   *float64 `json:"p99Seconds"`
	FinishedRuns int      `json:"finishedRuns"`
}

type lowestOut struct {
	Min int32 `json:"min"`
	P50 int32 `json:"p50"`
	P10 int32 `json:"p10"`
}

type stallCauseOut struct {
	Cause   string `json:"cause"`
	Runs    int    `json:"runs"`
	Example string `json:"example"`
}

// recommendOut is what `rollout --target D -o json|yaml` prints (kind
// BudgetRecommendation, docs/json-schema.md).
type recommendOut struct {
	envelope
	Cluster string `json:"cluster"`
	// Claimed counts the cluster's pods of the DaemonSet.
	Claimed             claimedOut `json:"claimedPods"`
	DaemonSet           string     `json:"daemonSet"`
	TargetSeconds       float64    `json:"targetSeconds"`
	MinAvailablePercent float64    `json:"minAvailablePercent"`
	RunsPerBudget       int        `json:"runsPerBudget"`
	BudgetsTried        int        `json:"budgetsTried"`
	Met                 bool       `json:"met"`
	Reason              string     `json:"reason,omitempty"`
	Field               string     `json:"field"`
	Budget              int        `json:"budget"`
	Desired             int32      `json:"desired"`
	Floor               int32      `json:"floor"`
	UpdateStrategy      any        `json:"updateStrategy"`
	Sample              sampleOut  `json:"sample"`
}

func percentilesOf(d simulate.Durations) percentilesOut {
	get := func(p float64) *float64 {
		v, ok := d.Percentile(p)
		if !ok {
			return nil
		}
		s := v.Seconds()
		return &s
	}
	return percentilesOut{P10Seconds: get(10), P50Seconds: get(50), P90Seconds: get(90), P99Seconds: get(99), FinishedRuns: len(d.Reached)}
}

func sampleOutOf(r *simulate.SampleResult, sc simulate.Scenario, where string) sampleOut {
	o := sampleOut{Cluster: where, DaemonSet: sc.To.Namespace + "/" + sc.To.Name, Model: modelLine(sc), Runs: r.Runs, Desired: r.Desired,
		Updated: percentilesOf(r.Updated), Available: percentilesOf(r.Available),
		LowestAvailable:  lowestOut{Min: r.LowestAvailable[0], P50: lowPct(r.LowestAvailable, 50), P10: lowPct(r.LowestAvailable, 10)},
		StallProbability: r.StallProbability(), Stalled: r.Stalled, Truncated: r.Truncated, MedianRunSeed: r.Seeds[r.MedianRun]}
	causes := append([]simulate.CauseCount(nil), r.StallCauses...)
	sort.SliceStable(causes, func(a, b int) bool { return causes[a].Runs > causes[b].Runs })
	for _, c := range causes {
		o.StallCauses = append(o.StallCauses, stallCauseOut{Cause: string(c.Cause), Runs: c.Runs, Example: c.Example})
	}
	return o
}
