package simulate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Default of Scenario.Start (the defaults of Limits are in bounds.go).
var defaultStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// preexisting is how long before t=0 the pods of Scenario.From were created.
const preexisting = 365 * 24 * 3600

// checkedScenario is what validateScenario made of a Scenario: the objects
// the API server stores (defaulted copies of From, To and each change, To
// and the changes carrying From's identity) and every node name the run can
// meet.
type checkedScenario struct {
	cluster   *Cluster
	from, to  *appsv1.DaemonSet
	changes   []*appsv1.DaemonSet
	nodeNames map[string]bool
	// claimed are the cluster's pods To owns (daemonset.OwnsPod), and the
	// nodes they target, in the same order.
	claimed        []*corev1.Pod
	claimedTargets []string
}

// validateScenario checks s as the API server would check its objects
// (create and update validation of the DaemonSets) and as Rollout documents
// for the rest, and returns every problem at once.
func validateScenario(s *Scenario) (*checkedScenario, error) {
	root := field.NewPath("scenario")
	var errs field.ErrorList
	if s.To == nil {
		errs = append(errs, field.Required(root.Child("to"), "the DaemonSet to roll out is required"))
		return nil, inputError("", errs...)
	}
	cluster := s.Cluster
	if cluster == nil {
		cluster = &Cluster{}
	}
	// Size caps first, before any per-item work (bounds.go).
	if len(s.Events) > MaxEvents {
		errs = append(errs, field.TooMany(root.Child("events"), len(s.Events), MaxEvents))
	}
	if len(s.Changes) > MaxChanges {
		errs = append(errs, field.TooMany(root.Child("changes"), len(s.Changes), MaxChanges))
	}
	if len(errs) > 0 {
		return nil, inputError("", errs...)
	}

	// The chain of objects the API server stores: From, To, each change.
	var from *appsv1.DaemonSet
	if s.From != nil {
		from = s.From.DeepCopy()
		daemonset.SetDefaults(from)
		for _, fe := range daemonset.Validate(from) {
			fe.Field = root.Child("from").String() + "." + fe.Field
			errs = append(errs, fe)
		}
	}
	to := s.To.DeepCopy()
	daemonset.SetDefaults(to)
	if from != nil {
		to.Name, to.Namespace, to.UID = from.Name, from.Namespace, from.UID
		errs = append(errs, prefixed(root.Child("to"), validateUpdate(to, from))...)
	} else {
		errs = append(errs, prefixed(root.Child("to"), daemonset.Validate(to))...)
	}
	changes := make([]*appsv1.DaemonSet, len(s.Changes))
	prev := to
	var lastAt time.Duration
	for k, c := range s.Changes {
		p := root.Child("changes").Index(k)
		if c.DaemonSet == nil {
			errs = append(errs, field.Required(p.Child("daemonSet"), "a DaemonSet is required"))
			continue
		}
		if c.At <= lastAt {
			errs = append(errs, field.Invalid(p.Child("at"), c.At.String(), "must be > 0 and later than the previous change"))
		}
		lastAt = c.At
		d := c.DaemonSet.DeepCopy()
		daemonset.SetDefaults(d)
		d.Name, d.Namespace, d.UID = to.Name, to.Namespace, to.UID
		errs = append(errs, prefixed(p.Child("daemonSet"), validateUpdate(d, prev))...)
		changes[k] = d
		prev = d
	}
	kp := root.Child("kubelet")
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"startup", s.Kubelet.Startup}, {"startupJitter", s.Kubelet.StartupJitter}, {"termination", s.Kubelet.Termination}} {
		if d.v < 0 {
			errs = append(errs, field.Invalid(kp.Child(d.name), d.v.String(), "must not be negative"))
		}
	}
	if s.Kubelet.BindPerSecond < 0 {
		errs = append(errs, field.Invalid(kp.Child("bindPerSecond"), s.Kubelet.BindPerSecond, "must not be negative"))
	}
	if !(s.API.QPS >= 0) || math.IsInf(s.API.QPS, 1) || s.API.Burst < 0 {
		errs = append(errs, field.Invalid(root.Child("api"), fmt.Sprintf("%v/%d", s.API.QPS, s.API.Burst), "must be finite and not negative"))
	}
	errs = append(errs, checkLimits(root.Child("limits"), s.Limits)...)
	errs = append(errs, s.PodGC.validate(root.Child("podGC"))...)
	if s.Kubelet.StartupModel != nil {
		errs = append(errs, s.Kubelet.StartupModel.validate(kp.Child("startupModel"))...)
	}

	// Every node name the run can meet, in the chosen order.
	names := map[string]bool{}
	for _, n := range cluster.nodes { // NewCluster checked them: named, once each
		names[n.Name] = true
	}
	for k, ev := range s.Events {
		p := root.Child("events").Index(k)
		if ev.At < 0 {
			errs = append(errs, field.Invalid(p.Child("at"), ev.At.String(), "must not be negative"))
		}
		switch ev.Kind {
		case EventNodeAdd:
			if ev.NewNode == nil || ev.NewNode.Name == "" {
				errs = append(errs, field.Required(p.Child("newNode"), "a node with a name is required"))
				continue
			}
			names[ev.NewNode.Name] = true
		case EventNodeRemove, EventTaint, EventUntaint, EventLabel, EventUnlabel, EventNotReady, EventReady, EventCordon, EventUncordon:
			if ev.Node == "" {
				errs = append(errs, field.Required(p.Child("node"), "node name required"))
			}
			if (ev.Kind == EventTaint || ev.Kind == EventUntaint) && ev.Taint.Effect == "" {
				errs = append(errs, field.Required(p.Child("taint", "effect"), "taint effect required"))
			}
			if (ev.Kind == EventLabel || ev.Kind == EventUnlabel) && ev.Key == "" {
				errs = append(errs, field.Required(p.Child("key"), "label key required"))
			}
		default:
			errs = append(errs, field.NotSupported(p.Child("kind"), ev.Kind, []EventKind{EventNodeAdd, EventNodeRemove,
				EventTaint, EventUntaint, EventLabel, EventUnlabel, EventNotReady, EventReady, EventCordon, EventUncordon}))
		}
	}
	for k, ev := range s.Events {
		if ev.Kind != EventNodeAdd && ev.Node != "" && !names[ev.Node] {
			errs = append(errs, field.NotFound(root.Child("events").Index(k).Child("node"), ev.Node))
		}
	}
	for _, l := range []struct {
		name  string
		nodes []string
	}{{"broken", s.Kubelet.Broken}, {"crashLoop", s.Kubelet.CrashLoop}, {"brokenNew", s.Kubelet.BrokenNew},
		{"crashLoopNew", s.Kubelet.CrashLoopNew}, {"pending", s.Kubelet.Pending}, {"failing", s.Kubelet.Failing}} {
		for k, n := range l.nodes {
			if !names[n] {
				errs = append(errs, field.NotFound(kp.Child(l.name).Index(k), n))
			}
		}
	}
	for n := range s.Kubelet.NodeStartup {
		if !names[n] {
			errs = append(errs, field.NotFound(kp.Child("nodeStartup").Key(n), n))
		}
	}
	switch s.Order.Kind {
	case OrderSorted, OrderRandom:
	case OrderExplicit:
		for k, n := range s.Order.Names {
			if !names[n] {
				errs = append(errs, field.NotFound(root.Child("order", "names").Index(k), n))
			}
		}
	default:
		errs = append(errs, field.Invalid(root.Child("order", "kind"), s.Order.Kind, "must be OrderSorted, OrderRandom or OrderExplicit"))
	}
	if len(errs) > 0 {
		return nil, inputError("", errs...)
	}
	// Claimed pods of the cluster may target nodes that are not there.
	claimed, targets := claimPods(cluster.pods, to)
	for _, t := range targets {
		names[t] = true
	}
	if len(names) > MaxNodes {
		// the nodes of the cluster, of NodeAdd events and those claimed pods name
		return nil, inputError("", errTooManyNodes(root.Child("cluster", "nodes"), len(names)))
	}
	return &checkedScenario{cluster: cluster, from: from, to: to, changes: changes, nodeNames: names,
		claimed: claimed, claimedTargets: targets}, nil
}

