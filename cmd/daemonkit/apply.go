package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate/live"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
)

const applyUsage = "-f FILE [--kubeconfig FILE] [--context NAME] [--dry-run] [--force-conflicts] [--print-rbac]"

// applier applies objects to a cluster; live's Applier unless a test
// replaces it.
type applier interface {
	Apply(ctx context.Context, objs []runtime.Object, opts live.ApplyOptions) ([]live.Applied, error)
}

// applyDeps are what runApply talks to; tests replace them.
type applyDeps struct {
	newApplier func(kubeconfig, kubeContext string) (applier, string, error)
}

func defaultApplyDeps() applyDeps {
	return applyDeps{newApplier: func(kubeconfig, kubeContext string) (applier, string, error) {
		cfg, err := live.Config(kubeconfig, kubeContext)
		if err != nil {
			return nil, "", plainConfigError(err)
		}
		if err := checkReachable(cfg); err != nil {
			return nil, "", err
		}
		a, err := live.NewApplier(cfg)
		return a, hostOf(cfg), err
	}}
}

func hostOf(cfg *rest.Config) string { return cfg.Host }

// runApply is `daemonkit apply`: the one command that writes to a cluster.
// It refuses files holding Nodes or Pods (cluster state, not something to
// apply) and DaemonSets daemonset.Validate rejects, then server-side-applies
// Namespaces first, then the other objects, then the DaemonSets, as field
// manager "daemonkit".
func runApply(e *env, args []string) error { return runApplyWith(e, args, defaultApplyDeps()) }

func runApplyWith(e *env, args []string, deps applyDeps) error {
	fs := newFlags(e, "apply", applyUsage)
	file := fs.String("f", "", "manifest `FILE` to apply (- for stdin): DaemonSets and their companion objects")
	dryRun := fs.Bool("dry-run", false, "let the server validate, default and admit the objects without storing them")
	force := fs.Bool("force-conflicts", false, "take over fields another field manager owns")
	var lf liveFlags
	lf.register(fs)
	// apply writes: the live flags' read-only wording is not for it.
	fs.Lookup("kubeconfig").Usage = "kubeconfig `FILE` of the cluster to apply to (default: $KUBECONFIG, else ~/.kube/config)"
	fs.Lookup("context").Usage = "kubeconfig context `NAME` to apply to (default: the current context)"
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	objs, err := decodeFile(e, *file)
	if err != nil {
		return err
	}
	if len(objs.Nodes) > 0 || len(objs.Pods) > 0 {
		return fmt.Errorf("%s: holds %d Node and %d Pod objects; apply takes DaemonSets and their companions, not cluster state",
			displayName(*file), len(objs.Nodes), len(objs.Pods))
	}
	var invalid []string
	for _, ds := range objs.DaemonSets {
		for _, fe := range daemonset.Validate(ds) {
			where := ds.Namespace + "/" + ds.Name
			if src, ok := objs.SourceOf(ds); ok {
				where = src.String()
			}
			invalid = append(invalid, fmt.Sprintf("%s: %v", where, fe))
		}
	}
	if len(invalid) > 0 {
		return fmt.Errorf("not applied, the API server would refuse:\n%s", strings.Join(invalid, "\n"))
	}
	var ordered []runtime.Object
	for _, ns := range objs.Namespaces {
		ordered = append(ordered, ns)
	}
	for _, o := range objs.Others {
		ordered = append(ordered, &unstructured.Unstructured{Object: o.Object})
	}
	for _, ds := range objs.DaemonSets {
		ordered = append(ordered, ds)
	}
	if len(ordered) == 0 {
		return fmt.Errorf("%s: nothing to apply", displayName(*file))
	}
	if lf.printRBAC {
		role, err := live.ApplyClusterRole("daemonkit-apply", ordered)
		if err != nil {
			return fmt.Errorf("%s: %w", displayName(*file), err)
		}
		return printRBAC(e.stdout, role, fmt.Sprintf(`# The minimal ClusterRole for 'daemonkit apply -f %s': server-side apply is
# a PATCH, and the server also authorizes create for an object that does not
# exist yet; each rule names the objects of the file. Applying a Role or
# ClusterRole needs the permissions it grants as well (RBAC prevents
# escalation). Bind it, for example:
#   kubectl create clusterrolebinding daemonkit-apply --clusterrole=daemonkit-apply --serviceaccount=NAMESPACE:NAME
`, displayName(*file)))
	}
	a, host, err := deps.newApplier(lf.kubeconfig, lf.kubeContext)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(e.context(), liveTimeout)
	defer cancel()
	res, err := a.Apply(ctx, ordered, live.ApplyOptions{Force: *force, DryRun: *dryRun})
	if err != nil {
		return fmt.Errorf("%s: %w", host, err)
	}
	suffix := ""
	if *dryRun {
		suffix = " (server dry run)"
	}
	failed := 0
	for _, r := range res {
		if r.Err != nil {
			failed++
			fmt.Fprintf(e.stderr, "daemonkit: %v\n", r.Err)
			continue
		}
		fmt.Fprintf(e.stdout, "%s serverside-applied%s\n", resourceName(r), suffix)
	}
	if failed > 0 {
		return findingsError{fmt.Sprintf("%d of %d objects refused by %s", failed, len(res), host)}
	}
	return nil
}

// resourceName renders kubectl's "kind.group/name" (namespace-qualified).
func resourceName(r live.Applied) string {
	kind := strings.ToLower(r.GroupVersionKind.Kind)
	if g := r.GroupVersionKind.Group; g != "" {
		kind += "." + g
	}
	if r.Namespace != "" {
		return kind + "/" + r.Namespace + "/" + r.Name
	}
	return kind + "/" + r.Name
}
