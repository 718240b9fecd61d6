package e2e

import (
	"bytes"
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
	help, _, _ := runCLI(t, bin, "help")
	explainHelp, _, _ := runCLI(t, bin, "help", "explain")
	if !strings.Contains(help, "apply") || !strings.Contains(explainHelp, "-kubeconfig") {
		banner("E2E: cmd/daemonkit does not expose `apply` and `explain --kubeconfig` yet (wire cmd/daemonkit/live.go and apply.go into input.go and main.go)")
		t.Skip("CLI live mode not wired into cmd/daemonkit yet")
	}
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
}
