package daemonset

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// daemonTolerations are the tolerations the DaemonSet controller adds to every
// daemon pod, in the order it adds them. The last one is added only for
// hostNetwork pods.
//
// upstream: pkg/controller/daemon/util/daemonset_util.go AddOrUpdateDaemonPodTolerations
func daemonTolerations() [7]corev1.Toleration {
	return [7]corev1.Toleration{
		{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
		{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
		{Key: corev1.TaintNodeDiskPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: corev1.TaintNodeMemoryPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: corev1.TaintNodePIDPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: corev1.TaintNodeUnschedulable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: corev1.TaintNodeNetworkUnavailable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
	}
}

// DaemonPodTolerations returns the tolerations of the pods ds creates: the
// template's tolerations merged with the ones the controller adds to every
// daemon pod (not-ready and unreachable NoExecute; disk-, memory- and
// pid-pressure and unschedulable NoSchedule; network-unavailable NoSchedule
// for hostNetwork pods). These are the tolerations placement uses.
//
// Merge rule, as upstream: every template toleration with the same key,
// effect, operator and value as an added one is replaced in place by it (so
// its tolerationSeconds is dropped); if there is none, the added one is
// appended. The result is a fresh slice; ds is not modified. A nil ds reads
// as an empty DaemonSet.
//
// upstream: daemon_controller.go daemonPodTolerations,
// daemonset_util.go AddOrUpdateDaemonPodTolerations,
// pkg/apis/core/v1/helper/helpers.go AddOrUpdateTolerationInPodSpec
func DaemonPodTolerations(ds *appsv1.DaemonSet) []corev1.Toleration {
	var spec *corev1.PodSpec
	if ds != nil {
		spec = &ds.Spec.Template.Spec
	}
	return daemonPodTolerations(spec)
}

// daemonPodTolerations merges the daemon tolerations into a deep copy of
// spec's tolerations.
func daemonPodTolerations(spec *corev1.PodSpec) []corev1.Toleration {
	var tols []corev1.Toleration
	hostNetwork := false
	if spec != nil {
		hostNetwork = spec.HostNetwork
		tols = make([]corev1.Toleration, len(spec.Tolerations), len(spec.Tolerations)+7)
		for i := range spec.Tolerations {
			spec.Tolerations[i].DeepCopyInto(&tols[i])
		}
	}
	defaults := daemonTolerations()
	n := len(defaults)
	if !hostNetwork {
		n--
	}
	for i := 0; i < n; i++ {
		tols = addOrUpdateToleration(tols, defaults[i])
	}
	return tols
}

// addOrUpdateToleration replaces every toleration in tols that matches def on
// (key, effect, operator, value) with def, or appends def when none does.
//
// upstream: pkg/apis/core/v1/helper/helpers.go AddOrUpdateTolerationInPodSpec.
// Its "already identical, leave alone" branch compares a *Toleration with a
// Toleration through Semantic.DeepEqual, which is never true for different
// types, so upstream always replaces; replacing is what we reproduce.
func addOrUpdateToleration(tols []corev1.Toleration, def corev1.Toleration) []corev1.Toleration {
	updated := false
	for i := range tols {
		if tols[i].MatchToleration(&def) {
			tols[i] = def
			updated = true
		}
	}
	if !updated {
		tols = append(tols, def)
	}
	return tols
}

// tolerationMatcher is one toleration reduced to what matters for a taint of
// a known effect when the TaintTolerationComparisonOperators gate is off.
type tolerationMatcher struct {
	key    string // "" matches every taint key
	value  string // compared when !exists
	exists bool   // operator Exists: any value
}

// effectTolerations holds, for one taint effect, the tolerations that can
// tolerate a taint with that effect.
type effectTolerations struct {
	all      bool // some toleration has empty key and operator Exists
	matchers []tolerationMatcher
}

// tolerates reports whether some toleration tolerates a taint with this
// effect, key and value.
func (e *effectTolerations) tolerates(key, value string) bool {
	if e.all {
		return true
	}
	for i := range e.matchers {
		m := &e.matchers[i]
		if (m.key == "" || m.key == key) && (m.exists || m.value == value) {
			return true
		}
	}
	return false
}

// compileTolerations groups tols by the taint effects the controller checks.
// Tolerations with operator Lt or Gt never match with the
// TaintTolerationComparisonOperators gate off (its default in v1.37), and
// unknown operators never match; both are dropped here.
//
// upstream: k8s.io/api core/v1/toleration.go ToleratesTaint
func compileTolerations(tols []corev1.Toleration) (noSchedule, noExecute effectTolerations) {
	for i := range tols {
		t := &tols[i]
		var m tolerationMatcher
		switch t.Operator {
		case "", corev1.TolerationOpEqual:
			m = tolerationMatcher{key: t.Key, value: t.Value}
		case corev1.TolerationOpExists:
			m = tolerationMatcher{key: t.Key, exists: true}
		default:
			continue
		}
		for _, e := range [...]struct {
			effect corev1.TaintEffect
			dst    *effectTolerations
		}{{corev1.TaintEffectNoSchedule, &noSchedule}, {corev1.TaintEffectNoExecute, &noExecute}} {
			if t.Effect != "" && t.Effect != e.effect {
				continue
			}
			if m.exists && m.key == "" {
				e.dst.all = true
				continue
			}
			e.dst.matchers = append(e.dst.matchers, m)
		}
	}
	return noSchedule, noExecute
}
