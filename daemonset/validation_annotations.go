package daemonset

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The pod-template annotations the API server validates: the mirror-pod,
// tolerations and pod-deletion-cost annotations, and the deprecated seccomp
// and AppArmor annotations, alone and against the matching fields.

// upstream: core/validation/validation.go ValidatePodSpecificAnnotations. The
// PodDeletionCost gate is on in v1.37.2, so the cost is validated.
func validatePodSpecificAnnotations(annotations map[string]string, spec *corev1.PodSpec, fldPath *field.Path, cfg validateConfig) field.ErrorList {
	var allErrs field.ErrorList
	if value, isMirror := annotations[corev1.MirrorPodAnnotationKey]; isMirror {
		if len(spec.NodeName) == 0 {
			allErrs = append(allErrs, field.Invalid(fldPath.Key(corev1.MirrorPodAnnotationKey), value, "must set spec.nodeName if mirror pod annotation is set"))
		}
	}
	if annotations[corev1.TolerationsAnnotationKey] != "" {
		allErrs = append(allErrs, validateTolerationsInPodAnnotations(annotations, fldPath, cfg)...)
	}
	if !cfg.AllowInvalidPodDeletionCost {
		if _, err := deletionCostFromPodAnnotations(annotations); err != nil {
			allErrs = append(allErrs, field.Invalid(fldPath.Key(corev1.PodDeletionCost), annotations[corev1.PodDeletionCost], "must be a 32bit integer"))
		}
	}
	allErrs = append(allErrs, validateSeccompPodAnnotations(annotations, fldPath)...)
	allErrs = append(allErrs, validateAppArmorPodAnnotations(annotations, spec, fldPath)...)
	return allErrs
}

// upstream: core/validation/validation.go ValidateTolerationsInPodAnnotations
func validateTolerationsInPodAnnotations(annotations map[string]string, fldPath *field.Path, cfg validateConfig) field.ErrorList {
	var tolerations []corev1.Toleration
	if err := json.Unmarshal([]byte(annotations[corev1.TolerationsAnnotationKey]), &tolerations); err != nil {
		// upstream decodes into its internal type, whose name the message carries.
		msg := strings.ReplaceAll(err.Error(), "v1.Toleration", "core.Toleration")
		return field.ErrorList{field.Invalid(fldPath, corev1.TolerationsAnnotationKey, msg)}
	}
	if len(tolerations) > 0 {
		return validateTolerations(tolerations, fldPath.Child(corev1.TolerationsAnnotationKey), cfg)
	}
	return nil
}

// upstream: core/helper/helpers.go GetDeletionCostFromPodAnnotations
func deletionCostFromPodAnnotations(annotations map[string]string) (int32, error) {
	value, exist := annotations[corev1.PodDeletionCost]
	if !exist {
		return 0, nil
	}
	// values that start with plus sign (e.g, "+10") or leading zeros (e.g., "008") are not valid.
	validFirstDigit := len(value) > 0 && (value[0] == '-' || value == "0" || (value[0] >= '1' && value[0] <= '9'))
	if !validFirstDigit {
		return 0, fmt.Errorf("invalid value %q", value)
	}
	i, err := strconv.ParseInt(value, 10, 32)
	if err != nil {
		return 0, err
	}
	return int32(i), nil
}

// upstream: core/validation/validation.go ValidateSeccompPodAnnotations.
// upstream reports these under fldPath.Child(key), not Key(key); kept.
func validateSeccompPodAnnotations(annotations map[string]string, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if p, exists := annotations[corev1.SeccompPodAnnotationKey]; exists {
		allErrs = append(allErrs, validateSeccompProfileAnnotation(p, fldPath.Child(corev1.SeccompPodAnnotationKey))...)
	}
	for _, k := range slices.Sorted(maps.Keys(annotations)) {
		if strings.HasPrefix(k, corev1.SeccompContainerAnnotationKeyPrefix) {
			allErrs = append(allErrs, validateSeccompProfileAnnotation(annotations[k], fldPath.Child(k))...)
		}
	}
	return allErrs
}

