package presets

import (
	"fmt"
	"slices"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// PodSecurityReport is the Pod Security Standards verdict for one pod template:
// the strictest level it meets and, for each stricter level, what fails and why.
type PodSecurityReport struct {
	// Version is the policy version evaluated, "latest" or "v1.N".
	Version string
	// Level is the strictest level whose enforcement admits the pod:
	// restricted, baseline or privileged (which admits every pod).
	Level psaapi.Level
	// Stricter holds one entry per level that rejects the pod, baseline
	// before restricted: the levels stricter than Level. (Upstream's
	// restricted level skips the baseline checks it overrides, so a pod
	// invalid for the API server, such as a volume with both a hostPath and
	// an emptyDir source, can pass restricted and fail baseline; Level is
	// then restricted and Stricter still lists baseline.)
	Stricter []LevelResult
}

// LevelResult lists the checks a pod fails at one Pod Security level.
type LevelResult struct {
	// Level is baseline or restricted.
	Level psaapi.Level
	// Failures are the failing checks in upstream's order (baseline checks
	// first, each group sorted by ID). Restricted includes every baseline check
	// it does not override, as upstream does.
	Failures []CheckFailure
}

// CheckFailure is one failing Pod Security check.
type CheckFailure struct {
	// ID is the upstream check ID, for example "hostPathVolumes".
	ID string
	// Level is the level the check belongs to (baseline or restricted).
	Level psaapi.Level
	// Reason and Detail are upstream's ForbiddenReason and ForbiddenDetail,
	// verbatim, as the API server's warning would print them.
	Reason string
	Detail string
	// Causes are the fields that make the check fail, each with the builder
	// call that sets it and the reason recorded for it, where known.
	Causes []Cause
}

// Cause is one field that makes a Pod Security check (or a lint check) fail.
type Cause struct {
	// Path is the field path, rooted at the object evaluated, for example
	// "spec.template.spec.volumes[0].hostPath".
	Path string
	// Call names the builder call that sets the field, for example
	// `HostPath("varlog", "/var/log")`, or is empty when the field was set
	// some other way.
	Call string
	// Reason is the justification recorded for this privilege (the
	// PrivilegeReasonAnnotation on the pod template), or empty.
	Reason string
	// Note explains a cause that is not literally in the object, for
	// example a hostPort the API server defaults from containerPort.
	Note string
}

// PodSecurityEvaluator evaluates pod templates against the Pod Security
// Standards at one policy version, with the checks of
// k8s.io/pod-security-admission/policy. It is safe for concurrent use.
type PodSecurityEvaluator struct {
	version psaapi.Version
	// baseline and restricted are the checks of each level at version, in
	// upstream's evaluation order.
	baseline, restricted []namedCheck
}

type namedCheck struct {
	id    policy.CheckID
	level psaapi.Level
	fn    policy.CheckPodFn
}

// NewPodSecurityEvaluator returns an evaluator for the given policy version
// (psaapi.LatestVersion() for the newest rules, or psaapi.MajorMinorVersion(1, 33)
// to pin). It fails only if the upstream check set is invalid.
//
//	ev, err := presets.NewPodSecurityEvaluator(psaapi.LatestVersion())
func NewPodSecurityEvaluator(version psaapi.Version) (*PodSecurityEvaluator, error) {
	checks := policy.DefaultChecks()
	// upstream: policy/registry.go NewEvaluator validates the same list; reuse it
	// so an invalid set fails the same way.
	if _, err := policy.NewEvaluator(checks, nil); err != nil {
		return nil, fmt.Errorf("pod security checks: %w", err)
	}
	// upstream: policy/registry.go populate — a version newer than every
	// check's newest revision (including "latest") evaluates as that revision.
	var maxVersion psaapi.Version
	for _, c := range checks {
		last := c.Versions[len(c.Versions)-1].MinimumVersion
		if maxVersion.Older(last) {
			maxVersion = last
		}
	}
	v := version
	if maxVersion.Older(v) {
		v = maxVersion
	}
	pick := func(c policy.Check) (policy.VersionedCheck, bool) {
		var found policy.VersionedCheck
		ok := false
		for _, vc := range c.Versions {
			if !v.Older(vc.MinimumVersion) {
				found, ok = vc, true
			}
		}
		return found, ok
	}
	var baseIDs, restrIDs []policy.CheckID
	base := map[policy.CheckID]policy.VersionedCheck{}
	restr := map[policy.CheckID]policy.VersionedCheck{}
	for _, c := range checks {
		vc, ok := pick(c)
		if !ok {
			continue
		}
		if c.Level == psaapi.LevelRestricted {
			restr[c.ID] = vc
			restrIDs = append(restrIDs, c.ID)
		} else {
			base[c.ID] = vc
			baseIDs = append(baseIDs, c.ID)
		}
	}
	slices.Sort(baseIDs)
	slices.Sort(restrIDs)
	overridden := map[policy.CheckID]bool{}
	for _, id := range restrIDs {
		for _, o := range restr[id].OverrideCheckIDs {
			overridden[o] = true
		}
	}
	e := &PodSecurityEvaluator{version: version}
	for _, id := range baseIDs {
		nc := namedCheck{id: id, level: psaapi.LevelBaseline, fn: base[id].CheckPod}
		e.baseline = append(e.baseline, nc)
		if !overridden[id] {
			e.restricted = append(e.restricted, nc)
		}
	}
	for _, id := range restrIDs {
		e.restricted = append(e.restricted, namedCheck{id: id, level: psaapi.LevelRestricted, fn: restr[id].CheckPod})
	}
	return e, nil
}

// EvaluatePodSecurity evaluates the DaemonSet's pod template against the latest
// Pod Security Standards. A nil DaemonSet yields the report of an empty pod.
//
//	rep := presets.EvaluatePodSecurity(ds)
//	fmt.Println(rep.Level) // privileged
func EvaluatePodSecurity(ds *appsv1.DaemonSet) PodSecurityReport {
	ev, err := NewPodSecurityEvaluator(psaapi.LatestVersion())
	if err != nil {
		// The upstream check set is fixed at build time and valid; report
		// the most permissive level rather than a verdict we cannot compute.
		return PodSecurityReport{Version: psaapi.LatestVersion().String(), Level: psaapi.LevelPrivileged}
	}
	return ev.EvaluateDaemonSet(ds)
}

// EvaluateDaemonSet evaluates ds.Spec.Template as the pods the DaemonSet
// controller creates. Cause paths are rooted at the DaemonSet
// ("spec.template.spec...").
func (e *PodSecurityEvaluator) EvaluateDaemonSet(ds *appsv1.DaemonSet) PodSecurityReport {
	if ds == nil {
		return e.evaluate(&corev1.PodTemplateSpec{}, field.NewPath("spec", "template"))
	}
	return e.evaluate(&ds.Spec.Template, field.NewPath("spec", "template"))
}

// EvaluateTemplate evaluates a pod template. Cause paths are rooted at the
// template ("spec.containers[0]...").
func (e *PodSecurityEvaluator) EvaluateTemplate(tmpl *corev1.PodTemplateSpec) PodSecurityReport {
	if tmpl == nil {
		tmpl = &corev1.PodTemplateSpec{}
	}
	return e.evaluate(tmpl, nil)
}

// evaluate runs the checks on the pod the controller would create from tmpl.
func (e *PodSecurityEvaluator) evaluate(tmpl *corev1.PodTemplateSpec, root *field.Path) PodSecurityReport {
	meta := tmpl.ObjectMeta.DeepCopy()
	// Enforcement happens on Pods, which the API server defaults further than
	// templates: with hostNetwork every containerPort becomes a hostPort.
	// upstream: pkg/apis/core/v1/defaults.go SetDefaults_Pod, defaultHostNetworkPorts
	spec := &daemonset.WithPodOnlyDefaults(&corev1.Pod{Spec: *tmpl.Spec.DeepCopy()}).Spec
	defaulted := filledHostPorts(&tmpl.Spec, spec)

	rep := PodSecurityReport{Version: e.version.String()}
	base := e.run(e.baseline, psaapi.LevelBaseline, meta, spec, tmpl, root, defaulted)
	restr := e.run(e.restricted, psaapi.LevelRestricted, meta, spec, tmpl, root, defaulted)
	// upstream: admission/admission.go Admission.EvaluatePod checks only the
	// namespace's level, so each level stands on its own.
	switch {
	case len(restr.Failures) == 0:
		rep.Level = psaapi.LevelRestricted
	case len(base.Failures) == 0:
		rep.Level = psaapi.LevelBaseline
	default:
		rep.Level = psaapi.LevelPrivileged
	}
	for _, l := range []LevelResult{base, restr} {
		if len(l.Failures) > 0 {
			rep.Stricter = append(rep.Stricter, l)
		}
	}
	return rep
}

func (e *PodSecurityEvaluator) run(checks []namedCheck, level psaapi.Level, meta *metav1.ObjectMeta, spec *corev1.PodSpec,
	tmpl *corev1.PodTemplateSpec, root *field.Path, defaulted map[portRef]bool) LevelResult {
	res := LevelResult{Level: level}
	specPath, metaPath := childOf(root, "spec"), childOf(root, "metadata")
	reasons := recordedReasons(tmpl, specPath)
	for _, c := range checks {
		r := c.fn(meta, spec)
		if r.Allowed {
			continue
		}
		reason := r.ForbiddenReason
		if reason == "" {
			reason = policy.UnknownForbiddenReason
		}
		f := CheckFailure{ID: string(c.id), Level: c.level, Reason: reason, Detail: r.ForbiddenDetail}
		for _, loc := range locateCheck(string(c.id), c.fn, meta, spec, specPath, metaPath, defaulted) {
			f.Causes = append(f.Causes, loc.cause(specPath, reasons))
		}
		res.Failures = append(res.Failures, f)
	}
	return res
}

// Aggregate renders the failures of one level the way the API server's
// warning does, for example
// "host namespaces (hostNetwork=true), hostPath volumes (volume "proc")".
// upstream: policy/checks.go AggregateCheckResult.ForbiddenDetail
func (l LevelResult) Aggregate() string {
	agg := policy.AggregateCheckResult{Allowed: len(l.Failures) == 0}
	for _, f := range l.Failures {
		agg.ForbiddenReasons = append(agg.ForbiddenReasons, f.Reason)
		agg.ForbiddenDetails = append(agg.ForbiddenDetails, f.Detail)
	}
	return agg.ForbiddenDetail()
}

// Failed reports whether check id fails at this level.
func (l LevelResult) Failed(id string) bool {
	for _, f := range l.Failures {
		if f.ID == id {
			return true
		}
	}
	return false
}

// FailedChecks returns the IDs of the failing checks, in report order.
func (l LevelResult) FailedChecks() []string {
	ids := make([]string, 0, len(l.Failures))
	for _, f := range l.Failures {
		ids = append(ids, f.ID)
	}
	return ids
}

// Result returns the LevelResult for level, or false if that level admits
// the pod.
func (r PodSecurityReport) Result(level psaapi.Level) (LevelResult, bool) {
	for _, l := range r.Stricter {
		if l.Level == level {
			return l, true
		}
	}
	return LevelResult{}, false
}

// NamespaceLabels returns the pod-security.kubernetes.io labels a namespace
// needs so that pods at the given level are admitted (enforce) and anything
// weaker is reported (warn, audit at the next stricter level, if any). Keys are
// sorted when serialised; the map is fresh on every call.
func NamespaceLabels(level psaapi.Level) map[string]string {
	labels := map[string]string{
		psaapi.EnforceLevelLabel:   string(level),
		psaapi.EnforceVersionLabel: psaapi.VersionLatest,
		psaapi.WarnLevelLabel:      string(level),
		psaapi.WarnVersionLabel:    psaapi.VersionLatest,
		psaapi.AuditLevelLabel:     string(level),
		psaapi.AuditVersionLabel:   psaapi.VersionLatest,
	}
	return labels
}

// portRef names one container port: list kind, container index, port index.
type portRef struct {
	list      string
	container int
	port      int
}

// filledHostPorts records which hostPorts the Pod defaults filled in: set in
// stored, zero in the template.
func filledHostPorts(tmpl, stored *corev1.PodSpec) map[portRef]bool {
	out := map[portRef]bool{}
	fill := func(list string, before, after []corev1.Container) {
		for i := range after {
			for j := range after[i].Ports {
				if after[i].Ports[j].HostPort != 0 && before[i].Ports[j].HostPort == 0 {
					out[portRef{list, i, j}] = true
				}
			}
		}
	}
	fill("containers", tmpl.Containers, stored.Containers)
	fill("initContainers", tmpl.InitContainers, stored.InitContainers)
	return out
}