// newEngine validates s and sets the engine up at t=0: the node order, the
// From revision with its pods, the cluster's pods the DaemonSet claims, To
// applied, the scripted events and changes queued.
func newEngine(ctx context.Context, s *Scenario) (*engine, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	cs, err := validateScenario(s)
	if err != nil {
		return nil, err
	}
	cluster, from, to, changes := cs.cluster, cs.from, cs.to, cs.changes
	claimed, targets := cs.claimed, cs.claimedTargets

	e := &engine{
		ctx:      ctx,
		s:        s,
		rng:      rand.New(rand.NewPCG(uint64(s.Order.Seed), 0x9e3779b97f4a7c15)),
		start:    s.Start,
		maxTime:  secs(s.Limits.MaxTime),
		maxRec:   s.Limits.MaxReconciles,
		maxSteps: s.Limits.MaxSteps,
		maxPods:  s.Limits.MaxPods,
		hashIDs:  map[string]int32{},
		byName:   map[string]int32{},
		backoffs: map[backoffKey]backoffEntry{},
		wakes:    map[int64]bool{},
		rq:       newRequeue(),
		grace:    secs(s.Kubelet.Termination),
		curRev:   -1,
		curHash:  -1,
		trace:    &tracer{},
		gc:       newPodGC(s.PodGC),
	}
	if e.start.IsZero() {
		e.start = defaultStart
	}
	if s.Limits.MaxTime == 0 { // not e.maxTime: a MaxTime under 1s means t=0 only
		e.maxTime = secs(defaultMaxTime)
	}
	if e.maxRec == 0 {
		e.maxRec = defaultMaxReconciles
	}
	if e.maxSteps == 0 {
		e.maxSteps = defaultMaxSteps
	}
	if e.maxPods == 0 {
		e.maxPods = defaultMaxPods
	}
	e.tokens = float64(max(s.API.Burst, 1))

	e.layoutNodes(cs.nodeNames, cluster)
	e.pods = make([]pod, 0, 2*len(e.nodes)+len(claimed))

	// From: the revision and pods of a finished rollout.
	if from != nil {
		e.ds = from
		if from.Generation == 0 {
			from.Generation = 1
		}
		tg := int64(1)
		if g := daemonset.TemplateGeneration(from); g != nil && *g > 1 {
			tg = *g
		}
		setTemplateGeneration(from, tg)
		e.placer = daemonset.NewPlacer(from)
		e.constructHistory()
		e.genStr, e.hasGen = genString(daemonset.TemplateGeneration(from))
		held := make(map[string]bool, len(targets))
		for _, t := range targets {
			held[t] = true
		}
		e.seedFromPods(held)
	}
	e.adoptPods(claimed)
	for i := range e.nodes {
		// claimed pods bound to nodes not in the node list: orphans
		if e.nodes[i].obj == nil && e.holdsBoundPods(int32(i)) {
			e.trace.orphaned(e, int32(i))
			e.nodeMissing(int32(i))
		}
	}
	e.applyDS(to)
	e.ds.Status.ObservedGeneration = 0
	if from != nil {
		e.ds.Status.ObservedGeneration = from.Generation
	}
	for k := range s.Events {
		e.push(secs(s.Events[k].At), evScript, int32(k))
	}
	e.changes = changes
	for k := range changes {
		e.push(secs(s.Changes[k].At), evChange, int32(k))
	}
	e.initStartup()
	// the taint-eviction controller notices the pods on NoExecute-tainted
	// nodes at t=0
	for i := range e.nodes {
		if n := &e.nodes[i]; n.obj != nil && hasNoExecute(n.obj) {
			for _, id := range n.pods {
				e.taintEvict(id)
			}
		}
	}
	return e, nil
}

