package presets

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Make(Options()) is the preset with its defaults: the same DaemonSet and
// companions as Builder and Companions; Options is the preset's typed
// options struct; Make refuses anything else.
func TestCatalogOptionsMake(t *testing.T) {
	for _, p := range Catalog() {
		t.Run(p.Name, func(t *testing.T) {
			o := p.Options()
			if v := reflect.ValueOf(o); v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct || !v.Elem().IsZero() {
				t.Fatalf("Options() = %#v, want a pointer to a zero struct", o)
			}
			if p.Options() == o {
				t.Error("Options returns the same pointer twice")
			}
			b, comps, err := p.Make(o)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(presetYAMLOf(t, b, comps), presetYAML(t, p)); d != "" {
				t.Errorf("Make(Options()) differs from Builder/Companions (-make +builder):\n%s", d)
			}
			for _, bad := range []any{nil, struct{}{}, reflect.ValueOf(o).Elem().Interface()} {
				if _, _, err := p.Make(bad); err == nil {
					t.Errorf("Make(%T) accepted", bad)
				}
			}
		})
	}
	// an option set through Options reaches the DaemonSet
	p, _ := Lookup("node-exporter")
	o := p.Options().(*NodeExporterOptions)
	o.Image = "registry.example/node-exporter:v9"
	b, _, err := p.Make(o)
	if err != nil {
		t.Fatal(err)
	}
	if got := mustBuild(t, b).Spec.Template.Spec.Containers[0].Image; got != o.Image {
		t.Errorf("image %q, want %q", got, o.Image)
	}
}
