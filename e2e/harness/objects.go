package harness

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// FakeNode returns a node KWOK manages (annotation KWOKNodeAnnotation=fake)
// with the usual well-known labels and room for 110 pods.
func FakeNode(name string) *corev1.Node {
	return &corev1.Node{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Annotations: map[string]string{KWOKNodeAnnotation: "fake", "node.alpha.kubernetes.io/ttl": "0"},
			Labels: map[string]string{
				"kubernetes.io/hostname": name,
				"kubernetes.io/os":       "linux",
				"kubernetes.io/arch":     "amd64",
				"type":                   "kwok",
			},
		},
		Status: corev1.NodeStatus{
			Allocatable: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("32"),
				corev1.ResourceMemory: resource.MustParse("256Gi"),
				corev1.ResourcePods:   resource.MustParse("110"),
			},
			Capacity: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("32"),
				corev1.ResourceMemory: resource.MustParse("256Gi"),
				corev1.ResourcePods:   resource.MustParse("110"),
			},
		},
	}
}

// UnmanagedNode returns a node no kubelet (and no KWOK) runs: it stays
// NotReady, as a node whose kubelet never came up.
func UnmanagedNode(name string) *corev1.Node {
	n := FakeNode(name)
	delete(n.Annotations, KWOKNodeAnnotation)
	n.Labels["type"] = "unmanaged"
	return n
}

// IsManaged says whether KWOK manages n.
func IsManaged(n *corev1.Node) bool { return n.Annotations[KWOKNodeAnnotation] == "fake" }

// CreateNodes creates the nodes and, for the ones KWOK manages, waits until
// they are Ready and the node lifecycle controller has lifted the
// node.kubernetes.io/not-ready:NoSchedule taint the API server's admission
// put on them at registration (daemon pods do not tolerate it), and until
// KWOK renews a node lease for each of them (the heartbeat that keeps them
// Ready). Unmanaged
// nodes are left as the API server and the controllers make them.
func CreateNodes(ctx context.Context, cs kubernetes.Interface, nodes []*corev1.Node, timeout time.Duration) error {
	for _, n := range nodes {
		if _, err := cs.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("create node %s: %w", n.Name, err)
		}
	}
	want := map[string]bool{}
	for _, n := range nodes {
		if IsManaged(n) {
			want[n.Name] = true
		}
	}
	return poll(ctx, timeout, 250*time.Millisecond, func() (bool, string, error) {
		l, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, "", err
		}
		waiting := 0
		for i := range l.Items {
			n := &l.Items[i]
			if want[n.Name] && (!nodeReady(n) || hasTaint(n, corev1.TaintNodeNotReady)) {
				waiting++
			}
		}
		if waiting > 0 {
			return false, fmt.Sprintf("%d of %d KWOK nodes not Ready or still tainted not-ready", waiting, len(want)), nil
		}
		// Without a lease heartbeat the node lifecycle controller marks the
		// node Unknown after its grace period (and its pods not Ready).
		leases, err := cs.CoordinationV1().Leases(corev1.NamespaceNodeLease).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, "", err
		}
		held := 0
		for _, l := range leases.Items {
			if want[l.Name] && l.Spec.RenewTime != nil {
				held++
			}
		}
		return held == len(want), fmt.Sprintf("%d of %d KWOK nodes without a node lease", len(want)-held, len(want)), nil
	})
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func hasTaint(n *corev1.Node, key string) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == key {
			return true
		}
	}
	return false
}

// CreateNamespace creates a namespace (or takes an existing one) and waits
// for its default ServiceAccount: until the serviceaccount controller has
// made it, the API server's ServiceAccount admission refuses every pod.
func CreateNamespace(ctx context.Context, cs kubernetes.Interface, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace %s: %w", name, err)
	}
	return WaitDefaultServiceAccount(ctx, cs, name)
}

// WaitDefaultServiceAccount waits for namespace's default ServiceAccount.
func WaitDefaultServiceAccount(ctx context.Context, cs kubernetes.Interface, namespace string) error {
	return poll(ctx, time.Minute, 200*time.Millisecond, func() (bool, string, error) {
		_, err := cs.CoreV1().ServiceAccounts(namespace).Get(ctx, "default", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, "no default ServiceAccount in " + namespace, nil
		}
		return err == nil, "", err
	})
}

// PodDelays returns pod-template annotations that fix KWOK's delays for a
// pod: it is started create after binding and turns Ready ready after that,
// with no jitter. For deletion, KWOK removes a deleted pod after
// min(pod-delete delay, end of its grace period); PodDelays sets the delay
// to terminate, so a pod template with terminationGracePeriodSeconds equal
// to terminate (or more) is removed exactly terminate after its deletion.
// upstream: kwok kustomize/stage/pod/general (pod-create, pod-ready, pod-delete)
func PodDelays(create, ready, terminate time.Duration) map[string]string {
	return map[string]string{
		"pod-create.stage.kwok.x-k8s.io/delay":        create.String(),
		"pod-create.stage.kwok.x-k8s.io/jitter-delay": create.String(),
		"pod-ready.stage.kwok.x-k8s.io/delay":         ready.String(),
		"pod-ready.stage.kwok.x-k8s.io/jitter-delay":  ready.String(),
		"pod-delete.stage.kwok.x-k8s.io/delay":        terminate.String(),
	}
}

// errTimeout is returned by poll when the condition never held.
var errTimeout = errors.New("timed out")

// poll calls cond every interval until it holds, returns an error, or
// timeout passes; the last progress message is in the timeout error.
func poll(ctx context.Context, timeout, interval time.Duration, cond func() (bool, string, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, msg, err := cond()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w after %s: %s", errTimeout, timeout, msg)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}

// Poll is poll for tests: it waits until cond holds (or errors).
func Poll(ctx context.Context, timeout, interval time.Duration, cond func() (bool, string, error)) error {
	return poll(ctx, timeout, interval, cond)
}
