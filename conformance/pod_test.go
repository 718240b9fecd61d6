package conformance

import (
	"github.com/daemonkit/daemonkit/simulate/simtest"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	podutil "k8s.io/kubernetes/pkg/api/v1/pod"
	"k8s.io/kubernetes/pkg/controller"
	"k8s.io/kubernetes/pkg/controller/daemon"
	"k8s.io/kubernetes/pkg/controller/daemon/util"
	"pgregory.net/rapid"
)

// upstreamNewPod builds the pod the real controller creates for node, the
// way syncNodes and RealPodControl.CreatePods do.
func upstreamNewPod(t *rapid.T, ds *appsv1.DaemonSet, node, hash string) *corev1.Pod {
	generation, err := util.GetTemplateGeneration(ds)
	if err != nil {
		generation = nil
	}
	template := util.CreatePodTemplate(ds.Spec.Template, generation, hash)
	podTemplate := template.DeepCopy()
	podTemplate.Spec.Affinity = util.ReplaceDaemonSetPodNodeNameNodeAffinity(podTemplate.Spec.Affinity, node)
	ref := metav1.NewControllerRef(ds, appsv1.SchemeGroupVersion.WithKind("DaemonSet"))
	pod, err := controller.GetPodFromTemplate(podTemplate, ds, ref)
	if err != nil {
		t.Fatalf("GetPodFromTemplate: %v", err)
	}
	pod.Namespace = ds.Namespace // set by the Create call
	return pod
}

// TestNewPodMatchesUpstream compares NewPodForRevision and NewPod with the
// controller's pod-building pipeline on randfill templates with generated
// placement fields, names and template-generation annotations.
func TestNewPodMatchesUpstream(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ds := &appsv1.DaemonSet{}
		ds.Spec.Template = randTemplate(rapid.Int64().Draw(t, "seed"))
		placement := simtest.CornerDaemonSet().Draw(t, "placement")
		if rapid.Bool().Draw(t, "placementSpec") {
			ds.Spec.Template.Spec.Tolerations = placement.Spec.Template.Spec.Tolerations
			ds.Spec.Template.Spec.Affinity = placement.Spec.Template.Spec.Affinity
			ds.Spec.Template.Spec.HostNetwork = placement.Spec.Template.Spec.HostNetwork
		}
		ds.Name = rapid.SampledFrom([]string{"agent", "", "UPPER", "a.b", "x-", "very-long-name-very-long-name-very-long-name-very-long-name-x"}).Draw(t, "name")
		ds.Namespace = rapid.SampledFrom([]string{"", "kube-system"}).Draw(t, "namespace")
		ds.UID = types.UID(rapid.SampledFrom([]string{"", "uid-1"}).Draw(t, "uid"))
		switch rapid.IntRange(0, 3).Draw(t, "generation") {
		case 1:
			ds.Annotations = map[string]string{daemonset.TemplateGenerationAnnotation: strconv.Itoa(rapid.IntRange(-2, 5).Draw(t, "g"))}
		case 2:
			ds.Annotations = map[string]string{daemonset.TemplateGenerationAnnotation: "x"}
		}
		node := rapid.SampledFrom(simtest.CornerNodeNames()).Draw(t, "node")
		hash := rapid.SampledFrom([]string{"", "abc", "54f4c57dcb"}).Draw(t, "hash")
		orig := ds.DeepCopy()

		want := upstreamNewPod(t, ds, node, hash)
		got := daemonset.NewPodForRevision(ds, node, hash)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("NewPodForRevision differs from upstream (-got +want):\n%s", cmp.Diff(got, want))
		}
		if !reflect.DeepEqual(ds, orig) {
			t.Fatalf("NewPodForRevision modified the DaemonSet:\n%s", cmp.Diff(ds, orig))
		}
		// The tolerations are upstream daemon.NewPod's.
		if up := daemon.NewPod(ds, node); !reflect.DeepEqual(got.Spec.Tolerations, up.Spec.Tolerations) {
			t.Fatalf("tolerations differ from daemon.NewPod:\n%s", cmp.Diff(got.Spec.Tolerations, up.Spec.Tolerations))
		}
		if !reflect.DeepEqual(daemonset.DaemonPodTolerations(ds), daemon.NewPod(ds, node).Spec.Tolerations) {
			t.Fatalf("DaemonPodTolerations differs from daemon.NewPod's tolerations")
		}
		if full := daemonset.NewPod(ds, node); !reflect.DeepEqual(full, upstreamNewPod(t, ds, node, controller.ComputeHash(&ds.Spec.Template, ds.Status.CollisionCount))) {
			t.Fatalf("NewPod differs from upstream with ComputeHash")
		}
	})
}

