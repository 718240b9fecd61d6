package simulate

import (
	"fmt"
	"math"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Dist is the distribution of a duration: evenly spaced quantiles from the
// minimum (P0) to the maximum (P100) with linear interpolation between them.
// One point is a fixed value, two points a uniform distribution between
// them, more points an empirical distribution (e.g. measured P0, P25, P50,
// P75, P100). The zero Dist is a fixed 0.
type Dist struct {
	// Points are the quantiles, non-decreasing, each between 0 and MaxDistValue.
	Points []time.Duration
}

// Limits of a Dist.
const (
	// MaxDistPoints is the most quantiles a Dist holds.
	MaxDistPoints = 101
	// MaxDistValue is the largest duration a Dist holds.
	MaxDistValue = 24 * time.Hour
)

// Fixed is the distribution that is always d.
func Fixed(d time.Duration) Dist { return Dist{Points: []time.Duration{d}} }

// Uniform is the uniform distribution between lo and hi.
func Uniform(lo, hi time.Duration) Dist { return Dist{Points: []time.Duration{lo, hi}} }

// Quantiles is the empirical distribution with these evenly spaced quantiles
// (the first is P0, the last P100).
func Quantiles(q ...time.Duration) Dist { return Dist{Points: append([]time.Duration(nil), q...)} }

// String renders a Dist as the CLI reads it: "5s", "2s..20s" (uniform) or
// "1s,3s,8s,40s" (quantiles).
func (d Dist) String() string {
	switch len(d.Points) {
	case 0:
		return "0s"
	case 1:
		return d.Points[0].String()
	case 2:
		return d.Points[0].String() + ".." + d.Points[1].String()
	}
	parts := make([]string, len(d.Points))
	for i, p := range d.Points {
		parts[i] = p.String()
	}
	return strings.Join(parts, ",")
}

// ParseDist reads the forms String writes: a duration ("5s"), a uniform
// range ("2s..20s") or evenly spaced quantiles ("1s,3s,8s,40s").
func ParseDist(s string) (Dist, error) {
	s = strings.TrimSpace(s)
	var parts []string
	switch {
	case strings.Contains(s, ".."):
		lo, hi, _ := strings.Cut(s, "..")
		parts = []string{lo, hi}
	default:
		parts = strings.Split(s, ",")
	}
	d := Dist{}
	for _, p := range parts {
		v, err := time.ParseDuration(strings.TrimSpace(p))
		if err != nil {
			return Dist{}, fmt.Errorf("%q: expected a duration (5s), a range (2s..20s) or quantiles (1s,3s,8s,40s)", s)
		}
		d.Points = append(d.Points, v)
	}
	if errs := d.validate(field.NewPath("dist")); len(errs) > 0 {
		return Dist{}, fmt.Errorf("%q: %s", s, errs[0].Detail)
	}
	return d, nil
}

func (d Dist) validate(p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(d.Points) > MaxDistPoints {
		return append(errs, field.TooMany(p.Child("points"), len(d.Points), MaxDistPoints))
	}
	for i, v := range d.Points {
		switch {
		case v < 0 || v > MaxDistValue:
			errs = append(errs, field.Invalid(p.Child("points").Index(i), v.String(), "must be between 0s and 24h"))
		case i > 0 && v < d.Points[i-1]:
			errs = append(errs, field.Invalid(p.Child("points").Index(i), v.String(), "quantiles must not decrease"))
		}
	}
	return errs
}

// draw returns one value in seconds for the uniform variate u in [0, 1).
func (d Dist) draw(u float64) float64 {
	switch n := len(d.Points); n {
	case 0:
		return 0
	case 1:
		return d.Points[0].Seconds()
	default:
		x := u * float64(n-1)
		i := int(x)
		if i >= n-1 {
			return d.Points[n-1].Seconds()
		}
		f := x - float64(i)
		return d.Points[i].Seconds() + f*(d.Points[i+1]-d.Points[i]).Seconds()
	}
}

func (d Dist) random() bool { return len(d.Points) > 1 && d.Points[0] != d.Points[len(d.Points)-1] }

// StartupModel derives each pod's time from binding to Ready from its
// template, as the kubelet starts it (see the package doc, "Startup from the
// template", for every term and the upstream code it follows). Every random
// time is drawn per pod from the scenario's seed.
type StartupModel struct {
	// Pull is the time to pull one image the node does not have yet, for
	// images without a size in ImageSizes (or without Bandwidth).
	Pull Dist
	// ImageSizes gives image sizes in bytes by reference (as written in the
	// template; "nginx" and "docker.io/library/nginx:latest" are the same).
	// With Bandwidth, such an image takes size/Bandwidth to pull.
	ImageSizes map[string]int64
	// Bandwidth is a node's pull bandwidth in bytes per second.
	Bandwidth int64
	// ContainerStart is the time to create and start one container once its
	// image is on the node.
	ContainerStart Dist
	// InitRun is how long each init container (not a sidecar) runs before it
	// exits successfully.
	InitRun Dist
	// AppReady is the time from a container's start until its probe
	// endpoints pass (drawn per container that has a probe).
	AppReady Dist
	// Stop, when set, is the time from the delete call until a running
	// pod's containers have stopped (preStop hooks, the application's
	// shutdown), capped at the pod's terminationGracePeriodSeconds, after
	// which the kubelet kills them; it replaces KubeletModel.Termination and
	// TerminationFromTemplate. nil keeps those.
	Stop *Dist
}

// DefaultStartupModel is the conservative default of the template-derived
// startup: pulls of 5–45 s (registries and node bandwidth vary; Slacker,
// FAST '16, found pulls are three quarters of a container's start), 1–3 s to
// start a container, 1–5 s per init container, 5–20 s for an application
// to pass its probes.
func DefaultStartupModel() StartupModel {
	return StartupModel{
		Pull:           Uniform(5*time.Second, 45*time.Second),
		ContainerStart: Uniform(1*time.Second, 3*time.Second),
		InitRun:        Uniform(1*time.Second, 5*time.Second),
		AppReady:       Uniform(5*time.Second, 20*time.Second),
	}
}

// String is a one-line description of the model for output.
func (m *StartupModel) String() string {
	pull := "pull " + m.Pull.String()
	if m.Bandwidth > 0 && len(m.ImageSizes) > 0 {
		pull += fmt.Sprintf(" (images of known size at %s/s)", bytesString(m.Bandwidth))
	}
	stop := ""
	if m.Stop != nil {
		stop = fmt.Sprintf("; pods stop %s after deletion (at most terminationGracePeriodSeconds)", m.Stop)
	}
	return fmt.Sprintf("startup from the template: %s per image not on the node, container start %s, init containers run %s, app ready %s after start, then the probe grid%s",
		pull, m.ContainerStart, m.InitRun, m.AppReady, stop)
}

func bytesString(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1fGiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1fMiB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1fKiB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%dB", b)
}

func (m *StartupModel) validate(p *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, m.Pull.validate(p.Child("pull"))...)
	errs = append(errs, m.ContainerStart.validate(p.Child("containerStart"))...)
	errs = append(errs, m.InitRun.validate(p.Child("initRun"))...)
	errs = append(errs, m.AppReady.validate(p.Child("appReady"))...)
	if m.Stop != nil {
		errs = append(errs, m.Stop.validate(p.Child("stop"))...)
	}
	if m.Bandwidth < 0 {
		errs = append(errs, field.Invalid(p.Child("bandwidth"), m.Bandwidth, "must not be negative"))
	}
	if len(m.ImageSizes) > MaxImageSizes {
		errs = append(errs, field.TooMany(p.Child("imageSizes"), len(m.ImageSizes), MaxImageSizes))
	}
	for k, v := range m.ImageSizes {
		if v < 0 || v > 1<<40 {
			errs = append(errs, field.Invalid(p.Child("imageSizes").Key(k), v, "must be between 0 and 1TiB"))
		}
	}
	return errs
}