// validateUpdate is the API server's update validation; the resourceVersion
// a client must send is filled in, as the simulated client always sends the
// stored one, and the fields the server keeps from the stored object before
// it validates (generation, creationTimestamp) are taken from old: an update
// written as a plain manifest leaves them out.
//
// upstream: staging/src/k8s.io/apiserver/pkg/registry/rest/update.go BeforeUpdate
func validateUpdate(nd, old *appsv1.DaemonSet) field.ErrorList {
	n, o := nd.DeepCopy(), old.DeepCopy()
	if o.ResourceVersion == "" {
		o.ResourceVersion = "1"
	}
	n.ResourceVersion = o.ResourceVersion
	n.Generation = o.Generation
	if !o.CreationTimestamp.IsZero() {
		n.CreationTimestamp = o.CreationTimestamp
	}
	return daemonset.ValidateUpdate(n, o)
}

func prefixed(p *field.Path, errs field.ErrorList) field.ErrorList {
	for _, fe := range errs {
		fe.Field = p.String() + "." + fe.Field
	}
	return errs
}

func setTemplateGeneration(ds *appsv1.DaemonSet, g int64) {
	if ds.Annotations == nil {
		ds.Annotations = map[string]string{}
	}
	ds.Annotations[daemonset.TemplateGenerationAnnotation] = strconv.FormatInt(g, 10)
}

