package conformance

// The upstream harness: runs Kubernetes v1.37.2's UNMODIFIED DaemonSet
// controller (k8s.io/kubernetes/pkg/controller/daemon.NewDaemonSetsController
// and its Run) under the ideal-kubelet parity model of ARCHITECTURE.md, on a
// virtual clock, and records what every reconcile did.
//
// How the controller is driven without modifying it:
//
//   - Client: a fake clientset (k8s.io/client-go/kubernetes/fake) whose
//     reactors play the API server: they assign names, UIDs, resource versions
//     and creation timestamps (virtual time), bind a created pod at once to the
//     node its pinned affinity targets, and apply every write to the informer
//     stores synchronously, delivering the watch event to the controller's
//     handlers before the call returns. That is "synchronous observation"
//     (spec §6.0): every write is seen by the next read, as in upstream's own
//     unit-test harness.
//   - Informers: exported informer interfaces (appsinformers.DaemonSetInformer,
//     ...) implemented over plain cache.Indexers with the exported listers
//     (appslisters.NewDaemonSetLister, ...). Nothing is watched
//     asynchronously, so what the controller sees is exactly what the harness
//     wrote, in order.
//   - Clock: the controller reads time only through failedPodsBackoff.Clock
//     (an exported field of the exported flowcontrol.Backoff passed to
//     NewDaemonSetsController): availability in rollingUpdate and status,
//     surge availability in manage, backoff, and the start and end of every
//     syncDaemonSet. The harness passes a virtual clock. The first call of a
//     sync (startTime := ...Clock.Now() in syncDaemonSet) and the last (the
//     deferred "Finished syncing" log's argument) are recognised by their
//     caller's name, which gives exact reconcile boundaries: the harness
//     counts the creates and deletes of each reconcile and knows when the
//     controller has come to rest (a reconcile that wrote nothing — every
//     write re-enqueues the DaemonSet through its own watch event).
//   - A world lock held by the controller from the start to the end of a
//     reconcile and by the harness while it changes the world (clock, pod
//     readiness, DaemonSet spec) makes each instant's changes atomic for the
//     controller: requeues on real-time timers (AddAfter for minReadySeconds)
//     can only run a reconcile on a consistent world, where it is a no-op or
//     the instant's own reconcile.
//
// Comparing with the engine (rollout_test.go). Upstream picks nodes in Go
// map order (candidates to delete or surge onto) and informer order (creates
// beyond burstReplicas), so per-reconcile node choices — and, on
// heterogeneous clusters, later counts — differ from run to run. The trace
// records PickOrder: nodes in the order upstream first created or deleted a
// pod on them. In one rollout every selection upstream makes takes some
// candidates and leaves the rest for a later reconcile, and a node is first
// picked at most once, so the engine run with OrderExplicit(PickOrder) (a
// prefix of the candidates in that order) makes exactly upstream's choices
// if it is right: node sets, not just counts, are compared. Across several
// template changes a node is picked once per rollout and one static order
// cannot replay them all; those scenarios are compared on homogeneous
// clusters where node identity cannot matter.
//
// Instants: the harness advances the clock to the next instant where
// something happens — a pod turns Ready (creation + startup; never on broken
// nodes), a Ready pod becomes available (Ready + minReadySeconds, inclusive),
// a scheduled DaemonSet change — sets the clock, applies the kubelet's status
// updates through the store (Ready condition with lastTransitionTime = the
// instant), enqueues the DaemonSet and waits until a reconcile writes nothing.

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	appsinformers "k8s.io/client-go/informers/apps/v1"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes/fake"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/flowcontrol"
	"k8s.io/klog/v2"
	appsv1defaults "k8s.io/kubernetes/pkg/apis/apps/v1"
	"k8s.io/kubernetes/pkg/controller/daemon"
	daemonutil "k8s.io/kubernetes/pkg/controller/daemon/util"
	"k8s.io/utils/clock"

	"github.com/daemonkit/daemonkit/simulate"
)

// harnessEpoch is the wall-clock time of t=0 (the same as simulate's default
// Scenario.Start).
var harnessEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// fromLead is how long before t=0 the "From" DaemonSet is created, so that
// its pods are Ready and available at t=0 for any startup + minReadySeconds
// the tests use.
const fromLead = 24 * time.Hour

// templateGenerationAnnotation is apps/v1's carrier of the template generation.
const templateGenerationAnnotation = appsv1.DeprecatedTemplateGeneration

// upstreamScenario is one rollout to drive through upstream's controller.
type upstreamScenario struct {
	// Nodes of the cluster (static during the run).
	Nodes []*corev1.Node
	// From is the DaemonSet before t=0, fully rolled out at t=0 (created at
	// -fromLead and run to rest); nil = To is created at t=0.
	From *appsv1.DaemonSet
	// To is applied at t=0 (an update of From, or a creation).
	To *appsv1.DaemonSet
	// Changes are later updates (At > 0, increasing).
	Changes []upstreamChange
	// Startup is the time from binding to Ready (whole seconds).
	Startup time.Duration
	// Broken nodes run pods that never turn Ready.
	Broken []string
	// BrokenNew nodes run pods of a template other than From's that never
	// turn Ready (simulate.KubeletModel.BrokenNew); From's pods there are
	// healthy.
	BrokenNew []string
	// MaxTime bounds the run (default 30 days).
	MaxTime time.Duration
	// Events are scripted node changes from t=0 (upstream_churn_test.go):
	// applied at their instants, in order, before the pod GC, the kubelet
	// and the controller of that instant.
	Events []simulate.Event
	// PodGC is the pod garbage collector emulated beside the controller
	// (upstream_churn_test.go).
	PodGC harnessPodGC
	// Admit, when set, is the API server's admission of a pod create: a
	// create it refuses fails with its error (failedcreate_test.go).
	Admit func(*corev1.Pod) error
}

