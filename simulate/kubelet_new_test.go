package simulate

import (
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// TestBrokenNewLeavesOldPod: "the new version fails on node n01"
// (Kubelet.BrokenNew, CrashLoopNew) against "node n01 breaks every pod"
// (Broken). The old pod on n01 runs Ready until the rolling update deletes
// it: under maxUnavailable it is deleted before its replacement is created,
// which never turns available and holds the budget; under maxSurge the new
// pod is created beside it and the old one keeps running, since upstream
// deletes an old pod only once its node's new pod is available.
// upstream: pkg/controller/daemon/update.go rollingUpdate (both paths);
// mirrors daemon_controller_test.go TestDaemonSetUpdatesWhenNewPodIsNotReady
// (maxUnavailable) and update_test.go TestDaemonSetUpdatesPodsWithMaxSurge
// with the new pod of one node never Ready.
func TestBrokenNewLeavesOldPod(t *testing.T) {
	const x = "n01"
	one := intstr.FromInt32(1)
	type want struct {
		deletedOnX  bool  // the controller deleted n01's old pod
		available   int32 // numberAvailable at the end
		updated     int32 // updatedNumberScheduled at the end
		stuck       bool
		causeX      Cause // n01's cause among Uncovered
		otherIssues int   // uncovered nodes besides n01
	}
	for _, tc := range []struct {
		name     string
		strategy *appsv1.DaemonSetUpdateStrategy
		kubelet  KubeletModel
		noFrom   bool
		want     want
	}{
		// n01 is picked second in sorted order: n00 is updated, then n01's
		// old pod goes and its new one eats maxUnavailable 1 for good.
		{"BrokenNewMaxUnavailable", maxUnavailable(one), KubeletModel{Startup: 10 * time.Second, BrokenNew: []string{x}},
			false, want{deletedOnX: true, available: 3, updated: 2, stuck: true, causeX: CausePodNeverReady, otherIssues: 2}},
		// surge: n01 keeps its old pod Ready beside the new one, so every
		// node stays available; the unavailable new pod holds maxSurge 1,
		// so n02 and n03 wait. updatedNumberScheduled looks at a node's
		// oldest pod (upstream: daemon_controller.go updateDaemonSetStatus),
		// the old one on n01.
		{"BrokenNewMaxSurge", maxSurge(one), KubeletModel{Startup: 10 * time.Second, BrokenNew: []string{x}},
			false, want{deletedOnX: false, available: 4, updated: 1, stuck: true, causeX: CausePodNeverReady, otherIssues: 2}},
		{"CrashLoopNewMaxSurge", maxSurge(one), KubeletModel{Startup: 10 * time.Second, CrashLoopNew: []string{x}},
			false, want{deletedOnX: false, available: 4, updated: 1, stuck: true, causeX: CauseCrashLoopBackOff, otherIssues: 2}},
		// Broken: n01's old pod was never Ready either. Upstream replaces an
		// unavailable old pod first, outside the budget, at t=0; the new
		// one never turns Ready and holds maxUnavailable 1 from then on.
		{"BrokenAllMaxUnavailable", maxUnavailable(one), KubeletModel{Startup: 10 * time.Second, Broken: []string{x}},
			false, want{deletedOnX: true, available: 3, updated: 1, stuck: true, causeX: CausePodNeverReady, otherIssues: 3}},
		// surge: n01's old pod is unavailable, so upstream deletes it at
		// once and its new pod never turns Ready.
		{"BrokenAllMaxSurge", maxSurge(one), KubeletModel{Startup: 10 * time.Second, Broken: []string{x}},
			false, want{deletedOnX: true, available: 3, updated: 4, stuck: true, causeX: CausePodNeverReady}},
		// without From every pod is new: BrokenNew is Broken.
		{"BrokenNewOnCreation", nil, KubeletModel{Startup: 10 * time.Second, BrokenNew: []string{x}},
			true, want{deletedOnX: false, available: 3, updated: 4, stuck: true, causeX: CausePodNeverReady}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := update(testCluster(4), tc.strategy, 0)
			s.Kubelet = tc.kubelet
			if tc.noFrom {
				s.From = nil
			}
			r := mustRollout(t, s)
			var got want
			for _, st := range r.Steps {
				got.deletedOnX = got.deletedOnX || slices.Contains(st.Deleted, x)
			}
			last := r.Steps[len(r.Steps)-1].Status
			got.available, got.updated, got.stuck = last.NumberAvailable, last.UpdatedNumberScheduled, r.Summary.Stuck
			for _, u := range r.Summary.Uncovered {
				if u.Node == x {
					got.causeX = u.Cause
				} else {
					got.otherIssues++
				}
			}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v\n%s", got, tc.want, shapes(r))
			}
		})
	}
}

// TestBrokenNewRollbackHeals: a rollback to From's template runs Ready on a
// BrokenNew node, as the old version does there.
func TestBrokenNewRollbackHeals(t *testing.T) {
	one := intstr.FromInt32(1)
	s := update(testCluster(3), maxUnavailable(one), 10*time.Second)
	s.Kubelet.BrokenNew = []string{"n00"}
	s.Changes = []TemplateChange{{At: 10 * time.Minute, DaemonSet: rolloutDS("img:v1", maxUnavailable(one))}}
	r := mustRollout(t, s)
	if !r.Summary.AllCurrentAndAvailable || r.Summary.Stuck {
		t.Fatalf("rollback to v1 should finish on every node; summary %+v\n%s", r.Summary, shapes(r))
	}
}

func TestBrokenNewUnknownNode(t *testing.T) {
	s := update(testCluster(2), nil, 0)
	s.Kubelet.BrokenNew = []string{"nope"}
	s.Kubelet.CrashLoopNew = []string{"nope"}
	_, err := Rollout(t.Context(), s)
	if err == nil {
		t.Fatal("want an error for unknown nodes")
	}
	for _, p := range []string{"scenario.kubelet.brokenNew[0]", "scenario.kubelet.crashLoopNew[0]"} {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not name %s", err, p)
		}
	}
}
