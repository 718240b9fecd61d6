package daemonset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daemonkit/daemonkit/internal/dumpgen"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"pgregory.net/rapid"
	sigsjson "sigs.k8s.io/json"
)

// asEntry makes a YAML document the one entry of a block sequence, as a
// List item is written under "items:".
func asEntry(doc string, col int) string {
	pad := strings.Repeat(" ", col)
	lines := strings.Split(strings.TrimSuffix(doc, "\n"), "\n")
	var b strings.Builder
	for i, l := range lines {
		switch {
		case i == 0:
			b.WriteString(pad + "- " + l)
		case l == "":
		default:
			b.WriteString(pad + "  " + l)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// failer is what the checks need of *testing.T and *rapid.T.
type failer interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// jsonValue decodes JSON text as generic values, numbers as written.
func jsonValue(t failer, j []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, j)
	}
	return v
}

// checkConversion: whatever blockYAMLToJSON converts, sigs.k8s.io/yaml
// converts to the same values. It reports whether the fast reader took it.
func checkConversion(t failer, entry []byte) bool {
	t.Helper()
	fast, ok := blockYAMLToJSON(nil, entry)
	if !ok {
		return false
	}
	lib, err := yamlToJSON(entry)
	if err != nil {
		t.Fatalf("blockYAMLToJSON took what sigs.k8s.io/yaml refuses (%v):\n%s\nfast: %s", err, entry, fast)
	}
	if diff := cmp.Diff(jsonValue(t, lib), jsonValue(t, fast)); diff != "" {
		t.Fatalf("blockYAMLToJSON differs from sigs.k8s.io/yaml (-yaml +fast):\n%s\ninput:\n%s", diff, entry)
	}
	// Dropping a node's images leaves out only what decodes strictly as them.
	dropping, dropped, ok := blockYAMLToJSONDropping(nil, entry, true)
	if !ok {
		t.Fatalf("blockYAMLToJSONDropping refuses what blockYAMLToJSON takes:\n%s", entry)
	}
	want := jsonValue(t, lib)
	if dropped {
		status := want.([]any)[0].(map[string]any)["status"].(map[string]any)
		images, err := json.Marshal(status["images"])
		if err != nil {
			t.Fatal(err)
		}
		var typed []corev1.ContainerImage
		if strict, err := sigsjson.UnmarshalStrict(images, &typed, sigsjson.DisallowDuplicateFields, sigsjson.DisallowUnknownFields); err != nil || len(strict) > 0 {
			t.Fatalf("dropped status.images that a Node does not decode (%v, %v):\n%s", err, strict, entry)
		}
		delete(status, "images")
	}
	if diff := cmp.Diff(want, jsonValue(t, dropping)); diff != "" {
		t.Fatalf("blockYAMLToJSONDropping differs from sigs.k8s.io/yaml (-yaml +fast):\n%s\ninput:\n%s", diff, entry)
	}
	return true
}

// decodeBothReaders decodes in with List items read by blockYAMLToJSON and
// by sigs.k8s.io/yaml alone, rendering everything decoded (whole objects,
// their sources) and every error.
func decodeBothReaders(t failer, in []byte) (fast, lib string) {
	render := func() string {
		objs, err := Decode("in", in)
		var b strings.Builder
		put := func(kind string, obj any) {
			j, jerr := json.Marshal(obj)
			if jerr != nil {
				t.Fatal(jerr)
			}
			src, _ := objs.SourceOf(obj)
			fmt.Fprintf(&b, "%s from %s: %s\n", kind, src, j)
		}
		for _, x := range objs.DaemonSets {
			put("DaemonSet", x)
		}
		for _, x := range objs.Nodes {
			put("Node", x)
		}
		for _, x := range objs.Pods {
			put("Pod", x)
		}
		for _, x := range objs.Others {
			j, _ := json.Marshal(x.Object)
			fmt.Fprintf(&b, "other %s %s %s/%s from %s: %s\n", x.APIVersion, x.Kind, x.Namespace, x.Name, x.Source, j)
		}
		for _, w := range objs.Warnings {
			fmt.Fprintf(&b, "warning: %s\n", w)
		}
		if err != nil {
			fmt.Fprintf(&b, "error:\n%s\n", err)
		}
		return b.String()
	}
	fast = render()
	convertYAMLItemsWithLibrary = true
	defer func() { convertYAMLItemsWithLibrary = false }()
	return fast, render()
}

// Every item of kubectl's YAML (nodes of each provider, pods) takes the
// fast reader, with sigs.k8s.io/yaml's values, and decodes to the same
// objects.
func TestBlockYAMLToJSONKubectlDumps(t *testing.T) {
	for _, what := range []string{"nodes", "pods"} {
		var buf bytes.Buffer
		var err error
		if what == "nodes" {
			err = dumpgen.WriteNodes(&buf, dumpgen.YAML, 60)
		} else {
			err = dumpgen.WritePods(&buf, dumpgen.YAML, 60, 20)
		}
		if err != nil {
			t.Fatal(err)
		}
		docs := splitDocuments(buf.Bytes())
		if len(docs) != 1 {
			t.Fatalf("%s: %d documents", what, len(docs))
		}
		_, items, ok := splitYAMLList(docs[0])
		if !ok || len(items) != 60 {
			t.Fatalf("%s: not cut into 60 items", what)
		}
		for k, it := range items {
			if !checkConversion(t, it.doc.data) {
				t.Fatalf("%s: item %d does not take the fast reader:\n%s", what, k, it.doc.data)
			}
			if _, dropped, _ := blockYAMLToJSONDropping(nil, it.doc.data, true); dropped != (what == "nodes") {
				t.Fatalf("%s: item %d: images dropped %v", what, k, dropped)
			}
		}
		fast, lib := decodeBothReaders(t, buf.Bytes())
		if diff := cmp.Diff(lib, fast); diff != "" {
			t.Errorf("%s: decoded objects differ (-yaml +fast):\n%s", what, diff)
		}
	}
}

// The documents of the repository's real-world manifests, as List items.
func TestBlockYAMLToJSONManifests(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(manifestsDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	taken, all := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var list strings.Builder
		list.WriteString("apiVersion: v1\nkind: List\nitems:\n")
		for _, doc := range splitDocuments(data) {
			for _, col := range []int{0, 2} {
				all++
				if checkConversion(t, []byte(asEntry(string(doc.data), col))) {
					taken++
				}
			}
			list.WriteString(asEntry(string(doc.data), 0))
		}
		fast, lib := decodeBothReaders(t, []byte(list.String()))
		if diff := cmp.Diff(lib, fast); diff != "" {
			t.Errorf("%s as a List: decoded objects differ (-yaml +fast):\n%s", f, diff)
		}
	}
	t.Logf("the fast reader took %d of %d documents", taken, all)
}

// Scalars and shapes where YAML 1.1 as go.yaml.in/yaml/v2 reads it is
// easy to get wrong: the fast reader either reads them as it does or
// leaves them to it.
var yamlConversionCases = []string{
	"a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: n\ng: True\nh: ~\ni: null\nj: NULL\nk: nulls\nl: Yes!\n",
	"a: 0\nb: -0\nc: 007\nd: 0x1F\ne: 1_000\nf: 1e3\ng: 1.5\nh: .5\ni: .inf\nj: -.Inf\nk: .nan\nl: +5\nm: -12\nn: 123456789012345678\no: 1234567890123456789\np: 12345678901234567890123\nq: 0b101\nr: -0b11\ns: 0o17\nt: 08\nu: 1.2.3\nv: 10.0.0.1\nw: 2001-12-14\nx: 2001-12-14t21:59:43.10-05:00\ny: +\nz: -\n",
	"a: '123'\nb: 'it''s'\nc: \"x\\ty\\u00e9\\x41\\U0001F600\\N\\_\\L\\P\\0\\e\\'\\\\\\\"\"\nd: \"\\ud800\"\ne: \"\\q\"\nf: ''\ng: \"\"\n",
	"a: |\n  one\n  two\nb: |-\n  one\n\n  two\n\nc: |+\n  keep\n\nd: x\n",
	"a: |\n\n  after a blank\nb: |2\n    indented\nc: >\n  folded\n  text\n",
	"a: |\n    deeper\n   less\n",
	"a:\n- 1\n- - 2\nb: c\n",
	"a:\n  - x\n  -\n    y: z\n  - {}\n  - []\nb: {}\n",
	"a: b # comment\nc: d#e\n# full\nf: g\n",
	"a: b: c\n",
	"a: b:\n",
	"a: 'x' # c\n",
	"'quoted key': 1\n\"dq key\": 2\nplain key: 3\n",
	"a: 1\na: 2\n",
	"a: 1\n'a': 2\n",
	"1: one\ntrue: t\nnull: n\n",
	"<<: {a: 1}\n",
	"a: &x 1\nb: *x\n",
	"a: !!str 1\n",
	"a: [1, 2]\nb: {c: d}\n",
	"a: long plain\n  continued\n",
	"a: \"double\n  folded\"\n",
	"a: 'single\n  folded'\n",
	"? complex\n: value\n",
	"a:\tb\n",
	"a: b\r\nc: d\r\n",
	"a: \u00e9t\u00e9\nb: \u2028\nc: \ufeff\n",
	"a: %x\nb: @x\nc: `x`\n",
	"a:\n  b:\n    c:\n      d: e\n  f: g\n",
	"a:\n b: 1\n  c: 2\n",
	"a:\n  b: 1\n c: 2\n",
	"-a: 1\n:b: 2\n",
	"a: -x\nb: ?x\nc: :x\n",
	"a: ::1\nb: 2600:1f18::1\n",
	"a: <b>&c</b>\n",
	"",
	"just a scalar\n",
}

// Objects with status.images of every shape: only a Node's images that it
// decodes strictly may be left out, and Decode reports the rest as before.
var imagesCases = []string{
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images:\n  - names:\n    - x\n    - null\n    sizeBytes: 5\n  - null\n  - {}\n  - names: null\n    sizeBytes: null\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images: []\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images:\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images: {}\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images:\n  - names: [x]\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images:\n  - names:\n    - 5\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images:\n  - names:\n    - true\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images:\n  - sizeBytes: '5'\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images:\n  - sizeBytes: 1.5\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images:\n  - sizeBytes: 99999999999999999999\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images:\n  - size: 5\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images:\n  - Names:\n    - x\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images:\n  - names:\n    - x\n    names:\n    - y\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images: []\n  images: []\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images: []\n  capacity:\n    cpu: \"4\"\n  'images': []\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images: []\n  bogus: 1\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images: []\nstatus: {}\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nstatus:\n  images: []\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nstatus:\n  images: []\n",
	"apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: d\nstatus:\n  images: []\n",
	"apiVersion: v2\nkind: Node\nmetadata:\n  name: a\nstatus:\n  images: []\n",
	"metadata:\n  name: a\nstatus:\n  images: []\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nspec:\n  images: []\nstatus:\n  nodeInfo:\n    images: []\n",
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nstatus:\n- images: []\n",
}

func TestBlockYAMLToJSONImages(t *testing.T) {
	for i, c := range imagesCases {
		for _, list := range []string{"List", "NodeList", "PodList"} {
			t.Run(fmt.Sprint(i, "/", list), func(t *testing.T) {
				entry := asEntry(c, 0)
				checkConversion(t, []byte(entry))
				in := "apiVersion: v1\nkind: " + list + "\nitems:\n" + entry + entry
				fast, lib := decodeBothReaders(t, []byte(in))
				if diff := cmp.Diff(lib, fast); diff != "" {
					t.Errorf("decoded objects differ (-yaml +fast):\n%s\ninput:\n%s", diff, in)
				}
			})
		}
	}
}

func TestBlockYAMLToJSONCases(t *testing.T) {
	for i, c := range yamlConversionCases {
		for _, col := range []int{0, 2} {
			t.Run(fmt.Sprint(i, "/", col), func(t *testing.T) {
				checkConversion(t, []byte(asEntry(c, col)))
				list := "apiVersion: v1\nkind: List\nitems:\n" + asEntry("apiVersion: v1\nkind: Node\nmetadata:\n  name: n\n  annotations:\n"+
					strings.ReplaceAll(indentLines(c, "    "), "\n    \n", "\n\n"), col)
				fast, lib := decodeBothReaders(t, []byte(list))
				if diff := cmp.Diff(lib, fast); diff != "" {
					t.Errorf("decoded objects differ (-yaml +fast):\n%s\ninput:\n%s", diff, list)
				}
			})
		}
	}
}

func indentLines(s, pad string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString(pad + l)
		}
	}
	return b.String()
}

