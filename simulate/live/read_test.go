package live

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/daemonkit/daemonkit/internal/fakeapi"
	"github.com/daemonkit/daemonkit/simulate"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// verbRecorder is an http.RoundTripper that records the Kubernetes verb of
// every request the client sends (what the API server's authorizer sees).
type verbRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	log  []string // "verb resource-path"
}

func (v *verbRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	v.mu.Lock()
	v.log = append(v.log, verbOf(r)+" "+r.URL.Path)
	v.mu.Unlock()
	return v.next.RoundTrip(r)
}

// verbOf maps a request to its authorizer verb.
// upstream: staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go NewRequestInfo
func verbOf(r *http.Request) string {
	named := func() bool {
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		if parts[0] == "api" {
			parts = parts[2:]
		} else {
			parts = parts[3:]
		}
		if len(parts) >= 2 && parts[0] == "namespaces" {
			parts = parts[2:]
		}
		return len(parts) >= 2
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		switch {
		case r.URL.Query().Get("watch") == "true":
			return "watch"
		case named():
			return "get"
		}
		return "list"
	case http.MethodPost:
		return "create"
	case http.MethodPut:
		return "update"
	case http.MethodPatch:
		return "patch"
	case http.MethodDelete:
		if named() {
			return "delete"
		}
		return "deletecollection"
	}
	return strings.ToLower(r.Method)
}

func (v *verbRecorder) requests() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.log)
}

// client returns a clientset for srv whose requests rec records.
func client(t *testing.T, srv *fakeapi.Server) (kubernetes.Interface, *verbRecorder) {
	t.Helper()
	rec := &verbRecorder{}
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL, WrapTransport: func(rt http.RoundTripper) http.RoundTripper {
		rec.next = rt
		return rec
	}})
	if err != nil {
		t.Fatal(err)
	}
	return cs, rec
}

// assertReadOnly fails on any request but get, list and watch, and create
// of a SelfSubjectAccessReview (a question about one's own rights, which
// stores nothing).
func assertReadOnly(t *testing.T, rec *verbRecorder) {
	t.Helper()
	for _, r := range rec.requests() {
		verb, path, _ := strings.Cut(r, " ")
		switch {
		case verb == "get" || verb == "list" || verb == "watch":
		case verb == "create" && path == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews":
		default:
			t.Errorf("request %s: only get, list, watch and create of selfsubjectaccessreviews are allowed", r)
		}
		for _, secret := range []string{"/secrets", "/configmaps"} {
			if strings.Contains(path, secret) {
				t.Errorf("request %s reads %s", r, secret)
			}
		}
	}
}

// A small cluster: two nodes, team-x/agent (2 pods, one finished), a
// workload pod with a lot daemonkit never reads, a finished job pod and a
// pending pod, and kube-system/cilium (1 pod).
func teamCluster() ([]*corev1.Node, []*corev1.Pod, []*appsv1.DaemonSet) {
	mkDS := func(ns, name string) *appsv1.DaemonSet {
		return &appsv1.DaemonSet{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name),
				ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}},
			Spec: appsv1.DaemonSetSpec{
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: name + ":1"}}},
				},
			},
		}
	}
	owned := func(ds *appsv1.DaemonSet, name, nodeName string, phase corev1.PodPhase) *corev1.Pod {
		yes := true
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: ds.Namespace, Name: name, Labels: map[string]string{"app": ds.Name},
				Annotations:     map[string]string{"kept": "own pods keep their annotations"},
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: ds.Name, UID: ds.UID, Controller: &yes}}},
			Spec:   corev1.PodSpec{NodeName: nodeName, Containers: []corev1.Container{{Name: "c", Image: "x"}}},
			Status: corev1.PodStatus{Phase: phase},
		}
	}
	room := corev1.NodeStatus{
		Allocatable: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("110")},
		Images:      []corev1.ContainerImage{{Names: []string{"big/image:1"}, SizeBytes: 1 << 30}},
	}
	nodes := []*corev1.Node{
		{ObjectMeta: metav1.ObjectMeta{Name: "node-b", Annotations: map[string]string{"node.alpha.kubernetes.io/ttl": "0"}}, Status: room},
		{ObjectMeta: metav1.ObjectMeta{Name: "node-a"}, Status: room},
	}
	agent, cilium := mkDS("team-x", "agent"), mkDS("kube-system", "cilium")
	web := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-1", Annotations: map[string]string{"big": strings.Repeat("x", 1000)}},
		Spec: corev1.PodSpec{NodeName: "node-a", Volumes: []corev1.Volume{{Name: "token"}},
			Containers: []corev1.Container{{Name: "web", Image: "web", Env: []corev1.EnvVar{{Name: "A", Value: "1"}},
				Command: []string{"/web"}, Ports: []corev1.ContainerPort{{ContainerPort: 80, HostPort: 8080}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning},
	}
	job := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "batch", Name: "job-1"},
		Spec: corev1.PodSpec{NodeName: "node-b"}, Status: corev1.PodStatus{Phase: corev1.PodSucceeded}}
	pending := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "pending-1"}, Status: corev1.PodStatus{Phase: corev1.PodPending}}
	pods := []*corev1.Pod{
		owned(agent, "agent-a", "node-a", corev1.PodRunning), owned(agent, "agent-old", "node-b", corev1.PodFailed),
		owned(cilium, "cilium-a", "node-a", corev1.PodRunning), web, job, pending,
	}
	return nodes, pods, []*appsv1.DaemonSet{agent, cilium}
}

