package daemonset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decodeBothWays decodes in twice: item by item and whole, as Decode read
// every document before it read Lists item by item.
func decodeBothWays(in []byte) (stream, whole string) {
	objs, err := Decode("in", in)
	stream = summarize(objs, err)
	readListsWhole = true
	defer func() { readListsWhole = false }()
	objs, err = Decode("in", in)
	return stream, summarize(objs, err)
}

// streamedLists are Lists of every shape the item-by-item reader cuts, and
// shapes it must leave to the whole-document reader, with and without
// problems.
var streamedLists = []string{
	// kubectl -o yaml: items at column 0
	"apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata:\n    name: a\n    labels: {zone: z1}\n- apiVersion: v1\n  kind: Node\n  metadata: {name: b}\nkind: List\nmetadata:\n  resourceVersion: \"\"\n",
	// items indented under the key, comments and blank lines between them
	"apiVersion: v1\nkind: List\nitems:\n  # the first\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p, namespace: d}\n\n  - apiVersion: apps/v1\n    kind: DaemonSet\n    metadata: {name: ds}\n    spec:\n      selector: {matchLabels: {a: b}}\n      template:\n        metadata: {labels: {a: b}}\n        spec: {containers: [{name: c, image: i}]}\n# trailing\n",
	// kubectl get ns -o yaml
	"apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    labels:\n      kubernetes.io/metadata.name: infra\n      team: infra\n    name: infra\n  spec:\n    finalizers:\n    - kubernetes\n  status:\n    phase: Active\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: web, labels: {team: 1}}\nkind: List\nmetadata:\n  resourceVersion: \"\"\n",
	// a typed list: items without kind
	"apiVersion: v1\nkind: NodeList\nitems:\n- metadata: {name: a}\n- metadata: {name: b}\n  spec: {unschedulable: true}\n",
	// the dash alone on its line
	"apiVersion: v1\nkind: List\nitems:\n-\n  apiVersion: v1\n  kind: Node\n  metadata: {name: a}\n- # a comment\n  apiVersion: v1\n  kind: Node\n  metadata: {name: b, labelz: {}}\n",
	// problems inside items, each with its line
	"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata: {name: a}\n  status:\n    allocatable: {cpu: lots}\n- apiVersion: v1\n  kind: Node\n  metadata: {name: b}\n  spec: {taints: [{key: k, effect: NoSchedule, value: 1}]}\n- hello\n- apiVersion: v1\n  kind: List\n  items: []\n- apiVersion: v2\n  kind: Node\n- kind: Node\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n- apiVersion: policy/v1beta1\n  kind: PodDisruptionBudget\n  metadata: {name: pdb}\n",
	// a duplicate key inside an item
	"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata: {name: a}\n  metadata: {name: b}\n",
	// a syntax error inside an item
	"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata: {name: a\n- apiVersion: v1\n  kind: Node\n",
	// an anchor in one item used in another: only the whole document reads it
	"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata: &m {name: a}\n- apiVersion: v1\n  kind: Node\n  metadata: *m\n",
	// a quoted string continued at column 0
	"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata:\n    name: a\n    annotations: {note: \"one\n- two\"}\n",
	// items given twice; items before kind; not a List
	"apiVersion: v1\nitems:\n- {apiVersion: v1, kind: Node, metadata: {name: a}}\nkind: List\nitems:\n- {apiVersion: v1, kind: Node, metadata: {name: b}}\n",
	"items:\n- {apiVersion: v1, kind: Node, metadata: {name: a}}\nkind: List\napiVersion: v1\n",
	"apiVersion: example.com/v1\nkind: Bundle\nmetadata: {name: x}\nitems:\n- {apiVersion: v1, kind: Node, metadata: {name: a}}\n",
	"apiVersion: v1\nkind: List\nitems: []\n",
	"apiVersion: v1\nkind: List\nitems:\n",
	"apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Node, metadata: {name: a}}]\n",
	"--- apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Node, metadata: {name: a}}\n",
	// JSON as kubectl prints it, and as the API server sends it
	`{"apiVersion": "v1", "items": [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "a", "labels": {"gpu": "true"}}}, {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "b"}, "status": {"allocatable": {"cpu": 4}}}], "kind": "List", "metadata": {"resourceVersion": ""}}`,
	"{\n  \"kind\": \"NodeList\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {},\n  \"items\": [\n    {\n      \"metadata\": {\"name\": \"a\"}\n    },\n    {\n      \"metadata\": {\"name\": \"b\", \"labelz\": {}}\n    },\n    {\n      \"metadata\": {\"name\": \"c\", \"name\": \"d\"}\n    },\n    7,\n    {\"kind\": 5}\n  ]\n}\n",
	`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"d"},"spec":{"nodeName":"n","containers":[{"name":"c","image":"i","ports":[{"containerPort":1.0}]}]}}]}`,
	`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Node","metadata":{"name":"a\xff"}}]}`,
	`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Node","metadata":{"name":"a"}}],"items":[]}`,
	`{"apiVersion":"v1","kind":"Li\u0073t","items":[{"apiVersion":"v1","kind":"Node","metadata":{"name":"a"}}]}`,
	`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Node","kind":"Pod","metadata":{"name":"a"}}]}`,
	`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Node","metadata":{"name":"a"}}]} {"apiVersion":"v1","kind":"NodeList","items":[{"metadata":{"name":"b"}}]}`,
	`{"apiVersion":"v1","kind":"List","items":[` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `]}`,
	`{"apiVersion":"v1","kind":"List","metadata":{"a":` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `},"items":[]}`,
	"apiVersion: v1\nkind: List\nmetadata: {a: " + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + "}\nitems:\n- {apiVersion: v1, kind: Node}\n",
}

