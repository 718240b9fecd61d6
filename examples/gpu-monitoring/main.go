// GPU monitoring: NVIDIA's published dcgm-exporter manifest carries no
// tolerations, so on a cluster whose GPU pool is tainted (as managed GPU
// pools are) it never reaches a single GPU node. This program explains that
// placement on the built-in mixed cluster, then puts daemonkit's
// dcgm-exporter preset next to it as a what-if: which nodes gain coverage,
// and why.
//
//	go run ./examples/gpu-monitoring
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/presets"
	"github.com/daemonkit/daemonkit/simulate"
)

func main() {
	// The upstream manifest as NVIDIA publishes it (kept in internal/testdata/manifests, the repository's corpus of real-world manifests).
	objs, err := daemonset.DecodeFile(manifest("dcgm-exporter.yaml"))
	if err != nil {
		log.Fatal(err)
	}
	upstream := objs.DaemonSets[0]

	preset, err := presets.DCGMExporter(presets.DCGMExporterOptions{}).Build()
	if err != nil {
		log.Fatal(err)
	}
	// Compare like with like: same name and namespace on both sides.
	upstream.Namespace, upstream.Name = preset.Namespace, preset.Name

	cluster, err := simulate.MixedCluster(1)
	if err != nil {
		log.Fatal(err)
	}
	before, err := simulate.Place(cluster, upstream)
	if err != nil {
		log.Fatal(err)
	}
	after, err := simulate.Place(cluster, preset)
	if err != nil {
		log.Fatal(err)
	}
	b, a := before.DaemonSets[0].Status(), after.DaemonSets[0].Status()
	fmt.Printf("upstream manifest: desired %d on %d nodes\n", b.DesiredNumberScheduled, cluster.NumNodes())
	fmt.Printf("daemonkit preset:  desired %d on %d nodes\n\n", a.DesiredNumberScheduled, cluster.NumNodes())

	// The what-if, grouped by the reason a node changes.
	d := simulate.Diff(before.DaemonSets[0], after.DaemonSets[0])
	fmt.Printf("the preset gains %d GPU node(s) and leaves %d node(s) without GPUs:\n", len(d.Gained()), len(d.Lost()))
	var order []string
	groups := map[string][]string{}
	for _, c := range d.Changes {
		key := string(c.Kind) + ": " + c.Why
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], c.Node)
	}
	for _, key := range order {
		nodes := groups[key]
		fmt.Printf("\n  %d node(s) %s\n    %s\n", len(nodes), key, strings.Join(nodes, ", "))
	}
}

// manifest finds a file of internal/testdata/manifests whether the program
// runs from the repository root or from its own folder.
func manifest(name string) string {
	_, self, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(self), "..", "..", "internal", "testdata", "manifests", name)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return filepath.Join("internal", "testdata", "manifests", name)
}
