package daemonset

import (
	"errors"
	"fmt"
	"github.com/daemonkit/daemonkit/internal/goldentest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// manifestsDir is the repository's corpus of real-world manifests.
const manifestsDir = "../internal/testdata/manifests"

// summarize renders what Decode found, for golden files.
func summarize(objs *Objects, err error) string {
	var b strings.Builder
	for _, ds := range objs.DaemonSets {
		src, _ := objs.SourceOf(ds)
		fmt.Fprintf(&b, "DaemonSet %s/%s from %s: %d containers, %d tolerations\n", ds.Namespace, ds.Name, src,
			len(ds.Spec.Template.Spec.Containers), len(ds.Spec.Template.Spec.Tolerations))
	}
	for _, n := range objs.Nodes {
		src, _ := objs.SourceOf(n)
		fmt.Fprintf(&b, "Node %s from %s: %d labels, %d taints\n", n.Name, src, len(n.Labels), len(n.Spec.Taints))
	}
	for _, p := range objs.Pods {
		src, _ := objs.SourceOf(p)
		fmt.Fprintf(&b, "Pod %s/%s from %s\n", p.Namespace, p.Name, src)
	}
	for _, o := range objs.Others {
		fmt.Fprintf(&b, "other %s %s %s/%s from %s\n", o.APIVersion, o.Kind, o.Namespace, o.Name, o.Source)
	}
	for _, w := range objs.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	if err != nil {
		fmt.Fprintf(&b, "error:\n%s\n", err)
	}
	return b.String()
}

func TestDecodeSharedManifests(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(manifestsDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", manifestsDir, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			objs, err := DecodeFile(f)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if len(objs.DaemonSets) != 1 {
				t.Fatalf("want one DaemonSet, got %d", len(objs.DaemonSets))
			}
			got := strings.ReplaceAll(summarize(objs, err), manifestsDir+"/", "")
			goldentest.Check(t, "codec/"+strings.TrimSuffix(filepath.Base(f), ".yaml")+".summary", got)
		})
	}
}

func TestDecodeFlannelKeepsOtherKindsAndWarnsOnRemovedAPI(t *testing.T) {
	objs, err := DecodeFile(filepath.Join(manifestsDir, "kube-flannel.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, o := range objs.Others {
		kinds[o.Kind] = true
	}
	for _, k := range []string{"PodSecurityPolicy", "ClusterRole", "ClusterRoleBinding", "ServiceAccount", "ConfigMap"} {
		if !kinds[k] {
			t.Errorf("missing other kind %s", k)
		}
	}
	if len(objs.Warnings) != 1 || !strings.Contains(objs.Warnings[0].Message, "PodSecurityPolicy") {
		t.Errorf("want one PodSecurityPolicy warning, got %v", objs.Warnings)
	}
}

func TestDecodeForms(t *testing.T) {
	const ds = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: a, image: "busybox:1.36"}]
`
	const node = `apiVersion: v1
kind: Node
metadata: {name: n1, labels: {kubernetes.io/os: linux}}
spec:
  taints: [{key: gpu, value: "true", effect: NoSchedule}]
status:
  allocatable: {cpu: "4", memory: 16Gi, pods: "110"}
