package simulate

import (
	"context"
	"testing"

	"k8s.io/apimachinery/pkg/util/intstr"
)

func benchSample(b *testing.B, nodes, runs int) {
	s := sampleScenario(nodes, intstr.FromString("10%"), false)
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		res, err := Sample(context.Background(), s, runs)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Available.Reached) != runs {
			b.Fatalf("%d of %d runs finished", len(res.Available.Reached), runs)
		}
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N)/1e9, "cpu-s/op")
}

// BenchmarkSample5kx200: 200 rollouts of 5,000 nodes (maxUnavailable 10%,
// template startup with a readiness probe, random node order): issue #18
// asks for under 2 s on 2 cores.
func BenchmarkSample5kx200(b *testing.B) { benchSample(b, 5000, 200) }

// BenchmarkSample65kx20: 20 rollouts of 65,000 nodes, same scenario: under
// 5 s on 2 cores.
func BenchmarkSample65kx20(b *testing.B) { benchSample(b, 65000, 20) }
