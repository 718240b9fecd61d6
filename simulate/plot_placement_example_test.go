package simulate_test

import (
	"bytes"
	"fmt"
	"regexp"

	corev1 "k8s.io/api/core/v1"

	"github.com/daemonkit/daemonkit/simulate"
)

// WritePlacementSVG draws the cluster as a grid of nodes grouped by pool,
// coloured by what happens to the DaemonSet there; each node's reason is in
// its tooltip.
func ExampleWritePlacementSVG() {
	cluster, _ := simulate.BuildCluster(
		simulate.NewNodePool("general", 3).InstanceType("m5.xlarge").Allocatable("2", "8Gi", 110),
		simulate.NewNodePool("gpu", 2).InstanceType("p3.2xlarge").Taint("nvidia.com/gpu", "present", corev1.TaintEffectNoSchedule),
		simulate.NewNodePool("small", 1).InstanceType("t3.small").Allocatable("100m", "1Gi", 110),
	)
	p, _ := simulate.Place(cluster, exampleDaemonSet("node-exporter", "200m"))
	var svg bytes.Buffer
	if err := simulate.WritePlacementSVG(&svg, cluster, p, simulate.PlacementPlotOptions{}); err != nil {
		fmt.Println(err)
		return
	}
	// the pool headings, the tooltip of the small node, the legend
	for _, m := range regexp.MustCompile(`<g class="pool"><text[^>]*>([^<]*)<`).FindAllStringSubmatch(svg.String(), -1) {
		fmt.Println(m[1])
	}
	fmt.Println(regexp.MustCompile(`<title>(small-0[^<]*)</title>`).FindStringSubmatch(svg.String())[1])
	for _, m := range regexp.MustCompile(`<text x="\d+" y="\d+">([^<]*\(\d+\))</text>`).FindAllStringSubmatch(svg.String(), -1) {
		fmt.Println(m[1])
	}
	// Output:
	// node.kubernetes.io/instance-type=m5.xlarge · 3 nodes: 3 Runs
	// node.kubernetes.io/instance-type=p3.2xlarge · 2 nodes: 2 Excluded
	// node.kubernetes.io/instance-type=t3.small · 1 node: 1 Pending
	// small-0 (node.kubernetes.io/instance-type=t3.small)
	// Pending
	// needs 200m cpu, 100m free
	// Runs (3)
	// Pending (1)
	// Excluded (2)
}
