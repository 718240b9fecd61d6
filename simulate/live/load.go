package live

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/daemonkit/daemonkit/simulate"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Config resolves a kubeconfig the way kubectl does: kubeconfigPath if not
// empty, else the files in $KUBECONFIG, else ~/.kube/config; context names
// the kubeconfig context to use ("" for the current one). With no kubeconfig
// at all it falls back to the in-cluster configuration.
func Config(kubeconfigPath, context string) (*rest.Config, error) {
	cfg, _, err := configAndNamespace(kubeconfigPath, context)
	return cfg, err
}

// configAndNamespace is Config and the context's namespace ("default" when
// it names none), as kubectl resolves them.
func configAndNamespace(kubeconfigPath, context string) (*rest.Config, string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfigPath != "" {
		rules.ExplicitPath = kubeconfigPath
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: context}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	cfg, err := cc.ClientConfig()
	if err != nil {
		where := "kubeconfig"
		if kubeconfigPath != "" {
			where = kubeconfigPath
		}
		if context != "" {
			where += fmt.Sprintf(" (context %q)", context)
		}
		return nil, "", fmt.Errorf("%s: %w", where, err)
	}
	cfg.UserAgent = "daemonkit"
	ns, _, err := cc.Namespace()
	if err != nil || ns == "" {
		ns = metav1.NamespaceDefault
	}
	return cfg, ns, nil
}

// Read reads what req asks for (see ReadFrom) from the cluster that the
// kubeconfig at kubeconfigPath (see Config) and context point to. An empty
// req.Namespace becomes the context's namespace.
func Read(ctx context.Context, kubeconfigPath, context string, req Request) (*Snapshot, error) {
	cfg, ns, err := configAndNamespace(kubeconfigPath, context)
	if err != nil {
		return nil, err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("client for %s: %w", cfg.Host, err)
	}
	if req.Namespace == "" {
		req.Namespace = ns
	}
	snap, err := ReadFrom(ctx, cs, req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Host, err)
	}
	return snap, nil
}

// Load reads the Nodes, Pods, DaemonSets, PriorityClasses,
// PodDisruptionBudgets and Namespaces of the cluster that the
// kubeconfig at kubeconfigPath (see Config) and context point to. It only
// lists; it never writes to the cluster.
func Load(ctx context.Context, kubeconfigPath, context string) (*simulate.Cluster, []*appsv1.DaemonSet, error) {
	cfg, err := Config(kubeconfigPath, context)
	if err != nil {
		return nil, nil, err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("client for %s: %w", cfg.Host, err)
	}
	cl, dss, err := LoadFrom(ctx, cs)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", cfg.Host, err)
	}
	return cl, dss, nil
}

// LoadFrom is Load over an existing client (a fake one in tests). It lists
// every Node, every Pod and every DaemonSet of every namespace, the
// PriorityClasses, the PodDisruptionBudgets and the Namespaces, page by
// page, and builds the Cluster with simulate.NewCluster,
// WithPriorityClasses, WithPodDisruptionBudgets and WithNamespaces. Unlike
// ReadFrom it needs all six lists and
// fails on the first refused. Managed fields are
// dropped (nothing reads them).
func LoadFrom(ctx context.Context, cs kubernetes.Interface) (*simulate.Cluster, []*appsv1.DaemonSet, error) {
	nodes, err := listPaged(ctx, "nodes", metav1.ListOptions{}, nil, func(o metav1.ListOptions) ([]corev1.Node, metav1.ListMeta, error) {
		l, err := cs.CoreV1().Nodes().List(ctx, o)
		if err != nil {
			return nil, metav1.ListMeta{}, err
		}
		return l.Items, l.ListMeta, nil
	}, func(n *corev1.Node) bool {
		n.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Node"}
		n.ManagedFields = nil
		return true
	})
	if err != nil {
		return nil, nil, err
	}
	pods, err := listPaged(ctx, "pods", metav1.ListOptions{}, nil, func(o metav1.ListOptions) ([]corev1.Pod, metav1.ListMeta, error) {
		l, err := cs.CoreV1().Pods(metav1.NamespaceAll).List(ctx, o)
		if err != nil {
			return nil, metav1.ListMeta{}, err
		}
		return l.Items, l.ListMeta, nil
	}, func(p *corev1.Pod) bool {
		p.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}
		p.ManagedFields = nil
		return true
	})
	if err != nil {
		return nil, nil, err
	}
	dss, err := listPaged(ctx, "daemonsets", metav1.ListOptions{}, nil, func(o metav1.ListOptions) ([]appsv1.DaemonSet, metav1.ListMeta, error) {
		l, err := cs.AppsV1().DaemonSets(metav1.NamespaceAll).List(ctx, o)
		if err != nil {
			return nil, metav1.ListMeta{}, err
		}
		return l.Items, l.ListMeta, nil
	}, func(ds *appsv1.DaemonSet) bool {
		ds.TypeMeta = metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"}
		ds.ManagedFields = nil
		return true
	})
	if err != nil {
		return nil, nil, err
	}
	slices.SortFunc(pods, func(a, b *corev1.Pod) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	slices.SortFunc(dss, func(a, b *appsv1.DaemonSet) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	classes, err := listPaged(ctx, "priorityclasses", metav1.ListOptions{}, nil, func(o metav1.ListOptions) ([]schedulingv1.PriorityClass, metav1.ListMeta, error) {
		l, err := cs.SchedulingV1().PriorityClasses().List(ctx, o)
		if err != nil {
			return nil, metav1.ListMeta{}, err
		}
		return l.Items, l.ListMeta, nil
	}, nil)
	if err != nil {
		return nil, nil, err
	}
	pdbs, err := listPaged(ctx, "poddisruptionbudgets", metav1.ListOptions{}, nil, func(o metav1.ListOptions) ([]policyv1.PodDisruptionBudget, metav1.ListMeta, error) {
		l, err := cs.PolicyV1().PodDisruptionBudgets(metav1.NamespaceAll).List(ctx, o)
		if err != nil {
			return nil, metav1.ListMeta{}, err
		}
		return l.Items, l.ListMeta, nil
	}, nil)
	if err != nil {
		return nil, nil, err
	}
	namespaces, err := listPaged(ctx, "namespaces", metav1.ListOptions{}, nil, func(o metav1.ListOptions) ([]corev1.Namespace, metav1.ListMeta, error) {
		l, err := cs.CoreV1().Namespaces().List(ctx, o)
		if err != nil {
			return nil, metav1.ListMeta{}, err
		}
		return l.Items, l.ListMeta, nil
	}, nil)
	if err != nil {
		return nil, nil, err
	}
	cl, err := simulate.NewCluster(nodes, pods)
	if err == nil {
		cl, err = cl.WithPriorityClasses(classes...)
	}
	if err == nil {
		cl, err = cl.WithPodDisruptionBudgets(pdbs...)
	}
	if err == nil {
		cl, err = cl.WithNamespaces(namespaces...)
	}
	if err != nil {
		return nil, nil, err
	}
	return cl, dss, nil
}
