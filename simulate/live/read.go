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
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Request says what one answer needs from the cluster; Read reads that and
// no more.
type Request struct {
	// DaemonSets names the DaemonSets the answer is about: "namespace/name"
	// is read with one get; a bare "name" by listing DaemonSets and keeping
	// every one of that name.
	DaemonSets []string
	// AllDaemonSets reads every DaemonSet: a cluster-wide list or, when
	// that is forbidden, the list of Namespace.
	AllDaemonSets bool
	// RequireDaemonSets makes a forbidden read of the DaemonSets an error
	// instead of a warning: set it when the DaemonSets are the question
	// (explain what runs in the cluster), not the starting point (a
	// rollout, which can start from nothing).
	RequireDaemonSets bool
	// Templates are DaemonSets from a manifest. Their own pods (in their
	// namespace, matching their selector) are read whether or not the
	// DaemonSet runs in the cluster yet.
	Templates []*appsv1.DaemonSet
	// SchedulerStage reads every other pod bound to a node and not
	// finished: what the scheduler stage counts on each node.
	SchedulerStage bool
	// Namespace is where DaemonSets are listed when a cluster-wide list is
	// forbidden. Read takes it from the kubeconfig context when empty;
	// ReadFrom uses "default".
	Namespace string
	// Progress, if set, is called after each page of a list that spans
	// more than one page (see Progress).
	Progress func(Progress)
}

// Snapshot is what Read found.
type Snapshot struct {
	// Cluster holds the nodes and the pods read (the DaemonSets' own pods
	// and, with SchedulerStage, the other pods bound to nodes).
	Cluster *simulate.Cluster
	// DaemonSets read from the cluster, sorted by namespace/name, with
	// kind and apiVersion set.
	DaemonSets []*appsv1.DaemonSet
	// Warnings say what could not be read and what the answer lacks for
	// it, at most one per code, in a fixed order.
	Warnings []Warning
}

// WarningCode names a kind of Warning; codes are stable, for scripts.
type WarningCode string

const (
	// OtherPodsForbidden: the pods of the whole cluster could not be
	// listed, so the scheduler stage sees no pods but the DaemonSets' own.
	OtherPodsForbidden WarningCode = "OtherPodsForbidden"
	// DaemonSetPodsForbidden: a DaemonSet's own pods could not be listed,
	// so the answer takes them as one Ready pod of the current template on
	// every node that should run one (a finished rollout).
	DaemonSetPodsForbidden WarningCode = "DaemonSetPodsForbidden"
	// DaemonSetsForbidden: DaemonSets could not be listed cluster-wide (only
	// one namespace's were read) or a named one could not be read.
	DaemonSetsForbidden WarningCode = "DaemonSetsForbidden"
	// PriorityClassesForbidden: the PriorityClasses could not be listed, so
	// a template naming a class other than the system ones is read as
	// priority 0 (simulate.TrapPriorityClassNotGiven).
	PriorityClassesForbidden WarningCode = "PriorityClassesForbidden"
	// PodDisruptionBudgetsForbidden: the PodDisruptionBudgets could not be
	// listed, so preemption's victims are chosen as if there were none.
	PodDisruptionBudgetsForbidden WarningCode = "PodDisruptionBudgetsForbidden"
	// NamespacesForbidden: the Namespaces could not be listed, so
	// namespaces are known by name only: a pod affinity namespaceSelector
	// on another label than kubernetes.io/metadata.name is not decided
	// (simulate.TrapSchedulerNotModelled).
	NamespacesForbidden WarningCode = "NamespacesForbidden"
)

// Warning is a read the cluster refused and what the answer lacks for it.
type Warning struct {
	Code    WarningCode `json:"code"`
	Message string      `json:"message"`
}

// scheduledPods is the field selector of the other pods: bound to a node
// and not finished. kube-scheduler's own pod informer drops finished pods
// the same way (upstream: pkg/scheduler/scheduler.go newPodInformer), and
// only bound pods take room on a node (its cache's assigned pods).
const scheduledPods = "spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed"

