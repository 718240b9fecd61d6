package daemonset

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestFilterPodsWithPDBViolation mirrors upstream's
// pkg/scheduler/framework/preemption/util_test.go
// TestFilterVictimsWithPDBViolation cases: budgets are used up in the pods'
// order, already disrupted pods and empty selectors count nothing, other
// namespaces and unlabelled pods are untouched.
func TestFilterPodsWithPDBViolation(t *testing.T) {
	pod := func(ns, name string, lbl map[string]string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: lbl}}
	}
	pdb := func(ns string, sel map[string]string, allowed int32, disrupted ...string) *policyv1.PodDisruptionBudget {
		p := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pdb"},
			Status: policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: allowed}}
		if sel != nil {
			p.Spec.Selector = &metav1.LabelSelector{MatchLabels: sel}
		}
		if len(disrupted) > 0 {
			p.Status.DisruptedPods = map[string]metav1.Time{}
			for _, d := range disrupted {
				p.Status.DisruptedPods[d] = metav1.Time{}
			}
		}
		return p
	}
	web := map[string]string{"app": "web"}
	pods := []*corev1.Pod{pod("a", "p0", web), pod("a", "p1", web), pod("a", "p2", web), pod("b", "p3", web), pod("a", "p4", nil)}
	tests := []struct {
		name          string
		pdbs          []*policyv1.PodDisruptionBudget
		violating, ok []int
	}{
		{"no PDBs", nil, nil, []int{0, 1, 2, 3, 4}},
		{"one disruption allowed: the later pods violate", []*policyv1.PodDisruptionBudget{pdb("a", web, 1)}, []int{1, 2}, []int{0, 3, 4}},
		{"none allowed", []*policyv1.PodDisruptionBudget{pdb("a", web, 0)}, []int{0, 1, 2}, []int{3, 4}},
		{"already disrupted pods take nothing", []*policyv1.PodDisruptionBudget{pdb("a", web, 0, "p0", "p1")}, []int{2}, []int{0, 1, 3, 4}},
		{"empty selector matches nothing", []*policyv1.PodDisruptionBudget{pdb("a", map[string]string{}, 0)}, nil, []int{0, 1, 2, 3, 4}},
		{"nil selector matches nothing", []*policyv1.PodDisruptionBudget{pdb("a", nil, 0)}, nil, []int{0, 1, 2, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := FilterPodsWithPDBViolation(pods, tt.pdbs)
			if !slices.Equal(v, tt.violating) || !slices.Equal(ok, tt.ok) {
				t.Errorf("violating %v, not %v; want %v, %v", v, ok, tt.violating, tt.ok)
			}
		})
	}
}

// Decode keeps policy/v1 PodDisruptionBudgets.
func TestDecodePodDisruptionBudgets(t *testing.T) {
	objs, err := Decode("pdb.yaml", []byte(`apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: web}}
status:
  disruptionsAllowed: 1
  currentHealthy: 3
  desiredHealthy: 2
  expectedPods: 3
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(objs.PodDisruptionBudgets) != 1 || objs.PodDisruptionBudgets[0].Status.DisruptionsAllowed != 1 || len(objs.Others) != 0 {
		t.Fatalf("PodDisruptionBudgets %+v, others %+v", objs.PodDisruptionBudgets, objs.Others)
	}
}
