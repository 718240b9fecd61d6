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
// conflicts (hostNetwork ports included) and preemption of lower-priority
// pods on that node. Each node ends Runs, Pending (with why: "needs 200m cpu,
// 100m free") or Excluded (with the controller's reasons). Status gives the
// counts the DaemonSet controller would report; Overhead the resources the
// daemon pods take, the figure autoscalers need; Diff the what-if between two
// DaemonSets or two clusters. Known traps (Windows nodes, NotReady nodes
// dropped from desired, NoSchedule vs NoExecute, tolerationSeconds overridden
// by the controller, cordoned nodes, Pending pods) are named in the result.
//
// # Rollouts
//
// Rollout replays the DaemonSet controller's reconcile loop (manage, rolling
// update on the surge and non-surge paths, status, ControllerRevisions,
// failed-pod backoff, burst limits) on a virtual clock over a kubelet model:
// in the parity model a created pod is bound at once and turns Ready a fixed
// startup time later, never on broken nodes, and deleted pods vanish at
// once; richer models add startup jitter, termination grace, API rate limits,
// scheduler throughput, Pending pods and crash loops. Scripted events change
// nodes mid-rollout. The Result holds one Step per reconcile and a Summary:
// when every node was updated and available, the worst availability, budget
// breaches, uncovered nodes, and whether and why the rollout is stuck.
// WriteSVG draws it.
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
// Not modelled: volumes, DRA, inter-pod affinity and topology spread in the
// scheduler stage; PodDisruptionBudgets; watch delays between the manage and
// rolling-update halves of a sync; API errors.
package simulate