// layoutNodes assigns every node name a position in the chosen order.
func (e *engine) layoutNodes(names map[string]bool, c *Cluster) {
	all := make([]string, 0, len(names))
	for n := range names {
		all = append(all, n)
	}
	sort.Strings(all)
	switch e.s.Order.Kind {
	case OrderRandom:
		e.rng.Shuffle(len(all), func(a, b int) { all[a], all[b] = all[b], all[a] })
	case OrderExplicit:
		rank := map[string]int{}
		for k, n := range e.s.Order.Names {
			if _, ok := rank[n]; !ok {
				rank[n] = k
			}
		}
		sort.SliceStable(all, func(a, b int) bool {
			ra, oka := rank[all[a]]
			rb, okb := rank[all[b]]
			switch {
			case oka && okb:
				return ra < rb
			case oka != okb:
				return oka
			}
			return false
		})
	}
	e.nodes = make([]nodeState, len(all))
	for k := range e.sets {
		e.sets[k] = newNodeSet(len(all))
	}
	e.manageQ = newNodeSet(len(all))
	e.counts[clsOut] = len(all)
	kl := &e.s.Kubelet
	flag := func(list []string) map[string]bool {
		m := make(map[string]bool, len(list))
		for _, n := range list {
			m[n] = true
		}
		return m
	}
	broken, crash, pending, failing := flag(kl.Broken), flag(kl.CrashLoop), flag(kl.Pending), flag(kl.Failing)
	brokenNew, crashNew := flag(kl.BrokenNew), flag(kl.CrashLoopNew)
	for k, name := range all {
		e.byName[name] = int32(k)
		n := &e.nodes[k]
		n.name = name
		n.broken, n.crash, n.pending, n.failing = broken[name], crash[name], pending[name], failing[name]
		n.brokenNew, n.crashNew = brokenNew[name], crashNew[name]
		n.startup = secs(kl.Startup)
		if d, ok := kl.NodeStartup[name]; ok {
			n.startup = max(secs(d), 0)
		}
		n.newPod, n.oldPod = -1, -1
		e.sets[clsOut].add(int32(k))
	}
	for _, node := range c.nodes {
		i := e.byName[node.Name]
		n := &e.nodes[i]
		n.obj = node
		n.nodeNotReady = nodeConditionNotReady(node)
	}
}