// MaxImageSizes is the most entries StartupModel.ImageSizes holds.
const MaxImageSizes = 10000

// maxPodStartup caps a derived startup (seconds): a month, far beyond any
// rollout horizon and far from overflow.
const maxPodStartup = 30 * 24 * 3600

// ---- the kubelet's start of one pod ----

// probeSpec is the part of a probe that sets its timing (defaults applied as
// the API server does: periodSeconds 10, successThreshold 1,
// failureThreshold 3).
type probeSpec struct {
	delay, period float64
	success, fail int
}

func probeOf(p *corev1.Probe) *probeSpec {
	if p == nil {
		return nil
	}
	s := &probeSpec{delay: float64(max(p.InitialDelaySeconds, 0)), period: 10, success: 1, fail: 3}
	if p.PeriodSeconds > 0 {
		s.period = float64(p.PeriodSeconds)
	}
	if p.SuccessThreshold > 0 {
		s.success = int(p.SuccessThreshold)
	}
	if p.FailureThreshold > 0 {
		s.fail = int(p.FailureThreshold)
	}
	return s
}

// startContainer is one container of a template as the start model sees it.
type startContainer struct {
	name                         string
	image                        int32 // index into startupState.images
	init, sidecar                bool
	startup, readiness, liveness *probeSpec
}

