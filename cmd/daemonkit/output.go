package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// apiVersion is the schema version of every JSON/YAML document the CLI
// prints (docs/json-schema.md). A field's meaning never changes within one
// apiVersion; new fields may appear.
const apiVersion = "daemonkit.io/v1alpha1"

// envelope starts every JSON/YAML document: which schema and which kind of
// report follows.
type envelope struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

func newEnvelope(kind string) envelope { return envelope{APIVersion: apiVersion, Kind: kind} }

// writeStructured prints v as indented JSON or as YAML. Map keys come out
// sorted, so the output is stable across runs.
func writeStructured(w io.Writer, format string, v any) error {
	j, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if format == "yaml" {
		y, err := yaml.JSONToYAML(j)
		if err != nil {
			return err
		}
		_, err = w.Write(y)
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", j)
	return err
}

// svgName refuses a --plot name that does not end in .svg: the plots are
// SVG only, and an SVG in a .png file opens nowhere.
func svgName(flagName, name string) error {
	if name == "" || strings.EqualFold(filepath.Ext(name), ".svg") {
		return nil
	}
	return usagef("%s %s: plots are written as SVG only; give a name ending in .svg (convert it with, say, rsvg-convert -o %s %s.svg)",
		flagName, name, name, strings.TrimSuffix(name, filepath.Ext(name)))
}
