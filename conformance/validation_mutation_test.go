package conformance

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/presets"
	appsv1 "k8s.io/api/apps/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	podutil "k8s.io/kubernetes/pkg/api/pod"
	appsinternal "k8s.io/kubernetes/pkg/apis/apps"
	appsvalidation "k8s.io/kubernetes/pkg/apis/apps/validation"
	"pgregory.net/rapid"
)

// mutBases are the realistic DaemonSets the mutants start from: every preset
// of the catalog and every DaemonSet of the published manifests in
// internal/testdata/manifests (a DaemonSet without a namespace gets
// "default", as kubectl would give it). Each is valid upstream (with
// --allow-privileged=true; checked when checkValid).
func mutBases(t *testing.T, checkValid bool) []*appsv1.DaemonSet {
	t.Helper()
	var out []*appsv1.DaemonSet
	for _, p := range presets.Catalog() {
		ds, err := p.Builder().Build()
		if err != nil {
			t.Fatalf("preset %s: %v", p.Name, err)
		}
		out = append(out, ds)
	}
	files, err := filepath.Glob("../internal/testdata/manifests/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("manifests: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		objs, err := daemonset.DecodeFile(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, ds := range objs.DaemonSets {
			if ds.Namespace == "" {
				ds.Namespace = "default"
			}
			out = append(out, ds)
		}
	}
	for _, ds := range out {
		if !checkValid {
			break
		}
		if errs := valUpstreamCreateOrConvert(t, valUpstreamDefault(ds)); len(errs) != 0 {
			t.Fatalf("base %s is invalid upstream: %v", ds.Name, errs)
		}
	}
	return out
}

// valUpstreamCreateOrConvert is valUpstreamCreate for inputs that may not
// convert: the API server decodes a DaemonSet whose
// deprecated.daemonset.template.generation annotation is not an integer with
// an error before any validation (upstream: apps/v1/conversion.go
// Convert_v1_DaemonSet_To_apps_DaemonSet); that error is returned as one
// Invalid error on the annotation.
func valUpstreamCreateOrConvert(t valFataler, defaulted *appsv1.DaemonSet) field.ErrorList {
	in := &appsinternal.DaemonSet{}
	if err := legacyscheme.Scheme.Convert(defaulted, in, nil); err != nil {
		const key = appsv1.DeprecatedTemplateGeneration
		return field.ErrorList{field.Invalid(field.NewPath("metadata", "annotations").Key(key), defaulted.Annotations[key], err.Error())}
	}
	in.Status = appsinternal.DaemonSetStatus{}
	in.Generation = 1
	if in.Spec.TemplateGeneration < 1 {
		in.Spec.TemplateGeneration = 1
	}
	podutil.DropDisabledTemplateFields(&in.Spec.Template, nil)
	opts := podutil.GetValidationOptionsFromPodTemplate(&in.Spec.Template, nil)
	return appsvalidation.ValidateDaemonSet(in, opts)
}

// mutAreaStats counts the mutants of one area.
type mutAreaStats struct{ valid, invalid int }

func mutKeys(errs field.ErrorList, detail bool) []string {
	set := map[string]bool{}
	for _, e := range errs {
		k := string(e.Type) + " " + e.Field
		if detail {
			k += ": " + e.Detail
		}
		set[k] = true
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestValidateMutantsMatchUpstream is the mutation differential: a realistic
// DaemonSet (a preset or a published manifest) with one random change at a
// random path of its pod template, valid or not, must get the same verdict,
// the same (type, field) set and the same detail messages from
// daemonset.Validate as from the API server's create path (defaulting,
// conversion, PrepareForCreate, ValidateDaemonSet), both on the object as
// written and on the object upstream's defaulting produced. Reported per area.
func TestValidateMutantsMatchUpstream(t *testing.T) {
	valWithPrivileged(t, true)
	mutCompareCreate(t)
}

// TestValidateMutantsStrictPrivilegedMatchUpstream does the same for an API
// server started with --allow-privileged=false (privileged containers and
// Windows hostProcess pods are refused).
func TestValidateMutantsStrictPrivilegedMatchUpstream(t *testing.T) {
	valWithPrivileged(t, false)
	mutCompareCreate(t, daemonset.StrictPrivileged())
}

func mutCompareCreate(t *testing.T, opts ...daemonset.ValidateOption) {
	bases := mutBases(t, len(opts) == 0)
	var mu sync.Mutex
	stats := map[string]*mutAreaStats{}
	rapid.Check(t, func(rt *rapid.T) {
		base := bases[rapid.IntRange(0, len(bases)-1).Draw(rt, "base")]
		ds := base.DeepCopy()
		m := &mutator{t: rt}
		m.podTemplate(&ds.Spec.Template, &ds.Annotations)
		area := m.area()
		// As a user calls it: on the object as written, Validate defaults it.
		oursRaw := daemonset.Validate(ds, opts...)
		ds = valUpstreamDefault(ds)
		before := ds.DeepCopy()
		ours := daemonset.Validate(ds, opts...)
		if !apiequality.Semantic.DeepEqual(before, ds) {
			rt.Fatalf("Validate modified its input")
		}
		theirs := valUpstreamCreateOrConvert(rt, ds)

		mu.Lock()
		st := stats[area]
		if st == nil {
			st = &mutAreaStats{}
			stats[area] = st
		}
		if len(theirs) == 0 {
			st.valid++
		} else {
			st.invalid++
		}
		mu.Unlock()

		var problem string
		switch {
		case len(theirs) == 0 && len(ours) != 0:
			problem = fmt.Sprintf("upstream accepts, daemonkit rejects:\n%v", ours)
		case !slicesEqual(mutKeys(ours, false), mutKeys(theirs, false)):
			problem = fmt.Sprintf("error sets differ:\n%s\nupstream: %v\nours: %v", valDiff(mutKeys(ours, false), mutKeys(theirs, false)), theirs, ours)
		case !slicesEqual(mutKeys(ours, true), mutKeys(theirs, true)):
			problem = fmt.Sprintf("messages differ:\n%s", valDiff(mutKeys(ours, true), mutKeys(theirs, true)))
		case !slicesEqual(mutKeys(oursRaw, true), mutKeys(theirs, true)):
			problem = fmt.Sprintf("on the undefaulted object:\n%s", valDiff(mutKeys(oursRaw, true), mutKeys(theirs, true)))
		}
		if problem != "" {
			rt.Fatalf("area %s (path %s) of %s: %s", area, strings.Join(m.path, "."), base.Name, problem)
		}
	})
	t.Log(mutReport(stats, len(bases)))
}

// TestValidateUpdateMutantsMatchUpstream is the mutation differential on the
// update path: the stored object is a mutant of a realistic DaemonSet (valid
// or not: the API server keeps accepting on update what an old object already
// used), the update changes one more random path of it, and
// daemonset.ValidateUpdate must answer as upstream's PrepareForUpdate and
// ValidateDaemonSetUpdate, with the options derived from the old template.
func TestValidateUpdateMutantsMatchUpstream(t *testing.T) {
	valWithPrivileged(t, true)
	bases := mutBases(t, true)
	stats := map[string]*mutAreaStats{}
	rapid.Check(t, func(rt *rapid.T) {
		base := bases[rapid.IntRange(0, len(bases)-1).Draw(rt, "base")]
		old := base.DeepCopy()
		old.ResourceVersion = "1"
		mOld := &mutator{t: rt}
		mOld.podTemplate(&old.Spec.Template, &old.Annotations)
		if _, ok := old.Annotations[appsv1.DeprecatedTemplateGeneration]; ok {
			// A stored object always decodes; start from one that does.
			delete(old.Annotations, appsv1.DeprecatedTemplateGeneration)
		}
		upd := old.DeepCopy()
		m := &mutator{t: rt}
		m.podTemplate(&upd.Spec.Template, &upd.Annotations)
		area := m.area()
		oldD, newD := valUpstreamDefault(old), valUpstreamDefault(upd)
		ours := daemonset.ValidateUpdate(newD, oldD)
		var theirs field.ErrorList
		// (on a copy: upstream's conversion shares memory with its input, and
		// the create path drops fields in place)
		if errs := valUpstreamCreateOrConvert(rt, newD.DeepCopy()); len(errs) == 1 && errs[0].Field == "metadata.annotations[deprecated.daemonset.template.generation]" && strings.Contains(errs[0].Detail, "strconv") {
			theirs = errs
		} else {
			theirs = valUpstreamUpdate(rt, newD, oldD)
		}
		st := stats[area]
		if st == nil {
			st = &mutAreaStats{}
			stats[area] = st
		}
		if len(theirs) == 0 {
			st.valid++
		} else {
			st.invalid++
		}
		o, u := mutKeys(ours, true), mutKeys(theirs, true)
		if !slicesEqual(o, u) {
			rt.Fatalf("area %s (old changed at %s, new at %s) of %s:\n%s\nupstream: %v\nours: %v",
				area, strings.Join(mOld.path, "."), strings.Join(m.path, "."), base.Name, valDiff(o, u), theirs, ours)
		}
	})
	t.Log(mutReport(stats, len(bases)))
}

// mutReport prints the mutant counts per area, valid and invalid upstream.
func mutReport(stats map[string]*mutAreaStats, bases int) string {
	areas := make([]string, 0, len(stats))
	total, valid := 0, 0
	for a, st := range stats {
		areas = append(areas, a)
		total += st.valid + st.invalid
		valid += st.valid
	}
	sort.Strings(areas)
	var b strings.Builder
	fmt.Fprintf(&b, "%d mutants over %d bases: %d upstream-valid, %d upstream-invalid\n", total, bases, valid, total-valid)
	for _, a := range areas {
		st := stats[a]
		fmt.Fprintf(&b, "  %-40s %5d mutants: %5d valid, %5d invalid\n", a, st.valid+st.invalid, st.valid, st.invalid)
	}
	return b.String()
}
