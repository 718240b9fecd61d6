package simulate

import (
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// rolloutDS is a valid DaemonSet "ds" running image with the given update
// strategy (nil: defaults, RollingUpdate maxUnavailable 1).
func rolloutDS(image string, strategy *appsv1.DaemonSetUpdateStrategy) *appsv1.DaemonSet {
	ds := &appsv1.DaemonSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
		ObjectMeta: metav1.ObjectMeta{Name: "ds", Namespace: "default", UID: types.UID("ds-uid")},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "ds"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "ds"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: image}}},
			},
		},
	}
	if strategy != nil {
		ds.Spec.UpdateStrategy = *strategy
	}
	return ds
}

func maxUnavailable(v intstr.IntOrString) *appsv1.DaemonSetUpdateStrategy {
	return &appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &v}}
}

func maxSurge(v intstr.IntOrString) *appsv1.DaemonSetUpdateStrategy {
	zero := intstr.FromInt32(0)
	return &appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &zero, MaxSurge: &v}}
}

func onDelete() *appsv1.DaemonSetUpdateStrategy {
	return &appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
}

func testNodes(n int) []*corev1.Node {
	out := make([]*corev1.Node, n)
	for i := range out {
		out[i] = &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("n%02d", i),
			Labels: map[string]string{"kubernetes.io/hostname": fmt.Sprintf("n%02d", i)}}}
	}
	return out
}

func testCluster(n int) *Cluster { return mustCluster(testNodes(n), nil) }

// mustCluster is NewCluster for tests whose nodes and pods are valid.
func mustCluster(nodes []*corev1.Node, pods []*corev1.Pod) *Cluster {
	c, err := NewCluster(nodes, pods)
	if err != nil {
		panic(err)
	}
	return c
}

// update is the usual scenario: from image v1 to v2 over a cluster.
func update(c *Cluster, s *appsv1.DaemonSetUpdateStrategy, startup time.Duration) Scenario {
	return Scenario{Cluster: c, From: rolloutDS("img:v1", s), To: rolloutDS("img:v2", s),
		Kubelet: KubeletModel{Startup: startup}}
}

// shape renders a step as "t=10 C3 D0 d/c/r/u/a/un".
func shape(s Step) string {
	st := s.Status
	return fmt.Sprintf("t=%d C%d D%d %d/%d/%d/%d/%d/%d", int(s.Time.Seconds()), len(s.Created), len(s.Deleted),
		st.DesiredNumberScheduled, st.CurrentNumberScheduled, st.NumberReady, st.UpdatedNumberScheduled,
		st.NumberAvailable, st.NumberUnavailable)
}

func shapes(r *Result) string {
	var b strings.Builder
	for _, s := range r.Steps {
		b.WriteString(shape(s))
		b.WriteByte('\n')
	}
	return b.String()
}

func mustRollout(t testing.TB, s Scenario) *Result {
	t.Helper()
	r, err := Rollout(t.Context(), s)
	if err != nil {
		t.Fatalf("Rollout: %v", err)
	}
	return r
}
