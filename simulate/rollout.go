package simulate

import (
	"context"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// Rollout replays the Kubernetes v1.37.2 DaemonSet controller (manage,
// rollingUpdate or OnDelete, ControllerRevisions, status) over the cluster of
// s on a virtual clock and returns every reconcile and a summary.
//
// The controller is modelled with synchronous observation (its informers see
// its own writes at once, an assumption of the model): one
// reconcile is one syncDaemonSet that sees all earlier writes, so manage and
// rollingUpdate both run in it. The controller reconciles at every instant
// where something happens (a pod turns Ready, a pod becomes available after
// minReadySeconds — inclusive boundary —, a pod finishes terminating, a
// scripted event, a template change, a failed-pod backoff expiry) and again at
// the same instant while the previous reconcile created or deleted pods.
//
// Beside the controller, Rollout models the parts of kube-controller-manager
// that act on scripted node events: the pod garbage collector (pods of a
// removed node stay until it deletes them, Scenario.PodGC), the
// taint-eviction controller (a NoExecute taint tolerated with
// tolerationSeconds evicts each pod that long after it binds) and the node
// lifecycle controller (EventNotReady).
//
// Upstream iterates nodes in Go map order; Rollout picks in the order given by
// s.Order (sorted node names by default), which is one outcome upstream admits.
//
// Rollout returns an error only for an invalid scenario (a field.ErrorList
// aggregate with paths rooted at "scenario": the DaemonSets are defaulted
// and validated as the API server would, updates as updates) or when ctx is
// cancelled. A rollout that never finishes is not an error: the summary says
// it is stuck and why. Same scenario, same result, byte for byte.
//
// Held to upstream: conformance/ drives upstream's controller over the same
// random scenarios and compares every acting reconcile and the status at
// every instant.
//
// Not modelled: the expectations of a real cluster (a sync that created pods
// normally skips the rolling update until its watch events arrive — here
// both run in one sync, as in upstream's unit tests), API errors and
// slow-start batches after failures, preemption, pods failing other than on
// Kubelet.Failing nodes, and hash collisions across retries
// (a collision bumps collisionCount within the same sync).
//
// upstream: pkg/controller/daemon/daemon_controller.go syncDaemonSet, update.go rollingUpdate
func Rollout(ctx context.Context, s Scenario) (*Result, error) {
	return run(ctx, &s)
}

// Scenario is everything one rollout needs. The zero value of every optional
// field gives the parity model of ARCHITECTURE.md: ideal kubelet, instant
// deletes, no API rate limit, sorted node order.
type Scenario struct {
	// Cluster holds the nodes present at t=0 and pods already there. Pods that
	// the DaemonSet claims (controller reference to To's UID, or orphans in
	// To's namespace whose labels match its selector and that are not being
	// deleted) start as its pods with the phase, Ready condition, binding,
	// creation and deletion timestamps they carry (read relative to Start).
	// The kubelet model does not advance them: they keep that state until the
	// controller deletes them, except that a terminating one goes at its
	// deletionTimestamp if that lies after t=0 (one already past stays
	// terminating, like a pod on an unreachable node). Other pods only matter
	// to the scheduler stage (Kubelet.SchedulerStage).
	Cluster *Cluster

	// From is the DaemonSet as it was before the rollout, fully rolled out:
	// every node where From should run holds one From pod, created before t=0,
	// Ready and available at t=0 (never Ready on Kubelet.Broken and
	// Kubelet.CrashLoop nodes, Pending on Kubelet.Pending nodes). A node where
	// Cluster holds pods the DaemonSet claims (From's pods in a snapshot of a
	// live cluster: controller reference to From's UID) starts with those
	// pods instead, as they are. nil means To is created at t=0 and there are
	// no earlier pods (apart from claimed Cluster pods).
	From *appsv1.DaemonSet

	// To is the DaemonSet the user applies at t=0 (required). It is defaulted
	// with daemonset.SetDefaults on a copy; its generation and template
	// generation are derived from From as the API server does (a template
	// change bumps both; another spec change bumps the generation only). With
	// From set, To keeps From's name, namespace and UID.
	To *appsv1.DaemonSet

	// Changes are later updates of the DaemonSet (another template, a strategy
	// change, a rollback to an earlier template), applied at their times in
	// order, after the scripted events of the same instant. At must be > 0 and
	// strictly increasing. Each is validated as an update of the previous one.
	Changes []TemplateChange

	// Kubelet chooses how pods start, stop and fail.
	Kubelet KubeletModel

	// API chooses the controller-manager client's rate limit. The zero value
	// is no limit (parity model).
	API APIModel

	// Events are scripted changes to the cluster at chosen times, applied in
	// the order given among those at the same time (before the reconcile of
	// that instant).
	Events []Event

	// PodGC is the pod garbage collector that deletes the pods of removed
	// nodes. The zero value is kube-controller-manager v1.37.2's (runs every
	// 20 s, deletes a missing node's pods after 40 s in its queue).
	PodGC PodGCModel

	// Order chooses the order in which nodes are picked where upstream uses
	// map or informer order.
	Order Order

	// Limits bounds the simulation. Zero fields take the defaults documented
	// on Limits.
	Limits Limits

	// AllSteps records every reconcile in Result.Steps, the quiet ones that
	// changed nothing included (by default they are left out).
	AllSteps bool

	// Start is the wall-clock time of t=0, used for pod timestamps and the
	// Ready conditions of created pods. Zero means 2026-01-01T00:00:00Z.
	Start time.Time
}

// TemplateChange is an update of the DaemonSet at a chosen time: a new
// template, other spec fields, or an earlier template (a rollback, which
// reuses that revision's hash and keeps pods of that revision).
type TemplateChange struct {
	// At is when the update is applied (> 0, whole seconds).
	At time.Duration
	// DaemonSet is the whole new object; name, namespace and UID are taken
	// from To.
	DaemonSet *appsv1.DaemonSet
}

// KubeletModel says how the nodes run daemon pods. The zero value is the
// ideal kubelet of the parity model with startup 0.
type KubeletModel struct {
	// Startup is the time from binding to Ready (image pull, start,
	// readiness), rounded down to whole seconds.
	Startup time.Duration
	// StartupJitter adds to every pod's startup a uniformly random whole
	// number of seconds in [0, StartupJitter], drawn from Order.Seed.
	StartupJitter time.Duration
	// NodeStartup overrides Startup (not the jitter) for named nodes.
	NodeStartup map[string]time.Duration
	// StartupModel, when set, derives each pod's startup from its template
	// instead (image pulls, init containers, container starts, probes),
	// ignoring Startup, StartupJitter and NodeStartup. nil keeps the fixed
	// startup of the parity model.
	StartupModel *StartupModel

	// Broken nodes run daemon pods that never turn Ready: every pod, those
	// of From included (a node that cannot run the daemon at all). Pods
	// claimed from Cluster keep the state they carry.
	Broken []string
	// CrashLoop nodes run daemon pods whose container keeps crashing:
	// Running, never Ready (CrashLoopBackOff); every pod, those of From
	// included.
	CrashLoop []string
	// BrokenNew nodes run pods of a new template that never turn Ready:
	// "the new version fails on node X". A pod is new when its template is
	// not From's (To's template and those of Changes; every pod when From
	// is nil). From's pods there, and pods of From's template created later
	// (a rollback), run as on a healthy node, so the rolling update decides
	// what happens to them: under maxUnavailable it deletes the old pod
	// before creating the new one, under maxSurge the old pod keeps running
	// beside the new one that never turns available.
	// upstream: update.go rollingUpdate
	BrokenNew []string
	// CrashLoopNew nodes crash-loop the pods of a new template (as
	// BrokenNew, with CrashLoopBackOff).
	CrashLoopNew []string
	// Pending nodes never bind daemon pods: they stay Pending (a full node,
	// for example).
	Pending []string
	// Failing nodes fail every daemon pod (phase Failed, as when the kubelet
	// rejects it at admission) Startup after binding: the controller deletes
	// it under its failed-pod backoff (1 s doubling to 15 min) and creates a
	// new one, for ever (upstream: daemon_controller.go podsShouldBeOnNode,
	// failedPodsBackoff).
	Failing []string

	// SchedulerStage, when true, adds kube-scheduler's filters between
	// creation and binding: Place's scheduler stage (resources, pod count and
	// host ports against the Cluster's other pods; Pending for good where it
	// fails), and the NodePorts filter between the DaemonSet's own pods — a
	// pod whose host port (hostNetwork pods use their container ports) is held
	// by another of its pods on the node, terminating ones included, stays
	// Pending until that pod is gone. This is what stalls a surge rollout of a
	// hostPort DaemonSet. Nodes added by events have room for everything.
	SchedulerStage bool
	// BindPerSecond caps how many daemon pods the scheduler binds per second
	// (0 = unlimited, every pod bound at its creation instant).
	BindPerSecond int

	// Termination is how long a deleted pod stays Terminating (it keeps its
	// node's group, counts as current and, on the non-surge path, as
	// unavailable). 0 = gone at once (parity model).
	Termination time.Duration
	// TerminationFromTemplate, when true, uses the pod's
	// terminationGracePeriodSeconds (default 30) instead of Termination.
	TerminationFromTemplate bool
}

// APIModel is the controller-manager client's token bucket applied to pod
// creates and deletes. QPS 0 means no limit.
type APIModel struct {
	// QPS is the sustained rate of API calls per second.
	QPS float64
	// Burst is the bucket size.
	Burst int
}

// DefaultAPIModel is kube-controller-manager's default client rate limit
// (--kube-api-qps 20, --kube-api-burst 30).
func DefaultAPIModel() APIModel { return APIModel{QPS: 20, Burst: 30} }

// OrderKind chooses how nodes are ordered where upstream uses map order (the
// rolling update's picks) or informer order (which creates and deletes
// burstReplicas keeps). One order is drawn per run and used by every
// reconcile: each reconcile's choice is one upstream admits.
type OrderKind int

const (
	// OrderSorted iterates nodes by name (nodes added by events included).
	OrderSorted OrderKind = iota
	// OrderRandom iterates nodes in one random permutation drawn from Seed.
	OrderRandom
	// OrderExplicit iterates Names first, in that order, then the other
	// nodes sorted by name.
	OrderExplicit
)

// Order is the node order and the seed of every random choice.
type Order struct {
	// Kind chooses sorted (default), random or explicit order.
	Kind OrderKind
	// Seed drives OrderRandom and Kubelet.StartupJitter.
	Seed int64
	// Names is the order of OrderExplicit.
	Names []string
}

// Limits bounds a simulation; reaching one ends it with Summary.Truncated
// (the pod and step caps are checked before each reconcile, which may create
// or delete up to 250 pods more). Together they bound the run's time and
// memory: with the defaults a run stays within a few hundred megabytes.
// A value above its documented maximum is refused by Rollout.
type Limits struct {
	// MaxTime is the last instant simulated (default 30 days, at most
	// MaxSimulatedTime).
	MaxTime time.Duration
	// MaxReconciles caps the number of reconciles (default 10,000,000, at
	// most MaxReconcileLimit).
	MaxReconciles int
	// MaxSteps caps the steps recorded in Result.Steps (default 1,000,000,
	// at most MaxStepLimit).
	MaxSteps int
	// MaxPods caps the pods the run holds: those of From, the claimed ones
	// and every pod created, deleted ones included (default 2,000,000, at
	// most MaxPodLimit). A crash loop on many Failing nodes reaches it. A
	// node holding more than MaxPodsPerNode pods at once also ends the run.
	MaxPods int
}

// EventKind names a scripted cluster change.
type EventKind string

// Scripted event kinds.
const (
	// EventNodeAdd adds Event.NewNode to the cluster, defaulted as the API
	// server stores it (daemonset.SetNodeDefaults). The name may be a
	// removed node's: the new node runs the pods still bound to that name.
	// Adding a node that is there changes nothing. (A real node
	// registers with the not-ready NoSchedule taint until it is Ready: use
	// ApplyLifecycleTaints and a later EventReady to model that).
	EventNodeAdd EventKind = "NodeAdd"
	// EventNodeRemove deletes the node. Its pods stay bound to its name, as
	// they are (its kubelet is gone), until Scenario.PodGC deletes them; a
	// node added again under that name runs them again.
	EventNodeRemove EventKind = "NodeRemove"
	// EventTaint adds (or replaces, by key and effect) Event.Taint.
	EventTaint EventKind = "Taint"
	// EventUntaint removes the taint with Event.Taint's key and effect.
	EventUntaint EventKind = "Untaint"
	// EventLabel sets label Event.Key=Event.Value.
	EventLabel EventKind = "Label"
	// EventUnlabel removes label Event.Key.
	EventUnlabel EventKind = "Unlabel"
	// EventNotReady makes the node NotReady: the node lifecycle controller's
	// not-ready NoSchedule and NoExecute taints are added and its pods are
	// marked not Ready.
	EventNotReady EventKind = "NotReady"
	// EventReady makes the node Ready again: the lifecycle taints go and its
	// pods turn Ready again if the kubelet model would have them Ready.
	EventReady EventKind = "Ready"
	// EventCordon sets spec.unschedulable and the unschedulable NoSchedule taint.
	EventCordon EventKind = "Cordon"
	// EventUncordon undoes EventCordon.
	EventUncordon EventKind = "Uncordon"
)

// Event is one scripted cluster change.
type Event struct {
	// At is when it happens (>= 0, whole seconds).
	At time.Duration
	// Kind says what happens.
	Kind EventKind
	// Node names the node (all kinds but EventNodeAdd).
	Node string
	// NewNode is the node EventNodeAdd adds.
	NewNode *corev1.Node
	// Taint is the taint of EventTaint and EventUntaint.
	Taint corev1.Taint
	// Key and Value are the label of EventLabel and EventUnlabel.
	Key, Value string
}

// Result is the outcome of Rollout.
type Result struct {
	// Steps holds one entry per reconcile that created or deleted pods, and
	// one per other reconcile whose status differs from the previous step's
	// (every reconcile with Scenario.AllSteps).
	// The status at the end of an instant is that of the last step at or
	// before it.
	Steps []Step
	// Evictions are the taint-eviction controller's deletes (a NoExecute
	// taint tolerated with tolerationSeconds), in order; the reconciles of
	// their instants react to them.
	Evictions []Eviction
	// Summary is what people want to know about the rollout.
	Summary Summary
	// DaemonSet is the final object with its final status.
	DaemonSet *appsv1.DaemonSet
	// Revisions are the ControllerRevisions left at the end, by revision.
	Revisions []*appsv1.ControllerRevision
}

// Eviction is one pod the taint-eviction controller deleted.
type Eviction struct {
	// Time is when it deleted the pod.
	Time time.Duration
	// Node and Pod name the pod.
	Node, Pod string
}

// Step is one reconcile of the controller.
type Step struct {
	// Time is the instant the reconcile ended and wrote its status (the
	// instant it started unless API calls were rate limited). Everything
	// happens on whole seconds except the retries after a failed reconcile,
	// which follow the work queue's millisecond backoff.
	Time time.Duration
	// Reconcile numbers the reconcile among all of the run (from 1),
	// including those not recorded.
	Reconcile int
	// Created lists the nodes where a pod was created, in the order created.
	Created []string
	// Deleted lists the nodes whose pods were deleted, in the order deleted
	// (a node appears once per deleted pod).
	Deleted []string
	// FailedCreate lists the nodes whose pod create the API server refused
	// (the controller records a FailedCreate event for each), in the order
	// tried. Creates go in slow-start batches of 1, 2, 4, ... and stop after
	// a batch with a failure: for a template Priority admission refuses
	// (CauseAdmissionRefused) that is one node per reconcile, the reconcile
	// returns the error (Summary.Errors) and the controller retries with
	// its work queue's backoff: 5 ms, doubling, at most 1000 s.
	// upstream: daemon_controller.go syncNodes, processNextWorkItem
	FailedCreate []string
	// FailedCreateMessage is the message of those FailedCreate events
	// (Warning): "Error creating: " and the API server's error.
	FailedCreateMessage string
	// Status is the DaemonSet status written after the reconcile.
	Status appsv1.DaemonSetStatus
}
