package builder

import (
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// IntOrPercent is a value of maxSurge or maxUnavailable: a number of pods or
// a percentage of the nodes that should run the daemon (rounded up for both,
// as upstream's intstr.GetScaledValueFromIntOrPercent does); make one with
// Count or Percent.
type IntOrPercent struct {
	v intstr.IntOrString
}

// Count is n pods.
func Count(n int32) IntOrPercent { return IntOrPercent{v: intstr.FromInt32(n)} }

// Percent is p percent of the desired pods ("p%").
func Percent(p int32) IntOrPercent {
	return IntOrPercent{v: intstr.FromString(strconv.Itoa(int(p)) + "%")}
}

// IntOrString returns the API form of the value.
func (b IntOrPercent) IntOrString() intstr.IntOrString { return b.v }

// String returns "3" or "10%".
func (b IntOrPercent) String() string { return b.v.String() }

// RollingUpdate sets the RollingUpdate strategy replacing pods in place: at
// most maxUnavailable nodes are without a ready daemon pod at any time (no
// surge).
func (b *DaemonSet) RollingUpdate(maxUnavailable IntOrPercent) *DaemonSet {
	if b == nil {
		return nil
	}
	v := maxUnavailable.v
	b.obj.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{
		Type:          appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &v},
	}
	return b
}

// Surge sets the RollingUpdate strategy that starts the new pod beside the
// old one on up to maxSurge nodes at a time, and sets maxUnavailable to 0 as
// the API server requires. Host ports (and hostNetwork ports) make a surge
// pod unable to start beside the old one.
func (b *DaemonSet) Surge(maxSurge IntOrPercent) *DaemonSet {
	if b == nil {
		return nil
	}
	s, zero := maxSurge.v, intstr.FromInt32(0)
	b.obj.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{
		Type:          appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: &s, MaxUnavailable: &zero},
	}
	return b
}

// OnDelete sets the OnDelete strategy: a changed template reaches a node only
// when its pod is deleted by someone else.
func (b *DaemonSet) OnDelete() *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
	return b
}

// MinReadySeconds sets how long a new pod must be ready before it counts as
// available, which paces a rolling update.
func (b *DaemonSet) MinReadySeconds(seconds int32) *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Spec.MinReadySeconds = seconds
	return b
}

// RevisionHistoryLimit sets how many old ControllerRevisions are kept for
// rollback.
func (b *DaemonSet) RevisionHistoryLimit(n int32) *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Spec.RevisionHistoryLimit = &n
	return b
}
