package daemonset

import (
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ValidateOption changes how Validate and ValidateUpdate model the API server.
// Options are values; combine as many as needed.
//
//	errs := daemonset.Validate(ds, daemonset.StrictPrivileged())
type ValidateOption func(*validateConfig)

// validateConfig is what a validation run depends on: upstream's
// PodValidationOptions as the API server derives them from the old and new
// objects, and the server's --allow-privileged capability.
type validateConfig struct {
	podValidationOptions
	// allowPrivileged models kube-apiserver --allow-privileged.
	// upstream: pkg/capabilities, ValidateSecurityContext
	allowPrivileged bool
}

// StrictPrivileged models an API server started with --allow-privileged=false:
// any container with securityContext.privileged: true is rejected with
// Forbidden at ...securityContext.privileged, and a Windows pod with
// hostProcess containers with Forbidden at spec.template.spec. Without it,
// Validate models --allow-privileged=true, the setting of kubeadm, kind and
// managed clusters.
func StrictPrivileged() ValidateOption {
	return func(c *validateConfig) { c.allowPrivileged = false }
}

func newValidateConfig(opts []ValidateOption) validateConfig {
	c := validateConfig{allowPrivileged: true}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// Validate is the verdict of the Kubernetes v1.37.2 API server, with its
// default feature gates, on creating the DaemonSet: the same errors, with the
// same field paths, types and detail messages, as upstream's create path.
// It follows that path step by step on a copy (the input is never modified):
// defaulting (SetDefaults); decoding, where a
// deprecated.daemonset.template.generation annotation that is not an integer
// fails the request before any validation (reported as one Invalid error on
// that annotation); dropping the fields of alpha features that are off
// (emptyDir mode, gRPC probe mode, stopSignal, httpGet protocol,
// bindMountOptions, volume defaultUser/user, schedulingGroup,
// evictionResponders); then every rule of upstream's ValidateDaemonSet,
// ValidatePodTemplateSpec and everything below it, with the validation
// options the server derives (upstream: pkg/registry/apps/daemonset
// strategy.go PrepareForCreate and Validate; pkg/api/pod/util.go
// dropDisabledFields and GetValidationOptionsFromPodSpecAndMeta;
// pkg/apis/apps/validation and pkg/apis/core/validation). Where upstream
// reports in map order, Validate reports the same errors in a fixed order.
// A nil ds yields a single Required error. conformance/ holds it to upstream's
// code on random DaemonSets and on random single-field mutations of realistic
// ones, in every area of the pod spec.
//
// The API server is modelled with --allow-privileged=true (kubeadm, kind and
// managed clusters); StrictPrivileged models --allow-privileged=false.
//
// Out of scope: non-default feature gates; what happens outside validation
// on the way in: admission plugins and webhooks (Pod Security admission,
// ValidatingAdmissionPolicy, quota), existence of the namespace or of objects
// the template refers to, name conflicts, and malformed request bodies.
func Validate(ds *appsv1.DaemonSet, opts ...ValidateOption) field.ErrorList {
	if ds == nil {
		return field.ErrorList{field.Required(field.NewPath(""), "a DaemonSet is required")}
	}
	if err := validateTemplateGenerationAnnotation(ds); err != nil {
		return field.ErrorList{err}
	}
	cfg := newValidateConfig(opts)
	obj := ds.DeepCopy()
	SetDefaults(obj)
	prepareForValidation(obj)
	// upstream: strategy.go PrepareForCreate, Validate
	dropDisabledPodFields(&obj.Spec.Template.Spec, nil)
	cfg.podValidationOptions = podValidationOptionsFor(nil)
	return validateDaemonSet(obj, cfg)
}

// ValidateUpdate reports what the Kubernetes v1.37.2 API server answers when
// oldDS (as stored) is replaced by newDS: the create rules of Validate plus
// the update rules of upstream's ValidateDaemonSetUpdate (metadata update
// rules, selector immutable). Both inputs are defaulted on copies; neither is
// modified. The server recomputes the template generation, so its own rules
// (must not decrease; must increase iff the template changed) always hold and
// never fire here (upstream: pkg/registry/apps/daemonset/strategy.go
// PrepareForUpdate). As for a real update, newDS must carry
// metadata.resourceVersion (Invalid otherwise). As the API server does, the
// update keeps accepting what the old object already used (upstream: api/pod
// util.go GetValidationOptionsFromPodSpecAndMeta and dropDisabledFields):
// invalid label values in selectors and required node affinity, Lt/Gt
// tolerations, hostNetwork with hostUsers: false, fields of disabled alpha
// features, and the other relaxations listed there. Options as for Validate.
func ValidateUpdate(newDS, oldDS *appsv1.DaemonSet, opts ...ValidateOption) field.ErrorList {
	if newDS == nil || oldDS == nil {
		return field.ErrorList{field.Required(field.NewPath(""), "both the new and the old DaemonSet are required")}
	}
	if err := validateTemplateGenerationAnnotation(newDS); err != nil {
		return field.ErrorList{err}
	}
	cfg := newValidateConfig(opts)
	newObj, oldObj := newDS.DeepCopy(), oldDS.DeepCopy()
	SetDefaults(newObj)
	SetDefaults(oldObj)
	prepareForValidation(newObj)
	prepareForValidation(oldObj)

	// upstream: strategy.go PrepareForUpdate, ValidateUpdate
	dropDisabledPodFields(&newObj.Spec.Template.Spec, &oldObj.Spec.Template.Spec)
	cfg.podValidationOptions = podValidationOptionsFor(&oldObj.Spec.Template)
	cfg.AllowInvalidLabelValueInSelector = cfg.AllowInvalidLabelValueInSelector ||
		metav1validation.LabelSelectorHasInvalidLabelValue(oldObj.Spec.Selector)

	// upstream: validation.go ValidateDaemonSetUpdate
	allErrs := validateObjectMetaUpdate(&newObj.ObjectMeta, &oldObj.ObjectMeta, field.NewPath("metadata"))
	allErrs = append(allErrs, apimachineryvalidation.ValidateImmutableField(newObj.Spec.Selector, oldObj.Spec.Selector, field.NewPath("spec", "selector"))...)
	allErrs = append(allErrs, validateDaemonSetSpec(&newObj.Spec, field.NewPath("spec"), cfg)...)
	return allErrs
}

// validateTemplateGenerationAnnotation: the API server reads the
// deprecated.daemonset.template.generation annotation into the internal
// spec.templateGeneration while decoding the request, and a value that is not
// an int64 fails the request before any validation (upstream:
// apps/v1/conversion.go Convert_v1_DaemonSet_To_apps_DaemonSet, strconv.ParseInt).
func validateTemplateGenerationAnnotation(ds *appsv1.DaemonSet) *field.Error {
	const key = appsv1.DeprecatedTemplateGeneration
	value, ok := ds.Annotations[key]
	if !ok {
		return nil
	}
	if _, err := strconv.ParseInt(value, 10, 64); err != nil {
		return field.Invalid(field.NewPath("metadata", "annotations").Key(key), value, err.Error())
	}
	return nil
}

// prepareForValidation removes what the API server's conversion to the
// internal type takes away before validation: the template-generation
// annotation becomes spec.templateGeneration (upstream: apps/v1/conversion.go).
func prepareForValidation(ds *appsv1.DaemonSet) {
	if _, ok := ds.Annotations[appsv1.DeprecatedTemplateGeneration]; ok {
		delete(ds.Annotations, appsv1.DeprecatedTemplateGeneration)
	}
}

// upstream: apps/validation/validation.go ValidateDaemonSet
func validateDaemonSet(ds *appsv1.DaemonSet, cfg validateConfig) field.ErrorList {
	allErrs := validateObjectMeta(&ds.ObjectMeta, field.NewPath("metadata"))
	allErrs = append(allErrs, validateDaemonSetSpec(&ds.Spec, field.NewPath("spec"), cfg)...)
	return allErrs
}

// upstream: core/validation/validation.go ValidateObjectMeta (apimachinery's
// plus the Kubernetes finalizer-name check), DaemonSet names are DNS subdomains.
func validateObjectMeta(meta *metav1.ObjectMeta, fldPath *field.Path) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMeta(meta, true, apimachineryvalidation.NameIsDNSSubdomain, fldPath)
	allErrs = append(allErrs, validateKubeFinalizerNames(meta.Finalizers, fldPath.Child("finalizers"))...)
	return allErrs
}

// upstream: core/validation/validation.go ValidateObjectMetaUpdate
func validateObjectMetaUpdate(newMeta, oldMeta *metav1.ObjectMeta, fldPath *field.Path) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(newMeta, oldMeta, fldPath)
	allErrs = append(allErrs, validateKubeFinalizerNames(newMeta.Finalizers, fldPath.Child("finalizers"))...)
	return allErrs
}

