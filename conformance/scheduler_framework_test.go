package conformance

import (
	"context"
	"fmt"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	clientsetfake "k8s.io/client-go/kubernetes/fake"
	kubeschedulerconfigv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	"k8s.io/kubernetes/pkg/scheduler/apis/config/scheme"
	internalcache "k8s.io/kubernetes/pkg/scheduler/backend/cache"
	internalqueue "k8s.io/kubernetes/pkg/scheduler/backend/queue"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	frameworkplugins "k8s.io/kubernetes/pkg/scheduler/framework/plugins"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/defaultbinder"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/defaultpreemption"
	plfeature "k8s.io/kubernetes/pkg/scheduler/framework/plugins/feature"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/names"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/queuesort"
	frameworkruntime "k8s.io/kubernetes/pkg/scheduler/framework/runtime"
	"k8s.io/kubernetes/pkg/scheduler/metrics"

	utilfeature "k8s.io/apiserver/pkg/util/feature"
)

// upstreamScheduler is kube-scheduler v1.37.2's framework built in process
// from the plugins' own constructors (the in-tree registry, the feature
// gates' defaults): the default profile's filters a DaemonSet pod meets
// (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts,
// NodeResourcesFit, PodTopologySpread, InterPodAffinity, in the default
// profile's order) and DefaultPreemption,
// over a snapshot of nodes and bound pods that can be swapped per case.
//
// upstream: pkg/scheduler/apis/config/v1/default_plugins.go getDefaultPlugins,
// pkg/scheduler/framework/plugins/registry.go NewInTreeRegistry, the set-up
// of defaultpreemption/default_preemption_test.go TestPostFilter
type upstreamScheduler struct {
	ctx     context.Context
	lister  *swappableSnapshot
	fw      framework.Framework
	filters []fwk.FilterPlugin
	preempt *defaultpreemption.DefaultPreemption
}

// schedulerFilterOrder is the default profile's order of the filters a
// daemon pod can fail.
var schedulerFilterOrder = []string{names.NodeName, names.NodeUnschedulable, names.TaintToleration,
	names.NodeAffinity, names.NodePorts, names.NodeResourcesFit, names.PodTopologySpread, names.InterPodAffinity}

// schedNamespaces are the Namespaces of the generated pods, as the API
// server stores them (every namespace carries kubernetes.io/metadata.name),
// two with a team label namespaceSelectors read. Pods of namespace team-b
// have no Namespace object: the scheduler reads it as having no labels.
func schedNamespaces() []*corev1.Namespace {
	var out []*corev1.Namespace
	for _, ns := range []struct{ name, team string }{{"default", "a"}, {"team-a", "b"}, {"kube-system", ""}} {
		l := map[string]string{corev1.LabelMetadataName: ns.name}
		if ns.team != "" {
			l["team"] = ns.team
		}
		out = append(out, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns.name, Labels: l}})
	}
	return out
}

// swappableSnapshot is the scheduler's snapshot lister, pointed at the
// current case's snapshot.
type swappableSnapshot struct {
	*internalcache.Snapshot
	// live: the caller adds and removes pods on the snapshot's node infos
	// (see NodeInfos).
	live bool
}

// NodeInfos lists the snapshot's node infos. When live, the lists of nodes
// holding pods with (anti-)affinity are computed from their pods at the
// time of the call, as the scheduler cache's UpdateSnapshot recomputes them
// after a pod with such terms comes or goes (the differential adds daemon
// pods and removes victims on the node infos of one snapshot); otherwise
// they are the snapshot's own, as in the scheduler (a pass over every node
// per call would inflate upstream's cost in the benchmarks).
func (s *swappableSnapshot) NodeInfos() fwk.NodeInfoLister {
	if !s.live {
		return s.Snapshot.NodeInfos()
	}
	return liveLists{s.Snapshot.NodeInfos()}
}

type liveLists struct{ fwk.NodeInfoLister }

func (l liveLists) with(has func(fwk.NodeInfo) bool) ([]fwk.NodeInfo, error) {
	all, err := l.List()
	var out []fwk.NodeInfo
	for _, ni := range all {
		if has(ni) {
			out = append(out, ni)
		}
	}
	return out, err
}

func (l liveLists) HavePodsWithAffinityList() ([]fwk.NodeInfo, error) {
	return l.with(func(ni fwk.NodeInfo) bool { return len(ni.GetPodsWithAffinity()) > 0 })
}

func (l liveLists) HavePodsWithRequiredAntiAffinityList() ([]fwk.NodeInfo, error) {
	return l.with(func(ni fwk.NodeInfo) bool { return len(ni.GetPodsWithRequiredAntiAffinity()) > 0 })
}

var schedConfigDecoder = scheme.Codecs.UniversalDecoder()

