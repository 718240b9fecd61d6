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
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
}

const lintUsage = "-f FILE|DIR [-f ...] [-R] [-o text|json|yaml] [--fail-on error,warning,info]"

func runLint(e *env, args []string) error {
	fs := newFlags(e, "lint", lintUsage)
	var mf manifestFlags
	mf.register(fs, "manifests with one or more DaemonSets")
	out := fs.String("o", "text", "output `format`: text, json or yaml")
	failOn := registerFailOn(fs, []string{"error"},
		"error: the API server would reject a DaemonSet, or an error-severity finding",
		"warning: a finding of severity warning or error",
		"info: any finding")
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if err := outputFormat(*out); err != nil {
		return err
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
	var errs, warnings, infos int
	for _, ds := range dss {
		r := lint(ds)
		if src, ok := objs.SourceOf(ds); ok {
			r.Source = src.String()
		}
		errs += len(r.Validation)
		for _, f := range r.Findings {
			switch presets.Severity(f.Severity) {
			case presets.SeverityError:
				errs++
			case presets.SeverityWarning:
				warnings++
			default:
				infos++
			}
		}
		reports = append(reports, r)
	}
	var fl failed
	fl.check(failOn, "error", errs, fmt.Sprintf("%d error(s)", errs))
	fl.check(failOn, "warning", errs+warnings, fmt.Sprintf("%d error(s), %d warning(s)", errs, warnings))
	fl.check(failOn, "info", errs+warnings+infos, fmt.Sprintf("%d finding(s)", errs+warnings+infos))
	switch *out {
	case "json", "yaml":
		if err := writeStructured(e.stdout, *out, lintOutput{envelope: newEnvelope("LintReport"), DaemonSets: reports, Failed: fl.names}); err != nil {
			return err
		}
	default:
		renderLint(e.stdout, reports)
	}
	return fl.err()
}

// lint runs the three checks the API server, Pod Security admission and
// our linter would make.
func lint(ds *appsv1.DaemonSet) lintReport {
	r := lintReport{Namespace: ds.Namespace, Name: ds.Name}
	r.Validation = validationErrors(daemonset.Validate(ds))
	ps := presets.EvaluatePodSecurity(ds)
	r.PodSecurity = podSecurityReport{Version: ps.Version, Level: string(ps.Level)}
	for _, lr := range ps.Stricter {
		l := podSecurityLevel{Level: string(lr.Level)}
		for _, f := range lr.Failures {
			pf := podSecurityFail{Check: f.ID, Reason: f.Reason, Detail: f.Detail}
			for _, c := range f.Causes {
				s := c.Path
				if c.Call != "" {
					s += " (" + c.Call + ")"
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
	for _, f := range presets.Lint(ds) {
		r.Findings = append(r.Findings, lintFinding{ID: f.ID, Severity: string(f.Severity), Path: f.Path, Message: f.Message, Hint: f.Hint})
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
		if len(r.Findings) == 0 {
			fmt.Fprintln(w, "  lint: no findings")
			continue
		}
		fmt.Fprintf(w, "  lint: %d finding(s)\n", len(r.Findings))
		for _, f := range r.Findings {
			fmt.Fprintf(w, "    %-7s %s %s: %s\n", f.Severity, f.ID, f.Path, f.Message)
			if f.Hint != "" {
				fmt.Fprintf(w, "            hint: %s\n", f.Hint)
			}
		}
	}
}
