package live

import (
	"context"
	"errors"
	"fmt"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Access is one request daemonkit may make: a verb on a resource, in a
// namespace ("" for cluster-wide or cluster-scoped), optionally of one
// named object.
type Access struct {
	Verb      string
	Group     string
	Resource  string
	Namespace string
	Name      string
}

// String reads like the server's refusal: "list pods cluster-wide",
// "get daemonsets.apps team-x/agent".
func (a Access) String() string {
	res := a.Resource
	if a.Group != "" {
		res += "." + a.Group
	}
	switch {
	case a.Name != "" && a.Namespace != "":
		return fmt.Sprintf("%s %s %s/%s", a.Verb, res, a.Namespace, a.Name)
	case a.Name != "":
		return fmt.Sprintf("%s %s %s", a.Verb, res, a.Name)
	case a.Namespace != "":
		return fmt.Sprintf("%s %s in namespace %s", a.Verb, res, a.Namespace)
	case a.Resource == "nodes":
		return fmt.Sprintf("%s %s", a.Verb, res)
	}
	return fmt.Sprintf("%s %s cluster-wide", a.Verb, res)
}

// ForbiddenError is a read the answer cannot do without (the nodes; the
// DaemonSets that are themselves the question) refused by the cluster's
// authorizer. Reason is the server's (or the access review's) explanation.
type ForbiddenError struct {
	Access Access
	Reason string
}

func (e *ForbiddenError) Error() string {
	s := "cannot " + e.Access.String()
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// verdict is what a SelfSubjectAccessReview said about one Access.
type verdict struct {
	allowed, known bool
	reason         string
}

// accessChecker asks the server up front, with SelfSubjectAccessReviews,
// whether the user may make each request, so that a forbidden list is
// skipped (and said so) instead of failing half-way. Creating a
// SelfSubjectAccessReview asks a question about the caller's own rights;
// it stores nothing and changes no cluster state (every authenticated user
// may create one: upstream plugin/pkg/auth/authorizer/rbac/bootstrappolicy
// policy.go, ClusterRole system:basic-user).
//
// A review that fails (an old server, a proxy that refuses it) is not an
// answer: the request is then tried and a 403 handled the same way.
type accessChecker struct {
	cs   kubernetes.Interface
	seen map[Access]verdict
}

func newAccessChecker(cs kubernetes.Interface) *accessChecker {
	return &accessChecker{cs: cs, seen: map[Access]verdict{}}
}

func (c *accessChecker) check(ctx context.Context, a Access) verdict {
	if v, ok := c.seen[a]; ok {
		return v
	}
	r, err := c.cs.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authorizationv1.SelfSubjectAccessReview{
		Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace: a.Namespace, Verb: a.Verb, Group: a.Group, Resource: a.Resource, Name: a.Name,
		}},
	}, metav1.CreateOptions{})
	var v verdict
	if err == nil {
		v = verdict{allowed: r.Status.Allowed, known: true, reason: r.Status.Reason}
		if !v.allowed && v.reason == "" {
			v.reason = "no role grants it"
		}
	}
	c.seen[a] = v
	return v
}

// forbidden says whether err is the server refusing a request (403), and
// returns its message.
func forbidden(err error) (string, bool) {
	var se apierrors.APIStatus
	if apierrors.IsForbidden(err) && errors.As(err, &se) {
		return se.Status().Message, true
	}
	return "", false
}
