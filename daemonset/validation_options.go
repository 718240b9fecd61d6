package daemonset

import (
	"reflect"

	corev1 "k8s.io/api/core/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// podValidationOptions mirrors upstream's PodValidationOptions
// (core/validation/validation.go) field for field, so the ported rules read
// them as upstream does, with the values GetValidationOptionsFromPodSpecAndMeta
// (api/pod/util.go) computes under v1.37.2's default feature gates.
type podValidationOptions struct {
	AllowInvalidPodDeletionCost                             bool
	AllowInvalidLabelValueInSelector                        bool
	AllowIndivisibleHugePagesValues                         bool
	AllowInvalidTopologySpreadConstraintLabelSelector       bool
	AllowNonLocalProjectedTokenPath                         bool
	AllowNamespacedSysctlsForHostNetAndHostIPC              bool
	ResourceIsPod                                           bool
	AllowRelaxedEnvironmentVariableValidation               bool
	AllowOnlyRecursiveSELinuxChangePolicy                   bool
	PodLevelResourcesEnabled                                bool
	InPlacePodLevelResourcesVerticalScalingEnabled          bool
	InPlacePodVerticalScalingMemoryBackedVolumesEnabled     bool
	AllowSidecarResizePolicy                                bool
	AllowInvalidLabelValueInRequiredNodeAffinity            bool
	AllowMatchLabelKeysInPodTopologySpread                  bool
	AllowMatchLabelKeysInPodTopologySpreadSelectorMerge     bool
	OldPodViolatesMatchLabelKeysValidation                  bool
	OldPodViolatesLegacyMatchLabelKeysValidation            bool
	AllowEnvFilesValidation                                 bool
	AllowContainerRestartPolicyRules                        bool
	AllowExistingRestartContainerForNonSidecarInitContainer bool
	AllowUserNamespacesWithVolumeDevices                    bool
	AllowTaintTolerationComparisonOperators                 bool
	AllowUserNamespacesHostNetworkSupport                   bool
	AllowRestartAllContainers                               bool
	AllowImageVolumeWithDigest                              bool
	AllowEmptyImageVolumeReference                          bool
	AllowSysAdminWhenPrivilegeEscalationFalse               bool
}

// upstream: api/pod/util.go GetValidationOptionsFromPodSpecAndMeta for a
// DaemonSet template: old is nil on create, the stored template on update.
func podValidationOptionsFor(old *corev1.PodTemplateSpec) podValidationOptions {
	// The gates these read are on (beta or GA) in v1.37.2, except
	// InPlacePodVerticalScalingMemoryBackedVolumes and ImageVolumeWithDigest
	// (alpha, off), SELinuxMount is on so every SELinux change policy is
	// allowed, and a template is not a Pod.
	o := podValidationOptions{
		PodLevelResourcesEnabled:                            true,
		AllowSidecarResizePolicy:                            true,
		AllowMatchLabelKeysInPodTopologySpread:              true,
		AllowMatchLabelKeysInPodTopologySpreadSelectorMerge: true,
		InPlacePodLevelResourcesVerticalScalingEnabled:      true,
		AllowContainerRestartPolicyRules:                    true,
		AllowRestartAllContainers:                           true,
		AllowRelaxedEnvironmentVariableValidation:           true,
		AllowEnvFilesValidation:                             true,
	}
	if old == nil {
		return o
	}
	spec := &old.Spec
	// PodDeletionCost is on: an update keeps an already-invalid cost.
	_, err := deletionCostFromPodAnnotations(old.Annotations)
	o.AllowInvalidPodDeletionCost = err != nil
	o.AllowExistingRestartContainerForNonSidecarInitContainer = hasRestartContainerForNonSidecarInitContainer(spec)
	o.AllowUserNamespacesHostNetworkSupport = spec.HostUsers != nil && !*spec.HostUsers && spec.HostNetwork
	o.AllowTaintTolerationComparisonOperators = usesTolerationComparisonOperators(spec)

	o.AllowIndivisibleHugePagesValues = usesIndivisibleHugePagesValues(spec)
	o.AllowInvalidLabelValueInSelector = hasInvalidLabelValueInAffinitySelector(spec)
	o.AllowInvalidLabelValueInRequiredNodeAffinity = hasInvalidLabelValueInRequiredNodeAffinity(spec)
	for _, c := range spec.TopologySpreadConstraints {
		if len(metav1validation.ValidateLabelSelector(c.LabelSelector, metav1validation.LabelSelectorValidationOptions{}, nil)) != 0 {
			o.AllowInvalidTopologySpreadConstraintLabelSelector = true
		}
		if len(validateMatchLabelKeysAndMismatchLabelKeys(nil, c.MatchLabelKeys, nil, c.LabelSelector)) != 0 {
			o.OldPodViolatesMatchLabelKeysValidation = true
		}
	}
	for _, v := range spec.Volumes {
		if v.Projected == nil {
			continue
		}
		for _, s := range v.Projected.Sources {
			if s.ServiceAccountToken != nil && len(validateLocalNonReservedPath(s.ServiceAccountToken.Path, nil)) != 0 {
				o.AllowNonLocalProjectedTokenPath = true
			}
		}
	}
	if spec.SecurityContext != nil {
		for _, s := range spec.SecurityContext.Sysctls {
			if validateHostSysctl(s.Name, spec, nil) != nil {
				o.AllowNamespacedSysctlsForHostNetAndHostIPC = true
				break
			}
		}
	}
	if spec.HostUsers != nil && !*spec.HostUsers {
		visitContainersWithPath(spec, nil, func(c *corev1.Container, _ *field.Path) bool {
			if len(c.VolumeDevices) > 0 {
				o.AllowUserNamespacesWithVolumeDevices = true
			}
			return true
		})
	}
	for _, v := range spec.Volumes {
		if v.Image != nil && len(v.Image.Reference) == 0 {
			o.AllowEmptyImageVolumeReference = true
		}
	}
	visitContainersWithPath(spec, nil, func(c *corev1.Container, _ *field.Path) bool {
		if hasSysAdminAndPrivilegeEscalationFalse(c.SecurityContext) {
			o.AllowSysAdminWhenPrivilegeEscalationFalse = true
		}
		return true
	})
	return o
}

// upstream: api/pod/util.go hasRestartContainerForNonSidecarInitContainer
func hasRestartContainerForNonSidecarInitContainer(spec *corev1.PodSpec) bool {
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		if isRestartableInitContainer(c) {
			continue
		}
		for _, p := range c.ResizePolicy {
			if p.RestartPolicy == corev1.RestartContainer {
				return true
			}
		}
	}
	return false
}

