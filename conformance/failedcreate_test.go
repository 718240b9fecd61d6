package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/util/workqueue"

	"github.com/daemonkit/daemonkit/simulate"
)

// A template the API server's Priority admission refuses, through upstream's
// controller with the real Priority plugin refusing the creates in the fake
// API server, against the engine: every sync that tries a create tries
// exactly one (syncNodes' slow start: the first batch of one fails, the rest
// are skipped), on a node without a pod of the template; the FailedCreate event's message is
// the engine's Step.FailedCreateMessage; no pod of the template exists; the
// syncs that created or deleted pods and the final status agree. The retry
// times are not compared: the controller builds its own work queue, whose
// rate limiter runs on real time (the engine's backoff is held to client-go's
// TypedItemExponentialFailureRateLimiter in simulate's tests).
// upstream: daemon_controller.go syncNodes, controller_utils.go
// RealPodControl.createPods, plugin/pkg/admission/priority admitPod
func TestRefusedCreatesMatchUpstream(t *testing.T) {
	refusals := []struct {
		name   string
		refuse func(*corev1.PodSpec)
	}{
		{"spec.priority without a class", func(s *corev1.PodSpec) { p := int32(1000); s.Priority = &p }},
		{"a missing class", func(s *corev1.PodSpec) { s.PriorityClassName = "no-such-class" }},
		{"preemptionPolicy Never without a class", func(s *corev1.PodSpec) { p := corev1.PreemptNever; s.PreemptionPolicy = &p }},
	}
	refused := func(ds *appsv1.DaemonSet, refuse func(*corev1.PodSpec)) *appsv1.DaemonSet {
		refuse(&ds.Spec.Template.Spec)
		return ds
	}
	var syncs, attempts int
	for _, r := range refusals {
		shapes := []struct {
			name     string
			from, to *appsv1.DaemonSet
		}{
			{"creation", nil, refused(withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromInt32(1)), r.refuse)},
			{"non-surge update", withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromInt32(2)),
				refused(withMaxUnavailable(rolloutDS("agent:v2"), intstr.FromInt32(2)), r.refuse)},
			{"surge update", withMaxSurge(rolloutDS("agent:v1"), intstr.FromInt32(2)),
				refused(withMaxSurge(rolloutDS("agent:v2"), intstr.FromInt32(2)), r.refuse)},
		}
		for _, sh := range shapes {
			t.Run(r.name+"/"+sh.name, func(t *testing.T) {
				nodes := rolloutNodes(5)
				pl := upstreamPriorityAdmission(t, nil)
				tr := runUpstreamRollout(t, upstreamScenario{Nodes: nodes, From: sh.from, To: sh.to, Startup: 5 * time.Second,
					Admit: func(pod *corev1.Pod) error {
						_, err := admitPod(t, pl, pod)
						return err
					}})
				cl, err := simulate.NewCluster(nodes, nil)
				if err != nil {
					t.Fatal(err)
				}
				if cl, err = cl.WithPriorityClasses(); err != nil { // the cluster's classes: the system ones
					t.Fatal(err)
				}
				res, err := simulate.Rollout(context.Background(), simulate.Scenario{Cluster: cl, From: sh.from, To: sh.to,
					Kubelet: simulate.KubeletModel{Startup: 5 * time.Second}})
				if err != nil {
					t.Fatal(err)
				}

				// the desired nodes without a pod of the template (upstream
				// picks among them in map order, the engine in name order)
				noPod := map[string]bool{}
				for _, u := range res.Summary.Uncovered {
					noPod[u.Node] = true
				}
				upFailed := 0
				for _, in := range tr.Instants {
					for _, s := range in.Failing {
						syncs++
						attempts += len(s.Created) + len(s.Failed)
						upFailed += len(s.Failed)
						if len(s.Created)+len(s.Failed) != 1 || !noPod[s.Failed[0]] {
							t.Errorf("t=%v: upstream sync created %v, failed %v: want one failed create on a node without a current pod %v",
								in.Time, s.Created, s.Failed, noPod)
						}
					}
				}
				engFailed := 0
				for _, st := range res.Steps {
					if len(st.FailedCreate) == 0 {
						continue
					}
					engFailed++
					if len(st.FailedCreate) != 1 || len(st.Created) != 0 || !noPod[st.FailedCreate[0]] {
						t.Errorf("%v: engine created %v, failed %v", st.Time, st.Created, st.FailedCreate)
					}
					if len(tr.FailedCreateEvents) == 0 || st.FailedCreateMessage != tr.FailedCreateEvents[0] {
						t.Fatalf("FailedCreate message:\n engine   %q\n upstream %q", st.FailedCreateMessage, tr.FailedCreateEvents)
					}
				}
				if upFailed == 0 || engFailed == 0 {
					t.Errorf("failed creates: upstream %d, engine %d; want both", upFailed, engFailed)
				}
				if up, eng := actingCounts(tr), engineActingCounts(res); up != eng {
					t.Errorf("acting reconciles:\n upstream %s\n engine   %s", up, eng)
				}
				if !sameStatus(tr.Final.Status, res.DaemonSet.Status) {
					t.Errorf("final status:\n upstream %s\n engine   %s", rolloutStatusString(tr.Final.Status), rolloutStatusString(res.DaemonSet.Status))
				}
				for _, p := range tr.Pods {
					if strings.Contains(p.Spec.Containers[0].Image, "v2") || sh.from == nil {
						t.Errorf("upstream created pod %s of the refused template", p.Name)
					}
				}
				if !res.Summary.Stuck || res.Summary.Creates != 0 {
					t.Errorf("engine summary %+v", res.Summary)
				}
			})
		}
	}
	t.Logf("%d upstream syncs with a refused create, %d create attempts in them", syncs, attempts)
}