// upstreamChange is a DaemonSet update at a chosen instant.
type upstreamChange struct {
	At time.Duration
	DS *appsv1.DaemonSet
}

// upstreamSync is one reconcile that created or deleted pods.
type upstreamSync struct {
	Time time.Duration
	// Created and Deleted list the nodes, in the order the API saw the calls.
	Created, Deleted []string
	// Failed lists the nodes of the creates the API server refused.
	Failed []string
	// Status is the DaemonSet status stored after the reconcile.
	Status appsv1.DaemonSetStatus
}

// upstreamInstant is everything that happened at one instant.
type upstreamInstant struct {
	Time time.Duration
	// Acting are the reconciles that created or deleted pods, in order.
	Acting []upstreamSync
	// Failing are the reconciles with a create the API server refused.
	Failing []upstreamSync
	// Reconciles counts every reconcile of the instant (acting or not).
	Reconciles int
	// Status is the stored status when the controller came to rest.
	Status appsv1.DaemonSetStatus
}

// upstreamTrace is the record of one upstream run from t=0.
type upstreamTrace struct {
	Instants []upstreamInstant
	// PickOrder lists nodes in the order upstream first created or deleted a
	// pod on them (from t=0; nodes first picked in the same reconcile by
	// name), then the other nodes by name: the node order under which an
	// engine picking in a given order makes upstream's choices (valid for one
	// rollout; see the file comment).
	PickOrder []string
	// Final is the DaemonSet at the end, with its status.
	Final *appsv1.DaemonSet
	// Pods are the pods at the end.
	Pods []*corev1.Pod
	// Reconciles counts all reconciles from t=0.
	Reconciles int
	// FailedCreateEvents are the messages of the controller's FailedCreate
	// events recorded by the end of the run (the broadcaster sends them
	// asynchronously).
	FailedCreateEvents []string
}

// runUpstreamRollout drives upstream's DaemonSet controller through sc and
// returns its trace from t=0. It fails t on any harness error.
func runUpstreamRollout(t testing.TB, sc upstreamScenario) upstreamTrace {
	t.Helper()
	h := newUpstreamHarness(t, sc.Nodes, nil, sc.Startup, sc.Broken)
	defer h.stop()
	h.mu.Lock()
	h.admit = sc.Admit
	h.mu.Unlock()
	tr := h.rollout(sc)
	tr.FailedCreateEvents = h.failedCreateEvents()
	return tr
}

// upstreamStatusFor returns the status upstream's controller writes in its
// first reconcile of ds (created now, at harnessEpoch) over nodes and pods.
// Pods are taken as given (bound or not, Ready or not; times are read against
// harnessEpoch); pods whose controller reference names ds's UID (default
// "ds-uid-<name>") are its pods, matching orphans are adopted. Pods the
// controller creates in that reconcile count, as in upstream's unit tests
// (synchronous observation): bound at once, not Ready.
func upstreamStatusFor(t testing.TB, nodes []*corev1.Node, pods []*corev1.Pod, ds *appsv1.DaemonSet) appsv1.DaemonSetStatus {
	t.Helper()
	h := newUpstreamHarness(t, nodes, pods, time.Hour, nil)
	defer h.stop()
	h.noKubelet = true
	h.setTime(0)
	recs := h.instant(0, func() { h.applyDS(h.prepareDS(ds, nil), true) })
	if len(recs) == 0 {
		t.Fatalf("harness: no reconcile")
	}
	return recs[0].status
}

// upstreamHarness is one controller with its fake API server.
type upstreamHarness struct {
	t      testing.TB
	cancel context.CancelFunc
	done   chan struct{}

	clock  *virtualClock
	client *fake.Clientset
	dsInf  *syncInformer
	crInf  *syncInformer
	podInf *syncInformer
	nodInf *syncInformer

	startup time.Duration
	broken  map[string]bool
	// brokenNew are the BrokenNew nodes from t=0, where pods whose
	// controller-revision-hash is not fromHash (From's) never turn Ready.
	brokenNew map[string]bool
	fromHash  string
	// atZero, if set, is called when the run reaches t=0 (benchmarks start
	// their timer there).
	atZero func()
	// noKubelet leaves pods as they are (upstreamStatusFor).
	noKubelet bool
	// churn is the state of scripted node events and the pod GC.
	churn churnState

	// world is held by the controller for a whole reconcile and by the
	// harness while it changes the world.
	world sync.Mutex

	mu        sync.Mutex
	cond      *sync.Cond
	rv        int64
	seq       int
	inSync    bool
	cur       syncRecord
	completed int
	lastWrote bool
	syncs     []syncRecord // reconciles since the last reset
	dsKey     string
	errs      []string
	// admit is upstreamScenario.Admit; failedEvents the FailedCreate
	// events' messages.
	admit        func(*corev1.Pod) error
	failedEvents []string
	failedCount  int
}

// syncRecord is what one reconcile did.
type syncRecord struct {
	time             time.Duration
	created, deleted []string
	failed           []string
	wrote            bool
	status           appsv1.DaemonSetStatus
}