func podNames(snap *Snapshot) string {
	var out []string
	for _, p := range snap.Cluster.Pods() {
		out = append(out, p.Namespace+"/"+p.Name)
	}
	return strings.Join(out, " ")
}

func dsNames(dss []*appsv1.DaemonSet) string {
	var out []string
	for _, d := range dss {
		out = append(out, d.Namespace+"/"+d.Name)
	}
	return strings.Join(out, " ")
}

func warningCodes(ws []Warning) string {
	var out []string
	for _, w := range ws {
		out = append(out, string(w.Code))
	}
	return strings.Join(out, " ")
}

// With the scheduler stage the Namespaces are read, and their labels decide
// a namespaceSelector; forbidden, one warning says the answer knows
// namespaces by name only (and the trap names the selector).
func TestReadFromNamespaces(t *testing.T) {
	nodes, pods, dss := teamCluster()
	for _, n := range nodes {
		n.Labels = map[string]string{corev1.LabelHostname: n.Name}
	}
	agent := dss[0].DeepCopy()
	agent.Spec.Template.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
		TopologyKey: corev1.LabelHostname, LabelSelector: &metav1.LabelSelector{},
		NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "shop"}}}}}}
	for _, forbid := range []bool{false, true} {
		srv := fakeapi.New(nodes, pods, dss)
		srv.Namespaces = []corev1.Namespace{{ObjectMeta: metav1.ObjectMeta{Name: "shop", Labels: map[string]string{"team": "shop"}}},
			{ObjectMeta: metav1.ObjectMeta{Name: "team-x"}}}
		if forbid {
			srv.Allow = func(a fakeapi.Access) bool { return a.Resource != "namespaces" }
		}
		cs, _ := client(t, srv)
		snap, err := ReadFrom(context.Background(), cs, Request{Templates: []*appsv1.DaemonSet{agent}, SchedulerStage: true})
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		p, err := simulate.Place(snap.Cluster, agent)
		if err != nil {
			t.Fatal(err)
		}
		trapped := slices.ContainsFunc(p.Traps, func(tr simulate.Trap) bool { return tr.Kind == simulate.TrapSchedulerNotModelled })
		if forbid {
			if got := warningCodes(snap.Warnings); got != "NamespacesForbidden" || snap.Cluster.Namespaces() != nil || !trapped {
				t.Errorf("forbidden: warnings %q, namespaces %v, trap %v", got, snap.Cluster.Namespaces(), trapped)
			}
			continue
		}
		if len(snap.Warnings) > 0 || len(snap.Cluster.Namespaces()) != 2 || trapped {
			t.Errorf("warnings %v, namespaces %v, trap %v", snap.Warnings, snap.Cluster.Namespaces(), trapped)
		}
		// shop/web-1 is on a node: the daemon pod is kept off that node
		if c := p.DaemonSets[0].Counts(); c.Pending != 1 {
			t.Errorf("counts %+v, want one Pending", c)
		}
	}
}