// engineActingCounts renders the engine's steps that created or deleted
// pods as actingCounts does upstream's.
func engineActingCounts(res *simulate.Result) string {
	var b strings.Builder
	last := time.Duration(-1)
	for _, s := range res.Steps {
		if len(s.Created)+len(s.Deleted) == 0 {
			continue
		}
		if s.Time != last {
			if last >= 0 {
				b.WriteString(" ")
			}
			fmt.Fprintf(&b, "t=%d:", int(s.Time/time.Second))
			last = s.Time
		}
		fmt.Fprintf(&b, "(c%d,d%d)", len(s.Created), len(s.Deleted))
	}
	return b.String()
}

// The engine's retries of a sync that keeps failing follow client-go's
// DefaultTypedControllerRateLimiter — the limiter of the DaemonSet
// controller's work queue — for the DaemonSet's key: each FailedCreate step
// comes the limiter's When delay after the one before, from 5 ms to the
// 1000 s cap, where the run ends.
// upstream: client-go util/workqueue default_rate_limiters.go,
// daemon_controller.go NewDaemonSetsController (queue), processNextWorkItem
func TestRefusedRetriesFollowClientGoRateLimiter(t *testing.T) {
	ds := withMaxUnavailable(rolloutDS("agent:v1"), intstr.FromInt32(1))
	ds.Spec.Template.Spec.PriorityClassName = "no-such-class"
	cl, err := simulate.NewCluster(rolloutNodes(3), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cl, err = cl.WithPriorityClasses(); err != nil {
		t.Fatal(err)
	}
	res, err := simulate.Rollout(context.Background(), simulate.Scenario{Cluster: cl, To: ds})
	if err != nil {
		t.Fatal(err)
	}
	var got []time.Duration
	for _, st := range res.Steps {
		if len(st.FailedCreate) > 0 {
			got = append(got, st.Time)
		}
	}
	rl := workqueue.DefaultTypedControllerRateLimiter[string]()
	key := ds.Namespace + "/" + ds.Name
	want := []time.Duration{0}
	for {
		d := rl.When(key)
		if d >= 1000*time.Second {
			break // from here every retry fails alike every 1000 s: the run ends
		}
		want = append(want, want[len(want)-1]+d)
	}
	if !slices.Equal(got, want) {
		t.Errorf("failing syncs at\n%v\nclient-go's limiter gives\n%v", got, want)
	}
	if res.Summary.End != want[len(want)-1] || !res.Summary.Stuck {
		t.Errorf("end %v stuck %v", res.Summary.End, res.Summary.Stuck)
	}
}
