package presets

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
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
	// Path is the field path in the DaemonSet the finding is about, as
	// the YAML spells it ("spec.template.spec.containers[0].readinessProbe").
	Path string
	// Message says what is wrong, naming the container, volume or value.
	Message string
	// Hint says how to fix or justify it: the YAML change first, then, in
	// parentheses, the builder call that makes it.
	Hint string
	// Justification is the reason given in the ignore-check annotation that
	// silenced the finding; empty for reported findings (LintResult).
	Justification string
}

// String renders "DK101 warning spec.template...: message".
func (f Finding) String() string {
	return f.ID + " " + string(f.Severity) + " " + f.Path + ": " + f.Message
}

// LintCheck documents one lint check. LintChecks lists them all.
type LintCheck struct {
	// ID is stable ("DK101"); Name is a short kebab-case name.
	ID, Name string
	// Severity is fixed per check.
	Severity Severity
	// Summary is the rationale: what the check fires on and why it matters.
	Summary string
	// Fix says how to fix a finding in the manifest's YAML.
	Fix string
	// Builder names the builder calls that make the fix, for Go users; empty
	// when the fix has no builder call of its own.
	Builder string
	// Source names the prior art or user report the check comes from.
	Source string
	run    func(*lintContext)
}

// IgnoreCheckAnnotationPrefix starts the annotation that silences one check
// on one DaemonSet, with the reason as its value, in the DaemonSet's
// metadata.annotations:
//
//	metadata:
//	  annotations:
//	    ignore-check.lint.daemonkit.io/DK105: "CNI writes /opt/cni/bin"
//
// The key names a check of LintChecks; the value says why the finding does
// not apply and must not be empty. Silenced findings are not reported but
// counted (LintResult.Suppressed). A malformed annotation (unknown check, no
// reason, or put on the pod template, where it would be copied to every pod)
// is itself an error finding, DK100.
const IgnoreCheckAnnotationPrefix = "ignore-check.lint.daemonkit.io/"

// LintIgnoreAnnotation is the annotation that silenced checks for a whole
// DaemonSet before ignore-check annotations existed ("DK115,DK116"). It is
// no longer read, because it took no reason: Lint reports it as a DK100
// error naming the ignore-check annotations that replace it.
const LintIgnoreAnnotation = "lint.daemonkit.io/ignore"

// annotationCheckID is the check that reports malformed lint annotations.
// It cannot be silenced.
const annotationCheckID = "DK100"

// LintResult is what LintDaemonSet found on one DaemonSet.
type LintResult struct {
	// Findings are the reported findings, sorted by ID, path and message.
	Findings []Finding
	// Suppressed are the findings an ignore-check annotation silenced, in
	// the same order, each with its Justification.
	Suppressed []Finding
}

// LintChecks returns the documented table of lint checks, ordered by ID. The
// slice is fresh on each call.
//
// | ID    | Name                         | Severity | Fires on |
// |-------|------------------------------|----------|----------|
// | DK100 | invalid-lint-annotation      | error    | an ignore-check annotation with an unknown ID or no reason, the retired lint.daemonkit.io/ignore, a lint annotation on the pod template |
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
// | DK123 | surge-with-own-anti-affinity | error    | maxSurge > 0 and a required anti-affinity term matching the DaemonSet's own pods of another revision |
func LintChecks() []LintCheck {
	return lintTable()
}

// Lint runs every check on ds and returns the reported findings, sorted by
// ID, then path, then message: LintDaemonSet(ds).Findings. It never modifies
// ds; a nil ds has no findings.
//
//	for _, f := range presets.Lint(ds) { fmt.Println(f) }
func Lint(ds *appsv1.DaemonSet) []Finding {
	return LintDaemonSet(ds).Findings
}