// upstream: core/validation/validation.go validateKubeFinalizerName,
// core/helper IsStandardFinalizerName
func validateKubeFinalizerNames(finalizers []string, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	for i, f := range finalizers {
		if containsSlash(f) {
			continue
		}
		switch f {
		case string(corev1.FinalizerKubernetes), metav1.FinalizerOrphanDependents, metav1.FinalizerDeleteDependents:
		default:
			allErrs = append(allErrs, field.Invalid(fldPath.Index(i), f, "name is neither a standard finalizer name nor is it fully qualified"))
		}
	}
	return allErrs
}

func containsSlash(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return true
		}
	}
	return false
}

// upstream: apps/validation/validation.go ValidateDaemonSetSpec
func validateDaemonSetSpec(spec *appsv1.DaemonSetSpec, fldPath *field.Path, cfg validateConfig) field.ErrorList {
	var allErrs field.ErrorList
	selOpts := metav1validation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: cfg.AllowInvalidLabelValueInSelector}
	allErrs = append(allErrs, metav1validation.ValidateLabelSelector(spec.Selector, selOpts, fldPath.Child("selector"))...)

	// A nil selector converts to labels.Nothing(), which matches nothing.
	selector, err := metav1.LabelSelectorAsSelector(spec.Selector)
	if err == nil && !selector.Matches(labels.Set(spec.Template.Labels)) {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("template", "metadata", "labels"), spec.Template.Labels, "`selector` does not match template `labels`"))
	}
	if spec.Selector != nil && len(spec.Selector.MatchLabels)+len(spec.Selector.MatchExpressions) == 0 {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("selector"), spec.Selector, "empty selector is invalid for daemonset"))
	}

	allErrs = append(allErrs, validatePodTemplateSpec(&spec.Template, fldPath.Child("template"), cfg)...)
	// upstream: restartPolicy is first-order validated by the pod template too.
	if spec.Template.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		allErrs = append(allErrs, field.NotSupported(fldPath.Child("template", "spec", "restartPolicy"), spec.Template.Spec.RestartPolicy, []string{string(corev1.RestartPolicyAlways)}))
	}
	if spec.Template.Spec.ActiveDeadlineSeconds != nil {
		allErrs = append(allErrs, field.Forbidden(fldPath.Child("template", "spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in DaemonSet is not Supported"))
	}
	allErrs = append(allErrs, apimachineryvalidation.ValidateNonnegativeField(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)

	allErrs = append(allErrs, validateUpdateStrategy(&spec.UpdateStrategy, fldPath.Child("updateStrategy"))...)
	if spec.RevisionHistoryLimit != nil {
		// zero is a valid RevisionHistoryLimit
		allErrs = append(allErrs, apimachineryvalidation.ValidateNonnegativeField(int64(*spec.RevisionHistoryLimit), fldPath.Child("revisionHistoryLimit"))...)
	}
	return allErrs
}

// upstream: apps/validation/validation.go ValidateDaemonSetUpdateStrategy
func validateUpdateStrategy(strategy *appsv1.DaemonSetUpdateStrategy, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	switch strategy.Type {
	case appsv1.OnDeleteDaemonSetStrategyType:
	case appsv1.RollingUpdateDaemonSetStrategyType:
		if strategy.RollingUpdate == nil {
			return append(allErrs, field.Required(fldPath.Child("rollingUpdate"), ""))
		}
		allErrs = append(allErrs, validateRollingUpdate(strategy.RollingUpdate, fldPath.Child("rollingUpdate"))...)
	default:
		validValues := []string{string(appsv1.RollingUpdateDaemonSetStrategyType), string(appsv1.OnDeleteDaemonSetStrategyType)}
		allErrs = append(allErrs, field.NotSupported(fldPath, strategy, validValues))
	}
	return allErrs
}

// upstream: apps/validation/validation.go ValidateRollingUpdateDaemonSet. The
// internal type holds the budgets by value; a nil apps/v1 pointer converts to
// the zero IntOrString (int 0).
func validateRollingUpdate(ru *appsv1.RollingUpdateDaemonSet, fldPath *field.Path) field.ErrorList {
	var maxUnavailable, maxSurge intstr.IntOrString
	if ru.MaxUnavailable != nil {
		maxUnavailable = *ru.MaxUnavailable
	}
	if ru.MaxSurge != nil {
		maxSurge = *ru.MaxSurge
	}
	var allErrs field.ErrorList
	allErrs = append(allErrs, validatePositiveIntOrPercent(maxUnavailable, fldPath.Child("maxUnavailable"))...)
	allErrs = append(allErrs, validatePositiveIntOrPercent(maxSurge, fldPath.Child("maxSurge"))...)
	allErrs = append(allErrs, isNotMoreThan100Percent(maxUnavailable, fldPath.Child("maxUnavailable"))...)
	allErrs = append(allErrs, isNotMoreThan100Percent(maxSurge, fldPath.Child("maxSurge"))...)

	hasUnavailable := intOrPercentValue(maxUnavailable) != 0
	hasSurge := intOrPercentValue(maxSurge) != 0
	switch {
	case hasUnavailable && hasSurge:
		allErrs = append(allErrs, field.Invalid(fldPath.Child("maxSurge"), maxSurge, "may not be set when maxUnavailable is non-zero"))
	case !hasUnavailable && !hasSurge:
		allErrs = append(allErrs, field.Required(fldPath.Child("maxUnavailable"), "cannot be 0 when maxSurge is 0"))
	}
	return allErrs
}

// upstream: apps/validation/validation.go ValidatePositiveIntOrPercent
func validatePositiveIntOrPercent(v intstr.IntOrString, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	switch v.Type {
	case intstr.String:
		for _, msg := range validation.IsValidPercent(v.StrVal) {
			allErrs = append(allErrs, field.Invalid(fldPath, v, msg))
		}
	case intstr.Int:
		allErrs = append(allErrs, apimachineryvalidation.ValidateNonnegativeField(int64(v.IntValue()), fldPath)...)
	default:
		allErrs = append(allErrs, field.Invalid(fldPath, v, "must be an integer or percentage (e.g '5%%')"))
	}
	return allErrs
}

// upstream: apps/validation/validation.go getPercentValue
func percentValue(v intstr.IntOrString) (int, bool) {
	if v.Type != intstr.String || len(validation.IsValidPercent(v.StrVal)) != 0 {
		return 0, false
	}
	n, _ := strconv.Atoi(v.StrVal[:len(v.StrVal)-1])
	return n, true
}

// upstream: apps/validation/validation.go getIntOrPercentValue. A string that is
// not a valid percent counts through IntValue (Atoi, 0 on error), as upstream.
func intOrPercentValue(v intstr.IntOrString) int {
	if n, ok := percentValue(v); ok {
		return n
	}
	return v.IntValue()
}

// upstream: apps/validation/validation.go IsNotMoreThan100Percent
func isNotMoreThan100Percent(v intstr.IntOrString, fldPath *field.Path) field.ErrorList {
	n, ok := percentValue(v)
	if !ok || n <= 100 {
		return nil
	}
	return field.ErrorList{field.Invalid(fldPath, v, "must not be greater than 100%")}
}
