package conformance

import (
	"testing"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/kubernetes/pkg/controller/daemon/util"
	"pgregory.net/rapid"
)

func genIntOrString() *rapid.Generator[*intstr.IntOrString] {
	return rapid.Custom(func(t *rapid.T) *intstr.IntOrString {
		switch rapid.IntRange(0, 3).Draw(t, "kind") {
		case 0:
			return nil
		case 1:
			v := intstr.FromInt32(rapid.Int32Range(-3, 20).Draw(t, "int"))
			return &v
		case 2:
			v := intstr.FromString(rapid.SampledFrom([]string{"0%", "1%", "10%", "15%", "25%", "50%", "99%", "100%", "150%", "-10%", "%", "abc%", "5", "abc", ""}).Draw(t, "str"))
			return &v
		default:
			return &intstr.IntOrString{Type: intstr.Type(rapid.IntRange(2, 3).Draw(t, "badType"))}
		}
	})
}

// TestBudgetMatchesUpstream compares SurgeCount, UnavailableCount,
// AllowsSurge and UpdateBudget with pkg/controller/daemon/util and the
// fallback of update.go updatedDesiredNodeCounts.
func TestBudgetMatchesUpstream(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ds := &appsv1.DaemonSet{}
		ds.Spec.UpdateStrategy.Type = rapid.SampledFrom([]appsv1.DaemonSetUpdateStrategyType{appsv1.RollingUpdateDaemonSetStrategyType, appsv1.OnDeleteDaemonSetStrategyType, ""}).Draw(t, "type")
		if rapid.IntRange(0, 5).Draw(t, "hasRU") > 0 {
			ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{
				MaxSurge:       genIntOrString().Draw(t, "maxSurge"),
				MaxUnavailable: genIntOrString().Draw(t, "maxUnavailable"),
			}
		}
		total := rapid.IntRange(0, 1000).Draw(t, "desired")

		s, sErr := daemonset.SurgeCount(ds, total)
		ws, wsErr := util.SurgeCount(ds, total)
		if s != ws || (sErr == nil) != (wsErr == nil) {
			t.Fatalf("SurgeCount = %d, %v; upstream %d, %v", s, sErr, ws, wsErr)
		}
		u, uErr := daemonset.UnavailableCount(ds, total)
		wu, wuErr := util.UnavailableCount(ds, total)
		if u != wu || (uErr == nil) != (wuErr == nil) {
			t.Fatalf("UnavailableCount = %d, %v; upstream %d, %v", u, uErr, wu, wuErr)
		}
		if got, want := daemonset.AllowsSurge(ds), util.AllowsSurge(ds); got != want {
			t.Fatalf("AllowsSurge = %v, upstream %v", got, want)
		}
		// upstream: update.go updatedDesiredNodeCounts (unexported): the
		// unavailable error first, then surge, then the fallback.
		b, err := daemonset.UpdateBudget(ds, total)
		switch {
		case wuErr != nil || wsErr != nil:
			if err == nil {
				t.Fatalf("UpdateBudget = %+v, want an error", b)
			}
		default:
			if total > 0 && wu == 0 && ws == 0 {
				wu = 1
			}
			if err != nil || b != (daemonset.RollingUpdateCounts{MaxSurge: ws, MaxUnavailable: wu}) {
				t.Fatalf("UpdateBudget = %+v, %v; upstream {%d %d}", b, err, ws, wu)
			}
		}
	})
}