// Each user reads what RBAC lets it and says once what the answer lacks;
// it never asks for more, and never sends a request that writes.
func TestReadFromAnswersWhatRBACAllows(t *testing.T) {
	all := func(fakeapi.Access) bool { return true }
	platform := func(a fakeapi.Access) bool { // nodes, DaemonSets, PriorityClasses, PDBs and Namespaces cluster-wide, no pods
		return (a.Verb == "get" || a.Verb == "list") && (a.Resource == "nodes" || a.Resource == "daemonsets" || a.Resource == "priorityclasses" ||
			a.Resource == "poddisruptionbudgets" || a.Resource == "namespaces")
	}
	team := func(a fakeapi.Access) bool { // nodes, and team-x's DaemonSets and pods
		return (a.Verb == "get" || a.Verb == "list") &&
			(a.Resource == "nodes" || a.Namespace == "team-x" && (a.Resource == "daemonsets" || a.Resource == "pods"))
	}
	for _, tc := range []struct {
		name     string
		allow    func(fakeapi.Access) bool
		reviews  bool // the server answers access reviews
		req      Request
		dss      string
		pods     string
		warnings string
		never    string // no request path contains this
	}{
		{name: "admin, every DaemonSet", allow: all, reviews: true,
			req: Request{AllDaemonSets: true, SchedulerStage: true, RequireDaemonSets: true},
			dss: "kube-system/cilium team-x/agent", pods: "kube-system/cilium-a shop/web-1 team-x/agent-a team-x/agent-old"},
		{name: "platform, one DaemonSet by name", allow: platform, reviews: true,
			req: Request{DaemonSets: []string{"team-x/agent"}, SchedulerStage: true, RequireDaemonSets: true},
			dss: "team-x/agent", warnings: "DaemonSetPodsForbidden OtherPodsForbidden", never: "/pods"},
		{name: "platform, a manifest", allow: platform, reviews: true,
			req: Request{Templates: []*appsv1.DaemonSet{{ObjectMeta: metav1.ObjectMeta{Namespace: "team-x", Name: "agent"},
				Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}}}}}, SchedulerStage: true},
			warnings: "DaemonSetPodsForbidden OtherPodsForbidden", never: "/pods"},
		{name: "team, every DaemonSet it may see", allow: team, reviews: true,
			req: Request{AllDaemonSets: true, SchedulerStage: true, RequireDaemonSets: true, Namespace: "team-x"},
			dss: "team-x/agent", pods: "team-x/agent-a team-x/agent-old", warnings: "DaemonSetsForbidden OtherPodsForbidden PriorityClassesForbidden PodDisruptionBudgetsForbidden NamespacesForbidden"},
		{name: "team, a rollout of its DaemonSet", allow: team, reviews: true,
			req: Request{DaemonSets: []string{"team-x/agent"}, SchedulerStage: true, Namespace: "team-x"},
			dss: "team-x/agent", pods: "team-x/agent-a team-x/agent-old", warnings: "OtherPodsForbidden PriorityClassesForbidden PodDisruptionBudgetsForbidden NamespacesForbidden"},
		{name: "team, no access reviews: 403s handled alike", allow: team,
			req: Request{AllDaemonSets: true, SchedulerStage: true, RequireDaemonSets: true, Namespace: "team-x"},
			dss: "team-x/agent", pods: "team-x/agent-a team-x/agent-old", warnings: "DaemonSetsForbidden OtherPodsForbidden PriorityClassesForbidden PodDisruptionBudgetsForbidden NamespacesForbidden"},
		{name: "a rollout of a DaemonSet not created yet", allow: all, reviews: true,
			req: Request{DaemonSets: []string{"team-x/new"}, SchedulerStage: false}, never: "/pods"},
		{name: "bare name", allow: all, reviews: true,
			req: Request{DaemonSets: []string{"cilium"}}, dss: "kube-system/cilium", pods: "kube-system/cilium-a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nodes, pods, dss := teamCluster()
			srv := fakeapi.New(nodes, pods, dss)
			defer srv.Close()
			srv.Allow, srv.NoReviews = tc.allow, !tc.reviews
			cs, rec := client(t, srv)
			snap, err := ReadFrom(context.Background(), cs, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if got := dsNames(snap.DaemonSets); got != tc.dss {
				t.Errorf("DaemonSets %q, want %q", got, tc.dss)
			}
			if got := podNames(snap); got != tc.pods {
				t.Errorf("pods %q, want %q", got, tc.pods)
			}
			if got := warningCodes(snap.Warnings); got != tc.warnings {
				t.Errorf("warnings %q, want %q: %v", got, tc.warnings, snap.Warnings)
			}
			if snap.Cluster.NumNodes() != 2 {
				t.Errorf("%d nodes", snap.Cluster.NumNodes())
			}
			assertReadOnly(t, rec)
			for _, r := range rec.requests() {
				if tc.never != "" && strings.Contains(r, tc.never) && !strings.Contains(r, "selfsubjectaccessreviews") {
					t.Errorf("request %s: the access review said no, it should not have been sent", r)
				}
			}
		})
	}
}

