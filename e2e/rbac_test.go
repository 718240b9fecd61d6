package e2e

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/e2e/harness"
	"github.com/daemonkit/daemonkit/simulate/live"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"
)

// recordingProxy forwards to the API server and records every request a
// client makes through it — a wrapping http.RoundTripper on the way to the
// real server, so the CLI under test runs unchanged.
type recordingProxy struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []string // "METHOD path?query -> status"
}

func newRecordingProxy(t *testing.T, target string) *recordingProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &recordingProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // the harness's self-signed loopback server
	rp.ModifyResponse = func(r *http.Response) error {
		p.mu.Lock()
		p.reqs = append(p.reqs, fmt.Sprintf("%s %s -> %d", r.Request.Method, r.Request.URL.RequestURI(), r.StatusCode))
		p.mu.Unlock()
		return nil
	}
	p.Server = httptest.NewTLSServer(rp)
	t.Cleanup(p.Close)
	return p
}

// take returns the requests recorded since the last take.
func (p *recordingProxy) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.reqs
	p.reqs = nil
	return out
}

// verbOf is the authorizer's verb of a recorded request.
// upstream: staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go NewRequestInfo
func verbOf(rec string) (verb, path string) {
	method, rest, _ := strings.Cut(rec, " ")
	uri, _, _ := strings.Cut(rest, " -> ")
	path, query, _ := strings.Cut(uri, "?")
	parts := strings.Split(strings.Trim(path, "/"), "/")
	resourceRequest := (len(parts) >= 2 && parts[0] == "api") || (len(parts) >= 3 && parts[0] == "apis")
	if !resourceRequest {
		return strings.ToLower(method), path // discovery and other non-resource URLs
	}
	if parts[0] == "api" {
		parts = parts[2:]
	} else {
		parts = parts[3:]
	}
	if len(parts) >= 2 && parts[0] == "namespaces" && len(parts) != 2 {
		parts = parts[2:]
	}
	named := len(parts) >= 2
	switch method {
	case http.MethodGet:
		switch {
		case strings.Contains(query, "watch=true"):
			return "watch", path
		case named:
			return "get", path
		}
		return "list", path
	case http.MethodPost:
		return "create", path
	case http.MethodPatch:
		return "patch", path
	case http.MethodPut:
		return "update", path
	case http.MethodDelete:
		return "delete", path
	}
	return strings.ToLower(method), path
}

// readOnly fails the test for any request but get, list and watch, and the
// creation of SelfSubjectAccessReviews (a question about one's own rights
// that stores nothing).
func readOnly(t *testing.T, what string, reqs []string) {
	t.Helper()
	if len(reqs) == 0 {
		t.Errorf("%s: no requests recorded", what)
	}
	for _, r := range reqs {
		verb, path := verbOf(r)
		switch {
		case verb == "get" || verb == "list" || verb == "watch":
		case verb == "create" && path == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews":
		default:
			t.Errorf("%s sent %s (verb %s): explain and rollout may only read", what, r, verb)
		}
		if strings.Contains(path, "/secrets") || strings.Contains(path, "/configmaps") {
			t.Errorf("%s read %s", what, r)
		}
	}
}

// serviceAccountKubeconfig creates ServiceAccount ns/name, a token for it
// and a kubeconfig that reaches the API server through proxy, with
// namespace ns in its context.
func serviceAccountKubeconfig(t *testing.T, ctx context.Context, cs kubernetes.Interface, ns, name string, proxy *recordingProxy) string {
	t.Helper()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	hour := int64(3600)
	tok, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, name,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &hour}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".kubeconfig")
	kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster: {server: %q, insecure-skip-tls-verify: true}
users:
- name: %s
  user: {token: %q}
contexts:
- name: %s
  context: {cluster: e2e, user: %s, namespace: %s}
