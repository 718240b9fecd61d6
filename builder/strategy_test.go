package builder

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// upstream: apps/validation/validation_test.go TestValidateDaemonSet and
// TestDaemonSetUpdateMaxSurge (maxSurge needs maxUnavailable 0 and vice versa).
func TestStrategy(t *testing.T) {
	zero := intstr.FromInt32(0)
	tests := []struct {
		name         string
		b            *DaemonSet
		typ          appsv1.DaemonSetUpdateStrategyType
		unavail, sur *intstr.IntOrString
	}{
		{"RollingUpdate by count", agent().RollingUpdate(Count(3)), appsv1.RollingUpdateDaemonSetStrategyType, ptrTo(intstr.FromInt32(3)), nil},
		{"RollingUpdate by percent", agent().RollingUpdate(Percent(10)), appsv1.RollingUpdateDaemonSetStrategyType, ptrTo(intstr.FromString("10%")), nil},
		{"Surge sets maxUnavailable to 0", agent().Surge(Percent(25)), appsv1.RollingUpdateDaemonSetStrategyType, &zero, ptrTo(intstr.FromString("25%"))},
		{"RollingUpdate after Surge clears the surge", agent().Surge(Count(1)).RollingUpdate(Count(2)), appsv1.RollingUpdateDaemonSetStrategyType, ptrTo(intstr.FromInt32(2)), nil},
		{"OnDelete drops rollingUpdate", agent().Surge(Count(1)).OnDelete(), appsv1.OnDeleteDaemonSetStrategyType, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustBuild(t, tt.b).Spec.UpdateStrategy
			if s.Type != tt.typ {
				t.Errorf("type = %q", s.Type)
			}
			var gotU, gotS *intstr.IntOrString
			if s.RollingUpdate != nil {
				gotU, gotS = s.RollingUpdate.MaxUnavailable, s.RollingUpdate.MaxSurge
			}
			if !equalIOS(gotU, tt.unavail) || !equalIOS(gotS, tt.sur) {
				t.Errorf("maxUnavailable %v maxSurge %v, want %v %v", gotU, gotS, tt.unavail, tt.sur)
			}
		})
	}
	ds := mustBuild(t, agent().MinReadySeconds(30).RevisionHistoryLimit(0))
	if ds.Spec.MinReadySeconds != 30 || *ds.Spec.RevisionHistoryLimit != 0 {
		t.Errorf("spec = %+v", ds.Spec)
	}
	if Count(3).String() != "3" || Percent(10).String() != "10%" || Percent(10).IntOrString() != intstr.FromString("10%") {
		t.Errorf("IntOrPercent strings")
	}
}

func equalIOS(a, b *intstr.IntOrString) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
