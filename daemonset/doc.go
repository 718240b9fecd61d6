// Package daemonset answers, as pure functions over k8s.io/api types, what the
// Kubernetes v1.37.2 API server and DaemonSet controller do with a DaemonSet.
package daemonset
