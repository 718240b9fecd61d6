package main

import (
	"strings"
	"testing"

	"github.com/daemonkit/daemonkit/simulate"
)

// FuzzParseEvent: any --event text gives an event or an error, never a panic,
// and events name only known nodes.
func FuzzParseEvent(f *testing.F) {
	for _, s := range []string{
		"t=5m taint node-a dedicated=x:NoExecute", "t=0s untaint node-a dedicated:NoSchedule",
		"t=1h label node-a zone=b", "t=90s unlabel node-a zone", "t=1m notready node-a", "t=2m ready node-a",
		"t=3m cordon node-a", "t=4m uncordon node-a", "t=5m remove node-a", "t=6m add node-z like=node-a zone=c",
		"t=-1s cordon node-a", "t=1m taint node-a :NoSchedule", "t=1m", "", "t=99999999h cordon node-a",
	} {
		f.Add(s)
	}
	cluster, err := simulate.NewCluster(testNodes("node-a", "node-b"), nil)
	if err != nil {
		f.Fatal(err)
	}
	nodes := map[string]bool{"node-a": true, "node-b": true}
	f.Fuzz(func(t *testing.T, s string) {
		ev, err := parseEvent(s, nodes, cluster)
		if err != nil {
			return
		}
		if ev.At < 0 || ev.At > maxSimulatedTime {
			t.Fatalf("%q: time %v out of range", s, ev.At)
		}
		if ev.Kind == simulate.EventNodeAdd {
			if ev.NewNode == nil || nodes[ev.NewNode.Name] {
				t.Fatalf("%q: bad added node %v", s, ev.NewNode)
			}
		} else if !nodes[ev.Node] {
			t.Fatalf("%q: unknown node %q accepted", s, ev.Node)
		}
	})
}

// FuzzExplainAndLintInput: whatever bytes a user passes with -f, explain and
// lint exit 0, 1 or 2 with messages, never a panic or a stack trace.
func FuzzExplainAndLintInput(f *testing.F) {
	f.Add([]byte(smallDS))
	f.Add([]byte("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x}\nspec: {template: {spec: {containers: [{name: c}]}}}\n"))
	f.Add([]byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, cmd := range []string{"explain", "lint"} {
			fe := newFakeEnv()
			fe.files["in.yaml"] = data
			code := fe.run(cmd, "-f", "in.yaml", "--cluster", "dev")
			if cmd == "lint" {
				code = fe.run(cmd, "-f", "in.yaml")
			}
			if code < 0 || code > 2 {
				t.Fatalf("%s: exit %d", cmd, code)
			}
			if strings.Contains(fe.stderr.String(), "goroutine ") {
				t.Fatalf("%s: stack trace:\n%s", cmd, fe.stderr.String())
			}
		}
	})
}