func newUpstreamHarness(t testing.TB, nodes []*corev1.Node, pods []*corev1.Pod, startup time.Duration, broken []string) *upstreamHarness {
	t.Helper()
	h := &upstreamHarness{
		t:       t,
		startup: startup,
		broken:  map[string]bool{},
		dsInf:   newSyncInformer(),
		crInf:   newSyncInformer(),
		podInf:  newSyncInformer(),
		nodInf:  newSyncInformer(),
		done:    make(chan struct{}),
	}
	h.cond = sync.NewCond(&h.mu)
	for _, b := range broken {
		h.broken[b] = true
	}
	h.clock = &virtualClock{h: h}
	for _, n := range nodes {
		n = n.DeepCopy()
		n.ResourceVersion = h.nextRV()
		if err := h.nodInf.indexer.Add(n); err != nil {
			t.Fatalf("harness: add node: %v", err)
		}
	}
	for _, p := range pods {
		p = p.DeepCopy()
		p.ResourceVersion = h.nextRV()
		if p.UID == "" {
			p.UID = types.UID("pod-uid-" + p.Namespace + "-" + p.Name)
		}
		if err := h.podInf.indexer.Add(p); err != nil {
			t.Fatalf("harness: add pod: %v", err)
		}
	}
	h.bookmarkAll()

	h.client = fake.NewClientset()
	h.client.PrependReactor("*", "*", h.react)

	ctx, cancel := context.WithCancel(context.Background())
	ctx = klog.NewContext(ctx, logr.Discard())
	h.cancel = cancel
	backoff := flowcontrol.NewFakeBackOff(time.Second, 15*time.Minute, h.clock)
	dsc, err := daemon.NewDaemonSetsController(ctx,
		harnessDSInformer{h.dsInf}, harnessCRInformer{h.crInf}, harnessPodInformer{h.podInf}, harnessNodeInformer{h.nodInf},
		h.client, backoff)
	if err != nil {
		t.Fatalf("harness: NewDaemonSetsController: %v", err)
	}
	go func() {
		defer close(h.done)
		dsc.Run(ctx, 1)
	}()
	return h
}

// stop ends the controller and waits for it (not forever: after a harness
// failure the worker may be parked on the world lock, and a failed test must
// still end).
func (h *upstreamHarness) stop() {
	h.cancel()
	select {
	case <-h.done:
	case <-time.After(10 * time.Second):
	}
}

func (h *upstreamHarness) nextRV() string {
	h.rv++
	return strconv.FormatInt(h.rv, 10)
}

func (h *upstreamHarness) bookmarkAll() {
	rv := strconv.FormatInt(h.rv, 10)
	for _, inf := range []*syncInformer{h.dsInf, h.crInf, h.podInf, h.nodInf} {
		inf.indexer.Bookmark(rv)
	}
}

func (h *upstreamHarness) fail(format string, args ...any) {
	h.mu.Lock()
	h.errs = append(h.errs, fmt.Sprintf(format, args...))
	h.mu.Unlock()
}

// ---- the virtual clock and reconcile boundaries ----

// virtualClock is the controller's clock: the harness's virtual time. It
// recognises the first and last clock read of syncDaemonSet.
type virtualClock struct {
	clock.RealClock
	h   *upstreamHarness
	now atomic.Int64 // UnixNano
}

func (c *virtualClock) Now() time.Time {
	switch syncBoundary() {
	case syncBoundaryStart:
		c.h.syncStart()
	case syncBoundaryEnd:
		c.h.syncEnd()
	}
	return time.Unix(0, c.now.Load()).UTC()
}

func (c *virtualClock) Since(ts time.Time) time.Duration {
	return time.Duration(c.now.Load() - ts.UnixNano())
}

type syncBoundaryKind int

const (
	syncBoundaryNone syncBoundaryKind = iota
	syncBoundaryStart
	syncBoundaryEnd
)

const syncDaemonSetFunc = "k8s.io/kubernetes/pkg/controller/daemon.(*DaemonSetsController).syncDaemonSet"

// syncBoundary says whether the caller of virtualClock.Now is syncDaemonSet
// itself (its startTime) or its deferred "Finished syncing" closure.
func syncBoundary() syncBoundaryKind {
	var pcs [1]uintptr
	// 0 runtime.Callers, 1 syncBoundary, 2 virtualClock.Now, 3 its caller.
	if runtime.Callers(3, pcs[:]) == 0 {
		return syncBoundaryNone
	}
	f, _ := runtime.CallersFrames(pcs[:]).Next()
	switch f.Function {
	case syncDaemonSetFunc:
		return syncBoundaryStart
	case syncDaemonSetFunc + ".func1":
		return syncBoundaryEnd
	}
	return syncBoundaryNone
}

func (h *upstreamHarness) syncStart() {
	h.world.Lock()
	h.mu.Lock()
	h.inSync = true
	h.cur = syncRecord{time: h.virtualTime()}
	h.mu.Unlock()
}

func (h *upstreamHarness) syncEnd() {
	h.mu.Lock()
	if ds := h.currentDSLocked(); ds != nil {
		h.cur.status = *ds.Status.DeepCopy()
	}
	h.syncs = append(h.syncs, h.cur)
	h.completed++
	h.lastWrote = h.cur.wrote
	h.inSync = false
	h.cur = syncRecord{}
	h.cond.Broadcast()
	h.mu.Unlock()
	h.world.Unlock()
}

func (h *upstreamHarness) virtualTime() time.Duration {
	return time.Duration(h.clock.now.Load() - harnessEpoch.UnixNano())
}

// setTime sets the virtual clock to t after the epoch; call with the world
// held (or before any DaemonSet exists).
func (h *upstreamHarness) setTime(t time.Duration) {
	h.clock.now.Store(harnessEpoch.Add(t).UnixNano())
}

func (h *upstreamHarness) metaNow() metav1.Time {
	return metav1.NewTime(harnessEpoch.Add(h.virtualTime()))
}

// ---- the fake API server ----

