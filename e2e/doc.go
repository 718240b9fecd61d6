// Package e2e holds daemonkit to a real Kubernetes v1.37.2 control plane
// (etcd, kube-apiserver, kube-controller-manager, kube-scheduler and KWOK
// fake kubelets, started by package harness on loopback):
//
//   - every preset and its companions are accepted by server-side apply, and
//     the DaemonSet the server stores equals daemonset.SetDefaults of what
//     was sent; daemonset.Validate's errors on broken objects match the
//     server's rejections field by field;
//   - on tainted, labelled, cordoned and NotReady nodes, the status the real
//     DaemonSet controller writes and the nodes that get pods equal
//     daemonkit's placement and its rollout engine's final state;
//   - real rolling updates on 100 KWOK nodes (maxUnavailable and maxSurge
//     variants, fixed pod delays) end in the state daemonkit predicts, in a
//     time daemonkit predicts within 15%;
//   - simulate/live reads the cluster, read-only, and applies with
//     server-side apply.
//
// The tests build the binaries on first use (about 9 minutes on 2 cores;
// cached outside the repository, see harness.CacheRoot) and skip, loudly,
// only when they cannot be built. See README.md.
package e2e
