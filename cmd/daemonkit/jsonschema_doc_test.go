package main

import (
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// schemaDoc is the reference of every JSON/YAML document the CLI prints.
const schemaDoc = "../../docs/json-schema.md"

// TestJSONSchemaDocumented holds docs/json-schema.md to the code: every
// kind the CLI emits (newEnvelope) has its section, and every JSON field of
// that kind's object is named there (its top-level fields in the kind's own
// section, nested ones anywhere). Objects of the Kubernetes API are
// documented by reference.
func TestJSONSchemaDocumented(t *testing.T) {
	doc, err := os.ReadFile(schemaDoc)
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]string{}
	for _, part := range strings.Split("\n"+string(doc), "\n## ")[1:] {
		head, body, _ := strings.Cut(part, "\n")
		sections[strings.TrimSpace(head)] = body
	}
	named := func(text string) map[string]bool {
		out := map[string]bool{}
		for _, m := range regexp.MustCompile("`([A-Za-z][A-Za-z0-9]*)`").FindAllStringSubmatch(text, -1) {
			out[m[1]] = true
		}
		return out
	}
	all := named(string(doc))

	// the kinds the code emits
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`newEnvelope\("(\w+)"\)`).FindAllStringSubmatch(string(src), -1) {
			kinds[m[1]] = true
		}
	}
	if len(kinds) == 0 {
		t.Fatal("found no newEnvelope calls")
	}
	roots := map[string]any{
		"Explanation":          explainReport{},
		"RolloutTrace":         rolloutTrace{},
		"RolloutSample":        sampleReport{},
		"BudgetRecommendation": recommendOut{},
		"Version":              versionReport{},
		"LintReport":           lintOutput{},
		"LintCheckList":        checkList{},
	}
	for _, kind := range slices.Sorted(maps.Keys(kinds)) {
		body, ok := sections[kind]
		if !ok {
			t.Errorf("kind %s is emitted but has no section \"## %s\" in %s", kind, kind, schemaDoc)
			continue
		}
		root, ok := roots[kind]
		if !ok {
			t.Errorf("kind %s: add its root type to this test", kind)
			continue
		}
		own := named(body)
		top, nested := jsonFields(reflect.TypeOf(root))
		for _, f := range top {
			if !own[f] {
				t.Errorf("%s: field %q is not in its section of %s", kind, f, schemaDoc)
			}
		}
		for _, f := range nested {
			if !all[f] {
				t.Errorf("%s: nested field %q is not in %s", kind, f, schemaDoc)
			}
		}
	}
}

// jsonFields lists the JSON names of t's fields (embedded structs inline)
// and, separately, those of the daemonkit structs they hold.
func jsonFields(t reflect.Type) (top, nested []string) {
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type, out *[]string)
	walk = func(t reflect.Type, out *[]string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Anonymous && name == "" {
				walk(f.Type, out)
				continue
			}
			if !f.IsExported() || name == "-" {
				continue
			}
			*out = append(*out, name)
			ft := f.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && !seen[ft] && (ft.PkgPath() == "main" || strings.HasPrefix(ft.PkgPath(), "github.com/daemonkit/")) {
				seen[ft] = true
				walk(ft, &nested)
			}
		}
	}
	walk(t, &top)
	return top, nested
}
