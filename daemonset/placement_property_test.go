package daemonset_test

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"pgregory.net/rapid"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate/simtest"
)

// Properties over the corner-case DaemonSets and nodes of simtest.
func TestPlacementProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ds := simtest.CornerDaemonSet().Draw(t, "ds")
		node := simtest.CornerNode().Draw(t, "node")
		p := daemonset.NewPlacer(ds)
		run, cont := p.ShouldRun(node)
		d := daemonset.Evaluate(ds, node)

		// The three entry points agree, and the answer is deterministic.
		if d.ShouldRun != run || d.ShouldContinueRunning != cont {
			t.Fatalf("Evaluate (%v,%v) != ShouldRun (%v,%v)", d.ShouldRun, d.ShouldContinueRunning, run, cont)
		}
		if d2 := p.Evaluate(node); !reflect.DeepEqual(d, d2) {
			t.Fatalf("Placer.Evaluate differs from Evaluate")
		}
		// shouldRun implies shouldContinueRunning.
		if run && !cont {
			t.Fatalf("(true,false) is impossible")
		}
		// Reasons exactly when excluded; (false,true) is only NoSchedule taints.
		if (run && cont) != (len(d.Reasons) == 0) {
			t.Fatalf("(%v,%v) with reasons %v", run, cont, d.Reasons)
		}
		if !run && cont {
			for _, r := range d.Reasons {
				if r.Kind != daemonset.ReasonUntoleratedTaint || r.Taint.Effect != corev1.TaintEffectNoSchedule || !r.ExistingPodMayStay {
					t.Fatalf("(false,true) with reason %#v", r)
				}
			}
		}
		// Adding a toleration never excludes more.
		more := ds.DeepCopy()
		more.Spec.Template.Spec.Tolerations = append(more.Spec.Template.Spec.Tolerations, simtest.CornerToleration().Draw(t, "extraToleration"))
		if r2, c2 := daemonset.NewPlacer(more).ShouldRun(node); (run && !r2) || (cont && !c2) {
			t.Fatalf("adding a toleration turned (%v,%v) into (%v,%v)", run, cont, r2, c2)
		}
		// Adding a taint never includes more.
		tainted := node.DeepCopy()
		tainted.Spec.Taints = append(tainted.Spec.Taints, simtest.CornerTaint().Draw(t, "extraTaint"))
		if r2, c2 := p.ShouldRun(tainted); (!run && r2) || (!cont && c2) {
			t.Fatalf("adding a taint turned (%v,%v) into (%v,%v)", run, cont, r2, c2)
		}
		// Adding a nodeSelector entry never includes more.
		narrower := ds.DeepCopy()
		if narrower.Spec.Template.Spec.NodeSelector == nil {
			narrower.Spec.Template.Spec.NodeSelector = map[string]string{}
		}
		narrower.Spec.Template.Spec.NodeSelector[rapid.SampledFrom(simtest.CornerKeys()).Draw(t, "selKey")] = rapid.SampledFrom(simtest.CornerValues()).Draw(t, "selValue")
		if r2, c2 := daemonset.NewPlacer(narrower).ShouldRun(node); (!run && r2) || (!cont && c2) {
			t.Fatalf("adding a nodeSelector entry turned (%v,%v) into (%v,%v)", run, cont, r2, c2)
		}
		// Placement reads nothing but the documented fields.
		other := ds.DeepCopy()
		other.Spec.Template.Spec.Containers = []corev1.Container{{Name: "x"}}
		other.Spec.Template.Labels = map[string]string{"x": "y"}
		other.Spec.Template.Spec.Priority = new(int32)
		if r2, c2 := daemonset.NewPlacer(other).ShouldRun(node); r2 != run || c2 != cont {
			t.Fatalf("unrelated template fields changed the decision")
		}
	})
}
