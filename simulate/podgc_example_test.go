package simulate_test

import (
	"context"
	"fmt"
	"time"

	"github.com/daemonkit/daemonkit/simulate"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// A node deleted at the start of a maxSurge rollout: its pod stays bound to
// the deleted node until kube-controller-manager's pod garbage collector
// (the zero PodGCModel) deletes it 40 s later, and until then every sync of
// the surge path fails. With the collector disabled the rollout never
// moves.
func ExamplePodGCModel() {
	surge := func(image string) *appsv1.DaemonSet {
		ds := exampleDS(image, intstr.FromInt32(0))
		two := intstr.FromInt32(2)
		ds.Spec.UpdateStrategy.RollingUpdate.MaxSurge = &two
		return ds
	}
	for _, gc := range []simulate.PodGCModel{{}, {Disabled: true}} {
		res, err := simulate.Rollout(context.Background(), simulate.Scenario{
			Cluster: exampleNodes(6),
			From:    surge("agent:1.0"),
			To:      surge("agent:1.1"),
			Kubelet: simulate.KubeletModel{Startup: 10 * time.Second},
			Events:  []simulate.Event{simulate.NodeRemoved(0, "node-03")},
			PodGC:   gc,
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		s := res.Summary
		o := s.Orphans[0]
		fmt.Printf("pod GC %v: done=%v end=%v; %s's pod blocked the surge path: %v, collected at %v\n",
			gc, s.Done, s.End, o.Node, o.BlockedSurge, o.CollectedAt)
		for _, b := range s.Blocking {
			fmt.Printf("  blocking %s %s: %s\n", b.Node, b.Cause, b.Detail)
		}
	}
	// Output:
	// pod GC 20s/40s/0s: done=true end=1m10s; node-03's pod blocked the surge path: true, collected at 40s
	// pod GC off: done=false end=21m50.715s; node-03's pod blocked the surge path: true, collected at <nil>
	//   blocking node-03 OrphanedPod: node removed at t=0s; pod agent-6xkrq of an earlier revision stays bound to it and the surge path's rolling update fails on it (couldn't get node for nodeName) for ever: the pod garbage collector is disabled
}

// The text form of the daemonkit CLI's --pod-gc.
func ExampleParsePodGCModel() {
	for _, s := range []string{"20s/40s/0s", "off", "1s/0s", "20s/40s/30s"} {
		m, err := simulate.ParsePodGCModel(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s: disabled=%v period=%v quarantine=%v offset=%v\n", s, m.Disabled, m.Period, m.Quarantine, m.Offset)
	}
	// Output:
	// 20s/40s/0s: disabled=false period=20s quarantine=40s offset=0s
	// off: disabled=true period=0s quarantine=0s offset=0s
	// 1s/0s: disabled=false period=1s quarantine=0s offset=0s
	// pod GC "20s/40s/30s": podGC.offset: Invalid value: "30s": must be >= 0 and < period
}
