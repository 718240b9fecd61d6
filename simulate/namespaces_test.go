package simulate_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/simtest"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A pod affinity namespaceSelector on a namespace label (team=infra):
// decided by the cluster's Namespaces when given, as kube-scheduler reads
// its Namespace lister; by name only without them (the selector selects no
// namespace, and a trap says so). A namespace not among those given has no
// labels for a bound pod's term and is selected by no daemon pod's term.
// upstream: interpodaffinity/filtering_test.go TestRequiredAffinitySingleNode
// (namespaceSelector cases), plugin.go mergeAffinityTermNamespacesIfNotEmpty,
// GetNamespaceLabelsSnapshot
func TestPlace_NamespaceSelectorOnNamespaceLabels(t *testing.T) {
	namespace := func(name string, kv ...string) *corev1.Namespace {
		n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{}}}
		for i := 0; i+1 < len(kv); i += 2 {
			n.Labels[kv[i]] = kv[i+1]
		}
		return n
	}
	infra := &metav1.LabelSelector{MatchLabels: map[string]string{"team": "infra"}}
	noTeam := &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "team", Operator: metav1.LabelSelectorOpDoesNotExist}}}
	term := func(app string, nsSel *metav1.LabelSelector) corev1.PodAffinityTerm {
		return corev1.PodAffinityTerm{TopologyKey: corev1.LabelHostname, NamespaceSelector: nsSel,
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}}
	}
	anti := func(t corev1.PodAffinityTerm) func(*corev1.PodSpec) {
		return func(s *corev1.PodSpec) {
			s.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{t}}}
		}
	}
	// web pods on n-0 (namespace logging), n-1 (shop), n-2 (ghost: no
	// Namespace object)
	web := func(withAnti *corev1.PodAffinityTerm) []*corev1.Pod {
		var out []*corev1.Pod
		for i, ns := range []string{"logging", "shop", "ghost"} {
			out = append(out, pod("web", []string{"n-0", "n-1", "n-2"}[i], "10m", func(p *corev1.Pod) {
				p.Namespace, p.Labels = ns, map[string]string{"app": "web"}
				if withAnti != nil {
					p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{*withAnti}}}
				}
			}))
		}
		return out
	}
	given := []*corev1.Namespace{namespace("logging", "team", "infra"), namespace("shop", "team", "web"), namespace("kube-system")}
	kubeSystemInfra := []*corev1.Namespace{namespace("logging", "team", "infra"), namespace("shop", "team", "web"), namespace("kube-system", "team", "infra")}
	withoutKubeSystem := []*corev1.Namespace{namespace("logging", "team", "infra"), namespace("shop", "team", "web")}
	for _, tc := range []struct {
		name string
		pods []*corev1.Pod
		spec func(*corev1.PodSpec)
		ns   []*corev1.Namespace // nil: not given
		want string              // per node n-0 n-1 n-2: R (Runs), A (the pod's anti-affinity), E (a bound pod's)
	}{
		{"the daemon pod's term, team=infra, namespaces not given", web(nil), anti(term("web", infra)), nil, "RRR"},
		{"the daemon pod's term, team=infra, namespaces given", web(nil), anti(term("web", infra)), given, "ARR"},
		{"the daemon pod's term, no team label, namespaces not given", web(nil), anti(term("web", noTeam)), nil, "AAA"},
		{"the daemon pod's term, no team label: a namespace not given is not selected", web(nil), anti(term("web", noTeam)), given, "RRR"},
		{"a bound pod's term, team=infra, namespaces not given", web(ptrTerm(term("agent", infra))), nil, nil, "RRR"},
		{"a bound pod's term, team=infra, the daemon pod's namespace has it", web(ptrTerm(term("agent", infra))), nil, kubeSystemInfra, "EEE"},
		{"a bound pod's term, team=infra, the daemon pod's namespace lacks it", web(ptrTerm(term("agent", infra))), nil, given, "RRR"},
		{"a bound pod's term, no team label, the daemon pod's namespace is not given: no labels", web(ptrTerm(term("agent", noTeam))), nil, withoutKubeSystem, "EEE"},
		{"a bound pod's term, no team label, namespaces given", web(ptrTerm(term("agent", noTeam))), nil, kubeSystemInfra, "RRR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cluster(t, pool(t, simulate.NewNodePool("n", 3)), tc.pods...)
			if tc.ns != nil {
				var err error
				if c, err = c.WithNamespaces(tc.ns...); err != nil {
					t.Fatal(err)
				}
			}
			var d = ds("agent")
			if tc.spec != nil {
				d = ds("agent", tc.spec)
			}
			p := place(t, c, d)
			var got strings.Builder
			for _, np := range p.DaemonSets[0].Nodes {
				switch {
				case np.State == simulate.Runs:
					got.WriteByte('R')
				case len(np.Pending) == 1 && np.Pending[0].Kind == simulate.PendingPodAntiAffinity:
					got.WriteByte('A')
				case len(np.Pending) == 1 && np.Pending[0].Kind == simulate.PendingExistingPodsAntiAffinity:
					got.WriteByte('E')
				default:
					got.WriteString("?" + string(np.State))
				}
			}
			if got.String() != tc.want {
				t.Errorf("nodes %s, want %s", got.String(), tc.want)
			}
			// the selector reads a label other than the name: not decided
			// without the Namespaces
			if tc.ns == nil {
				tr := simtest.AssertTrap(t, p, simulate.TrapSchedulerNotModelled)
				if !strings.Contains(tr.Message, "namespaceSelector on namespace labels other than kubernetes.io/metadata.name (the cluster's Namespaces were not given)") {
					t.Errorf("trap message %q", tr.Message)
				}
			} else {
				simtest.AssertNoTrap(t, p, simulate.TrapSchedulerNotModelled)
			}
		})
	}
}

