// Package fakeapi is a small Kubernetes API server over HTTP for the tests
// of live reads (simulate/live, cmd/daemonkit): it serves Nodes, Pods,
// DaemonSets, PriorityClasses, PodDisruptionBudgets and Namespaces from memory with limit/continue pagination, label and field
// selectors, answers SelfSubjectAccessReviews, and refuses what Allow
// refuses with the 403 a real API server sends. It stores nothing and
// accepts no writes (405), so a client that tries one fails its test.
package fakeapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes/scheme"
)

// Access is one resource request as the authorizer sees it.
type Access struct {
	Verb, Group, Resource, Namespace, Name string
}

// Server is a running fake API server; its URL is Server.URL.
type Server struct {
	*httptest.Server
	// User names the caller in refusals.
	User string
	// Allow decides each access (nil: everything is allowed).
	Allow func(Access) bool
	// ExpireContinue answers the first request with a continue token with
	// 410 Expired, as a server whose etcd compacted past the token.
	ExpireContinue bool
	// NoReviews answers SelfSubjectAccessReviews with 404, as a server or
	// proxy that does not serve them.
	NoReviews bool
	// PriorityClasses are served at /apis/scheduling.k8s.io/v1/priorityclasses
	// (set before the first request).
	PriorityClasses []schedulingv1.PriorityClass
	// PodDisruptionBudgets are served at /apis/policy/v1/poddisruptionbudgets
	// (set before the first request).
	PodDisruptionBudgets []policyv1.PodDisruptionBudget
	// Namespaces are served at /api/v1/namespaces (set before the first
	// request).
	Namespaces []corev1.Namespace

	nodes []corev1.Node
	pods  []corev1.Pod
	dss   []appsv1.DaemonSet

	mu       sync.Mutex
	expired  bool
	requests []string
}