// defaultPluginArgs decodes the plugin's args with v1 defaults, as the
// scheduler does for a profile that sets none (nil when it takes none).
func defaultPluginArgs(name string) runtime.Object {
	gvk := kubeschedulerconfigv1.SchemeGroupVersion.WithKind(name + "Args")
	args, _, err := schedConfigDecoder.Decode(nil, &gvk, nil)
	if err != nil {
		return nil
	}
	return args
}

func newUpstreamScheduler(tb testing.TB) *upstreamScheduler {
	tb.Helper()
	ctx := context.Background()
	metrics.Register() // the framework records plugin metrics; idempotent
	registry := frameworkplugins.NewInTreeRegistry()
	profile := &config.KubeSchedulerProfile{SchedulerName: "default-scheduler", Plugins: &config.Plugins{}}
	enable := func(set *config.PluginSet, name string) {
		set.Enabled = append(set.Enabled, config.Plugin{Name: name, Weight: 1})
		if args := defaultPluginArgs(name); args != nil && !slices.ContainsFunc(profile.PluginConfig, func(c config.PluginConfig) bool { return c.Name == name }) {
			profile.PluginConfig = append(profile.PluginConfig, config.PluginConfig{Name: name, Args: args})
		}
	}
	enable(&profile.Plugins.QueueSort, queuesort.Name)
	enable(&profile.Plugins.Bind, defaultbinder.Name)
	for _, name := range schedulerFilterOrder {
		enable(&profile.Plugins.PreFilter, name)
		enable(&profile.Plugins.Filter, name)
	}
	var nsObjs []runtime.Object
	for _, ns := range schedNamespaces() {
		nsObjs = append(nsObjs, ns)
	}
	cs := clientsetfake.NewClientset(nsObjs...)
	informerFactory := informers.NewSharedInformerFactory(cs, 0)
	lister := &swappableSnapshot{Snapshot: internalcache.NewEmptySnapshot()}
	fw, err := frameworkruntime.NewFramework(ctx, registry, profile,
		frameworkruntime.WithClientSet(cs),
		frameworkruntime.WithInformerFactory(informerFactory),
		// no pods nominated: a daemon pod's node is decided by the controller
		frameworkruntime.WithPodNominator(internalqueue.NewSchedulingQueue(nil, informerFactory)),
		frameworkruntime.WithSnapshotSharedLister(lister),
		frameworkruntime.WithMutableSnapshotLister(lister),
		frameworkruntime.WithWaitingPods(frameworkruntime.NewWaitingPodsMap()),
		frameworkruntime.WithPodsInPreBind(frameworkruntime.NewPodsInPreBindMap()),
	)
	if err != nil {
		tb.Fatal(err)
	}
	us := &upstreamScheduler{ctx: ctx, lister: lister, fw: fw}
	// each filter on its own, to collect every failing filter's reasons
	// (the framework stops at the first)
	for _, name := range schedulerFilterOrder {
		pl, err := registry[name](ctx, defaultPluginArgs(name), fw)
		if err != nil {
			tb.Fatal(err)
		}
		us.filters = append(us.filters, pl.(fwk.FilterPlugin))
	}
	fts := plfeature.NewSchedulerFeaturesFromGates(utilfeature.DefaultFeatureGate)
	dp, err := defaultpreemption.New(ctx, defaultPluginArgs(names.DefaultPreemption), fw, fts)
	if err != nil {
		tb.Fatal(err)
	}
	us.preempt = dp
	// the plugins' listers (InterPodAffinity's namespaces) filled
	informerFactory.Start(ctx.Done())
	informerFactory.WaitForCacheSync(ctx.Done())
	return us
}

// upstreamOutcome is what the scheduler does with one pod on one node.
type upstreamOutcome struct {
	// Binds: the filters pass, or preemption makes room.
	Binds bool
	// Reasons: every failing filter's reasons, "Plugin: reason", sorted
	// (when Binds is false or Victims is set).
	Reasons []string
	// Victims are the pods DefaultPreemption evicts ("namespace/name"), in
	// SelectVictimsOnNode's order.
	Victims []string
	// PDBViolations is the number of victims whose eviction violates a
	// PodDisruptionBudget.
	PDBViolations int
}

// load points the scheduler at a snapshot of nodes and the pods bound to
// them (the scheduler's cache holds assigned pods that are not terminal:
// pkg/scheduler/eventhandlers.go).
func (us *upstreamScheduler) load(nodes []*corev1.Node, pods []*corev1.Pod) {
	var bound []*corev1.Pod
	known := map[string]bool{}
	for _, n := range nodes {
		known[n.Name] = true
	}
	for _, p := range pods {
		// a pod bound to a node the cache does not hold is in no node's
		// info of the snapshot (backend/cache/cache.go UpdateSnapshot lists
		// the nodes it has Node objects for)
		if known[p.Spec.NodeName] && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			if p.UID == "" { // the API server gives every pod one
				cp := *p
				cp.UID = types.UID(p.Namespace + "/" + p.Name)
				p = &cp
			}
			bound = append(bound, p)
		}
	}
	us.lister.Snapshot = internalcache.NewSnapshot(bound, nodes)
}