// yamlPieceGen draws documents of YAML pieces, the tricky ones often.
func yamlDocGen() *rapid.Generator[string] {
	scalar := rapid.SampledFrom([]string{
		"a", "b c", "yes", "no", "On", "null", "~", "0", "-0", "7", "-42", "007", "0x10", "1e3", "1.5", ".5", "1_0",
		"10.0.0.1", "2024-01-02", "'q'", "'it''s'", "\"d\\n\"", "\"\\u00e9\"", "\"x\"", "{}", "[]", "[1]", "{a: b}",
		"&a x", "*a", "!!str 5", "x # c", "x:y", "x: y", "-x", "- x", "|", "|-", "|+", ">", "\u00e9", "\"", "'", "http://h:1/p",
		"123456789012345678", "9999999999999999999", "+1", ".inf", "-.inf", "0b1", "0o7", "a\tb", "Y", "n",
	})
	key := rapid.SampledFrom([]string{"apiVersion", "kind", "metadata", "name", "labels", "a", "b", "'a'", "\"b\"", "1", "yes", "<<", "? a", "-k", "k k",
		"names", "sizeBytes", "images"})
	var node func(t *rapid.T, depth, col int) string
	node = func(t *rapid.T, depth, col int) string {
		pad := strings.Repeat(" ", col)
		var b strings.Builder
		n := rapid.IntRange(1, 4).Draw(t, "n")
		seq := rapid.Bool().Draw(t, "seq")
		for range n {
			if seq {
				b.WriteString(pad + "-")
			} else {
				b.WriteString(pad + key.Draw(t, "key") + ":")
			}
			switch kind := rapid.IntRange(0, 5).Draw(t, "kind"); {
			case kind <= 2 || depth > 3:
				v := scalar.Draw(t, "scalar")
				b.WriteString(" " + v + "\n")
				if v[0] == '|' || v[0] == '>' {
					for range rapid.IntRange(0, 3).Draw(t, "lines") {
						b.WriteString(strings.Repeat(" ", col+rapid.IntRange(0, 4).Draw(t, "ind")) + scalar.Draw(t, "text") + "\n")
					}
				}
			case kind == 3:
				b.WriteString("\n" + node(t, depth+1, col+rapid.SampledFrom([]int{0, 1, 2, 4}).Draw(t, "step")))
			default:
				b.WriteString("\n" + node(t, depth+1, col+2))
			}
			if rapid.IntRange(0, 9).Draw(t, "blank") == 0 {
				b.WriteString(rapid.SampledFrom([]string{"\n", "  \n", "# c\n"}).Draw(t, "filler"))
			}
		}
		return b.String()
	}
	return rapid.Custom(func(t *rapid.T) string { return node(t, 0, 0) })
}