// revStartup is a revision's containers in start order.
type revStartup struct {
	containers []startContainer
}

// startupState is the engine's side of StartupModel: the revisions' start
// plans and which images every node holds.
type startupState struct {
	m      *StartupModel
	images []string         // normalized references
	ids    map[string]int32 // normalized reference -> index
	pullS  []float64        // pull time from size and bandwidth, -1 = draw Pull
	nodes  int
	words  int              // uint64 words per node in have
	have   []uint64         // node i holds image k: have[i*words+k/64] bit k%64
	revs   []*revStartup    // by revision index, built on first use
	why    map[int32]string // pod id -> why it never turns Ready
}

// initStartup sets up the startup model after the engine holds its initial
// pods: a node has the images of the pods bound to it at t=0 and those its
// status lists.
func (e *engine) initStartup() {
	m := e.s.Kubelet.StartupModel
	if m == nil {
		return
	}
	su := &startupState{m: m, ids: map[string]int32{}, why: map[int32]string{}}
	intern := func(ref string) {
		n := normalizeImage(ref)
		if _, ok := su.ids[n]; ok {
			return
		}
		su.ids[n] = int32(len(su.images))
		su.images = append(su.images, n)
	}
	tmpls := []*corev1.PodTemplateSpec{&e.ds.Spec.Template}
	if e.s.From != nil {
		tmpls = append(tmpls, &e.s.From.Spec.Template)
	}
	for _, c := range e.changes {
		tmpls = append(tmpls, &c.Spec.Template)
	}
	for _, r := range e.revs {
		tmpls = append(tmpls, r.template)
	}
	for _, t := range tmpls {
		for _, c := range t.Spec.InitContainers {
			intern(c.Image)
		}
		for _, c := range t.Spec.Containers {
			intern(c.Image)
		}
	}
	sizes := make(map[string]int64, len(m.ImageSizes))
	for k, v := range m.ImageSizes {
		sizes[normalizeImage(k)] = v
	}
	su.pullS = make([]float64, len(su.images))
	for k, img := range su.images {
		su.pullS[k] = -1
		if sz, ok := sizes[img]; ok && m.Bandwidth > 0 {
			su.pullS[k] = float64(sz) / float64(m.Bandwidth)
		}
	}
	su.nodes = len(e.nodes)
	su.words = (len(su.images) + 63) / 64
	su.have = make([]uint64, len(e.nodes)*su.words)
	e.su = su
	// images the nodes hold at t=0
	for i := range e.nodes {
		if obj := e.nodes[i].obj; obj != nil {
			for _, img := range obj.Status.Images {
				for _, name := range img.Names {
					su.mark(int32(i), name)
				}
			}
		}
	}
	for id := range e.pods {
		p := &e.pods[id]
		if p.bound && p.rev >= 0 && !p.gone {
			t := e.revs[p.rev].template
			for _, c := range t.Spec.InitContainers {
				su.mark(p.node, c.Image)
			}
			for _, c := range t.Spec.Containers {
				su.mark(p.node, c.Image)
			}
		}
	}
	for _, cp := range clusterPods(e.s.Cluster) {
		if cp == nil || cp.Spec.NodeName == "" || cp.Status.Phase == corev1.PodPending || cp.Status.Phase == "" {
			continue
		}
		if i, ok := e.byName[cp.Spec.NodeName]; ok {
			for _, c := range cp.Spec.InitContainers {
				su.mark(i, c.Image)
			}
			for _, c := range cp.Spec.Containers {
				su.mark(i, c.Image)
			}
		}
	}
}

func (su *startupState) mark(node int32, ref string) {
	if k, ok := su.ids[normalizeImage(ref)]; ok {
		su.have[int(node)*su.words+int(k)/64] |= 1 << (k % 64)
	}
}

// take reports whether node holds image k and records that it does from now.
func (su *startupState) take(node, k int32) bool {
	w := &su.have[int(node)*su.words+int(k)/64]
	bit := uint64(1) << (k % 64)
	had := *w&bit != 0
	*w |= bit
	return had
}