// ReadFrom is Read over an existing client (a fake or an httptest server in
// tests). It checks each request with a SelfSubjectAccessReview before
// making it; what is forbidden and not essential becomes a Warning, what
// is essential (the nodes; the DaemonSets with RequireDaemonSets) a
// *ForbiddenError. It sends only get and list requests, and creates only
// SelfSubjectAccessReviews (which change nothing).
func ReadFrom(ctx context.Context, cs kubernetes.Interface, req Request) (*Snapshot, error) {
	r := &reader{cs: cs, req: req, ac: newAccessChecker(cs), warned: map[WarningCode][]string{}}
	if r.req.Namespace == "" {
		r.req.Namespace = metav1.NamespaceDefault
	}
	return r.read(ctx)
}

type reader struct {
	cs     kubernetes.Interface
	req    Request
	ac     *accessChecker
	warned map[WarningCode][]string
	order  []WarningCode
}

var (
	nodesList     = Access{Verb: "list", Resource: "nodes"}
	podsList      = Access{Verb: "list", Resource: "pods"}
	daemonSetList = Access{Verb: "list", Group: "apps", Resource: "daemonsets"}
	// the PriorityClasses decide the daemon pod's priority and whether the
	// API server admits it at all (daemonset.AdmitPodPriority)
	priorityClassesList = Access{Verb: "list", Group: "scheduling.k8s.io", Resource: "priorityclasses"}
	// the PodDisruptionBudgets decide which pods preemption spares first
	pdbList = Access{Verb: "list", Group: "policy", Resource: "poddisruptionbudgets"}
	// the Namespaces' labels decide the pod affinity namespaceSelectors
	namespacesList = Access{Verb: "list", Resource: "namespaces"}
)

func (r *reader) read(ctx context.Context) (*Snapshot, error) {
	// Up front: the requests known before anything is read. The essential
	// ones refused are reported together, before any list is made.
	var essential []error
	if v := r.ac.check(ctx, nodesList); v.known && !v.allowed {
		essential = append(essential, &ForbiddenError{Access: nodesList, Reason: v.reason})
	}
	if r.req.AllDaemonSets || slices.ContainsFunc(r.req.DaemonSets, func(s string) bool { return !strings.Contains(s, "/") }) {
		r.ac.check(ctx, daemonSetList)
	}
	for _, key := range r.req.DaemonSets {
		if ns, name, ok := strings.Cut(key, "/"); ok {
			a := Access{Verb: "get", Group: "apps", Resource: "daemonsets", Namespace: ns, Name: name}
			if v := r.ac.check(ctx, a); v.known && !v.allowed && r.req.RequireDaemonSets {
				essential = append(essential, &ForbiddenError{Access: a, Reason: v.reason})
			}
		}
	}
	if r.req.SchedulerStage {
		r.ac.check(ctx, podsList)
	}
	if r.req.readsPriorityClasses() {
		r.ac.check(ctx, priorityClassesList)
	}
	if r.req.SchedulerStage {
		r.ac.check(ctx, pdbList)
		r.ac.check(ctx, namespacesList)
	}
	if len(essential) > 0 {
		return nil, errors.Join(essential...)
	}

	nodes, err := r.nodes(ctx)
	if err != nil {
		return nil, err
	}
	dss, err := r.daemonSets(ctx)
	if err != nil {
		return nil, err
	}
	pods, err := r.pods(ctx, dss)
	if err != nil {
		return nil, err
	}
	cl, err := simulate.NewCluster(nodes, pods)
	if err != nil {
		return nil, err
	}
	if r.req.readsPriorityClasses() {
		classes, ok, err := r.priorityClasses(ctx)
		if err != nil {
			return nil, err
		}
		if ok {
			if cl, err = cl.WithPriorityClasses(classes...); err != nil {
				return nil, err
			}
		}
	}
	if r.req.SchedulerStage {
		pdbs, ok, err := r.podDisruptionBudgets(ctx)
		if err != nil {
			return nil, err
		}
		if ok {
			if cl, err = cl.WithPodDisruptionBudgets(pdbs...); err != nil {
				return nil, err
			}
		}
		namespaces, ok, err := r.namespaces(ctx)
		if err != nil {
			return nil, err
		}
		if ok {
			if cl, err = cl.WithNamespaces(namespaces...); err != nil {
				return nil, err
			}
		}
	}
	snap := &Snapshot{Cluster: cl, DaemonSets: dss}
	for _, code := range r.order {
		snap.Warnings = append(snap.Warnings, Warning{Code: code, Message: strings.Join(r.warned[code], "; ")})
	}
	return snap, nil
}

