package builder

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"pgregory.net/rapid"
)

// rapidChooser draws choices from rapid.
type rapidChooser struct{ t *rapid.T }

func (r rapidChooser) intn(n int, label string) int {
	if n <= 1 {
		return 0
	}
	return rapid.IntRange(0, n-1).Draw(r.t, label)
}

// sequence builds a DaemonSet from a random sequence of calls.
func sequence(t *rapid.T, b *DaemonSet, maxLen int) *DaemonSet {
	c := rapidChooser{t}
	n := rapid.IntRange(0, maxLen).Draw(t, "steps")
	for range n {
		var desc string
		b, desc = step(c, b)
		t.Log(desc)
	}
	return b
}

// TestPropertyBuildIsValidOrErrors: any sequence of calls either builds an
// object that daemonset.Validate accepts, whose selector selects its template
// and whose privileges all carry recorded reasons, or returns an *Error with
// at least one field error; Build never panics and never changes the builder.
func TestPropertyBuildIsValidOrErrors(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := sequence(t, New("node-agent"), 25)
		ds, err := b.Build()
		if err != nil {
			var berr *Error
			if !errors.As(err, &berr) || len(berr.Errs) == 0 {
				t.Fatalf("Build error is not a non-empty *Error: %v", err)
			}
			var fe *field.Error
			if !errors.As(err, &fe) {
				t.Fatalf("Build error does not unwrap to *field.Error: %v", err)
			}
			return
		}
		if errs := daemonset.Validate(ds); len(errs) > 0 {
			t.Fatalf("built object fails Validate: %v", errs.ToAggregate())
		}
		sel, serr := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
		if serr != nil || sel.Empty() || !sel.Matches(labels.Set(ds.Spec.Template.Labels)) {
			t.Fatalf("selector %v does not select template labels %v (%v)", ds.Spec.Selector, ds.Spec.Template.Labels, serr)
		}
		recorded, perr := ParsePrivileges(ds.Spec.Template.Annotations)
		if perr != nil {
			t.Fatalf("annotation does not parse: %v", perr)
		}
		required := RequiredPrivileges(&ds.Spec.Template.Spec)
		if len(recorded) != len(required) {
			t.Fatalf("recorded %v, required %v", recorded, required)
		}
		for _, p := range recorded {
			if p.Reason == "" {
				t.Fatalf("privilege without reason recorded: %+v", p)
			}
			p.Reason = ""
			if !slices.Contains(required, p) {
				t.Fatalf("recorded privilege %+v is not in the object (%v)", p, required)
			}
		}
		if !sortedPrivileges(recorded) {
			t.Fatalf("annotation not sorted: %v", recorded)
		}
	})
}

func sortedPrivileges(ps []Privilege) bool {
	c := slices.Clone(ps)
	sortPrivileges(c)
	return reflect.DeepEqual(c, ps)
}

// TestPropertyBuildIsRepeatableAndUnaliased: building twice gives
// byte-identical results, and scribbling over every field of a returned
// object changes neither the builder nor the next Build.
func TestPropertyBuildIsRepeatableAndUnaliased(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := sequence(t, New("node-agent"), 25)
		first := render(b)
		if second := render(b); second != first {
			t.Fatalf("Build twice differs:\n%s\n%s", first, second)
		}
		if ds, err := b.Build(); err == nil {
			scribble(reflect.ValueOf(ds))
			if again := render(b); again != first {
				t.Fatalf("changing the returned object changed the builder:\n%s\n%s", first, again)
			}
		}
	})
}

// TestPropertyClonesAreIndependent: after Clone, calls on either builder never
// show in the other's Build.
func TestPropertyClonesAreIndependent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		base := sequence(t, New("node-agent"), 15)
		before := render(base)
		clone := base.Clone()
		if got := render(clone); got != before {
			t.Fatalf("clone builds differently:\n%s\n%s", before, got)
		}
		clone = sequence(t, clone, 15)
		if got := render(base); got != before {
			t.Fatalf("calls on the clone changed the base:\n%s\n%s", before, got)
		}
		cloneBefore := render(clone)
		base = sequence(t, base, 15)
		if got := render(clone); got != cloneBefore {
			t.Fatalf("calls on the base changed the clone:\n%s\n%s", cloneBefore, got)
		}
		_ = base
	})
}

// scribble changes every exported string, number and bool reachable from v,
// in place, to detect memory shared with the builder.
func scribble(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			scribble(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				scribble(v.Field(i))
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			scribble(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		keys := v.MapKeys()
		for _, k := range keys {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			scribble(e)
			v.SetMapIndex(k, e)
		}
		if v.Type().Key().Kind() == reflect.String {
			v.SetMapIndex(reflect.ValueOf("scribbled").Convert(v.Type().Key()), reflect.Zero(v.Type().Elem()))
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(v.String() + "~")
		}
	case reflect.Bool:
		if v.CanSet() {
			v.SetBool(!v.Bool())
		}
	case reflect.Int, reflect.Int32, reflect.Int64:
		if v.CanSet() {
			v.SetInt(v.Int() + 1)
		}
	}
}

// FuzzBuilder turns bytes into a sequence of builder calls and checks what
// the properties check: no panic, Build repeatable, success means Validate
// accepts the object.
func FuzzBuilder(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 1, 0, 24, 1, 0})
	f.Add([]byte("a longer seed that touches many different builder operations"))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30})
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &byteChooser{data: data}
		b := New("node-agent")
		for steps := 0; !c.empty() && steps < 200; steps++ {
			b, _ = step(c, b)
		}
		first := render(b)
		if second := render(b); first != second {
			t.Fatalf("Build twice differs:\n%s\n%s", first, second)
		}
		if ds, err := b.Build(); err == nil {
			if errs := daemonset.Validate(ds); len(errs) > 0 {
				t.Fatalf("built object fails Validate: %v", errs.ToAggregate())
			}
		}
	})
}

// FuzzParsePrivileges: the annotation parser never panics, and what it
// accepts survives a round trip through JSON.
func FuzzParsePrivileges(f *testing.F) {
	f.Add(`[{"privilege":"hostNetwork","container":"","reason":"r"}]`)
	f.Add(`[{"privilege":"capability","container":"a","capability":"NET_ADMIN","reason":"r"}]`)
	f.Add(`[]`)
	f.Add(`null`)
	f.Add(`[{"privilege":"bogus"}] trailing`)
	f.Fuzz(func(t *testing.T, raw string) {
		ps, err := ParsePrivileges(map[string]string{PrivilegesAnnotation: raw})
		if err != nil {
			return
		}
		data, jerr := json.Marshal(ps)
		if jerr != nil {
			t.Fatal(jerr)
		}
		again, err := ParsePrivileges(map[string]string{PrivilegesAnnotation: string(data)})
		if err != nil || !reflect.DeepEqual(again, ps) {
			t.Fatalf("round trip: %v %v vs %v", err, again, ps)
		}
	})
}

var _ = appsv1.DaemonSet{}
