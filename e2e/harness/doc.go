// Package harness runs a real Kubernetes v1.37.2 control plane on loopback
// for daemonkit's end-to-end tests: etcd, kube-apiserver,
// kube-controller-manager (daemonset, serviceaccount, node-lifecycle and
// the garbage collectors), kube-scheduler and KWOK fake kubelets managing
// fake nodes.
//
// EnsureBinaries builds the five binaries at pinned versions (Versions) into
// a cache directory outside the repository, keyed by those versions, and
// reuses them when present. Start picks free loopback ports, generates the
// service-account signing key and a static token file, starts the
// processes in dependency order, waits for each to be healthy, and returns a
// Cluster whose Stop ends every process and removes the work directory
// (callers defer it, so it also runs when a test fails; the processes also
// get SIGKILL from the kernel if the test binary dies, via Pdeathsig).
//
// What the harness handles that a first try on a real cluster meets: new
// nodes carry node.kubernetes.io/not-ready:NoSchedule until Ready (AddNodes
// waits for KWOK to make them Ready and for the node lifecycle controller
// to lift the taint), pods are refused until a namespace's default
// ServiceAccount exists (CreateNamespace waits for it), privileged agents
// need --allow-privileged=true (set), and KWOK runs the node heartbeat
// stage with leases so that the node lifecycle controller keeps its nodes
// Ready.
//
// KWOK's pod stages are upstream's "general" stages (kustomize/stage/pod/
// general at v0.8.0): by default a pod is created 1–6 s after binding, turns
// Ready 1–6 s later and, once deleted, goes between 1 s and the end of its
// grace period. PodDelays returns the pod-template annotations that make
// those delays fixed, for comparisons with daemonkit's model.
//
// Non-goals: real kubelets or containers, multi-node etcd, and any use
// outside tests (the API server trusts a static token and skips TLS
// verification on loopback).
package harness
