package daemonset

import (
	"reflect"
	"sort"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestValidatePodSpecAreas checks one rule of each area of the pod spec for
// its exact path and type. upstream: core/validation/validation_test.go
// TestValidatePodSpec, TestValidateResizePolicy, TestValidateHostAliases,
// TestValidateEnvFrom, TestValidateVolumes (projected, downwardAPI, csi,
// ephemeral, image, nfs, iscsi), TestValidatePodResourceClaims,
// TestValidateContainerRestartPolicy, TestValidateTopologySpreadConstraints,
// TestValidateOSFields, TestValidatePodSecurityContext, TestValidateSysctls,
// TestValidateReadinessGates, TestValidateSchedulingGates, TestValidateOverhead,
// TestValidateSeccompAnnotationsAndFields, TestValidateAppArmorProfileFormat,
// TestValidateMatchLabelKeysAndMismatchLabelKeys, TestValidateVolumeDevices,
// TestValidatePodHostName, TestValidateSecurityContext,
// TestValidateFileKeyRefVolumes, TestValidateResourceRequirements (hugepages),
// TestValidateEphemeralContainers.
func TestValidatePodSpecAreas(t *testing.T) {
	no := false
	str := func(s string) *string { return &s }
	tests := []struct {
		name   string
		mutate func(ds *appsv1.DaemonSet)
		want   []string
	}{
		{"pod-level request above limit", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Resources = &corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")},
			}
		}, []string{tInvalid + tpl + "resources.requests"}},
		{"pod-level resources are cpu, memory and hugepages only", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Resources = &corev1.ResourceRequirements{Requests: corev1.ResourceList{"example.com/gpu": resource.MustParse("1")}}
		}, []string{tNotSupported + tpl + "resources.requests[example.com/gpu]", tRequired + tpl + "resources.limits"}},
		{"resizePolicy restart policy must be known", func(ds *appsv1.DaemonSet) {
			valContainer(ds).ResizePolicy = []corev1.ContainerResizePolicy{{ResourceName: corev1.ResourceCPU, RestartPolicy: "Sometimes"}}
		}, []string{tNotSupported + c0 + "resizePolicy"}},
		{"hostAliases IP must be an IP", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.HostAliases = []corev1.HostAlias{{IP: "not-an-ip"}}
		}, []string{tInvalid + tpl + "hostAliases[0].ip"}},
		{"envFrom configMap needs a name", func(ds *appsv1.DaemonSet) {
			valContainer(ds).EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{}}}
		}, []string{tRequired + c0 + "envFrom[0].configMapRef.name"}},
		{"csi volume needs a driver", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = append(ds.Spec.Template.Spec.Volumes, corev1.Volume{Name: "csi", VolumeSource: corev1.VolumeSource{CSI: &corev1.CSIVolumeSource{}}})
		}, []string{tRequired + tpl + "volumes[1].csi.driver"}},
		{"image volume needs a reference", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = append(ds.Spec.Template.Spec.Volumes, corev1.Volume{Name: "img", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{}}})
		}, []string{tRequired + tpl + "volumes[1].image.reference"}},
		{"nfs path must be absolute", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = append(ds.Spec.Template.Spec.Volumes, corev1.Volume{Name: "nfs", VolumeSource: corev1.VolumeSource{NFS: &corev1.NFSVolumeSource{Server: "nfs", Path: "exports"}}})
		}, []string{tInvalid + tpl + "volumes[1].nfs.path"}},
		{"downwardAPI volume supports only pod metadata fields", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = append(ds.Spec.Template.Spec.Volumes, corev1.Volume{Name: "info", VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{
				Items: []corev1.DownwardAPIVolumeFile{{Path: "node", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "spec.nodeName"}}}}}})
		}, []string{tNotSupported + tpl + "volumes[1].downwardAPI.fieldRef.fieldPath"}},
		{"pod resource claim needs a source", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.ResourceClaims = []corev1.PodResourceClaim{{Name: "gpu"}}
		}, []string{tInvalid + tpl + "resourceClaims[0]"}},
		{"container restartPolicy must be known", func(ds *appsv1.DaemonSet) {
			p := corev1.ContainerRestartPolicy("Sometimes")
			valContainer(ds).RestartPolicy = &p
		}, []string{tNotSupported + c0 + "restartPolicy"}},
		{"restart rules need restartPolicy on init containers", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.InitContainers = []corev1.Container{{Name: "init", Image: "busybox",
				RestartPolicyRules: []corev1.ContainerRestartRule{{Action: corev1.ContainerRestartRuleActionRestart,
					ExitCodes: &corev1.ContainerRestartRuleOnExitCodes{Operator: corev1.ContainerRestartRuleOnExitCodesOpIn, Values: []int32{1}}}}}}
		}, []string{tRequired + tpl + "initContainers[0].restartPolicy"}},
		{"topology spread maxSkew must be positive", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{TopologyKey: "zone", WhenUnsatisfiable: corev1.DoNotSchedule,
				LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}}}}
		}, []string{tInvalid + tpl + "topologySpreadConstraints[0].maxSkew"}},
		{"windows pod may not share the host PID namespace", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.OS = &corev1.PodOS{Name: corev1.Windows}
			ds.Spec.Template.Spec.HostPID = true
		}, []string{tForbidden + tpl + "hostPID"}},
		{"linux pod may not carry Windows options", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.OS = &corev1.PodOS{Name: corev1.Linux}
			valContainer(ds).SecurityContext = &corev1.SecurityContext{WindowsOptions: &corev1.WindowsSecurityContextOptions{RunAsUserName: str("user")}}
		}, []string{tForbidden + c0 + "securityContext.windowsOptions"}},
		{"namespaced net sysctl with hostNetwork", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.HostNetwork = true
			ds.Spec.Template.Spec.SecurityContext = &corev1.PodSecurityContext{Sysctls: []corev1.Sysctl{{Name: "net.core.somaxconn", Value: "1024"}}}
		}, []string{tInvalid + tpl + "securityContext.sysctls[0].name"}},
		{"seccomp Localhost needs a profile", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.SecurityContext = &corev1.PodSecurityContext{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost}}
		}, []string{tRequired + tpl + "securityContext.seccompProfile.localhostProfile"}},
		{"fsGroupChangePolicy must be known", func(ds *appsv1.DaemonSet) {
			p := corev1.PodFSGroupChangePolicy("Never")
			ds.Spec.Template.Spec.SecurityContext = &corev1.PodSecurityContext{FSGroupChangePolicy: &p}
		}, []string{tNotSupported + tpl + "securityContext.fsGroupChangePolicy"}},
		{"readiness gate must be a qualified name", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.ReadinessGates = []corev1.PodReadinessGate{{ConditionType: "not valid!"}}
		}, []string{tInvalid + tpl + "readinessGates[0].conditionType"}},
		{"scheduling gates are unique", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/g"}, {Name: "example.com/g"}}
		}, []string{tDuplicate + tpl + "schedulingGates[1]"}},
		{"overhead must not be negative", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Overhead = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("-1Mi")}
		}, []string{tInvalid + tpl + "overhead.limits[memory]"}},
		{"runtimeClassName must be a DNS subdomain", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.RuntimeClassName = str("Not_Valid")
		}, []string{tInvalid + tpl + "runtimeClassName"}},
		{"seccomp annotation must name a profile", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Annotations = map[string]string{corev1.SeccompPodAnnotationKey: "bogus"}
		}, []string{tInvalid + "spec.template.annotations.seccomp.security.alpha.kubernetes.io/pod"}},
		{"AppArmor annotation must name a container", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Annotations = map[string]string{corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix + "absent": "runtime/default"}
		}, []string{tInvalid + "spec.template.annotations[container.apparmor.security.beta.kubernetes.io/absent]"}},
		{"pod deletion cost must be an int32", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Annotations = map[string]string{corev1.PodDeletionCost: "+10"}
		}, []string{tInvalid + "spec.template.annotations[controller.kubernetes.io/pod-deletion-cost]"}},
		{"matchLabelKeys and mismatchLabelKeys share a key", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
				LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}}, TopologyKey: "kubernetes.io/hostname",
				MatchLabelKeys: []string{"k"}, MismatchLabelKeys: []string{"k"}}}}}
		}, []string{tInvalid + tpl + "affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].matchLabelKeys[0]"}},
		{"volumeDevices need a block-capable volume", func(ds *appsv1.DaemonSet) {
			valContainer(ds).VolumeDevices = []corev1.VolumeDevice{{Name: "logs", DevicePath: "/dev/xvda"}}
		}, []string{tInvalid + c0 + "volumeDevices[0].name", tInvalid + c0 + "volumeDevices[0].name", tInvalid + c0 + "volumeMounts[0].name"}},
		{"hostnameOverride is forbidden with hostNetwork", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.HostNetwork = true
			ds.Spec.Template.Spec.HostnameOverride = str("agent")
		}, []string{tForbidden + tpl + "hostnameOverride"}},
		{"allowPrivilegeEscalation false with CAP_SYS_ADMIN", func(ds *appsv1.DaemonSet) {
			valContainer(ds).SecurityContext = &corev1.SecurityContext{AllowPrivilegeEscalation: &no,
				Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"CAP_SYS_ADMIN"}}}
		}, []string{tInvalid + c0 + "securityContext"}},
		{"fileKeyRef volume must be an emptyDir", func(ds *appsv1.DaemonSet) {
			valContainer(ds).Env = []corev1.EnvVar{{Name: "T", ValueFrom: &corev1.EnvVarSource{FileKeyRef: &corev1.FileKeySelector{VolumeName: "logs", Path: "env", Key: "T"}}}}
		}, []string{tInvalid + c0 + "env[0].valueFrom.fileKeyRef.volumeName"}},
		{"hugepages must be a multiple of the page size", func(ds *appsv1.DaemonSet) {
			valContainer(ds).Resources = corev1.ResourceRequirements{
				Requests: corev1.ResourceList{"hugepages-2Mi": resource.MustParse("3Mi"), corev1.ResourceMemory: resource.MustParse("64Mi")},
				Limits:   corev1.ResourceList{"hugepages-2Mi": resource.MustParse("3Mi"), corev1.ResourceMemory: resource.MustParse("64Mi")},
			}
		}, []string{tInvalid + c0 + "resources.limits[hugepages-2Mi]", tInvalid + c0 + "resources.requests[hugepages-2Mi]"}},
		{"ephemeral container names are unique across all containers", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "agent", Image: "busybox"}}}
		}, []string{tDuplicate + tpl + "ephemeralContainers[0].name", tForbidden + tpl + "ephemeralContainers"}},
		{"template generation annotation must be an integer", func(ds *appsv1.DaemonSet) {
			ds.Annotations = map[string]string{appsv1.DeprecatedTemplateGeneration: "abc"}
		}, []string{tInvalid + "metadata.annotations[deprecated.daemonset.template.generation]"}},
		{"alpha stopSignal is dropped on create", func(ds *appsv1.DaemonSet) {
			sig := corev1.Signal("NOT-A-SIGNAL")
			valContainer(ds).Lifecycle = &corev1.Lifecycle{StopSignal: &sig}
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := valDaemonSet()
			tc.mutate(ds)
			got := valKeys(Validate(ds))
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("Validate errors\n got: %q\nwant: %q\nfull: %v", got, want, Validate(ds))
			}
		})
	}
}