// claimPods picks the cluster pods the DaemonSet owns or adopts
// (daemonset.ClaimPods), and the node names they target.
// upstream: daemon_controller.go getDaemonPods, getNodesToDaemonPods
func claimPods(pods []*corev1.Pod, ds *appsv1.DaemonSet) (claimed []*corev1.Pod, targets []string) {
	for _, p := range daemonset.ClaimPods(ds, pods) {
		if p.DeletionTimestamp != nil && (p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded) {
			continue // upstream: getNodesToDaemonPods drops terminal deleted pods
		}
		t, err := daemonset.TargetNodeName(p)
		if err != nil {
			continue
		}
		claimed = append(claimed, p)
		targets = append(targets, t)
	}
	return claimed, targets
}

// seedFromPods puts one pod of the current (From) revision on every node
// where it should run, except the nodes in held: the cluster's own pods of
// the DaemonSet are there (a snapshot of a live cluster), and they are its
// state.
func (e *engine) seedFromPods(held map[string]bool) {
	for i := range e.nodes {
		n := &e.nodes[i]
		if n.obj == nil || held[n.name] {
			continue
		}
		n.shouldRun, n.shouldContinueRunning = e.placer.ShouldRun(n.obj)
		if !n.shouldRun {
			continue
		}
		id := int32(len(e.pods))
		p := pod{name: e.nextPodName(), node: int32(i), hash: e.curHash, gen: e.genStr, hasGen: e.hasGen,
			rev: e.curRev, created: -preexisting, phase: phasePending, readySince: never, readyAt: never}
		switch {
		case n.pending || e.revs[e.curRev].pending[int32(i)] != "":
			p.cause = CausePending
		default:
			p.bound = true
			p.phase = phaseRunning
			switch {
			case n.failing:
				p.phase = phaseFailed
				p.cause = CauseFailed
				e.failed++
			case n.crash:
				p.cause = CauseCrashLoopBackOff
			case n.broken:
				p.cause = CausePodNeverReady
			default:
				p.readyAt = -preexisting + n.startup
				if !n.nodeNotReady {
					p.ready = true
					p.readySince = p.readyAt
				}
			}
		}
		e.pods = append(e.pods, p)
		n.pods = append(n.pods, id)
		if p.hash >= 0 {
			e.hashLive[p.hash]++
		}
	}
}

// adoptPods turns the claimed cluster pods into engine pods.
func (e *engine) adoptPods(claimed []*corev1.Pod) {
	for _, cp := range claimed {
		t, _ := daemonset.TargetNodeName(cp)
		i := e.byName[t]
		p := pod{name: cp.Name, node: i, hash: e.internHash(cp.Labels[daemonset.ControllerRevisionHashLabel]),
			rev: -1, created: e.rel(cp.CreationTimestamp), readySince: never, readyAt: never}
		p.gen, p.hasGen = cp.Labels[daemonset.TemplateGenerationLabel]
		for k, r := range e.revs {
			if r.hashID == p.hash && p.hash >= 0 {
				p.rev = int32(k)
			}
		}
		switch cp.Status.Phase {
		case corev1.PodRunning, corev1.PodUnknown:
			p.phase = phaseRunning
		case corev1.PodFailed:
			p.phase = phaseFailed
		case corev1.PodSucceeded:
			p.phase = phaseSucceeded
		default:
			p.phase = phasePending
		}
		p.bound = cp.Spec.NodeName != ""
		for _, c := range cp.Status.Conditions {
			if c.Type == corev1.PodReady {
				p.ready = c.Status == corev1.ConditionTrue
				p.readyZero = c.LastTransitionTime.IsZero()
				p.readySince = e.rel(c.LastTransitionTime)
				break
			}
		}
		if p.ready {
			p.readyAt = p.readySince
		}
		if cp.DeletionTimestamp != nil {
			p.deleting = true
		}
		id := int32(len(e.pods))
		e.pods = append(e.pods, p)
		e.nodes[i].pods = append(e.nodes[i].pods, id)
		if p.hash >= 0 {
			e.hashLive[p.hash]++
		}
		if p.phase == phaseFailed && !p.deleting {
			e.failed++
		}
		if p.deleting && p.bound {
			// The kubelet finishes terminating it at its deletionTimestamp
			// (the end of its grace period); one already past never finishes
			// (an unreachable node's pod).
			if at := e.rel(*cp.DeletionTimestamp); at > 0 {
				e.push(at, evGone, id)
			}
		}
	}
	// foreign pods' host ports, for the scheduler stage
	mine := make(map[*corev1.Pod]bool, len(claimed))
	for _, cp := range claimed {
		mine[cp] = true
	}
	for _, cp := range clusterPods(e.s.Cluster) {
		if cp == nil || cp.Spec.NodeName == "" || cp.Status.Phase == corev1.PodFailed || cp.Status.Phase == corev1.PodSucceeded {
			continue
		}
		if i, ok := e.byName[cp.Spec.NodeName]; ok && !mine[cp] {
			e.nodes[i].ports = append(e.nodes[i].ports, podHostPorts(cp)...)
		}
	}
}

