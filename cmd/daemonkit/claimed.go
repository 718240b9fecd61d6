package main

import (
	"fmt"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// claimedOut counts the cluster's pods a DaemonSet claims
// (daemonset.ClaimPods): its own pods in a dump or a live cluster, which
// explain and rollout take as they are instead of pods of their own.
type claimedOut struct {
	// Pods is every pod claimed.
	Pods int `json:"pods"`
	// Running are those bound to a node, phase Running and not terminating.
	Running int `json:"running"`
	// ByOwnerName are those claimed because their controller reference names
	// a DaemonSet of the same namespace and name while the manifest has no
	// UID (a manifest from git standing for the object in the cluster).
	ByOwnerName int `json:"byOwnerName"`
}

// claimedPods counts the pods of c that ds claims.
// upstream: daemon_controller.go getDaemonPods (the rule: daemonset.OwnsPod)
func claimedPods(c *simulate.Cluster, ds *appsv1.DaemonSet) claimedOut {
	var out claimedOut
	for _, p := range daemonset.ClaimPods(ds, c.Pods()) {
		out.Pods++
		if p.Spec.NodeName != "" && p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
			out.Running++
		}
		if ref := metav1.GetControllerOfNoCopy(p); ds.UID == "" && ref != nil {
			out.ByOwnerName++
		}
	}
	return out
}

// String is the text form: "12 pods of the DaemonSet in the cluster, 12
// running (matched by owner name: the manifest has no UID)".
func (c claimedOut) String() string {
	s := fmt.Sprintf("%d %s of the DaemonSet in the cluster, %d running", c.Pods, plural(c.Pods, "pod", "pods"), c.Running)
	if c.ByOwnerName > 0 {
		s += fmt.Sprintf(" (%d matched by owner name: the manifest has no UID)", c.ByOwnerName)
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// claimedLine is the text line about the claimed pods: shown when some are
// claimed, or when the cluster is a dump or a live cluster (where none
// claimed is worth knowing: the pods there are not the DaemonSet's). A
// dump of nodes only claims nothing and says nothing.
func claimedLine(c claimedOut, dump bool) string {
	if c.Pods == 0 && !dump {
		return ""
	}
	return c.String()
}
