package main

import (
	"fmt"
	"io"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/presets"
	appsv1 "k8s.io/api/apps/v1"
)

// lintOutput is what `lint -o json|yaml` prints (kind LintReport,
// docs/json-schema.md).
type lintOutput struct {
	envelope
	DaemonSets []lintReport `json:"daemonSets"`
	// Summary counts what every DaemonSet's report holds.
	Summary lintSummary `json:"summary"`
	// Failed lists the --fail-on conditions that held (exit status 1).
	Failed []string `json:"failedConditions,omitempty"`
}

// lintReport is what `lint` prints for one DaemonSet.
type lintReport struct {
	Namespace   string            `json:"namespace"`
	Name        string            `json:"name"`
	Source      string            `json:"source,omitempty"`
	Validation  []validationError `json:"validationErrors,omitempty"`
	PodSecurity podSecurityReport `json:"podSecurity"`
	Findings    []lintFinding     `json:"findings,omitempty"`
	// Suppressed are the findings an ignore-check annotation silenced,
	// each with the annotation's reason as its justification.
	Suppressed []lintFinding `json:"suppressed,omitempty"`
}

// lintSummary counts the findings of every DaemonSet: validation errors
// count as errors; suppressed findings count apart.
type lintSummary struct {
	DaemonSets int `json:"daemonSets"`
	Errors     int `json:"errors"`
	Warnings   int `json:"warnings"`
	Infos      int `json:"infos"`
	Suppressed int `json:"suppressed"`
}

type podSecurityReport struct {
	Version  string             `json:"version"`
	Level    string             `json:"level"`
	Stricter []podSecurityLevel `json:"stricter,omitempty"`
}

type podSecurityLevel struct {
	Level    string            `json:"level"`
	Failures []podSecurityFail `json:"failures"`
}

type podSecurityFail struct {
	Check  string   `json:"check"`
	Reason string   `json:"reason"`
	Detail string   `json:"detail,omitempty"`
	Causes []string `json:"causes,omitempty"`
}

type lintFinding struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Path     string `json:"path"`
	// Line and Column locate Path in the input file (1-based; absent when
	// unknown). A field the manifest does not set is located at its
	// nearest parent.
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
	// Justification is the reason of the ignore-check annotation that
	// silenced a suppressed finding.
	Justification string `json:"justification,omitempty"`
}

const lintUsage = "-f FILE|DIR [-f ...] [-R] [-o text|json|yaml|sarif] [--fail-on error,warning,info]\n       daemonkit lint --list-checks [-o text|json|yaml]"

