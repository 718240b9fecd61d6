package main

import (
	"fmt"
	"strings"
	"testing"
)

// --pod-gc and a node removed and added again under the same name from the
// command line: the removed node's pod waits for the collector, or for the
// node to come back; bad values are usage errors.
func TestRolloutPodGCFlag(t *testing.T) {
	surge := strings.Replace(smallDS, "{maxUnavailable: 1}", "{maxUnavailable: 0, maxSurge: 1}", 1)
	cases := []struct {
		args []string
		code int
		want []string
	}{
		{args: []string{"--event", "t=0s remove worker-1"}, code: 0, want: []string{
			"Pods of removed nodes (pod GC 20s/40s/0s):",
			"worker-1 removed at 0s with 1 pod(s); the surge path stood still on them (couldn't get node for nodeName); the pod GC deleted them at 40s (40s after the removal)"}},
		{args: []string{"--event", "t=0s remove worker-1", "--pod-gc", "30s/1m/5s"}, code: 0, want: []string{
			"(pod GC 30s/1m0s/5s)", "the pod GC deleted them at 1m5s"}},
		{args: []string{"--event", "t=0s remove worker-1", "--pod-gc", "off"}, code: 0, want: []string{
			"stuck                                          yes",
			"Blocking nodes (1):\n  worker-1: OrphanedPod (node removed at t=0s",
			"1 still bound to it at the end",
			"worker-0: OrphanedPod (pod agent-bbbbb of an earlier revision waits: the surge path's rolling update fails on the orphaned pod of removed node worker-1)"}},
		{args: []string{"--event", "t=0s remove worker-1", "--event", "t=10s add worker-1 like=worker-0"}, code: 0, want: []string{
			"the node was back at 10s and runs them again"}},
		{args: []string{"--pod-gc", "20s/40s/20s"}, code: 2, want: []string{"--pod-gc: pod GC \"20s/40s/20s\": podGC.offset"}},
		{args: []string{"--event", "t=1m add worker-1"}, code: 2, want: []string{`node "worker-1" already exists`}},
	}
	for _, c := range cases {
		f := newFakeEnv()
		f.files["old.yaml"] = []byte(fmt.Sprintf(surge, "1.0"))
		f.files["new.yaml"] = []byte(fmt.Sprintf(surge, "1.1"))
		args := append([]string{"rollout", "-f", "new.yaml", "--from", "old.yaml", "--cluster", "dev"}, c.args...)
		code := f.run(args...)
		out := f.stdout.String() + f.stderr.String()
		if code != c.code {
			t.Errorf("%v: exit %d, want %d:\n%s", c.args, code, c.code, out)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, w, out)
			}
		}
	}
}

// A NoExecute taint tolerated for 10 s: rollout shows the eviction loop in
// its timeline and names it; explain raises the trap.
func TestTaintEvictionLoopCLI(t *testing.T) {
	tolerant := strings.Replace(smallDS, "containers:", "tolerations: [{key: maintenance, operator: Exists, effect: NoExecute, tolerationSeconds: 10}]\n      containers:", 1)
	f := newFakeEnv()
	f.files["new.yaml"] = []byte(fmt.Sprintf(tolerant, "1.1"))
	code := f.run("rollout", "-f", "new.yaml", "--cluster", "dev", "--event", "t=0s taint worker-1 maintenance:NoExecute", "--max-time", "2m")
	out := f.stdout.String() + f.stderr.String()
	for _, w := range []string{"EVICTED", "worker-1: TaintEvictionLoop (evicted ", "the taint-eviction controller deletes its pod 10s after it binds"} {
		if !strings.Contains(out, w) {
			t.Errorf("rollout (exit %d) lacks %q:\n%s", code, w, out)
		}
	}
	f = newFakeEnv()
	f.files["new.yaml"] = []byte(fmt.Sprintf(tolerant, "1.1"))
	f.files["nodes.yaml"] = []byte(`apiVersion: v1
kind: Node
metadata: {name: tainted}
spec: {taints: [{key: maintenance, effect: NoExecute}]}
status: {allocatable: {cpu: "4", memory: 8Gi, pods: "110"}}
`)
	code = f.run("explain", "-f", "new.yaml", "--nodes", "nodes.yaml")
	out = f.stdout.String() + f.stderr.String()
	if !strings.Contains(out, "TaintEvictionLoop: 1 node(s) carry a NoExecute taint the pod tolerates only for tolerationSeconds (10s at the least)") {
		t.Errorf("explain (exit %d) lacks the trap:\n%s", code, out)
	}
}
