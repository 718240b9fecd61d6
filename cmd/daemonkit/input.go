package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// newFlags makes a flag set that reports mistakes as usage errors (one line
// on stderr, never the whole usage) and prints -h help to stdout.
func newFlags(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	// The flag package calls Usage on every parse error too; help is
	// printed by parseFlags when -h was asked for, and only then.
	fs.Usage = func() {}
	h := &helpFlag{show: func() {
		if e.collectFlags != nil {
			e.collectFlags(fs)
			return
		}
		fmt.Fprintf(e.stdout, "Usage: daemonkit %s %s\n\nFlags:\n", name, usage)
		printDefaults(e.stdout, fs)
	}}
	fs.Var(h, "h", "show this help")
	fs.Var(h, "help", "show this help")
	return fs
}

// helpFlag is -h and -help: a boolean flag that asks for the help.
type helpFlag struct {
	asked bool
	show  func()
}

func (h *helpFlag) String() string   { return "false" }
func (h *helpFlag) IsBoolFlag() bool { return true }
func (h *helpFlag) Set(v string) error {
	b, err := strconv.ParseBool(v)
	h.asked = h.asked || b
	return err
}

// printDefaults prints the flags of fs as flag.PrintDefaults does, without
// -h and -help.
func printDefaults(w io.Writer, fs *flag.FlagSet) {
	shown := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "h" || f.Name == "help" {
			return
		}
		shown.Var(f.Value, f.Name, f.Usage)
		shown.Lookup(f.Name).DefValue = f.DefValue
	})
	shown.SetOutput(w)
	shown.PrintDefaults()
}

// parseFlags parses args; -h prints help and ends the command successfully.
var errHelp = errors.New("help shown")

func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if h, ok := fs.Lookup("h").Value.(*helpFlag); ok && h.asked {
		h.show()
		return errHelp
	}
	if err != nil {
		return usagef("%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 && fs.Name() != "preset" {
		return usagef("%s: unexpected argument %q (flags come before nothing else; did you forget -f?)", fs.Name(), fs.Arg(0))
	}
	return nil
}

// outputFormat validates -o.
func outputFormat(o string) error {
	switch o {
	case "text", "json", "yaml":
		return nil
	}
	return usagef("-o %q: expected text, json or yaml", o)
}

// decodeFile reads and decodes one input file ("-" for stdin).
func decodeFile(e *env, name string) (*daemonset.Objects, error) {
	if name == "" {
		return nil, usagef("no input file: give -f FILE (or -f - for standard input)")
	}
	data, err := e.readFile(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", displayName(name), unwrapPathError(err))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: the file is empty; expected YAML or JSON with at least one DaemonSet", displayName(name))
	}
	objs, err := daemonset.Decode(displayName(name), data)
	if err != nil {
		return nil, err
	}
	return objs, nil
}

func displayName(name string) string {
	if name == "-" {
		return "<stdin>"
	}
	return name
}

