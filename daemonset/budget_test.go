package daemonset

import (
	"errors"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func budgetDS(surge, unavailable *intstr.IntOrString) *appsv1.DaemonSet {
	ds := &appsv1.DaemonSet{}
	ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{
		Type:          appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: surge, MaxUnavailable: unavailable},
	}
	return ds
}

func ios(s string) *intstr.IntOrString { v := intstr.FromString(s); return &v }
func ioi(i int) *intstr.IntOrString    { v := intstr.FromInt32(int32(i)); return &v }

// upstream: update_test.go TestGetUnavailableNumbers (the budget part: the
// maxUnavailable/maxSurge it derives for a desired count); update.go
// updatedDesiredNodeCounts.
func TestUpdateBudget(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ds      *appsv1.DaemonSet
		desired int
		want    RollingUpdateCounts
	}{
		{"an integer is not scaled, even with no nodes", budgetDS(nil, ioi(1)), 0, RollingUpdateCounts{0, 1}},
		{"one unavailable of two", budgetDS(nil, ioi(1)), 2, RollingUpdateCounts{0, 1}},
		{"25% of 10 rounds up", budgetDS(nil, ios("25%")), 10, RollingUpdateCounts{0, 3}},
		{"25% of 4", budgetDS(nil, ios("25%")), 4, RollingUpdateCounts{0, 1}},
		{"25% of 3", budgetDS(nil, ios("25%")), 3, RollingUpdateCounts{0, 1}},
		{"50% of 3", budgetDS(nil, ios("50%")), 3, RollingUpdateCounts{0, 2}},
		{"1% of 1", budgetDS(nil, ios("1%")), 1, RollingUpdateCounts{0, 1}},
		{"15% of 10", budgetDS(nil, ios("15%")), 10, RollingUpdateCounts{0, 2}},
		{"100% of 7", budgetDS(nil, ios("100%")), 7, RollingUpdateCounts{0, 7}},
		{"any percent of 0", budgetDS(ios("50%"), ios("50%")), 0, RollingUpdateCounts{0, 0}},
		{"both zero falls back to one unavailable", budgetDS(ioi(0), ioi(0)), 5, RollingUpdateCounts{0, 1}},
		{"both zero percent falls back", budgetDS(ios("0%"), ios("0%")), 5, RollingUpdateCounts{0, 1}},
		{"surge only", budgetDS(ioi(1), ioi(0)), 10, RollingUpdateCounts{1, 0}},
		{"surge percent rounds up", budgetDS(ios("10%"), ioi(0)), 15, RollingUpdateCounts{2, 0}},
		{"both set", budgetDS(ioi(2), ioi(3)), 10, RollingUpdateCounts{2, 3}},
		{"OnDelete falls back", &appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}}}, 3, RollingUpdateCounts{0, 1}},
		{"nil rollingUpdate falls back", &appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType}}}, 3, RollingUpdateCounts{0, 1}},
		{"nil DaemonSet", nil, 3, RollingUpdateCounts{0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := UpdateBudget(tc.ds, tc.desired)
			if err != nil || got != tc.want {
				t.Fatalf("UpdateBudget = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestUpdateBudgetErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		ds   *appsv1.DaemonSet
		path string
	}{
		{"string without percent", budgetDS(nil, ios("5")), "spec.updateStrategy.rollingUpdate.maxUnavailable"},
		{"non-numeric percent", budgetDS(nil, ios("abc%")), "spec.updateStrategy.rollingUpdate.maxUnavailable"},
		{"nil maxUnavailable", budgetDS(nil, nil), "spec.updateStrategy.rollingUpdate.maxUnavailable"},
		{"bad surge", budgetDS(ios("x"), ioi(1)), "spec.updateStrategy.rollingUpdate.maxSurge"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := UpdateBudget(tc.ds, 10)
			var fe *field.Error
			if !errors.As(err, &fe) || fe.Field != tc.path {
				t.Fatalf("UpdateBudget error %v, want a field error at %s", err, tc.path)
			}
		})
	}
}

// upstream: daemonset_util.go AllowsSurge (used by manage).
func TestAllowsSurge(t *testing.T) {
	for _, tc := range []struct {
		name string
		ds   *appsv1.DaemonSet
		want bool
	}{
		{"unset", budgetDS(nil, ioi(1)), false},
		{"zero", budgetDS(ioi(0), ioi(1)), false},
		{"one", budgetDS(ioi(1), ioi(0)), true},
		{"1% rounds up against one node", budgetDS(ios("1%"), ioi(0)), true},
		{"0%", budgetDS(ios("0%"), ioi(1)), false},
		{"invalid", budgetDS(ios("x"), ioi(1)), false},
		{"abc% is not a percentage", budgetDS(ios("abc%"), ioi(1)), false},
		{"a string without % is an error", budgetDS(ios("1"), ioi(1)), false},
		{"empty DaemonSet", &appsv1.DaemonSet{}, false},
		{"OnDelete keeps a rollingUpdate but never surges", withType(budgetDS(ioi(1), ioi(0)), appsv1.OnDeleteDaemonSetStrategyType), false},
		// Upstream reads stored objects, whose type is defaulted; as written
		// the type is "" and nothing surges until SetDefaults.
		{"type omitted, not defaulted", withType(budgetDS(ioi(1), ioi(0)), ""), false},
		{"type omitted, defaulted", defaulted(withType(budgetDS(ioi(1), ioi(0)), "")), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := AllowsSurge(tc.ds); got != tc.want {
				t.Fatalf("AllowsSurge = %v, want %v", got, tc.want)
			}
		})
	}
}

func withType(ds *appsv1.DaemonSet, t appsv1.DaemonSetUpdateStrategyType) *appsv1.DaemonSet {
	ds.Spec.UpdateStrategy.Type = t
	return ds
}

func defaulted(ds *appsv1.DaemonSet) *appsv1.DaemonSet {
	SetDefaults(ds)
	return ds
}

// FuzzUpdateBudget feeds arbitrary maxSurge/maxUnavailable strings and
// counts: no panic, errors carry a field path, and results are consistent
// with SurgeCount, UnavailableCount and the fallback.
func FuzzUpdateBudget(f *testing.F) {
	f.Add("25%", "1", 10, true)
	f.Add("", "abc%", 0, false)
	f.Add("-5%", "100%", 7, true)
	f.Fuzz(func(t *testing.T, surge, unavailable string, desired int, surgeIsString bool) {
		if desired < 0 || desired > 1<<20 {
			return
		}
		var s *intstr.IntOrString
		if surgeIsString {
			s = ios(surge)
		} else if len(surge) > 0 {
			s = ioi(int(surge[0]) - 100)
		}
		ds := budgetDS(s, ios(unavailable))
		b, err := UpdateBudget(ds, desired)
		if err != nil {
			var fe *field.Error
			if !errors.As(err, &fe) {
				t.Fatalf("error without field path: %v", err)
			}
			return
		}
		ms, _ := SurgeCount(ds, desired)
		mu, _ := UnavailableCount(ds, desired)
		if desired > 0 && ms == 0 && mu == 0 {
			mu = 1
		}
		if b != (RollingUpdateCounts{MaxSurge: ms, MaxUnavailable: mu}) {
			t.Fatalf("UpdateBudget = %+v, counts %d %d", b, ms, mu)
		}
		if AllowsSurge(ds) != (func() bool { n, err := SurgeCount(ds, 1); return err == nil && n > 0 })() {
			t.Fatalf("AllowsSurge inconsistent")
		}
	})
}