func runLint(e *env, args []string) error {
	fs := newFlags(e, "lint", lintUsage)
	var mf manifestFlags
	mf.register(fs, "manifests with one or more DaemonSets")
	out := fs.String("o", "text", "output `format`: text, json, yaml or sarif (SARIF 2.1.0, for code-scanning tools)")
	listChecks := fs.Bool("list-checks", false, "list every lint check with its ID, name, severity, rationale and fix, and exit")
	failOn := registerFailOn(fs, []string{"error"},
		"error: the API server would reject a DaemonSet, or an error-severity finding",
		"warning: a finding of severity warning or error",
		"info: any finding")
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *listChecks {
		if *out == "sarif" {
			return usagef("--list-checks prints text, json or yaml; -o sarif carries the checks as rules of a lint run")
		}
		if err := outputFormat(*out); err != nil {
			return err
		}
		return renderChecks(e.stdout, *out)
	}
	if *out != "sarif" {
		if err := outputFormat(*out); err != nil {
			return usagef("-o %q: expected text, json, yaml or sarif", *out)
		}
	}
	if err := stdinOnce(mf.files); err != nil {
		return err
	}
	files, err := inputFiles("-f", mf.files, mf.recursive)
	if err != nil {
		return err
	}
	dss, objs, err := loadDaemonSets(e, files)
	if err != nil {
		return err
	}
	reports := make([]lintReport, 0, len(dss))
	var sum lintSummary
	for _, ds := range dss {
		r := lint(ds, objs)
		if src, ok := objs.SourceOf(ds); ok {
			r.Source = src.String()
		}
		sum.DaemonSets++
		sum.Errors += len(r.Validation)
		sum.Suppressed += len(r.Suppressed)
		for _, f := range r.Findings {
			switch presets.Severity(f.Severity) {
			case presets.SeverityError:
				sum.Errors++
			case presets.SeverityWarning:
				sum.Warnings++
			default:
				sum.Infos++
			}
		}
		reports = append(reports, r)
	}
	errs, warnings, infos := sum.Errors, sum.Warnings, sum.Infos
	var fl failed
	fl.check(failOn, "error", errs, fmt.Sprintf("%d error(s)", errs))
	fl.check(failOn, "warning", errs+warnings, fmt.Sprintf("%d error(s), %d warning(s)", errs, warnings))
	fl.check(failOn, "info", errs+warnings+infos, fmt.Sprintf("%d finding(s)", errs+warnings+infos))
	switch *out {
	case "json", "yaml":
		if err := writeStructured(e.stdout, *out, lintOutput{envelope: newEnvelope("LintReport"), DaemonSets: reports, Summary: sum, Failed: fl.names}); err != nil {
			return err
		}
	case "sarif":
		if err := writeSARIF(e.stdout, dss, objs, reports); err != nil {
			return err
		}
	default:
		renderLint(e.stdout, reports)
	}
	return fl.err()
}

// lint runs the three checks the API server, Pod Security admission and
// our linter would make. objs, when not nil, is what ds was decoded from,
// for the findings' line numbers.
func lint(ds *appsv1.DaemonSet, objs *daemonset.Objects) lintReport {
	r := lintReport{Namespace: ds.Namespace, Name: ds.Name}
	r.Validation = validationErrors(daemonset.Validate(ds))
	ps := presets.EvaluatePodSecurity(ds)
	r.PodSecurity = podSecurityReport{Version: ps.Version, Level: string(ps.Level)}
	for _, lr := range ps.Stricter {
		l := podSecurityLevel{Level: string(lr.Level)}
		for _, f := range lr.Failures {
			pf := podSecurityFail{Check: f.ID, Reason: f.Reason, Detail: f.Detail}
			for _, c := range f.Causes {
				// The YAML field first; the builder call that sets it
				// second, for Go users.
				s := c.Path
				if c.Note != "" {
					s += " (" + c.Note + ")"
				}
				if c.Call != "" {
					s += " (builder: " + c.Call + ")"
				}
				if c.Reason != "" {
					s += ": " + c.Reason
				}
				pf.Causes = append(pf.Causes, s)
			}
			l.Failures = append(l.Failures, pf)
		}
		r.PodSecurity.Stricter = append(r.PodSecurity.Stricter, l)
	}
	res := presets.LintDaemonSet(ds)
	finding := func(f presets.Finding) lintFinding {
		var line, col int
		if objs != nil {
			line, col = objs.Position(ds, f.Path)
		}
		return lintFinding{ID: f.ID, Severity: string(f.Severity), Path: f.Path, Line: line, Column: col,
			Message: f.Message, Hint: f.Hint, Justification: f.Justification}
	}
	for _, f := range res.Findings {
		r.Findings = append(r.Findings, finding(f))
	}
	for _, f := range res.Suppressed {
		r.Suppressed = append(r.Suppressed, finding(f))
	}
	return r
}