func TestDecodeListsItemByItemAsWhole(t *testing.T) {
	for i, in := range streamedLists {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			stream, whole := decodeBothWays([]byte(in))
			if diff := cmp.Diff(whole, stream); diff != "" {
				t.Errorf("item by item differs from whole (-whole +item by item):\n%s\ninput:\n%s", diff, in)
			}
			// and with CRLF line ends
			crlf := strings.ReplaceAll(in, "\n", "\r\n")
			stream, whole = decodeBothWays([]byte(crlf))
			if diff := cmp.Diff(whole, stream); diff != "" {
				t.Errorf("CRLF: item by item differs from whole (-whole +item by item):\n%s", diff)
			}
		})
	}
}

// The lines of problems deep in a large list are those of the whole
// document.
func TestDecodeListErrorsPlacedInLargeLists(t *testing.T) {
	for _, format := range []string{"yaml", "json"} {
		var b bytes.Buffer
		if format == "yaml" {
			b.WriteString("apiVersion: v1\nkind: List\nitems:\n")
			for i := range 500 {
				fmt.Fprintf(&b, "- apiVersion: v1\n  kind: Node\n  metadata:\n    name: n%d\n", i)
				if i == 321 {
					b.WriteString("    labels: {gpu: true}\n")
				}
			}
		} else {
			b.WriteString("{\n \"apiVersion\": \"v1\",\n \"items\": [\n")
			for i := range 500 {
				if i > 0 {
					b.WriteString(",\n")
				}
				fmt.Fprintf(&b, "  {\n   \"apiVersion\": \"v1\",\n   \"kind\": \"Node\",\n   \"metadata\": {\n    \"name\": \"n%d\"", i)
				if i == 321 {
					b.WriteString(",\n    \"labels\": {\"gpu\": true}")
				}
				b.WriteString("\n   }\n  }")
			}
			b.WriteString("\n ],\n \"kind\": \"List\"\n}\n")
		}
		stream, whole := decodeBothWays(b.Bytes())
		if diff := cmp.Diff(whole, stream); diff != "" {
			t.Errorf("%s: (-whole +item by item):\n%s", format, diff)
		}
		if !strings.Contains(stream, "items[321].metadata.labels[gpu]: got a boolean") {
			t.Errorf("%s: error not reported:\n%s", format, stream[max(0, len(stream)-500):])
		}
	}
}

