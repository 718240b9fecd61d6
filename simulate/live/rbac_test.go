package live

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/daemonkit/daemonkit/internal/fakeapi"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// allows is RBAC's rule match for one ClusterRole (bound cluster-wide).
// upstream: plugin/pkg/auth/authorizer/rbac/rbac.go RuleAllows
func allows(role *rbacv1.ClusterRole, a fakeapi.Access) bool {
	for _, r := range role.Rules {
		if slices.Contains(r.Verbs, a.Verb) && slices.Contains(r.APIGroups, a.Group) && slices.Contains(r.Resources, a.Resource) &&
			(len(r.ResourceNames) == 0 || slices.Contains(r.ResourceNames, a.Name)) {
			return true
		}
	}
	return false
}

// The ClusterRole of a Request is enough (a user bound to it gets a full
// answer, no request refused) and minimal (without any one of its verbs
// the answer has a Warning or fails).
func TestClusterRoleIsEnoughAndMinimal(t *testing.T) {
	agent := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: "team-x", Name: "agent"},
		Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}}}}
	for name, req := range map[string]Request{
		"explain live":      {AllDaemonSets: true, SchedulerStage: true, RequireDaemonSets: true},
		"explain --name":    {DaemonSets: []string{"team-x/agent"}, SchedulerStage: true, RequireDaemonSets: true},
		"explain -f":        {Templates: []*appsv1.DaemonSet{agent}, SchedulerStage: true},
		"rollout":           {DaemonSets: []string{"team-x/agent"}, Templates: []*appsv1.DaemonSet{agent}, SchedulerStage: true},
		"rollout, no sched": {DaemonSets: []string{"team-x/agent"}, Templates: []*appsv1.DaemonSet{agent}},
	} {
		role := req.ClusterRole("r")
		full := func(drop int) (*Snapshot, error) {
			nodes, pods, dss := teamCluster()
			srv := fakeapi.New(nodes, pods, dss)
			defer srv.Close()
			r := role.DeepCopy()
			if drop >= 0 {
				as := req.Accesses()
				d := as[drop]
				for i := range r.Rules {
					if r.Rules[i].Resources[0] == d.Resource {
						r.Rules[i].Verbs = slices.DeleteFunc(r.Rules[i].Verbs, func(v string) bool { return v == d.Verb })
					}
				}
			}
			srv.Allow = func(a fakeapi.Access) bool { return allows(r, a) }
			cs, _ := client(t, srv)
			snap, err := ReadFrom(context.Background(), cs, req)
			return snap, err
		}
		snap, err := full(-1)
		if err != nil || len(snap.Warnings) > 0 {
			t.Errorf("%s: under its own ClusterRole %v: %v, warnings %v", name, role.Rules, err, snap.Warnings)
		}
		for i, a := range req.Accesses() {
			snap, err := full(i)
			if err == nil && len(snap.Warnings) == 0 {
				t.Errorf("%s: without %s the answer is the same; the role is not minimal", name, a)
			}
		}
	}
}

func ExampleRequest_ClusterRole() {
	// explain of a live cluster: every DaemonSet, or one by namespace/name
	req := Request{AllDaemonSets: true, DaemonSets: []string{"team-x/agent"}, SchedulerStage: true}
	for _, r := range req.ClusterRole("daemonkit-explain").Rules {
		fmt.Printf("%q %v %v\n", r.APIGroups, r.Resources, r.Verbs)
	}
	// Output:
	// [""] [namespaces] [list]
	// [""] [nodes] [list]
	// [""] [pods] [list]
	// ["apps"] [daemonsets] [get list]
	// ["policy"] [poddisruptionbudgets] [list]
	// ["scheduling.k8s.io"] [priorityclasses] [list]
}

func ExampleApplyClusterRole() {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "monitoring"}}
	sa := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ServiceAccount",
		"metadata": map[string]any{"name": "agent", "namespace": "monitoring"}}}
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "monitoring"}}
	role, err := ApplyClusterRole("daemonkit-apply", []runtime.Object{ns, sa, ds})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range role.Rules {
		fmt.Printf("%q %v %v %v\n", r.APIGroups, r.Resources, r.ResourceNames, r.Verbs)
	}
	// Output:
	// [""] [namespaces] [monitoring] [create patch]
	// [""] [serviceaccounts] [agent] [create patch]
	// ["apps"] [daemonsets] [agent] [create patch]
}
