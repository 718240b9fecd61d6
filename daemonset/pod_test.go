package daemonset

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func pinned(node string) *corev1.Affinity {
	return required(fieldTerm(expr(metav1.ObjectNameField, corev1.NodeSelectorOpIn, node)))
}

// upstream: daemonset_util_test.go TestReplaceDaemonSetPodNodeNameNodeAffinity
func TestNewPodPinsToNode(t *testing.T) {
	preferred := []corev1.PreferredSchedulingTerm{{Weight: 1, Preference: exprTerm(expr("zone", corev1.NodeSelectorOpIn, "a"))}}
	for _, tc := range []struct {
		name string
		aff  *corev1.Affinity
		want *corev1.Affinity
	}{
		{"nil affinity", nil, pinned("host_1")},
		{"hostname matchExpressions replaced", required(exprTerm(expr(corev1.LabelHostname, corev1.NodeSelectorOpIn, "host_1"))), pinned("host_1")},
		{"preferred terms kept", &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: preferred}},
			&corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution:  pinned("host_1").NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution,
				PreferredDuringSchedulingIgnoredDuringExecution: preferred,
			}}},
		{"multi-value matchFields replaced", required(fieldTerm(expr(metav1.ObjectNameField, corev1.NodeSelectorOpIn, "host_1", "host_2"))), pinned("host_1")},
		{"NotIn replaced", required(fieldTerm(expr(metav1.ObjectNameField, corev1.NodeSelectorOpNotIn, "host_2"))), pinned("host_1")},
		{"all terms replaced by one", required(exprTerm(expr("a", corev1.NodeSelectorOpExists)), fieldTerm(expr("metadata.foo", corev1.NodeSelectorOpIn, "x"))), pinned("host_1")},
		{"pod anti-affinity kept", &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{}},
			&corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{}, NodeAffinity: pinned("host_1").NodeAffinity}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := plDS(func(s *corev1.PodSpec) { s.Affinity = tc.aff; s.NodeSelector = map[string]string{"kept": "yes"} })
			orig := ds.DeepCopy()
			pod := NewPodForRevision(ds, "host_1", "h")
			if diff := cmp.Diff(tc.want, pod.Spec.Affinity); diff != "" {
				t.Fatalf("affinity (-want +got):\n%s", diff)
			}
			if pod.Spec.NodeSelector["kept"] != "yes" {
				t.Fatalf("nodeSelector not kept")
			}
			if !reflect.DeepEqual(ds, orig) {
				t.Fatalf("NewPodForRevision modified the DaemonSet")
			}
		})
	}
}

// The pod the controller creates: labels, owner reference, name prefix,
// tolerations.
// upstream: daemonset_util_test.go TestCreatePodTemplate,
// daemon_controller_test.go TestSimpleDaemonSetScheduleDaemonSetPodsLaunchesPods
func TestNewPod(t *testing.T) {
	ds := plDS(func(s *corev1.PodSpec) {
		s.Tolerations = []corev1.Toleration{{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: new(int64)}}
	})
	ds.UID = "uid-1"
	ds.Annotations = map[string]string{TemplateGenerationAnnotation: "3"}
	ds.Spec.Template.Annotations = map[string]string{"note": "x"}
	pod := NewPod(ds, "node-1")

	wantLabels := map[string]string{"name": "simple-daemon", "type": "production", TemplateGenerationLabel: "3", ControllerRevisionHashLabel: RevisionHash(ds)}
	if diff := cmp.Diff(wantLabels, pod.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	if pod.GenerateName != "foo-" || pod.Namespace != "default" || pod.Name != "" || pod.Spec.NodeName != "" {
		t.Errorf("meta: generateName %q namespace %q name %q nodeName %q", pod.GenerateName, pod.Namespace, pod.Name, pod.Spec.NodeName)
	}
	if pod.Annotations["note"] != "x" {
		t.Errorf("template annotations not copied: %v", pod.Annotations)
	}
	yes := true
	wantRef := []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "foo", UID: "uid-1", Controller: &yes, BlockOwnerDeletion: &yes}}
	if diff := cmp.Diff(wantRef, pod.OwnerReferences); diff != "" {
		t.Errorf("owner references (-want +got):\n%s", diff)
	}
	if got, err := TargetNodeName(pod); err != nil || got != "node-1" {
		t.Errorf("TargetNodeName = %q, %v", got, err)
	}
	// The user's not-ready toleration is replaced in place: tolerationSeconds dropped.
	if diff := cmp.Diff(DaemonPodTolerations(ds), pod.Spec.Tolerations); diff != "" {
		t.Errorf("tolerations (-want +got):\n%s", diff)
	}
	if pod.Spec.Tolerations[0].TolerationSeconds != nil {
		t.Errorf("tolerationSeconds kept on the replaced toleration")
	}

	t.Run("no hash, no generation", func(t *testing.T) {
		plain := plDS(nil)
		p := NewPodForRevision(plain, "n", "")
		if _, ok := p.Labels[ControllerRevisionHashLabel]; ok {
			t.Errorf("hash label set for an empty hash")
		}
		if _, ok := p.Labels[TemplateGenerationLabel]; ok {
			t.Errorf("generation label set without the annotation")
		}
	})
	t.Run("name prefix falls back when the dashed form is invalid", func(t *testing.T) {
		// upstream: getPodsPrefix validates "<name>-" with its last two
		// characters masked, so "UPPER" (not a DNS subdomain) keeps no dash.
		for name, want := range map[string]string{"UPPER": "UPPER", strings.Repeat("a", 253): strings.Repeat("a", 253) + "-"} {
			bad := plDS(nil)
			bad.Name = name
			if p := NewPodForRevision(bad, "n", ""); p.GenerateName != want {
				t.Errorf("generateName %q, want %q", p.GenerateName, want)
			}
		}
	})
	t.Run("nil DaemonSet", func(t *testing.T) {
		if p := NewPod(nil, "n"); p == nil || len(p.Spec.Tolerations) != 6 {
			t.Fatalf("NewPod(nil) = %+v", p)
		}
	})
}