func renderLint(w io.Writer, reports []lintReport) {
	for i, r := range reports {
		if i > 0 {
			fmt.Fprintln(w)
		}
		title := fmt.Sprintf("DaemonSet %s/%s", r.Namespace, r.Name)
		if r.Source != "" {
			title += "  (" + r.Source + ")"
		}
		fmt.Fprintln(w, title)
		if len(r.Validation) == 0 {
			fmt.Fprintln(w, "  validation: accepted by the API server")
		} else {
			fmt.Fprintf(w, "  validation: rejected by the API server (%d error(s))\n", len(r.Validation))
			for _, v := range r.Validation {
				fmt.Fprintf(w, "    error  %s\n", v.Message)
			}
		}
		fmt.Fprintf(w, "  pod security: %s (policy %s)\n", r.PodSecurity.Level, r.PodSecurity.Version)
		for _, l := range r.PodSecurity.Stricter {
			fmt.Fprintf(w, "    not %s:\n", l.Level)
			for _, f := range l.Failures {
				fmt.Fprintf(w, "      %s: %s", f.Check, f.Reason)
				if f.Detail != "" {
					fmt.Fprintf(w, " (%s)", f.Detail)
				}
				fmt.Fprintln(w)
				for _, c := range f.Causes {
					fmt.Fprintf(w, "        caused by %s\n", c)
				}
			}
		}
		suppressed := ""
		if n := len(r.Suppressed); n > 0 {
			suppressed = fmt.Sprintf(", %d suppressed by ignore-check annotations", n)
		}
		if len(r.Findings) == 0 {
			fmt.Fprintf(w, "  lint: no findings%s\n", suppressed)
		} else {
			fmt.Fprintf(w, "  lint: %d finding(s)%s\n", len(r.Findings), suppressed)
		}
		for _, f := range r.Findings {
			fmt.Fprintf(w, "    %-7s %s %s%s: %s\n", f.Severity, f.ID, f.Path, lineSuffix(f), f.Message)
			if f.Hint != "" {
				fmt.Fprintf(w, "            hint: %s\n", f.Hint)
			}
		}
		for _, f := range r.Suppressed {
			fmt.Fprintf(w, "    suppressed %s %s%s: %s\n", f.ID, f.Path, lineSuffix(f), f.Message)
			fmt.Fprintf(w, "            because: %s\n", f.Justification)
		}
	}
}

// lineSuffix is " (line N)" for a finding located in its file.
func lineSuffix(f lintFinding) string {
	if f.Line == 0 {
		return ""
	}
	return fmt.Sprintf(" (line %d)", f.Line)
}

// checkList is what `lint --list-checks -o json|yaml` prints.
type checkList struct {
	envelope
	Checks []checkDoc `json:"checks"`
}

type checkDoc struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Severity  string `json:"severity"`
	Rationale string `json:"rationale"`
	Fix       string `json:"fix"`
	Builder   string `json:"builder,omitempty"`
	Source    string `json:"source"`
}

func checkDocs() []checkDoc {
	var out []checkDoc
	for _, c := range presets.LintChecks() {
		out = append(out, checkDoc{ID: c.ID, Name: c.Name, Severity: string(c.Severity), Rationale: c.Summary,
			Fix: c.Fix, Builder: c.Builder, Source: c.Source})
	}
	return out
}

func renderChecks(w io.Writer, format string) error {
	docs := checkDocs()
	if format != "text" {
		return writeStructured(w, format, checkList{envelope: newEnvelope("LintCheckList"), Checks: docs})
	}
	for i, c := range docs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s  %s  (%s)\n", c.ID, c.Name, c.Severity)
		fmt.Fprintf(w, "  why:     %s\n", c.Rationale)
		fmt.Fprintf(w, "  fix:     %s\n", c.Fix)
		if c.Builder != "" {
			fmt.Fprintf(w, "  builder: %s\n", c.Builder)
		}
		fmt.Fprintf(w, "  source:  %s\n", c.Source)
	}
	fmt.Fprintf(w, "\nSilence a check on one DaemonSet with a reason, in its metadata.annotations:\n  %sDK105: \"<why the check does not apply>\"\n", presets.IgnoreCheckAnnotationPrefix)
	return nil
}
