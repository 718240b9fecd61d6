package live

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/daemonkit/daemonkit/simulate"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// pageSize is the list page size, as kubectl's --chunk-size default.
const pageSize = 500

// Config resolves a kubeconfig the way kubectl does: kubeconfigPath if not
// empty, else the files in $KUBECONFIG, else ~/.kube/config; context names
// the kubeconfig context to use ("" for the current one). With no kubeconfig
// at all it falls back to the in-cluster configuration.
func Config(kubeconfigPath, context string) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfigPath != "" {
		rules.ExplicitPath = kubeconfigPath
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: context}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		where := "kubeconfig"
		if kubeconfigPath != "" {
			where = kubeconfigPath
		}
		if context != "" {
			where += fmt.Sprintf(" (context %q)", context)
		}
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	cfg.UserAgent = "daemonkit"
	return cfg, nil
}

// Load reads the Nodes, Pods and DaemonSets of the cluster that the
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
// every Node, every Pod and every DaemonSet of every namespace, page by
// page, and builds the Cluster with simulate.NewCluster.
func LoadFrom(ctx context.Context, cs kubernetes.Interface) (*simulate.Cluster, []*appsv1.DaemonSet, error) {
	nodes, err := listAll(ctx, "nodes", func(o metav1.ListOptions) ([]corev1.Node, string, error) {
		l, err := cs.CoreV1().Nodes().List(ctx, o)
		if err != nil {
			return nil, "", err
		}
		return l.Items, l.Continue, nil
	})
	if err != nil {
		return nil, nil, err
	}
	pods, err := listAll(ctx, "pods", func(o metav1.ListOptions) ([]corev1.Pod, string, error) {
		l, err := cs.CoreV1().Pods(metav1.NamespaceAll).List(ctx, o)
		if err != nil {
			return nil, "", err
		}
		return l.Items, l.Continue, nil
	})
	if err != nil {
		return nil, nil, err
	}
	dss, err := listAll(ctx, "daemonsets", func(o metav1.ListOptions) ([]appsv1.DaemonSet, string, error) {
		l, err := cs.AppsV1().DaemonSets(metav1.NamespaceAll).List(ctx, o)
		if err != nil {
			return nil, "", err
		}
		return l.Items, l.Continue, nil
	})
	if err != nil {
		return nil, nil, err
	}

	// Lists drop each item's kind; set it so the objects encode as kubectl's.
	nodePtrs := make([]*corev1.Node, len(nodes))
	for i := range nodes {
		nodes[i].TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Node"}
		nodePtrs[i] = &nodes[i]
	}
	podPtrs := make([]*corev1.Pod, len(pods))
	for i := range pods {
		pods[i].TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}
		podPtrs[i] = &pods[i]
	}
	slices.SortFunc(podPtrs, func(a, b *corev1.Pod) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	dsPtrs := make([]*appsv1.DaemonSet, len(dss))
	for i := range dss {
		dss[i].TypeMeta = metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"}
		dsPtrs[i] = &dss[i]
	}
	slices.SortFunc(dsPtrs, func(a, b *appsv1.DaemonSet) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	cl, err := simulate.NewCluster(nodePtrs, podPtrs)
	if err != nil {
		return nil, nil, err
	}
	return cl, dsPtrs, nil
}

// errNoProgress guards against a server that keeps returning the same
// continue token.
var errNoProgress = errors.New("the server returned the same continue token twice")

// listAll pages through one list with limit/continue.
func listAll[T any](ctx context.Context, what string, list func(metav1.ListOptions) ([]T, string, error)) ([]T, error) {
	var out []T
	opts := metav1.ListOptions{Limit: pageSize}
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("listing %s: %w", what, err)
		}
		items, cont, err := list(opts)
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", what, err)
		}
		out = append(out, items...)
		if cont == "" {
			return out, nil
		}
		if cont == opts.Continue {
			return nil, fmt.Errorf("listing %s: %w", what, errNoProgress)
		}
		opts.Continue = cont
	}
}
