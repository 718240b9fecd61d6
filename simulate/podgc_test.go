package simulate

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"pgregory.net/rapid"
)

func durp(d time.Duration) *time.Duration { return &d }

func sameDur(a, b *time.Duration) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// The pod garbage collector's orphan pass against the removal of a node
// mid-rollout, on both paths of the rolling update.
// upstream: pkg/controller/podgc/gc_controller.go gcOrphaned,
// discoverDeletedNodes; gc_controller_test.go TestGCOrphaned ("deleted
// node, quarantine", "node comes back before quarantine ends")
func TestPodGCOrphans(t *testing.T) {
	surge := maxSurge(intstr.FromInt32(1))
	nonSurge := maxUnavailable(intstr.FromInt32(1))
	re := func(at time.Duration) Event {
		return NodeAdded(at, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n01",
			Labels: map[string]string{"kubernetes.io/hostname": "n01"}}})
	}
	cases := []struct {
		name     string
		strategy bool // surge
		gc       PodGCModel
		events   []Event
		// what became of n01's pods
		collected   *time.Duration
		byRollout   int
		blocked     bool
		back        *time.Duration
		remaining   int
		end         time.Duration
		stuck       bool
		errorsAtEnd int
	}{
		{name: "surge path stands still until the default collector's run",
			strategy: true, events: []Event{NodeRemoved(0, "n01")},
			// queued by the run at 0 s, deleted by the run at 40 s
			collected: durp(40 * time.Second), blocked: true, end: 100 * time.Second, errorsAtEnd: 1},
		{name: "removal between runs waits for the next run, then the quarantine",
			strategy: true, gc: PodGCModel{Period: 20 * time.Second, Quarantine: 40 * time.Second, Offset: 3 * time.Second},
			events: []Event{NodeRemoved(5*time.Second, "n01")},
			// runs at 3, 23, 43, 63: queued at 23, ready at 63
			collected: durp(63 * time.Second), blocked: true, end: 93 * time.Second, errorsAtEnd: 1},
		{name: "ready time between runs waits for the next run",
			strategy: true, gc: PodGCModel{Period: 30 * time.Second, Quarantine: 40 * time.Second},
			events: []Event{NodeRemoved(0, "n01")},
			// queued at 0, ready at 40, taken by the run at 60
			collected: durp(60 * time.Second), blocked: true, end: 120 * time.Second, errorsAtEnd: 1},
		{name: "quarantine 0 deletes at the removal's instant",
			strategy: true, gc: PodGCModel{Period: time.Second},
			events:    []Event{NodeRemoved(10*time.Second, "n01")},
			collected: durp(10 * time.Second), end: 60 * time.Second},
		{name: "disabled collector: the surge path is stuck for ever",
			strategy: true, gc: PodGCModel{Disabled: true},
			events: []Event{NodeRemoved(0, "n01")},
			// every sync fails: the work queue retries after 5 ms, 10 ms, ...
			// and the run ends once the delay is at its 1000 s cap, after
			// 5 ms · (2^18 - 1)
			blocked: true, remaining: 1, stuck: true, end: 1310715 * time.Millisecond, errorsAtEnd: 1},
		{name: "non-surge path deletes the Ready orphan itself",
			gc: PodGCModel{Disabled: true}, events: []Event{NodeRemoved(0, "n01")},
			byRollout: 1, end: 60 * time.Second},
		{name: "node back before the quarantine ends: its pods run there again",
			strategy: true, events: []Event{NodeRemoved(0, "n01"), re(30 * time.Second)},
			blocked: true, back: durp(30 * time.Second), end: 120 * time.Second, errorsAtEnd: 1},
		{name: "a node taken by a run is queued afresh: removed again, it goes at that entry's time",
			// removed at 0, queued at 0, deleted at 40 and queued again for 80
			// by the same run; back at 41 (the controller creates a pod),
			// removed again at 50 with its new pod: the run at 60 keeps the
			// entry of 80 (a fresh one would wait until 100)
			strategy: true, events: []Event{NodeRemoved(0, "n01"), re(41 * time.Second), NodeRemoved(50*time.Second, "n01")},
			collected: durp(80 * time.Second), back: durp(41 * time.Second), end: 100 * time.Second, errorsAtEnd: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := nonSurge
			if c.strategy {
				st = surge
			}
			s := update(testCluster(3), st, 30*time.Second)
			s.PodGC = c.gc
			s.Events = c.events
			r := mustRollout(t, s)
			o := r.Summary.Orphans
			if len(o) == 0 || o[len(o)-1].Node != "n01" {
				t.Fatalf("orphans %+v", o)
			}
			last := o[len(o)-1]
			if !sameDur(last.CollectedAt, c.collected) || last.DeletedByController != c.byRollout ||
				last.BlockedSurge != c.blocked || len(last.Remaining) != c.remaining {
				t.Errorf("orphans %+v", o)
			}
			if !sameDur(o[0].BackAt, c.back) {
				t.Errorf("back at %v, want %v", o[0].BackAt, c.back)
			}
			if r.Summary.End != c.end || r.Summary.Stuck != c.stuck || len(r.Summary.Errors) != c.errorsAtEnd {
				t.Errorf("end %v stuck %v errors %v, want %v %v %d\n%s", r.Summary.End, r.Summary.Stuck, r.Summary.Errors,
					c.end, c.stuck, c.errorsAtEnd, shapes(r))
			}
			if c.stuck {
				b := r.Summary.Blocking
				if len(b) == 0 || b[0].Node != "n01" || b[0].Cause != CauseOrphanedPod {
					t.Errorf("blocking %+v", b)
				}
			}
		})
	}
}

