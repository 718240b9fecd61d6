package simulate

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/intstr"
)

// cpuTime is the process's user+system CPU time: the benchmarks report it
// beside wall time because this machine's cores are shared.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchRollout(b *testing.B, s Scenario) {
	b.Helper()
	b.ReportAllocs()
	c0 := cpuTime()
	var rec int
	for b.Loop() {
		r := mustRollout(b, s)
		if !r.Summary.AllCurrentAndAvailable {
			b.Fatalf("rollout did not finish: %+v", r.Summary)
		}
		rec = r.Summary.Reconciles
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N)/1e9, "cpu-s/op")
	b.ReportMetric(float64(rec), "reconciles/op")
}

// BenchmarkRollout65k: 65,000 nodes, maxUnavailable 1: 65,000 waves of
// delete, create, Ready (issue #5: under 3 s and 1 GiB on one core).
func BenchmarkRollout65k(b *testing.B) {
	s := update(testCluster(65000), maxUnavailable(intstr.FromInt32(1)), 10*time.Second)
	benchRollout(b, s)
}

// BenchmarkRolloutCiliumSurge5k: a Cilium-like agent (hostNetwork) on 5,000
// nodes rolled with maxSurge 10%, minReadySeconds 5, startup 20-50 s.
func BenchmarkRolloutCiliumSurge5k(b *testing.B) {
	s := update(testCluster(5000), maxSurge(intstr.FromString("10%")), 20*time.Second)
	for _, d := range []*Scenario{&s} {
		d.From.Spec.Template.Spec.HostNetwork = true
		d.To.Spec.Template.Spec.HostNetwork = true
		d.From.Spec.MinReadySeconds, d.To.Spec.MinReadySeconds = 5, 5
	}
	s.Kubelet.StartupJitter = 30 * time.Second
	s.Order = Order{Kind: OrderRandom, Seed: 1}
	benchRollout(b, s)
}

// BenchmarkReconcileCost: the cost per reconcile of a maxUnavailable=1
// rollout must not grow with the cluster (only a few pods change per
// reconcile).
func BenchmarkReconcileCost(b *testing.B) {
	for _, n := range []int{1000, 10000, 65000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			s := update(testCluster(n), maxUnavailable(intstr.FromInt32(1)), 10*time.Second)
			var rec int
			var total time.Duration
			for b.Loop() {
				t0 := time.Now()
				r := mustRollout(b, s)
				total += time.Since(t0)
				rec += r.Summary.Reconciles
			}
			b.ReportMetric(float64(total.Nanoseconds())/float64(rec), "ns/reconcile")
		})
	}
}

// BenchmarkRolloutFromCreation: a DaemonSet created on 65,000 nodes
// (burstReplicas 250 per reconcile).
func BenchmarkRolloutFromCreation65k(b *testing.B) {
	s := Scenario{Cluster: testCluster(65000), To: rolloutDS("img:v1", nil), Kubelet: KubeletModel{Startup: 10 * time.Second}}
	benchRollout(b, s)
}
