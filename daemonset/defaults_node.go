package daemonset

import corev1 "k8s.io/api/core/v1"

// SetNodeDefaults applies, in place, what the v1.37.2 API server's core/v1
// defaulting does to a Node: a status with a capacity but no allocatable gets
// allocatable equal to the capacity. Every Node the API server returns has
// been through it, so a node written by hand (or added to a simulation)
// without allocatable has room for its capacity, not for nothing.
//
// Unlike upstream, which ends up sharing one map between capacity and
// allocatable, SetNodeDefaults copies: changing one never changes the other.
// It is idempotent and a nil node is a no-op.
//
// upstream: pkg/apis/core/v1/defaults.go SetDefaults_NodeStatus
// (zz_generated.defaults.go SetObjectDefaults_Node)
func SetNodeDefaults(node *corev1.Node) {
	if node == nil {
		return
	}
	st := &node.Status
	if st.Allocatable == nil && st.Capacity != nil {
		st.Allocatable = make(corev1.ResourceList, len(st.Capacity))
		for name, q := range st.Capacity {
			st.Allocatable[name] = q.DeepCopy()
		}
	}
}
