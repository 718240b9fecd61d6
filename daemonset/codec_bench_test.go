package daemonset

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"

	"github.com/daemonkit/daemonkit/internal/dumpgen"
	"github.com/daemonkit/daemonkit/internal/memwatch"
)

// BenchmarkDecodeDump decodes realistic `kubectl get nodes|pods -o
// json|yaml` dumps, generated here: 5,000 and 65,000 nodes, 150,000 pods.
// It reports the peak heap (input included) as a multiple of the input.
//
//	go test ./daemonset -run '^$' -bench 'DecodeDump/nodes=5000' -benchtime 3x
func BenchmarkDecodeDump(b *testing.B) {
	for _, c := range []struct {
		what string
		n    int
	}{{"nodes", 5000}, {"nodes", 65000}, {"pods", 150000}} {
		for _, f := range []struct {
			name string
			f    dumpgen.Format
		}{{"json", dumpgen.JSON}, {"yaml", dumpgen.YAML}} {
			b.Run(fmt.Sprintf("%s=%d/%s", c.what, c.n, f.name), func(b *testing.B) {
				var buf bytes.Buffer
				var err error
				if c.what == "nodes" {
					err = dumpgen.WriteNodes(&buf, f.f, c.n)
				} else {
					err = dumpgen.WritePods(&buf, f.f, c.n, 5000)
				}
				if err != nil {
					b.Fatal(err)
				}
				// The input held as DecodeFile and os.ReadFile hold a file:
				// in a slice of its size, without the generator's slack.
				data := bytes.Clone(buf.Bytes())
				buf = bytes.Buffer{}
				runtime.GC() // the generator's garbage is not Decode's
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				var peak uint64
				for b.Loop() {
					stop := memwatch.Watch()
					objs, err := Decode("dump."+f.name, data)
					peak = max(peak, stop())
					if err != nil || len(objs.Nodes)+len(objs.Pods) != c.n {
						b.Fatalf("%v: %d nodes, %d pods", err, len(objs.Nodes), len(objs.Pods))
					}
				}
				b.ReportMetric(float64(peak)/float64(len(data)), "peak-heap/input")
				b.ReportMetric(float64(len(data))/(1<<20), "input-MiB")
			})
		}
	}
}
