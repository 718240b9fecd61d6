package daemonset

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// upstream: core/validation/validation.go ValidateTolerations. The numeric
// Lt/Gt operators (TaintTolerationComparisonOperators, alpha, off in v1.37.2)
// are accepted only on an update whose old template already used them.
func validateTolerations(tolerations []corev1.Toleration, fldPath *field.Path, cfg validateConfig) field.ErrorList {
	var allErrs field.ErrorList
	for i, t := range tolerations {
		idxPath := fldPath.Index(i)
		if len(t.Key) > 0 {
			allErrs = append(allErrs, metav1validation.ValidateLabelName(t.Key, idxPath.Child("key"))...)
		}
		// An empty key with Exists (and no value) matches every taint.
		if len(t.Key) == 0 && t.Operator != corev1.TolerationOpExists {
			allErrs = append(allErrs, field.Invalid(idxPath.Child("operator"), t.Operator,
				"operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
		}
		if t.TolerationSeconds != nil && t.Effect != corev1.TaintEffectNoExecute {
			allErrs = append(allErrs, field.Invalid(idxPath.Child("effect"), t.Effect,
				"effect must be 'NoExecute' when `tolerationSeconds` is set"))
		}
		switch t.Operator {
		case corev1.TolerationOpEqual, "":
			if errs := validation.IsValidLabelValue(t.Value); len(errs) != 0 {
				allErrs = append(allErrs, field.Invalid(idxPath.Child("operator"), t.Value, strings.Join(errs, ";")))
			}
		case corev1.TolerationOpExists:
			if len(t.Value) > 0 {
				allErrs = append(allErrs, field.Invalid(idxPath.Child("operator"), t.Value, "value must be empty when `operator` is 'Exists'"))
			}
		case corev1.TolerationOpLt, corev1.TolerationOpGt:
			if !cfg.allowTolerationComparisonOperators {
				valid := []corev1.TolerationOperator{corev1.TolerationOpEqual, corev1.TolerationOpExists, corev1.TolerationOpLt, corev1.TolerationOpGt}
				allErrs = append(allErrs, field.NotSupported(idxPath.Child("operator"), t.Operator, valid))
				break
			}
			for _, msg := range content.IsDecimalInteger(t.Value) {
				allErrs = append(allErrs, field.Invalid(idxPath.Child("value"), t.Value, msg))
			}
			if _, err := strconv.ParseInt(t.Value, 10, 64); err != nil {
				allErrs = append(allErrs, field.Invalid(idxPath.Child("value"), t.Value, err.Error()))
			}
		default:
			valid := []corev1.TolerationOperator{corev1.TolerationOpEqual, corev1.TolerationOpExists}
			allErrs = append(allErrs, field.NotSupported(idxPath.Child("operator"), t.Operator, valid))
		}
		if len(t.Effect) > 0 {
			switch t.Effect {
			case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
			default:
				valid := []corev1.TaintEffect{corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute}
				allErrs = append(allErrs, field.NotSupported(idxPath.Child("effect"), t.Effect, valid))
			}
		}
	}
	return allErrs
}

// upstream: api/pod/util.go taintTolerationComparisonOperatorsInUse
func usesTolerationComparisonOperators(spec *corev1.PodSpec) bool {
	for _, t := range spec.Tolerations {
		if t.Operator == corev1.TolerationOpLt || t.Operator == corev1.TolerationOpGt {
			return true
		}
	}
	return false
}

// upstream: core/validation/validation.go validateAffinity
func validateAffinity(a *corev1.Affinity, cfg validateConfig, fldPath *field.Path) field.ErrorList {
	if a == nil {
		return nil
	}
	var allErrs field.ErrorList
	if na := a.NodeAffinity; na != nil {
		naPath := fldPath.Child("nodeAffinity")
		if na.RequiredDuringSchedulingIgnoredDuringExecution != nil {
			allErrs = append(allErrs, validateNodeSelector(na.RequiredDuringSchedulingIgnoredDuringExecution,
				cfg.allowInvalidLabelValueInRequiredNodeAffinity, naPath.Child("requiredDuringSchedulingIgnoredDuringExecution"))...)
		}
		if len(na.PreferredDuringSchedulingIgnoredDuringExecution) > 0 {
			prefPath := naPath.Child("preferredDuringSchedulingIgnoredDuringExecution")
			for i, term := range na.PreferredDuringSchedulingIgnoredDuringExecution {
				if term.Weight <= 0 || term.Weight > 100 {
					allErrs = append(allErrs, field.Invalid(prefPath.Index(i).Child("weight"), term.Weight, "must be in the range 1-100"))
				}
				// Preferred terms always allow invalid label values (upstream).
				allErrs = append(allErrs, validateNodeSelectorTerm(term.Preference, true, prefPath.Index(i).Child("preference"))...)
			}
		}
	}
	if pa := a.PodAffinity; pa != nil {
		p := fldPath.Child("podAffinity")
		allErrs = append(allErrs, validatePodAffinityTerms(pa.RequiredDuringSchedulingIgnoredDuringExecution, cfg, p.Child("requiredDuringSchedulingIgnoredDuringExecution"))...)
		allErrs = append(allErrs, validateWeightedPodAffinityTerms(pa.PreferredDuringSchedulingIgnoredDuringExecution, cfg, p.Child("preferredDuringSchedulingIgnoredDuringExecution"))...)
	}
	if paa := a.PodAntiAffinity; paa != nil {
		p := fldPath.Child("podAntiAffinity")
		allErrs = append(allErrs, validatePodAffinityTerms(paa.RequiredDuringSchedulingIgnoredDuringExecution, cfg, p.Child("requiredDuringSchedulingIgnoredDuringExecution"))...)
		allErrs = append(allErrs, validateWeightedPodAffinityTerms(paa.PreferredDuringSchedulingIgnoredDuringExecution, cfg, p.Child("preferredDuringSchedulingIgnoredDuringExecution"))...)
	}
	return allErrs
}

// upstream: core/validation/validation.go ValidateNodeSelector
func validateNodeSelector(ns *corev1.NodeSelector, allowInvalidLabelValue bool, fldPath *field.Path) field.ErrorList {
	termPath := fldPath.Child("nodeSelectorTerms")
	if len(ns.NodeSelectorTerms) == 0 {
		return field.ErrorList{field.Required(termPath, "must have at least one node selector term")}
	}
	var allErrs field.ErrorList
	for i, term := range ns.NodeSelectorTerms {
		allErrs = append(allErrs, validateNodeSelectorTerm(term, allowInvalidLabelValue, termPath.Index(i))...)
	}
	return allErrs
}

// upstream: core/validation/validation.go ValidateNodeSelectorTerm
func validateNodeSelectorTerm(term corev1.NodeSelectorTerm, allowInvalidLabelValue bool, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	for j, req := range term.MatchExpressions {
		allErrs = append(allErrs, validateNodeSelectorRequirement(req, allowInvalidLabelValue, fldPath.Child("matchExpressions").Index(j))...)
	}
	for j, req := range term.MatchFields {
		allErrs = append(allErrs, validateNodeFieldSelectorRequirement(req, fldPath.Child("matchFields").Index(j))...)
	}
	return allErrs
}

// upstream: core/validation/validation.go ValidateNodeSelectorRequirement.
// Gt/Lt values are not checked for being integers here (they never match).
func validateNodeSelectorRequirement(rq corev1.NodeSelectorRequirement, allowInvalidLabelValue bool, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	switch rq.Operator {
	case corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn:
		if len(rq.Values) == 0 {
			allErrs = append(allErrs, field.Required(fldPath.Child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
		}
	case corev1.NodeSelectorOpExists, corev1.NodeSelectorOpDoesNotExist:
		if len(rq.Values) > 0 {
			allErrs = append(allErrs, field.Forbidden(fldPath.Child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
		}
	case corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt:
		if len(rq.Values) != 1 {
			allErrs = append(allErrs, field.Required(fldPath.Child("values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"))
		}
	default:
		allErrs = append(allErrs, field.Invalid(fldPath.Child("operator"), rq.Operator, "not a valid selector operator"))
	}
	allErrs = append(allErrs, metav1validation.ValidateLabelName(rq.Key, fldPath.Child("key"))...)
	if !allowInvalidLabelValue {
		vPath := fldPath.Child("values")
		for i, v := range rq.Values {
			for _, msg := range validation.IsValidLabelValue(v) {
				allErrs = append(allErrs, field.Invalid(vPath.Index(i), v, msg).WithOrigin("format=k8s-label-value"))
			}
		}
	}
	return allErrs
}

// upstream: core/validation/validation.go ValidateNodeFieldSelectorRequirement.
// The only field a node selector may use is metadata.name.
func validateNodeFieldSelectorRequirement(req corev1.NodeSelectorRequirement, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	switch req.Operator {
	case corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn:
		if len(req.Values) != 1 {
			allErrs = append(allErrs, field.Required(fldPath.Child("values"),
				"must be only one value when `operator` is 'In' or 'NotIn' for node field selector"))
		}
	default:
		allErrs = append(allErrs, field.Invalid(fldPath.Child("operator"), req.Operator, "not a valid selector operator"))
	}
	if req.Key != "metadata.name" {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("key"), req.Key, "not a valid field selector key"))
	} else {
		for i, v := range req.Values {
			for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(v, false) {
				allErrs = append(allErrs, field.Invalid(fldPath.Child("values").Index(i), v, msg))
			}
		}
	}
	return allErrs
}

// upstream: core/validation/validation.go validatePodAffinityTerms
func validatePodAffinityTerms(terms []corev1.PodAffinityTerm, cfg validateConfig, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	for i, term := range terms {
		allErrs = append(allErrs, validatePodAffinityTerm(term, cfg, fldPath.Index(i))...)
	}
	return allErrs
}

// upstream: core/validation/validation.go validateWeightedPodAffinityTerms
func validateWeightedPodAffinityTerms(terms []corev1.WeightedPodAffinityTerm, cfg validateConfig, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	for j, wt := range terms {
		if wt.Weight <= 0 || wt.Weight > 100 {
			allErrs = append(allErrs, field.Invalid(fldPath.Index(j).Child("weight"), wt.Weight, "must be in the range 1-100"))
		}
		allErrs = append(allErrs, validatePodAffinityTerm(wt.PodAffinityTerm, cfg, fldPath.Index(j).Child("podAffinityTerm"))...)
	}
	return allErrs
}

// upstream: core/validation/validation.go validatePodAffinityTerm
// (matchLabelKeys / mismatchLabelKeys not covered).
func validatePodAffinityTerm(term corev1.PodAffinityTerm, cfg validateConfig, fldPath *field.Path) field.ErrorList {
	allErrs := validatePodAffinityTermSelector(term, cfg.allowInvalidLabelValueInSelector, fldPath)
	for _, name := range term.Namespaces {
		for _, msg := range apimachineryvalidation.ValidateNamespaceName(name, false) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("namespace"), name, msg))
		}
	}
	if len(term.TopologyKey) == 0 {
		allErrs = append(allErrs, field.Required(fldPath.Child("topologyKey"), "can not be empty"))
	}
	return append(allErrs, metav1validation.ValidateLabelName(term.TopologyKey, fldPath.Child("topologyKey"))...)
}

// upstream: core/validation/validation.go ValidatePodAffinityTermSelector
func validatePodAffinityTermSelector(term corev1.PodAffinityTerm, allowInvalidLabelValue bool, fldPath *field.Path) field.ErrorList {
	opts := metav1validation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: allowInvalidLabelValue}
	allErrs := metav1validation.ValidateLabelSelector(term.LabelSelector, opts, fldPath.Child("labelSelector"))
	return append(allErrs, metav1validation.ValidateLabelSelector(term.NamespaceSelector, opts, fldPath.Child("namespaceSelector"))...)
}

// upstream: api/pod/util.go hasInvalidLabelValueInAffinitySelector
func hasInvalidLabelValueInAffinitySelector(spec *corev1.PodSpec) bool {
	a := spec.Affinity
	if a == nil {
		return false
	}
	invalid := func(t corev1.PodAffinityTerm) bool { return len(validatePodAffinityTermSelector(t, false, nil)) != 0 }
	var req []corev1.PodAffinityTerm
	var pref []corev1.WeightedPodAffinityTerm
	if a.PodAffinity != nil {
		req = append(req, a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution...)
		pref = append(pref, a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution...)
	}
	if a.PodAntiAffinity != nil {
		req = append(req, a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution...)
		pref = append(pref, a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution...)
	}
	for _, t := range req {
		if invalid(t) {
			return true
		}
	}
	for _, t := range pref {
		if invalid(t.PodAffinityTerm) {
			return true
		}
	}
	return false
}

// upstream: api/pod/util.go hasInvalidLabelValueInRequiredNodeAffinity
func hasInvalidLabelValueInRequiredNodeAffinity(spec *corev1.PodSpec) bool {
	if spec.Affinity == nil || spec.Affinity.NodeAffinity == nil || spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return false
	}
	for _, term := range spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, e := range term.MatchExpressions {
			for _, v := range e.Values {
				if len(validation.IsValidLabelValue(v)) > 0 {
					return true
				}
			}
		}
	}
	return false
}