// upstream: daemonset_util_test.go TestGetTargetNodeName
func TestTargetNodeName(t *testing.T) {
	pod := func(nodeName string, aff *corev1.Affinity) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "pod1", Namespace: "default"}, Spec: corev1.PodSpec{NodeName: nodeName, Affinity: aff}}
	}
	for _, tc := range []struct {
		name    string
		pod     *corev1.Pod
		want    string
		wantErr string
	}{
		{"spec.nodeName", pod("node-1", nil), "node-1", ""},
		{"matchFields pin", pod("", pinned("node-1")), "node-1", ""},
		{"nodeName wins over affinity", pod("node-2", pinned("node-1")), "node-2", ""},
		{"first metadata.name In across terms", pod("", required(exprTerm(expr("a", corev1.NodeSelectorOpExists)), fieldTerm(expr(metav1.ObjectNameField, corev1.NodeSelectorOpNotIn, "x"), expr(metav1.ObjectNameField, corev1.NodeSelectorOpIn, "node-3")))), "node-3", ""},
		{"more than one value", pod("", required(fieldTerm(expr(metav1.ObjectNameField, corev1.NodeSelectorOpIn, "node-1", "node-2")))), "", "the matchFields value of 'metadata.name' is not unique for pod default/pod1"},
		{"no affinity", pod("", nil), "", "no spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution for pod default/pod1"},
		{"no terms", pod("", required()), "", "no nodeSelectorTerms in requiredDuringSchedulingIgnoredDuringExecution of pod default/pod1"},
		{"no name requirement", pod("", required(exprTerm(expr("a", corev1.NodeSelectorOpExists)))), "", "no node name found for pod default/pod1"},
		{"nil pod", nil, "", "nil pod"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := TargetNodeName(tc.pod)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if got != tc.want || gotErr != tc.wantErr {
				t.Fatalf("TargetNodeName = %q, %q; want %q, %q", got, gotErr, tc.want, tc.wantErr)
			}
		})
	}
}

func BenchmarkNewPodForRevision(b *testing.B) {
	ds := plDS(func(s *corev1.PodSpec) {
		s.HostNetwork = true
		s.Affinity = required(exprTerm(expr("a", corev1.NodeSelectorOpExists)))
	})
	ds.Annotations = map[string]string{TemplateGenerationAnnotation: "2"}
	hash := RevisionHash(ds)
	b.ReportAllocs()
	for b.Loop() {
		NewPodForRevision(ds, "node-1", hash)
	}
}

// FuzzNewPod builds pods from decoded DaemonSets: no panic, the DaemonSet is
// left alone, and the pod's target node is the one asked for.
func FuzzNewPod(f *testing.F) {
	f.Add([]byte(`{"metadata":{"name":"a","namespace":"b","annotations":{"deprecated.daemonset.template.generation":"2"}},"spec":{"template":{"metadata":{"labels":{"app":"x"}},"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{}]}}}}}}}`), "node-1")
	f.Add([]byte(`{"spec":{"template":{"spec":{"nodeName":"x","hostNetwork":true,"tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":5}]}}}}`), "")
	f.Fuzz(func(t *testing.T, data []byte, node string) {
		var ds appsv1.DaemonSet
		if err := json.Unmarshal(data, &ds); err != nil {
			return
		}
		orig := ds.DeepCopy()
		pod := NewPodForRevision(&ds, node, "h")
		if !reflect.DeepEqual(&ds, orig) {
			t.Fatalf("DaemonSet modified")
		}
		got, err := TargetNodeName(pod)
		want := node
		if ds.Spec.Template.Spec.NodeName != "" {
			want = ds.Spec.Template.Spec.NodeName
		}
		if err != nil || got != want {
			t.Fatalf("TargetNodeName = %q, %v; want %q", got, err, want)
		}
		if pod.Labels[ControllerRevisionHashLabel] != "h" {
			t.Fatalf("hash label %q", pod.Labels[ControllerRevisionHashLabel])
		}
	})
}

// FuzzTargetNodeName decodes pods: no panic, and a name is returned exactly
// when there is no error or spec.nodeName is set.
func FuzzTargetNodeName(f *testing.F) {
	f.Add([]byte(`{"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In","values":["n"]}]}]}}}}}`))
	f.Add([]byte(`{"spec":{"nodeName":"n"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var pod corev1.Pod
		if err := json.Unmarshal(data, &pod); err != nil {
			return
		}
		got, err := TargetNodeName(&pod)
		if err != nil && got != "" {
			t.Fatalf("name %q with error %v", got, err)
		}
		if pod.Spec.NodeName != "" && (err != nil || got != pod.Spec.NodeName) {
			t.Fatalf("spec.nodeName %q ignored: %q, %v", pod.Spec.NodeName, got, err)
		}
	})
}