// Items are kept in input order whatever the number of cores.
func TestDecodeListOrderWhateverGOMAXPROCS(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"apiVersion":"v1","kind":"List","items":[`)
	for i := range 3000 {
		if i > 0 {
			b.WriteString(",")
		}
		if i%7 == 0 {
			fmt.Fprintf(&b, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c%d"}}`, i)
		} else {
			fmt.Fprintf(&b, `{"apiVersion":"v1","kind":"Node","metadata":{"name":"n%d","labelz":%d}}`, i, i%3)
		}
	}
	b.WriteString("]}")
	var want string
	for _, procs := range []int{1, 2, 8} {
		prev := runtime.GOMAXPROCS(procs)
		objs, err := Decode("in", b.Bytes())
		runtime.GOMAXPROCS(prev)
		got := summarize(objs, err)
		if want == "" {
			want = got
		} else if got != want {
			t.Errorf("GOMAXPROCS=%d: output differs", procs)
		}
	}
}

// Nodes and Pods come back without what no computation reads.
func TestDecodeTrimsClusterObjects(t *testing.T) {
	in := `{"apiVersion":"v1","kind":"List","items":[
{"apiVersion":"v1","kind":"Node","metadata":{"name":"a","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}","keep":"me"},
 "managedFields":[{"manager":"kubelet","operation":"Update","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:status":{}}}]},
 "status":{"images":[{"names":["registry.k8s.io/pause:3.10"],"sizeBytes":320368}],"allocatable":{"cpu":"4"}}},
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"},
 "managedFields":[{"manager":"kubectl","operation":"Apply"}]},"spec":{"containers":[{"name":"c","image":"i"}]}},
{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"d","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}}}
]}`
	for _, whole := range []bool{false, true} {
		readListsWhole = whole
		objs, err := Decode("in", []byte(in))
		readListsWhole = false
		if err != nil {
			t.Fatal(err)
		}
		n, p, ds := objs.Nodes[0], objs.Pods[0], objs.DaemonSets[0]
		if n.Status.Images != nil || n.ManagedFields != nil || len(n.Annotations) != 1 || n.Status.Allocatable.Cpu().Value() != 4 {
			t.Errorf("node not trimmed as it should: %+v", n)
		}
		if p.ManagedFields != nil || len(p.Annotations) != 0 {
			t.Errorf("pod not trimmed: %+v", p.ObjectMeta)
		}
		if len(ds.Annotations) != 1 {
			t.Errorf("DaemonSet trimmed: %v", ds.Annotations)
		}
	}
}

