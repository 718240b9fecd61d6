package simulate

import (
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"pgregory.net/rapid"
)

// refusedDS is rolloutDS whose template sets spec.priority without a
// class: the Priority admission plugin refuses its pods (the class value
// is 0 in a cluster without a global default class).
func refusedDS(image string, s *appsv1.DaemonSetUpdateStrategy) *appsv1.DaemonSet {
	ds := rolloutDS(image, s)
	prio := int32(1000)
	ds.Spec.Template.Spec.Priority = &prio
	return ds
}

// refusedMsg is the API server's error for a create of refusedDS's pod.
// upstream: admission.NewForbidden over the generateName "ds-",
// plugin/pkg/admission/priority/admission.go admitPod
const refusedMsg = `pods "ds-" is forbidden: the integer value of priority (1000) must not be provided in pod spec; ` +
	`priority admission controller computed 0 from the given PriorityClass name`

// selected restricts ds's pods to nodes labelled pool=a.
func selected(ds *appsv1.DaemonSet) *appsv1.DaemonSet {
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "a"}
	return ds
}

// backoffTimes are the instants of the syncs of a DaemonSet whose first
// sync at start fails, and every retry too, with nothing else happening:
// the work queue's exponential backoff 5 ms · 2^n, capped at 1000 s.
// upstream: client-go workqueue TypedItemExponentialFailureRateLimiter
func backoffTimes(start time.Duration, n int) []time.Duration {
	out := []time.Duration{start}
	for i := 0; len(out) < n; i++ {
		out = append(out, out[len(out)-1]+min(5*time.Millisecond<<i, 1000*time.Second))
	}
	return out
}

// A template Priority admission refuses: each sync tries one create (the
// slow start's first batch of one fails, the rest are skipped), records one
// FailedCreate and returns the error; the work queue retries after 5 ms,
// 10 ms, 20 ms, ... and the run ends when only retries at the 1000 s cap
// remain, stuck with the desired nodes AdmissionRefused.
// upstream: daemon_controller.go syncNodes (slow start, skippedPods),
// processNextWorkItem (AddRateLimited, Forget); controller_utils.go
// RealPodControl.createPods (FailedCreate "Error creating: %v")
func TestRolloutRefusedCreateRetries(t *testing.T) {
	classesKnown := func(c *Cluster) *Cluster {
		out, err := c.WithPriorityClasses()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	cases := []struct {
		name string
		sc   Scenario
		// failing syncs: on node, at the instants want
		node string
		want []time.Duration
		end  time.Duration
		// desired nodes AdmissionRefused at the end
		refused int
		deletes int
	}{
		{name: "creation on 3 nodes",
			sc:   Scenario{Cluster: classesKnown(testCluster(3)), To: refusedDS("img:v1", nil)},
			node: "n00", want: backoffTimes(0, 19), end: 1310715 * time.Millisecond, refused: 3},
		{name: "creation, cut short by MaxTime: at rest, not truncated",
			sc: Scenario{Cluster: classesKnown(testCluster(3)), To: refusedDS("img:v1", nil),
				Limits: Limits{MaxTime: time.Minute}},
			// 5 ms · (2^14 - 1) = 81.915 s is beyond the minute
			node: "n00", want: backoffTimes(0, 14), end: 40955 * time.Millisecond, refused: 3},
		{name: "non-surge update: the deleted old pod's node retries",
			sc: Scenario{Cluster: classesKnown(testCluster(4)), From: rolloutDS("img:v1", maxUnavailable(intstr.FromInt32(1))),
				To: refusedDS("img:v2", maxUnavailable(intstr.FromInt32(1)))},
			node: "n00", want: backoffTimes(0, 19), end: 1310715 * time.Millisecond, refused: 1, deletes: 1},
		{name: "surge update: the surge create fails in the rolling update's syncNodes",
			sc: Scenario{Cluster: classesKnown(testCluster(4)), From: rolloutDS("img:v1", maxSurge(intstr.FromInt32(2))),
				To: refusedDS("img:v2", maxSurge(intstr.FromInt32(2)))},
			node: "n00", want: backoffTimes(0, 19), end: 1310715 * time.Millisecond},
		{name: "a sync that succeeds resets the backoff",
			// n00 leaves the selector at 10 s (the sync succeeds: Forget; the
			// retry waiting for 10.235 s still runs one), comes back at 20 s
			sc: Scenario{Cluster: classesKnown(testCluster(1)), To: selected(refusedDS("img:v1", nil)),
				Events: []Event{Labeled(0, "n00", "pool", "a"), Unlabeled(10*time.Second, "n00", "pool"), Labeled(20*time.Second, "n00", "pool", "a")}},
			node: "n00", want: append(backoffTimes(0, 11), backoffTimes(20*time.Second, 19)...),
			end: 20*time.Second + 1310715*time.Millisecond, refused: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := mustRollout(t, c.sc)
			var times []time.Duration
			for _, st := range r.Steps {
				if len(st.FailedCreate) == 0 {
					continue
				}
				times = append(times, st.Time)
				if !slices.Equal(st.FailedCreate, []string{c.node}) || len(st.Created) != 0 {
					t.Errorf("%v: failed %v created %v, want one failed create on %s", st.Time, st.FailedCreate, st.Created, c.node)
				}
				if st.FailedCreateMessage != "Error creating: "+refusedMsg {
					t.Errorf("%v: message %q", st.Time, st.FailedCreateMessage)
				}
			}
			var b strings.Builder
			if err := WriteTrace(&b, r, 0); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(b.String(), " FailedCreate 1:"+c.node+"\n"); n != len(c.want) {
				t.Errorf("WriteTrace shows %d failed creates, want %d:\n%s", n, len(c.want), b.String())
			}
			if !slices.Equal(times, c.want) {
				t.Errorf("failing syncs at\n%v\nwant\n%v", times, c.want)
			}
			s := r.Summary
			if s.FailedCreates != len(c.want) || s.Creates != 0 || s.Deletes != c.deletes || s.End != c.end {
				t.Errorf("failed creates %d creates %d deletes %d end %v, want %d 0 %d %v",
					s.FailedCreates, s.Creates, s.Deletes, s.End, len(c.want), c.deletes, c.end)
			}
			if len(s.Errors) != 1 || s.Errors[0].Message != refusedMsg || s.Errors[0].Time != c.want[0] {
				t.Errorf("errors %+v", s.Errors)
			}
			if !s.Stuck || s.Truncated || s.Done {
				t.Errorf("stuck %v truncated %v done %v, want stuck", s.Stuck, s.Truncated, s.Done)
			}
			refused := 0
			for _, u := range s.Uncovered {
				if u.Cause == CauseAdmissionRefused {
					refused++
				}
			}
			if refused != c.refused {
				t.Errorf("%d nodes AdmissionRefused, want %d: %+v", refused, c.refused, s.Uncovered)
			}
		})
	}
}

