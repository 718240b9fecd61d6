package simulate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/simulate"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// detDaemonSet is a hostPort agent with a surge or non-surge strategy,
// tolerating GPU nodes, requesting CPU.
func detDaemonSet(name, image string, surge bool) *appsv1.DaemonSet {
	one, zero := intstr.FromString("20%"), intstr.FromInt32(0)
	ru := &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &one}
	if surge {
		ru = &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &zero, MaxSurge: &one}
	}
	return &appsv1.DaemonSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "kube-system", UID: types.UID("uid-" + name)},
		Spec: appsv1.DaemonSetSpec{
			Selector:       &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: ru},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
				Spec: corev1.PodSpec{
					Tolerations: []corev1.Toleration{{Key: "nvidia.com/gpu", Operator: corev1.TolerationOpExists}},
					Containers: []corev1.Container{{Name: "c", Image: image,
						Ports:     []corev1.ContainerPort{{ContainerPort: 9100, HostPort: 9100}},
						Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("300m")}}}},
				},
			},
		},
	}
}

// outputs computes, with the public API only, every simulation output as
// bytes: shapes, Place, Diff and DiffAll, Rollout with and without a seed,
// WriteTrace and WriteSVG.
func outputs(short bool) (out map[string][]byte, err error) {
	out = map[string][]byte{}
	js := func(name string, v any) {
		b, e := json.Marshal(v)
		if e != nil && err == nil {
			err = fmt.Errorf("%s: %w", name, e)
		}
		out[name] = b
	}
	for _, sh := range simulate.Shapes() {
		// large-65k is LargeCluster as large-5k is, 13 times the size
		if sh.Name == "large-65k" || strings.HasPrefix(sh.Name, "large-") && short {
			continue
		}
		c, err := sh.Build(7)
		if err != nil {
			return nil, err
		}
		js("shape "+sh.Name, c)
	}
	mixed, err := simulate.MixedCluster(3)
	if err != nil {
		return nil, err
	}
	before := []*appsv1.DaemonSet{detDaemonSet("agent", "a:1", false), detDaemonSet("exporter", "e:1", true)}
	after := []*appsv1.DaemonSet{detDaemonSet("agent", "a:2", false), detDaemonSet("exporter", "e:1", true)}
	after[0].Spec.Template.Spec.Tolerations = nil
	after[0].Spec.Template.Spec.NodeSelector = map[string]string{"kubernetes.io/os": "linux"}
	pb, err := simulate.Place(mixed, before...)
	if err != nil {
		return nil, err
	}
	pa, err := simulate.Place(mixed, after...)
	if err != nil {
		return nil, err
	}
	js("place", pb)
	js("place overhead", pb.Overhead())
	js("diff", simulate.Diff(pb.DaemonSets[0], pa.DaemonSets[0]))
	js("diffall", simulate.DiffAll(pb, pa))

	large, err := simulate.LargeCluster(300, 11)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(large.Nodes()))
	for _, n := range large.Nodes() {
		names = append(names, n.Name)
	}
	scenario := func(order simulate.Order) simulate.Scenario {
		return simulate.Scenario{
			Cluster: large,
			From:    detDaemonSet("agent", "a:1", true),
			To:      detDaemonSet("agent", "a:2", true),
			Changes: []simulate.TemplateChange{{At: 40 * time.Second, DaemonSet: detDaemonSet("agent", "a:3", false)}},
			Kubelet: simulate.KubeletModel{Startup: 5 * time.Second, StartupJitter: 7 * time.Second, SchedulerStage: true,
				Broken: names[10:12], CrashLoop: names[20:21], Failing: names[30:33], Pending: names[40:41],
				NodeStartup: map[string]time.Duration{names[50]: time.Minute, names[51]: 2 * time.Second},
				Termination: 3 * time.Second},
			API: simulate.DefaultAPIModel(),
			Events: []simulate.Event{
				simulate.NodeNotReady(10*time.Second, names[60]),
				simulate.Tainted(15*time.Second, names[61], corev1.Taint{Key: "x", Effect: corev1.TaintEffectNoExecute}),
				simulate.NodeAdded(20*time.Second, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "zz-new"}}),
				simulate.NodeRemoved(25*time.Second, names[62]),
				simulate.NodeReady(90*time.Second, names[60]),
			},
			Order:  order,
			Limits: simulate.Limits{MaxTime: 3 * time.Hour},
		}
	}
	for _, o := range []struct {
		name  string
		order simulate.Order
	}{
		{"sorted", simulate.Order{}},
		{"sorted jitter seed 5", simulate.Order{Seed: 5}},
		{"random seed 42", simulate.Order{Kind: simulate.OrderRandom, Seed: 42}},
		{"explicit", simulate.Order{Kind: simulate.OrderExplicit, Names: []string{names[100], names[3]}}},
	} {
		r, err := simulate.Rollout(context.Background(), scenario(o.order))
		if err != nil {
			return nil, err
		}
		js("rollout "+o.name, r)
		var tr, svg bytes.Buffer
		if err := simulate.WriteTrace(&tr, r, 5); err != nil {
			return nil, err
		}
		if err := simulate.WriteSVG(&svg, r, simulate.PlotOptions{}); err != nil {
			return nil, err
		}
		out["trace "+o.name] = tr.Bytes()
		out["svg "+o.name] = svg.Bytes()
	}
	return out, err
}

// Same inputs and seed give byte-identical output from every public
// simulation function, across runs, GOMAXPROCS values and concurrent
// callers.
func TestDeterminismAcrossRunsAndGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(1)
	want, err := outputs(testing.Short())
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 16 {
		t.Fatalf("only %d outputs", len(want))
	}
	if bytes.Equal(want["rollout sorted"], want["rollout random seed 42"]) ||
		bytes.Equal(want["rollout sorted"], want["rollout sorted jitter seed 5"]) {
		t.Fatal("the seed changes nothing: the scenario does not exercise it")
	}
	check := func(label string, got map[string][]byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		if len(got) < len(want)-1 { // the concurrent callers leave out large-5k
			t.Errorf("%s: %d outputs, want %d", label, len(got), len(want))
		}
		for k, g := range got {
			if w := want[k]; !bytes.Equal(g, w) {
				t.Errorf("%s: %s differs (%d bytes vs %d)", label, k, len(g), len(w))
			}
		}
	}
	for _, procs := range []int{2, 8, 1} {
		runtime.GOMAXPROCS(procs)
		got, err := outputs(testing.Short())
		check(fmt.Sprintf("GOMAXPROCS=%d", procs), got, err)
	}
	// concurrent callers: no state is shared between calls
	runtime.GOMAXPROCS(4)
	var wg sync.WaitGroup
	got := make([]map[string][]byte, 3)
	errs := make([]error, 3)
	for i := range got {
		wg.Go(func() { got[i], errs[i] = outputs(true) })
	}
	wg.Wait()
	for i, g := range got {
		check(fmt.Sprintf("concurrent caller %d", i), g, errs[i])
	}
}
