package live

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Accesses lists every request Read may make for req, one per verb and
// resource (namespaces and names aside), sorted by group, resource, verb.
// SelfSubjectAccessReviews are not among them: every authenticated user may
// create them, and they change nothing.
func (req Request) Accesses() []Access {
	out := []Access{nodesList}
	bare := slices.ContainsFunc(req.DaemonSets, func(s string) bool { return !strings.Contains(s, "/") })
	named := slices.ContainsFunc(req.DaemonSets, func(s string) bool { return strings.Contains(s, "/") })
	if req.AllDaemonSets || bare {
		out = append(out, daemonSetList)
	}
	if named {
		out = append(out, Access{Verb: "get", Group: "apps", Resource: "daemonsets"})
	}
	if req.AllDaemonSets || len(req.DaemonSets) > 0 || len(req.Templates) > 0 || req.SchedulerStage {
		out = append(out, podsList)
	}
	if req.readsPriorityClasses() {
		out = append(out, priorityClassesList)
	}
	if req.SchedulerStage {
		out = append(out, pdbList, namespacesList)
	}
	return sortAccesses(out)
}

func sortAccesses(as []Access) []Access {
	slices.SortFunc(as, func(x, y Access) int {
		return strings.Compare(x.Group+"\x00"+x.Resource+"\x00"+x.Verb, y.Group+"\x00"+y.Resource+"\x00"+y.Verb)
	})
	return slices.Compact(as)
}

// ClusterRole returns the minimal ClusterRole named name under which Read
// reads everything req may need, so that it answers without Warnings: the
// verbs of req.Accesses on exactly those resources. It is read-only — get
// and list, no watch, no writes — and names no Secrets or ConfigMaps.
func (req Request) ClusterRole(name string) *rbacv1.ClusterRole {
	return clusterRole(name, req.Accesses(), nil)
}

// ApplyClusterRole returns the minimal ClusterRole named name under which
// Apply applies objs: on each kind, patch (server-side apply is a PATCH)
// and create (when the object does not exist yet, the server also
// authorizes a create; upstream:
// staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go
// createAuthorizerAttributes), restricted with resourceNames to the
// objects' names. The resource of a kind is its lower-case plural, as for
// every built-in kind. Granting a ClusterRole or Role by applying it needs
// more: RBAC lets a user grant only permissions it holds itself (or the
// escalate and bind verbs).
func ApplyClusterRole(name string, objs []runtime.Object) (*rbacv1.ClusterRole, error) {
	var as []Access
	names := map[Access][]string{}
	for i, obj := range objs {
		u, err := toUnstructured(obj)
		if err != nil {
			return nil, fmt.Errorf("objects[%d]: %w", i, err)
		}
		if u.GetName() == "" {
			return nil, fmt.Errorf("objects[%d] %s: metadata.name: Required value: server-side apply needs a name", i, u.GetKind())
		}
		gvk := u.GroupVersionKind()
		res, _ := meta.UnsafeGuessKindToResource(gvk)
		for _, verb := range []string{"create", "patch"} {
			a := Access{Verb: verb, Group: gvk.Group, Resource: res.Resource}
			as = append(as, a)
			if !slices.Contains(names[a], u.GetName()) {
				names[a] = append(names[a], u.GetName())
			}
		}
	}
	return clusterRole(name, sortAccesses(as), names), nil
}

// clusterRole builds a ClusterRole with one rule per group and resource
// (and set of names), verbs sorted.
func clusterRole(name string, as []Access, names map[Access][]string) *rbacv1.ClusterRole {
	cr := &rbacv1.ClusterRole{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
	}
	for _, a := range as {
		n := slices.Sorted(slices.Values(names[a]))
		if k := len(cr.Rules) - 1; k >= 0 {
			last := &cr.Rules[k]
			if last.APIGroups[0] == a.Group && last.Resources[0] == a.Resource && slices.Equal(last.ResourceNames, n) {
				last.Verbs = append(last.Verbs, a.Verb)
				continue
			}
		}
		cr.Rules = append(cr.Rules, rbacv1.PolicyRule{APIGroups: []string{a.Group}, Resources: []string{a.Resource}, ResourceNames: n, Verbs: []string{a.Verb}})
	}
	return cr
}
