package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/internal/goldentest"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"
)

// The "real dump" case: the DaemonSet's manifest from git (no UID) against
// `kubectl get nodes -o yaml` and `kubectl get pods -A -o yaml` of the
// cluster it runs in, whose pods name it in their controller reference with
// the UID the cluster gave it. testdata/realdump (README.md there) holds
// such a dump of kube-flannel (internal/testdata/manifests) on twelve EKS
// nodes, one of them Windows, and next.yaml, the same manifest with the
// next image. Explain and rollout must both take the eleven running pods as
// the DaemonSet's, agree on the eleven nodes, and the rollout must finish.
func TestRealDumpClaimsPods(t *testing.T) {
	const dir = "testdata/realdump/"
	current := manifests + "/kube-flannel.yaml"
	cluster := []string{"--nodes", dir + "nodes.yaml", "--nodes", dir + "pods.yaml"}
	clean := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, manifests+"/", ""), dir, "") }

	f := newFakeEnv()
	if code := f.run(append([]string{"explain", "-f", current}, cluster...)...); code != 0 {
		t.Fatalf("explain: exit %d: %s", code, f.stderr.String())
	}
	goldentest.Check(t, "realdump/explain.txt", clean(f.stdout.String()))

	f = newFakeEnv()
	if code := f.run(append([]string{"rollout", "-f", dir + "next.yaml", "--from", current, "--fail-on", "stuck,not-done"}, cluster...)...); code != 0 {
		t.Fatalf("rollout: exit %d (stuck or not done?): %s\n%s", code, f.stderr.String(), f.stdout.String())
	}
	goldentest.Check(t, "realdump/rollout.txt", clean(f.stdout.String()))

	// JSON: both say the same about the claimed pods and the nodes.
	f = newFakeEnv()
	if code := f.run(append([]string{"explain", "-f", current, "-o", "json"}, cluster...)...); code != 0 {
		t.Fatalf("explain -o json: exit %d: %s", code, f.stderr.String())
	}
	var rep explainReport
	if err := json.Unmarshal(f.stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	f = newFakeEnv()
	if code := f.run(append([]string{"rollout", "-f", dir + "next.yaml", "--from", current, "-o", "json"}, cluster...)...); code != 0 {
		t.Fatalf("rollout -o json: exit %d: %s", code, f.stderr.String())
	}
	var tr rolloutTrace
	if err := json.Unmarshal(f.stdout.Bytes(), &tr); err != nil {
		t.Fatal(err)
	}
	want := claimedOut{Pods: 11, Running: 11, ByOwnerName: 11}
	if len(rep.DaemonSets) != 1 || rep.DaemonSets[0].Claimed != want || tr.Claimed != want {
		t.Errorf("claimed: explain %+v, rollout %+v; want %+v", rep.DaemonSets, tr.Claimed, want)
	}
	first := tr.Steps[0].Status
	if x := rep.DaemonSets[0]; x.Runs != 11 || int(first.DesiredNumberScheduled) != x.Runs || x.Status.NumberAvailable != 11 {
		t.Errorf("explain runs %d, available %d; rollout desired %d", x.Runs, x.Status.NumberAvailable, first.DesiredNumberScheduled)
	}
	if tr.Summary.Stuck || !tr.Summary.KubectlRolloutDone || tr.Summary.Creates != 11 || tr.Summary.Deletes != 11 {
		t.Errorf("rollout summary %+v: want done, not stuck, each of the 11 claimed pods replaced once", tr.Summary)
	}
}

