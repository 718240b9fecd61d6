package main

import (
	"fmt"
	"runtime"
	"testing"
)

// TestOutputIsDeterministic: every command gives byte-identical output for
// the same inputs and seed, across runs and GOMAXPROCS values.
func TestOutputIsDeterministic(t *testing.T) {
	commands := [][]string{
		{"explain", "-f", manifests + "/kube-flannel.yaml", "--cluster", "mixed", "-o", "json"},
		{"explain", "-f", manifests + "/dcgm-exporter.yaml", "--cluster", "mixed"},
		{"lint", "-f", manifests + "/kube-flannel.yaml", "-o", "yaml"},
		{"preset", "calico-node"},
		{"rollout", "-f", "new.yaml", "--from", "old.yaml", "--cluster", "mixed", "--seed", "42", "--broken", "general-03", "-o", "json", "--plot", "p.svg"},
		{"rollout", "-f", "new.yaml", "--from", "old.yaml", "--cluster", "dev", "--event", "t=2s notready worker-0", "--startup-jitter", "4s", "--seed", "3"},
		{"rollout", "-f", "new.yaml", "--from", "old.yaml", "--cluster", "mixed", "--startup-model", "template", "--runs", "40", "--plot", "p.svg"},
		{"rollout", "-f", "new.yaml", "--from", "old.yaml", "--cluster", "dev", "--startup-model", "template", "--target", "3m", "--runs", "20", "-o", "json"},
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, args := range commands {
		var first, firstPlot string
		for i, procs := range []int{1, 4, 1, 2} {
			runtime.GOMAXPROCS(procs)
			f := newFakeEnv()
			f.files["old.yaml"] = []byte(fmt.Sprintf(smallDS, "1.0"))
			f.files["new.yaml"] = []byte(fmt.Sprintf(smallDS, "1.1"))
			code := f.run(args...)
			if code != 0 && code != 1 {
				t.Fatalf("%v: exit %d: %s", args, code, f.stderr.String())
			}
			out, plot := f.stdout.String(), string(f.written["p.svg"])
			if i == 0 {
				first, firstPlot = out, plot
				continue
			}
			if out != first || plot != firstPlot {
				t.Errorf("%v: output differs at GOMAXPROCS=%d (run %d)", args, procs, i)
			}
		}
	}
}
