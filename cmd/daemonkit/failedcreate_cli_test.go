package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/daemonkit/daemonkit/internal/goldentest"
)

// refusedDS is smallDS with spec.priority and no class: the API server's
// Priority admission refuses its pods.
const refusedDS = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      priority: 1000
      containers: [{name: agent, image: "registry.example/agent:%s"}]
`

// A rollout to a template admission refuses: the text shows the failed
// creates per step, the JSON names them (failedCreate, failedCreateMessage,
// summary.failedCreates).
func TestRolloutRefusedTemplateFailedCreates(t *testing.T) {
	f := newFakeEnv()
	f.files["old.yaml"] = []byte(fmt.Sprintf(smallDS, "1.0"))
	f.files["new.yaml"] = []byte(fmt.Sprintf(refusedDS, "1.1"))
	if code := f.run("rollout", "-f", "new.yaml", "--from", "old.yaml", "--cluster", "dev", "--startup", "5s"); code != 0 {
		t.Fatalf("exit %d: %s", code, f.stderr.String())
	}
	goldentest.Check(t, "rollout/refused.txt", f.stdout.String())

	f = newFakeEnv()
	f.files["old.yaml"] = []byte(fmt.Sprintf(smallDS, "1.0"))
	f.files["new.yaml"] = []byte(fmt.Sprintf(refusedDS, "1.1"))
	if code := f.run("rollout", "-f", "new.yaml", "--from", "old.yaml", "--cluster", "dev", "--startup", "5s", "-o", "json"); code != 0 {
		t.Fatalf("exit %d: %s", code, f.stderr.String())
	}
	var tr rolloutTrace
	if err := json.Unmarshal(f.stdout.Bytes(), &tr); err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, st := range tr.Steps {
		if len(st.FailedCreate) == 0 {
			continue
		}
		failed += len(st.FailedCreate)
		if len(st.FailedCreate) != 1 || !strings.HasPrefix(st.FailedCreateMessage, `Error creating: pods "agent-" is forbidden: `) {
			t.Errorf("step %+v", st)
		}
	}
	if failed == 0 || failed != tr.Summary.FailedCreates || !tr.Summary.Stuck || tr.Summary.Creates != 0 {
		t.Errorf("%d failed creates in the steps, summary %+v", failed, tr.Summary)
	}
	if !strings.Contains(f.stdout.String(), `"failedCreate": [`) || !strings.Contains(f.stdout.String(), `"failedCreates": `) {
		t.Error("JSON lacks the failedCreate fields")
	}
}