// react plays the API server for every request of the controller. The fake
// clientset serialises calls (Fake.Invokes holds its lock).
func (h *upstreamHarness) react(action clienttesting.Action) (bool, runtimeObject, error) {
	res := action.GetResource().Resource
	verb := action.GetVerb()
	switch {
	case res == "events":
		// Events are recorded asynchronously by the broadcaster and matter
		// to nothing here; echo them back.
		if ca, ok := action.(clienttesting.CreateAction); ok {
			if ev, ok := ca.GetObject().(*corev1.Event); ok && ev.Reason == "FailedCreate" {
				h.mu.Lock()
				h.failedEvents = append(h.failedEvents, ev.Message)
				h.mu.Unlock()
			}
			return true, ca.GetObject(), nil
		}
		return true, &corev1.Event{}, nil
	case res == "pods" && verb == "create":
		return h.createPod(action.(clienttesting.CreateAction))
	case res == "pods" && verb == "delete":
		return h.deletePod(action.(clienttesting.DeleteAction))
	case res == "pods" && verb == "patch":
		return h.patchPod(action.(clienttesting.PatchAction))
	case res == "daemonsets" && verb == "update" && action.GetSubresource() == "status":
		return h.updateDSStatus(action.(clienttesting.UpdateAction))
	case res == "daemonsets" && verb == "get":
		ga := action.(clienttesting.GetAction)
		obj, ok, _ := h.dsInf.indexer.GetByKey(ga.GetNamespace() + "/" + ga.GetName())
		if !ok {
			return true, nil, apierrors.NewNotFound(appsv1.Resource("daemonsets"), ga.GetName())
		}
		return true, obj.(*appsv1.DaemonSet).DeepCopy(), nil
	case res == "controllerrevisions" && verb == "create":
		return h.createRevision(action.(clienttesting.CreateAction))
	case res == "controllerrevisions" && verb == "update":
		return h.updateRevision(action.(clienttesting.UpdateAction))
	case res == "controllerrevisions" && verb == "delete":
		return h.deleteRevision(action.(clienttesting.DeleteAction))
	}
	h.fail("harness: unsupported API call %s %s/%s", verb, res, action.GetSubresource())
	return true, nil, fmt.Errorf("harness: unsupported API call %s %s", verb, res)
}

// runtimeObject is the API object type of the fake clientset's reactors.
type runtimeObject = kruntime.Object

func (h *upstreamHarness) noteWrite() {
	h.mu.Lock()
	if h.inSync {
		h.cur.wrote = true
	} else {
		h.errs = append(h.errs, "harness: controller wrote outside a reconcile")
	}
	h.mu.Unlock()
}

func (h *upstreamHarness) createPod(a clienttesting.CreateAction) (bool, runtimeObject, error) {
	pod := a.GetObject().(*corev1.Pod).DeepCopy()
	h.mu.Lock()
	admit := h.admit
	h.mu.Unlock()
	if admit != nil {
		if err := admit(pod.DeepCopy()); err != nil {
			node, _ := daemonutil.GetTargetNodeName(pod)
			h.mu.Lock()
			h.failedCount++
			if h.inSync {
				h.cur.failed = append(h.cur.failed, node)
			} else {
				h.errs = append(h.errs, "harness: pod create outside a reconcile")
			}
			h.mu.Unlock()
			return true, nil, err
		}
	}
	h.mu.Lock()
	h.seq++
	seq := h.seq
	rv := h.nextRV()
	h.mu.Unlock()
	if pod.Name == "" {
		// A zero-padded sequence keeps same-second name order = creation order.
		pod.Name = fmt.Sprintf("%s%06d", pod.GenerateName, seq)
	}
	pod.Namespace = a.GetNamespace()
	pod.UID = types.UID(fmt.Sprintf("pod-%06d", seq))
	pod.ResourceVersion = rv
	pod.CreationTimestamp = h.metaNow()
	node, err := daemonutil.GetTargetNodeName(pod)
	if err != nil {
		h.fail("harness: created pod without a target node: %v", err)
		return true, nil, err
	}
	// Ideal kubelet and scheduler: bound at once.
	pod.Spec.NodeName = node
	pod.Status.Phase = corev1.PodPending
	if err := h.podInf.indexer.Add(pod); err != nil {
		return true, nil, err
	}
	h.podInf.indexer.Bookmark(rv)
	h.mu.Lock()
	if h.inSync {
		h.cur.created = append(h.cur.created, node)
		h.cur.wrote = true
	} else {
		h.errs = append(h.errs, "harness: pod created outside a reconcile")
	}
	h.mu.Unlock()
	h.podInf.deliverAdd(pod)
	h.podBound(pod, h.virtualTime())
	return true, pod.DeepCopy(), nil
}

func (h *upstreamHarness) deletePod(a clienttesting.DeleteAction) (bool, runtimeObject, error) {
	key := a.GetNamespace() + "/" + a.GetName()
	obj, ok, _ := h.podInf.indexer.GetByKey(key)
	if !ok {
		return true, nil, apierrors.NewNotFound(corev1.Resource("pods"), a.GetName())
	}
	pod := obj.(*corev1.Pod)
	if err := h.podInf.indexer.Delete(pod); err != nil {
		return true, nil, err
	}
	h.mu.Lock()
	rv := h.nextRV()
	if h.inSync {
		h.cur.deleted = append(h.cur.deleted, pod.Spec.NodeName)
		h.cur.wrote = true
	} else {
		h.errs = append(h.errs, "harness: pod deleted outside a reconcile")
	}
	h.mu.Unlock()
	h.podInf.indexer.Bookmark(rv)
	h.podInf.deliverDelete(pod)
	return true, nil, nil
}

