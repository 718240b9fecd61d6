package simulate

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"pgregory.net/rapid"
)

// genStrategy draws every strategy form the API accepts.
func genStrategy(t *rapid.T) *appsv1.DaemonSetUpdateStrategy {
	switch rapid.IntRange(0, 4).Draw(t, "strategyKind") {
	case 0:
		return maxUnavailable(intstr.FromInt32(rapid.Int32Range(1, 6).Draw(t, "maxUnavailable")))
	case 1:
		return maxUnavailable(intstr.FromString(fmt.Sprintf("%d%%", rapid.IntRange(1, 100).Draw(t, "maxUnavailablePct"))))
	case 2:
		return maxSurge(intstr.FromInt32(rapid.Int32Range(1, 6).Draw(t, "maxSurge")))
	case 3:
		return maxSurge(intstr.FromString(fmt.Sprintf("%d%%", rapid.IntRange(1, 100).Draw(t, "maxSurgePct"))))
	default:
		return onDelete()
	}
}

type genOpts struct {
	healthy bool // no broken nodes, no taints, no selector changes
}

// genScenario draws a rollout: 1..40 nodes, some tainted or labelled, From
// and To templates that may change nodeSelector and tolerations, broken
// nodes, minReadySeconds, startup, a seeded order.
func genScenario(t *rapid.T, o genOpts) Scenario {
	n := rapid.IntRange(1, 40).Draw(t, "nodes")
	nodes := testNodes(n)
	var broken []string
	for _, node := range nodes {
		if o.healthy {
			continue
		}
		switch rapid.IntRange(0, 9).Draw(t, "nodeKind") {
		case 0:
			node.Spec.Taints = []corev1.Taint{{Key: "dedicated", Value: "x", Effect: corev1.TaintEffectNoSchedule}}
		case 1:
			node.Spec.Taints = []corev1.Taint{{Key: "dedicated", Value: "x", Effect: corev1.TaintEffectNoExecute}}
		case 2:
			node.Labels["pool"] = "a"
		case 3:
			broken = append(broken, node.Name)
		}
	}
	s := genStrategy(t)
	mk := func(img string) *appsv1.DaemonSet {
		d := rolloutDS(img, s)
		if !o.healthy {
			if rapid.Bool().Draw(t, "tolerate") {
				d.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpExists}}
			}
			if rapid.IntRange(0, 3).Draw(t, "select") == 0 {
				d.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "a"}
			}
		}
		return d
	}
	from, to := mk("img:v1"), mk("img:v2")
	minReady := rapid.Int32Range(0, 20).Draw(t, "minReadySeconds")
	from.Spec.MinReadySeconds, to.Spec.MinReadySeconds = minReady, minReady
	sc := Scenario{Cluster: mustCluster(nodes, nil), From: from, To: to,
		Kubelet: KubeletModel{Startup: time.Duration(rapid.IntRange(0, 30).Draw(t, "startup")) * time.Second, Broken: broken},
		Order:   Order{Kind: OrderKind(rapid.IntRange(0, 1).Draw(t, "order")), Seed: rapid.Int64().Draw(t, "seed")},
		Limits:  Limits{MaxTime: 24 * time.Hour},
	}
	if rapid.IntRange(0, 5).Draw(t, "fromCreation") == 0 {
		sc.From = nil
	}
	return sc
}

// runWith runs s and calls check after every reconcile.
func runWith(t *rapid.T, s Scenario, check func(*engine)) *Result {
	e, err := newEngine(context.Background(), &s)
	if err != nil {
		t.Fatalf("newEngine: %v", err)
	}
	e.trace.afterReconcile = check
	if err := e.loop(); err != nil {
		t.Fatalf("loop: %v", err)
	}
	return e.result()
}

// At most one pod per node, two while surging (upstream: manage keeps one,
// or one old and one new with surge).
func TestPropertyPodsPerNode(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t, genOpts{})
		runWith(t, s, func(e *engine) {
			limit := 1
			if e.surge {
				limit = 2
			}
			for i := range e.nodes {
				live := 0
				for _, id := range e.nodes[i].pods {
					if !e.pods[id].deleting {
						live++
					}
				}
				if live > limit {
					t.Fatalf("t=%d node %s has %d pods (limit %d)", e.now, e.nodes[i].name, live, limit)
				}
			}
		})
	})
}