// New starts a server holding the given objects (copied, sorted by
// namespace/name as etcd returns them).
func New(nodes []*corev1.Node, pods []*corev1.Pod, dss []*appsv1.DaemonSet) *Server {
	s := &Server{User: "tester"}
	for _, n := range nodes {
		s.nodes = append(s.nodes, *n.DeepCopy())
	}
	for _, p := range pods {
		s.pods = append(s.pods, *p.DeepCopy())
	}
	for _, d := range dss {
		s.dss = append(s.dss, *d.DeepCopy())
	}
	slices.SortFunc(s.nodes, func(a, b corev1.Node) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(s.pods, func(a, b corev1.Pod) int { return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name) })
	slices.SortFunc(s.dss, func(a, b appsv1.DaemonSet) int {
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Requests returns "METHOD path?query" of every request served so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Kubeconfig writes a kubeconfig for the server into dir and returns its
// path; its one context is "fake", with namespace ns.
func (s *Server) Kubeconfig(dir, ns string) (string, error) {
	path := filepath.Join(dir, "kubeconfig")
	kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster: {server: %q}
users:
- name: tester
  user: {token: fake}
contexts:
- name: fake
  context: {cluster: fake, user: tester, namespace: %q}
current-context: fake
`, s.URL, ns)
	return path, os.WriteFile(path, []byte(kc), 0o600)
}

func (s *Server) allowed(a Access) bool { return s.Allow == nil || s.Allow(a) }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	s.mu.Unlock()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if r.Method == http.MethodPost && r.URL.Path == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews" {
		if s.NoReviews {
			status(w, http.StatusNotFound, metav1.StatusReasonNotFound, "the server could not find the requested resource")
			return
		}
		s.review(w, r)
		return
	}
	if r.Method != http.MethodGet {
		status(w, http.StatusMethodNotAllowed, metav1.StatusReasonMethodNotAllowed, "the fake API server accepts no writes")
		return
	}
	// /api/v1/... or /apis/apps/v1/...
	var group string
	switch {
	case len(parts) >= 2 && parts[0] == "api" && parts[1] == "v1":
		parts = parts[2:]
	case len(parts) >= 3 && parts[0] == "apis" && parts[1] == "apps" && parts[2] == "v1":
		group, parts = "apps", parts[3:]
	case len(parts) >= 3 && parts[0] == "apis" && parts[1] == "scheduling.k8s.io" && parts[2] == "v1":
		group, parts = "scheduling.k8s.io", parts[3:]
	case len(parts) >= 3 && parts[0] == "apis" && parts[1] == "policy" && parts[2] == "v1":
		group, parts = "policy", parts[3:]
	default:
		status(w, http.StatusNotFound, metav1.StatusReasonNotFound, "the server could not find the requested resource")
		return
	}
	a := Access{Group: group, Verb: "list"}
	if len(parts) >= 2 && parts[0] == "namespaces" {
		a.Namespace, parts = parts[1], parts[2:]
	}
	switch len(parts) {
	case 1:
		a.Resource = parts[0]
	case 2:
		a.Resource, a.Name, a.Verb = parts[0], parts[1], "get"
	default:
		status(w, http.StatusNotFound, metav1.StatusReasonNotFound, "the server could not find the requested resource")
		return
	}
	if r.URL.Query().Get("watch") == "true" {
		a.Verb = "watch"
	}
	if !s.allowed(a) {
		status(w, http.StatusForbidden, metav1.StatusReasonForbidden, refusal(s.User, a))
		return
	}
	q := r.URL.Query()
	sel, err := labels.Parse(q.Get("labelSelector"))
	if err != nil {
		status(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, err.Error())
		return
	}
	fsel, err := fields.ParseSelector(q.Get("fieldSelector"))
	if err != nil {
		status(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, err.Error())
		return
	}
	switch {
	case group == "" && a.Resource == "nodes" && a.Namespace == "" && a.Name == "":
		s.list(w, r, "NodeList", "v1", filter(s.nodes, func(n *corev1.Node) bool {
			return sel.Matches(labels.Set(n.Labels)) && fsel.Matches(fields.Set{"metadata.name": n.Name})
		}))
	case group == "" && a.Resource == "pods" && a.Name == "":
		s.list(w, r, "PodList", "v1", filter(s.pods, func(p *corev1.Pod) bool {
			return (a.Namespace == "" || p.Namespace == a.Namespace) && sel.Matches(labels.Set(p.Labels)) &&
				fsel.Matches(fields.Set{"metadata.name": p.Name, "metadata.namespace": p.Namespace,
					"spec.nodeName": p.Spec.NodeName, "status.phase": string(p.Status.Phase)})
		}))
	case group == "apps" && a.Resource == "daemonsets" && a.Name == "":
		s.list(w, r, "DaemonSetList", "apps/v1", filter(s.dss, func(d *appsv1.DaemonSet) bool {
			return (a.Namespace == "" || d.Namespace == a.Namespace) && sel.Matches(labels.Set(d.Labels))
		}))
	case group == "apps" && a.Resource == "daemonsets":
		for _, d := range s.dss {
			if d.Namespace == a.Namespace && d.Name == a.Name {
				d.TypeMeta = metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"}
				write(w, http.StatusOK, &d)
				return
			}
		}
		status(w, http.StatusNotFound, metav1.StatusReasonNotFound, fmt.Sprintf("daemonsets.apps %q not found", a.Name))
	case group == "scheduling.k8s.io" && a.Resource == "priorityclasses" && a.Namespace == "" && a.Name == "":
		s.list(w, r, "PriorityClassList", "scheduling.k8s.io/v1", filter(s.PriorityClasses, func(pc *schedulingv1.PriorityClass) bool {
			return sel.Matches(labels.Set(pc.Labels))
		}))
	case group == "" && a.Resource == "namespaces" && a.Namespace == "" && a.Name == "":
		s.list(w, r, "NamespaceList", "v1", filter(s.Namespaces, func(n *corev1.Namespace) bool {
			return sel.Matches(labels.Set(n.Labels)) && fsel.Matches(fields.Set{"metadata.name": n.Name})
		}))
	case group == "policy" && a.Resource == "poddisruptionbudgets" && a.Name == "":
		s.list(w, r, "PodDisruptionBudgetList", "policy/v1", filter(s.PodDisruptionBudgets, func(p *policyv1.PodDisruptionBudget) bool {
			return (a.Namespace == "" || p.Namespace == a.Namespace) && sel.Matches(labels.Set(p.Labels))
		}))
	default:
		status(w, http.StatusNotFound, metav1.StatusReasonNotFound, "the server could not find the requested resource")
	}
}

func filter[T any](items []T, keep func(*T) bool) []T {
	var out []T
	for i := range items {
		if keep(&items[i]) {
			out = append(out, items[i])
		}
	}
	return out
}

// list writes one page of items: limit and continue (an offset) as the
// query asks, with metadata.remainingItemCount.
func (s *Server) list(w http.ResponseWriter, r *http.Request, kind, apiVersion string, items any) {
	v := sliceOf(items)
	q := r.URL.Query()
	start := 0
	if c := q.Get("continue"); c != "" {
		s.mu.Lock()
		expire := s.ExpireContinue && !s.expired
		s.expired = s.expired || expire
		s.mu.Unlock()
		if expire {
			status(w, http.StatusGone, metav1.StatusReasonExpired, "The provided continue parameter is too old to display a consistent list result.")
			return
		}
		var err error
		if start, err = strconv.Atoi(c); err != nil || start < 0 || start > len(v) {
			status(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, "bad continue token")
			return
		}
	}
	end := len(v)
	meta := map[string]any{"resourceVersion": "1"}
	if lim, _ := strconv.Atoi(q.Get("limit")); lim > 0 && start+lim < len(v) {
		end = start + lim
		meta["continue"] = strconv.Itoa(end)
		meta["remainingItemCount"] = len(v) - end
	}
	write(w, http.StatusOK, map[string]any{"kind": kind, "apiVersion": apiVersion, "metadata": meta, "items": v[start:end]})
}

func sliceOf(items any) []any {
	var out []any
	switch t := items.(type) {
	case []corev1.Node:
		for _, x := range t {
			out = append(out, x)
		}
	case []corev1.Pod:
		for _, x := range t {
			out = append(out, x)
		}
	case []appsv1.DaemonSet:
		for _, x := range t {
			out = append(out, x)
		}
	case []policyv1.PodDisruptionBudget:
		for _, x := range t {
			out = append(out, x)
		}
	case []schedulingv1.PriorityClass:
		for _, x := range t {
			out = append(out, x)
		}
	case []corev1.Namespace:
		for _, x := range t {
			out = append(out, x)
		}
	}
	if out == nil {
		out = []any{}
	}
	return out
}

// review answers a SelfSubjectAccessReview with Allow's verdict.
func (s *Server) review(w http.ResponseWriter, r *http.Request) {
	// client-go may send protobuf (its default for built-in types) or JSON
	var rev authorizationv1.SelfSubjectAccessReview
	body, err := io.ReadAll(r.Body)
	if err == nil {
		_, _, err = scheme.Codecs.UniversalDeserializer().Decode(body, nil, &rev)
	}
	if err != nil || rev.Spec.ResourceAttributes == nil {
		status(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, "expected a SelfSubjectAccessReview with resourceAttributes")
		return
	}
	ra := rev.Spec.ResourceAttributes
	a := Access{Verb: ra.Verb, Group: ra.Group, Resource: ra.Resource, Namespace: ra.Namespace, Name: ra.Name}
	rev.TypeMeta = metav1.TypeMeta{APIVersion: "authorization.k8s.io/v1", Kind: "SelfSubjectAccessReview"}
	rev.Status.Allowed = s.allowed(a)
	write(w, http.StatusCreated, &rev)
}

// refusal is the real server's 403 message.
// upstream: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go ForbiddenStatusError
func refusal(user string, a Access) string {
	res := a.Resource
	if a.Group != "" {
		res += "." + a.Group
	}
	subject := res
	if a.Name != "" {
		subject = fmt.Sprintf("%s %q", res, a.Name)
	}
	scope := "at the cluster scope"
	if a.Namespace != "" {
		scope = fmt.Sprintf("in the namespace %q", a.Namespace)
	}
	return fmt.Sprintf("%s is forbidden: User %q cannot %s resource %q in API group %q %s", subject, user, a.Verb, a.Resource, a.Group, scope)
}

func status(w http.ResponseWriter, code int, reason metav1.StatusReason, msg string) {
	write(w, code, &metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure, Message: msg, Reason: reason, Code: int32(code),
	})
}

func write(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
