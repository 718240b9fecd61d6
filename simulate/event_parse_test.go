package simulate_test

import (
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/simulate"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// eventCluster is two nodes; node-a has a hostname label, a taint and a
// capacity that "add ... like=node-a" copies.
func eventCluster(t testing.TB) *simulate.Cluster {
	t.Helper()
	a := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "node-a", UID: "uid-a", ResourceVersion: "7",
			Labels: map[string]string{corev1.LabelHostname: "node-a", "zone": "a"}},
		Spec:   corev1.NodeSpec{Taints: []corev1.Taint{{Key: "gpu", Effect: corev1.TaintEffectNoSchedule}}},
		Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4")}},
	}
	b := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-b"}}
	c, err := simulate.NewCluster([]*corev1.Node{a, b}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestParseEvent holds the text form of every action to the event its
// constructor makes, and every malformed form to its message.
func TestParseEvent(t *testing.T) {
	c := eventCluster(t)
	likeA := c.Node("node-a").DeepCopy()
	likeA.Name, likeA.UID, likeA.ResourceVersion = "node-z", "", ""
	likeA.Labels[corev1.LabelHostname] = "node-z"
	likeA.Labels["zone"] = "c"
	for _, tc := range []struct {
		text string
		want simulate.Event
		err  string
	}{
		{text: "t=5m taint node-a dedicated=x:NoExecute",
			want: simulate.Tainted(5*time.Minute, "node-a", corev1.Taint{Key: "dedicated", Value: "x", Effect: corev1.TaintEffectNoExecute})},
		{text: "t=0s taint node-b k:PreferNoSchedule",
			want: simulate.Tainted(0, "node-b", corev1.Taint{Key: "k", Effect: corev1.TaintEffectPreferNoSchedule})},
		{text: "t=0s untaint node-a dedicated:NoSchedule", want: simulate.Untainted(0, "node-a", "dedicated", corev1.TaintEffectNoSchedule)},
		{text: "t=1h label node-a zone=b", want: simulate.Labeled(time.Hour, "node-a", "zone", "b")},
		{text: "t=1h label node-a empty=", want: simulate.Labeled(time.Hour, "node-a", "empty", "")},
		{text: "t=90s unlabel node-a zone", want: simulate.Unlabeled(90*time.Second, "node-a", "zone")},
		{text: "t=1m notready node-a", want: simulate.NodeNotReady(time.Minute, "node-a")},
		{text: "t=2m READY node-a", want: simulate.NodeReady(2*time.Minute, "node-a")},
		{text: "t=3m cordon node-a", want: simulate.Cordoned(3*time.Minute, "node-a")},
		{text: "t=4m uncordon node-a", want: simulate.Uncordoned(4*time.Minute, "node-a")},
		{text: "  t=5m   remove   node-b ", want: simulate.NodeRemoved(5*time.Minute, "node-b")},
		{text: "t=6m add node-z zone=c",
			want: simulate.NodeAdded(6*time.Minute, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-z", Labels: map[string]string{"zone": "c"}}})},
		{text: "t=6m add node-z like=node-a zone=c", want: simulate.NodeAdded(6*time.Minute, likeA)},
		// a label before like= is kept too
		{text: "t=6m add node-z zone=c like=node-a", want: simulate.NodeAdded(6*time.Minute, likeA)},
		{text: "t=8784h cordon node-a", want: simulate.Cordoned(simulate.MaxSimulatedTime, "node-a")},

		{text: "", err: `expected "t=DURATION ACTION NODE [ARG]", e.g. "t=5m taint node-3 dedicated=x:NoExecute"`},
		{text: "t=1m", err: `expected "t=DURATION ACTION NODE [ARG]", e.g. "t=5m taint node-3 dedicated=x:NoExecute"`},
		{text: "5m cordon node-a", err: `expected "t=DURATION ACTION NODE [ARG]", e.g. "t=5m taint node-3 dedicated=x:NoExecute"`},
		{text: "t=-1m cordon node-a", err: `time "-1m": expected a duration between 0s and 8784h0m0s, e.g. 90s or 5m`},
		{text: "t=8785h cordon node-a", err: `time "8785h": expected a duration between 0s and 8784h0m0s, e.g. 90s or 5m`},
		{text: "t=soon cordon node-a", err: `time "soon": expected a duration between 0s and 8784h0m0s, e.g. 90s or 5m`},
		{text: "t=1m cordon ghost", err: `unknown node "ghost"`},
		{text: "t=1m explode node-a", err: `unknown action "explode" (taint, untaint, label, unlabel, notready, ready, cordon, uncordon, remove, add)`},
		{text: "t=1m taint node-a x=y:Sometimes", err: `taint "x=y:Sometimes": expected KEY[=VALUE]:EFFECT with effect NoSchedule, PreferNoSchedule or NoExecute`},
		{text: "t=1m taint node-a :NoSchedule", err: `taint ":NoSchedule": empty key`},
		{text: "t=1m taint node-a", err: `taint expects KEY[=VALUE]:EFFECT`},
		{text: "t=1m untaint node-a k", err: `expected KEY:EFFECT with effect NoSchedule, PreferNoSchedule or NoExecute`},
		{text: "t=1m label node-a zone", err: `expected KEY=VALUE`},
		{text: "t=1m label node-a =b", err: `expected KEY=VALUE`},
		{text: "t=1m unlabel node-a", err: `unlabel expects KEY`},
		{text: "t=1m cordon node-a now", err: `cordon expects no argument`},
		{text: "t=1m add node-a", err: `node "node-a" already exists (remove it first to replace it under the same name)`},
		{text: "t=1m add node-z zone", err: `add expects labels KEY=VALUE or like=EXISTING-NODE, got "zone"`},
		{text: "t=1m add node-z like=ghost", err: `like=ghost: unknown node`},
	} {
		got, err := simulate.ParseEvent(c, tc.text)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.text, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.text, err)
			continue
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%q: (-want +got)\n%s", tc.text, d)
		}
	}
	if c.Node("node-a").Name != "node-a" || c.Node("node-a").Labels[corev1.LabelHostname] != "node-a" {
		t.Errorf("like= changed the cluster's node: %+v", c.Node("node-a").ObjectMeta)
	}
}

// TestParseEventsKnowsAddedNodes: a node that an earlier event adds may be
// named by a later one, and not added twice; errors quote the text.
func TestParseEventsKnowsAddedNodes(t *testing.T) {
	c := eventCluster(t)
	evs, err := simulate.ParseEvents(c, "t=1m add node-z", "t=2m cordon node-z")
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[1] != simulate.Cordoned(2*time.Minute, "node-z") {
		t.Errorf("events %+v", evs)
	}
	for _, tc := range []struct {
		texts []string
		err   string
	}{
		{[]string{"t=1m cordon node-z", "t=2m add node-z"}, `"t=1m cordon node-z": unknown node "node-z"`},
		{[]string{"t=1m add node-z", "t=2m add node-z"}, `"t=2m add node-z": node "node-z" already exists (remove it first to replace it under the same name)`},
		{[]string{"t=1m remove node-a", "t=2m add node-a", "t=3m add node-a"}, `"t=3m add node-a": node "node-a" already exists (remove it first to replace it under the same name)`},
	} {
		if _, err := simulate.ParseEvents(c, tc.texts...); err == nil || err.Error() != tc.err {
			t.Errorf("%q: error %v, want %q", tc.texts, err, tc.err)
		}
	}
	// a node replaced under the same name
	evs, err = simulate.ParseEvents(c, "t=5m remove node-a", "t=6m add node-a like=node-b", "t=7m cordon node-a")
	if err != nil || len(evs) != 3 || evs[1].Kind != simulate.EventNodeAdd || evs[1].NewNode.Name != "node-a" {
		t.Errorf("re-add: %+v, %v", evs, err)
	}
	if _, err := simulate.ParseEvent(c, "t=2m cordon node-z"); err == nil {
		t.Error("ParseEvent accepted a node only ParseEvents knows")
	}
	// without a cluster only add is possible
	if evs, err := simulate.ParseEvents(nil, "t=1m add node-z", "t=2m cordon node-z"); err != nil || len(evs) != 2 {
		t.Errorf("nil cluster: %v, %v", evs, err)
	}
	if _, err := simulate.ParseEvent(nil, "t=1m add node-z like=node-a"); err == nil || err.Error() != "like=node-a: unknown node" {
		t.Errorf("nil cluster, like=: %v", err)
	}
}

// FuzzParseEvent: any event text gives an event or an error, never a panic;
// the event is within MaxSimulatedTime and names only known nodes.
func FuzzParseEvent(f *testing.F) {
	for _, s := range []string{
		"t=5m taint node-a dedicated=x:NoExecute", "t=0s untaint node-a dedicated:NoSchedule",
		"t=1h label node-a zone=b", "t=90s unlabel node-a zone", "t=1m notready node-a", "t=2m ready node-a",
		"t=3m cordon node-a", "t=4m uncordon node-a", "t=5m remove node-a", "t=6m add node-z like=node-a zone=c",
		"t=-1s cordon node-a", "t=1m taint node-a :NoSchedule", "t=1m", "", "t=99999999h cordon node-a",
	} {
		f.Add(s)
	}
	c := eventCluster(f)
	f.Fuzz(func(t *testing.T, s string) {
		ev, err := simulate.ParseEvent(c, s)
		if err != nil {
			return
		}
		if ev.At < 0 || ev.At > simulate.MaxSimulatedTime {
			t.Fatalf("%q: time %v out of range", s, ev.At)
		}
		if ev.Kind == simulate.EventNodeAdd {
			if ev.NewNode == nil || c.Node(ev.NewNode.Name) != nil {
				t.Fatalf("%q: bad added node %v", s, ev.NewNode)
			}
		} else if c.Node(ev.Node) == nil {
			t.Fatalf("%q: unknown node %q accepted", s, ev.Node)
		}
	})
}

// An added node is stored as the API server stores it: a node with capacity
// but no allocatable gets allocatable from capacity (upstream:
// pkg/apis/core/v1/defaults.go SetDefaults_NodeStatus).
func TestParseEventAddDefaultsNode(t *testing.T) {
	capOnly := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "cap-only"},
		Status: corev1.NodeStatus{Capacity: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("8"), corev1.ResourcePods: resource.MustParse("110")}}}
	c, err := simulate.NewCluster([]*corev1.Node{capOnly}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := simulate.ParseEvent(c, "t=1m add node-z like=cap-only")
	if err != nil {
		t.Fatal(err)
	}
	if got := ev.NewNode.Status.Allocatable; !got.Cpu().Equal(resource.MustParse("8")) || !got.Pods().Equal(resource.MustParse("110")) {
		t.Errorf("allocatable %v, want the capacity", got)
	}
}