// upstream: core/validation/validation.go ValidateSeccompProfile
func validateSeccompProfileAnnotation(p string, fldPath *field.Path) field.ErrorList {
	if p == corev1.SeccompProfileRuntimeDefault || p == corev1.DeprecatedSeccompProfileDockerDefault || p == corev1.SeccompProfileNameUnconfined {
		return nil
	}
	if strings.HasPrefix(p, corev1.SeccompLocalhostProfileNamePrefix) {
		return validateLocalDescendingPath(strings.TrimPrefix(p, corev1.SeccompLocalhostProfileNamePrefix), fldPath)
	}
	return field.ErrorList{field.Invalid(fldPath, p, "must be a valid seccomp profile")}
}

// upstream: core/validation/validation.go ValidateAppArmorPodAnnotations
func validateAppArmorPodAnnotations(annotations map[string]string, spec *corev1.PodSpec, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	for _, k := range slices.Sorted(maps.Keys(annotations)) {
		if !strings.HasPrefix(k, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix) {
			continue
		}
		p := annotations[k]
		containerName := strings.TrimPrefix(k, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix)
		if !podSpecHasContainer(spec, containerName) {
			allErrs = append(allErrs, field.Invalid(fldPath.Key(k), containerName, "container not found"))
		}
		if err := validateAppArmorProfileFormat(p); err != nil {
			allErrs = append(allErrs, field.Invalid(fldPath.Key(k), p, err.Error()))
		}
	}
	return allErrs
}

// upstream: core/validation/validation.go ValidateAppArmorProfileFormat
func validateAppArmorProfileFormat(profile string) error {
	if profile == "" || profile == corev1.DeprecatedAppArmorBetaProfileRuntimeDefault || profile == corev1.DeprecatedAppArmorBetaProfileNameUnconfined {
		return nil
	}
	if !strings.HasPrefix(profile, corev1.DeprecatedAppArmorBetaProfileNamePrefix) {
		return fmt.Errorf("invalid AppArmor profile name: %q", profile)
	}
	return nil
}

// upstream: core/validation/validation.go podSpecHasContainer
func podSpecHasContainer(spec *corev1.PodSpec, containerName string) bool {
	found := false
	visitContainersWithPath(spec, field.NewPath("spec"), func(c *corev1.Container, _ *field.Path) bool {
		if c.Name == containerName {
			found = true
			return false
		}
		return true
	})
	return found
}

// upstream: core/pods/helpers.go VisitContainersWithPath: init containers,
// containers, then ephemeral containers (as containers), until visit says stop.
func visitContainersWithPath(spec *corev1.PodSpec, specPath *field.Path, visit func(*corev1.Container, *field.Path) bool) bool {
	p := specPath.Child("initContainers")
	for i := range spec.InitContainers {
		if !visit(&spec.InitContainers[i], p.Index(i)) {
			return false
		}
	}
	p = specPath.Child("containers")
	for i := range spec.Containers {
		if !visit(&spec.Containers[i], p.Index(i)) {
			return false
		}
	}
	p = specPath.Child("ephemeralContainers")
	for i := range spec.EphemeralContainers {
		if !visit((*corev1.Container)(&spec.EphemeralContainers[i].EphemeralContainerCommon), p.Index(i)) {
			return false
		}
	}
	return true
}

// upstream: core/validation/validation.go validateSeccompAnnotationsAndFields
func validateSeccompAnnotationsAndFields(meta metav1.ObjectMeta, spec *corev1.PodSpec, specPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if spec.SecurityContext != nil && spec.SecurityContext.SeccompProfile != nil {
		if annotation, found := meta.Annotations[corev1.SeccompPodAnnotationKey]; found {
			seccompPath := specPath.Child("securityContext").Child("seccompProfile")
			if err := validateSeccompAnnotationsAndFieldsMatch(annotation, spec.SecurityContext.SeccompProfile, seccompPath); err != nil {
				allErrs = append(allErrs, err)
			}
		}
	}
	visitContainersWithPath(spec, specPath, func(c *corev1.Container, cPath *field.Path) bool {
		if c.SecurityContext == nil || c.SecurityContext.SeccompProfile == nil {
			return true
		}
		if annotation, found := meta.Annotations[corev1.SeccompContainerAnnotationKeyPrefix+c.Name]; found {
			seccompPath := cPath.Child("securityContext").Child("seccompProfile")
			if err := validateSeccompAnnotationsAndFieldsMatch(annotation, c.SecurityContext.SeccompProfile, seccompPath); err != nil {
				allErrs = append(allErrs, err)
			}
		}
		return true
	})
	return allErrs
}

