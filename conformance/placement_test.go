package conformance

import (
	"encoding/json"
	"github.com/daemonkit/daemonkit/simulate/simtest"
	"testing"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/controller/daemon"
	"pgregory.net/rapid"
)

// TestPlacementMatchesUpstream holds Evaluate, Placer.ShouldRun and
// Placer.Evaluate to upstream's NodeShouldRunDaemonPod on generated
// DaemonSets and nodes (spec §1).
func TestPlacementMatchesUpstream(t *testing.T) {
	logger := klog.Background()
	outcomes := map[[2]bool]int{}
	total := 0
	rapid.Check(t, func(t *rapid.T) {
		ds := simtest.CornerDaemonSet().Draw(t, "ds")
		node := simtest.CornerNode().Draw(t, "node")
		wantRun, wantCont := daemon.NodeShouldRunDaemonPod(logger, node, ds)
		outcomes[[2]bool{wantRun, wantCont}]++
		total++

		d := daemonset.Evaluate(ds, node)
		if d.ShouldRun != wantRun || d.ShouldContinueRunning != wantCont {
			t.Fatalf("Evaluate = (%v,%v), upstream (%v,%v); reasons %v", d.ShouldRun, d.ShouldContinueRunning, wantRun, wantCont, d.Reasons)
		}
		p := daemonset.NewPlacer(ds)
		if r, c := p.ShouldRun(node); r != wantRun || c != wantCont {
			t.Fatalf("Placer.ShouldRun = (%v,%v), upstream (%v,%v)", r, c, wantRun, wantCont)
		}
		// Reasons exist exactly when the node is not fully accepted.
		if (wantRun && wantCont) != (len(d.Reasons) == 0) {
			t.Fatalf("(%v,%v) with reasons %v", wantRun, wantCont, d.Reasons)
		}
		for _, r := range d.Reasons {
			if r.Message == "" || r.Kind == "" {
				t.Fatalf("reason without kind or message: %#v", r)
			}
		}
	})
	// The generator must exercise every outcome, not only exclusions.
	t.Logf("outcomes (shouldRun, shouldContinueRunning) over %d cases: %v", total, outcomes)
	for _, o := range [][2]bool{{true, true}, {false, true}, {false, false}} {
		if total >= 1000 && outcomes[o]*100 < total {
			t.Errorf("outcome %v in under 1%% of %d cases", o, total)
		}
	}
}

// FuzzPlacementVsUpstream decodes a DaemonSet and a node from JSON and holds
// Evaluate and Placer.ShouldRun to upstream's NodeShouldRunDaemonPod.
func FuzzPlacementVsUpstream(f *testing.F) {
	f.Add([]byte(`{"ds":{"spec":{"template":{"spec":{"nodeSelector":{"a":"b"},"tolerations":[{"operator":"Exists","effect":"NoSchedule"}]}}}},"node":{"metadata":{"name":"n","labels":{"a":"b"}},"spec":{"taints":[{"key":"k","effect":"NoExecute"}]}}}`))
	f.Add([]byte(`{"ds":{"spec":{"template":{"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"cores","operator":"Lt","values":["4"]}]},{"matchFields":[{"key":"metadata.name","operator":"NotIn","values":["n"]}]}]}}}}}}},"node":{"metadata":{"name":"n","labels":{"cores":"-8"}}}}`))
	f.Add([]byte(`{"ds":{"spec":{"template":{"spec":{"hostNetwork":true,"tolerations":[{"key":"x","operator":"Gt","value":"1"}]}}}},"node":{"spec":{"taints":[{"key":"node.kubernetes.io/network-unavailable","effect":"NoSchedule"},{"key":"x","value":"5","effect":"NoSchedule"}]}}}`))
	logger := klog.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		var in struct {
			DS   *appsv1.DaemonSet `json:"ds"`
			Node *corev1.Node      `json:"node"`
		}
		if err := json.Unmarshal(data, &in); err != nil || in.DS == nil || in.Node == nil {
			return
		}
		wantRun, wantCont := daemon.NodeShouldRunDaemonPod(logger, in.Node, in.DS)
		d := daemonset.Evaluate(in.DS, in.Node)
		r, c := daemonset.NewPlacer(in.DS).ShouldRun(in.Node)
		if d.ShouldRun != wantRun || d.ShouldContinueRunning != wantCont || r != wantRun || c != wantCont {
			t.Fatalf("Evaluate (%v,%v), ShouldRun (%v,%v), upstream (%v,%v)", d.ShouldRun, d.ShouldContinueRunning, r, c, wantRun, wantCont)
		}
	})
}
