// Package daemonset answers, as pure functions over the real k8s.io/api
// types, what the Kubernetes v1.37.2 API server and DaemonSet controller do
// with a DaemonSet.
//
// Three questions, three groups of functions:
//
//   - What will the API server store, and will it accept it? SetDefaults is
//     the apps/v1 defaulting of the DaemonSet and its whole pod template;
//     Validate and ValidateUpdate answer as the API server does, with the
//     same field paths and error types (field.ErrorList). ImageTag parses
//     an image reference as the kubelet does (DefaultPullPolicy builds on
//     it); IsExtendedResourceName tells extended resources from native ones.
//   - On which nodes does the controller want a daemon pod, and why not?
//     Evaluate is upstream's NodeShouldRunDaemonPod plus typed Reasons;
//     NewPlacer compiles a DaemonSet once for many nodes (tens of
//     nanoseconds a node, no allocation when nothing excludes it).
//     DaemonPodTolerations and NewPod give the tolerations and the pod the
//     controller creates, RevisionHash its controller-revision-hash.
//   - How much may a rolling update do at once? UpdateBudget resolves
//     maxSurge/maxUnavailable against a desired count with upstream's
//     rounding and fallback; AllowsSurge says whether a strategy surges at
//     all; IsPodUpdated and IsPodAvailable are upstream's tests of a pod.
//
// Decode and EncodeYAML read and write the files users already have:
// manifests with many kinds, `kubectl get nodes -o yaml` lists; decoding is
// strict and reports every problem with file, document, line and field path.
//
// Guarantees: every function is deterministic, keeps no state between
// calls, never modifies its inputs unless its name says so (SetDefaults),
// and never panics on any input the API types can hold. Agreement with
// upstream is checked by the conformance module on generated inputs (10,000
// cases per property on every CI run).
//
// Non-goals: talking to a cluster, the scheduler's decisions (see package
// simulate), and what the API server does beyond validation (admission
// plugins and webhooks; Validate's doc draws the line).
package daemonset
