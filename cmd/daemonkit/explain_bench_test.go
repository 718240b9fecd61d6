package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/daemonkit/daemonkit/internal/dumpgen"
	"github.com/daemonkit/daemonkit/internal/memwatch"
)

// BenchmarkExplainDump runs the whole `daemonkit explain -f flannel.yaml
// --nodes nodes.json [--nodes pods.json]` on realistic dumps generated here:
// 5,000 and 65,000 nodes, and 5,000 nodes with 150,000 pods. It reports the
// peak heap (input included) as a multiple of the input's size.
//
//	go test ./cmd/daemonkit -run '^$' -bench 'ExplainDump/nodes=5000/' -benchtime 3x
func BenchmarkExplainDump(b *testing.B) {
	manifest, err := os.ReadFile(filepath.Join("..", "..", "internal", "testdata", "manifests", "kube-flannel.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ nodes, pods int }{{5000, 0}, {65000, 0}, {5000, 150000}} {
		for _, f := range []struct {
			name string
			f    dumpgen.Format
		}{{"json", dumpgen.JSON}, {"yaml", dumpgen.YAML}} {
			name := fmt.Sprintf("nodes=%d/%s", c.nodes, f.name)
			if c.pods > 0 {
				name = fmt.Sprintf("nodes=%d,pods=%d/%s", c.nodes, c.pods, f.name)
			}
			b.Run(name, func(b *testing.B) {
				files := map[string][]byte{"flannel.yaml": manifest}
				var nodes, pods bytes.Buffer
				if err := dumpgen.WriteNodes(&nodes, f.f, c.nodes); err != nil {
					b.Fatal(err)
				}
				// held at exact size, as a file read would hold it
				files["nodes."+f.name] = bytes.Clone(nodes.Bytes())
				args := []string{"explain", "-f", "flannel.yaml", "--nodes", "nodes." + f.name}
				size := nodes.Len()
				if c.pods > 0 {
					if err := dumpgen.WritePods(&pods, f.f, c.pods, c.nodes); err != nil {
						b.Fatal(err)
					}
					files["pods."+f.name] = bytes.Clone(pods.Bytes())
					args = append(args, "--nodes", "pods."+f.name)
					size += pods.Len()
				}
				var stderr bytes.Buffer
				e := &env{stdin: bytes.NewReader(nil), stdout: io.Discard, stderr: &stderr,
					readFile: func(name string) ([]byte, error) {
						if b, ok := files[name]; ok {
							return b, nil
						}
						return nil, os.ErrNotExist
					},
					writeFile: func(string, []byte) error { return nil },
				}
				b.SetBytes(int64(size))
				nodes, pods = bytes.Buffer{}, bytes.Buffer{}
				// the generator's garbage is not the command's
				runtime.GC()
				var peak uint64
				for b.Loop() {
					stop := memwatch.Watch()
					code := run(e, args)
					peak = max(peak, stop())
					if code != 0 {
						b.Fatalf("exit %d: %s", code, stderr.String())
					}
				}
				b.ReportMetric(float64(peak)/float64(size), "peak-heap/input")
				b.ReportMetric(float64(size)/(1<<20), "input-MiB")
			})
		}
	}
}