// normalizeImage turns an image reference into the form container runtimes
// report: a registry (docker.io by default, with library/ for one-part
// names) and a tag (latest by default) unless a digest is given.
// upstream: github.com/distribution/reference ParseNormalizedNamed, TagNameOnly
func normalizeImage(ref string) string {
	ref = strings.TrimSpace(ref)
	name, digest, hasDigest := strings.Cut(ref, "@")
	first, _, hasSlash := strings.Cut(name, "/")
	if !hasSlash || (!strings.ContainsAny(first, ".:") && first != "localhost") {
		if !hasSlash {
			name = "library/" + name
		}
		name = "docker.io/" + name
	}
	if hasDigest {
		return name + "@" + digest
	}
	last := name[strings.LastIndex(name, "/")+1:]
	if !strings.Contains(last, ":") {
		name += ":latest"
	}
	return name
}

// revPlan returns the start plan of revision rev.
func (e *engine) revPlan(rev int32) *revStartup {
	su := e.su
	for int(rev) >= len(su.revs) {
		su.revs = append(su.revs, nil)
	}
	if r := su.revs[rev]; r != nil {
		return r
	}
	t := e.revs[rev].template
	r := &revStartup{}
	add := func(c *corev1.Container, init bool) {
		k, ok := su.ids[normalizeImage(c.Image)]
		if !ok {
			// a template the engine met after initStartup (not possible
			// today: every template comes from To, From or Changes)
			k = int32(len(su.images))
			su.ids[normalizeImage(c.Image)] = k
			su.images = append(su.images, normalizeImage(c.Image))
			su.pullS = append(su.pullS, -1)
			if len(su.images) > su.words*64 {
				su.grow()
			}
		}
		sc := startContainer{name: c.Name, image: k, init: init,
			sidecar:   init && c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways,
			startup:   probeOf(c.StartupProbe),
			readiness: probeOf(c.ReadinessProbe), liveness: probeOf(c.LivenessProbe)}
		if init && !sc.sidecar {
			// upstream validation forbids probes on regular init containers
			sc.startup, sc.readiness, sc.liveness = nil, nil, nil
		}
		r.containers = append(r.containers, sc)
	}
	for i := range t.Spec.InitContainers {
		add(&t.Spec.InitContainers[i], true)
	}
	for i := range t.Spec.Containers {
		add(&t.Spec.Containers[i], false)
	}
	su.revs[rev] = r
	return r
}

func (su *startupState) grow() {
	words := su.words + 1
	have := make([]uint64, su.nodes*words)
	for i := 0; i < su.nodes; i++ {
		copy(have[i*words:], su.have[i*su.words:(i+1)*su.words])
	}
	su.have, su.words = have, words
}

// podStartup is the time from binding to Ready of pod id (whole seconds,
// rounded to the nearest), or ok=false when the kubelet would never make it
// Ready (a probe kills the container before the application is up: a crash
// loop). Without a StartupModel it is the node's fixed startup plus jitter.
func (e *engine) podStartup(id int32) (int64, bool) {
	p := &e.pods[id]
	if e.su == nil || p.rev < 0 {
		return e.startupFor(&e.nodes[p.node]), true
	}
	t, why := e.su.start(e, p.node, e.revPlan(p.rev))
	if why != "" {
		e.su.why[id] = why
		return 0, false
	}
	return min(int64(math.Round(t)), maxPodStartup), true
}

// stopFor is how long deleted pod id stays Terminating: grace (the
// kubelet model's termination) without StartupModel.Stop, else a draw of
// Stop capped at the pod's terminationGracePeriodSeconds.
// upstream: pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer
// (preStop hook and SIGTERM within the grace period, then SIGKILL)
func (e *engine) stopFor(id int32, grace int64) int64 {
	if e.su == nil || e.su.m.Stop == nil {
		return grace
	}
	limit := e.templateGrace(e.pods[id].rev)
	return min(int64(math.Round(e.su.m.Stop.draw(e.rng.Float64()))), limit)
}

// startupWhy says why pod id never turns Ready under the startup model.
func (e *engine) startupWhy(id int32) string {
	if e.su == nil {
		return ""
	}
	return e.su.why[id]
}

