// Package conformance holds daemonkit to upstream Kubernetes v1.37.2: its tests
// compare daemonkit's answers with upstream's own functions and controller on
// generated inputs, and its benchmarks compare their speed on the same inputs.
//
// It is a separate module so that users of daemonkit never download
// k8s.io/kubernetes.
package conformance
