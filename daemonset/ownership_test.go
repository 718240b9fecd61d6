package daemonset

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"pgregory.net/rapid"
)

func ownershipDS(uid string) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: metav1.NamespaceDefault, UID: types.UID(uid)},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"foo": "bar"}},
		},
	}
}

// ownershipPod is upstream's newPod helper: a pod with labels, controlled by
// (kind, name, uid) when kind is set.
func ownershipPod(lbls map[string]string, kind, name, uid string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "pod1", Namespace: metav1.NamespaceDefault, Labels: lbls}}
	if kind != "" {
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: name,
			UID: types.UID(uid), Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}}
	}
	return p
}

// The cases of upstream's TestClaimPods (pkg/controller/controller_ref_manager_test.go),
// with a DaemonSet as the controller, plus the DaemonSet-without-UID extension.
func TestOwnsPod(t *testing.T) {
	prod := map[string]string{"foo": "bar"}
	test := map[string]string{"foo": "baz"}
	now := metav1.Now()
	deleting := func(o metav1.Object) { o.SetDeletionTimestamp(&now) }
	for _, tc := range []struct {
		name string
		ds   *appsv1.DaemonSet
		pod  *corev1.Pod
		want bool
	}{
		// upstream: "Claim pods with correct label"
		{"orphan with matching labels is adopted", ownershipDS("uid-1"), ownershipPod(prod, "", "", ""), true},
		{"orphan with other labels is not adopted", ownershipDS("uid-1"), ownershipPod(test, "", "", ""), false},
		// upstream: "Controller marked for deletion can not claim pods"
		{"deleting DaemonSet adopts no orphan", func() *appsv1.DaemonSet { d := ownershipDS("uid-1"); deleting(d); return d }(),
			ownershipPod(prod, "", "", ""), false},
		// upstream: "Controller marked for deletion can not claim new pods"
		{"deleting DaemonSet keeps its own pods", func() *appsv1.DaemonSet { d := ownershipDS("uid-1"); deleting(d); return d }(),
			ownershipPod(prod, "DaemonSet", "agent", "uid-1"), true},
		// upstream: "Controller can not claim pods owned by another controller"
		{"pod of another controller", ownershipDS("uid-1"), ownershipPod(prod, "DaemonSet", "agent", "uid-2"), false},
		{"pod of a ReplicaSet", ownershipDS("uid-1"), ownershipPod(prod, "ReplicaSet", "rs", "uid-3"), false},
		// upstream: "Controller releases claimed pods when selector doesn't match"
		{"own pod with other labels is released", ownershipDS("uid-1"), ownershipPod(test, "DaemonSet", "agent", "uid-1"), false},
		// upstream: "Controller does not claim orphaned pods marked for deletion"
		{"deleting own pod stays", ownershipDS("uid-1"), func() *corev1.Pod {
			p := ownershipPod(prod, "DaemonSet", "agent", "uid-1")
			deleting(p)
			return p
		}(), true},
		{"deleting orphan is not adopted", ownershipDS("uid-1"), func() *corev1.Pod { p := ownershipPod(prod, "", "", ""); deleting(p); return p }(), false},
		// upstream: "Controller does not claim pods of different namespace"
		{"orphan of another namespace", ownershipDS("uid-1"), func() *corev1.Pod { p := ownershipPod(prod, "", "", ""); p.Namespace = "fakens"; return p }(), false},
		{"own pod in another namespace", ownershipDS("uid-1"), func() *corev1.Pod {
			p := ownershipPod(prod, "DaemonSet", "agent", "uid-1")
			p.Namespace = "fakens"
			return p
		}(), false},
		// a non-controller owner reference does not make a pod owned
		{"owner reference without controller", ownershipDS("uid-1"), func() *corev1.Pod {
			p := ownershipPod(prod, "DaemonSet", "agent", "uid-1")
			p.OwnerReferences[0].Controller = nil
			return p
		}(), true /* an orphan as far as ClaimObject goes, and it matches */},
		// getDaemonPods: a selector that does not convert claims nothing
		{"invalid selector", func() *appsv1.DaemonSet {
			d := ownershipDS("uid-1")
			d.Spec.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "foo", Operator: "Bogus"}}}
			return d
		}(), ownershipPod(prod, "DaemonSet", "agent", "uid-1"), false},
		{"nil selector", func() *appsv1.DaemonSet { d := ownershipDS("uid-1"); d.Spec.Selector = nil; return d }(),
			ownershipPod(prod, "", "", ""), false},
		{"nil pod", ownershipDS("uid-1"), nil, false},
		{"nil DaemonSet", nil, ownershipPod(prod, "", "", ""), false},

		// extension: a DaemonSet without a UID is the running instance of its name
		{"no UID: pod of the same-named DaemonSet", ownershipDS(""), ownershipPod(prod, "DaemonSet", "agent", "uid-live"), true},
		{"no UID: pod of the same-named DaemonSet, labels changed", ownershipDS(""), ownershipPod(test, "DaemonSet", "agent", "uid-live"), true},
		{"no UID: pod of another DaemonSet", ownershipDS(""), ownershipPod(prod, "DaemonSet", "other", "uid-x"), false},
		{"no UID: pod of a ReplicaSet named alike", ownershipDS(""), ownershipPod(prod, "ReplicaSet", "agent", "uid-x"), false},
		{"no UID: orphan adopted", ownershipDS(""), ownershipPod(prod, "", "", ""), true},
		{"no UID: pod in another namespace", ownershipDS(""), func() *corev1.Pod {
			p := ownershipPod(prod, "DaemonSet", "agent", "uid-live")
			p.Namespace = "fakens"
			return p
		}(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := OwnsPod(tc.ds, tc.pod); got != tc.want {
				t.Errorf("OwnsPod = %v, want %v", got, tc.want)
			}
		})
	}
}

