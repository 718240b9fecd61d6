package dumpgen

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// go test ./internal/dumpgen -run TestWriteDumps -dumpgen.dir /tmp -dumpgen.nodes 5000 -dumpgen.pods 0
// writes nodes-5000.json and nodes-5000.yaml (and pods-N.json, .yaml) there.
var (
	dir   = flag.String("dumpgen.dir", "", "write dumps into this directory")
	nodes = flag.Int("dumpgen.nodes", 5000, "nodes in the written dumps")
	pods  = flag.Int("dumpgen.pods", 0, "pods in the written dumps (0: none)")
)

func TestWriteDumps(t *testing.T) {
	if *dir == "" {
		t.Skip("give -dumpgen.dir to write dumps")
	}
	write := func(name string, f func(*os.File) error) {
		out, err := os.Create(filepath.Join(*dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := f(out); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for ext, f := range map[string]Format{"json": JSON, "yaml": YAML} {
		write(fmt.Sprintf("nodes-%d.%s", *nodes, ext), func(o *os.File) error { return WriteNodes(o, f, *nodes) })
		if *pods > 0 {
			write(fmt.Sprintf("pods-%d.%s", *pods, ext), func(o *os.File) error { return WritePods(o, f, *pods, *nodes) })
		}
	}
}

// The dumps are what kubectl prints: a List whose items read back as the
// objects written, in JSON and YAML alike.
func TestDumpsReadBack(t *testing.T) {
	type list struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Items      []json.RawMessage `json:"items"`
	}
	for _, f := range []Format{JSON, YAML} {
		var b bytes.Buffer
		if err := WriteNodes(&b, f, 7); err != nil {
			t.Fatal(err)
		}
		data := b.Bytes()
		if f == YAML {
			var err error
			if data, err = yaml.YAMLToJSONStrict(data); err != nil {
				t.Fatalf("YAML: %v", err)
			}
		}
		var l list
		if err := json.Unmarshal(data, &l); err != nil {
			t.Fatal(err)
		}
		if l.Kind != "List" || len(l.Items) != 7 {
			t.Fatalf("format %d: got %s with %d items", f, l.Kind, len(l.Items))
		}
		var n corev1.Node
		if err := json.Unmarshal(l.Items[4], &n); err != nil {
			t.Fatal(err)
		}
		if n.Name != NodeName(4) || len(n.Status.Images) != 40 || len(n.Status.Conditions) != 4 {
			t.Errorf("format %d: item 4 is %s with %d images, %d conditions", f, n.Name, len(n.Status.Images), len(n.Status.Conditions))
		}
	}
	var b bytes.Buffer
	if err := WritePods(&b, JSON, 3, 2); err != nil {
		t.Fatal(err)
	}
	var l list
	if err := json.Unmarshal(b.Bytes(), &l); err != nil || len(l.Items) != 3 {
		t.Fatalf("pods: %v, %d items", err, len(l.Items))
	}
}

// Pod names are unique, as in a real cluster.
func TestPodNamesUnique(t *testing.T) {
	seen := map[string]int{}
	for i := range 200_000 {
		p := Pod(i, 5000)
		key := p.Namespace + "/" + p.Name
		if j, dup := seen[key]; dup {
			t.Fatalf("pods %d and %d are both %s", j, i, key)
		}
		seen[key] = i
	}
}
