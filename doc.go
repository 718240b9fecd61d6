// Package daemonkit builds Kubernetes DaemonSets in typed Go and predicts what
// a cluster will do with them, with the answers Kubernetes v1.37.2 gives.
//
// daemonkit is for platform teams who run node agents (log collectors,
// metrics exporters, GPU monitors, CNI agents). It has two jobs:
//
//   - Build: package builder is a fluent, copy-safe builder over the real
//     k8s.io/api types whose Build validates like the API server and demands a
//     written reason for every privilege; package presets holds production
//     agents (fluent-bit, node-exporter, dcgm-exporter, Cilium, Calico,
//     Flannel) with their companion objects, their Pod Security level and a
//     linter.
//   - Predict: package daemonset answers, as pure functions, what the API
//     server stores (SetDefaults, Validate, ValidateUpdate) and where the
//     DaemonSet controller wants a pod and why not (Evaluate, NewPlacer);
//     package simulate adds the scheduler stage (resources, host ports, pod
//     count) over whole clusters and replays rolling updates on a virtual
//     clock, from 5 nodes to 65,000.
//
// The currency everywhere is the real API types (*appsv1.DaemonSet,
// *corev1.Node, *corev1.Pod): nothing is re-modelled in a parallel type.
//
// Fidelity: the behaviour reproduced is that of Kubernetes v1.37.2
// (k8s.io/kubernetes pkg/controller/daemon, pkg/apis/apps, the scheduler's
// filters). The nested module conformance/ checks daemonkit against
// upstream's own functions and controller on generated inputs on every CI
// run; a disagreement is a daemonkit bug unless documented as an intended
// extension (such as picking nodes in sorted-name order where upstream uses
// Go map order, which is one of the outcomes upstream can produce).
//
// Non-goals: daemonkit never talks to a cluster by itself, and it does not
// model kubelet internals beyond pod readiness timing.
package daemonkit

// KubernetesVersion is the Kubernetes release whose semantics daemonkit
// reproduces.
const KubernetesVersion = "v1.37.2"
