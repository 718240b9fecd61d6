package daemonset

import (
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// RollingUpdateCounts is how far a rolling update may go in one pass: maxSurge
// and maxUnavailable resolved to numbers of nodes against the number of nodes
// that should run the daemon pod.
type RollingUpdateCounts struct {
	// MaxSurge is how many nodes may run an extra new pod beside the old one
	// at once. Positive selects the surge path of the rolling update.
	MaxSurge int
	// MaxUnavailable is how many desired nodes may be without an available
	// daemon pod at once.
	MaxUnavailable int
}

// rollingUpdatePath is where the budget fields live in a DaemonSet.
func rollingUpdatePath() *field.Path {
	return field.NewPath("spec", "updateStrategy", "rollingUpdate")
}

// UpdateBudget resolves maxSurge and maxUnavailable against desired (the
// number of nodes with ShouldRun, recomputed every sync). Percentages round
// up; a string without "%" or with a non-integer percentage is an error
// (*field.Error with the field's path), on which the controller skips the
// rolling update. When desired > 0 and both resolve to 0, maxUnavailable
// becomes 1. For a non-RollingUpdate strategy or a nil rollingUpdate both are
// 0 (then the fallback applies), as upstream.
//
// upstream: pkg/controller/daemon/update.go updatedDesiredNodeCounts
func UpdateBudget(ds *appsv1.DaemonSet, desired int) (RollingUpdateCounts, error) {
	maxUnavailable, err := UnavailableCount(ds, desired)
	if err != nil {
		return RollingUpdateCounts{}, err
	}
	maxSurge, err := SurgeCount(ds, desired)
	if err != nil {
		return RollingUpdateCounts{}, err
	}
	if desired > 0 && maxUnavailable == 0 && maxSurge == 0 {
		maxUnavailable = 1
	}
	return RollingUpdateCounts{MaxSurge: maxSurge, MaxUnavailable: maxUnavailable}, nil
}

// rollingUpdate is ds's rolling update parameters, or nil when the strategy
// is not RollingUpdate or they are unset.
func rollingUpdate(ds *appsv1.DaemonSet) *appsv1.RollingUpdateDaemonSet {
	if ds == nil || ds.Spec.UpdateStrategy.Type != appsv1.RollingUpdateDaemonSetStrategyType {
		return nil
	}
	return ds.Spec.UpdateStrategy.RollingUpdate
}

// SurgeCount is maxSurge scaled against total (percentages round up); 0 when
// the strategy is not RollingUpdate or maxSurge is unset.
//
// upstream: pkg/controller/daemon/util/daemonset_util.go SurgeCount
func SurgeCount(ds *appsv1.DaemonSet, total int) (int, error) {
	r := rollingUpdate(ds)
	if r == nil || r.MaxSurge == nil {
		return 0, nil
	}
	v, err := intstr.GetScaledValueFromIntOrPercent(r.MaxSurge, total, true)
	if err != nil {
		return 0, field.Invalid(rollingUpdatePath().Child("maxSurge"), r.MaxSurge.String(), err.Error())
	}
	return v, nil
}

// UnavailableCount is maxUnavailable scaled against total (percentages round
// up); 0 when the strategy is not RollingUpdate or rollingUpdate is unset.
// An unset maxUnavailable is an error, as upstream (defaulting sets it).
//
// upstream: pkg/controller/daemon/util/daemonset_util.go UnavailableCount
func UnavailableCount(ds *appsv1.DaemonSet, total int) (int, error) {
	r := rollingUpdate(ds)
	if r == nil {
		return 0, nil
	}
	p := rollingUpdatePath().Child("maxUnavailable")
	if r.MaxUnavailable == nil {
		return 0, field.Required(p, "nil value for IntOrString")
	}
	v, err := intstr.GetScaledValueFromIntOrPercent(r.MaxUnavailable, total, true)
	if err != nil {
		return 0, field.Invalid(p, r.MaxUnavailable.String(), err.Error())
	}
	return v, nil
}

// AllowsSurge reports whether ds lets a node run a new pod beside the old one
// during an update: the strategy is RollingUpdate and maxSurge resolves to
// more than 0 against one node (a value upstream cannot scale, such as
// "abc%", is no surge). It is the one rule for "does this strategy surge".
// Like the controller it reads ds as stored: default a manifest as written
// with SetDefaults first, or an omitted updateStrategy.type reads as no
// surge.
//
// upstream: pkg/controller/daemon/util/daemonset_util.go AllowsSurge
func AllowsSurge(ds *appsv1.DaemonSet) bool {
	n, err := SurgeCount(ds, 1)
	return err == nil && n > 0
}
