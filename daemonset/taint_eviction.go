package daemonset

import (
	"math"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// The taint-eviction controller of kube-controller-manager deletes pods from
// nodes with NoExecute taints: at once when a taint is not tolerated, after
// the smallest tolerationSeconds of the tolerations used when every taint is
// tolerated and some of those set it, never when none does. A DaemonSet pod
// that tolerates a NoExecute taint with tolerationSeconds is created there
// again at once by the DaemonSet controller (its placement ignores
// tolerationSeconds): an eviction loop for as long as the taint stays
// (kubernetes/kubernetes#117520).

// GetNoExecuteTaints returns the taints with effect NoExecute, in order.
// upstream: pkg/controller/tainteviction/taint_eviction.go getNoExecuteTaints
func GetNoExecuteTaints(taints []corev1.Taint) []corev1.Taint {
	var out []corev1.Taint
	for _, t := range taints {
		if t.Effect == corev1.TaintEffectNoExecute {
			out = append(out, t)
		}
	}
	return out
}

// GetMatchingTolerations says whether tolerations tolerate every taint and
// returns, for each taint, the first toleration that tolerates it.
// Tolerations with operator Lt or Gt never match (the
// TaintTolerationComparisonOperators gate is off in v1.37).
// upstream: pkg/apis/core/v1/helper/helpers.go GetMatchingTolerations
func GetMatchingTolerations(taints []corev1.Taint, tolerations []corev1.Toleration) (bool, []corev1.Toleration) {
	if len(taints) == 0 {
		return true, []corev1.Toleration{}
	}
	result := []corev1.Toleration{}
	for i := range taints {
		tolerated := false
		for j := range tolerations {
			if toleratesTaint(&tolerations[j], &taints[i]) {
				result = append(result, tolerations[j])
				tolerated = true
				break
			}
		}
		if !tolerated {
			return false, []corev1.Toleration{}
		}
	}
	return true, result
}

// toleratesTaint is corev1's Toleration.ToleratesTaint with comparison
// operators disabled.
// upstream: k8s.io/api core/v1/toleration.go ToleratesTaint
func toleratesTaint(t *corev1.Toleration, taint *corev1.Taint) bool {
	if len(t.Effect) > 0 && t.Effect != taint.Effect {
		return false
	}
	if len(t.Key) > 0 && t.Key != taint.Key {
		return false
	}
	switch t.Operator {
	case "", corev1.TolerationOpEqual:
		return t.Value == taint.Value
	case corev1.TolerationOpExists:
		return true
	}
	return false
}

// GetMinTolerationTime returns the smallest tolerationSeconds of
// tolerations, 0 if one is ≤ 0 or tolerations is empty, and a negative
// duration when none sets it (tolerated for ever).
// upstream: pkg/controller/tainteviction/taint_eviction.go getMinTolerationTime
func GetMinTolerationTime(tolerations []corev1.Toleration) time.Duration {
	minTolerationTime := int64(math.MaxInt64)
	if len(tolerations) == 0 {
		return 0
	}
	for i := range tolerations {
		if tolerations[i].TolerationSeconds != nil {
			s := *tolerations[i].TolerationSeconds
			if s <= 0 {
				return 0
			} else if s < minTolerationTime {
				minTolerationTime = s
			}
		}
	}
	if minTolerationTime == int64(math.MaxInt64) {
		return -1
	}
	if minTolerationTime > int64(math.MaxInt64/int64(time.Second)) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(minTolerationTime) * time.Second
}

// TaintEvictionDelay says when the taint-eviction controller deletes a pod
// with tolerations bound to a node with taints, counted from when it
// notices the pod there (binding or a change of the node's NoExecute
// taints): evicts false when it never does (no NoExecute taint, or all
// tolerated for ever); else after delay (0: at once, a taint not tolerated
// or a tolerationSeconds ≤ 0).
// upstream: pkg/controller/tainteviction/taint_eviction.go processPodOnNode
func TaintEvictionDelay(tolerations []corev1.Toleration, taints []corev1.Taint) (delay time.Duration, evicts bool) {
	noExec := GetNoExecuteTaints(taints)
	if len(noExec) == 0 {
		return 0, false
	}
	all, used := GetMatchingTolerations(noExec, tolerations)
	if !all {
		return 0, true
	}
	min := GetMinTolerationTime(used)
	if min < 0 {
		return 0, false
	}
	return min, true
}
