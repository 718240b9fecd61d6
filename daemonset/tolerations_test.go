package daemonset

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

func tolExists(key string, effect corev1.TaintEffect) corev1.Toleration {
	return corev1.Toleration{Key: key, Operator: corev1.TolerationOpExists, Effect: effect}
}

func defaultTolerations(hostNetwork bool) []corev1.Toleration {
	ts := []corev1.Toleration{
		tolExists(corev1.TaintNodeNotReady, corev1.TaintEffectNoExecute),
		tolExists(corev1.TaintNodeUnreachable, corev1.TaintEffectNoExecute),
		tolExists(corev1.TaintNodeDiskPressure, corev1.TaintEffectNoSchedule),
		tolExists(corev1.TaintNodeMemoryPressure, corev1.TaintEffectNoSchedule),
		tolExists(corev1.TaintNodePIDPressure, corev1.TaintEffectNoSchedule),
		tolExists(corev1.TaintNodeUnschedulable, corev1.TaintEffectNoSchedule),
	}
	if hostNetwork {
		ts = append(ts, tolExists(corev1.TaintNodeNetworkUnavailable, corev1.TaintEffectNoSchedule))
	}
	return ts
}

// The merge rule of the tolerations every daemon pod gets.
// upstream: daemonset_util.go AddOrUpdateDaemonPodTolerations,
// pkg/apis/core/v1/helper/helpers.go AddOrUpdateTolerationInPodSpec
func TestDaemonPodTolerations(t *testing.T) {
	secs := int64(300)
	user := corev1.Toleration{Key: "gpu", Operator: corev1.TolerationOpExists}
	notReadyAnyEffect := corev1.Toleration{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists}
	notReadySecs := tolExists(corev1.TaintNodeNotReady, corev1.TaintEffectNoExecute)
	notReadySecs.TolerationSeconds = &secs
	for _, tc := range []struct {
		name        string
		tols        []corev1.Toleration
		hostNetwork bool
		want        []corev1.Toleration
	}{
		{"none: the six defaults in order", nil, false, defaultTolerations(false)},
		{"hostNetwork adds network-unavailable", nil, true, defaultTolerations(true)},
		{"user tolerations first", []corev1.Toleration{user}, false, append([]corev1.Toleration{user}, defaultTolerations(false)...)},
		{"same key/effect/operator/value replaced in place, tolerationSeconds dropped",
			[]corev1.Toleration{user, notReadySecs}, false,
			append([]corev1.Toleration{user, tolExists(corev1.TaintNodeNotReady, corev1.TaintEffectNoExecute)}, defaultTolerations(false)[1:]...)},
		{"identical one stays in place",
			[]corev1.Toleration{tolExists(corev1.TaintNodeUnschedulable, corev1.TaintEffectNoSchedule), user}, false,
			append([]corev1.Toleration{tolExists(corev1.TaintNodeUnschedulable, corev1.TaintEffectNoSchedule), user}, defaultTolerations(false)[:5]...)},
		{"duplicates both replaced", []corev1.Toleration{notReadySecs, notReadySecs}, false,
			append([]corev1.Toleration{defaultTolerations(false)[0], defaultTolerations(false)[0]}, defaultTolerations(false)[1:]...)},
		{"different effect kept side by side", []corev1.Toleration{notReadyAnyEffect}, false,
			append([]corev1.Toleration{notReadyAnyEffect}, defaultTolerations(false)...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := plDS(func(s *corev1.PodSpec) { s.Tolerations = tc.tols; s.HostNetwork = tc.hostNetwork })
			orig := ds.DeepCopy()
			got := DaemonPodTolerations(ds)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("tolerations (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(orig, ds); diff != "" {
				t.Fatalf("template modified:\n%s", diff)
			}
			if len(got) > 0 && len(ds.Spec.Template.Spec.Tolerations) > 0 && &got[0] == &ds.Spec.Template.Spec.Tolerations[0] {
				t.Fatalf("result aliases the template")
			}
		})
	}
}