current-context: %s
`, proxy.URL, name, tok.Status.Token, name, name, ns, name)
	if err := os.WriteFile(path, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// bind grants ServiceAccount ns/sa a ClusterRole cluster-wide, or in one
// namespace with a RoleBinding when in is not empty.
func bind(t *testing.T, ctx context.Context, cs kubernetes.Interface, role *rbacv1.ClusterRole, ns, sa, in string) {
	t.Helper()
	if _, err := cs.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.RbacV1().ClusterRoles().Delete(context.Background(), role.Name, metav1.DeleteOptions{}) })
	subj := []rbacv1.Subject{{Kind: "ServiceAccount", Namespace: ns, Name: sa}}
	ref := rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role.Name}
	name := role.Name + "-" + sa
	if in == "" {
		b := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, Subjects: subj, RoleRef: ref}
		if _, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, b, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = cs.RbacV1().ClusterRoleBindings().Delete(context.Background(), name, metav1.DeleteOptions{})
		})
		return
	}
	b := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: in, Name: name}, Subjects: subj, RoleRef: ref}
	if _, err := cs.RbacV1().RoleBindings(in).Create(ctx, b, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

func readRole(name string, rules ...rbacv1.PolicyRule) *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}
}

func rule(group string, verbs []string, resources ...string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{APIGroups: []string{group}, Resources: resources, Verbs: verbs}
}

// waitAllowed waits until the authorizer lets the user of kubeconfig make
// a request (RBAC sees new bindings through an informer, a moment later).
func waitAllowed(t *testing.T, ctx context.Context, kubeconfig string, attrs authorizationv1.ResourceAttributes) {
	t.Helper()
	cfg, err := live.Config(kubeconfig, "")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := cs.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx,
			&authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &attrs}}, metav1.CreateOptions{})
		if err == nil && r.Status.Allowed {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%+v still not allowed after 30s: %v", attrs, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// jsonWarnings runs `daemonkit explain|rollout ... -o json` and returns
// its warning codes; it fails the test unless the exit status is 0.
func jsonWarnings(t *testing.T, bin string, args ...string) []string {
	t.Helper()
	out, stderr, err := runCLI(t, bin, append(args, "-o", "json")...)
	if err != nil {
		t.Fatalf("%s: %v\n%s%s", strings.Join(args, " "), err, out, stderr)
	}
	var rep struct {
		Warnings []struct{ Code, Message string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	var codes []string
	for _, w := range rep.Warnings {
		codes = append(codes, w.Code)
	}
	return codes
}

// Least-privileged users on the real control plane: a platform engineer who
// may get/list nodes and DaemonSets cluster-wide but not pods, a team that
// may read only its own namespace (and the nodes), and a team without even
// the nodes. explain (live and with -f) and rollout answer with a note of
// what is missing and exit 0, apply is refused with the server's reason,
// and every request the CLI sent was a read. The ClusterRoles that
// --print-rbac prints are then enough on the same server: a user bound to
// the read role gets answers with no note, one bound to the apply role
// applies.
func TestLeastPrivilegedUsers(t *testing.T) {
	cs := client(t)
	ctx := testContext(t, 4*time.Minute)
	bin := buildCLI(t)
	var nodes []*corev1.Node
	for _, name := range []string{"rbac-0", "rbac-1"} {
		nodes = append(nodes, inGroup(harness.FakeNode(name), "rbac"))
	}
	createNodes(t, ctx, cs, nodes)
	const ns = "e2e-team-x"
	if err := harness.CreateNamespace(ctx, cs, ns); err != nil {
		t.Fatal(err)
	}
	ds := validAgent("agent")
	ds.Namespace = ns
	ds.Spec.Template.Spec.NodeSelector = map[string]string{groupLabel: "rbac"}
	if _, err := cs.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.AppsV1().DaemonSets(ns).Delete(context.Background(), ds.Name, metav1.DeleteOptions{}) })
	waitSettled(t, ctx, cs, ns, ds.Name, time.Second)
	next := ds.DeepCopy()
	next.Spec.Template.Spec.Containers[0].Image = newImage
	manifest, err := daemonset.EncodeYAML(next)
	if err != nil {
		t.Fatal(err)
	}
	nextFile := filepath.Join(t.TempDir(), "agent-next.yaml")
	if err := os.WriteFile(nextFile, manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	getList := []string{"get", "list"}

	// The platform engineer: nodes and DaemonSets cluster-wide, no pods.
	platformProxy := newRecordingProxy(t, cluster.Host)
	platform := serviceAccountKubeconfig(t, ctx, cs, ns, "platform", platformProxy)
	bind(t, ctx, cs, readRole("e2e-platform-reader", rule("", getList, "nodes"), rule("apps", getList, "daemonsets")), ns, "platform", "")
	waitAllowed(t, ctx, platform, authorizationv1.ResourceAttributes{Verb: "list", Group: "apps", Resource: "daemonsets"})
	// The team: the nodes, and its namespace's DaemonSets and pods.
	teamProxy := newRecordingProxy(t, cluster.Host)
	team := serviceAccountKubeconfig(t, ctx, cs, ns, "team", teamProxy)
	bind(t, ctx, cs, readRole("e2e-node-reader", rule("", getList, "nodes")), ns, "team", "")
	bind(t, ctx, cs, readRole("e2e-team-reader", rule("", getList, "pods"), rule("apps", getList, "daemonsets")), ns, "team", ns)
	waitAllowed(t, ctx, team, authorizationv1.ResourceAttributes{Verb: "list", Resource: "pods", Namespace: ns})
	waitAllowed(t, ctx, team, authorizationv1.ResourceAttributes{Verb: "list", Resource: "nodes"})

	const otherPods = "cannot list pods cluster-wide: the scheduler stage does not see other pods; Pending predictions are missing"
	for _, u := range []struct {
		name, kubeconfig string
		proxy            *recordingProxy
		// warnings of explain --name, explain -f, rollout, explain (all)
		want [4]string
	}{
		// neither may list PriorityClasses, PodDisruptionBudgets or
		// Namespaces, which the scheduler stage reads (priority admission,
		// preemption's reprieves, pod affinity namespaceSelectors)
		{"platform", platform, platformProxy, [4]string{
			"DaemonSetPodsForbidden OtherPodsForbidden PriorityClassesForbidden PodDisruptionBudgetsForbidden NamespacesForbidden",
			"DaemonSetPodsForbidden OtherPodsForbidden PriorityClassesForbidden PodDisruptionBudgetsForbidden NamespacesForbidden",
			"DaemonSetPodsForbidden OtherPodsForbidden PriorityClassesForbidden PodDisruptionBudgetsForbidden NamespacesForbidden",
			"DaemonSetPodsForbidden OtherPodsForbidden PriorityClassesForbidden PodDisruptionBudgetsForbidden NamespacesForbidden"}},
		{"team", team, teamProxy, [4]string{
			"OtherPodsForbidden PriorityClassesForbidden PodDisruptionBudgetsForbidden NamespacesForbidden",
			"OtherPodsForbidden PriorityClassesForbidden PodDisruptionBudgetsForbidden NamespacesForbidden",
			"OtherPodsForbidden PriorityClassesForbidden PodDisruptionBudgetsForbidden NamespacesForbidden",
			"DaemonSetsForbidden OtherPodsForbidden PriorityClassesForbidden PodDisruptionBudgetsForbidden NamespacesForbidden"}},
	} {
		kc := []string{"--kubeconfig", u.kubeconfig}
		runs := [][]string{
			append([]string{"explain", "--name", ns + "/agent"}, kc...),
			append([]string{"explain", "-f", nextFile}, kc...),
			append([]string{"rollout", "-f", nextFile, "--startup", "5s"}, kc...),
			append([]string{"explain"}, kc...),
		}
		for i, args := range runs {
			what := u.name + ": " + strings.Join(args[:2], " ")
			out, stderr, err := runCLI(t, bin, args...)
			if err != nil {
				t.Errorf("%s: %v\n%s%s", what, err, out, stderr)
				continue
			}
			if strings.Count(out, otherPods) != 1 {
				t.Errorf("%s: the note is not in the text once:\n%s", what, out)
			}
			if !strings.Contains(out, "DaemonSet "+ns+"/agent") && !strings.Contains(out, "Rollout of "+ns+"/agent") {
				t.Errorf("%s: no answer:\n%s", what, out)
			}
			if got := strings.Join(jsonWarnings(t, bin, args...), " "); got != u.want[i] {
				t.Errorf("%s -o json: warnings %q, want %q", what, got, u.want[i])
			}
			readOnly(t, what, u.proxy.take())
		}
		// apply is refused, with the server's reason; its requests are
		// discovery and the apply itself.
		out, stderr, err := runCLI(t, bin, "apply", "-f", nextFile, "--kubeconfig", u.kubeconfig)
		reason := fmt.Sprintf(`daemonsets.apps "agent" is forbidden: User "system:serviceaccount:%s:%s" cannot patch resource "daemonsets" in API group "apps" in the namespace %q`, ns, u.name, ns)
		if err == nil || !strings.Contains(stderr, reason) {
			t.Errorf("%s: apply: %v\n%s%s\nwant the server's reason %q", u.name, err, out, stderr, reason)
		}
		for _, r := range u.proxy.take() {
			if verb, path := verbOf(r); verb != "get" && !(verb == "patch" && strings.HasSuffix(path, "/daemonsets/agent")) {
				t.Errorf("%s: apply sent %s", u.name, r)
			}
		}
	}

	// Without the nodes there is no answer: exit 1 and the reason.
	loneProxy := newRecordingProxy(t, cluster.Host)
	lone := serviceAccountKubeconfig(t, ctx, cs, ns, "lone", loneProxy)
	bind(t, ctx, cs, readRole("e2e-team-reader", rule("", getList, "pods"), rule("apps", getList, "daemonsets")), ns, "lone", ns)
	waitAllowed(t, ctx, lone, authorizationv1.ResourceAttributes{Verb: "list", Resource: "pods", Namespace: ns})
	out, stderr, err := runCLI(t, bin, "explain", "--kubeconfig", lone, "--name", ns+"/agent")
	if err == nil || !strings.Contains(stderr, "cannot list nodes") || !strings.Contains(stderr, "'daemonkit explain --print-rbac' prints the ClusterRole it needs") {
		t.Errorf("explain without nodes: %v\n%s%s", err, out, stderr)
	}
	readOnly(t, "lone: explain", loneProxy.take())

	// The printed ClusterRoles are enough.
	printed := func(args ...string) *rbacv1.ClusterRole {
		out, stderr, err := runCLI(t, bin, append(args, "--print-rbac")...)
		if err != nil {
			t.Fatalf("%s --print-rbac: %v\n%s", args[0], err, stderr)
		}
		var role rbacv1.ClusterRole
		if err := yaml.UnmarshalStrict([]byte(out), &role); err != nil {
			t.Fatalf("%s --print-rbac: %v\n%s", args[0], err, out)
		}
		role.Name = "e2e-printed-" + args[0]
		return &role
	}
	readerProxy := newRecordingProxy(t, cluster.Host)
	reader := serviceAccountKubeconfig(t, ctx, cs, ns, "reader", readerProxy)
	bind(t, ctx, cs, printed("explain"), ns, "reader", "")
	bind(t, ctx, cs, printed("rollout"), ns, "reader", "")
	waitAllowed(t, ctx, reader, authorizationv1.ResourceAttributes{Verb: "list", Resource: "pods"})
	waitAllowed(t, ctx, reader, authorizationv1.ResourceAttributes{Verb: "list", Group: "apps", Resource: "daemonsets"})
	for _, args := range [][]string{
		{"explain", "--name", ns + "/agent"}, {"explain"}, {"explain", "-f", nextFile}, {"rollout", "-f", nextFile},
	} {
		if w := jsonWarnings(t, bin, append(args, "--kubeconfig", reader)...); len(w) > 0 {
			t.Errorf("reader bound to the printed ClusterRoles: %s warns %v", strings.Join(args, " "), w)
		}
	}
	readOnly(t, "reader", readerProxy.take())
	deployerProxy := newRecordingProxy(t, cluster.Host)
	deployer := serviceAccountKubeconfig(t, ctx, cs, ns, "deployer", deployerProxy)
	bind(t, ctx, cs, printed("apply", "-f", nextFile), ns, "deployer", "")
	waitAllowed(t, ctx, deployer, authorizationv1.ResourceAttributes{Verb: "patch", Group: "apps", Resource: "daemonsets", Namespace: ns, Name: "agent"})
	// The DaemonSet was created by this test's client (field manager
	// daemonkit-e2e), so the image is its field: taking it over is the
	// user's explicit choice, --force-conflicts.
	if out, stderr, err := runCLI(t, bin, "apply", "-f", nextFile, "--kubeconfig", deployer, "--force-conflicts"); err != nil {
		t.Errorf("apply bound to the printed ClusterRole: %v\n%s%s", err, out, stderr)
	}
	got, err := cs.AppsV1().DaemonSets(ns).Get(ctx, "agent", metav1.GetOptions{})
	if err != nil || got.Spec.Template.Spec.Containers[0].Image != newImage {
		t.Errorf("after apply: %v, image %v", err, got)
	}
	for _, r := range deployerProxy.take() {
		verb, path := verbOf(r)
		if verb == "create" && path == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews" {
			continue // apply checks its permissions first
		}
		if !slices.Contains([]string{"get", "patch"}, verb) {
			t.Errorf("apply sent %s", r)
		}
	}
}
