package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/e2e/harness"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// buildCLI builds cmd/daemonkit from this checkout.
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "daemonkit")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/daemonkit/daemonkit/cmd/daemonkit")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build cmd/daemonkit: %v\n%s", err, out)
	}
	return bin
}

func runCLI(t *testing.T, bin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

// The CLI against the live control plane: `apply` server-side-applies a
// manifest, and `explain --kubeconfig --context` places it on the real
// nodes without exported files.
func TestCLIAgainstLiveCluster(t *testing.T) {
	cs := client(t)
	ctx := testContext(t, 3*time.Minute)
	bin := buildCLI(t)
	var nodes []*corev1.Node
	for _, name := range []string{"cli-0", "cli-1"} {
		nodes = append(nodes, inGroup(harness.FakeNode(name), "cli"))
	}
	createNodes(t, ctx, cs, nodes)
	const ns = "e2e-cli"
	if err := harness.CreateNamespace(ctx, cs, ns); err != nil {
		t.Fatal(err)
	}
	ds := validAgent("cli-agent")
	ds.Namespace = ns
	ds.Spec.Template.Spec.NodeSelector = map[string]string{groupLabel: "cli"}
	manifest, err := daemonset.EncodeYAML(ds)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "agent.yaml")
	if err := os.WriteFile(file, manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCLI(t, bin, "apply", "-f", file, "--kubeconfig", cluster.Kubeconfig, "--context", "e2e")
	if err != nil || !strings.Contains(out, "daemonset.apps/"+ns+"/cli-agent serverside-applied") {
		t.Fatalf("apply: %v\n%s%s", err, out, stderr)
	}
	got, err := cs.AppsV1().DaemonSets(ns).Get(ctx, "cli-agent", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.AppsV1().DaemonSets(ns).Delete(ctx, "cli-agent", metav1.DeleteOptions{}) })
	owned := false
	for _, m := range got.ManagedFields {
		owned = owned || (m.Manager == "daemonkit" && m.Operation == metav1.ManagedFieldsOperationApply)
	}
	if !owned {
		t.Errorf("applied DaemonSet not managed by daemonkit: %+v", got.ManagedFields)
	}
	out, stderr, err = runCLI(t, bin, "explain", "-f", file, "--kubeconfig", cluster.Kubeconfig, "--context", "e2e")
	if err != nil {
		t.Fatalf("explain: %v\n%s%s", err, out, stderr)
	}
	for _, want := range []string{"live cluster", "cli-0", "cli-1"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain output lacks %q:\n%s", want, out)
		}
	}

	// "Explain my DaemonSet on my real cluster", with no file at all.
	out, stderr, err = runCLI(t, bin, "explain", "--kubeconfig", cluster.Kubeconfig, "--context", "e2e", "--name", ns+"/cli-agent")
	if err != nil {
		t.Fatalf("explain --name: %v\n%s%s", err, out, stderr)
	}
	for _, want := range []string{"DaemonSet " + ns + "/cli-agent", "2 run a pod", "cli-0", "cli-1"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain --name output lacks %q:\n%s", want, out)
		}
	}

	// "Simulate this update on my real nodes": rollout of a new image with
	// no --from starts from the DaemonSet running in the cluster and its
	// real pods, one per node, each replaced once.
	waitSettled(t, ctx, cs, ns, "cli-agent", time.Second)
	ds.Spec.Template.Spec.Containers[0].Image = newImage
	manifest, err = daemonset.EncodeYAML(ds)
	if err != nil {
		t.Fatal(err)
	}
	newFile := filepath.Join(t.TempDir(), "agent-new.yaml")
	if err := os.WriteFile(newFile, manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	live := []string{"--kubeconfig", cluster.Kubeconfig, "--context", "e2e", "--startup", "5s"}
	out, stderr, err = runCLI(t, bin, append([]string{"rollout", "-f", newFile}, live...)...)
	if err != nil {
		t.Fatalf("rollout: %v\n%s%s", err, out, stderr)
	}
	if !strings.Contains(out, "from the DaemonSet running in the cluster") {
		t.Errorf("rollout does not start from the running DaemonSet:\n%s", out)
	}
	out, stderr, err = runCLI(t, bin, append([]string{"rollout", "-f", newFile, "-o", "json"}, live...)...)
	if err != nil {
		t.Fatalf("rollout -o json: %v\n%s%s", err, out, stderr)
	}
	var trace struct {
		Summary struct {
			Creates, Deletes int
			Done             bool `json:"kubectlRolloutStatusDone"`
		}
	}
	if err := json.Unmarshal([]byte(out), &trace); err != nil {
		t.Fatalf("rollout -o json: %v\n%s", err, out)
	}
	if s := trace.Summary; s.Creates != 2 || s.Deletes != 2 || !s.Done {
		t.Errorf("rollout of 2 running pods: %d creates, %d deletes, done %v; want 2, 2, true", s.Creates, s.Deletes, s.Done)
	}
	// read-only: the prediction changed nothing
	after, err := cs.AppsV1().DaemonSets(ns).Get(ctx, "cli-agent", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.Spec.Template.Spec.Containers[0].Image == ds.Spec.Template.Spec.Containers[0].Image {
		t.Errorf("rollout wrote the new template to the cluster")
	}
}
