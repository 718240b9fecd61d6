// Platform tests: hold your own DaemonSet policy to thousands of generated
// clusters with the exported generators of simulate/simtest. This program
// samples clusters and reports the first counterexample; policy_test.go
// states the same policy as a rapid property that `go test` shrinks to a
// minimal failing cluster.
//
//	go run ./examples/platform-tests
//	go test ./examples/platform-tests
package main

import (
	"fmt"
	"log"

	"github.com/daemonkit/daemonkit/builder"
	"github.com/daemonkit/daemonkit/simulate/simtest"
)

func main() {
	clusters := simtest.Cluster(1, 20)
	for _, agent := range []struct {
		name string
		b    *builder.DaemonSet
	}{{"fluent-bit as the chart ships it", chartDefaultAgent()}, {"our platform variant", platformAgent()}} {
		ds, err := agent.b.Build()
		if err != nil {
			log.Fatal(err)
		}
		const samples = 500
		failed := 0
		var first error
		for seed := 0; seed < samples; seed++ {
			if err := checkCoverage(ds, clusters.Example(seed)); err != nil {
				if first == nil {
					first = fmt.Errorf("cluster #%d: %w", seed, err)
				}
				failed++
			}
		}
		fmt.Printf("%s: %d of %d generated clusters break the policy\n", agent.name, failed, samples)
		if first != nil {
			fmt.Printf("  first: %v\n", first)
		}
	}
}
