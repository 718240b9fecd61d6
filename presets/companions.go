package presets

import (
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	psaapi "k8s.io/pod-security-admission/api"
)

// Companions are the objects a preset's agent needs besides its DaemonSet.
// A nil field means the agent does not need that object.
type Companions struct {
	// Namespace carries the Pod Security labels the agent's pods need
	// (NamespaceLabels of the preset's level). It is nil when the agent runs
	// in a namespace every cluster has (kube-system, default, kube-public,
	// kube-node-lease: IsSystemNamespace): applying an object for it would
	// take over a namespace the cluster owns and relabel it. kube-system is
	// exempt from Pod Security admission on most clusters; where it is not,
	// label it yourself.
	Namespace *corev1.Namespace
	// ServiceAccount is the identity the pods run as.
	ServiceAccount *corev1.ServiceAccount
	// ClusterRole holds the API permissions the agent uses, and
	// ClusterRoleBinding grants them to ServiceAccount.
	ClusterRole        *rbacv1.ClusterRole
	ClusterRoleBinding *rbacv1.ClusterRoleBinding
	// Service exposes the agent's metrics port for scraping.
	Service *corev1.Service
}

// Objects returns the non-nil companions in the order to apply them:
// Namespace, ServiceAccount, ClusterRole, ClusterRoleBinding, Service.
func (c Companions) Objects() []runtime.Object {
	var out []runtime.Object
	if c.Namespace != nil {
		out = append(out, c.Namespace)
	}
	if c.ServiceAccount != nil {
		out = append(out, c.ServiceAccount)
	}
	if c.ClusterRole != nil {
		out = append(out, c.ClusterRole)
	}
	if c.ClusterRoleBinding != nil {
		out = append(out, c.ClusterRoleBinding)
	}
	if c.Service != nil {
		out = append(out, c.Service)
	}
	return out
}

// companionSet assembles the usual companions of an agent.
type companionSet struct {
	name, namespace string
	labels          map[string]string
	level           psaapi.Level
	automount       *bool
	rules           []rbacv1.PolicyRule
	// metricsPort > 0 adds a ClusterIP Service on that port, selecting
	// selector, targeting the named container port.
	metricsPort     int32
	metricsPortName string
	selector        map[string]string
}

// IsSystemNamespace reports whether every Kubernetes cluster has the
// namespace ns from the start: kube-system, default, kube-public and
// kube-node-lease (upstream: pkg/controlplane/controller/systemnamespaces,
// and metav1.NamespaceDefault). Presets never emit them as objects.
func IsSystemNamespace(ns string) bool {
	switch ns {
	case metav1.NamespaceSystem, metav1.NamespaceDefault, metav1.NamespacePublic, corev1.NamespaceNodeLease:
		return true
	}
	return false
}

func (s companionSet) build() Companions {
	c := Companions{
		ServiceAccount: &corev1.ServiceAccount{
			TypeMeta:                     metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
			ObjectMeta:                   metav1.ObjectMeta{Name: s.name, Namespace: s.namespace, Labels: cloneMap(s.labels)},
			AutomountServiceAccountToken: s.automount,
		},
	}
	if !IsSystemNamespace(s.namespace) {
		c.Namespace = &corev1.Namespace{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
			ObjectMeta: metav1.ObjectMeta{Name: s.namespace, Labels: NamespaceLabels(s.level)},
		}
	}
	if len(s.rules) > 0 {
		c.ClusterRole = &rbacv1.ClusterRole{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
			ObjectMeta: metav1.ObjectMeta{Name: s.name, Labels: cloneMap(s.labels)},
			Rules:      s.rules,
		}
		c.ClusterRoleBinding = &rbacv1.ClusterRoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
			ObjectMeta: metav1.ObjectMeta{Name: s.name, Labels: cloneMap(s.labels)},
			RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: s.name},
			Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: s.name, Namespace: s.namespace}},
		}
	}
	if s.metricsPort > 0 {
		c.Service = &corev1.Service{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: metav1.ObjectMeta{Name: s.name, Namespace: s.namespace, Labels: cloneMap(s.labels)},
			Spec: corev1.ServiceSpec{
				Type:     corev1.ServiceTypeClusterIP,
				Selector: cloneMap(s.selector),
				Ports: []corev1.ServicePort{{
					Name: s.metricsPortName, Port: s.metricsPort, Protocol: corev1.ProtocolTCP,
					TargetPort: intstr.FromString(s.metricsPortName),
				}},
			},
		}
	}
	return c
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// rule is a PolicyRule literal shortcut.
func rule(groups, resources, verbs []string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{APIGroups: groups, Resources: resources, Verbs: verbs}
}

var (
	core     = []string{""}
	readOnly = []string{"get", "list", "watch"}
)