// schedule runs one scheduling cycle of pod against node: PreFilter, the
// filters, and, when the node rejects the pod in a way preemption may
// resolve, DefaultPreemption's dry run on that node (PodEligibleToPreemptOthers,
// GetVictimsOnNode, SelectVictimsOnNode).
// upstream: pkg/scheduler/schedule_one.go schedulePod, findNodesThatFitPod;
// preemption/preemption.go Evaluator.Preempt, findCandidates, DryRunPreemption
func (us *upstreamScheduler) schedule(tb testing.TB, pod *corev1.Pod, node string, pdbs []*policyv1.PodDisruptionBudget) upstreamOutcome {
	tb.Helper()
	ctx := us.ctx
	state := framework.NewCycleState()
	_, pre, _ := us.fw.RunPreFilterPlugins(ctx, state, pod)
	ni, err := us.lister.NodeInfos().Get(node)
	if err != nil {
		tb.Fatalf("node %s: %v", node, err)
	}
	var out upstreamOutcome
	if !pre.IsSuccess() {
		if pre.Code() == fwk.Error {
			tb.Fatalf("PreFilter: %v", pre.AsError())
		}
		for _, r := range pre.Reasons() {
			out.Reasons = append(out.Reasons, pre.Plugin()+": "+r)
		}
		return out
	}
	status := us.fw.RunFilterPluginsWithNominatedPods(ctx, state, pod, ni)
	if status.Code() == fwk.Error {
		tb.Fatalf("Filter: %v", status.AsError())
	}
	for i, pl := range us.filters {
		if state.GetSkipFilterPlugins().Has(schedulerFilterOrder[i]) {
			continue
		}
		st := pl.Filter(ctx, state, pod, ni)
		if st.IsSuccess() {
			continue
		}
		if st.Code() == fwk.Error {
			tb.Fatalf("%s: %v", schedulerFilterOrder[i], st.AsError())
		}
		for _, r := range st.Reasons() {
			out.Reasons = append(out.Reasons, schedulerFilterOrder[i]+": "+r)
		}
	}
	slices.Sort(out.Reasons)
	if status.IsSuccess() {
		if len(out.Reasons) > 0 {
			tb.Fatalf("framework passes the pod, filters one by one say %v", out.Reasons)
		}
		out.Binds = true
		return out
	}
	if len(out.Reasons) == 0 {
		tb.Fatalf("framework rejects the pod (%v), no filter does", status)
	}
	// preemption: only where the rejection is not unresolvable
	// upstream: preemption.go nodesWherePreemptionMightHelp
	if status.Code() == fwk.UnschedulableAndUnresolvable {
		return out
	}
	if ok, _ := us.preempt.PodEligibleToPreemptOthers(ctx, pod, status); !ok {
		return out
	}
	cands, _, err := us.preempt.Evaluator.DryRunPreemption(ctx, state, pod, []fwk.NodeInfo{ni}, pdbs, 0, 1)
	if err != nil {
		tb.Fatalf("DryRunPreemption: %v", err)
	}
	if len(cands) == 0 {
		return out
	}
	if len(cands) != 1 || cands[0].Name() != node {
		tb.Fatalf("DryRunPreemption: candidates %v", cands)
	}
	out.Binds = true
	for _, v := range cands[0].Victims().Pods {
		out.Victims = append(out.Victims, v.Namespace+"/"+v.Name)
	}
	out.PDBViolations = int(cands[0].Victims().NumPDBViolations)
	return out
}

func (o upstreamOutcome) String() string {
	return fmt.Sprintf("binds=%v reasons=%q victims=%v pdbViolations=%d", o.Binds, o.Reasons, o.Victims, o.PDBViolations)
}

// scheduleOnly is schedule without the per-filter reasons: one cycle as the
// scheduler runs it (PreFilter, the filters up to the first failure,
// preemption's dry run where it may help). It reports whether the pod binds.
func (us *upstreamScheduler) scheduleOnly(tb testing.TB, pod *corev1.Pod, ni fwk.NodeInfo) bool {
	ctx := us.ctx
	state := framework.NewCycleState()
	if _, pre, _ := us.fw.RunPreFilterPlugins(ctx, state, pod); !pre.IsSuccess() {
		return false
	}
	status := us.fw.RunFilterPluginsWithNominatedPods(ctx, state, pod, ni)
	if status.IsSuccess() {
		return true
	}
	if status.Code() != fwk.Unschedulable {
		return false
	}
	if ok, _ := us.preempt.PodEligibleToPreemptOthers(ctx, pod, status); !ok {
		return false
	}
	cands, _, err := us.preempt.Evaluator.DryRunPreemption(ctx, state, pod, []fwk.NodeInfo{ni}, nil, 0, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return len(cands) > 0
}
