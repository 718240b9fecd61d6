package daemonset

import (
	"path"
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// upstream: core/validation/validation.go ValidateVolumes. A volume with any
// error is left out of the returned map, so mounts naming it report NotFound,
// as upstream.
func validateVolumes(volumes []corev1.Volume, fldPath *field.Path, cfg validateConfig) (map[string]corev1.VolumeSource, field.ErrorList) {
	var allErrs field.ErrorList
	allNames := sets.New[string]()
	vols := make(map[string]corev1.VolumeSource, len(volumes))
	for i := range volumes {
		vol := &volumes[i]
		idxPath := fldPath.Index(i)
		namePath := idxPath.Child("name")
		el := validateVolumeSource(&vol.VolumeSource, idxPath, cfg)
		if len(vol.Name) == 0 {
			el = append(el, field.Required(namePath, ""))
		} else {
			el = append(el, validateDNS1123Label(vol.Name, namePath)...)
		}
		if allNames.Has(vol.Name) {
			el = append(el, field.Duplicate(namePath, vol.Name))
		}
		if len(el) == 0 {
			allNames.Insert(vol.Name)
			vols[vol.Name] = vol.VolumeSource
		} else {
			allErrs = append(allErrs, el...)
		}
	}
	return vols, allErrs
}

// volumeSourceField is one member of the VolumeSource union, in upstream's
// checking order, with the path name upstream reports it under when it is not
// the first one set (upstream spells two of them differently) and its
// validation when it is the first (nil: contents not covered).
type volumeSourceField struct {
	set       bool
	forbidden string
	validate  func(*field.Path) field.ErrorList
}

const emptyDirModeErrorMsg = "must be a number between 0 and 01777 (octal), both inclusive"
const fileModeErrorMsg = "must be a number between 0 and 0777 (octal), both inclusive"

// upstream: core/validation/validation.go validateVolumeSource. Exactly one
// source may be set; the first one set (in upstream's order) is validated and
// every later one is Forbidden.
func validateVolumeSource(s *corev1.VolumeSource, fldPath *field.Path, cfg validateConfig) field.ErrorList {
	var allErrs field.ErrorList
	emptyDir := func(p *field.Path) field.ErrorList {
		var errs field.ErrorList
		if s.EmptyDir.SizeLimit != nil && s.EmptyDir.SizeLimit.Cmp(resource.Quantity{}) < 0 {
			errs = append(errs, field.Forbidden(p.Child("sizeLimit"), "SizeLimit field must be a valid resource quantity"))
		}
		// A mode is dropped on create (alpha gate off) and kept on update only if in use.
		if cfg.keepEmptyDirMode && s.EmptyDir.Mode != nil && (*s.EmptyDir.Mode > 01777 || *s.EmptyDir.Mode < 0) {
			errs = append(errs, field.Invalid(p.Child("mode"), *s.EmptyDir.Mode, emptyDirModeErrorMsg))
		}
		return errs
	}
	sources := []volumeSourceField{
		{s.EmptyDir != nil, "emptyDir", emptyDir},
		{s.HostPath != nil, "hostPath", func(p *field.Path) field.ErrorList { return validateHostPathVolumeSource(s.HostPath, p) }},
		{s.GitRepo != nil, "gitRepo", nil},
		{s.GCEPersistentDisk != nil, "gcePersistentDisk", nil},
		{s.AWSElasticBlockStore != nil, "awsElasticBlockStore", nil},
		{s.Secret != nil, "secret", func(p *field.Path) field.ErrorList { return validateSecretVolumeSource(s.Secret, p) }},
		{s.NFS != nil, "nfs", nil},
		{s.ISCSI != nil, "iscsi", nil},
		{s.Glusterfs != nil, "glusterfs", nil},
		{s.Flocker != nil, "flocker", nil},
		{s.PersistentVolumeClaim != nil, "persistentVolumeClaim", func(p *field.Path) field.ErrorList {
			if len(s.PersistentVolumeClaim.ClaimName) == 0 {
				return field.ErrorList{field.Required(p.Child("claimName"), "")}
			}
			return nil
		}},
		{s.RBD != nil, "rbd", nil},
		{s.Cinder != nil, "cinder", nil},
		{s.CephFS != nil, "cephFS", nil},
		{s.Quobyte != nil, "quobyte", nil},
		{s.DownwardAPI != nil, "downwarAPI", nil}, // sic, upstream
		{s.FC != nil, "fc", nil},
		{s.FlexVolume != nil, "flexVolume", nil},
		{s.ConfigMap != nil, "configMap", func(p *field.Path) field.ErrorList { return validateConfigMapVolumeSource(s.ConfigMap, p) }},
		{s.AzureFile != nil, "azureFile", nil},
		{s.VsphereVolume != nil, "vsphereVolume", nil},
		{s.PhotonPersistentDisk != nil, "photonPersistentDisk", nil},
		{s.PortworxVolume != nil, "portworxVolume", nil},
		{s.AzureDisk != nil, "azureDisk", nil},
		{s.StorageOS != nil, "storageos", nil},
		{s.Projected != nil, "projected", nil},
		{s.ScaleIO != nil, "scaleIO", nil},
		{s.CSI != nil, "csi", nil},
		{s.Ephemeral != nil, "ephemeral", nil},
		{s.Image != nil, "image", nil},
	}
	num := 0
	for _, src := range sources {
		if !src.set {
			continue
		}
		if num > 0 {
			allErrs = append(allErrs, field.Forbidden(fldPath.Child(src.forbidden), "may not specify more than 1 volume type"))
			continue
		}
		num++
		if src.validate != nil {
			allErrs = append(allErrs, src.validate(fldPath.Child(src.forbidden))...)
		}
	}
	if num == 0 {
		allErrs = append(allErrs, field.Required(fldPath, "must specify a volume type"))
	}
	return allErrs
}

var supportedHostPathTypes = sets.New(
	corev1.HostPathUnset, corev1.HostPathDirectoryOrCreate, corev1.HostPathDirectory,
	corev1.HostPathFileOrCreate, corev1.HostPathFile, corev1.HostPathSocket,
	corev1.HostPathCharDev, corev1.HostPathBlockDev,
)

// upstream: api/pod/util.go emptyDirVolumeModeInUse
func emptyDirModeInUse(spec *corev1.PodSpec) bool {
	for _, v := range spec.Volumes {
		if v.EmptyDir != nil && v.EmptyDir.Mode != nil {
			return true
		}
	}
	return false
}

// upstream: core/validation/validation.go validateHostPathVolumeSource
func validateHostPathVolumeSource(hp *corev1.HostPathVolumeSource, fldPath *field.Path) field.ErrorList {
	if len(hp.Path) == 0 {
		return field.ErrorList{field.Required(fldPath.Child("path"), "")}
	}
	allErrs := validatePathNoBacksteps(hp.Path, fldPath.Child("path"))
	if hp.Type != nil && !supportedHostPathTypes.Has(*hp.Type) {
		allErrs = append(allErrs, field.NotSupported(fldPath.Child("type"), hp.Type, sets.List(supportedHostPathTypes)))
	}
	return allErrs
}

// upstream: core/validation/validation.go validateSecretVolumeSource
// (defaultUser not covered).
func validateSecretVolumeSource(s *corev1.SecretVolumeSource, fldPath *field.Path) field.ErrorList {
	return validateFilesVolume("secretName", s.SecretName, s.DefaultMode, s.Items, fldPath)
}

// upstream: core/validation/validation.go validateConfigMapVolumeSource
// (defaultUser not covered).
func validateConfigMapVolumeSource(s *corev1.ConfigMapVolumeSource, fldPath *field.Path) field.ErrorList {
	return validateFilesVolume("name", s.Name, s.DefaultMode, s.Items, fldPath)
}

// validateFilesVolume holds the rules secret and configMap volumes share:
// the object's name (in field nameField) is required, defaultMode is a file
// mode, and every item is a valid key-to-path mapping.
func validateFilesVolume(nameField, name string, defaultMode *int32, items []corev1.KeyToPath, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if len(name) == 0 {
		allErrs = append(allErrs, field.Required(fldPath.Child(nameField), ""))
	}
	if defaultMode != nil && (*defaultMode > 0777 || *defaultMode < 0) {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("defaultMode"), *defaultMode, fileModeErrorMsg))
	}
	for i := range items {
		allErrs = append(allErrs, validateKeyToPath(&items[i], fldPath.Child("items").Index(i))...)
	}
	return allErrs
}