// A pod the controller creates is owned by its DaemonSet, with or without a UID.
func TestOwnsPodOwnsNewPod(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ds := ownershipDS(rapid.SampledFrom([]string{"", "uid-1"}).Draw(rt, "uid"))
		ds.Spec.Template.Labels = map[string]string{"foo": "bar", "extra": rapid.StringMatching(`[a-z]{0,5}`).Draw(rt, "extra")}
		pod := NewPod(ds, rapid.StringMatching(`node-[0-9]`).Draw(rt, "node"))
		if !OwnsPod(ds, pod) {
			rt.Fatalf("the DaemonSet does not own the pod it creates: %+v", pod.ObjectMeta)
		}
	})
}

// ClaimPods is OwnsPod over a list: the same pods, in order.
func TestClaimPodsIsOwnsPodOverAList(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ds := ownershipDS(rapid.SampledFrom([]string{"", "uid-1"}).Draw(rt, "uid"))
		if rapid.Bool().Draw(rt, "deleting") {
			now := metav1.Now()
			ds.DeletionTimestamp = &now
		}
		var pods []*corev1.Pod
		for i := range rapid.IntRange(0, 8).Draw(rt, "n") {
			lbls := map[string]string{"foo": rapid.SampledFrom([]string{"bar", "baz"}).Draw(rt, "label")}
			kind := rapid.SampledFrom([]string{"", "DaemonSet", "ReplicaSet"}).Draw(rt, "kind")
			p := ownershipPod(lbls, kind, rapid.SampledFrom([]string{"agent", "other"}).Draw(rt, "owner"),
				rapid.SampledFrom([]string{"uid-1", "uid-2", ""}).Draw(rt, "ownerUID"))
			p.Name = "pod" + string(rune('a'+i))
			p.Namespace = rapid.SampledFrom([]string{metav1.NamespaceDefault, "other"}).Draw(rt, "ns")
			pods = append(pods, p)
		}
		var want []*corev1.Pod
		for _, p := range pods {
			if OwnsPod(ds, p) {
				want = append(want, p)
			}
		}
		got := ClaimPods(ds, pods)
		if len(got) != len(want) {
			rt.Fatalf("ClaimPods claimed %d pods, OwnsPod %d", len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				rt.Fatalf("pod %d: ClaimPods %s, OwnsPod %s", i, got[i].Name, want[i].Name)
			}
		}
	})
}
