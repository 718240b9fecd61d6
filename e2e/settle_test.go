package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/e2e/harness"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/live"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
)

// groupLabel isolates each test's nodes: its DaemonSets select its group.
const groupLabel = "e2e.daemonkit.dev/group"

func inGroup(n *corev1.Node, group string) *corev1.Node {
	n.Labels[groupLabel] = group
	return n
}

// createNodes creates nodes for a test and deletes them when it ends.
func createNodes(t *testing.T, ctx context.Context, cs kubernetes.Interface, nodes []*corev1.Node) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, n := range nodes {
			_ = cs.CoreV1().Nodes().Delete(ctx, n.Name, metav1.DeleteOptions{})
		}
	})
	if err := harness.CreateNodes(ctx, cs, nodes, 3*time.Minute); err != nil {
		t.Fatal(err)
	}
}

// daemonPods returns the pods the DaemonSet owns, by node, leaving out
// terminal ones; withDeleting includes pods being deleted.
func daemonPods(ctx context.Context, cs kubernetes.Interface, ds *appsv1.DaemonSet, withDeleting bool) (map[string][]*corev1.Pod, error) {
	sel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil {
		return nil, err
	}
	l, err := cs.CoreV1().Pods(ds.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, err
	}
	out := map[string][]*corev1.Pod{}
	for i := range l.Items {
		p := &l.Items[i]
		ref := metav1.GetControllerOf(p)
		if ref == nil || ref.UID != ds.UID || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		if p.DeletionTimestamp != nil && !withDeleting {
			continue
		}
		out[p.Spec.NodeName] = append(out[p.Spec.NodeName], p)
	}
	return out, nil
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func nodeIsReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// waitSettled waits until the DaemonSet controller has caught up with the
// DaemonSet and its pods: the status is of the current generation, every pod
// on a Ready node is Ready, no pod is being deleted, the status counts the
// pods there are, and it has not changed for settleFor. It returns the
// settled DaemonSet.
func waitSettled(t *testing.T, ctx context.Context, cs kubernetes.Interface, ns, name string, settleFor time.Duration) *appsv1.DaemonSet {
	t.Helper()
	var last appsv1.DaemonSetStatus
	var since time.Time
	var ds *appsv1.DaemonSet
	err := harness.Poll(ctx, 3*time.Minute, 500*time.Millisecond, func() (bool, string, error) {
		var err error
		ds, err = cs.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, "", err
		}
		if ds.Status.ObservedGeneration < ds.Generation {
			return false, "status not of the current generation", nil
		}
		pods, err := daemonPods(ctx, cs, ds, true)
		if err != nil {
			return false, "", err
		}
		nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, "", err
		}
		ready := map[string]bool{}
		for i := range nodes.Items {
			ready[nodes.Items[i].Name] = nodeIsReady(&nodes.Items[i])
		}
		readyNodes := int32(0)
		for node, ps := range pods {
			r := false
			for _, p := range ps {
				if p.DeletionTimestamp != nil {
					return false, fmt.Sprintf("pod %s on %s is being deleted", p.Name, node), nil
				}
				if ready[node] && !podReady(p) {
					return false, fmt.Sprintf("pod %s on Ready node %s not Ready", p.Name, node), nil
				}
				r = r || podReady(p)
			}
			if r {
				readyNodes++
			}
		}
		// The status must tell of these pods: a sync that failed (and waits
		// out its backoff) leaves an old status standing for a while.
		st := ds.Status
		if int(st.CurrentNumberScheduled+st.NumberMisscheduled) != len(pods) || st.NumberReady > readyNodes || st.NumberReady < readyNodes-st.NumberMisscheduled {
			since = time.Time{}
			return false, fmt.Sprintf("status (current %d, misscheduled %d, ready %d) behind the pods (%d nodes with pods, %d with a Ready one)",
				st.CurrentNumberScheduled, st.NumberMisscheduled, st.NumberReady, len(pods), readyNodes), nil
		}
		if !equality.Semantic.DeepEqual(ds.Status, last) || since.IsZero() {
			last, since = ds.Status, time.Now()
			return false, "status changed", nil
		}
		return time.Since(since) >= settleFor, "status settling", nil
	})
	if err != nil {
		t.Fatalf("DaemonSet %s/%s did not settle: %v", ns, name, err)
	}
	return ds
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// groupSelector selects a test's nodes.
func groupSelector(group string) string {
	return labels.SelectorFromSet(labels.Set{groupLabel: group}).String()
}

// newImage is the image every update test rolls out.
const newImage = "registry.k8s.io/pause:3.10.1"

// snapshotThenUpdate reads the cluster as simulate/live does (the model's
// starting point), then updates the settled DaemonSet from to newImage. It
// returns the snapshot, the DaemonSet as sent and as stored, and the time
// of the update (the model's t=0).
func snapshotThenUpdate(t *testing.T, ctx context.Context, cs kubernetes.Interface, from *appsv1.DaemonSet) (snap *simulate.Cluster, to, stored *appsv1.DaemonSet, start time.Time) {
	t.Helper()
	snap, _, err := live.LoadFrom(ctx, cs)
	if err != nil {
		t.Fatal(err)
	}
	to = from.DeepCopy()
	to.Spec.Template.Spec.Containers[0].Image = newImage
	start = time.Now()
	if stored, err = cs.AppsV1().DaemonSets(from.Namespace).Update(ctx, to, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	return snap, to, stored, start
}