// The warnings read plainly and say what the answer lacks.
func TestReadFromWarningsSayWhatIsMissing(t *testing.T) {
	nodes, pods, dss := teamCluster()
	srv := fakeapi.New(nodes, pods, dss)
	defer srv.Close()
	srv.Allow = func(a fakeapi.Access) bool { return a.Resource != "pods" }
	cs, _ := client(t, srv)
	snap, err := ReadFrom(context.Background(), cs, Request{AllDaemonSets: true, SchedulerStage: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []Warning{
		{DaemonSetPodsForbidden, "cannot list pods in namespaces kube-system, team-x: no role grants it; the pods of DaemonSets kube-system/cilium, team-x/agent are unknown: " +
			"the answer takes them as one Ready pod of the current template on every node that should run one"},
		{OtherPodsForbidden, "cannot list pods cluster-wide: the scheduler stage does not see other pods; Pending predictions are missing"},
	}
	if !slices.Equal(snap.Warnings, want) {
		t.Errorf("warnings\n%q\nwant\n%q", snap.Warnings, want)
	}
}

// What every answer needs — the nodes, and the DaemonSets when they are the
// question — is an error when forbidden, reported before anything is listed.
func TestReadFromFailsWithoutNodes(t *testing.T) {
	nodes, pods, dss := teamCluster()
	srv := fakeapi.New(nodes, pods, dss)
	defer srv.Close()
	srv.Allow = func(a fakeapi.Access) bool { return a.Namespace == "team-x" }
	for _, reviews := range []bool{true, false} {
		srv.NoReviews = !reviews
		cs, rec := client(t, srv)
		_, err := ReadFrom(context.Background(), cs, Request{DaemonSets: []string{"team-x/agent"}, RequireDaemonSets: true})
		var fe *ForbiddenError
		if !errors.As(err, &fe) || fe.Access != nodesList {
			t.Fatalf("reviews %v: %v; want a ForbiddenError for listing nodes", reviews, err)
		}
		if reviews && fe.Error() != "cannot list nodes: no role grants it" {
			t.Errorf("error %q", fe.Error())
		}
		if !reviews && !strings.Contains(fe.Error(), `cannot list nodes: nodes is forbidden: User "tester" cannot list resource "nodes" in API group "" at the cluster scope`) {
			t.Errorf("error %q", fe.Error())
		}
		for _, r := range rec.requests() {
			if reviews && !strings.Contains(r, "selfsubjectaccessreviews") {
				t.Errorf("request %s made though the access review refused the nodes", r)
			}
		}
	}
	srv.Allow = func(a fakeapi.Access) bool { return a.Resource == "nodes" }
	srv.NoReviews = false
	cs, _ := client(t, srv)
	_, err := ReadFrom(context.Background(), cs, Request{DaemonSets: []string{"team-x/agent"}, RequireDaemonSets: true})
	if err == nil || err.Error() != "cannot get daemonsets.apps team-x/agent: no role grants it" {
		t.Errorf("required DaemonSet forbidden: %v", err)
	}
	_, err = ReadFrom(context.Background(), cs, Request{AllDaemonSets: true, RequireDaemonSets: true})
	if err == nil || err.Error() != "cannot list daemonsets.apps cluster-wide: no role grants it" {
		t.Errorf("required DaemonSets forbidden: %v", err)
	}
}

// Big lists are read 500 a page, with progress reported after each page and
// only what is needed kept (trimmed); an expired continue token falls back
// to one full list, as client-go's pager does.
func TestReadFromPaginatesAndKeepsOnlyWhatItNeeds(t *testing.T) {
	var nodes []*corev1.Node
	for i := range 1234 {
		nodes = append(nodes, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("node-%04d", i),
			Annotations: map[string]string{"a": "b"}, ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubelet"}}},
			Status: corev1.NodeStatus{Images: []corev1.ContainerImage{{Names: []string{"img"}}}}})
	}
	_, pods, dss := teamCluster()
	for _, expire := range []bool{false, true} {
		srv := fakeapi.New(nodes, pods, dss)
		srv.ExpireContinue = expire
		cs, _ := client(t, srv)
		var progress []Progress
		snap, err := ReadFrom(context.Background(), cs, Request{AllDaemonSets: true, SchedulerStage: true,
			Progress: func(p Progress) { progress = append(progress, p) }})
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		if snap.Cluster.NumNodes() != 1234 {
			t.Fatalf("expire %v: %d nodes", expire, snap.Cluster.NumNodes())
		}
		n := snap.Cluster.Nodes()[7]
		if n.Annotations != nil || n.ManagedFields != nil || n.Status.Images != nil || n.Kind != "Node" {
			t.Errorf("node kept what nothing reads: %+v", n.ObjectMeta)
		}
		var lists []string
		for _, r := range srv.Requests() {
			if strings.HasPrefix(r, "GET /api/v1/nodes") {
				lists = append(lists, strings.TrimPrefix(r, "GET /api/v1/nodes"))
			}
		}
		want := []string{"?limit=500", "?continue=500&limit=500", "?continue=1000&limit=500"}
		wantProgress := []Progress{{"nodes", 500, 1234, false}, {"nodes", 1000, 1234, false}, {"nodes", 1234, 1234, true}}
		if expire {
			want = []string{"?limit=500", "?continue=500&limit=500", ""}
			wantProgress = []Progress{{"nodes", 500, 1234, false}, {"nodes", 1234, 1234, true}}
		}
		if !slices.Equal(lists, want) {
			t.Errorf("expire %v: node lists %q, want %q", expire, lists, want)
		}
		if !slices.Equal(progress, wantProgress) {
			t.Errorf("expire %v: progress %v, want %v", expire, progress, wantProgress)
		}
	}

	// Other pods keep what the scheduler stage reads; own pods stay whole.
	nodes2, pods2, dss2 := teamCluster()
	srv := fakeapi.New(nodes2, pods2, dss2)
	defer srv.Close()
	cs, _ := client(t, srv)
	snap, err := ReadFrom(context.Background(), cs, Request{AllDaemonSets: true, SchedulerStage: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range snap.Cluster.Pods() {
		switch p.Name {
		case "web-1":
			c := p.Spec.Containers[0]
			if p.Annotations != nil || p.Spec.Volumes != nil || c.Env != nil || c.Command != nil || len(c.Ports) != 1 {
				t.Errorf("web-1 kept %+v", p)
			}
		case "agent-a":
			if p.Annotations["kept"] == "" || p.Kind != "Pod" {
				t.Errorf("own pod trimmed: %+v", p.ObjectMeta)
			}
		}
	}
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r, "GET /api/v1/pods") && !strings.Contains(r, "fieldSelector=spec.nodeName%21%3D%2Cstatus.phase%21%3DSucceeded%2Cstatus.phase%21%3DFailed") {
			t.Errorf("cluster-wide pod list without the scheduler's field selector: %s", r)
		}
		if strings.HasPrefix(r, "GET /api/v1/namespaces/team-x/pods") && !strings.Contains(r, "labelSelector=app%3Dagent") {
			t.Errorf("own pods listed without the DaemonSet's selector: %s", r)
		}
	}
	if snap.DaemonSets[0].ManagedFields != nil {
		t.Errorf("DaemonSet kept managed fields")
	}
}

// eksNode is a node as EKS reports it: a dozen labels, annotations, managed
// fields, four conditions, addresses, nodeInfo and the 40 cached images.
func eksNode(i int) *corev1.Node {
	name := fmt.Sprintf("ip-10-0-%d-%d.ec2.internal", i/250, i%250)
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name,
		Labels: map[string]string{"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
			"node.kubernetes.io/instance-type": "m5.2xlarge", "topology.kubernetes.io/region": "us-east-1",
			"topology.kubernetes.io/zone": "us-east-1a", "eks.amazonaws.com/nodegroup": "general",
			"eks.amazonaws.com/capacityType": "ON_DEMAND", "eks.amazonaws.com/sourceLaunchTemplateId": "lt-0123456789abcdef0"},
		Annotations: map[string]string{"alpha.kubernetes.io/provided-node-ip": "10.0.0.1", "node.alpha.kubernetes.io/ttl": "0",
			"volumes.kubernetes.io/controller-managed-attach-detach": "true"},
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubelet", Operation: "Update", FieldsType: "FieldsV1",
			FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:metadata":{"f:labels":{"f:kubernetes.io/hostname":{}}},"f:status":{"f:conditions":{}}}`)}}}},
		Status: corev1.NodeStatus{
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("7910m"), corev1.ResourceMemory: resource.MustParse("31482236Ki"),
				corev1.ResourcePods: resource.MustParse("58")},
			Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.0.0.1"}, {Type: corev1.NodeHostName, Address: name}},
			NodeInfo:  corev1.NodeSystemInfo{KernelVersion: "6.1.119-129.201.amzn2023.x86_64", OSImage: "Amazon Linux 2023", ContainerRuntimeVersion: "containerd://1.7.23", KubeletVersion: "v1.37.2-eks-1"},
		}}
	for _, c := range []corev1.NodeConditionType{corev1.NodeMemoryPressure, corev1.NodeDiskPressure, corev1.NodePIDPressure, corev1.NodeReady} {
		n.Status.Conditions = append(n.Status.Conditions, corev1.NodeCondition{Type: c, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficient" + string(c), Message: "kubelet has sufficient " + string(c)})
	}
	for k := range 40 {
		n.Status.Images = append(n.Status.Images, corev1.ContainerImage{SizeBytes: 123456789, Names: []string{
			fmt.Sprintf("602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/image-%02d@sha256:%064d", k, k),
			fmt.Sprintf("602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/image-%02d:v1.%d.0-eksbuild.1", k, k)}})
	}
	return n
}

// BenchmarkReadFrom5000EKSNodes reads 5,000 realistic nodes through HTTP in
// pages of 500 and reports the heap the snapshot keeps (retained-MB): the
// images, annotations and managed fields are dropped page by page.
func BenchmarkReadFrom5000EKSNodes(b *testing.B) {
	var nodes []*corev1.Node
	for i := range 5000 {
		nodes = append(nodes, eksNode(i))
	}
	srv := fakeapi.New(nodes, nil, nil)
	defer srv.Close()
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL, QPS: -1})
	if err != nil {
		b.Fatal(err)
	}
	var kept *Snapshot
	var before, after runtime.MemStats
	for b.Loop() {
		kept = nil
		runtime.GC()
		runtime.ReadMemStats(&before)
		if kept, err = ReadFrom(context.Background(), cs, Request{}); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "retained-MB")
	runtime.KeepAlive(kept)
}

// The cluster's PriorityClasses are read with the DaemonSets: a template
// naming one gets its priority from it.
func TestReadFromReadsPriorityClasses(t *testing.T) {
	nodes, pods, dss := teamCluster()
	srv := fakeapi.New(nodes, pods, dss)
	defer srv.Close()
	srv.PriorityClasses = []schedulingv1.PriorityClass{{ObjectMeta: metav1.ObjectMeta{Name: "agents"}, Value: 100000}}
	cs, _ := client(t, srv)
	snap, err := ReadFrom(context.Background(), cs, Request{AllDaemonSets: true, SchedulerStage: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.Cluster.PriorityClasses(); len(got) != 1 || got[0].Name != "agents" || got[0].Value != 100000 {
		t.Fatalf("classes = %v", got)
	}
}