// On a healthy cluster the non-surge path never lets more desired nodes be
// unavailable than maxUnavailable, and the surge path never lets
// availability fall below desired.
func TestPropertyBudgetHolds(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t, genOpts{healthy: true})
		if s.From == nil {
			s.From = rolloutDS("img:v1", s.To.Spec.UpdateStrategy.DeepCopy())
			s.From.Spec.MinReadySeconds = s.To.Spec.MinReadySeconds
		}
		runWith(t, s, func(e *engine) {
			if !e.rolling {
				return
			}
			st := e.updateDaemonSetStatus()
			b, err := e.budget(int(st.DesiredNumberScheduled))
			if err != nil {
				t.Fatal(err)
			}
			if b.MaxSurge == 0 && st.NumberUnavailable > int32(b.MaxUnavailable) {
				t.Fatalf("t=%d unavailable %d > maxUnavailable %d", e.now, st.NumberUnavailable, b.MaxUnavailable)
			}
			if b.MaxSurge > 0 && st.NumberAvailable < st.DesiredNumberScheduled {
				t.Fatalf("t=%d surge: available %d < desired %d", e.now, st.NumberAvailable, st.DesiredNumberScheduled)
			}
		})
	})
}

// A healthy cluster always finishes a rolling update, and kubectl agrees.
func TestPropertyHealthyClusterFinishes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t, genOpts{healthy: true})
		if s.To.Spec.UpdateStrategy.Type == appsv1.OnDeleteDaemonSetStrategyType {
			s.To.Spec.UpdateStrategy = *maxUnavailable(intstr.FromInt32(1))
		}
		r, err := Rollout(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Summary.AllCurrentAndAvailable || !r.Summary.Done || r.Summary.Stuck || r.Summary.Truncated || r.Summary.AllAvailable == nil {
			t.Fatalf("summary %+v", r.Summary)
		}
	})
}

// Finishing never takes longer when maxUnavailable grows (uniform startup).
func TestPropertyMoreBudgetNeverSlower(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 40).Draw(t, "nodes")
		m := rapid.IntRange(1, 10).Draw(t, "maxUnavailable")
		startup := time.Duration(rapid.IntRange(0, 30).Draw(t, "startup")) * time.Second
		minReady := rapid.Int32Range(0, 10).Draw(t, "minReady")
		end := func(mu int) time.Duration {
			s := update(testCluster(n), maxUnavailable(intstr.FromInt(mu)), startup)
			s.From.Spec.MinReadySeconds, s.To.Spec.MinReadySeconds = minReady, minReady
			r, err := Rollout(context.Background(), s)
			if err != nil || r.Summary.AllAvailable == nil {
				t.Fatalf("maxUnavailable %d: %v %+v", mu, err, r)
			}
			return *r.Summary.AllAvailable
		}
		if a, b := end(m), end(m+1); b > a {
			t.Fatalf("maxUnavailable %d finishes at %v, %d at %v", m, a, m+1, b)
		}
	})
}

// desiredNumberScheduled (and the whole trace) never depends on the nodes'
// resources: the controller does not look at them (spec §1.1).
func TestPropertyDesiredIgnoresResources(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t, genOpts{})
		a := traceBytes(t, s)
		var nodes []*corev1.Node
		for _, n := range s.Cluster.Nodes() {
			c := n.DeepCopy()
			c.Status.Allocatable = corev1.ResourceList{
				corev1.ResourceCPU:    *resource.NewMilliQuantity(rapid.Int64Range(0, 64000).Draw(t, "cpu"), resource.DecimalSI),
				corev1.ResourceMemory: *resource.NewQuantity(rapid.Int64Range(0, 1<<36).Draw(t, "mem"), resource.BinarySI),
				corev1.ResourcePods:   *resource.NewQuantity(rapid.Int64Range(0, 110).Draw(t, "pods"), resource.DecimalSI),
			}
			nodes = append(nodes, c)
		}
		s.Cluster = mustCluster(nodes, nil)
		if b := traceBytes(t, s); !bytes.Equal(a, b) {
			t.Fatalf("trace changed with node resources:\n%s\nvs\n%s", a, b)
		}
	})
}

// Same inputs and seed give an identical trace.
func TestPropertyDeterministic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t, genOpts{})
		s.Kubelet.StartupJitter = time.Duration(rapid.IntRange(0, 10).Draw(t, "jitter")) * time.Second
		if a, b := traceBytes(t, s), traceBytes(t, s); !bytes.Equal(a, b) {
			t.Fatal("two runs of one scenario differ")
		}
	})
}

// Status counters are consistent after every reconcile: current <= desired,
// ready/updated/available <= current, unavailable = desired - available.
func TestPropertyStatusConsistent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t, genOpts{})
		r, err := Rollout(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range r.Steps {
			x := st.Status
			if x.CurrentNumberScheduled > x.DesiredNumberScheduled || x.NumberReady > x.CurrentNumberScheduled ||
				x.NumberAvailable > x.NumberReady || x.UpdatedNumberScheduled > x.CurrentNumberScheduled ||
				x.NumberUnavailable != x.DesiredNumberScheduled-x.NumberAvailable || x.ObservedGeneration != r.DaemonSet.Generation && st.Time == r.Summary.End {
				t.Fatalf("inconsistent status at %v: %+v", st.Time, x)
			}
		}
	})
}

func traceBytes(t *rapid.T, s Scenario) []byte {
	r, err := Rollout(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteTrace(&b, r, 0); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "%+v\n", r.Summary)
	return b.Bytes()
}