// upstream: core/validation/validation.go validateSeccompAnnotationsAndFieldsMatch
func validateSeccompAnnotationsAndFieldsMatch(annotationValue string, seccompField *corev1.SeccompProfile, fldPath *field.Path) *field.Error {
	switch seccompField.Type {
	case corev1.SeccompProfileTypeUnconfined:
		if annotationValue != corev1.SeccompProfileNameUnconfined {
			return field.Forbidden(fldPath.Child("type"), "seccomp type in annotation and field must match")
		}
	case corev1.SeccompProfileTypeRuntimeDefault:
		if annotationValue != corev1.SeccompProfileRuntimeDefault && annotationValue != corev1.DeprecatedSeccompProfileDockerDefault {
			return field.Forbidden(fldPath.Child("type"), "seccomp type in annotation and field must match")
		}
	case corev1.SeccompProfileTypeLocalhost:
		if !strings.HasPrefix(annotationValue, corev1.SeccompLocalhostProfileNamePrefix) {
			return field.Forbidden(fldPath.Child("type"), "seccomp type in annotation and field must match")
		} else if seccompField.LocalhostProfile == nil || strings.TrimPrefix(annotationValue, corev1.SeccompLocalhostProfileNamePrefix) != *seccompField.LocalhostProfile {
			return field.Forbidden(fldPath.Child("localhostProfile"), "seccomp profile in annotation and field must match")
		}
	}
	return nil
}

// upstream: core/validation/validation.go validateAppArmorAnnotationsAndFieldsMatchOnCreate
func validateAppArmorAnnotationsAndFieldsMatchOnCreate(meta metav1.ObjectMeta, spec *corev1.PodSpec, specPath *field.Path) field.ErrorList {
	if spec.OS != nil && spec.OS.Name == corev1.Windows {
		return nil
	}
	var allErrs field.ErrorList
	var podProfile *corev1.AppArmorProfile
	if spec.SecurityContext != nil {
		podProfile = spec.SecurityContext.AppArmorProfile
	}
	visitContainersWithPath(spec, specPath, func(c *corev1.Container, cPath *field.Path) bool {
		profile := podProfile
		if c.SecurityContext != nil && c.SecurityContext.AppArmorProfile != nil {
			profile = c.SecurityContext.AppArmorProfile
		}
		if profile == nil {
			return true
		}
		annotation, found := meta.Annotations[corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix+c.Name]
		if !found {
			return true
		}
		p := cPath.Child("securityContext").Child("appArmorProfile")
		switch profile.Type {
		case corev1.AppArmorProfileTypeUnconfined:
			if annotation != corev1.DeprecatedAppArmorBetaProfileNameUnconfined {
				allErrs = append(allErrs, field.Forbidden(p.Child("type"), "apparmor type in annotation and field must match"))
			}
		case corev1.AppArmorProfileTypeRuntimeDefault:
			if annotation != corev1.DeprecatedAppArmorBetaProfileRuntimeDefault {
				allErrs = append(allErrs, field.Forbidden(p.Child("type"), "apparmor type in annotation and field must match"))
			}
		case corev1.AppArmorProfileTypeLocalhost:
			if !strings.HasPrefix(annotation, corev1.DeprecatedAppArmorBetaProfileNamePrefix) {
				allErrs = append(allErrs, field.Forbidden(p.Child("type"), "apparmor type in annotation and field must match"))
			} else if profile.LocalhostProfile == nil || strings.TrimPrefix(annotation, corev1.DeprecatedAppArmorBetaProfileNamePrefix) != *profile.LocalhostProfile {
				allErrs = append(allErrs, field.Forbidden(p.Child("localhostProfile"), "apparmor profile in annotation and field must match"))
			}
		}
		return true
	})
	return allErrs
}