// warn records one message under code; messages of one code share a
// Warning, so each kind of gap is said once.
func (r *reader) warn(code WarningCode, msg string) {
	if _, ok := r.warned[code]; !ok {
		r.order = append(r.order, code)
	}
	if !slices.Contains(r.warned[code], msg) {
		r.warned[code] = append(r.warned[code], msg)
	}
}

// attempt makes one request unless the access review already refused it;
// refused (by the review or by a 403) it returns the reason and false.
func (r *reader) attempt(ctx context.Context, a Access, do func() error) (reason string, ok bool, err error) {
	if v := r.ac.check(ctx, a); v.known && !v.allowed {
		return v.reason, false, nil
	}
	err = do()
	if msg, isForbidden := forbidden(err); isForbidden {
		return msg, false, nil
	}
	return "", err == nil, err
}

func (r *reader) nodes(ctx context.Context) ([]*corev1.Node, error) {
	var nodes []*corev1.Node
	reason, ok, err := r.attempt(ctx, nodesList, func() (err error) {
		nodes, err = listPaged(ctx, "nodes", metav1.ListOptions{}, r.req.Progress,
			func(o metav1.ListOptions) ([]corev1.Node, metav1.ListMeta, error) {
				l, err := r.cs.CoreV1().Nodes().List(ctx, o)
				if err != nil {
					return nil, metav1.ListMeta{}, err
				}
				return l.Items, l.ListMeta, nil
			}, func(n *corev1.Node) bool { trimNode(n); return true })
		return err
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &ForbiddenError{Access: nodesList, Reason: reason}
	}
	return nodes, nil
}

// readsPriorityClasses: an answer about DaemonSets or with the scheduler
// stage needs the PriorityClasses.
func (req Request) readsPriorityClasses() bool {
	return req.AllDaemonSets || len(req.DaemonSets) > 0 || len(req.Templates) > 0 || req.SchedulerStage
}

// priorityClasses lists the cluster's PriorityClasses; forbidden, it warns
// and returns false.
func (r *reader) priorityClasses(ctx context.Context) ([]*schedulingv1.PriorityClass, bool, error) {
	return listOrWarn(ctx, r, priorityClassesList, "PriorityClasses", PriorityClassesForbidden,
		"a template naming a custom class is read as priority 0",
		func(o metav1.ListOptions) ([]schedulingv1.PriorityClass, metav1.ListMeta, error) {
			l, err := r.cs.SchedulingV1().PriorityClasses().List(ctx, o)
			if err != nil {
				return nil, metav1.ListMeta{}, err
			}
			return l.Items, l.ListMeta, nil
		})
}

// podDisruptionBudgets lists the cluster's PodDisruptionBudgets;
// forbidden, it warns and returns false.
func (r *reader) podDisruptionBudgets(ctx context.Context) ([]*policyv1.PodDisruptionBudget, bool, error) {
	return listOrWarn(ctx, r, pdbList, "PodDisruptionBudgets", PodDisruptionBudgetsForbidden,
		"preemption's victims are chosen as if there were none",
		func(o metav1.ListOptions) ([]policyv1.PodDisruptionBudget, metav1.ListMeta, error) {
			l, err := r.cs.PolicyV1().PodDisruptionBudgets(metav1.NamespaceAll).List(ctx, o)
			if err != nil {
				return nil, metav1.ListMeta{}, err
			}
			return l.Items, l.ListMeta, nil
		})
}

// namespaces lists the cluster's Namespaces; forbidden, it warns and
// returns false.
func (r *reader) namespaces(ctx context.Context) ([]*corev1.Namespace, bool, error) {
	return listOrWarn(ctx, r, namespacesList, "Namespaces", NamespacesForbidden,
		"namespaces are known by name only, and a pod affinity namespaceSelector on another label is not decided",
		func(o metav1.ListOptions) ([]corev1.Namespace, metav1.ListMeta, error) {
			l, err := r.cs.CoreV1().Namespaces().List(ctx, o)
			if err != nil {
				return nil, metav1.ListMeta{}, err
			}
			return l.Items, l.ListMeta, nil
		})
}

// listOrWarn lists what (every item, paged) with access a; forbidden, it
// warns with code ("what could not be listed (reason): lacks") and returns
// false.
func listOrWarn[T any](ctx context.Context, r *reader, a Access, what string, code WarningCode, lacks string, list listFunc[T]) ([]*T, bool, error) {
	var items []*T
	reason, ok, err := r.attempt(ctx, a, func() (err error) {
		items, err = listPaged(ctx, what, metav1.ListOptions{}, r.req.Progress, list, nil)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	if !ok {
		r.warn(code, what+" could not be listed ("+reason+"): "+lacks)
		return nil, false, nil
	}
	return items, true, nil
}

func (r *reader) listDaemonSets(ctx context.Context, ns string) ([]*appsv1.DaemonSet, error) {
	what := "DaemonSets"
	if ns != "" {
		what += " in namespace " + ns
	}
	return listPaged(ctx, what, metav1.ListOptions{}, r.req.Progress,
		func(o metav1.ListOptions) ([]appsv1.DaemonSet, metav1.ListMeta, error) {
			l, err := r.cs.AppsV1().DaemonSets(ns).List(ctx, o)
			if err != nil {
				return nil, metav1.ListMeta{}, err
			}
			return l.Items, l.ListMeta, nil
		}, nil)
}

// daemonSets reads the DaemonSets of the request: one list for
// AllDaemonSets or bare names (cluster-wide, else Namespace's), one get per
// namespace/name.
func (r *reader) daemonSets(ctx context.Context) ([]*appsv1.DaemonSet, error) {
	found := map[string]*appsv1.DaemonSet{}
	var bare []string
	for _, key := range r.req.DaemonSets {
		if !strings.Contains(key, "/") {
			bare = append(bare, key)
		}
	}
	if r.req.AllDaemonSets || len(bare) > 0 {
		var all []*appsv1.DaemonSet
		reason, ok, err := r.attempt(ctx, daemonSetList, func() (err error) {
			all, err = r.listDaemonSets(ctx, metav1.NamespaceAll)
			return err
		})
		if err != nil {
			return nil, err
		}
		if !ok {
			// A user with access to one namespace: read that one's.
			nsList := daemonSetList
			nsList.Namespace = r.req.Namespace
			_, nsOK, err := r.attempt(ctx, nsList, func() (err error) {
				all, err = r.listDaemonSets(ctx, r.req.Namespace)
				return err
			})
			if err != nil {
				return nil, err
			}
			if !nsOK {
				if r.req.RequireDaemonSets {
					return nil, &ForbiddenError{Access: daemonSetList, Reason: reason}
				}
				r.warn(DaemonSetsForbidden, fmt.Sprintf("cannot list DaemonSets: %s; the answer treats the DaemonSets as not created yet", reason))
			} else {
				r.warn(DaemonSetsForbidden, fmt.Sprintf("cannot list DaemonSets cluster-wide: only namespace %s's are read", r.req.Namespace))
			}
		}
		for _, ds := range all {
			if r.req.AllDaemonSets || slices.Contains(bare, ds.Name) {
				found[ds.Namespace+"/"+ds.Name] = ds
			}
		}
	}
	for _, key := range r.req.DaemonSets {
		ns, name, ok := strings.Cut(key, "/")
		if !ok || found[key] != nil {
			continue
		}
		a := Access{Verb: "get", Group: "apps", Resource: "daemonsets", Namespace: ns, Name: name}
		var ds *appsv1.DaemonSet
		reason, allowed, err := r.attempt(ctx, a, func() (err error) {
			ds, err = r.cs.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
			return err
		})
		switch {
		case apierrors.IsNotFound(err):
			continue // not created yet: the answer says so
		case err != nil:
			return nil, fmt.Errorf("reading DaemonSet %s: %w", key, err)
		case !allowed && r.req.RequireDaemonSets:
			return nil, &ForbiddenError{Access: a, Reason: reason}
		case !allowed:
			r.warn(DaemonSetsForbidden, fmt.Sprintf("cannot get DaemonSet %s: %s; the answer treats it as not created yet", key, reason))
			continue
		}
		found[key] = ds
	}
	out := make([]*appsv1.DaemonSet, 0, len(found))
	for _, ds := range found {
		ds.TypeMeta = metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"}
		ds.ManagedFields = nil
		out = append(out, ds)
	}
	slices.SortFunc(out, func(a, b *appsv1.DaemonSet) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	return out, nil
}

// podQuery is one namespaced, label-selected list of a DaemonSet's pods.
type podQuery struct {
	namespace, selector string
	owners              []string
}

// pods reads the DaemonSets' own pods (the namespaced, label-selected list
// the controller's view amounts to: upstream daemon_controller.go
// getDaemonPods lists the namespace's pods by the DaemonSet's selector)
// and, for the scheduler stage, every other pod bound to a node.
func (r *reader) pods(ctx context.Context, dss []*appsv1.DaemonSet) ([]*corev1.Pod, error) {
	var queries []*podQuery
	add := func(ds *appsv1.DaemonSet) {
		if ds.Spec.Selector == nil {
			return // invalid: Validate says so; it owns no pods
		}
		sel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
		if err != nil {
			return // invalid as well
		}
		key := ds.Namespace + "/" + ds.Name
		for _, q := range queries {
			if q.namespace == ds.Namespace && q.selector == sel.String() {
				if !slices.Contains(q.owners, key) {
					q.owners = append(q.owners, key)
				}
				return
			}
		}
		queries = append(queries, &podQuery{namespace: ds.Namespace, selector: sel.String(), owners: []string{key}})
	}
	for _, ds := range dss {
		add(ds)
	}
	for _, ds := range r.req.Templates {
		add(ds)
	}

	var out []*corev1.Pod
	seen := map[string]bool{}
	var unread []*podQuery
	var reasons []string
	for _, q := range queries {
		a := podsList
		a.Namespace = q.namespace
		if v := r.ac.seen[podsList]; v.known && v.allowed {
			r.ac.seen[a] = v // a cluster-wide grant covers every namespace
		}
		var pods []*corev1.Pod
		reason, ok, err := r.attempt(ctx, a, func() (err error) {
			pods, err = listPaged(ctx, "pods of "+strings.Join(q.owners, ", "), metav1.ListOptions{LabelSelector: q.selector}, r.req.Progress,
				func(o metav1.ListOptions) ([]corev1.Pod, metav1.ListMeta, error) {
					l, err := r.cs.CoreV1().Pods(q.namespace).List(ctx, o)
					if err != nil {
						return nil, metav1.ListMeta{}, err
					}
					return l.Items, l.ListMeta, nil
				}, func(p *corev1.Pod) bool { p.ManagedFields = nil; return true })
			return err
		})
		if err != nil {
			return nil, err
		}
		if !ok {
			unread = append(unread, q)
			reasons = append(reasons, reason)
			continue
		}
		for _, p := range pods {
			if key := p.Namespace + "/" + p.Name; !seen[key] {
				seen[key] = true
				out = append(out, p)
			}
		}
	}

	if len(unread) > 0 {
		r.warn(DaemonSetPodsForbidden, podsForbidden(unread, reasons))
	}

	if r.req.SchedulerStage {
		var others []*corev1.Pod
		_, ok, err := r.attempt(ctx, podsList, func() (err error) {
			others, err = listPaged(ctx, "pods cluster-wide", metav1.ListOptions{FieldSelector: scheduledPods}, r.req.Progress,
				func(o metav1.ListOptions) ([]corev1.Pod, metav1.ListMeta, error) {
					l, err := r.cs.CoreV1().Pods(metav1.NamespaceAll).List(ctx, o)
					if err != nil {
						return nil, metav1.ListMeta{}, err
					}
					return l.Items, l.ListMeta, nil
				}, func(p *corev1.Pod) bool {
					if seen[p.Namespace+"/"+p.Name] || !takesRoom(p) {
						return false
					}
					trimOtherPod(p)
					return true
				})
			return err
		})
		if err != nil {
			return nil, err
		}
		if !ok {
			r.warn(OtherPodsForbidden, "cannot list pods cluster-wide: the scheduler stage does not see other pods; Pending predictions are missing")
		}
		out = append(out, others...)
	}
	for _, p := range out {
		p.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}
	}
	slices.SortFunc(out, func(a, b *corev1.Pod) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	return out, nil
}

// podsForbidden says in one message which DaemonSets' pods could not be
// read, and what the answer takes instead.
func podsForbidden(unread []*podQuery, reasons []string) string {
	var nss, owners []string
	for _, q := range unread {
		if !slices.Contains(nss, q.namespace) {
			nss = append(nss, q.namespace)
		}
		owners = append(owners, q.owners...)
	}
	slices.Sort(nss)
	slices.Sort(owners)
	where, whose := "namespace "+nss[0], "DaemonSet "+owners[0]
	if len(nss) > 1 {
		where = "namespaces " + strings.Join(nss, ", ")
	}
	if len(owners) > 1 {
		whose = "DaemonSets " + strings.Join(slices.Compact(owners), ", ")
	}
	why := ""
	if len(slices.Compact(slices.Sorted(slices.Values(reasons)))) == 1 {
		why = ": " + reasons[0]
	}
	return fmt.Sprintf("cannot list pods in %s%s; the pods of %s are unknown: the answer takes them as one Ready pod of the current template on every node that should run one",
		where, why, whose)
}

// takesRoom: a pod bound to a node and not finished, the pods the field
// selector asks for (checked again: a server may ignore a field selector).
func takesRoom(p *corev1.Pod) bool {
	return p.Spec.NodeName != "" && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed
}

// trimNode drops what daemonkit never reads of a node and big clusters
// carry in bulk: managed fields, annotations and the image list.
func trimNode(n *corev1.Node) {
	n.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Node"}
	n.ManagedFields = nil
	n.Annotations = nil
	n.Status.Images = nil
}

// trimOtherPod keeps of another workload's pod what the scheduler stage
// reads (requests, overhead, host ports, priority, where it is bound, its
// owner and status) and drops the rest: managed fields, annotations,
// volumes and the containers' commands, environment, mounts and probes.
func trimOtherPod(p *corev1.Pod) {
	p.ManagedFields = nil
	p.Annotations = nil
	p.Spec.Volumes = nil
	for _, cs := range [][]corev1.Container{p.Spec.InitContainers, p.Spec.Containers} {
		for i := range cs {
			c := &cs[i]
			c.Command, c.Args, c.Env, c.EnvFrom = nil, nil, nil, nil
			c.VolumeMounts, c.VolumeDevices = nil, nil
			c.LivenessProbe, c.ReadinessProbe, c.StartupProbe, c.Lifecycle = nil, nil, nil, nil
		}
	}
	p.Spec.EphemeralContainers = nil
}