// patchPod applies the strategic-merge patches the controller sends to adopt
// or release pods and to relabel them (controller_ref_manager.go,
// update.go dedupCurHistories).
func (h *upstreamHarness) patchPod(a clienttesting.PatchAction) (bool, runtimeObject, error) {
	obj, ok, _ := h.podInf.indexer.GetByKey(a.GetNamespace() + "/" + a.GetName())
	if !ok {
		return true, nil, apierrors.NewNotFound(corev1.Resource("pods"), a.GetName())
	}
	old := obj.(*corev1.Pod)
	if a.GetPatchType() != types.StrategicMergePatchType {
		h.fail("harness: unsupported pod patch type %s", a.GetPatchType())
		return true, nil, fmt.Errorf("unsupported patch type %s", a.GetPatchType())
	}
	js, err := json.Marshal(old)
	if err != nil {
		return true, nil, err
	}
	patched, err := strategicpatch.StrategicMergePatch(js, a.GetPatch(), corev1.Pod{})
	if err != nil {
		return true, nil, apierrors.NewBadRequest(err.Error())
	}
	cur := &corev1.Pod{}
	if err := json.Unmarshal(patched, cur); err != nil {
		return true, nil, err
	}
	if cur.UID != old.UID {
		// The patch carries metadata.uid as a precondition.
		return true, nil, apierrors.NewConflict(corev1.Resource("pods"), a.GetName(), fmt.Errorf("uid mismatch"))
	}
	h.mu.Lock()
	cur.ResourceVersion = h.nextRV()
	h.mu.Unlock()
	if err := h.podInf.indexer.Update(cur); err != nil {
		return true, nil, err
	}
	h.podInf.indexer.Bookmark(cur.ResourceVersion)
	h.noteWrite()
	h.podInf.deliverUpdate(old, cur)
	return true, cur.DeepCopy(), nil
}

func (h *upstreamHarness) updateDSStatus(a clienttesting.UpdateAction) (bool, runtimeObject, error) {
	ds := a.GetObject().(*appsv1.DaemonSet).DeepCopy()
	key := ds.Namespace + "/" + ds.Name
	obj, ok, _ := h.dsInf.indexer.GetByKey(key)
	if !ok {
		return true, nil, apierrors.NewNotFound(appsv1.Resource("daemonsets"), ds.Name)
	}
	old := obj.(*appsv1.DaemonSet)
	if ds.ResourceVersion != old.ResourceVersion {
		return true, nil, apierrors.NewConflict(appsv1.Resource("daemonsets"), ds.Name, fmt.Errorf("stale resourceVersion"))
	}
	// The status subresource changes only the status.
	cur := old.DeepCopy()
	cur.Status = ds.Status
	h.mu.Lock()
	cur.ResourceVersion = h.nextRV()
	h.mu.Unlock()
	if err := h.dsInf.indexer.Update(cur); err != nil {
		return true, nil, err
	}
	h.dsInf.indexer.Bookmark(cur.ResourceVersion)
	h.noteWrite()
	h.dsInf.deliverUpdate(old, cur)
	return true, cur.DeepCopy(), nil
}

func (h *upstreamHarness) createRevision(a clienttesting.CreateAction) (bool, runtimeObject, error) {
	cr := a.GetObject().(*appsv1.ControllerRevision).DeepCopy()
	cr.Namespace = a.GetNamespace()
	if _, ok, _ := h.crInf.indexer.GetByKey(cr.Namespace + "/" + cr.Name); ok {
		return true, nil, apierrors.NewAlreadyExists(appsv1.Resource("controllerrevisions"), cr.Name)
	}
	h.mu.Lock()
	cr.ResourceVersion = h.nextRV()
	h.mu.Unlock()
	cr.UID = types.UID("cr-" + cr.Name)
	cr.CreationTimestamp = h.metaNow()
	if err := h.crInf.indexer.Add(cr); err != nil {
		return true, nil, err
	}
	h.crInf.indexer.Bookmark(cr.ResourceVersion)
	h.noteWrite()
	h.crInf.deliverAdd(cr)
	return true, cr.DeepCopy(), nil
}

func (h *upstreamHarness) updateRevision(a clienttesting.UpdateAction) (bool, runtimeObject, error) {
	cr := a.GetObject().(*appsv1.ControllerRevision).DeepCopy()
	obj, ok, _ := h.crInf.indexer.GetByKey(cr.Namespace + "/" + cr.Name)
	if !ok {
		return true, nil, apierrors.NewNotFound(appsv1.Resource("controllerrevisions"), cr.Name)
	}
	old := obj.(*appsv1.ControllerRevision)
	h.mu.Lock()
	cr.ResourceVersion = h.nextRV()
	h.mu.Unlock()
	if err := h.crInf.indexer.Update(cr); err != nil {
		return true, nil, err
	}
	h.crInf.indexer.Bookmark(cr.ResourceVersion)
	h.noteWrite()
	h.crInf.deliverUpdate(old, cr)
	return true, cr.DeepCopy(), nil
}

func (h *upstreamHarness) deleteRevision(a clienttesting.DeleteAction) (bool, runtimeObject, error) {
	obj, ok, _ := h.crInf.indexer.GetByKey(a.GetNamespace() + "/" + a.GetName())
	if !ok {
		return true, nil, apierrors.NewNotFound(appsv1.Resource("controllerrevisions"), a.GetName())
	}
	cr := obj.(*appsv1.ControllerRevision)
	if err := h.crInf.indexer.Delete(cr); err != nil {
		return true, nil, err
	}
	h.mu.Lock()
	rv := h.nextRV()
	h.mu.Unlock()
	h.crInf.indexer.Bookmark(rv)
	h.noteWrite()
	h.crInf.deliverDelete(cr)
	return true, nil, nil
}

// ---- informers over plain indexers, with synchronous event delivery ----

// syncInformer implements cache.SharedIndexInformer for the calls the
// DaemonSet controller makes (handlers, store, indexers, HasSynced); the
// embedded nil interface would panic on any other call, which the harness
// treats as a bug of its own.
type syncInformer struct {
	cache.SharedIndexInformer
	indexer  cache.Indexer
	hmu      sync.Mutex
	handlers []cache.ResourceEventHandler
}

func newSyncInformer() *syncInformer {
	return &syncInformer{indexer: cache.NewIndexer(cache.MetaNamespaceKeyFunc,
		cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})}
}

func (s *syncInformer) AddEventHandler(h cache.ResourceEventHandler) (cache.ResourceEventHandlerRegistration, error) {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	s.handlers = append(s.handlers, h)
	return harnessRegistration{}, nil
}