// upstream: api/pod/util.go hasSysAdminAndPrivilegeEscalationFalse
func hasSysAdminAndPrivilegeEscalationFalse(sc *corev1.SecurityContext) bool {
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.Capabilities == nil {
		return false
	}
	for _, c := range sc.Capabilities.Add {
		if string(c) == "CAP_SYS_ADMIN" {
			return true
		}
	}
	return false
}

// upstream: api/pod/util.go usesIndivisibleHugePagesValues
func usesIndivisibleHugePagesValues(spec *corev1.PodSpec) bool {
	found := false
	indivisible := func(l corev1.ResourceList) {
		for name, q := range l {
			if isHugePageResourceName(string(name)) && !isHugePageResourceValueDivisible(name, q) {
				found = true
			}
		}
	}
	visitContainersWithPath(spec, nil, func(c *corev1.Container, _ *field.Path) bool {
		indivisible(c.Resources.Limits)
		indivisible(c.Resources.Requests)
		return true
	})
	indivisible(spec.Overhead)
	return found
}

// upstream: api/pod/util.go dropDisabledFields for a template, under
// v1.37.2's default gates: the fields of alpha features (off) are dropped
// unless the old template (nil on create) already used them. Beta and GA
// features are on and drop nothing.
func dropDisabledPodFields(spec, old *corev1.PodSpec) {
	// EmptyDirVolumeMode (alpha)
	if !emptyDirModeInUse(old) {
		for i := range spec.Volumes {
			if spec.Volumes[i].EmptyDir != nil {
				spec.Volumes[i].EmptyDir.Mode = nil
			}
		}
	}
	// GRPCContainerProbeTLS (alpha)
	if !grpcProbeModeInUse(old) {
		visitContainersWithPath(spec, nil, func(c *corev1.Container, _ *field.Path) bool {
			for _, p := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
				if p != nil && p.GRPC != nil {
					p.GRPC.Mode = nil
				}
			}
			return true
		})
	}
	// AtomicWriteVolumeUserFields (alpha)
	if !atomicWriteVolumeUserFieldsInUse(old) {
		dropAtomicWriteVolumeUserFields(spec)
	}
	// GenericWorkload (alpha)
	if old == nil || old.SchedulingGroup == nil {
		spec.SchedulingGroup = nil
	}
	// EvictionRequestAPI (alpha)
	if old == nil || len(old.EvictionResponders) == 0 {
		spec.EvictionResponders = nil
	}
	// VolumeBindMountOptions (alpha)
	if !anyContainer(old, func(c *corev1.Container) bool {
		for _, m := range c.VolumeMounts {
			if len(m.BindMountOptions) > 0 {
				return true
			}
		}
		return false
	}) {
		visitContainersWithPath(spec, nil, func(c *corev1.Container, _ *field.Path) bool {
			for i := range c.VolumeMounts {
				c.VolumeMounts[i].BindMountOptions = nil
			}
			return true
		})
	}
	// ContainerStopSignals (alpha): a lifecycle left empty is dropped too.
	if !anyContainer(old, func(c *corev1.Container) bool { return c.Lifecycle != nil && c.Lifecycle.StopSignal != nil }) {
		visitContainersWithPath(spec, nil, func(c *corev1.Container, _ *field.Path) bool {
			if c.Lifecycle != nil && c.Lifecycle.StopSignal != nil {
				c.Lifecycle.StopSignal = nil
				if *c.Lifecycle == (corev1.Lifecycle{}) {
					c.Lifecycle = nil
				}
			}
			return true
		})
	}
	// H2CContainerProbe (alpha)
	if !anyContainer(old, httpProbeProtocolInUse) {
		visitContainersWithPath(spec, nil, func(c *corev1.Container, _ *field.Path) bool {
			for _, p := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
				if p != nil && p.HTTPGet != nil {
					p.HTTPGet.Protocol = nil
				}
			}
			if c.Lifecycle != nil {
				for _, h := range []*corev1.LifecycleHandler{c.Lifecycle.PostStart, c.Lifecycle.PreStop} {
					if h != nil && h.HTTPGet != nil {
						h.HTTPGet.Protocol = nil
					}
				}
			}
			return true
		})
	}
}

