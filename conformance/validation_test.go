package conformance

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	podutil "k8s.io/kubernetes/pkg/api/pod"
	appsinternal "k8s.io/kubernetes/pkg/apis/apps"
	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	appsv1defaults "k8s.io/kubernetes/pkg/apis/apps/v1"
	appsvalidation "k8s.io/kubernetes/pkg/apis/apps/validation"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	"k8s.io/kubernetes/pkg/capabilities"
	"pgregory.net/rapid"
)

// valUncovered lists path fragments of upstream rules left out of the
// comparison. daemonset.Validate covers every rule of the create and update
// paths, so it is empty; the filter stays for a rule a future Kubernetes adds.
var valUncovered []string

var valIndex = regexp.MustCompile(`\[[^\]]*\]`)

// valRule names the rule an error comes from: its type and its path with
// indices and map keys elided.
func valRule(e *field.Error) string {
	return string(e.Type) + " " + valIndex.ReplaceAllString(e.Field, "[*]")
}

// valKeys turns an error list into the sorted set of "Type Field" pairs, or
// with detail, of "Type Field: Detail" (the bad value is left out: upstream
// prints internal types, daemonkit apps/v1 ones), leaving out uncovered rules.
func valKeys(errs field.ErrorList, detail bool) []string {
	set := map[string]bool{}
	for _, e := range errs {
		covered := true
		for _, frag := range valUncovered {
			if strings.Contains(e.Field, frag) {
				covered = false
				break
			}
		}
		switch {
		case !covered:
		case detail:
			set[string(e.Type)+" "+e.Field+": "+e.Detail] = true
		default:
			set[string(e.Type)+" "+e.Field] = true
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// valFataler is what both *testing.T/B and *rapid.T offer.
type valFataler interface {
	Fatalf(format string, args ...any)
}

// valUpstreamDefault applies upstream's apps/v1 defaulting to a copy.
func valUpstreamDefault(ds *appsv1.DaemonSet) *appsv1.DaemonSet {
	out := ds.DeepCopy()
	appsv1defaults.SetObjectDefaults_DaemonSet(out)
	return out
}

func valToInternal(t valFataler, ds *appsv1.DaemonSet) *appsinternal.DaemonSet {
	out := &appsinternal.DaemonSet{}
	if err := legacyscheme.Scheme.Convert(ds, out, nil); err != nil {
		t.Fatalf("convert: %v", err)
	}
	return out
}

// valUpstreamCreate is what the API server answers on create: after
// defaulting and conversion, the registry strategy's PrepareForCreate
// (templateGeneration 1, disabled alpha fields dropped) and Validate
// (ValidateDaemonSet with the options the strategy computes). The strategy
// package itself (pkg/registry/apps/daemonset) pulls in apiserver admission
// and CEL, which this module's go.sum does not carry, so its two short
// methods are restated here with upstream's own helpers.
func valUpstreamCreate(t valFataler, defaulted *appsv1.DaemonSet) field.ErrorList {
	in := valToInternal(t, defaulted)
	// upstream: strategy.go PrepareForCreate
	in.Status = appsinternal.DaemonSetStatus{}
	in.Generation = 1
	if in.Spec.TemplateGeneration < 1 {
		in.Spec.TemplateGeneration = 1
	}
	podutil.DropDisabledTemplateFields(&in.Spec.Template, nil)
	// upstream: strategy.go Validate
	opts := podutil.GetValidationOptionsFromPodTemplate(&in.Spec.Template, nil)
	return appsvalidation.ValidateDaemonSet(in, opts)
}

// valUpstreamUpdate is what the API server answers on update: the old object
// as stored (created through PrepareForCreate), then the strategy's
// PrepareForUpdate (template generation, disabled fields) and ValidateUpdate.
func valUpstreamUpdate(t valFataler, newDefaulted, oldDefaulted *appsv1.DaemonSet) field.ErrorList {
	newIn, oldIn := valToInternal(t, newDefaulted), valToInternal(t, oldDefaulted)
	// The stored old object went through PrepareForCreate but keeps what it
	// used (it may predate a gate change), so nothing is dropped from it.
	oldIn.Spec.TemplateGeneration = 1
	// upstream: strategy.go PrepareForUpdate
	podutil.DropDisabledTemplateFields(&newIn.Spec.Template, &oldIn.Spec.Template)
	newIn.Status = oldIn.Status
	newIn.Spec.TemplateGeneration = oldIn.Spec.TemplateGeneration
	if !apiequality.Semantic.DeepEqual(oldIn.Spec.Template, newIn.Spec.Template) {
		newIn.Spec.TemplateGeneration = oldIn.Spec.TemplateGeneration + 1
	}
	// upstream: strategy.go ValidateUpdate
	opts := podutil.GetValidationOptionsFromPodTemplate(&newIn.Spec.Template, &oldIn.Spec.Template)
	opts.AllowInvalidLabelValueInSelector = opts.AllowInvalidLabelValueInSelector ||
		metav1validation.LabelSelectorHasInvalidLabelValue(oldIn.Spec.Selector)
	return appsvalidation.ValidateDaemonSetUpdate(newIn, oldIn, opts)
}

func valDiff(ours, theirs []string) string {
	in := func(s []string, k string) bool {
		i := sort.SearchStrings(s, k)
		return i < len(s) && s[i] == k
	}
	var b strings.Builder
	for _, k := range theirs {
		if !in(ours, k) {
			fmt.Fprintf(&b, "  missing (upstream only): %s\n", k)
		}
	}
	for _, k := range ours {
		if !in(theirs, k) {
			fmt.Fprintf(&b, "  extra (daemonkit only):  %s\n", k)
		}
	}
	return b.String()
}

// valWithPrivileged models kube-apiserver --allow-privileged for one test and
// restores the process-wide capabilities the other tests saw afterwards.
func valWithPrivileged(t *testing.T, allow bool) {
	prev := capabilities.Get()
	capabilities.ResetForTest()
	capabilities.Setup(allow, 0)
	t.Cleanup(func() {
		capabilities.ResetForTest()
		capabilities.Initialize(prev)
	})
}

// valStats counts what the generated cases exercised.
type valStats struct {
	valid, invalid int
	rules          map[string]bool // upstream rules (type + path pattern) seen firing
	uncovered      map[string]bool // upstream rules left out of the comparison
}

func newValStats() *valStats {
	return &valStats{rules: map[string]bool{}, uncovered: map[string]bool{}}
}

func (st *valStats) String() string {
	uncovered := make([]string, 0, len(st.uncovered))
	for r := range st.uncovered {
		uncovered = append(uncovered, r)
	}
	sort.Strings(uncovered)
	return fmt.Sprintf("%d upstream-valid, %d upstream-invalid cases; %d distinct upstream rules (type, path pattern) fired; uncovered rules seen: %v",
		st.valid, st.invalid, len(st.rules), uncovered)
}

// valCheck asserts on one case: (a) upstream valid => daemonkit valid; (b) the
// same set of (Type, Field) on covered rules; (c) the same detail messages.
func valCheck(rt *rapid.T, ours, theirs field.ErrorList, st *valStats) {
	if len(theirs) == 0 {
		st.valid++
	} else {
		st.invalid++
	}
	for _, e := range theirs {
		st.rules[valRule(e)] = true
		if len(valKeys(field.ErrorList{e}, false)) == 0 {
			st.uncovered[valRule(e)] = true
		}
	}
	if len(theirs) == 0 && len(ours) != 0 {
		rt.Fatalf("upstream accepts, daemonkit rejects:\n%v", ours)
	}
	if o, u := valKeys(ours, false), valKeys(theirs, false); !slicesEqual(o, u) {
		rt.Fatalf("error sets differ:\n%s\nupstream: %v\nours: %v", valDiff(o, u), theirs, ours)
	}
	if o, u := valKeys(ours, true), valKeys(theirs, true); !slicesEqual(o, u) {
		rt.Fatalf("messages differ:\n%s", valDiff(o, u))
	}
}

func valCompareCreate(t *testing.T, opts ...daemonset.ValidateOption) *valStats {
	st := newValStats()
	rapid.Check(t, func(rt *rapid.T) {
		g := newValGen(rt)
		ds := valUpstreamDefault(g.daemonSet())
		before := ds.DeepCopy()
		ours := daemonset.Validate(ds, opts...)
		if !apiequality.Semantic.DeepEqual(before, ds) {
			rt.Fatalf("Validate modified its input")
		}
		valCheck(rt, ours, valUpstreamCreate(rt, ds), st)
	})
	return st
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestValidateMatchesUpstream holds daemonset.Validate to upstream's
// ValidateDaemonSet (API server with --allow-privileged=true).
func TestValidateMatchesUpstream(t *testing.T) {
	valWithPrivileged(t, true)
	t.Logf("create: %v", valCompareCreate(t))
}

// TestValidateStrictPrivilegedMatchesUpstream does the same for an API server
// started with --allow-privileged=false.
func TestValidateStrictPrivilegedMatchesUpstream(t *testing.T) {
	valWithPrivileged(t, false)
	t.Logf("create (strict privileged): %v", valCompareCreate(t, daemonset.StrictPrivileged()))
}

// TestValidateUpdateMatchesUpstream holds daemonset.ValidateUpdate to
// upstream's ValidateDaemonSetUpdate on (old, changed) pairs.
func TestValidateUpdateMatchesUpstream(t *testing.T) {
	valWithPrivileged(t, true)
	st := newValStats()
	rapid.Check(t, func(rt *rapid.T) {
		g := newValGen(rt)
		old := g.daemonSet()
		upd := g.update(old)
		oldD, newD := valUpstreamDefault(old), valUpstreamDefault(upd)
		oldBefore, newBefore := oldD.DeepCopy(), newD.DeepCopy()
		ours := daemonset.ValidateUpdate(newD, oldD)
		if !apiequality.Semantic.DeepEqual(oldBefore, oldD) || !apiequality.Semantic.DeepEqual(newBefore, newD) {
			rt.Fatalf("ValidateUpdate modified its input")
		}
		valCheck(rt, ours, valUpstreamUpdate(rt, newD, oldD), st)
	})
	t.Logf("update: %v", st)
}

// valBenchInputs draws 64 defaulted DaemonSets from fixed seeds.
func valBenchInputs(b *testing.B) []*appsv1.DaemonSet {
	gen := rapid.Custom(func(rt *rapid.T) *appsv1.DaemonSet { return newValGen(rt).daemonSet() })
	out := make([]*appsv1.DaemonSet, 0, 64)
	for seed := 0; seed < 64; seed++ {
		out = append(out, valUpstreamDefault(gen.Example(seed)))
	}
	return out
}

// BenchmarkValidateDaemonkit and BenchmarkValidateUpstream run the two
// validators on the same 64 generated, defaulted DaemonSets. Upstream's figure
// includes the conversion to the internal type, which the API server also pays.
func BenchmarkValidateDaemonkit(b *testing.B) {
	inputs := valBenchInputs(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = daemonset.Validate(inputs[i%len(inputs)])
	}
}

// BenchmarkValidateUpstream: see BenchmarkValidateDaemonkit.
func BenchmarkValidateUpstream(b *testing.B) {
	prev := capabilities.Get()
	capabilities.ResetForTest()
	capabilities.Setup(true, 0)
	b.Cleanup(func() {
		capabilities.ResetForTest()
		capabilities.Initialize(prev)
	})
	inputs := valBenchInputs(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = valUpstreamCreate(b, inputs[i%len(inputs)])
	}
}