func (s *syncInformer) GetStore() cache.Store               { return s.indexer }
func (s *syncInformer) GetIndexer() cache.Indexer           { return s.indexer }
func (s *syncInformer) AddIndexers(ix cache.Indexers) error { return s.indexer.AddIndexers(ix) }
func (s *syncInformer) HasSynced() bool                     { return true }
func (s *syncInformer) IsStopped() bool                     { return false }
func (s *syncInformer) Run(<-chan struct{})                 {}
func (s *syncInformer) RunWithContext(context.Context)      {}
func (s *syncInformer) LastSyncResourceVersion() string {
	return s.indexer.LastStoreSyncResourceVersion()
}
func (s *syncInformer) SetTransform(cache.TransformFunc) error { return nil }

func (s *syncInformer) handlerList() []cache.ResourceEventHandler {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	return slices.Clone(s.handlers)
}

func (s *syncInformer) deliverAdd(obj any) {
	for _, h := range s.handlerList() {
		h.OnAdd(obj, false)
	}
}

func (s *syncInformer) deliverUpdate(old, cur any) {
	for _, h := range s.handlerList() {
		h.OnUpdate(old, cur)
	}
}

func (s *syncInformer) deliverDelete(obj any) {
	for _, h := range s.handlerList() {
		h.OnDelete(obj)
	}
}

type harnessRegistration struct{}

func (harnessRegistration) HasSynced() bool { return true }
func (harnessRegistration) HasSyncedChecker() cache.DoneChecker {
	return harnessDone{}
}

type harnessDone struct{}

var harnessClosed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (harnessDone) Name() string          { return "harness" }
func (harnessDone) Done() <-chan struct{} { return harnessClosed }

type harnessDSInformer struct{ s *syncInformer }

func (i harnessDSInformer) Informer() cache.SharedIndexInformer { return i.s }
func (i harnessDSInformer) Lister() appslisters.DaemonSetLister {
	return appslisters.NewDaemonSetLister(i.s.indexer)
}

type harnessCRInformer struct{ s *syncInformer }

func (i harnessCRInformer) Informer() cache.SharedIndexInformer { return i.s }
func (i harnessCRInformer) Lister() appslisters.ControllerRevisionLister {
	return appslisters.NewControllerRevisionLister(i.s.indexer)
}

type harnessPodInformer struct{ s *syncInformer }

func (i harnessPodInformer) Informer() cache.SharedIndexInformer { return i.s }
func (i harnessPodInformer) Lister() corelisters.PodLister {
	return corelisters.NewPodLister(i.s.indexer)
}

type harnessNodeInformer struct{ s *syncInformer }

func (i harnessNodeInformer) Informer() cache.SharedIndexInformer { return i.s }
func (i harnessNodeInformer) Lister() corelisters.NodeLister {
	return corelisters.NewNodeLister(i.s.indexer)
}

var (
	_ appsinformers.DaemonSetInformer          = harnessDSInformer{}
	_ appsinformers.ControllerRevisionInformer = harnessCRInformer{}
	_ coreinformers.PodInformer                = harnessPodInformer{}
	_ coreinformers.NodeInformer               = harnessNodeInformer{}
)

// ---- the DaemonSet as the API server stores it ----

// prepareDS returns ds as the API server would store it: defaulted
// (SetObjectDefaults_DaemonSet), namespace "default" if empty, and — as an
// update of prev (nil = a create) — with generation and template generation
// bumped as the registry strategy does (spec §4.2).
func (h *upstreamHarness) prepareDS(ds, prev *appsv1.DaemonSet) *appsv1.DaemonSet {
	d := ds.DeepCopy()
	appsv1defaults.SetObjectDefaults_DaemonSet(d)
	if d.Namespace == "" {
		d.Namespace = metav1.NamespaceDefault
	}
	if d.Annotations == nil {
		d.Annotations = map[string]string{}
	}
	if prev == nil {
		if d.UID == "" {
			d.UID = types.UID("ds-uid-" + d.Name)
		}
		d.Generation = 1
		tg := int64(1)
		if v, err := strconv.ParseInt(d.Annotations[templateGenerationAnnotation], 10, 64); err == nil && v > tg {
			tg = v
		}
		d.Annotations[templateGenerationAnnotation] = strconv.FormatInt(tg, 10)
		d.Status = appsv1.DaemonSetStatus{}
		d.CreationTimestamp = h.metaNow()
		return d
	}
	d.Name, d.Namespace, d.UID = prev.Name, prev.Namespace, prev.UID
	d.CreationTimestamp = prev.CreationTimestamp
	d.Status = *prev.Status.DeepCopy()
	d.Generation = prev.Generation
	tg, _ := strconv.ParseInt(prev.Annotations[templateGenerationAnnotation], 10, 64)
	if !apiequality.Semantic.DeepEqual(d.Spec.Template, prev.Spec.Template) {
		tg++
		d.Generation++
	} else if !apiequality.Semantic.DeepEqual(d.Spec, prev.Spec) {
		d.Generation++
	}
	d.Annotations[templateGenerationAnnotation] = strconv.FormatInt(tg, 10)
	return d
}

// applyDS stores d (a create or an update) and delivers the watch event.
// Call with the world held.
func (h *upstreamHarness) applyDS(d *appsv1.DaemonSet, create bool) {
	h.mu.Lock()
	d.ResourceVersion = h.nextRV()
	h.mu.Unlock()
	key := d.Namespace + "/" + d.Name
	if create {
		if err := h.dsInf.indexer.Add(d); err != nil {
			h.t.Fatalf("harness: add DaemonSet: %v", err)
		}
		h.dsInf.indexer.Bookmark(d.ResourceVersion)
		h.dsInf.deliverAdd(d)
		h.mu.Lock()
		h.dsKey = key
		h.mu.Unlock()
		return
	}
	obj, ok, _ := h.dsInf.indexer.GetByKey(key)
	if !ok {
		h.t.Fatalf("harness: update of missing DaemonSet %s", key)
	}
	if err := h.dsInf.indexer.Update(d); err != nil {
		h.t.Fatalf("harness: update DaemonSet: %v", err)
	}
	h.dsInf.indexer.Bookmark(d.ResourceVersion)
	h.dsInf.deliverUpdate(obj, d)
}