// anyContainer reports whether any container of spec (nil: none) satisfies f.
func anyContainer(spec *corev1.PodSpec, f func(*corev1.Container) bool) bool {
	if spec == nil {
		return false
	}
	found := false
	visitContainersWithPath(spec, nil, func(c *corev1.Container, _ *field.Path) bool {
		found = f(c)
		return !found
	})
	return found
}

// upstream: api/pod/util.go httpProbeProtocolInUse
func httpProbeProtocolInUse(c *corev1.Container) bool {
	for _, p := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
		if p != nil && p.HTTPGet != nil && p.HTTPGet.Protocol != nil {
			return true
		}
	}
	if c.Lifecycle != nil {
		for _, h := range []*corev1.LifecycleHandler{c.Lifecycle.PostStart, c.Lifecycle.PreStop} {
			if h != nil && h.HTTPGet != nil && h.HTTPGet.Protocol != nil {
				return true
			}
		}
	}
	return false
}

// upstream: api/pod/util.go atomicWriteVolumeUserFieldsInUse
func atomicWriteVolumeUserFieldsInUse(spec *corev1.PodSpec) bool {
	if spec == nil {
		return false
	}
	probe := spec.DeepCopy()
	dropAtomicWriteVolumeUserFields(probe)
	return !reflect.DeepEqual(spec.Volumes, probe.Volumes)
}

// upstream: api/pod/util.go dropDisabledAtomicWriteVolumeUserFields (the
// dropping part): defaultUser and the items' user of secret, configMap,
// downwardAPI and projected volumes.
func dropAtomicWriteVolumeUserFields(spec *corev1.PodSpec) {
	keyToPaths := func(items []corev1.KeyToPath) {
		for i := range items {
			items[i].User = nil
		}
	}
	files := func(items []corev1.DownwardAPIVolumeFile) {
		for i := range items {
			items[i].User = nil
		}
	}
	for i := range spec.Volumes {
		v := &spec.Volumes[i]
		switch {
		case v.Secret != nil:
			v.Secret.DefaultUser = nil
			keyToPaths(v.Secret.Items)
		case v.ConfigMap != nil:
			v.ConfigMap.DefaultUser = nil
			keyToPaths(v.ConfigMap.Items)
		case v.DownwardAPI != nil:
			v.DownwardAPI.DefaultUser = nil
			files(v.DownwardAPI.Items)
		case v.Projected != nil:
			v.Projected.DefaultUser = nil
			for j := range v.Projected.Sources {
				s := &v.Projected.Sources[j]
				switch {
				case s.Secret != nil:
					keyToPaths(s.Secret.Items)
				case s.ConfigMap != nil:
					keyToPaths(s.ConfigMap.Items)
				case s.DownwardAPI != nil:
					files(s.DownwardAPI.Items)
				case s.ServiceAccountToken != nil:
					s.ServiceAccountToken.User = nil
				case s.ClusterTrustBundle != nil:
					s.ClusterTrustBundle.User = nil
				case s.PodCertificate != nil:
					s.PodCertificate.User = nil
				}
			}
		}
	}
}

// upstream: api/pod/util.go emptyDirVolumeModeInUse
func emptyDirModeInUse(spec *corev1.PodSpec) bool {
	if spec == nil {
		return false
	}
	for _, v := range spec.Volumes {
		if v.EmptyDir != nil && v.EmptyDir.Mode != nil {
			return true
		}
	}
	return false
}

// upstream: api/pod/util.go grpcProbeModeInUse
func grpcProbeModeInUse(spec *corev1.PodSpec) bool {
	return anyContainer(spec, func(c *corev1.Container) bool {
		for _, p := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
			if p != nil && p.GRPC != nil && p.GRPC.Mode != nil {
				return true
			}
		}
		return false
	})
}