// TestValidateUpdateRelaxations: on update the API server keeps accepting
// what the old template already used. upstream: api/pod/util_test.go
// TestValidationOptionsForPodTemplate, core/validation/validation_test.go
// TestValidateSysctls (AllowNamespacedSysctlsForHostNetAndHostIPC).
func TestValidateUpdateRelaxations(t *testing.T) {
	sysctl := func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.HostNetwork = true
		ds.Spec.Template.Spec.SecurityContext = &corev1.PodSecurityContext{Sysctls: []corev1.Sysctl{{Name: "net.core.somaxconn", Value: "1024"}}}
	}
	huge := func(q string) func(ds *appsv1.DaemonSet) {
		return func(ds *appsv1.DaemonSet) {
			valContainer(ds).Resources = corev1.ResourceRequirements{
				Requests: corev1.ResourceList{"hugepages-2Mi": resource.MustParse(q), corev1.ResourceMemory: resource.MustParse("64Mi")},
				Limits:   corev1.ResourceList{"hugepages-2Mi": resource.MustParse(q), corev1.ResourceMemory: resource.MustParse("64Mi")},
			}
		}
	}
	stop := func(s string) func(ds *appsv1.DaemonSet) {
		return func(ds *appsv1.DaemonSet) {
			sig := corev1.Signal(s)
			ds.Spec.Template.Spec.OS = &corev1.PodOS{Name: corev1.Linux}
			valContainer(ds).Lifecycle = &corev1.Lifecycle{StopSignal: &sig}
		}
	}
	tests := []struct {
		name     string
		old, new func(ds *appsv1.DaemonSet)
		want     []string
	}{
		{"host sysctl kept when the old template had it", sysctl, sysctl, nil},
		{"host sysctl rejected when new", func(*appsv1.DaemonSet) {}, sysctl, []string{tInvalid + tpl + "securityContext.sysctls[0].name"}},
		{"indivisible hugepages kept when the old template had them", huge("3Mi"), huge("5Mi"), nil},
		{"indivisible hugepages rejected when new", huge("4Mi"), huge("5Mi"),
			[]string{tInvalid + c0 + "resources.limits[hugepages-2Mi]", tInvalid + c0 + "resources.requests[hugepages-2Mi]"}},
		{"stopSignal validated when the old template used it", stop("SIGTERM"), stop("SIGNOPE"), []string{tNotSupported + c0 + "lifecycle.stopSignal"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			oldDS, newDS := valDaemonSet(), valDaemonSet()
			oldDS.ResourceVersion, newDS.ResourceVersion = "1", "1"
			tc.old(oldDS)
			tc.new(newDS)
			got := valKeys(ValidateUpdate(newDS, oldDS))
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("ValidateUpdate errors\n got: %q\nwant: %q\nfull: %v", got, want, ValidateUpdate(newDS, oldDS))
			}
		})
	}
}
