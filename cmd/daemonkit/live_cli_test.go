package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/internal/fakeapi"
	"github.com/daemonkit/daemonkit/internal/goldentest"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// limitedCluster serves n nodes and team-x/agent with one pod per node to
// a user that allow lets in; it returns the kubeconfig and the manifest of
// the next version of the agent.
func limitedCluster(t *testing.T, n int, allow func(fakeapi.Access) bool) (kubeconfig, next string, srv *fakeapi.Server) {
	t.Helper()
	yes := true
	agent := &appsv1.DaemonSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-x", Name: "agent", UID: "agent-uid", Generation: 1},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "agent"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "agent", Image: "agent:1"}}},
			},
		},
	}
	daemonset.SetDefaults(agent)
	var nodes []*corev1.Node
	var pods []*corev1.Pod
	for i := range n {
		name := fmt.Sprintf("node-%03d", i)
		nodes = append(nodes, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
			Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("110")},
				Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}})
		p := daemonset.NewPod(agent, name)
		p.Name, p.Spec.NodeName = "agent-"+name, name
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "agent", UID: agent.UID, Controller: &yes}}
		p.Status.Phase = corev1.PodRunning
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
		pods = append(pods, p)
	}
	srv = fakeapi.New(nodes, pods, []*appsv1.DaemonSet{agent})
	srv.Allow = allow
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	kubeconfig, err := srv.Kubeconfig(dir, "team-x")
	if err != nil {
		t.Fatal(err)
	}
	nextDS := agent.DeepCopy()
	nextDS.UID, nextDS.ResourceVersion, nextDS.Generation = "", "", 0
	nextDS.Spec.Template.Spec.Containers[0].Image = "agent:2"
	out, err := daemonset.EncodeYAML(nextDS)
	if err != nil {
		t.Fatal(err)
	}
	next = filepath.Join(dir, "next.yaml")
	if err := os.WriteFile(next, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return kubeconfig, next, srv
}

// platform may get and list nodes and DaemonSets cluster-wide, no pods.
func platform(a fakeapi.Access) bool {
	return (a.Verb == "get" || a.Verb == "list") && (a.Resource == "nodes" || a.Resource == "daemonsets")
}

// A user who may not list pods gets explain (live and with -f) and rollout
// answers with one plain note of what is missing — in text and in JSON,
// with a code — and exit status 0; the CLI sends only reads.
func TestLiveCommandsAnswerWhatRBACAllows(t *testing.T) {
	kc, next, srv := limitedCluster(t, 3, platform)
	const note = "cannot list pods cluster-wide: the scheduler stage does not see other pods; Pending predictions are missing"
	for _, args := range [][]string{
		{"explain", "--kubeconfig", kc, "--name", "team-x/agent"},
		{"explain", "--kubeconfig", kc},
		{"explain", "-f", next, "--kubeconfig", kc},
		{"rollout", "-f", next, "--kubeconfig", kc},
	} {
		name := strings.Join(args[:2], " ")
		for _, format := range []string{"text", "json"} {
			f := newFakeEnv()
			code := f.run(append(args, "-o", format)...)
			if code != 0 {
				t.Errorf("%s -o %s: exit %d: %s", name, format, code, f.stderr.String())
				continue
			}
			out := f.stdout.String()
			if strings.Count(out, note) != 1 {
				t.Errorf("%s -o %s: the note is not there once:\n%s", name, format, out)
			}
			if format == "json" {
				var rep struct {
					Warnings []struct{ Code, Message string }
				}
				if err := json.Unmarshal([]byte(out), &rep); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				codes := ""
				for _, w := range rep.Warnings {
					codes += w.Code + " "
				}
				if !strings.Contains(codes, "OtherPodsForbidden") || !strings.Contains(codes, "DaemonSetPodsForbidden") {
					t.Errorf("%s -o json: warnings %+v", name, rep.Warnings)
				}
			} else if !strings.Contains(out, "'daemonkit "+args[0]+" --print-rbac' prints the ClusterRole that reads all of it") {
				t.Errorf("%s: no hint at --print-rbac:\n%s", name, out)
			}
		}
	}
	for _, r := range srv.Requests() {
		method, path, _ := strings.Cut(r, " ")
		if method != "GET" && !(method == "POST" && strings.HasPrefix(path, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")) {
			t.Errorf("request %s: explain and rollout only read", r)
		}
		if strings.Contains(path, "/pods") {
			t.Errorf("request %s: the access review said no; it should not have been sent", r)
		}
	}
}

// Without the nodes there is no answer: exit 1, with the reason and where
// to find the ClusterRole.
func TestLiveCommandsWithoutNodesFail(t *testing.T) {
	kc, next, _ := limitedCluster(t, 1, func(a fakeapi.Access) bool { return a.Namespace == "team-x" })
	for _, args := range [][]string{{"explain", "--kubeconfig", kc}, {"rollout", "-f", next, "--kubeconfig", kc}} {
		f := newFakeEnv()
		if code := f.run(args...); code != 1 {
			t.Errorf("%s: exit %d, want 1", args[0], code)
		}
		want := "cannot list nodes: no role grants it\ndaemonkit: '" + "daemonkit " + args[0] + " --print-rbac' prints the ClusterRole it needs\n"
		if !strings.HasSuffix(f.stderr.String(), want) {
			t.Errorf("%s: stderr %q, want it to end in %q", args[0], f.stderr.String(), want)
		}
	}
}

// A big list shows a progress line on a terminal's stderr, and none
// elsewhere; stdout is the same either way.
func TestLiveProgressOnlyOnATerminal(t *testing.T) {
	kc, _, _ := limitedCluster(t, 1200, nil)
	var outs [2]string
	for i, tty := range []bool{false, true} {
		f := newFakeEnv()
		f.stderrTTY = tty
		if code := f.run("explain", "--kubeconfig", kc, "--name", "team-x/agent"); code != 0 {
			t.Fatalf("exit %d: %s", code, f.stderr.String())
		}
		outs[i] = f.stdout.String()
		shown := strings.Contains(f.stderr.String(), "\r\x1b[Kreading nodes: 500 of 1200")
		if shown != tty {
			t.Errorf("terminal %v: progress shown %v: %q", tty, shown, f.stderr.String())
		}
		if tty && !strings.HasSuffix(f.stderr.String(), "\r\x1b[K") {
			t.Errorf("the progress line is not cleared: %q", f.stderr.String())
		}
	}
	if outs[0] != outs[1] {
		t.Errorf("stdout differs with a terminal on stderr")
	}
}

// --print-rbac prints the minimal ClusterRole of each command.
func TestPrintRBAC(t *testing.T) {
	_, next, _ := limitedCluster(t, 1, nil)
	for _, args := range [][]string{{"explain"}, {"rollout"}, {"apply", "-f", next}} {
		f := newFakeEnv()
		if code := f.run(append(args, "--print-rbac")...); code != 0 {
			t.Fatalf("%s: exit %d: %s", args[0], code, f.stderr.String())
		}
		goldentest.Check(t, "rbac/"+args[0]+".yaml", strings.ReplaceAll(f.stdout.String(), next, "next.yaml"))
	}
}
