package presets

import (
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
)

// Severity says how much a lint finding matters.
type Severity string

const (
	// SeverityError: the DaemonSet will misbehave in the cluster (a rollout
	// that can never finish, a probe that can never pass).
	SeverityError Severity = "error"
	// SeverityWarning: a production risk a reviewer should see and either fix
	// or justify.
	SeverityWarning Severity = "warning"
	// SeverityInfo: worth knowing; often fine on purpose.
	SeverityInfo Severity = "info"
)

// Finding is one lint result.
type Finding struct {
	// ID is the stable check ID, for example "DK101". IDs are never reused.
	ID string
	// Severity is the check's fixed severity.
	Severity Severity
	// Path is the field path in the DaemonSet the finding is about.
	Path string
	// Message says what is wrong, naming the container, volume or value.
	Message string
	// Hint says how to fix or justify it.
	Hint string
}

// String renders "DK101 warning spec.template...: message".
func (f Finding) String() string {
	return f.ID + " " + string(f.Severity) + " " + f.Path + ": " + f.Message
}

// LintCheck documents one lint check. Checks lists them all.
type LintCheck struct {
	// ID is stable ("DK101"); Name is a short kebab-case name.
	ID, Name string
	// Severity is fixed per check.
	Severity Severity
	// Summary says what the check fires on and why it matters.
	Summary string
	// Source names the prior art or user report the check comes from.
	Source string
	run    func(*lintContext)
}

// LintIgnoreAnnotation, set on the DaemonSet, silences checks by ID: its value
// is a comma-separated list such as "DK115,DK116". Silenced checks report
// nothing; prefer recording a reason with the builder where one applies.
const LintIgnoreAnnotation = "lint.daemonkit.io/ignore"

// LintChecks returns the documented table of lint checks, ordered by ID. The
// slice is fresh on each call.
//
// | ID    | Name                         | Severity | Fires on |
// |-------|------------------------------|----------|----------|
// | DK101 | missing-requests             | warning  | a container without a cpu or memory request |
// | DK102 | missing-memory-limit         | warning  | a container without a memory limit |
// | DK103 | missing-readiness-probe      | warning  | a container without a readiness probe |
// | DK104 | mutable-image-tag            | warning  | an image tagged :latest or untagged (and not pinned by digest) |
// | DK105 | writable-host-path           | warning  | a hostPath mounted read-write without a recorded reason |
// | DK106 | privilege-without-reason     | warning  | privileged, host namespaces, escalation or non-default capabilities without a recorded reason |
// | DK107 | no-os-selector               | warning  | no kubernetes.io/os constraint: pods land on Windows nodes |
// | DK108 | node-critical-priority       | warning  | a node-critical agent (CNI, host networking with NET_ADMIN, tolerate-all) not at system-node-critical |
// | DK109 | surge-with-host-port         | error    | maxSurge > 0 with a hostPort (or a hostNetwork port): the surge pod never starts |
// | DK110 | tolerate-all-without-reason  | warning  | a toleration of every NoExecute taint without a recorded reason |
// | DK111 | probe-port-undeclared        | error    | a probe naming a port the container does not declare |
// | DK112 | host-network-dns-policy      | warning  | hostNetwork with dnsPolicy ClusterFirst or unset: cluster DNS names do not resolve |
// | DK113 | overridden-toleration        | warning  | a not-ready/unreachable NoExecute toleration the controller overwrites |
// | DK114 | on-delete-strategy           | info     | OnDelete: template changes never roll out by themselves |
// | DK115 | no-priority-class            | info     | no priorityClassName on a non-critical agent |
// | DK116 | serial-rollout               | info     | maxUnavailable 1 and no surge: rollout time grows with node count |
// | DK117 | container-runtime-socket     | warning  | a container runtime socket mounted from the host |
// | DK118 | missing-liveness-probe       | info     | a container without a liveness probe |
// | DK119 | duplicate-env                | warning  | an env var defined twice in one container (the last one wins) |
// | DK120 | literal-secret-env           | warning  | a secret-looking env var with a literal value |
// | DK121 | tolerate-all-virtual-nodes   | info     | tolerating every NoSchedule taint without excluding virtual/Fargate nodes |
// | DK122 | surge-with-host-network      | warning  | maxSurge > 0 on the host network without declared ports (undeclared ports still collide) |
func LintChecks() []LintCheck {
	return lintTable()
}

// Lint runs every check on ds and returns the findings sorted by ID, then
// path, then message. It never modifies ds; a nil ds has no findings.
// Checks read the template as written, plus the Pod defaulting they name
// explicitly (hostNetwork ports); the update-strategy checks read the
// DaemonSet as the API server stores it (daemonset.SetDefaults), so whether
// it surges is daemonset.AllowsSurge's answer.
//
//	for _, f := range presets.Lint(ds) { fmt.Println(f) }
func Lint(ds *appsv1.DaemonSet) []Finding {
	if ds == nil {
		return nil
	}
	ignored := map[string]bool{}
	for _, id := range strings.Split(ds.Annotations[LintIgnoreAnnotation], ",") {
		if id = strings.TrimSpace(id); id != "" {
			ignored[id] = true
		}
	}
	ctx := newLintContext(ds)
	for _, c := range lintTable() {
		if ignored[c.ID] {
			continue
		}
		ctx.current = c
		c.run(ctx)
	}
	out := ctx.findings
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Message < out[j].Message
	})
	return out
}
