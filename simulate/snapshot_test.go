package simulate

import (
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// realPod is a Running, Ready pod of ds on node, as a snapshot of a live
// cluster holds it (created and Ready an hour before t0).
func realPod(ds *appsv1.DaemonSet, name, node string, t0 time.Time) *corev1.Pod {
	stored := ds.DeepCopy()
	daemonset.SetDefaults(stored)
	p := daemonset.NewPod(stored, node)
	p.Name = name
	p.Spec.NodeName = node
	p.CreationTimestamp = metav1.NewTime(t0.Add(-time.Hour))
	p.Status.Phase = corev1.PodRunning
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue,
		LastTransitionTime: metav1.NewTime(t0.Add(-time.Hour))}}
	return p
}

// A snapshot of a live cluster holds the running DaemonSet's own pods: the
// rollout starts from them on their nodes (no second, idealized From pod
// beside each), and from an idealized From pod on the nodes the snapshot
// has none of.
func TestRolloutFromSnapshotPodsReplacesEachOnce(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	from := rolloutDS("img:v1", maxUnavailable(intstr.FromInt32(1)))
	pods := []*corev1.Pod{realPod(from, "ds-real0", "n00", t0), realPod(from, "ds-real1", "n01", t0)}
	cl, err := NewCluster(testNodes(3), pods)
	if err != nil {
		t.Fatal(err)
	}
	r := mustRollout(t, Scenario{Cluster: cl, From: from, To: rolloutDS("img:v2", maxUnavailable(intstr.FromInt32(1))),
		Start: t0, Kubelet: KubeletModel{Startup: 5 * time.Second}})
	if s := r.Summary; s.Creates != 3 || s.Deletes != 3 || !s.Done {
		t.Fatalf("creates %d, deletes %d, done %v; want 3, 3, true\n%s", s.Creates, s.Deletes, s.Done, shapes(r))
	}
	// With a second, idealized pod beside each real one there would be
	// 5 deletes; the first reconcile deletes one pod of three.
	if st := r.Steps[0]; len(st.Deleted) != 1 || st.Status.DesiredNumberScheduled != 3 || st.Status.CurrentNumberScheduled != 2 {
		t.Errorf("first step deletes %v, status %+v: want 1 delete, 3 desired, 2 current", st.Deleted, st.Status)
	}
}

func TestClusterLatestTimestamp(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	node := testNodes(1)[0]
	node.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue,
		LastHeartbeatTime: metav1.NewTime(t0), LastTransitionTime: metav1.NewTime(t0.Add(-time.Hour))}}
	created := realPod(rolloutDS("img:v1", nil), "a", "n00", t0)
	created.CreationTimestamp = metav1.NewTime(t0.Add(time.Minute))
	deleting := realPod(rolloutDS("img:v1", nil), "b", "n00", t0)
	grace := int64(30)
	deleting.DeletionGracePeriodSeconds = &grace
	// asked at t0+2m, the grace period ends at t0+2m30s
	deleting.DeletionTimestamp = &metav1.Time{Time: t0.Add(2*time.Minute + 30*time.Second)}
	for _, tc := range []struct {
		name  string
		nodes []*corev1.Node
		pods  []*corev1.Pod
		want  time.Time
	}{
		{"empty cluster", nil, nil, time.Time{}},
		{"node heartbeat", []*corev1.Node{node}, nil, t0},
		{"pod created later", []*corev1.Node{node}, []*corev1.Pod{created}, t0.Add(time.Minute)},
		{"deletion asked, not the end of its grace period", []*corev1.Node{node}, []*corev1.Pod{created, deleting}, t0.Add(2 * time.Minute)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustCluster(tc.nodes, tc.pods)
			if got := c.LatestTimestamp(); !got.Equal(tc.want) {
				t.Errorf("LatestTimestamp = %v, want %v", got, tc.want)
			}
		})
	}
}

// To written as a plain manifest (no generation, no creationTimestamp) is
// an update of a From the API server stored (generation 7, created a year
// ago): the server keeps those fields before it validates, and so does
// Rollout.
// upstream: staging/src/k8s.io/apiserver/pkg/registry/rest/update.go BeforeUpdate
func TestRolloutToAsPlainManifestUpdatesStoredFrom(t *testing.T) {
	from := rolloutDS("img:v1", nil)
	from.Generation = 7
	from.CreationTimestamp = metav1.NewTime(time.Date(2025, 11, 27, 0, 0, 0, 0, time.UTC))
	from.ResourceVersion = "4711"
	to := rolloutDS("img:v2", nil)
	to.UID = ""
	r := mustRollout(t, Scenario{Cluster: testCluster(2), From: from, To: to})
	if !r.Summary.Done || r.DaemonSet.Generation != 8 {
		t.Errorf("done %v, generation %d; want true, 8", r.Summary.Done, r.DaemonSet.Generation)
	}
}
