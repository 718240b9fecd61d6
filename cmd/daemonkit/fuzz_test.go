package main

import (
	"strings"
	"testing"
)

// FuzzExplainAndLintInput: whatever bytes a user passes with -f, explain and
// lint exit 0, 1 or 2 with messages, never a panic or a stack trace.
func FuzzExplainAndLintInput(f *testing.F) {
	f.Add([]byte(smallDS))
	f.Add([]byte("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x}\nspec: {template: {spec: {containers: [{name: c}]}}}\n"))
	f.Add([]byte("\x00\xff"))
	f.Add([]byte("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x, annotations: {ignore-check.lint.daemonkit.io/DK1: '', lint.daemonkit.io/ignore: DK101}}\nspec: {template: {spec: {containers: [{name: c}]}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, cmd := range []string{"explain", "lint"} {
			fe := newFakeEnv()
			fe.files["in.yaml"] = data
			code := fe.run(cmd, "-f", "in.yaml", "--cluster", "dev")
			if cmd == "lint" {
				code = fe.run(cmd, "-f", "in.yaml")
				// SARIF locates every finding in the input: it must hold
				// whatever the input is.
				if c := fe.run(cmd, "-f", "in.yaml", "-o", "sarif"); c < 0 || c > 2 {
					t.Fatalf("lint -o sarif: exit %d", c)
				}
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