// A removed node's kubelet is gone: a pod still starting there never turns
// Ready; a node added again under its name runs it, Ready at once when its
// startup has passed.
func TestPodGCFrozenKubeletAndReAdd(t *testing.T) {
	s := Scenario{Cluster: testCluster(2), To: rolloutDS("img:v1", nil), Kubelet: KubeletModel{Startup: 30 * time.Second},
		PodGC: PodGCModel{Disabled: true},
		Events: []Event{NodeRemoved(10*time.Second, "n01"),
			NodeAdded(50*time.Second, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n01"}})}}
	r := mustRollout(t, s)
	want := "t=0 C2 D0 2/2/0/2/0/2\n" +
		"t=10 C0 D0 1/1/0/1/0/1\n" + // n01 gone; its pod stays, starting
		"t=30 C0 D0 1/1/1/1/1/0\n" + // n00's pod Ready; n01's does not turn Ready
		"t=50 C0 D0 2/2/2/2/2/0\n" // back: the same pod, Ready at once
	if got := shapes(r); got != want {
		t.Errorf("steps:\n%s\nwant:\n%s", got, want)
	}
}

func TestPodGCModelValidation(t *testing.T) {
	cases := []struct {
		gc   PodGCModel
		want string // "" = valid
	}{
		{PodGCModel{}, ""},
		{PodGCModel{Disabled: true, Period: -1}, ""},
		{PodGCModel{Period: time.Second}, ""},
		{PodGCModel{Period: 20 * time.Second, Quarantine: 40 * time.Second, Offset: 19 * time.Second}, ""},
		{PodGCModel{Quarantine: 40 * time.Second}, "scenario.podGC.period"},
		{PodGCModel{Period: 20 * time.Second, Offset: 20 * time.Second}, "scenario.podGC.offset"},
		{PodGCModel{Period: 20 * time.Second, Offset: -time.Second}, "scenario.podGC.offset"},
		{PodGCModel{Period: 20 * time.Second, Quarantine: -time.Second}, "scenario.podGC.quarantine"},
		{PodGCModel{Period: 1500 * time.Millisecond}, "whole seconds"},
	}
	for _, c := range cases {
		s := update(testCluster(1), nil, 0)
		s.PodGC = c.gc
		_, err := Rollout(t.Context(), s)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c.gc, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%+v: error %v, want %q", c.gc, err, c.want)
		}
	}
}

func TestParsePodGCModel(t *testing.T) {
	cases := []struct {
		in   string
		want PodGCModel
		err  string
	}{
		{in: "off", want: PodGCModel{Disabled: true}},
		{in: "20s/40s/0s", want: DefaultPodGCModel()},
		{in: "20s/40s", want: DefaultPodGCModel()},
		{in: "1s/0s", want: PodGCModel{Period: time.Second}},
		{in: "30s/1m/7s", want: PodGCModel{Period: 30 * time.Second, Quarantine: time.Minute, Offset: 7 * time.Second}},
		{in: "20s", err: "expected off or PERIOD/QUARANTINE"},
		{in: "20s/x", err: `"x" is not a duration`},
		{in: "20s/40s/20s", err: "offset"},
		{in: "0s/40s", err: "period"},
		{in: "", err: "expected off"},
	}
	for _, c := range cases {
		got, err := ParsePodGCModel(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: %+v, %v", c.in, got, err)
		}
		if back, err := ParsePodGCModel(got.String()); err != nil || back != got && !(got == PodGCModel{} && back == DefaultPodGCModel()) {
			t.Errorf("%q: String %q reads back as %+v, %v", c.in, got.String(), back, err)
		}
	}
}

func FuzzParsePodGCModel(f *testing.F) {
	for _, s := range []string{"off", "20s/40s/0s", "1s/0s", "20s/40s/20s", "1h/1h/59m", "/", "1s//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParsePodGCModel(s)
		if err != nil {
			return
		}
		if errs := m.validate(nil); len(errs) > 0 {
			t.Fatalf("%q parsed to an invalid model %+v: %v", s, m, errs)
		}
		if back, err := ParsePodGCModel(m.String()); err != nil || back != m {
			t.Fatalf("%q: %+v renders %q, reads back %+v, %v", s, m, m.String(), back, err)
		}
	})
}

// Property: with the collector on and no node added back, the pods a
// removed node leaves are deleted by a run of the collector between
// Quarantine and Quarantine + 2·Period after the removal (the first run
// after it queues the node; the first run after the ready time takes it),
// unless the rolling update deleted them itself; a run that is not cut
// leaves no orphan behind.
func TestPodGCWindowProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t, genOpts{})
		names := s.Cluster.Nodes()
		period := rapid.IntRange(1, 40).Draw(t, "period")
		gc := PodGCModel{Period: time.Duration(period) * time.Second,
			Quarantine: time.Duration(rapid.IntRange(0, 90).Draw(t, "quarantine")) * time.Second,
			Offset:     time.Duration(rapid.IntRange(0, period-1).Draw(t, "offset")) * time.Second}
		s.PodGC = gc
		removed := map[string]bool{}
		for k := rapid.IntRange(1, 4).Draw(t, "removals"); k > 0; k-- {
			n := names[rapid.IntRange(0, len(names)-1).Draw(t, "node")].Name
			if removed[n] {
				continue
			}
			removed[n] = true
			s.Events = append(s.Events, NodeRemoved(time.Duration(rapid.IntRange(0, 120).Draw(t, "at"))*time.Second, n))
		}
		r, err := Rollout(t.Context(), s)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range r.Summary.Orphans {
			if o.CollectedAt == nil {
				if !r.Summary.Truncated && len(o.Remaining) > 0 {
					t.Fatalf("orphans of %s left at the end: %+v", o.Node, o)
				}
				continue
			}
			at, lo, hi := *o.CollectedAt, o.Removed+gc.Quarantine, o.Removed+gc.Quarantine+2*gc.Period
			if at < lo || at >= hi || (at-gc.Offset)%gc.Period != 0 {
				t.Fatalf("%s removed at %v collected at %v, want a run in [%v, %v)", o.Node, o.Removed, at, lo, hi)
			}
		}
	})
}
