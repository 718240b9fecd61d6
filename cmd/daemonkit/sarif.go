package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/presets"
	appsv1 "k8s.io/api/apps/v1"
)

// SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format), the
// subset `lint -o sarif` writes: one run whose tool.driver lists every lint
// check as a rule, and one result per finding located at the line and
// column of its field. Schema:
// https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json

const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	// informationURI is where users read about the tool; checks link to
	// their section of docs/lint.md there.
	informationURI = "https://github.com/daemonkit/daemonkit"
	// validationRuleID is the rule of API-server validation errors, which
	// lint reports beside its checks.
	validationRuleID = "validation"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string       `json:"id"`
	Name                 string       `json:"name"`
	ShortDescription     sarifText    `json:"shortDescription"`
	FullDescription      sarifText    `json:"fullDescription"`
	Help                 sarifText    `json:"help"`
	HelpURI              string       `json:"helpUri"`
	DefaultConfiguration sarifRuleCfg `json:"defaultConfiguration"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRuleCfg struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID       string             `json:"ruleId"`
	RuleIndex    int                `json:"ruleIndex"`
	Level        string             `json:"level"`
	Message      sarifText          `json:"message"`
	Locations    []sarifLocation    `json:"locations"`
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
	Properties   *sarifProperties   `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification"`
}

type sarifProperties struct {
	Hint string `json:"hint,omitempty"`
}

// sarifLevel maps a lint severity to a SARIF level.
func sarifLevel(s string) string {
	switch presets.Severity(s) {
	case presets.SeverityError:
		return "error"
	case presets.SeverityWarning:
		return "warning"
	}
	return "note"
}

// sarifURI turns a file name as given on the command line into the URI
// reference SARIF wants: relative names stay relative (to the working
// directory, where code-scanning tools run), absolute ones become file URIs.
// Standard input has no URI.
func sarifURI(name string) string {
	if name == "" || name == "-" {
		return ""
	}
	p := filepath.ToSlash(name)
	if filepath.IsAbs(name) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // C:/x on Windows
		}
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: p}).String()
}

// sarifRules are the lint checks, then API-server validation.
func sarifRules() ([]sarifRule, map[string]int) {
	var rules []sarifRule
	index := map[string]int{}
	for _, c := range presets.LintChecks() {
		help := "Fix: " + c.Fix
		if c.Builder != "" {
			help += "\nBuilder: " + c.Builder
		}
		if c.ID != "DK100" { // the check of malformed annotations cannot be silenced
			help += "\nSilence on one DaemonSet, with a reason: metadata.annotations " + presets.IgnoreCheckAnnotationPrefix + c.ID + `: "<why>"`
		}
		index[c.ID] = len(rules)
		rules = append(rules, sarifRule{
			ID: c.ID, Name: c.Name,
			ShortDescription:     sarifText{Text: firstSentence(c.Summary)},
			FullDescription:      sarifText{Text: c.Summary},
			Help:                 sarifText{Text: help},
			HelpURI:              informationURI + "/blob/main/docs/lint.md#" + strings.ToLower(c.ID),
			DefaultConfiguration: sarifRuleCfg{Level: sarifLevel(string(c.Severity))},
		})
	}
	index[validationRuleID] = len(rules)
	rules = append(rules, sarifRule{
		ID: validationRuleID, Name: "api-server-validation",
		ShortDescription:     sarifText{Text: "The API server would reject the DaemonSet."},
		FullDescription:      sarifText{Text: "The DaemonSet fails the validation a Kubernetes v1.37 API server applies on create and update (upstream: pkg/apis/apps/validation ValidateDaemonSet); kubectl apply would fail."},
		Help:                 sarifText{Text: "Fix the field the error names; the message is the API server's own."},
		HelpURI:              informationURI + "/blob/main/docs/lint.md#validation",
		DefaultConfiguration: sarifRuleCfg{Level: "error"},
	})
	return rules, index
}

// firstSentence is s up to and including its first ". ", or s.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// writeSARIF prints the lint reports of dss (reports[i] is dss[i]'s) as one
// SARIF 2.1.0 log.
func writeSARIF(w io.Writer, dss []*appsv1.DaemonSet, objs *daemonset.Objects, reports []lintReport) error {
	rules, index := sarifRules()
	run := sarifRun{
		Tool:    sarifTool{Driver: sarifDriver{Name: "daemonkit", Version: buildVersion().Version, InformationURI: informationURI, Rules: rules}},
		Results: []sarifResult{},
	}
	for i, r := range reports {
		ds := dss[i]
		src, _ := objs.SourceOf(ds)
		uri := sarifURI(src.Name)
		loc := func(path string, line, col int) []sarifLocation {
			l := sarifLocation{LogicalLocations: []sarifLogical{{
				Name: path, FullyQualifiedName: fmt.Sprintf("DaemonSet/%s/%s:%s", r.Namespace, r.Name, path), Kind: "member"}}}
			if uri != "" {
				l.PhysicalLocation = &sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri}}
				if line > 0 {
					l.PhysicalLocation.Region = &sarifRegion{StartLine: line, StartColumn: col}
				}
			}
			return []sarifLocation{l}
		}
		for _, v := range r.Validation {
			line, col := objs.Position(ds, v.Field)
			run.Results = append(run.Results, sarifResult{RuleID: validationRuleID, RuleIndex: index[validationRuleID], Level: "error",
				Message: sarifText{Text: v.Message}, Locations: loc(v.Field, line, col)})
		}
		add := func(f lintFinding, suppressed bool) {
			res := sarifResult{RuleID: f.ID, RuleIndex: index[f.ID], Level: sarifLevel(f.Severity),
				Message: sarifText{Text: f.Message}, Locations: loc(f.Path, f.Line, f.Column)}
			if f.Hint != "" {
				res.Properties = &sarifProperties{Hint: f.Hint}
			}
			if suppressed {
				res.Suppressions = []sarifSuppression{{Kind: "inSource", Justification: f.Justification}}
			}
			run.Results = append(run.Results, res)
		}
		for _, f := range r.Findings {
			add(f, false)
		}
		for _, f := range r.Suppressed {
			add(f, true)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "<why>" stays readable
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}
