package daemonset

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Defaults the apps/v1 API server applies to a DaemonSet's own spec.
const (
	// DefaultRevisionHistoryLimit is spec.revisionHistoryLimit when unset.
	DefaultRevisionHistoryLimit int32 = 10
	// DefaultMaxUnavailable is spec.updateStrategy.rollingUpdate.maxUnavailable
	// when unset (an integer, not a percentage).
	DefaultMaxUnavailable int32 = 1
	// DefaultMaxSurge is spec.updateStrategy.rollingUpdate.maxSurge when unset.
	DefaultMaxSurge int32 = 0
)

// SetDefaults applies, in place, exactly what the Kubernetes v1.37.2 API server's
// apps/v1 defaulting does to a DaemonSet and its whole pod template: the result
// equals upstream's generated SetObjectDefaults_DaemonSet for every input.
//
// On the DaemonSet itself: updateStrategy.type "" becomes RollingUpdate; for
// RollingUpdate a missing rollingUpdate, maxUnavailable (1) and maxSurge (0)
// are filled in; revisionHistoryLimit nil becomes 10. Selector, minReadySeconds,
// metadata and status are left alone.
//
// On the pod template it applies the PodSpec, container, probe, lifecycle,
// port, env, resource and volume defaults of core/v1 (see [DefaultPullPolicy]
// for imagePullPolicy). Two defaults that apply to Pods are deliberately not
// applied, because upstream applies them to Pods only and never to templates:
// requests copied from limits, and hostPort = containerPort under hostNetwork.
// Those happen when the controller's pod is created.
//
// SetDefaults is idempotent, never panics (a nil ds is a no-op) and keeps no
// state. Feature-gated branches follow the v1.37.2 default gates (ImageVolume
// is GA and locked on, so image volumes get a pull policy).
func SetDefaults(ds *appsv1.DaemonSet) {
	if ds == nil {
		return
	}
	// upstream: apps/v1 zz_generated.defaults.go SetObjectDefaults_DaemonSet
	setDaemonSetSpecDefaults(&ds.Spec)
	setPodTemplateDefaults(&ds.Spec.Template.Spec)
}

// setDaemonSetSpecDefaults fills the DaemonSet's own spec fields.
// upstream: apps/v1 defaults.go SetDefaults_DaemonSet
func setDaemonSetSpecDefaults(spec *appsv1.DaemonSetSpec) {
	strategy := &spec.UpdateStrategy
	if strategy.Type == "" {
		strategy.Type = appsv1.RollingUpdateDaemonSetStrategyType
	}
	// OnDelete keeps a supplied rollingUpdate verbatim, as upstream.
	if strategy.Type == appsv1.RollingUpdateDaemonSetStrategyType {
		if strategy.RollingUpdate == nil {
			strategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{}
		}
		if strategy.RollingUpdate.MaxUnavailable == nil {
			v := intstr.FromInt32(DefaultMaxUnavailable)
			strategy.RollingUpdate.MaxUnavailable = &v
		}
		if strategy.RollingUpdate.MaxSurge == nil {
			v := intstr.FromInt32(DefaultMaxSurge)
			strategy.RollingUpdate.MaxSurge = &v
		}
	}
	if spec.RevisionHistoryLimit == nil {
		v := DefaultRevisionHistoryLimit
		spec.RevisionHistoryLimit = &v
	}
}

// setPodTemplateDefaults applies the generated pod-template walk in upstream's
// order: PodSpec scalars, volumes, init containers, containers, ephemeral
// containers, overhead, pod-level resources.
// upstream: apps/v1 zz_generated.defaults.go SetObjectDefaults_DaemonSet
func setPodTemplateDefaults(spec *corev1.PodSpec) {
	setPodSpecDefaults(spec)
	for i := range spec.Volumes {
		setVolumeDefaults(&spec.Volumes[i])
	}
	for i := range spec.InitContainers {
		setContainerDefaults(&spec.InitContainers[i])
	}
	for i := range spec.Containers {
		setContainerDefaults(&spec.Containers[i])
	}
	for i := range spec.EphemeralContainers {
		// upstream: core/v1 defaults.go SetDefaults_EphemeralContainer converts
		// the common part to a Container and defaults it the same way.
		setContainerDefaults((*corev1.Container)(&spec.EphemeralContainers[i].EphemeralContainerCommon))
	}
	roundResourceList(spec.Overhead)
	if spec.Resources != nil {
		roundResourceList(spec.Resources.Limits)
		roundResourceList(spec.Resources.Requests)
	}
}

// setPodSpecDefaults fills the PodSpec's own scalar fields.
// upstream: core/v1 defaults.go SetDefaults_PodSpec
func setPodSpecDefaults(spec *corev1.PodSpec) {
	// serviceAccountName wins; the deprecated alias always mirrors it.
	if spec.ServiceAccountName == "" {
		spec.ServiceAccountName = spec.DeprecatedServiceAccount
	}
	spec.DeprecatedServiceAccount = spec.ServiceAccountName
	if spec.DNSPolicy == "" {
		spec.DNSPolicy = corev1.DNSClusterFirst
	}
	if spec.RestartPolicy == "" {
		spec.RestartPolicy = corev1.RestartPolicyAlways
	}
	if spec.SecurityContext == nil {
		spec.SecurityContext = &corev1.PodSecurityContext{}
	}
	if spec.TerminationGracePeriodSeconds == nil {
		v := int64(corev1.DefaultTerminationGracePeriodSeconds)
		spec.TerminationGracePeriodSeconds = &v
	}
	if spec.SchedulerName == "" {
		spec.SchedulerName = corev1.DefaultSchedulerName
	}
}
