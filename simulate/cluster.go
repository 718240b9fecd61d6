package simulate

import corev1 "k8s.io/api/core/v1"

// Cluster is a set of nodes and the pods already on them (other DaemonSets'
// pods and workloads), held as the real API types.
//
// TEMPORARY SKELETON (will grow): owned by the clusters-and-placement work.
// Nodes and Pods stay exported slices of real API objects: the rollout engine
// reads them.
type Cluster struct {
	Nodes []*corev1.Node
	Pods  []*corev1.Pod
}