// explain --plot draws the real dump's nodes by instance type (the default
// pool label), the Windows node Excluded with its reason in the tooltip;
// --pool-label picks another grouping; a non-.svg name is refused.
func TestExplainPlot(t *testing.T) {
	const dir = "testdata/realdump/"
	args := []string{"explain", "-f", manifests + "/kube-flannel.yaml", "--nodes", dir + "nodes.yaml", "--nodes", dir + "pods.yaml"}
	f := newFakeEnv()
	if code := f.run(append(args, "--plot", "cluster.svg")...); code != 0 {
		t.Fatalf("exit %d: %s", code, f.stderr.String())
	}
	if !strings.HasSuffix(f.stdout.String(), "\nPlot written to cluster.svg\n") {
		t.Errorf("stdout does not say where the plot went:\n%s", f.stdout.String())
	}
	svg := string(f.written["cluster.svg"])
	goldentest.Check(t, "realdump/plot.svg", strings.ReplaceAll(svg, dir, ""))
	if !strings.Contains(svg, "kubernetes.io/os=windows") {
		t.Error("the Windows node's reason is not in its tooltip")
	}

	f = newFakeEnv()
	if code := f.run(append(args, "--plot", "zones.svg", "--pool-label", "topology.kubernetes.io/zone", "-o", "json")...); code != 0 {
		t.Fatalf("exit %d: %s", code, f.stderr.String())
	}
	if !strings.Contains(string(f.written["zones.svg"]), "topology.kubernetes.io/zone=us-east-1a") {
		t.Error("--pool-label did not group by zone")
	}
	if strings.Contains(f.stdout.String(), "Plot written") {
		t.Error("-o json output carries text")
	}

	for _, bad := range [][]string{{"--plot", "cluster.png"}, {"--pool-label", "x"}} {
		f = newFakeEnv()
		if code := f.run(append(args, bad...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)", bad, code)
		}
	}
}

// The false stall of a hostPort DaemonSet (issue: "stuck: yes" on every
// node): node-exporter (hostNetwork, port 9100) runs on the real dump's
// nodes; pods.yaml holds its pods with the UID the cluster gave it. Its
// manifest from git has none: the pods are still its own, so they hold
// port 9100 only until the update replaces them, and the rollout finishes
// as explain's placement says.
func TestRealDumpHostPortNotStuck(t *testing.T) {
	f := newFakeEnv()
	if code := f.run("preset", "node-exporter", "--no-companions"); code != 0 {
		t.Fatalf("preset: exit %d: %s", code, f.stderr.String())
	}
	current := f.stdout.String()
	objs, err := daemonset.Decode("current.yaml", []byte(current))
	if err != nil || len(objs.DaemonSets) != 1 {
		t.Fatalf("decode: %v", err)
	}
	ds := objs.DaemonSets[0]
	nodes, err := daemonset.DecodeFile("testdata/realdump/nodes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	stored := ds.DeepCopy()
	daemonset.SetDefaults(stored)
	hash := daemonset.RevisionHash(stored)
	yes := true
	var items []any
	for _, n := range nodes.Nodes {
		if !daemonset.NewPlacer(stored).Evaluate(n).ShouldRun {
			continue
		}
		p := daemonset.PodAsCreatedForRevision(stored, n.Name, hash)
		p.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}
		p.Name = fmt.Sprintf("%s-%05d", ds.Name, len(items))
		p.UID = types.UID("pod-" + n.Name)
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: ds.Name,
			UID: "1d6f0c7e-0c59-4b8e-9d2a-5f3e2b7a9c10", Controller: &yes, BlockOwnerDeletion: &yes}}
		p.CreationTimestamp = metav1.NewTime(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
		p.Spec.NodeName = n.Name
		p.Status = corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{
			{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: p.CreationTimestamp}}}
		items = append(items, p)
	}
	pods, err := yaml.Marshal(map[string]any{"apiVersion": "v1", "kind": "List", "items": items})
	if err != nil {
		t.Fatal(err)
	}
	f = newFakeEnv()
	f.files["current.yaml"] = []byte(current)
	f.files["next.yaml"] = []byte(strings.Replace(current, "node-exporter:v1.12.1", "node-exporter:v1.12.2", 1))
	f.files["pods.yaml"] = pods
	cluster := []string{"--nodes", "testdata/realdump/nodes.yaml", "--nodes", "pods.yaml"}
	if code := f.run(append([]string{"rollout", "-f", "next.yaml", "--from", "current.yaml", "-o", "json", "--fail-on", "stuck,not-done"}, cluster...)...); code != 0 {
		t.Fatalf("rollout: exit %d: %s\n%s", code, f.stderr.String(), f.stdout.String())
	}
	var tr rolloutTrace
	if err := json.Unmarshal(f.stdout.Bytes(), &tr); err != nil {
		t.Fatal(err)
	}
	if tr.Claimed.Running != len(items) || tr.Claimed.ByOwnerName != len(items) || len(items) == 0 {
		t.Errorf("claimed %+v, want all %d pods by owner name", tr.Claimed, len(items))
	}
	if tr.Summary.Stuck || len(tr.Summary.Blocking) > 0 || tr.Summary.Creates != len(items) {
		t.Errorf("summary %+v: want every one of the %d pods replaced, not stuck", tr.Summary, len(items))
	}
}