// unwrapPathError drops the "open NAME:" prefix the caller already prints.
func unwrapPathError(err error) error {
	var pe interface{ Unwrap() error }
	if errors.As(err, &pe) {
		if inner := pe.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

// manifestFlags are -f (repeatable: files, directories, - for stdin) and -R.
type manifestFlags struct {
	files     stringList
	recursive bool
}

func (m *manifestFlags) register(fs *flag.FlagSet, what string) {
	fs.Var(&m.files, "f", what+": a `FILE`, or a directory of .yaml, .yml and .json files; repeatable, - for stdin (once)")
	fs.BoolVar(&m.recursive, "R", false, "read the directories of -f and --nodes recursively")
}

// inputFiles expands the values of a file flag: a directory stands for its
// .yaml, .yml and .json files in name order (and those of its
// subdirectories with -R); a file is taken whatever its name.
func inputFiles(flagName string, values []string, recursive bool) ([]string, error) {
	var out []string
	for _, v := range values {
		if v == "-" {
			out = append(out, v)
			continue
		}
		st, err := os.Stat(v)
		if err != nil || !st.IsDir() {
			out = append(out, v) // read (and its error reported) as a file
			continue
		}
		var found []string
		err = filepath.WalkDir(v, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != v && !recursive {
					return filepath.SkipDir
				}
				return nil
			}
			switch strings.ToLower(filepath.Ext(p)) {
			case ".yaml", ".yml", ".json":
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", flagName, v, unwrapPathError(err))
		}
		if len(found) == 0 {
			hint := ""
			if !recursive {
				hint = " (-R reads its subdirectories)"
			}
			return nil, fmt.Errorf("%s %s: the directory holds no .yaml, .yml or .json file%s", flagName, v, hint)
		}
		out = append(out, found...) // WalkDir walks in lexical order
	}
	return out, nil
}

// stdinOnce refuses "-" given more than once over all file flags: standard
// input can be read only once.
func stdinOnce(lists ...[]string) error {
	n := 0
	for _, l := range lists {
		for _, v := range l {
			if v == "-" {
				n++
			}
		}
	}
	if n > 1 {
		return usagef("- (standard input) is given %d times; it can be read once: give the other inputs as files", n)
	}
	return nil
}

// loadDaemonSets decodes files (see inputFiles) and returns their
// DaemonSets, refusing inputs without one (say, a Deployment) with a message
// that says what was found, and a DaemonSet given twice.
func loadDaemonSets(e *env, names []string) ([]*appsv1.DaemonSet, *daemonset.Objects, error) {
	if len(names) == 0 {
		return nil, nil, usagef("no input file: give -f FILE (or -f - for standard input)")
	}
	objs := &daemonset.Objects{}
	for _, name := range names {
		o, err := decodeFile(e, name)
		if err != nil {
			return nil, nil, err
		}
		objs.Append(o)
	}
	if len(objs.DaemonSets) == 0 {
		var kinds []string
		for _, o := range objs.Others {
			kinds = append(kinds, o.Kind)
		}
		if len(objs.Nodes) > 0 {
			kinds = append(kinds, "Node")
		}
		if len(objs.Pods) > 0 {
			kinds = append(kinds, "Pod")
		}
		if len(objs.Namespaces) > 0 {
			kinds = append(kinds, "Namespace")
		}
		found := "nothing"
		if len(kinds) > 0 {
			found = strings.Join(uniqueSorted(kinds), ", ")
		}
		return nil, nil, fmt.Errorf("%s: no DaemonSet found (found %s); expected an apps/v1 DaemonSet", displayNames(names), found)
	}
	for _, w := range objs.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	seen := map[string]*appsv1.DaemonSet{}
	for _, ds := range objs.DaemonSets {
		// kubectl sends a namespaced object without a namespace to the
		// context's namespace, so the API server never sees it empty.
		if ds.Namespace == "" {
			ds.Namespace = metav1.NamespaceDefault
			src, _ := objs.SourceOf(ds)
			fmt.Fprintf(e.stderr, "note: %s: DaemonSet %s has no namespace; using %q as kubectl would with the default context\n", src, ds.Name, ds.Namespace)
		}
		key := ds.Namespace + "/" + ds.Name
		if first, ok := seen[key]; ok {
			a, _ := objs.SourceOf(first)
			b, _ := objs.SourceOf(ds)
			return nil, nil, fmt.Errorf("DaemonSet %s is given twice: %s and %s", key, a, b)
		}
		seen[key] = ds
	}
	return objs.DaemonSets, objs, nil
}

// displayNames joins file names for messages, the first five.
func displayNames(names []string) string {
	shown := make([]string, 0, len(names))
	for i, n := range names {
		if i == 5 {
			shown = append(shown, fmt.Sprintf("… %d more", len(names)-5))
			break
		}
		shown = append(shown, displayName(n))
	}
	return strings.Join(shown, ", ")
}

// pickDaemonSet returns the DaemonSet of dss named name, NAME or
// namespace/name; a bare NAME must name only one of them. Without a name it
// returns the only DaemonSet of dss and refuses to choose among several.
// where says where dss come from (a file, a live cluster), for errors, which
// list the candidates.
func pickDaemonSet(dss []*appsv1.DaemonSet, where, name string) (*appsv1.DaemonSet, error) {
	if name == "" {
		switch len(dss) {
		case 0:
			return nil, fmt.Errorf("%s: no DaemonSet", where)
		case 1:
			return dss[0], nil
		}
		return nil, usagef("%s holds %d DaemonSets (%s); choose one with --name", where, len(dss), daemonSetKeys(dss))
	}
	var found []*appsv1.DaemonSet
	for _, ds := range dss {
		if ds.Namespace+"/"+ds.Name == name || (!strings.Contains(name, "/") && ds.Name == name) {
			found = append(found, ds)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%s: no DaemonSet %q (it has %s)", where, name, daemonSetKeys(dss))
	case 1:
		return found[0], nil
	}
	return nil, usagef("--name %q: %d DaemonSets have that name (%s); give namespace/name", name, len(found), daemonSetKeys(found))
}

// daemonSetKeys lists namespace/name of dss, the first ten.
func daemonSetKeys(dss []*appsv1.DaemonSet) string {
	const most = 10
	var keys []string
	for i, ds := range dss {
		if i == most {
			keys = append(keys, fmt.Sprintf("… %d more", len(dss)-most))
			break
		}
		keys = append(keys, ds.Namespace+"/"+ds.Name)
	}
	return strings.Join(keys, ", ")
}

// clusterFlags are the cluster inputs every predicting command takes.
type clusterFlags struct {
	nodes stringList
	// recursive is -R: --nodes directories are read recursively.
	recursive bool
	cluster   string
	seed      int64
	live      liveFlags
}

func (c *clusterFlags) register(fs *flag.FlagSet) {
	fs.Var(&c.nodes, "nodes", "nodes (and pods, PriorityClasses, PodDisruptionBudgets, Namespaces) of your cluster: `FILE` from 'kubectl get nodes -o yaml' (and 'kubectl get pods,priorityclasses,pdb,ns -A -o yaml'), or a directory of them; repeatable, - for stdin")
	fs.StringVar(&c.cluster, "cluster", "", "a built-in cluster `NAME` instead of --nodes ('list' shows them; default mixed)")
	fs.Int64Var(&c.seed, "cluster-seed", 1, "seed of the built-in cluster")
	c.live.register(fs)
}

// load returns the cluster and a short description of where it came from.
func (c *clusterFlags) load(e *env) (*simulate.Cluster, string, error) {
	if c.live.active() {
		return c.live.loadCluster(e, len(c.nodes) > 0 || c.cluster != "")
	}
	if len(c.nodes) > 0 && c.cluster != "" {
		return nil, "", usagef("give either --nodes or --cluster, not both")
	}
	if c.cluster == "list" {
		for _, s := range simulate.Shapes() {
			fmt.Fprintf(e.stdout, "%-10s %s\n", s.Name, s.Description)
		}
		return nil, "", errHelp // the listing is the answer
	}
	if len(c.nodes) == 0 {
		name := c.cluster
		if name == "" {
			name = "mixed"
		}
		cl, err := simulate.ShapeByName(name, c.seed)
		if err != nil {
			return nil, "", usagef("--cluster: %v; 'daemonkit explain --cluster list' shows them", err)
		}
		return cl, fmt.Sprintf("built-in cluster %q (seed %d, %d nodes)", name, c.seed, cl.NumNodes()), nil
	}
	names, err := inputFiles("--nodes", c.nodes, c.recursive)
	if err != nil {
		return nil, "", err
	}
	var files []simulate.ClusterFile
	for _, f := range names {
		data, err := e.readFile(f)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", displayName(f), unwrapPathError(err))
		}
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, "", fmt.Errorf("%s: the file is empty; expected the output of 'kubectl get nodes -o yaml'", displayName(f))
		}
		files = append(files, simulate.ClusterFile{Name: displayName(f), Data: data})
	}
	// The dumps are held whole while they are decoded, and decoding makes
	// garbage in proportion: collecting it at half the default heap growth
	// keeps the peak within about three times the dumps' size.
	defer debug.SetGCPercent(debug.SetGCPercent(50))
	cl, err := simulate.LoadCluster(files...)
	if err != nil {
		return nil, "", err
	}
	if cl.NumNodes() == 0 {
		return nil, "", fmt.Errorf("%s: no Node objects found; expected the output of 'kubectl get nodes -o yaml'", displayNames(names))
	}
	return cl, fmt.Sprintf("%s (%d nodes, %d pods)", displayNames(names), cl.NumNodes(), len(cl.Pods())), nil
}

// withManifestNamespaces adds to cl the Namespaces of the manifests (-f)
// that the cluster lacks: they exist once the manifests are applied. It
// does so only when the cluster's Namespaces are known (from the --nodes
// files or a live read): a cluster without them knows namespaces by name
// only, and some given alone would leave every other namespace without
// labels. A Namespace the cluster has keeps the cluster's labels.
func withManifestNamespaces(cl *simulate.Cluster, objs *daemonset.Objects) (*simulate.Cluster, error) {
	known := cl.Namespaces()
	if objs == nil || len(objs.Namespaces) == 0 || len(known) == 0 {
		return cl, nil
	}
	all := known
	for _, n := range objs.Namespaces {
		if n != nil && n.Name != "" && !slices.ContainsFunc(all, func(k *corev1.Namespace) bool { return k.Name == n.Name }) {
			all = append(all, n)
		}
	}
	if len(all) == len(known) {
		return cl, nil
	}
	return cl.WithNamespaces(all...)
}

func uniqueSorted(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