// Of a pod another kind of controller than DaemonSet controls, Decode drops
// volumes, ephemeral containers and the containers' commands, environment,
// mounts, probes and lifecycle; of every pod, container image and
// container IDs. Pods a DaemonSet controls or could adopt keep them.
func TestDecodeTrimsOtherWorkloadPods(t *testing.T) {
	pod := func(name, owners string) string {
		return `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"` + name + `","namespace":"ns","labels":{"app":"x"},"ownerReferences":` + owners + `},
 "spec":{"nodeName":"n1","volumes":[{"name":"v","emptyDir":{}}],"ephemeralContainers":[{"name":"dbg","image":"busybox"}],
  "initContainers":[{"name":"i","image":"init:1","command":["sh"],"restartPolicy":"Always","ports":[{"containerPort":53,"hostPort":53}],
   "resources":{"requests":{"cpu":"100m"}},"startupProbe":{"exec":{"command":["true"]}}}],
  "containers":[{"name":"c","image":"app:1","command":["app"],"args":["-v"],"env":[{"name":"A","value":"1"}],"envFrom":[{"configMapRef":{"name":"cm"}}],
   "volumeMounts":[{"name":"v","mountPath":"/v"}],"volumeDevices":[{"name":"d","devicePath":"/dev/d"}],
   "livenessProbe":{"exec":{"command":["true"]}},"readinessProbe":{"exec":{"command":["true"]}},"lifecycle":{"preStop":{"exec":{"command":["true"]}}},
   "ports":[{"containerPort":80,"hostPort":8080}],"resources":{"requests":{"cpu":"250m","memory":"64Mi"}}}],
  "tolerations":[{"operator":"Exists"}],"priority":7},
 "status":{"phase":"Running","containerStatuses":[{"name":"c","image":"app:1","imageID":"app@sha256:00","containerID":"containerd://1","ready":true,
  "restartCount":2,"state":{"running":{}},"allocatedResources":{"cpu":"250m"}}]}}`
	}
	in := `{"apiVersion":"v1","kind":"List","items":[` +
		pod("rs", `[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"r","uid":"u1","controller":true}]`) + ",\n" +
		pod("ds", `[{"apiVersion":"apps/v1","kind":"DaemonSet","name":"d","uid":"u2","controller":true}]`) + ",\n" +
		pod("orphan", `[]`) + ",\n" +
		pod("notcontroller", `[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"r","uid":"u1"}]`) + "]}"
	for _, whole := range []bool{false, true} {
		readListsWhole = whole
		objs, err := Decode("in", []byte(in))
		readListsWhole = false
		if err != nil {
			t.Fatal(err)
		}
		if len(objs.Pods) != 4 {
			t.Fatalf("whole=%v: %d pods", whole, len(objs.Pods))
		}
		for _, p := range objs.Pods {
			cs := p.Status.ContainerStatuses[0]
			if cs.ImageID != "" || cs.ContainerID != "" || cs.Image != "app:1" || !cs.Ready || cs.RestartCount != 2 || cs.State.Running == nil || cs.AllocatedResources.Cpu().MilliValue() != 250 {
				t.Errorf("whole=%v %s: container status %+v", whole, p.Name, cs)
			}
			c, ic := p.Spec.Containers[0], p.Spec.InitContainers[0]
			// what every pod keeps
			if c.Name != "c" || c.Image != "app:1" || c.Ports[0].HostPort != 8080 || c.Resources.Requests.Memory().Value() != 64<<20 ||
				ic.Image != "init:1" || ic.RestartPolicy == nil || ic.Ports[0].HostPort != 53 || ic.Resources.Requests.Cpu().MilliValue() != 100 ||
				p.Spec.NodeName != "n1" || len(p.Spec.Tolerations) != 1 || *p.Spec.Priority != 7 || p.Labels["app"] != "x" || p.Status.Phase != "Running" {
				t.Errorf("whole=%v %s: lost what is read: %+v", whole, p.Name, p)
			}
			trimmed := p.Name == "rs"
			gone := p.Spec.Volumes == nil && p.Spec.EphemeralContainers == nil && c.Command == nil && c.Args == nil && c.Env == nil &&
				c.EnvFrom == nil && c.VolumeMounts == nil && c.VolumeDevices == nil && c.LivenessProbe == nil && c.ReadinessProbe == nil &&
				c.Lifecycle == nil && ic.Command == nil && ic.StartupProbe == nil
			kept := len(p.Spec.Volumes) == 1 && len(p.Spec.EphemeralContainers) == 1 && len(c.Command) == 1 && len(c.Args) == 1 && len(c.Env) == 1 &&
				len(c.EnvFrom) == 1 && len(c.VolumeMounts) == 1 && len(c.VolumeDevices) == 1 && c.LivenessProbe != nil && c.ReadinessProbe != nil &&
				c.Lifecycle != nil && len(ic.Command) == 1 && ic.StartupProbe != nil
			if trimmed && !gone || !trimmed && !kept {
				t.Errorf("whole=%v %s: trimmed=%v, got %+v", whole, p.Name, trimmed, p.Spec)
			}
		}
	}
}

