package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/daemonkit/daemonkit/internal/goldentest"
	"github.com/daemonkit/daemonkit/presets"
)

// annotated is a CNI-like DaemonSet whose author silenced two checks with
// reasons and mistyped a third.
const annotated = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: kube-system
  annotations:
    ignore-check.lint.daemonkit.io/DK106: "programs routes: needs NET_ADMIN on the host network"
    ignore-check.lint.daemonkit.io/DK118: "exits on its own when it hangs"
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      dnsPolicy: ClusterFirstWithHostNet
      nodeSelector: {kubernetes.io/os: linux}
      priorityClassName: system-node-critical
      containers:
      - name: agent
        image: registry.example/agent:1.0
        resources:
          requests: {cpu: 10m, memory: 32Mi}
          limits: {memory: 64Mi}
        readinessProbe: {exec: {command: [agent, ready]}}
        securityContext:
          capabilities: {add: [NET_ADMIN]}
        volumeMounts:
        - {name: cni, mountPath: /host/etc/cni/net.d}
        - {name: state, mountPath: /var/lib/agent}
      volumes:
      - {name: cni, hostPath: {path: /etc/cni/net.d}}
      - {name: state, hostPath: {path: /var/lib/agent}}
`

// lintGolden runs lint with args on the files and pins stdout, stderr and
// the exit status, with the binary's version replaced.
func lintGolden(t *testing.T, golden string, files map[string]string, args ...string) string {
	t.Helper()
	f := newFakeEnv()
	for k, v := range files {
		f.files[k] = []byte(v)
	}
	code := f.run(append([]string{"lint"}, args...)...)
	out := strings.ReplaceAll(f.stdout.String(), `"version": "`+buildVersion().Version+`"`, `"version": "(version)"`)
	goldentest.Check(t, golden, fmt.Sprintf("exit %d\n%s%s", code, out, f.stderr.String()))
	return out
}

func TestLintSuppressedAndLines(t *testing.T) {
	files := map[string]string{"agent.yaml": annotated}
	lintGolden(t, "lint/annotated.txt", files, "-f", "agent.yaml")
	out := lintGolden(t, "lint/annotated.json", files, "-f", "agent.yaml", "-o", "json")
	var got struct {
		APIVersion, Kind string
		DaemonSets       []struct {
			Findings, Suppressed []struct {
				ID, Justification string
				Line              int
			}
		}
		Summary struct{ Warnings, Infos, Suppressed int }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.APIVersion != apiVersion || got.Kind != "LintReport" {
		t.Errorf("envelope %s %s", got.APIVersion, got.Kind)
	}
	// DK106 twice (capability, hostNetwork) and DK118.
	if len(got.DaemonSets) != 1 || got.Summary.Suppressed != 3 || len(got.DaemonSets[0].Suppressed) != 3 {
		t.Fatalf("suppressed not counted: %+v", got)
	}
	if s := got.DaemonSets[0].Suppressed[1]; s.ID != "DK106" || s.Justification == "" || s.Line != 14 {
		t.Errorf("suppressed hostNetwork %+v, want DK106 with its reason at line 14", s)
	}
	// The CNI configuration directory is not reported, the agent's own
	// state directory is, at its mount's line.
	var dk105 []int
	for _, f := range got.DaemonSets[0].Findings {
		if f.ID == "DK105" {
			dk105 = append(dk105, f.Line)
		}
	}
	if fmt.Sprint(dk105) != "[29]" {
		t.Errorf("DK105 at lines %v, want [29]", dk105)
	}
}

// Malformed ignore annotations are errors with file, line and field path:
// lint exits 1.
func TestLintBadIgnoreAnnotations(t *testing.T) {
	bad := strings.Replace(annotated, `ignore-check.lint.daemonkit.io/DK118: "exits on its own when it hangs"`,
		`ignore-check.lint.daemonkit.io/DK181: "typo"
    ignore-check.lint.daemonkit.io/DK115: ""
    lint.daemonkit.io/ignore: DK101,DK102`, 1)
	lintGolden(t, "lint/bad-annotations.txt", map[string]string{"agent.yaml": bad}, "-f", "agent.yaml")
}

func TestLintListChecks(t *testing.T) {
	lintGolden(t, "lint/list-checks.txt", nil, "--list-checks")
	out := lintGolden(t, "lint/list-checks.json", nil, "--list-checks", "-o", "json")
	var got checkList
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Kind != "LintCheckList" || len(got.Checks) != len(presets.LintChecks()) {
		t.Fatalf("%s with %d checks", got.Kind, len(got.Checks))
	}
	for _, c := range got.Checks {
		if c.ID == "" || c.Name == "" || c.Severity == "" || c.Rationale == "" || c.Fix == "" {
			t.Errorf("check %+v is missing a field", c)
		}
	}
	f := newFakeEnv()
	if code := f.run("lint", "--list-checks", "-o", "sarif"); code != 2 {
		t.Errorf("--list-checks -o sarif: exit %d, want 2", code)
	}
}

func TestLintSARIF(t *testing.T) {
	files := map[string]string{"agent.yaml": annotated}
	out := lintGolden(t, "lint/annotated.sarif", files, "-f", "agent.yaml", "-o", "sarif")
	checkSARIF(t, out)

	for _, m := range sharedManifests(t) {
		g := newFakeEnv()
		if code := g.run("lint", "-f", m, "-o", "sarif", "--fail-on", "none"); code != 0 {
			t.Fatalf("%s: exit %d: %s", m, code, g.stderr.String())
		}
		checkSARIF(t, g.stdout.String())
		if !strings.Contains(g.stdout.String(), `"uri": "`+m+`"`) {
			t.Errorf("%s: results do not name the file", m)
		}
	}
}

// checkSARIF parses a SARIF log back and checks what the SARIF 2.1.0 schema
// (sarif-schema-2.1.0.json) requires of the objects lint writes: sarifLog
// {version "2.1.0", runs}, run {tool}, tool {driver}, toolComponent {name},
// reportingDescriptor {id}, result {message}, message {text}, physicalLocation
// {artifactLocation}, region startLine/startColumn >= 1, level and
// suppression kind from their enums, ruleIndex pointing at its rule; plus
// what code-scanning tools read: driver version and informationUri, rule
// name, descriptions, help and defaultConfiguration.level.
func checkSARIF(t *testing.T, data string) {
	t.Helper()
	var log map[string]any
	if err := json.Unmarshal([]byte(data), &log); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	obj := func(v any, what string) map[string]any {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s is %T, want an object", what, v)
		}
		return m
	}
	arr := func(v any, what string) []any {
		a, ok := v.([]any)
		if !ok {
			t.Fatalf("%s is %T, want an array", what, v)
		}
		return a
	}
	str := func(m map[string]any, k, what string) string {
		s, ok := m[k].(string)
		if !ok || s == "" {
			t.Fatalf("%s.%s is %v, want a non-empty string", what, k, m[k])
		}
		return s
	}
	levels := map[string]bool{"none": true, "note": true, "warning": true, "error": true}
	if log["version"] != "2.1.0" {
		t.Fatalf("version %v", log["version"])
	}
	str(log, "$schema", "sarifLog")
	runs := arr(log["runs"], "runs")
	if len(runs) != 1 {
		t.Fatalf("%d runs", len(runs))
	}
	run := obj(runs[0], "runs[0]")
	driver := obj(obj(run["tool"], "tool")["driver"], "tool.driver")
	str(driver, "name", "driver")
	str(driver, "version", "driver")
	str(driver, "informationUri", "driver")
	var ruleIDs []string
	for i, r := range arr(driver["rules"], "driver.rules") {
		rule := obj(r, fmt.Sprintf("rules[%d]", i))
		ruleIDs = append(ruleIDs, str(rule, "id", "rule"))
		str(rule, "name", "rule")
		for _, k := range []string{"shortDescription", "fullDescription", "help"} {
			str(obj(rule[k], "rule."+k), "text", "rule."+k)
		}
		if l := obj(rule["defaultConfiguration"], "defaultConfiguration")["level"]; !levels[fmt.Sprint(l)] {
			t.Errorf("rule %s level %v", ruleIDs[i], l)
		}
	}
	for i, r := range arr(run["results"], "results") {
		what := fmt.Sprintf("results[%d]", i)
		res := obj(r, what)
		id := str(res, "ruleId", what)
		if idx, ok := res["ruleIndex"].(float64); !ok || int(idx) >= len(ruleIDs) || ruleIDs[int(idx)] != id {
			t.Errorf("%s ruleIndex %v does not point at rule %s", what, res["ruleIndex"], id)
		}
		if !levels[fmt.Sprint(res["level"])] {
			t.Errorf("%s level %v", what, res["level"])
		}
		str(obj(res["message"], what+".message"), "text", what+".message")
		for j, l := range arr(res["locations"], what+".locations") {
			loc := obj(l, fmt.Sprintf("%s.locations[%d]", what, j))
			pl := obj(loc["physicalLocation"], what+".physicalLocation")
			str(obj(pl["artifactLocation"], "artifactLocation"), "uri", "artifactLocation")
			region := obj(pl["region"], what+".region")
			if l, ok := region["startLine"].(float64); !ok || l < 1 {
				t.Errorf("%s startLine %v", what, region["startLine"])
			}
			if c, ok := region["startColumn"]; ok && c.(float64) < 1 {
				t.Errorf("%s startColumn %v", what, c)
			}
		}
		if s, ok := res["suppressions"]; ok {
			for _, x := range arr(s, what+".suppressions") {
				sup := obj(x, "suppression")
				if k := sup["kind"]; k != "inSource" && k != "external" {
					t.Errorf("%s suppression kind %v", what, k)
				}
			}
		}
	}
}