`
	tests := []struct {
		name                  string
		in                    string
		wantDS, wantN, wantPo int
		wantOthers            int
	}{
		{name: "single DaemonSet", in: ds, wantDS: 1},
		{name: "leading marker and comments", in: "# header\n---\n" + ds + "---\n# trailing comment only\n", wantDS: 1},
		{name: "stream of DaemonSet and nodes", in: ds + "---\n" + node + "---\n" + strings.Replace(node, "n1", "n2", 1), wantDS: 1, wantN: 2},
		{name: "kubectl List of nodes", in: "apiVersion: v1\nkind: List\nitems:\n- " + indent(node) + "- " + indent(strings.Replace(node, "n1", "n2", 1)), wantN: 2},
		{name: "NodeList items without kind", in: "apiVersion: v1\nkind: NodeList\nitems:\n- metadata: {name: a}\n- metadata: {name: b}\n", wantN: 2},
		{name: "PodList", in: "apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: p, namespace: d}\n  spec: {nodeName: n1, containers: [{name: c, image: x}]}\n", wantPo: 1},
		{name: "empty List", in: "apiVersion: v1\nkind: List\nitems: []\n"},
		{name: "other kinds kept", in: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\n" + ds, wantDS: 1, wantOthers: 1},
		{name: "JSON object", in: `{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}}`, wantN: 1},
		{name: "JSON stream", in: `{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}}` + "\n" + `{"apiVersion":"v1","kind":"Node","metadata":{"name":"n2"}}`, wantN: 2},
		{name: "empty input", in: ""},
		{name: "only comments", in: "# nothing\n---\n# here\n"},
		{name: "CRLF line ends", in: strings.ReplaceAll(ds, "\n", "\r\n"), wantDS: 1},
		{name: "document end marker", in: ds + "...\n", wantDS: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			objs, err := Decode("in.yaml", []byte(tc.in))
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if len(objs.DaemonSets) != tc.wantDS || len(objs.Nodes) != tc.wantN || len(objs.Pods) != tc.wantPo || len(objs.Others) != tc.wantOthers {
				t.Errorf("got %d DaemonSets, %d nodes, %d pods, %d others; want %d, %d, %d, %d",
					len(objs.DaemonSets), len(objs.Nodes), len(objs.Pods), len(objs.Others), tc.wantDS, tc.wantN, tc.wantPo, tc.wantOthers)
			}
		})
	}
}

func indent(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i := 1; i < len(lines); i++ {
		lines[i] = "  " + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}

func TestDecodeErrors(t *testing.T) {
	const head = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\n"
	tests := []struct {
		name string
		in   string
		want []string // one rendered error per entry
	}{
		{name: "unknown field with line and path",
			in:   head + "spec:\n  template:\n    spec:\n      containers:\n      - name: a\n        imagee: x\n",
			want: []string{`in.yaml: document 1, line 9: spec.template.spec.containers[0].imagee: unknown field "imagee" (check the spelling and indentation; Container has no field "imagee")`}},
		{name: "all problems at once",
			in: head + "spec:\n  minReadySeconds: ten\n  revisionHistoryLimit: 1.5\n  foo: 1\n",
			want: []string{
				`in.yaml: document 1, line 7: spec.foo: unknown field "foo" (check the spelling and indentation; DaemonSetSpec has no field "foo")`,
				`in.yaml: document 1, line 5: spec.minReadySeconds: got a string, expected an integer`,
				`in.yaml: document 1, line 6: spec.revisionHistoryLimit: 1.5 is not a 32-bit integer`,
			}},
		{name: "label value of wrong type",
			in:   "apiVersion: v1\nkind: Node\nmetadata:\n  name: node-a\n  labels:\n    gpu: true\n",
			want: []string{`in.yaml: document 1, line 6: metadata.labels[gpu]: got a boolean, expected a string (quote the value)`}},
		{name: "bad quantity",
			in:   "apiVersion: v1\nkind: Node\nmetadata: {name: node-a}\nstatus:\n  allocatable:\n    cpu: lots\n",
			want: []string{`in.yaml: document 1, line 6: status.allocatable[cpu]: invalid Quantity: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (a quantity is a number with an optional suffix, e.g. "100m", "128Mi", "2")`}},
		{name: "extensions/v1beta1 DaemonSet",
			in:   "---\napiVersion: extensions/v1beta1\nkind: DaemonSet\nmetadata: {name: old}\n",
			want: []string{`in.yaml: document 1, line 2: apiVersion: DaemonSet in extensions/v1beta1 is no longer served (removed in Kubernetes v1.16) (change apiVersion to apps/v1 and make sure spec.selector matches spec.template.metadata.labels (apps/v1 requires a selector))`}},
		{name: "apps/v1beta2 DaemonSet in second document",
			in:   "apiVersion: v1\nkind: Node\nmetadata: {name: node-a}\n---\napiVersion: apps/v1beta2\nkind: DaemonSet\nmetadata: {name: old}\n",
			want: []string{`in.yaml: document 2, line 5: apiVersion: DaemonSet in apps/v1beta2 is no longer served (removed in Kubernetes v1.16) (change apiVersion to apps/v1 and make sure spec.selector matches spec.template.metadata.labels (apps/v1 requires a selector))`}},
		{name: "missing kind",
			in:   "apiVersion: v1\nmetadata: {name: node-a}\n",
			want: []string{`in.yaml: document 1, line 1: kind: kind is missing (every object needs kind, e.g. DaemonSet or Node)`}},
		{name: "scalar document",
			in:   "hello\n",
			want: []string{`in.yaml: document 1, line 1: document is a string, expected a Kubernetes object (a mapping with apiVersion and kind)`}},
		{name: "syntax error with absolute line",
			in:   "apiVersion: v1\nkind: Node\nmetadata: {name: node-a}\n---\napiVersion: v1\nkind: Node\n  bad: indent\n",
			want: []string{`in.yaml: document 2, line 7: not valid YAML or JSON: mapping values are not allowed in this context (check indentation and quoting)`}},
		{name: "duplicate key",
			in:   "apiVersion: v1\nkind: Node\nkind: Node\n",
			want: []string{`in.yaml: document 1, line 3: not valid YAML or JSON: key "kind" already set in map (check indentation and quoting)`}},
		{name: "YAML 1.1 boolean where a string belongs, as kubectl sends it",
			in:   "apiVersion: v1\nkind: Node\nmetadata: {name: n}\n",
			want: []string{`in.yaml: document 1, line 3: metadata.name: got a boolean, expected a string (quote the value)`}},
		{name: "item of a list placed",
			in:   "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Node\n  metadata: {name: b, labelz: {}}\n",
			want: []string{`in.yaml: document 1, line 9: items[1].metadata.labelz: unknown field "labelz" (check the spelling and indentation; ObjectMeta has no field "labelz")`}},
		{name: "Node of wrong version",
			in:   "apiVersion: v2\nkind: Node\nmetadata: {name: node-a}\n",
			want: []string{`in.yaml: document 1, line 1: apiVersion: unknown apiVersion "v2" for Node (use apiVersion: v1)`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode("in.yaml", []byte(tc.in))
			var errs DecodeErrors
			if !errors.As(err, &errs) {
				t.Fatalf("want DecodeErrors, got %v", err)
			}
			if len(errs) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(tc.want), err)
			}
			for i, e := range errs {
				if !strings.HasPrefix(e.Error(), tc.want[i]) {
					t.Errorf("error %d:\n got: %s\nwant: %s", i, e, tc.want[i])
				}
			}
		})
	}
}

func TestDecodeKeepsGoodDocumentsBesideBadOnes(t *testing.T) {
	in := "apiVersion: v1\nkind: Node\nmetadata: {name: good}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: bad, x: 1}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: good2}\n"
	objs, err := Decode("in.yaml", []byte(in))
	if err == nil {
		t.Fatal("want an error for the bad document")
	}
	if len(objs.Nodes) != 2 || objs.Nodes[0].Name != "good" || objs.Nodes[1].Name != "good2" {
		t.Errorf("good documents lost: %v", objs.Nodes)
	}
}

func TestDecodeBounds(t *testing.T) {
	t.Run("deep nesting", func(t *testing.T) {
		in := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: " + strings.Repeat("[", MaxDepth+5) + strings.Repeat("]", MaxDepth+5) + "\n"
		_, err := Decode("deep.yaml", []byte(in))
		if err == nil || !strings.Contains(err.Error(), "nested") {
			t.Errorf("want a nesting error, got %v", err)
		}
	})
	t.Run("alias bomb", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
		for i := 1; i < 12; i++ {
			fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
		}
		_, err := Decode("bomb.yaml", []byte(b.String()))
		if err == nil || !strings.Contains(err.Error(), "aliasing") {
			t.Errorf("want an aliasing error, got %v", err)
		}
	})
	t.Run("document too large to read whole", func(t *testing.T) {
		_, err := Decode("big.yaml", make([]byte, MaxDocumentBytes+1))
		if err == nil || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("want a size error, got %v", err)
		}
	})
}

func TestEncodeYAMLKubectlStyle(t *testing.T) {
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "kube-system"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "agent"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "a", Image: "busybox:1.36"}}},
			},
		},
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cfg"}, Data: map[string]string{"a": "b"}}
	out, err := EncodeYAML(ds, cm)
	if err != nil {
		t.Fatal(err)
	}
	goldentest.Check(t, "codec/encode.yaml", string(out))
	s := string(out)
	for _, noise := range []string{"status:", "creationTimestamp"} {
		if strings.Contains(s, noise) {
			t.Errorf("output has %q noise:\n%s", noise, s)
		}
	}
	if !strings.HasPrefix(s, "apiVersion: apps/v1\nkind: DaemonSet\n") || !strings.Contains(s, "---\napiVersion: v1\nkind: ConfigMap\n") {
		t.Errorf("apiVersion and kind must come first:\n%s", s)
	}
	// Round trip: what we write, we read back unchanged.
	back, err := Decode("out.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	ds.APIVersion, ds.Kind = "apps/v1", "DaemonSet"
	if diff := cmp.Diff(ds, back.DaemonSets[0]); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestEncodeYAMLKeepsNonZeroStatus(t *testing.T) {
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "a"}, Status: appsv1.DaemonSetStatus{DesiredNumberScheduled: 3}}
	out, err := EncodeYAML(ds)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "desiredNumberScheduled: 3") {
		t.Errorf("status lost:\n%s", out)
	}
}

func FuzzDecode(f *testing.F) {
	for _, file := range seedFiles() {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Node, metadata: {name: a}}\n"))
	f.Add([]byte(`{"apiVersion":"v1","kind":"Node"}{"a":`))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: infra, labels: {team: infra}}}\n"))
	f.Add([]byte("apiVersion: v1\nkind: NamespaceList\nitems:\n- metadata: {name: a}\n  status: {phase: Active}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("--- !!binary\n...\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := Decode("fuzz", data)
		if objs == nil {
			t.Fatal("Decode returned nil Objects")
		}
		if err != nil {
			var errs DecodeErrors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error is not a non-empty DecodeErrors: %v", err)
			}
		}
		// What decodes must encode and decode back to the same objects.
		for _, ds := range objs.DaemonSets {
			out, err := EncodeYAML(ds)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			back, err := Decode("again", out)
			if err != nil || len(back.DaemonSets) != 1 {
				t.Fatalf("re-decode of encoded DaemonSet failed: %v\n%s", err, out)
			}
		}
	})
}

func BenchmarkDecodeNodeList(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("apiVersion: v1\nkind: List\nitems:\n")
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&sb, "- apiVersion: v1\n  kind: Node\n  metadata:\n    name: node-%04d\n    labels: {kubernetes.io/os: linux, topology.kubernetes.io/zone: z%d}\n  spec:\n    taints: [{key: dedicated, value: gpu, effect: NoSchedule}]\n  status:\n    allocatable: {cpu: \"8\", memory: 32Gi, pods: \"110\"}\n", i, i%3)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		objs, err := Decode("nodes.yaml", data)
		if err != nil || len(objs.Nodes) != 1000 {
			b.Fatal(err)
		}
	}
}

func TestDecodeRefusesHugeListsBeforeParsing(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: List\nitems:\n")
	for i := 0; i < MaxListItems+1; i++ {
		fmt.Fprintf(&b, "- {kind: Node, apiVersion: v1, metadata: {name: n%d}}\n", i)
	}
	objs, err := Decode("million.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "the list holds 200001 items, more than 200000") {
		t.Fatalf("want a list-size error, got %v", err)
	}
	if len(objs.Nodes) != 0 {
		t.Errorf("decoded %d nodes of a refused list", len(objs.Nodes))
	}
}

// Decode keeps v1 Namespaces (as `kubectl get ns -o yaml` lists them,
// alone or in a List), with their sources; a kind of that name in another
// group stays among Others, and a mistyped field is an error with its path.
func TestDecodeNamespaces(t *testing.T) {
	in := `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: infra
    labels: {kubernetes.io/metadata.name: infra, team: infra}
  spec: {finalizers: [kubernetes]}
  status: {phase: Active}
---
apiVersion: v1
kind: NamespaceList
items:
- metadata: {name: web}
---
apiVersion: v1
kind: Namespace
metadata: {name: bare}
---
apiVersion: example.com/v1
kind: Namespace
metadata: {name: custom}
`
	objs, err := Decode("ns.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range objs.Namespaces {
		names = append(names, n.Name)
	}
	if strings.Join(names, " ") != "infra web bare" || objs.Namespaces[0].Labels["team"] != "infra" ||
		objs.Namespaces[0].Status.Phase != corev1.NamespaceActive || objs.Namespaces[1].Kind != "Namespace" {
		t.Fatalf("Namespaces = %+v", objs.Namespaces)
	}
	for i, want := range []Source{{Name: "ns.yaml", Document: 1, Line: 4, Item: 0}, {Name: "ns.yaml", Document: 2, Line: 15, Item: 0}, {Name: "ns.yaml", Document: 3, Line: 17, Item: -1}} {
		if src, ok := objs.SourceOf(objs.Namespaces[i]); !ok || src != want {
			t.Errorf("source of %s = %+v, want %+v", names[i], src, want)
		}
	}
	if len(objs.Others) != 1 || objs.Others[0].Name != "custom" {
		t.Errorf("others %+v", objs.Others)
	}
	_, err = Decode("bad.yaml", []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  labels: {team: 7}\n"))
	if err == nil || !strings.Contains(err.Error(), "bad.yaml: document 1, line 5: metadata.labels[team]") {
		t.Errorf("a mistyped label: %v", err)
	}
	all := &Objects{}
	all.Append(objs)
	if len(all.Namespaces) != 3 {
		t.Errorf("Append kept %d Namespaces", len(all.Namespaces))
	}
	if src, ok := all.SourceOf(all.Namespaces[2]); !ok || src.Document != 3 {
		t.Errorf("Append lost the source: %+v", src)
	}
}