// On generated documents, the fast reader agrees with sigs.k8s.io/yaml
// whenever it reads them, and Decode gives the same objects and errors
// both ways.
func TestBlockYAMLToJSONProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		doc := yamlDocGen().Draw(t, "doc")
		col := rapid.SampledFrom([]int{0, 2}).Draw(t, "col")
		checkConversion(t, []byte(asEntry(doc, col)))
		node := "apiVersion: v1\nkind: Node\nmetadata:\n  name: n\n  annotations:\n" + indentLines(doc, "    ")
		images := "apiVersion: v1\nkind: Node\nmetadata:\n  name: n\nstatus:\n  images:\n" + indentLines(doc, "  ")
		checkConversion(t, []byte(asEntry(images, col)))
		list := "apiVersion: v1\nkind: List\nitems:\n" + asEntry(node, col) + asEntry(doc, col) + asEntry(images, col)
		fast, lib := decodeBothReaders(t, []byte(list))
		if fast != lib {
			t.Fatalf("decoded objects differ (-yaml +fast):\n%s\ninput:\n%s", cmp.Diff(lib, fast), list)
		}
	})
}

// Whatever bytes the fast reader reads, it reads as sigs.k8s.io/yaml does.
func FuzzBlockYAMLToJSON(f *testing.F) {
	for _, c := range append(yamlConversionCases, imagesCases...) {
		f.Add([]byte(asEntry(c, 0)))
	}
	var buf bytes.Buffer
	if err := dumpgen.WriteNodes(&buf, dumpgen.YAML, 1); err == nil {
		if docs := splitDocuments(buf.Bytes()); len(docs) == 1 {
			if _, items, ok := splitYAMLList(docs[0]); ok {
				f.Add(items[0].doc.data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkConversion(t, data)
	})
}

// DecodeFile reads a file as DecodeReader reads its bytes, and names the
// file when it cannot be read.
func TestDecodeFileAsReader(t *testing.T) {
	path := filepath.Join(manifestsDir, "kube-flannel.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fromFile, errFile := DecodeFile(path)
	fromReader, errReader := DecodeReader(path, bytes.NewReader(data))
	if diff := cmp.Diff(summarize(fromReader, errReader), summarize(fromFile, errFile)); diff != "" {
		t.Errorf("DecodeFile differs from DecodeReader (-reader +file):\n%s", diff)
	}
	if _, err := DecodeFile(manifestsDir); err == nil || !strings.HasPrefix(err.Error(), manifestsDir+": ") {
		t.Errorf("DecodeFile of a directory: %v, want an error naming it", err)
	}
}