// upstream: core/validation/validation.go validateKeyToPath (user not covered)
func validateKeyToPath(kp *corev1.KeyToPath, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if len(kp.Key) == 0 {
		allErrs = append(allErrs, field.Required(fldPath.Child("key"), ""))
	}
	if len(kp.Path) == 0 {
		allErrs = append(allErrs, field.Required(fldPath.Child("path"), ""))
	}
	allErrs = append(allErrs, validateLocalNonReservedPath(kp.Path, fldPath.Child("path"))...)
	if kp.Mode != nil && (*kp.Mode > 0777 || *kp.Mode < 0) {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("mode"), *kp.Mode, fileModeErrorMsg))
	}
	return allErrs
}

// upstream: core/validation/validation.go validateLocalDescendingPath
func validateLocalDescendingPath(target string, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if path.IsAbs(target) {
		allErrs = append(allErrs, field.Invalid(fldPath, target, "must be a relative path"))
	}
	return append(allErrs, validatePathNoBacksteps(target, fldPath)...)
}

// upstream: core/validation/validation.go validatePathNoBacksteps
func validatePathNoBacksteps(target string, fldPath *field.Path) field.ErrorList {
	for _, item := range strings.Split(filepath.ToSlash(target), "/") {
		if item == ".." {
			return field.ErrorList{field.Invalid(fldPath, target, "must not contain '..'")}
		}
	}
	return nil
}

