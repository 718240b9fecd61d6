package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/daemonkit/daemonkit/simulate/live"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// testEnv is fakeEnv's env, for commands called directly (apply is wired
// into the commands table by main.go).
func (f *fakeEnv) testEnv() *env {
	return &env{stdin: strings.NewReader(f.stdin), stdout: &f.stdout, stderr: &f.stderr,
		readFile: func(name string) ([]byte, error) {
			if name == "-" {
				return []byte(f.stdin), nil
			}
			if b, ok := f.files[name]; ok {
				return b, nil
			}
			return os.ReadFile(name)
		},
		writeFile: func(name string, data []byte) error { f.written[name] = data; return nil },
	}
}

// recordingApplier records what apply sends and refuses objects by name.
type recordingApplier struct {
	sent   []runtime.Object
	opts   live.ApplyOptions
	refuse map[string]bool
}

func (r *recordingApplier) Apply(_ context.Context, objs []runtime.Object, opts live.ApplyOptions) ([]live.Applied, error) {
	r.sent, r.opts = objs, opts
	var out []live.Applied
	for _, o := range objs {
		u, _ := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
		uo := &unstructured.Unstructured{Object: u}
		if x, ok := o.(*unstructured.Unstructured); ok {
			uo = x
		}
		a := live.Applied{GroupVersionKind: schema.FromAPIVersionAndKind(uo.GetAPIVersion(), uo.GetKind()),
			Namespace: uo.GetNamespace(), Name: uo.GetName(), Object: uo}
		if r.refuse[uo.GetName()] {
			a.Object, a.Err = nil, errors.New(uo.GetKind()+" "+uo.GetName()+": forbidden")
		}
		out = append(out, a)
	}
	return out, nil
}

func depsWith(a applier, gotConfig *[2]string) applyDeps {
	return applyDeps{newApplier: func(kubeconfig, kubeContext string) (applier, string, error) {
		if gotConfig != nil {
			*gotConfig = [2]string{kubeconfig, kubeContext}
		}
		return a, "https://cluster.example:6443", nil
	}}
}

const applyManifest = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: monitoring}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: "agent:1"}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: agent, namespace: monitoring}
---
apiVersion: v1
kind: Namespace
metadata: {name: monitoring}
`

// apply sends Namespaces first, then the other objects, then the
// DaemonSets, with the flags' kubeconfig, context, dry-run and force, and
// prints kubectl-style lines.
func TestApplyOrdersObjectsAndPassesFlags(t *testing.T) {
	f := newFakeEnv()
	f.files["m.yaml"] = []byte(applyManifest)
	rec := &recordingApplier{}
	var cfg [2]string
	err := runApplyWith(f.testEnv(), []string{"-f", "m.yaml", "--kubeconfig", "kc", "--context", "prod", "--dry-run", "--force-conflicts"}, depsWith(rec, &cfg))
	if err != nil {
		t.Fatalf("%v\n%s", err, f.stderr.String())
	}
	if cfg != [2]string{"kc", "prod"} {
		t.Errorf("kubeconfig/context %v", cfg)
	}
	if !rec.opts.DryRun || !rec.opts.Force {
		t.Errorf("options %+v", rec.opts)
	}
	want := "namespace/monitoring serverside-applied (server dry run)\n" +
		"serviceaccount/monitoring/agent serverside-applied (server dry run)\n" +
		"daemonset.apps/monitoring/agent serverside-applied (server dry run)\n"
	if got := f.stdout.String(); got != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
	}
}

// Refused objects are reported one per line and make the command exit 1;
// the others are still applied.
func TestApplyReportsRefusals(t *testing.T) {
	f := newFakeEnv()
	f.files["m.yaml"] = []byte(applyManifest)
	rec := &recordingApplier{refuse: map[string]bool{"monitoring": true}}
	err := runApplyWith(f.testEnv(), []string{"-f", "m.yaml"}, depsWith(rec, nil))
	var fe findingsError
	if !errors.As(err, &fe) || !strings.Contains(fe.msg, "1 of 3 objects refused") {
		t.Fatalf("err %v", err)
	}
	if !strings.Contains(f.stderr.String(), "Namespace monitoring: forbidden") {
		t.Errorf("stderr %q", f.stderr.String())
	}
	if strings.Count(f.stdout.String(), "serverside-applied") != 2 {
		t.Errorf("stdout %q", f.stdout.String())
	}
}

// apply refuses, before contacting any cluster: no file, cluster state
// (Nodes, Pods), and DaemonSets the API server would reject.
func TestApplyRefusesBeforeContactingTheCluster(t *testing.T) {
	cases := []struct {
		name, file, want string
		usage            bool
	}{
		{"no file", "", "no input file", true},
		{"nodes are cluster state", "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n", "holds 1 Node and 0 Pod objects", false},
		{"invalid DaemonSet", strings.Replace(applyManifest, "{labels: {app: agent}}", "{labels: {app: other}}", 1),
			"spec.template.metadata.labels: Invalid value", false},
		{"empty file", "\n", "the file is empty", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeEnv()
			args := []string{}
			if tc.file != "" {
				f.files["m.yaml"] = []byte(tc.file)
				args = append(args, "-f", "m.yaml")
			}
			called := false
			deps := applyDeps{newApplier: func(string, string) (applier, string, error) {
				called = true
				return nil, "", errors.New("must not be called")
			}}
			err := runApplyWith(f.testEnv(), args, deps)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v; want %q", err, tc.want)
			}
			var ue usageError
			if errors.As(err, &ue) != tc.usage {
				t.Errorf("usage error: %v, want %v", errors.As(err, &ue), tc.usage)
			}
			if called {
				t.Error("contacted the cluster")
			}
		})
	}
}
