package daemonset

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestAdmitPodPriority mirrors upstream's
// plugin/pkg/admission/priority/admission_test.go TestPodAdmission.
func TestAdmitPodPriority(t *testing.T) {
	class := func(name string, value int32, def bool, policy *corev1.PreemptionPolicy) *schedulingv1.PriorityClass {
		return &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Value: value, GlobalDefault: def, PreemptionPolicy: policy}
	}
	never := ptr.To(corev1.PreemptNever)
	lower := ptr.To(corev1.PreemptLowerPriority)
	tests := []struct {
		name    string
		spec    corev1.PodSpec
		classes []*schedulingv1.PriorityClass
		want    AdmittedPriority
		err     string // substring of the Forbidden detail
	}{
		{name: "no class, no default: 0", want: AdmittedPriority{Priority: 0, PreemptionPolicy: corev1.PreemptLowerPriority}},
		{name: "no class: the global default", classes: []*schedulingv1.PriorityClass{class("default", 1000, true, nil)},
			want: AdmittedPriority{ClassName: "default", Priority: 1000, PreemptionPolicy: corev1.PreemptLowerPriority}},
		{name: "two global defaults: the lower value", classes: []*schedulingv1.PriorityClass{class("b", 1000, true, nil), class("a", 10, true, never)},
			want: AdmittedPriority{ClassName: "a", Priority: 10, PreemptionPolicy: corev1.PreemptNever}},
		{name: "a custom class", spec: corev1.PodSpec{PriorityClassName: "tier"}, classes: []*schedulingv1.PriorityClass{class("tier", 100000, false, never)},
			want: AdmittedPriority{ClassName: "tier", Priority: 100000, PreemptionPolicy: corev1.PreemptNever}},
		{name: "system-node-critical without objects", spec: corev1.PodSpec{PriorityClassName: SystemNodeCritical},
			want: AdmittedPriority{ClassName: SystemNodeCritical, Priority: 2000001000, PreemptionPolicy: corev1.PreemptLowerPriority}},
		{name: "a missing class is refused", spec: corev1.PodSpec{PriorityClassName: "tier"}, err: "no PriorityClass with name tier was found"},
		{name: "spec.priority without a class is refused", spec: corev1.PodSpec{Priority: ptr.To[int32](5)},
			err: "the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 0"},
		{name: "spec.priority equal to the computed one is kept", spec: corev1.PodSpec{PriorityClassName: "tier", Priority: ptr.To[int32](7)},
			classes: []*schedulingv1.PriorityClass{class("tier", 7, false, lower)}, want: AdmittedPriority{ClassName: "tier", Priority: 7, PreemptionPolicy: corev1.PreemptLowerPriority}},
		{name: "preemptionPolicy Never not set by the class is refused", spec: corev1.PodSpec{PreemptionPolicy: never},
			err: "the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority"},
		{name: "preemptionPolicy Never set by the class too", spec: corev1.PodSpec{PriorityClassName: "tier", PreemptionPolicy: never},
			classes: []*schedulingv1.PriorityClass{class("tier", 3, false, never)}, want: AdmittedPriority{ClassName: "tier", Priority: 3, PreemptionPolicy: corev1.PreemptNever}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AdmitPodPriority(&tt.spec, tt.classes)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Detail, tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// Decode keeps scheduling.k8s.io/v1 PriorityClasses (as `kubectl get
// priorityclasses -o yaml` lists them); a removed version stays among
// Others with its warning.
func TestDecodePriorityClasses(t *testing.T) {
	in := `apiVersion: v1
kind: List
items:
- apiVersion: scheduling.k8s.io/v1
  kind: PriorityClass
  metadata: {name: agents}
  value: 100000
  preemptionPolicy: Never
  globalDefault: false
---
apiVersion: scheduling.k8s.io/v1beta1
kind: PriorityClass
metadata: {name: old}
value: 5
`
	objs, err := Decode("classes.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(objs.PriorityClasses) != 1 || objs.PriorityClasses[0].Name != "agents" || objs.PriorityClasses[0].Value != 100000 ||
		*objs.PriorityClasses[0].PreemptionPolicy != corev1.PreemptNever {
		t.Fatalf("PriorityClasses = %+v", objs.PriorityClasses)
	}
	if src, ok := objs.SourceOf(objs.PriorityClasses[0]); !ok || src.Document != 1 || src.Item != 0 {
		t.Errorf("source = %+v", src)
	}
	if len(objs.Others) != 1 || len(objs.Warnings) != 1 {
		t.Errorf("others %+v, warnings %+v", objs.Others, objs.Warnings)
	}
	if _, err := Decode("bad.yaml", []byte("apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: x}\nvalue: high\n")); err == nil {
		t.Error("a mistyped value decoded")
	}
}
