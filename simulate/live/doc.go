// Package live reads a running cluster into daemonkit's model and, only when
// asked explicitly, applies objects to it.
//
// Read reads what one answer needs and no more, through client-go with a
// kubeconfig (the same resolution rules as kubectl: an explicit path, else
// $KUBECONFIG, else ~/.kube/config, else in-cluster configuration): the
// nodes; the DaemonSets the answer is about; each DaemonSet's own pods, with
// a namespaced list by its label selector (what its controller looks at);
// and, only for the scheduler stage, the other pods bound to a node, with
// kube-scheduler's field selector. Each request is checked first with a
// SelfSubjectAccessReview. What RBAC forbids is left out, and the Snapshot
// says once, in a Warning with a stable code, what the answer lacks for it
// ("cannot list pods cluster-wide: the scheduler stage does not see other
// pods; Pending predictions are missing"); only what no answer can do
// without (the nodes, and the DaemonSets when they are the question) is a
// *ForbiddenError. Request.ClusterRole is the minimal ClusterRole under
// which Read answers in full, ApplyClusterRole the one Apply needs.
//
// Load and LoadFrom read everything (every node, pod and DaemonSet) and fail
// on the first refused list: a full snapshot for programs that hold the
// rights.
//
// Lists are paginated (limit/continue, 500 items a page) and keep only what
// daemonkit reads: managed fields, node annotations and image lists, and
// other workloads' annotations, volumes, commands, environment and probes
// are dropped page by page, so a large cluster never has to fit in memory
// twice. Request.Progress reports lists that span pages. Objects are
// returned sorted (nodes by name, pods and DaemonSets by namespace/name)
// with their kind and apiVersion set, so the same cluster state gives the
// same result.
//
// Guarantees:
//   - Never escalates: no impersonation, no credentials but the
//     kubeconfig's; it asks for no more than each answer needs.
//   - Read, Load and LoadFrom are read-only: they send get and list
//     requests, and create SelfSubjectAccessReviews — a question about the
//     caller's own rights that every authenticated user may ask, which
//     stores nothing and changes no cluster state. Nothing else.
//   - Nothing in this package reads Secrets or ConfigMaps.
//   - Apply is the only function that writes: server-side apply with the
//     field manager FieldManager ("daemonkit"); it never deletes anything.
//
// Non-goals: watching for changes (a read is a snapshot), reading objects
// other than Nodes, Pods and DaemonSets, and any client-side merge logic
// (the server decides what apply means). This is the only package of the
// main module that imports client-go.
package live