func clusterPods(c *Cluster) []*corev1.Pod {
	if c == nil {
		return nil
	}
	return c.pods
}

// rel converts a wall-clock timestamp to seconds since Start.
func (e *engine) rel(t metav1.Time) int64 {
	if t.IsZero() {
		return never
	}
	d := t.Time.Sub(e.start)
	s := int64(d / time.Second)
	if d < 0 && d%time.Second != 0 {
		s--
	}
	return s
}

// applyDS stores a new version of the DaemonSet as the API server would
// (generation and template generation) and lets the controller see it: new
// revision or rollback, new placement everywhere.
// upstream: pkg/registry/apps/daemonset/strategy.go PrepareForCreate,
// PrepareForUpdate
func (e *engine) applyDS(nd *appsv1.DaemonSet) {
	nd = nd.DeepCopy()
	old := e.ds
	if old == nil {
		nd.Generation = 1
		tg := int64(1)
		if g := daemonset.TemplateGeneration(nd); g != nil && *g > 1 {
			tg = *g
		}
		setTemplateGeneration(nd, tg)
		nd.Status = appsv1.DaemonSetStatus{}
	} else {
		nd.Name, nd.Namespace, nd.UID = old.Name, old.Namespace, old.UID
		tg := int64(1)
		if g := daemonset.TemplateGeneration(old); g != nil {
			tg = *g
		}
		nd.Generation = old.Generation
		if !equality.Semantic.DeepEqual(old.Spec.Template, nd.Spec.Template) {
			tg++
			nd.Generation++
		} else if !equality.Semantic.DeepEqual(old.Spec, nd.Spec) {
			nd.Generation++
		}
		setTemplateGeneration(nd, tg)
		nd.Status = *old.Status.DeepCopy()
	}
	e.ds = nd
	e.budgetOK = false
	e.placer = daemonset.NewPlacer(nd)
	e.minReady = int64(nd.Spec.MinReadySeconds)
	e.rolling = nd.Spec.UpdateStrategy.Type == appsv1.RollingUpdateDaemonSetStrategyType
	e.surge = daemonset.AllowsSurge(nd)
	e.genStr, e.hasGen = genString(daemonset.TemplateGeneration(nd))
	e.constructHistory()
	for i := range e.nodes {
		n := &e.nodes[i]
		if n.obj != nil {
			n.shouldRun, n.shouldContinueRunning = e.placer.ShouldRun(n.obj)
		}
	}
	for i := range e.nodes {
		e.sortPods(e.nodes[i].pods)
		e.refresh(int32(i))
	}
	// pods of the current revision waiting for minReadySeconds
	if e.minReady > 0 {
		for i := range e.pods {
			p := &e.pods[i]
			if !p.gone && p.ready && !p.readyZero && p.readySince+e.minReady > e.now {
				e.push(p.readySince+e.minReady, evAvail, p.node)
			}
		}
	}
}
