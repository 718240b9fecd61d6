package e2e

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/daemonkit/daemonkit/e2e/harness"
	"k8s.io/client-go/kubernetes"
)

// The one control plane every test of the package shares (tests run one
// after another; each works on its own nodes, selected by a group label, and
// its own namespace). Set in TestMain only.
var (
	cluster   *harness.Cluster
	skipWhy   string
	keepLogs  = flag.Bool("e2e.keep", false, "keep the control plane's work directory (logs) after the run")
	nodeCount = flag.Int("e2e.nodes", 100, "KWOK nodes of the rolling-update timing test (100-300)")
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if testing.Short() {
		skipWhy = "-short: the e2e suite starts a real control plane"
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Minute)
	defer cancel()

	log, err := os.CreateTemp("", "daemonkit-e2e-build-*.log")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer log.Close()
	start := time.Now()
	bin, err := harness.EnsureBinaries(ctx, log)
	if err != nil {
		if errors.Is(err, harness.ErrBuild) && os.Getenv("DAEMONKIT_E2E_REQUIRE") == "" {
			skipWhy = err.Error()
			banner("E2E SKIPPED: " + skipWhy + "\n(set DAEMONKIT_E2E_REQUIRE=1 to make this a failure)")
			return m.Run()
		}
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	if d := time.Since(start); d > time.Second {
		fmt.Fprintf(os.Stderr, "e2e: built the control-plane binaries in %s (%s)\n", d.Round(time.Second), bin)
	}
	cluster, err = harness.Start(ctx, harness.Options{BinDir: bin, KeepLogs: *keepLogs})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: starting the control plane:", err)
		return 1
	}
	var took []string
	for _, s := range cluster.Startup {
		took = append(took, fmt.Sprintf("%s %s", s.Name, s.Took.Round(10*time.Millisecond)))
	}
	fmt.Fprintf(os.Stderr, "e2e: control plane ready in %s (%s)\n", cluster.StartedIn.Round(10*time.Millisecond), strings.Join(took, ", "))
	code := m.Run()
	if code != 0 || *keepLogs {
		// keep the logs of a failed run
		fmt.Fprintf(os.Stderr, "e2e: control-plane logs in %s\n", cluster.Dir)
		if code != 0 {
			cluster.KeepLogs()
		}
	}
	cluster.Stop()
	return code
}

func banner(msg string) {
	line := strings.Repeat("!", 78)
	fmt.Fprintf(os.Stderr, "%s\n%s\n%s\n", line, msg, line)
}

// client returns the shared cluster's admin client, skipping the test (with
// the reason) when there is no cluster.
func client(t *testing.T) kubernetes.Interface {
	t.Helper()
	if cluster == nil {
		t.Skip("E2E SKIPPED: " + skipWhy)
	}
	if err := cluster.Healthy(); err != nil {
		t.Fatal(err)
	}
	cs, err := cluster.Client()
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func testContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}