func ptrTerm(t corev1.PodAffinityTerm) *corev1.PodAffinityTerm { return &t }

// WithNamespaces refuses a nil Namespace, one without a name and two of a
// name, with their field paths; the API server's name label is added to
// the labels read, not to the objects given.
func TestCluster_WithNamespaces(t *testing.T) {
	c := cluster(t, pool(t, simulate.NewNodePool("n", 1)))
	_, err := c.WithNamespaces(nil, &corev1.Namespace{}, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a"}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a"}})
	var ie *simulate.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want *InputError", err)
	}
	for _, want := range []string{"namespaces[0]: Required value: nil Namespace", "namespaces[1].metadata.name: Required value", "namespaces[3].metadata.name: Duplicate value: \"a (also namespaces[2])\""} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
	a := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a"}}
	c2, err := c.WithNamespaces(a)
	if err != nil {
		t.Fatal(err)
	}
	if got := c2.Namespaces(); len(got) != 1 || got[0] != a || a.Labels != nil {
		t.Errorf("Namespaces() = %v, labels %v", got, a.Labels)
	}
	if c.Namespaces() != nil || c2.NumNodes() != 1 {
		t.Error("c changed, or c2 lost its nodes")
	}
}

// LoadCluster passes the Namespaces of its files (`kubectl get ns -o yaml`)
// to the Cluster; two of a name are refused with both places.
func TestLoadCluster_Namespaces(t *testing.T) {
	nodes := []byte("apiVersion: v1\nkind: Node\nmetadata: {name: node-1}\n")
	ns := []byte("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: logging, labels: {team: infra}}\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: shop}\n")
	c, err := simulate.LoadCluster(simulate.ClusterFile{Name: "nodes.yaml", Data: nodes}, simulate.ClusterFile{Name: "ns.yaml", Data: ns})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Namespaces(); len(got) != 2 || got[0].Name != "logging" || got[1].Name != "shop" {
		t.Errorf("Namespaces() = %v", got)
	}
	c, err = simulate.LoadCluster(simulate.ClusterFile{Name: "nodes.yaml", Data: nodes})
	if err != nil || c.Namespaces() != nil {
		t.Errorf("without Namespaces: %v, %v", c.Namespaces(), err)
	}
	_, err = simulate.LoadCluster(simulate.ClusterFile{Name: "a.yaml", Data: ns}, simulate.ClusterFile{Name: "b.yaml", Data: ns})
	if err == nil || !strings.Contains(err.Error(), `b.yaml: document 1, items[0] (line 4): duplicate Namespace "logging" (first at a.yaml: document 1, items[0] (line 4))`) {
		t.Errorf("err = %v", err)
	}
}