// upstream: core/validation/validation.go ValidateLocalNonReservedPath
func validateLocalNonReservedPath(target string, fldPath *field.Path) field.ErrorList {
	allErrs := validateLocalDescendingPath(target, fldPath)
	if strings.HasPrefix(target, "..") && !strings.HasPrefix(target, "../") {
		allErrs = append(allErrs, field.Invalid(fldPath, target, "must not start with '..'"))
	}
	return allErrs
}

var supportedMountPropagations = sets.New(
	corev1.MountPropagationBidirectional, corev1.MountPropagationHostToContainer, corev1.MountPropagationNone,
)

// upstream: core/validation/validation.go ValidateVolumeMounts (bind mount
// options not covered). Note upstream reports subPath problems under the list
// path (…volumeMounts.subPath), not the item; kept for identical paths.
func validateVolumeMounts(mounts []corev1.VolumeMount, devices []corev1.VolumeDevice, volumes map[string]corev1.VolumeSource, ctr *corev1.Container, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	devNames := make(map[string]bool, len(devices))
	devPaths := make(map[string]bool, len(devices))
	for _, d := range devices {
		devNames[d.Name] = true
		devPaths[d.DevicePath] = true
	}
	mountpoints := sets.New[string]()
	for i, mnt := range mounts {
		idxPath := fldPath.Index(i)
		if len(mnt.Name) == 0 {
			allErrs = append(allErrs, field.Required(idxPath.Child("name"), ""))
		}
		if _, ok := volumes[mnt.Name]; !ok {
			allErrs = append(allErrs, field.NotFound(idxPath.Child("name"), mnt.Name))
		}
		if len(mnt.MountPath) == 0 {
			allErrs = append(allErrs, field.Required(idxPath.Child("mountPath"), ""))
		}
		if mountpoints.Has(mnt.MountPath) {
			allErrs = append(allErrs, field.Invalid(idxPath.Child("mountPath"), mnt.MountPath, "must be unique"))
		}
		mountpoints.Insert(mnt.MountPath)
		if devNames[mnt.Name] {
			allErrs = append(allErrs, field.Invalid(idxPath.Child("name"), mnt.Name, "must not already exist in volumeDevices"))
		}
		if devPaths[mnt.MountPath] {
			allErrs = append(allErrs, field.Invalid(idxPath.Child("mountPath"), mnt.MountPath, "must not already exist as a path in volumeDevices"))
		}
		if len(mnt.SubPath) > 0 {
			allErrs = append(allErrs, validateLocalDescendingPath(mnt.SubPath, fldPath.Child("subPath"))...)
		}
		if len(mnt.SubPathExpr) > 0 {
			if len(mnt.SubPath) > 0 {
				allErrs = append(allErrs, field.Invalid(idxPath.Child("subPathExpr"), mnt.SubPathExpr, "subPathExpr and subPath are mutually exclusive"))
			}
			allErrs = append(allErrs, validateLocalDescendingPath(mnt.SubPathExpr, fldPath.Child("subPathExpr"))...)
		}
		if mnt.MountPropagation != nil {
			mp := fldPath.Child("mountPropagation")
			if !supportedMountPropagations.Has(*mnt.MountPropagation) {
				allErrs = append(allErrs, field.NotSupported(mp, *mnt.MountPropagation, sets.List(supportedMountPropagations)))
			}
			privileged := ctr.SecurityContext != nil && ctr.SecurityContext.Privileged != nil && *ctr.SecurityContext.Privileged
			if *mnt.MountPropagation == corev1.MountPropagationBidirectional && !privileged {
				allErrs = append(allErrs, field.Forbidden(mp, "Bidirectional mount propagation is available only to privileged containers"))
			}
		}
		allErrs = append(allErrs, validateMountRecursiveReadOnly(mnt, fldPath.Child("recursiveReadOnly"))...)
	}
	return allErrs
}

// upstream: core/validation/validation.go validateMountRecursiveReadOnly
func validateMountRecursiveReadOnly(mnt corev1.VolumeMount, fldPath *field.Path) field.ErrorList {
	if mnt.RecursiveReadOnly == nil {
		return nil
	}
	var allErrs field.ErrorList
	switch *mnt.RecursiveReadOnly {
	case corev1.RecursiveReadOnlyDisabled:
	case corev1.RecursiveReadOnlyEnabled, corev1.RecursiveReadOnlyIfPossible:
		if !mnt.ReadOnly {
			allErrs = append(allErrs, field.Forbidden(fldPath, "may only be specified when readOnly is true"))
		}
		if mnt.MountPropagation != nil && *mnt.MountPropagation != corev1.MountPropagationNone {
			allErrs = append(allErrs, field.Forbidden(fldPath, "may only be specified when mountPropagation is None or not specified"))
		}
	default:
		supported := sets.New(corev1.RecursiveReadOnlyDisabled, corev1.RecursiveReadOnlyIfPossible, corev1.RecursiveReadOnlyEnabled)
		allErrs = append(allErrs, field.NotSupported(fldPath, *mnt.RecursiveReadOnly, sets.List(supported)))
	}
	return allErrs
}