// A template admission accepts: no create fails.
func TestRolloutAdmittedNoFailedCreate(t *testing.T) {
	for _, s := range []*appsv1.DaemonSetUpdateStrategy{maxUnavailable(intstr.FromInt32(1)), maxSurge(intstr.FromInt32(1)), onDelete()} {
		r := mustRollout(t, update(testCluster(5), s, 3*time.Second))
		if r.Summary.FailedCreates != 0 || len(r.Summary.Errors) != 0 {
			t.Errorf("%s: summary %+v", s.Type, r.Summary)
		}
		for _, st := range r.Steps {
			if len(st.FailedCreate) > 0 || st.FailedCreateMessage != "" {
				t.Errorf("%s: step %+v", s.Type, st)
			}
		}
	}
}

// The rate limiter: 5 ms doubling to the 1000 s cap; Forget resets the
// exponential count but not the bucket (10 per second, burst 100) shared by
// all keys, whose 101st token in an instant comes 100 ms later; the waiting
// entry only moves to an earlier time.
// upstream: client-go util/workqueue default_rate_limiters_test.go
// TestItemExponentialFailureRateLimiter, TestBucketRateLimiter
func TestRequeueRateLimiter(t *testing.T) {
	var want []time.Duration
	for d := 5 * time.Millisecond; d < 1000*time.Second; d *= 2 {
		want = append(want, d)
	}
	want = append(want, 1000*time.Second, 1000*time.Second)
	q := newRequeue()
	var got []time.Duration
	now := time.Duration(0)
	for range want {
		q.addRateLimited(now)
		got = append(got, q.delay)
		if !q.dueBy(q.at) {
			t.Fatal("entry not due at its time")
		}
		now += q.delay
	}
	if !slices.Equal(got, want) {
		t.Errorf("delays %v, want %v", got, want)
	}
	if q.failures != len(want) {
		t.Errorf("failures %d", q.failures)
	}

	q = newRequeue()
	for i := range 101 {
		q.addRateLimited(time.Hour)
		q.forget()
		want := 5 * time.Millisecond
		if i == 100 {
			want = 100 * time.Millisecond
		}
		if q.delay != want {
			t.Errorf("call %d: delay %v, want %v", i, q.delay, want)
		}
	}
	if q.at != time.Hour+5*time.Millisecond {
		t.Errorf("waiting entry at %v, want the earliest", q.at)
	}
}

// Properties of a refused template on any cluster and strategy: no pod of
// it is ever created, every reconcile tries at most one create, the failed
// creates are no more than the reconciles, and the run ends stuck, never
// cut by the limits.
func TestPropertyRefusedTemplateNeverCreated(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t, genOpts{})
		to := s.To.DeepCopy()
		prio := int32(7)
		to.Spec.Template.Spec.Priority = &prio
		s.To = to
		r := runWith(t, s, func(e *engine) {
			for i := range e.pods {
				if p := &e.pods[i]; p.rev == e.curRev {
					t.Fatalf("t=%d pod %s of the refused template created", e.now, p.name)
				}
			}
		})
		for _, st := range r.Steps {
			if len(st.FailedCreate) > 1 {
				t.Fatalf("step %v tried %d creates", st.Time, len(st.FailedCreate))
			}
		}
		sum := r.Summary
		if sum.FailedCreates > sum.Reconciles {
			t.Fatalf("%d failed creates in %d reconciles", sum.FailedCreates, sum.Reconciles)
		}
		if sum.FailedCreates > 0 && (sum.Truncated || !sum.Stuck) {
			t.Fatalf("failing creates end truncated %v stuck %v: %+v", sum.Truncated, sum.Stuck, sum)
		}
		if sum.FailedCreates > 0 && (len(sum.Errors) == 0 || !strings.Contains(sum.Errors[0].Message, "is forbidden")) {
			t.Fatalf("errors %+v", sum.Errors)
		}
	})
}