func genPodForTarget() *rapid.Generator[*corev1.Pod] {
	return rapid.Custom(func(t *rapid.T) *corev1.Pod {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"}}
		if rapid.IntRange(0, 3).Draw(t, "hasNodeName") == 0 {
			pod.Spec.NodeName = rapid.SampledFrom(simtest.CornerNodeNames()).Draw(t, "nodeName")
		}
		pod.Spec.Affinity = simtest.CornerAffinity().Draw(t, "affinity")
		return pod
	})
}

// TestTargetNodeNameMatchesUpstream compares TargetNodeName with
// util.GetTargetNodeName, result and error text.
func TestTargetNodeNameMatchesUpstream(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pod := genPodForTarget().Draw(t, "pod")
		got, gotErr := daemonset.TargetNodeName(pod)
		want, wantErr := util.GetTargetNodeName(pod)
		if got != want || (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
			t.Fatalf("TargetNodeName = %q, %v; upstream %q, %v", got, gotErr, want, wantErr)
		}
	})
}

// TestIsPodUpdatedMatchesUpstream compares IsPodUpdated and
// TemplateGeneration with upstream's.
func TestIsPodUpdatedMatchesUpstream(t *testing.T) {
	vals := []string{"", "1", "2", "-1", "01", "abc", "h1", "h2"}
	rapid.Check(t, func(t *rapid.T) {
		pod := &corev1.Pod{}
		pod.Labels = rapid.MapOfN(rapid.SampledFrom([]string{daemonset.ControllerRevisionHashLabel, daemonset.TemplateGenerationLabel, "app"}),
			rapid.SampledFrom(vals), 0, 3).Draw(t, "labels")
		hash := rapid.SampledFrom(vals).Draw(t, "hash")
		ds := &appsv1.DaemonSet{}
		if rapid.Bool().Draw(t, "annotated") {
			ds.Annotations = map[string]string{daemonset.TemplateGenerationAnnotation: rapid.SampledFrom(vals).Draw(t, "annotation")}
		}
		wantGen, err := util.GetTemplateGeneration(ds)
		if err != nil {
			wantGen = nil
		}
		gen := daemonset.TemplateGeneration(ds)
		if !reflect.DeepEqual(gen, wantGen) {
			t.Fatalf("TemplateGeneration = %v, upstream %v", gen, wantGen)
		}
		if got, want := daemonset.IsPodUpdated(pod, hash, gen), util.IsPodUpdated(pod, hash, wantGen); got != want {
			t.Fatalf("IsPodUpdated = %v, upstream %v", got, want)
		}
	})
}

// TestIsPodAvailableMatchesUpstream compares IsPodReady and IsPodAvailable
// with pkg/api/v1/pod on generated conditions around the boundary.
func TestIsPodAvailableMatchesUpstream(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		pod := &corev1.Pod{}
		pod.Status.Conditions = rapid.SliceOfN(rapid.Custom(func(t *rapid.T) corev1.PodCondition {
			c := corev1.PodCondition{
				Type:   rapid.SampledFrom([]corev1.PodConditionType{corev1.PodReady, corev1.ContainersReady, corev1.PodScheduled}).Draw(t, "type"),
				Status: rapid.SampledFrom([]corev1.ConditionStatus{corev1.ConditionTrue, corev1.ConditionFalse, corev1.ConditionUnknown, ""}).Draw(t, "status"),
			}
			if rapid.IntRange(0, 4).Draw(t, "zeroTime") > 0 {
				c.LastTransitionTime = metav1.NewTime(base.Add(time.Duration(rapid.IntRange(0, 100).Draw(t, "ltt")) * time.Second))
			}
			return c
		}), 0, 3).Draw(t, "conditions")
		minReady := rapid.SampledFrom([]int32{0, 1, 10, 51, 100, -5}).Draw(t, "minReadySeconds")
		now := metav1.NewTime(base.Add(time.Duration(rapid.IntRange(0, 200).Draw(t, "now")) * time.Second))
		if got, want := daemonset.IsPodReady(pod), podutil.IsPodReady(pod); got != want {
			t.Fatalf("IsPodReady = %v, upstream %v", got, want)
		}
		if got, want := daemonset.IsPodAvailable(pod, minReady, now), podutil.IsPodAvailable(pod, minReady, now); got != want {
			t.Fatalf("IsPodAvailable = %v, upstream %v", got, want)
		}
	})
}