// start plays the kubelet's start of one pod of plan r on node; times in
// seconds from binding. It returns when the pod turns Ready, or why it never
// does.
//
// upstream: pkg/kubelet/kuberuntime/kuberuntime_manager.go SyncPod (init
// containers, then the regular containers in order), kuberuntime_container.go
// computeInitContainerActions and startContainer (EnsureImageExists before
// create),
// pkg/kubelet/images/image_manager.go EnsureImageExists,
// pkg/kubelet/prober/worker.go run and doProbe, prober_manager.go
// UpdatePodStatus, pkg/kubelet/status/generate.go GeneratePodReadyCondition
func (su *startupState) start(e *engine, node int32, r *revStartup) (float64, string) {
	m := su.m
	t := 0.0
	ready := 0.0
	for k := range r.containers {
		c := &r.containers[k]
		// image: pulled serially (serializeImagePulls), skipped when present
		if !su.take(node, c.image) {
			if ps := su.pullS[c.image]; ps >= 0 {
				t += ps
			} else {
				t += m.Pull.draw(e.rng.Float64())
			}
		}
		t += m.ContainerStart.draw(e.rng.Float64())
		started := t
		if c.init && !c.sidecar {
			t += m.InitRun.draw(e.rng.Float64())
			continue
		}
		app := started
		if c.startup != nil || c.readiness != nil || c.liveness != nil {
			app += m.AppReady.draw(e.rng.Float64())
		}
		// the probe workers start with the pod (prober_manager.go AddPod):
		// their tickers run from binding, t=0
		anchor := started
		if c.startup != nil {
			pass, kill, ok := gridPass(c.startup, 0, started, app)
			if !ok {
				return 0, fmt.Sprintf("container %s: its startup probe fails %d times (initialDelaySeconds %d, periodSeconds %d) before the application is up about %s after start, so the kubelet kills it at %s and restarts it with the same startup time: a crash loop, never Ready",
					c.name, c.startup.fail, int(c.startup.delay), int(c.startup.period), secondsString(app-started), secondsString(kill))
			}
			anchor = pass
		} else if c.liveness != nil {
			if _, kill, ok := gridPass(c.liveness, 0, started, app); !ok {
				return 0, fmt.Sprintf("container %s: its liveness probe fails %d times (initialDelaySeconds %d, periodSeconds %d) before the application is up about %s after start, so the kubelet kills it at %s and restarts it with the same startup time: a crash loop, never Ready",
					c.name, c.liveness.fail, int(c.liveness.delay), int(c.liveness.period), secondsString(app-started), secondsString(kill))
			}
		}
		cready := anchor
		if c.readiness != nil {
			// UpdatePodStatus triggers the first readiness probe as soon as
			// the container counts as started and resets its ticker there.
			cready = readinessPass(c.readiness, started, anchor, app)
		}
		if c.sidecar {
			// the next init container starts once the sidecar has started
			// (its startup probe passed)
			t = anchor
		}
		ready = max(ready, cready)
	}
	return max(ready, t), ""
}

// gridPass is a probe on a ticker anchored at origin with period P: probes
// count from started+initialDelaySeconds; the first at or after app passes
// (then successThreshold-1 more periods). ok=false when failureThreshold
// counted probes fail first; kill is the instant of the last of them.
func gridPass(p *probeSpec, origin, started, app float64) (pass, kill float64, ok bool) {
	first := started + p.delay
	k := math.Ceil((first - origin) / p.period)
	if k < 0 {
		k = 0
	}
	t := origin + k*p.period
	if t < app {
		// counted probes strictly before the application is up fail
		fails := math.Ceil((app - t) / p.period)
		if fails >= float64(p.fail) {
			return 0, t + float64(p.fail-1)*p.period, false
		}
		t += fails * p.period
	}
	return t + float64(p.success-1)*p.period, 0, true
}

// readinessPass is when a readiness probe turns the container Ready: probes
// at anchor, anchor+P, ... (the manual trigger of UpdatePodStatus resets the
// ticker), skipped before started+initialDelaySeconds, the first at or after
// app passing, plus successThreshold-1 periods. Readiness failures do not
// restart the container.
func readinessPass(p *probeSpec, started, anchor, app float64) float64 {
	t := anchor
	if first := started + p.delay; t < first {
		t += math.Ceil((first-t)/p.period) * p.period
	}
	if t < app {
		t += math.Ceil((app-t)/p.period) * p.period
	}
	return t + float64(p.success-1)*p.period
}

func secondsString(s float64) string {
	return (time.Duration(math.Round(s)) * time.Second).String()
}