func (h *upstreamHarness) currentDSLocked() *appsv1.DaemonSet {
	if h.dsKey == "" {
		return nil
	}
	obj, ok, _ := h.dsInf.indexer.GetByKey(h.dsKey)
	if !ok {
		return nil
	}
	return obj.(*appsv1.DaemonSet)
}

// currentDS is the stored DaemonSet (a copy).
func (h *upstreamHarness) currentDS() *appsv1.DaemonSet {
	h.mu.Lock()
	defer h.mu.Unlock()
	ds := h.currentDSLocked()
	if ds == nil {
		h.t.Fatalf("harness: no DaemonSet")
	}
	return ds.DeepCopy()
}

// ---- the ideal kubelet and the instant loop ----

// pods lists the stored pods in no particular order.
func (h *upstreamHarness) pods() []*corev1.Pod {
	list := h.podInf.indexer.List()
	out := make([]*corev1.Pod, 0, len(list))
	for _, obj := range list {
		out = append(out, obj.(*corev1.Pod))
	}
	return out
}

func harnessReadyCondition(p *corev1.Pod) *corev1.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == corev1.PodReady {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

// readyAt is when the ideal kubelet makes p Ready (ok false: never).
func (h *upstreamHarness) readyAt(p *corev1.Pod) (time.Duration, bool) {
	if p.Spec.NodeName == "" || h.broken[p.Spec.NodeName] || p.DeletionTimestamp != nil {
		return 0, false
	}
	if h.brokenNew[p.Spec.NodeName] && (h.fromHash == "" || p.Labels[appsv1.DefaultDaemonSetUniqueLabelKey] != h.fromHash) {
		return 0, false
	}
	if c := harnessReadyCondition(p); c != nil && c.Status == corev1.ConditionTrue {
		return 0, false
	}
	if !h.kubeletRuns(p.Spec.NodeName) {
		return 0, false
	}
	at := p.CreationTimestamp.Sub(harnessEpoch) + h.startup
	if since, ok := h.churn.kubeletSince[p.Spec.NodeName]; ok {
		at = max(at, since)
	}
	return at, true
}

// applyKubelet turns Ready every pod whose startup has elapsed at the
// current instant, through the store (with the watch event). World held.
func (h *upstreamHarness) applyKubelet() {
	if h.noKubelet {
		return
	}
	now := h.virtualTime()
	for _, p := range h.pods() {
		at, ok := h.readyAt(p)
		if !ok || at > now {
			continue
		}
		cur := p.DeepCopy()
		cur.Status.Phase = corev1.PodRunning
		setPodReady(cur, corev1.ConditionTrue, metav1.NewTime(harnessEpoch.Add(at)))
		h.mu.Lock()
		cur.ResourceVersion = h.nextRV()
		h.mu.Unlock()
		if err := h.podInf.indexer.Update(cur); err != nil {
			h.t.Fatalf("harness: update pod: %v", err)
		}
		h.podInf.indexer.Bookmark(cur.ResourceVersion)
		h.podInf.deliverUpdate(p, cur)
	}
}

// nextEvent is the earliest instant >= now at which the kubelet changes a
// pod or a Ready pod becomes available (ok false: none).
func (h *upstreamHarness) nextEvent(now time.Duration, minReady int32) (time.Duration, bool) {
	best, found := time.Duration(0), false
	consider := func(t time.Duration) {
		if !found || t < best {
			best, found = t, true
		}
	}
	for _, p := range h.pods() {
		if at, ok := h.readyAt(p); ok {
			consider(max(at, now))
			continue
		}
		if minReady > 0 {
			if c := harnessReadyCondition(p); c != nil && c.Status == corev1.ConditionTrue && !c.LastTransitionTime.IsZero() {
				if av := c.LastTransitionTime.Sub(harnessEpoch) + time.Duration(minReady)*time.Second; av > now {
					consider(av)
				}
			}
		}
	}
	return best, found
}

// instant runs one instant at t: clock, kubelet, an optional DaemonSet
// write, then reconciles until one writes nothing. It returns the
// reconciles of the instant.
func (h *upstreamHarness) instant(t time.Duration, apply func()) []syncRecord {
	h.world.Lock()
	h.setTime(t)
	h.applyChurn(t)
	h.applyKubelet()
	if apply != nil {
		apply()
	}
	h.mu.Lock()
	n0 := h.completed
	first := len(h.syncs)
	ds := h.currentDSLocked()
	h.mu.Unlock()
	if ds != nil {
		// The DaemonSet is enqueued at every instant (its own update handler).
		h.dsInf.deliverUpdate(ds, ds)
	}
	h.world.Unlock()
	if ds == nil {
		return nil
	}
	h.waitRest(n0)
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.syncs[first:])
}

// harnessTimeout bounds the real time one instant may take.
const harnessTimeout = 2 * time.Minute

// waitRest waits until a reconcile after the n0-th has written nothing.
func (h *upstreamHarness) waitRest(n0 int) {
	timedOut := false
	timer := time.AfterFunc(harnessTimeout, func() {
		h.mu.Lock()
		timedOut = true
		h.cond.Broadcast()
		h.mu.Unlock()
	})
	defer timer.Stop()
	h.mu.Lock()
	for !(h.completed > n0 && !h.lastWrote) && !timedOut && len(h.errs) == 0 {
		h.cond.Wait()
	}
	errs := slices.Clone(h.errs)
	h.mu.Unlock()
	if len(errs) > 0 {
		h.t.Fatalf("harness errors: %s", strings.Join(errs, "; "))
	}
	if timedOut {
		h.t.Fatalf("harness: controller did not come to rest within %v", harnessTimeout)
	}
}

