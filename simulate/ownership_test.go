package simulate

import (
	"testing"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// liveDump is a cluster as `kubectl get nodes,pods -A -o yaml` shows it
// while the DaemonSet runs: one Ready pod of live on every node, with the
// controller reference (and UID) the API server gave it.
func liveDump(t *testing.T, live *appsv1.DaemonSet, n int) *Cluster {
	t.Helper()
	nodes := testNodes(n)
	stored := live.DeepCopy()
	daemonset.SetDefaults(stored)
	var pods []*corev1.Pod
	for _, node := range nodes {
		p := daemonset.PodAsCreated(stored, node.Name)
		p.Name = live.Name + "-" + node.Name
		p.Spec.NodeName = node.Name
		p.Status = corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{
			Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(defaultStart.AddDate(0, 0, -1))}}}
		pods = append(pods, p)
	}
	c, err := NewCluster(nodes, pods)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Place (`daemonkit explain`) and Rollout (`daemonkit rollout`) claim the
// same pods of a real dump: the manifest from git, without a UID, owns the
// pods of the DaemonSet of its name running in the cluster. Before OwnsPod,
// Place claimed them and Rollout did not (it created a second pod on every
// node).
func TestPlaceAndRolloutClaimTheSamePodsOfADump(t *testing.T) {
	live := rolloutDS("img:v1", nil)
	live.UID = "uid-in-the-cluster"
	c := liveDump(t, live, 3)
	manifest := rolloutDS("img:v1", nil)
	manifest.UID = ""

	p, err := Place(c, manifest)
	if err != nil {
		t.Fatal(err)
	}
	for _, np := range p.DaemonSets[0].Nodes {
		if !np.ExistingPod {
			t.Errorf("Place: node %s: ExistingPod false, want true", np.Node)
		}
	}
	r := mustRollout(t, Scenario{Cluster: c, To: manifest})
	for _, s := range r.Steps {
		if len(s.Created) > 0 || len(s.Deleted) > 0 {
			t.Errorf("Rollout acted on the running pods: %s", shape(s))
		}
	}
	if st := r.DaemonSet.Status; st.NumberAvailable != 3 || st.UpdatedNumberScheduled != 3 {
		t.Errorf("final status %+v, want 3 available and updated", st)
	}
}
