package simulate

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// A node whose Ready condition is False or Unknown (an EKS node gone
// unreachable whose taints were not read, say) and that carries no lifecycle
// taint: the controller creates a pod there, but the node lifecycle
// controller marks it not Ready. Place's status counts and Rollout agree,
// with the same cause text.
// upstream: pkg/controller/nodelifecycle monitorNodeHealth,
// pkg/controller/util/node MarkPodsNotReady
func TestNotReadyNodeSameInPlaceAndRollout(t *testing.T) {
	for _, st := range []corev1.ConditionStatus{corev1.ConditionFalse, corev1.ConditionUnknown} {
		nodes := testNodes(3)
		for _, n := range nodes {
			n.Status.Allocatable = corev1.ResourceList{corev1.ResourcePods: resource.MustParse("110")}
		}
		nodes[1].Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: st}}
		c := mustCluster(nodes, nil)
		ds := rolloutDS("img:v1", nil)
		p, err := Place(c, ds)
		if err != nil {
			t.Fatal(err)
		}
		np, _ := p.DaemonSets[0].Node("n01")
		if np.State != Runs || np.NotReady == "" {
			t.Fatalf("Ready=%s: placement %+v", st, np)
		}
		if ok, _ := p.DaemonSets[0].Node("n00"); ok.NotReady != "" {
			t.Errorf("a Ready node marked NotReady")
		}
		ps := p.DaemonSets[0].Status()
		r := mustRollout(t, Scenario{Cluster: c, To: ds})
		rs := r.DaemonSet.Status
		if ps.DesiredNumberScheduled != rs.DesiredNumberScheduled || ps.NumberReady != rs.NumberReady ||
			ps.NumberAvailable != rs.NumberAvailable || ps.NumberUnavailable != rs.NumberUnavailable || ps.NumberReady != 2 {
			t.Errorf("Ready=%s: Place status %+v, Rollout status %+v", st, ps, rs)
		}
		u := r.Summary.Uncovered
		if len(u) != 1 || u[0].Node != "n01" || u[0].Cause != CausePodNeverReady || !strings.HasSuffix(u[0].Detail, ": "+np.NotReady) {
			t.Errorf("Ready=%s: rollout says %+v, Place %q", st, u, np.NotReady)
		}
	}
}