// LintDaemonSet runs every check on ds. Findings of a check that an
// ignore-check annotation (IgnoreCheckAnnotationPrefix) silences go to
// Suppressed with the annotation's reason; malformed lint annotations are
// DK100 findings. Checks read the template as written, plus the Pod
// defaulting they name explicitly (hostNetwork ports); the update-strategy
// checks read the DaemonSet as the API server stores it
// (daemonset.SetDefaults), so whether it surges is daemonset.AllowsSurge's
// answer. It never modifies ds; a nil ds has no findings.
func LintDaemonSet(ds *appsv1.DaemonSet) LintResult {
	if ds == nil {
		return LintResult{}
	}
	ignored, _ := ParseIgnoreChecks(ds.Annotations, field.NewPath("metadata", "annotations"))
	ctx := newLintContext(ds)
	var res LintResult
	for _, c := range lintTable() {
		ctx.current = c
		n := len(ctx.findings)
		c.run(ctx)
		if reason, ok := ignored[c.ID]; ok && c.ID != annotationCheckID {
			for _, f := range ctx.findings[n:] {
				f.Justification = reason
				res.Suppressed = append(res.Suppressed, f)
			}
			ctx.findings = ctx.findings[:n]
		}
	}
	res.Findings = ctx.findings
	sortFindings(res.Findings)
	sortFindings(res.Suppressed)
	return res
}

func sortFindings(out []Finding) {
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Message < out[j].Message
	})
}

const annotationFix = `write ignore-check.lint.daemonkit.io/<ID>: "<why the check does not apply>" in the DaemonSet's metadata.annotations, with an ID from 'daemonkit lint --list-checks'`

// ParseIgnoreChecks reads the ignore-check annotations
// (IgnoreCheckAnnotationPrefix) among annotations, the DaemonSet's
// metadata.annotations whose field path is path. It returns the reason
// given for each silenced check ID, and an error for each malformed lint
// annotation, with its field path: a key naming no check of LintChecks (or
// the check DK100 itself), an empty or blank reason, and the retired
// LintIgnoreAnnotation. Other annotations are not looked at.
func ParseIgnoreChecks(annotations map[string]string, path *field.Path) (map[string]string, field.ErrorList) {
	known := map[string]bool{}
	var ids []string
	for _, c := range lintTable() {
		if c.ID != annotationCheckID {
			known[c.ID] = true
			ids = append(ids, c.ID)
		}
	}
	out := map[string]string{}
	var errs field.ErrorList
	for _, k := range sortedKeys(annotations) {
		v := annotations[k]
		if k == LintIgnoreAnnotation {
			var ex []string
			for _, id := range strings.Split(v, ",") {
				if id = strings.TrimSpace(id); id != "" {
					ex = append(ex, fmt.Sprintf("%s%s: \"<why>\"", IgnoreCheckAnnotationPrefix, id))
				}
			}
			msg := LintIgnoreAnnotation + " is no longer read, because it gives no reason: silence each check with its own annotation and the reason"
			if len(ex) > 0 {
				msg += ", here " + strings.Join(ex, ", ")
			}
			errs = append(errs, field.Invalid(path.Key(k), v, msg))
			continue
		}
		id, ok := strings.CutPrefix(k, IgnoreCheckAnnotationPrefix)
		if !ok {
			continue
		}
		switch {
		case id == annotationCheckID:
			errs = append(errs, field.Invalid(path.Key(k), v, annotationCheckID+" reports malformed lint annotations and cannot be silenced"))
		case !known[id]:
			errs = append(errs, field.Invalid(path.Key(k), v, fmt.Sprintf("unknown lint check %q (known: %s..%s; daemonkit lint --list-checks lists them)", id, ids[0], ids[len(ids)-1])))
		case strings.TrimSpace(v) == "":
			errs = append(errs, field.Invalid(path.Key(k), v, fmt.Sprintf("no reason given for silencing %s: the value must say why the check does not apply", id)))
		default:
			out[id] = strings.TrimSpace(v)
		}
	}
	return out, errs
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