// Caps bound what is kept, not what is read.
func TestDecodeKeepsAtMostMaxNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 200,002 nodes")
	}
	var b bytes.Buffer
	for doc := range 2 {
		b.WriteString(`{"apiVersion":"v1","kind":"NodeList","items":[`)
		for i := range MaxNodes/2 + 1 {
			if i > 0 {
				b.WriteString(",\n")
			}
			fmt.Fprintf(&b, `{"metadata":{"name":"n%d-%d"}}`, doc, i)
		}
		b.WriteString("]}\n")
	}
	objs, err := Decode("many.json", b.Bytes())
	if len(objs.Nodes) != MaxNodes {
		t.Errorf("kept %d nodes, want %d", len(objs.Nodes), MaxNodes)
	}
	want := "many.json: document 2, line 200001: the input holds 2 more Nodes than the 200000 daemonkit keeps (split the input; these were not read)"
	if err == nil || err.Error() != want {
		t.Errorf("got error %v\nwant %s", err, want)
	}
}

// DecodeReader reads inputs of any size.
func TestDecodeReaderHasNoInputCap(t *testing.T) {
	objs, err := DecodeReader("-", io.MultiReader(strings.NewReader(`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Node","metadata":{"name":"a"}}]}`)))
	if err != nil || len(objs.Nodes) != 1 {
		t.Fatalf("got %v, %v", objs, err)
	}
}

// A JSON input too large to be read whole as YAML says where it stops
// being JSON.
func TestDecodeBrokenJSONBeyondDocumentCap(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 128 MiB input")
	}
	var b bytes.Buffer
	b.WriteString("{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n")
	item := `{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}},` + "\n"
	for b.Len() < MaxDocumentBytes {
		b.WriteString(item)
	}
	lines := bytes.Count(b.Bytes(), []byte("\n"))
	b.WriteString(`{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}}}` + "\n")
	_, err := Decode("big.json", b.Bytes())
	want := fmt.Sprintf("big.json: line %d: not valid JSON: expected ',' or ']' after array element", lines+1)
	var errs DecodeErrors
	if !errors.As(err, &errs) || len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), want) {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// scanJSONStream accepts exactly the streams encoding/json reads.
func FuzzJSONScan(f *testing.F) {
	for _, s := range streamedLists {
		f.Add([]byte(s))
	}
	f.Add([]byte(`1 2 "a\u00e9\n" [true,false,null,-0.5e+3] {"a":{}}`))
	f.Add([]byte(`{"a":01}`))
	f.Add([]byte(`["\ud800", "\x"]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, _, ok := scanJSONStream(data)
		dec := json.NewDecoder(bytes.NewReader(data))
		var want []json.RawMessage
		wantOK := true
		for {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err == io.EOF {
				break
			} else if err != nil {
				wantOK = false
				break
			}
			want = append(want, raw)
		}
		if ok != wantOK {
			t.Fatalf("scan says %v, encoding/json %v", ok, wantOK)
		}
		if !ok {
			return
		}
		if len(docs) != len(want) {
			t.Fatalf("%d documents, encoding/json %d", len(docs), len(want))
		}
		for i, d := range docs {
			if !bytes.Equal(data[d.a:d.b], want[i]) {
				t.Fatalf("document %d: %q, encoding/json %q", i, data[d.a:d.b], want[i])
			}
		}
	})
}

// Reading Lists item by item gives what reading them whole gives.
func FuzzDecodeListItemByItem(f *testing.F) {
	for _, s := range streamedLists {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		stream, whole := decodeBothWays(data)
		if stream != whole {
			t.Fatalf("item by item differs from whole (-whole +item by item):\n%s", cmp.Diff(whole, stream))
		}
	})
}