// runToRest runs instants from the current time while something is due
// before limit (exclusive).
func (h *upstreamHarness) runToRest(limit time.Duration, minReady int32) {
	now := h.virtualTime()
	for {
		next, ok := h.nextEvent(now, minReady)
		if !ok || next >= limit {
			return
		}
		h.instant(next, nil)
		now = next
	}
}

// rollout runs sc and returns its trace from t=0.
func (h *upstreamHarness) rollout(sc upstreamScenario) upstreamTrace {
	maxTime := sc.MaxTime
	if maxTime == 0 {
		maxTime = 30 * 24 * time.Hour
	}
	var prev *appsv1.DaemonSet
	if sc.From != nil {
		h.world.Lock()
		h.setTime(-fromLead)
		from := h.prepareDS(sc.From, nil)
		h.world.Unlock()
		h.instant(-fromLead, func() { h.applyDS(from, true) })
		h.runToRest(0, from.Spec.MinReadySeconds)
		prev = h.currentDS()
		// From's only ControllerRevision carries its hash.
		for _, obj := range h.crInf.indexer.List() {
			h.fromHash = obj.(*appsv1.ControllerRevision).Labels[appsv1.DefaultDaemonSetUniqueLabelKey]
		}
	}
	h.world.Lock()
	h.brokenNew = map[string]bool{}
	for _, n := range sc.BrokenNew {
		h.brokenNew[n] = true
	}
	h.world.Unlock()
	h.mu.Lock()
	h.syncs = nil
	h.mu.Unlock()
	if h.atZero != nil {
		h.atZero()
	}

	h.churn.events = slices.Clone(sc.Events)
	h.churn.gc = sc.PodGC

	var tr upstreamTrace
	to := h.prepareDS(sc.To, prev)
	apply := func() { h.applyDS(to, prev == nil) }
	if prev != nil {
		// prepareDS read prev before the world was held; re-derive from the
		// stored object at the instant.
		apply = func() { h.applyDS(h.prepareDS(sc.To, h.currentDSLockedCopy()), false) }
	}
	changes := slices.Clone(sc.Changes)
	now := time.Duration(0)
	seen := map[string]bool{}
	for {
		recs := h.instant(now, apply)
		h.recordInstant(&tr, now, recs, seen)
		apply = nil
		minReady := h.currentDS().Spec.MinReadySeconds
		next, ok := h.nextEvent(now, minReady)
		if at, due := h.nextChurn(now); due && (!ok || at < next) {
			next, ok = at, true
		}
		if len(changes) > 0 && (!ok || changes[0].At <= next) {
			c := changes[0]
			changes = changes[1:]
			if !ok || c.At < next {
				next = c.At
			}
			apply = func() { h.applyDS(h.prepareDS(c.DS, h.currentDSLockedCopy()), false) }
			ok = true
		}
		if !ok || next > maxTime {
			break
		}
		now = next
	}
	tr.Final = h.currentDS()
	for _, p := range h.pods() {
		tr.Pods = append(tr.Pods, p.DeepCopy())
	}
	sort.Slice(tr.Pods, func(i, j int) bool { return tr.Pods[i].Name < tr.Pods[j].Name })
	var rest []string
	for _, obj := range h.nodInf.indexer.List() {
		if n := obj.(*corev1.Node).Name; !seen[n] {
			rest = append(rest, n)
		}
	}
	slices.Sort(rest)
	tr.PickOrder = append(tr.PickOrder, rest...)
	return tr
}

func (h *upstreamHarness) currentDSLockedCopy() *appsv1.DaemonSet {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.currentDSLocked().DeepCopy()
}

// recordInstant appends the instant's acting reconciles and resting status
// to tr and extends the pick order.
func (h *upstreamHarness) recordInstant(tr *upstreamTrace, t time.Duration, recs []syncRecord, seen map[string]bool) {
	in := upstreamInstant{Time: t, Reconciles: len(recs), Status: *h.currentDS().Status.DeepCopy()}
	tr.Reconciles += len(recs)
	for _, r := range recs {
		if len(r.failed) > 0 {
			in.Failing = append(in.Failing, upstreamSync{Time: t, Created: r.created, Deleted: r.deleted, Failed: r.failed, Status: r.status})
		}
		if len(r.created) == 0 && len(r.deleted) == 0 {
			continue
		}
		in.Acting = append(in.Acting, upstreamSync{Time: t, Created: r.created, Deleted: r.deleted, Status: r.status})
		var block []string
		for _, n := range append(slices.Clone(r.created), r.deleted...) {
			if !seen[n] {
				seen[n] = true
				block = append(block, n)
			}
		}
		slices.Sort(block)
		tr.PickOrder = append(tr.PickOrder, block...)
	}
	tr.Instants = append(tr.Instants, in)
}

// rolloutStatusString renders the seven counters and observedGeneration compactly.
func rolloutStatusString(s appsv1.DaemonSetStatus) string {
	return fmt.Sprintf("desired=%d current=%d ready=%d updated=%d available=%d unavailable=%d misscheduled=%d observedGen=%d",
		s.DesiredNumberScheduled, s.CurrentNumberScheduled, s.NumberReady, s.UpdatedNumberScheduled,
		s.NumberAvailable, s.NumberUnavailable, s.NumberMisscheduled, s.ObservedGeneration)
}

// failedCreateEvents returns the messages of the FailedCreate events
// recorded so far, after waiting briefly for the event broadcaster to send
// one when a create failed.
func (h *upstreamHarness) failedCreateEvents() []string {
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.mu.Lock()
		out := slices.Clone(h.failedEvents)
		failed := h.failedCount
		h.mu.Unlock()
		if len(out) > 0 || failed == 0 || time.Now().After(deadline) {
			return out
		}
		time.Sleep(10 * time.Millisecond)
	}
}
