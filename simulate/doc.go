// Package simulate predicts what a Kubernetes v1.37.2 cluster does with
// DaemonSets: where daemon pods are created and whether they can run, and how
// a rolling update unfolds over time.
//
// # Clusters
//
// A Cluster holds nodes and the pods already on them, as the real API types.
// Load one from `kubectl get nodes -o yaml` and `kubectl get pods -A -o yaml`
// output (LoadCluster), build one from node pools (NewNodePool, BuildCluster),
// or take a ready-made shape with a seed (Shapes: dev, mixed, large-5k,
// large-65k). LifecycleTaints turns node conditions and cordoning into the
// taints the node lifecycle controller adds; placement reads taints only, as
// the controller does.
//
// # Placement: two stages, as in the cluster
//
// Place evaluates one DaemonSet or a set of them over a cluster. The
// controller stage (daemonset.Evaluate) decides on which nodes a pod is
// created, with reasons; the scheduler stage then decides whether each
// created pod can ever run there: resources against allocatable minus the
// requests of the pods already there (init containers, sidecars and overhead
// counted as the scheduler counts them), the pod-count limit, host-port
// conflicts (hostNetwork ports included), required inter-pod affinity and
// anti-affinity (the template's and the cluster's pods'), DoNotSchedule
// topology spread, and preemption of lower-priority pods on that node
// (PodDisruptionBudgets spared first). The daemon pods are bound in one order
// the scheduler can take, each meeting the pods bound before it, and Pending
// ones are tried again until nothing changes. Each node ends Runs, Pending
// (with why: "needs 200m cpu, 100m free"), Refused (the Priority admission
// plugin refuses the pod) or Excluded (with the controller's reasons). Status gives the
// counts the DaemonSet controller would report; Overhead the resources the
// daemon pods take, the figure autoscalers need; Diff the what-if between two
// DaemonSets or two clusters. Known traps (Windows nodes, NotReady nodes
// dropped from desired, NoSchedule vs NoExecute, tolerationSeconds overridden
// by the controller, cordoned nodes, Pending pods) are named in the result.
// WritePlacementSVG draws a placement as a grid of nodes grouped by pool.
//
// # Rollouts
//
// Rollout replays the DaemonSet controller's reconcile loop (manage, rolling
// update on the surge and non-surge paths, status, ControllerRevisions,
// failed-pod backoff, burst limits, slow-start creates, the work queue's
// backoff after a failed sync) on a virtual clock over a kubelet model:
// in the parity model a created pod is bound at once and turns Ready a fixed
// startup time later, never on broken nodes (KubeletModel.Broken: every
// pod; BrokenNew: the new template's only, "the new version fails there"),
// and deleted pods vanish at once; richer models add startup jitter, termination grace, API rate limits,
// scheduler throughput, Pending pods and crash loops. Scripted events change
// nodes mid-rollout. The Result holds one Step per reconcile and a Summary:
// when every node was updated and available, the worst availability, budget
// breaches, uncovered nodes, and whether and why the rollout is stuck.
// WriteSVG draws it. A template the API server's Priority admission refuses
// is never created: each sync's first create fails (Step.FailedCreate, a
// FailedCreate event), the rest are skipped, and the controller retries
// with its work queue's backoff (5 ms doubling to 1000 s); the run ends
// stuck once only those retries remain at the cap.
//
// # Startup from the template
//
// With KubeletModel.StartupModel set, a pod's time from binding to Ready is
// derived from its template, term by term, each random time drawn per pod
// from the scenario's seed out of a Dist (fixed, uniform, or empirical
// quantiles); DefaultStartupModel holds the documented, conservative
// defaults:
//
//   - scheduling and binding: KubeletModel.BindPerSecond, as before
//     (kube-scheduler's throughput).
//   - image pull, per container in start order (StartupModel.Pull, or an
//     image's size over the node's Bandwidth): pulls are serialized, as the
//     kubelet's default serializeImagePulls=true does, and skipped when the
//     node already holds the image — listed in its status.images, run by a
//     pod bound to it at t=0 (From's pods, the cluster's pods) or pulled
//     by an earlier pod of the run (a rollback, an unchanged image). Image
//     garbage collection is not modelled. upstream:
//     pkg/kubelet/images/image_manager.go EnsureImageExists,
//     pkg/kubelet/images/puller.go serialImagePuller.
//   - container start (StartupModel.ContainerStart), per container: init
//     containers run one after the other, each to completion
//     (StartupModel.InitRun); a sidecar (an init container with
//     restartPolicy Always) lets the next one start once it has started
//     — its startup probe, if any, passed; then the regular containers are
//     started in order, each after its image is there. upstream:
//     pkg/kubelet/kuberuntime/kuberuntime_manager.go SyncPod,
//     kuberuntime_container.go computeInitContainerActions and
//     startContainer.
//   - application readiness (StartupModel.AppReady): the time from a
//     container's start until its probe endpoints pass, drawn for each
//     container that has a probe.
//   - the probe grid (upstream: pkg/kubelet/prober/worker.go run and doProbe,
//     prober_manager.go AddPod and UpdatePodStatus): a probe worker starts
//     with the pod and ticks every periodSeconds P; a probe counts once the
//     container has run initialDelaySeconds D (whole seconds, so a probe at
//     exactly D counts). The startup and liveness probes run on the ticker
//     from the pod's binding. Readiness (and liveness) wait until the startup
//     probe has passed; UpdatePodStatus then triggers a readiness probe at
//     once and restarts its ticker there, so without a startup probe the
//     first counted readiness probe is at the container's start if D = 0,
//     else ⌈D/P⌉·P after it. The first probe at or after the application is
//     up passes; successThreshold S adds (S−1)·P. A startup probe (or, with
//     none, a liveness probe) that fails failureThreshold times before the
//     application is up gets the container killed; it restarts with the
//     same startup time and so never becomes Ready: the pod crash-loops
//     (Cause CrashLoopBackOff, with the probe named in the detail).
//     Readiness failures never restart a container. Probe timeouts and the
//     status manager's and PLEG's delays are not modelled.
//   - Ready: every container (regular and sidecar) Ready. upstream:
//     pkg/kubelet/status/generate.go GeneratePodReadyCondition.
//   - then minReadySeconds for availability, and termination
//     (terminationGracePeriodSeconds with TerminationFromTemplate) and the
//     controller-manager's client rate limit (APIModel), as without the
//     model.
//
// Derived startups are rounded to whole seconds, the engine's clock.
//
// # Percentiles and budgets
//
// Sample runs a scenario many times, each run with its own seed
// (SampleSeed): its own random node order — upstream iterates Go maps,
// whose order differs between runs — and its own random times. Runs use
// every core and the result depends only on the scenario and the number of
// runs. It gives the distribution of the time until every node is updated
// and available, the lowest availability, the share of runs that got stuck
// and why, and the P10–P90 band of "updated" over time (WriteSVG draws it
// with PlotOptions.Band). Recommend searches the smallest maxUnavailable (or
// maxSurge, for a DaemonSet without host ports) whose sampled P90 meets a
// target while availability stays above a floor.
//
// Where upstream picks nodes in Go map order, Rollout picks them in sorted
// node-name order (one outcome upstream can produce) or, with a seed, in a
// random order, so users can sample the spread of outcomes. The conformance
// module holds placement and rollouts to upstream's own controller on
// thousands of random scenarios.
//
// # Guarantees and bounds
//
// No global state: every function may be called concurrently, and the same
// inputs and seed give byte-identical results whatever GOMAXPROCS is. No
// input makes a function panic, hang or exhaust memory: clusters hold at most
// MaxNodes nodes, Place computes at most MaxPlacements node placements, a
// rollout takes at most MaxEvents events and MaxChanges template changes,
// and runs within its Limits (simulated time, reconciles, recorded steps,
// pods), each capped by a documented maximum. Inputs beyond a cap are
// refused with an error naming it; a run that reaches a limit ends with
// Summary.Truncated. Rollout checks ctx between reconciles, so a caller can
// bound wall time too.
//
// Not modelled: volumes, DRA and scheduling gates in the scheduler stage,
// and, when the cluster's Namespaces are not given (Cluster.WithNamespaces),
// pod affinity namespaceSelectors on namespace labels other than
// kubernetes.io/metadata.name (TrapSchedulerNotModelled names a template
// that uses them); watch delays
// between the manage and rolling-update halves of a sync; API errors other
// than admission's refusal of the daemon pod.
package simulate
