package daemonset

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"pgregory.net/rapid"
)

func valPtr[V any](v V) *V { return &v }

// valDaemonSet is a small, valid, not yet defaulted DaemonSet.
func valDaemonSet() *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "kube-system"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "agent"}},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{
						Name:  "agent",
						Image: "registry.k8s.io/agent:v1.2",
						Ports: []corev1.ContainerPort{{Name: "metrics", ContainerPort: 9100}},
						Env: []corev1.EnvVar{{Name: "NODE_NAME", ValueFrom: &corev1.EnvVarSource{
							FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}}},
						VolumeMounts: []corev1.VolumeMount{{Name: "logs", MountPath: "/var/log", ReadOnly: true}},
					}},
					Volumes: []corev1.Volume{{Name: "logs", VolumeSource: corev1.VolumeSource{
						HostPath: &corev1.HostPathVolumeSource{Path: "/var/log"}}}},
					Tolerations: []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
				},
			},
		},
	}
}

// valKeys is the sorted "Type path" form tests compare against.
func valKeys(errs field.ErrorList) []string {
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		out = append(out, string(e.Type)+" "+e.Field)
	}
	sort.Strings(out)
	return out
}

func valIntOrStr(s string) *intstr.IntOrString {
	v := intstr.Parse(s)
	return &v
}

func valRolling(maxUnavailable, maxSurge *intstr.IntOrString) appsv1.DaemonSetUpdateStrategy {
	return appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: maxUnavailable, MaxSurge: maxSurge}}
}

func valContainer(ds *appsv1.DaemonSet) *corev1.Container {
	return &ds.Spec.Template.Spec.Containers[0]
}

const (
	tInvalid      = "FieldValueInvalid "
	tRequired     = "FieldValueRequired "
	tForbidden    = "FieldValueForbidden "
	tNotSupported = "FieldValueNotSupported "
	tDuplicate    = "FieldValueDuplicate "
	tNotFound     = "FieldValueNotFound "
	tpl           = "spec.template.spec."
	c0            = tpl + "containers[0]."
)

// TestValidateRules checks each covered rule for its exact path and type.
// upstream: apps/validation/validation_test.go TestValidateDaemonSet and
// core/validation/validation_test.go TestValidatePodSpec, TestValidateContainers,
// TestValidateInitContainers, TestValidatePorts, TestValidateEnv,
// TestValidateVolumes, TestValidateVolumeMounts, TestValidateProbe,
// TestValidateHandler, TestValidateResourceRequirements (the cases these rules share).
func TestValidateRules(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(ds *appsv1.DaemonSet)
		opts   []ValidateOption
		want   []string
	}{
		{"valid DaemonSet has no errors", func(*appsv1.DaemonSet) {}, nil, nil},
		{"name must be a DNS subdomain", func(ds *appsv1.DaemonSet) { ds.Name = "Bad_Name" }, nil,
			[]string{tInvalid + "metadata.name"}},
		{"name is required", func(ds *appsv1.DaemonSet) { ds.Name = "" }, nil,
			[]string{tRequired + "metadata.name"}},
		{"namespace is required", func(ds *appsv1.DaemonSet) { ds.Namespace = "" }, nil,
			[]string{tRequired + "metadata.namespace"}},
		{"unqualified finalizer must be standard", func(ds *appsv1.DaemonSet) { ds.Finalizers = []string{"keep"} }, nil,
			[]string{tInvalid + "metadata.finalizers[0]"}},
		{"nil selector matches no template labels", func(ds *appsv1.DaemonSet) { ds.Spec.Selector = nil }, nil,
			[]string{tInvalid + "spec.template.metadata.labels"}},
		{"empty selector is invalid for daemonset", func(ds *appsv1.DaemonSet) { ds.Spec.Selector = &metav1.LabelSelector{} }, nil,
			[]string{tInvalid + "spec.selector"}},
		{"selector must match template labels", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Labels = map[string]string{"app": "other"} }, nil,
			[]string{tInvalid + "spec.template.metadata.labels"}},
		{"selector label key must be valid", func(ds *appsv1.DaemonSet) {
			ds.Spec.Selector.MatchLabels = map[string]string{"bad key": "agent"}
			ds.Spec.Template.Labels = map[string]string{"bad key": "agent"}
		}, nil, []string{tInvalid + "spec.selector.matchLabels", tInvalid + "spec.template.labels"}},
		{"template annotations must be valid", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Annotations = map[string]string{"bad key": ""} }, nil,
			[]string{tInvalid + "spec.template.annotations"}},
		{"restartPolicy must be Always", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever }, nil,
			[]string{tNotSupported + tpl + "restartPolicy"}},
		{"unknown restartPolicy is reported twice", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.RestartPolicy = "Bogus" }, nil,
			[]string{tNotSupported + tpl + "restartPolicy", tNotSupported + tpl + "restartPolicy"}},
		{"activeDeadlineSeconds is forbidden", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.ActiveDeadlineSeconds = valPtr(int64(30)) }, nil,
			[]string{tForbidden + tpl + "activeDeadlineSeconds"}},
		{"activeDeadlineSeconds 0 is also out of range", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.ActiveDeadlineSeconds = valPtr(int64(0)) }, nil,
			[]string{tForbidden + tpl + "activeDeadlineSeconds", tInvalid + tpl + "activeDeadlineSeconds"}},
		{"minReadySeconds must not be negative", func(ds *appsv1.DaemonSet) { ds.Spec.MinReadySeconds = -1 }, nil,
			[]string{tInvalid + "spec.minReadySeconds"}},
		{"revisionHistoryLimit must not be negative", func(ds *appsv1.DaemonSet) { ds.Spec.RevisionHistoryLimit = valPtr(int32(-1)) }, nil,
			[]string{tInvalid + "spec.revisionHistoryLimit"}},
		{"revisionHistoryLimit 0 is valid", func(ds *appsv1.DaemonSet) { ds.Spec.RevisionHistoryLimit = valPtr(int32(0)) }, nil, nil},
		{"unknown strategy type", func(ds *appsv1.DaemonSet) { ds.Spec.UpdateStrategy.Type = "Bogus" }, nil,
			[]string{tNotSupported + "spec.updateStrategy"}},
		{"OnDelete never validates rollingUpdate", func(ds *appsv1.DaemonSet) {
			ds.Spec.UpdateStrategy = valRolling(valIntOrStr("-1"), valIntOrStr("abc"))
			ds.Spec.UpdateStrategy.Type = appsv1.OnDeleteDaemonSetStrategyType
		}, nil, nil},
		{"maxUnavailable negative int", func(ds *appsv1.DaemonSet) { ds.Spec.UpdateStrategy = valRolling(valIntOrStr("-1"), nil) }, nil,
			[]string{tInvalid + "spec.updateStrategy.rollingUpdate.maxUnavailable"}},
		{"maxUnavailable string without percent", func(ds *appsv1.DaemonSet) {
			v := intstr.FromString("10")
			ds.Spec.UpdateStrategy = valRolling(&v, nil)
		}, nil, []string{tInvalid + "spec.updateStrategy.rollingUpdate.maxUnavailable"}},
		{"maxUnavailable over 100%", func(ds *appsv1.DaemonSet) { ds.Spec.UpdateStrategy = valRolling(valIntOrStr("101%"), nil) }, nil,
			[]string{tInvalid + "spec.updateStrategy.rollingUpdate.maxUnavailable"}},
		{"maxUnavailable 100% is valid", func(ds *appsv1.DaemonSet) { ds.Spec.UpdateStrategy = valRolling(valIntOrStr("100%"), nil) }, nil, nil},
		{"both budgets zero", func(ds *appsv1.DaemonSet) { ds.Spec.UpdateStrategy = valRolling(valIntOrStr("0%"), valIntOrStr("0")) }, nil,
			[]string{tRequired + "spec.updateStrategy.rollingUpdate.maxUnavailable"}},
		{"both budgets non-zero", func(ds *appsv1.DaemonSet) { ds.Spec.UpdateStrategy = valRolling(valIntOrStr("1"), valIntOrStr("10%")) }, nil,
			[]string{tInvalid + "spec.updateStrategy.rollingUpdate.maxSurge"}},
		{"surge only is valid", func(ds *appsv1.DaemonSet) { ds.Spec.UpdateStrategy = valRolling(valIntOrStr("0"), valIntOrStr("1")) }, nil, nil},
		{"negative budget counts as non-zero", func(ds *appsv1.DaemonSet) { ds.Spec.UpdateStrategy = valRolling(valIntOrStr("-1"), valIntOrStr("1")) }, nil,
			[]string{tInvalid + "spec.updateStrategy.rollingUpdate.maxUnavailable", tInvalid + "spec.updateStrategy.rollingUpdate.maxSurge"}},
		{"containers are required", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers = nil }, nil,
			[]string{tRequired + tpl + "containers"}},
		{"container name must be a DNS label", func(ds *appsv1.DaemonSet) { valContainer(ds).Name = "Bad_Name" }, nil,
			[]string{tInvalid + c0 + "name"}},
		{"container names are unique", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Containers = append(ds.Spec.Template.Spec.Containers, corev1.Container{Name: "agent", Image: "busybox"})
		}, nil, []string{tDuplicate + tpl + "containers[1].name"}},
		{"init container names are unique across lists", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.InitContainers = []corev1.Container{{Name: "agent", Image: "busybox"}}
		}, nil, []string{tDuplicate + tpl + "initContainers[0].name"}},
		{"image is required", func(ds *appsv1.DaemonSet) { valContainer(ds).Image = "" }, nil,
			[]string{tRequired + c0 + "image"}},
		{"unknown pull policy", func(ds *appsv1.DaemonSet) { valContainer(ds).ImagePullPolicy = "Sometimes" }, nil,
			[]string{tNotSupported + c0 + "imagePullPolicy"}},
		{"containerPort is required", func(ds *appsv1.DaemonSet) { valContainer(ds).Ports[0].ContainerPort = 0 }, nil,
			[]string{tRequired + c0 + "ports[0].containerPort"}},
		{"containerPort in range", func(ds *appsv1.DaemonSet) { valContainer(ds).Ports[0].ContainerPort = 65536 }, nil,
			[]string{tInvalid + c0 + "ports[0].containerPort"}},
		{"hostPort in range", func(ds *appsv1.DaemonSet) { valContainer(ds).Ports[0].HostPort = 70000 }, nil,
			[]string{tInvalid + c0 + "ports[0].hostPort"}},
		{"unknown protocol", func(ds *appsv1.DaemonSet) { valContainer(ds).Ports[0].Protocol = "HTTP" }, nil,
			[]string{tNotSupported + c0 + "ports[0].protocol"}},
		{"port names are unique", func(ds *appsv1.DaemonSet) {
			valContainer(ds).Ports = append(valContainer(ds).Ports, corev1.ContainerPort{Name: "metrics", ContainerPort: 9101})
		}, nil, []string{tDuplicate + c0 + "ports[1].name"}},
		{"hostPort without hostNetwork is valid", func(ds *appsv1.DaemonSet) { valContainer(ds).Ports[0].HostPort = 8080 }, nil, nil},
		{"hostNetwork hostPort must match containerPort", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.HostNetwork = true
			valContainer(ds).Ports[0].HostPort = 8080
		}, nil, []string{tInvalid + c0 + "ports[0].hostPort"}},
		{"hostNetwork with hostPort 0 is valid in a template", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.HostNetwork = true }, nil, nil},
		{"host ports conflict across containers", func(ds *appsv1.DaemonSet) {
			valContainer(ds).Ports[0].HostPort = 9100
			ds.Spec.Template.Spec.Containers = append(ds.Spec.Template.Spec.Containers, corev1.Container{Name: "b", Image: "x",
				Ports: []corev1.ContainerPort{{ContainerPort: 1, HostPort: 9100}}})
		}, nil, []string{tDuplicate + tpl + "containers[1].ports[0].hostPort"}},
		{"env name is required", func(ds *appsv1.DaemonSet) { valContainer(ds).Env[0].Name = "" }, nil,
			[]string{tRequired + c0 + "env[0].name"}},
		{"env name may not contain =", func(ds *appsv1.DaemonSet) { valContainer(ds).Env[0].Name = "A=B" }, nil,
			[]string{tInvalid + c0 + "env[0].name"}},
		{"env fieldRef path must be supported", func(ds *appsv1.DaemonSet) { valContainer(ds).Env[0].ValueFrom.FieldRef.FieldPath = "status.phase" }, nil,
			[]string{tNotSupported + c0 + "env[0].valueFrom.fieldRef.fieldPath"}},
		{"env fieldRef path must be known", func(ds *appsv1.DaemonSet) { valContainer(ds).Env[0].ValueFrom.FieldRef.FieldPath = "bogus" }, nil,
			[]string{tInvalid + c0 + "env[0].valueFrom.fieldRef.fieldPath"}},
		{"env fieldRef labels subscript is valid", func(ds *appsv1.DaemonSet) {
			valContainer(ds).Env[0].ValueFrom.FieldRef.FieldPath = "metadata.labels['app']"
		}, nil, nil},
		{"env fieldRef apiVersion must be v1", func(ds *appsv1.DaemonSet) { valContainer(ds).Env[0].ValueFrom.FieldRef.APIVersion = "v2" }, nil,
			[]string{tInvalid + c0 + "env[0].valueFrom.fieldRef.fieldPath"}},
		{"env value and valueFrom are exclusive", func(ds *appsv1.DaemonSet) { valContainer(ds).Env[0].Value = "x" }, nil,
			[]string{tInvalid + c0 + "env[0].valueFrom"}},
		{"env valueFrom needs a source", func(ds *appsv1.DaemonSet) { valContainer(ds).Env[0].ValueFrom = &corev1.EnvVarSource{} }, nil,
			[]string{tInvalid + c0 + "env[0].valueFrom"}},
		{"volume mount must name a volume", func(ds *appsv1.DaemonSet) { valContainer(ds).VolumeMounts[0].Name = "missing" }, nil,
			[]string{tNotFound + c0 + "volumeMounts[0].name"}},
		{"mount paths are unique", func(ds *appsv1.DaemonSet) {
			valContainer(ds).VolumeMounts = append(valContainer(ds).VolumeMounts, corev1.VolumeMount{Name: "logs", MountPath: "/var/log"})
		}, nil, []string{tInvalid + c0 + "volumeMounts[1].mountPath"}},
		{"subPath may not step back (reported on the list path, as upstream)", func(ds *appsv1.DaemonSet) { valContainer(ds).VolumeMounts[0].SubPath = "../x" }, nil,
			[]string{tInvalid + c0 + "volumeMounts.subPath"}},
		{"bidirectional propagation needs privileged", func(ds *appsv1.DaemonSet) {
			valContainer(ds).VolumeMounts[0].MountPropagation = valPtr(corev1.MountPropagationBidirectional)
		}, nil, []string{tForbidden + c0 + "volumeMounts.mountPropagation"}},
		{"requests may not exceed limits", func(ds *appsv1.DaemonSet) {
			valContainer(ds).Resources = corev1.ResourceRequirements{
				Requests: corev1.ResourceList{"cpu": resource.MustParse("2")},
				Limits:   corev1.ResourceList{"cpu": resource.MustParse("1")}}
		}, nil, []string{tInvalid + c0 + "resources.requests"}},
		{"quantities may not be negative", func(ds *appsv1.DaemonSet) {
			valContainer(ds).Resources.Requests = corev1.ResourceList{"memory": resource.MustParse("-1Mi")}
		}, nil, []string{tInvalid + c0 + "resources.requests[memory]"}},
		{"unqualified resource must be standard", func(ds *appsv1.DaemonSet) {
			valContainer(ds).Resources.Limits = corev1.ResourceList{"gpu": resource.MustParse("1")}
		}, nil, []string{tInvalid + c0 + "resources.limits[gpu]", tInvalid + c0 + "resources.limits[gpu]"}},
		{"extended resource needs equal limit", func(ds *appsv1.DaemonSet) {
			valContainer(ds).Resources.Requests = corev1.ResourceList{"nvidia.com/gpu": resource.MustParse("1")}
		}, nil, []string{tRequired + c0 + "resources.limits"}},
		{"liveness probe needs a handler", func(ds *appsv1.DaemonSet) { valContainer(ds).LivenessProbe = &corev1.Probe{SuccessThreshold: 1} }, nil,
			[]string{tRequired + c0 + "livenessProbe"}},
		{"liveness successThreshold must be 1", func(ds *appsv1.DaemonSet) {
			valContainer(ds).LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(9100)}}, SuccessThreshold: 2}
		}, nil, []string{tInvalid + c0 + "livenessProbe.successThreshold"}},
		{"probe fields must not be negative", func(ds *appsv1.DaemonSet) {
			valContainer(ds).ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"x"}}}, PeriodSeconds: -1}
		}, nil, []string{tInvalid + c0 + "readinessProbe.periodSeconds"}},
		{"probe may have one handler only", func(ds *appsv1.DaemonSet) {
			valContainer(ds).ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
				Exec: &corev1.ExecAction{Command: []string{"x"}}, GRPC: &corev1.GRPCAction{Port: 9090}}}
		}, nil, []string{tForbidden + c0 + "readinessProbe.grpc"}},
		{"probe port name must be valid", func(ds *appsv1.DaemonSet) {
			valContainer(ds).ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromString("Bad_Name"), Scheme: "HTTP"}}}
		}, nil, []string{tInvalid + c0 + "readinessProbe.httpGet.port"}},
		{"plain init container may not have probes", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.InitContainers = []corev1.Container{{Name: "init", Image: "x",
				ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"x"}}}}}}
		}, nil, []string{tForbidden + tpl + "initContainers[0].readinessProbe"}},
		{"sidecar init container may have probes", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.InitContainers = []corev1.Container{{Name: "init", Image: "x", RestartPolicy: valPtr(corev1.ContainerRestartPolicyAlways),
				ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"x"}}}}}}
		}, nil, nil},
		{"privileged is allowed by default", func(ds *appsv1.DaemonSet) {
			valContainer(ds).SecurityContext = &corev1.SecurityContext{Privileged: valPtr(true)}
		}, nil, nil},
		{"privileged is forbidden with StrictPrivileged", func(ds *appsv1.DaemonSet) {
			valContainer(ds).SecurityContext = &corev1.SecurityContext{Privileged: valPtr(true)}
		}, []ValidateOption{StrictPrivileged()}, []string{tForbidden + c0 + "securityContext.privileged"}},
		{"privileged with allowPrivilegeEscalation false", func(ds *appsv1.DaemonSet) {
			valContainer(ds).SecurityContext = &corev1.SecurityContext{Privileged: valPtr(true), AllowPrivilegeEscalation: valPtr(false)}
		}, nil, []string{tInvalid + c0 + "securityContext"}},
		{"volume names are unique", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = append(ds.Spec.Template.Spec.Volumes, ds.Spec.Template.Spec.Volumes[0])
		}, nil, []string{tDuplicate + tpl + "volumes[1].name"}},
		{"volume needs a source", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = append(ds.Spec.Template.Spec.Volumes, corev1.Volume{Name: "x"})
		}, nil, nil}, // defaulting turns a source-less volume into emptyDir
		{"volume may have one source only", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes[0].EmptyDir = &corev1.EmptyDirVolumeSource{}
		}, nil, []string{tForbidden + tpl + "volumes[0].hostPath", tNotFound + c0 + "volumeMounts[0].name"}},
		{"hostPath path is required (and the mount then finds no volume)", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes[0].HostPath.Path = ""
		}, nil, []string{tRequired + tpl + "volumes[0].hostPath.path", tNotFound + c0 + "volumeMounts[0].name"}},
		{"hostPath path may not step back", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes[0].HostPath.Path = "/var/../etc"
		}, nil, []string{tInvalid + tpl + "volumes[0].hostPath.path", tNotFound + c0 + "volumeMounts[0].name"}},
		{"hostPath type must be known", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes[0].HostPath.Type = valPtr(corev1.HostPathType("directory"))
		}, nil, []string{tNotSupported + tpl + "volumes[0].hostPath.type", tNotFound + c0 + "volumeMounts[0].name"}},
		{"configMap defaultMode range", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = append(ds.Spec.Template.Spec.Volumes, corev1.Volume{Name: "cfg", VolumeSource: corev1.VolumeSource{
				ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "c"}, DefaultMode: valPtr(int32(0o1000))}}})
		}, nil, []string{tInvalid + tpl + "volumes[1].configMap.defaultMode"}},
		{"alpha emptyDir mode is dropped on create, never rejected", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Volumes = append(ds.Spec.Template.Spec.Volumes, corev1.Volume{Name: "scratch", VolumeSource: corev1.VolumeSource{
				EmptyDir: &corev1.EmptyDirVolumeSource{Mode: valPtr(int32(-1))}}})
		}, nil, nil},
		{"alpha gRPC probe mode is dropped on create, never rejected", func(ds *appsv1.DaemonSet) {
			valContainer(ds).ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9090, Mode: valPtr(corev1.GRPCProbeMode("Bogus"))}}}
		}, nil, nil},
		{"dnsPolicy None needs dnsConfig", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.DNSPolicy = corev1.DNSNone }, nil,
			[]string{tRequired + tpl + "dnsConfig"}},
		{"dnsConfig nameservers must be IPs", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.DNSConfig = &corev1.PodDNSConfig{Nameservers: []string{"dns.example"}}
		}, nil, []string{tInvalid + tpl + "dnsConfig.nameservers[0]"}},
		{"toleration with empty key needs Exists", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpEqual}}
		}, nil, []string{tInvalid + tpl + "tolerations[0].operator"}},
		{"toleration Exists needs an empty value", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists, Value: "v"}}
		}, nil, []string{tInvalid + tpl + "tolerations[0].operator"}},
		{"tolerationSeconds needs NoExecute", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule, TolerationSeconds: valPtr(int64(5))}}
		}, nil, []string{tInvalid + tpl + "tolerations[0].effect"}},
		{"toleration key must be a label name", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Key: "bad key", Operator: corev1.TolerationOpExists}}
		}, nil, []string{tInvalid + tpl + "tolerations[0].key"}},
		{"toleration Lt is not enabled", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpLt, Value: "5"}}
		}, nil, []string{tNotSupported + tpl + "tolerations[0].operator"}},
		{"toleration effect must be known", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists, Effect: "NoScheduleNoAdmit"}}
		}, nil, []string{tNotSupported + tpl + "tolerations[0].effect"}},
		{"nodeSelector key must be a label name", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.NodeSelector = map[string]string{"bad key": "x"} }, nil,
			[]string{tInvalid + tpl + "nodeSelector"}},
		{"required node affinity needs a term", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{}}}
		}, nil, []string{tRequired + tpl + "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"}},
		{"In needs values, Exists forbids them, Gt needs one", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{
					{Key: "a", Operator: corev1.NodeSelectorOpIn},
					{Key: "a", Operator: corev1.NodeSelectorOpExists, Values: []string{"x"}},
					{Key: "a", Operator: corev1.NodeSelectorOpGt, Values: []string{"1", "2"}},
					{Key: "a", Operator: corev1.NodeSelectorOpLt, Values: []string{"not-a-number"}},
				}}}}}}
		}, nil, []string{
			tForbidden + tpl + "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values",
			tRequired + tpl + "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values",
			tRequired + tpl + "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[2].values",
		}},
		{"matchFields only on metadata.name with one value", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{
					{Key: "metadata.namespace", Operator: corev1.NodeSelectorOpIn, Values: []string{"a"}},
					{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{"a", "b"}},
				}}}}}}
		}, nil, []string{
			tInvalid + tpl + "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].key",
			tRequired + tpl + "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[1].values",
		}},
		{"preferred weight in 1..100", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.PreferredSchedulingTerm{{Weight: 0}}}}
		}, nil, []string{tInvalid + tpl + "affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight"}},
		{"anti-affinity topologyKey is required", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{}}}}
		}, nil, []string{
			tRequired + tpl + "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey",
			tInvalid + tpl + "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey",
			tInvalid + tpl + "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey",
		}},
		{"priorityClassName must be a DNS subdomain", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.PriorityClassName = "Bad_Name" }, nil,
			[]string{tInvalid + tpl + "priorityClassName"}},
		{"dnsPolicy must be known", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.DNSPolicy = "Bogus" }, nil,
			[]string{tNotSupported + tpl + "dnsPolicy"}},
		{"shareProcessNamespace with hostPID", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.HostPID = true
			ds.Spec.Template.Spec.ShareProcessNamespace = valPtr(true)
		}, nil, []string{tInvalid + tpl + "shareProcessNamespace"}},
		{"hostUsers false forbids host namespaces", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.HostUsers = valPtr(false)
			ds.Spec.Template.Spec.HostNetwork = true
			ds.Spec.Template.Spec.HostPID = true
		}, nil, []string{tForbidden + tpl + "HostPID", tForbidden + tpl + "hostNetwork"}},
		{"ephemeral containers are forbidden in templates", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", Image: "x"}}}
		}, nil, []string{tForbidden + tpl + "ephemeralContainers"}},
		{"name too long", func(ds *appsv1.DaemonSet) { ds.Name = strings.Repeat("a", 254) }, nil,
			[]string{tInvalid + "metadata.name"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := valDaemonSet()
			tc.mutate(ds)
			got := valKeys(Validate(ds, tc.opts...))
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("Validate errors\n got: %q\nwant: %q\nfull: %v", got, want, Validate(ds, tc.opts...))
			}
		})
	}
}

// TestValidateUpdateRules mirrors upstream's
// apps/validation/validation_test.go TestValidateDaemonSetUpdate.
func TestValidateUpdateRules(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(newDS, oldDS *appsv1.DaemonSet)
		want   []string
	}{
		{"template change is valid", func(n, _ *appsv1.DaemonSet) { valContainer(n).Image = "registry.k8s.io/agent:v1.3" }, nil},
		{"strategy change is valid", func(n, _ *appsv1.DaemonSet) { n.Spec.UpdateStrategy = valRolling(valIntOrStr("0"), valIntOrStr("25%")) }, nil},
		{"selector is immutable", func(n, _ *appsv1.DaemonSet) {
			n.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent", "tier": "node"}}
			n.Spec.Template.Labels = map[string]string{"app": "agent", "tier": "node"}
		}, []string{tInvalid + "spec.selector"}},
		{"name is immutable", func(n, _ *appsv1.DaemonSet) { n.Name = "other" }, []string{tInvalid + "metadata.name"}},
		{"create rules still apply", func(n, _ *appsv1.DaemonSet) { valContainer(n).Image = "" }, []string{tRequired + c0 + "image"}},
		{"old invalid selector value relaxes the new one", func(n, o *appsv1.DaemonSet) {
			o.Spec.Selector.MatchExpressions = []metav1.LabelSelectorRequirement{{Key: "app", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"bad value!"}}}
			n.Spec.Selector = o.Spec.Selector.DeepCopy()
		}, nil},
		{"emptyDir mode already in use is validated", func(n, o *appsv1.DaemonSet) {
			o.Spec.Template.Spec.Volumes[0] = corev1.Volume{Name: "logs", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Mode: valPtr(int32(0o755))}}}
			n.Spec.Template.Spec.Volumes[0] = corev1.Volume{Name: "logs", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Mode: valPtr(int32(0o4000))}}}
		}, []string{tInvalid + tpl + "volumes[0].emptyDir.mode", tNotFound + c0 + "volumeMounts[0].name"}},
		{"old Lt toleration keeps comparison operators allowed", func(n, o *appsv1.DaemonSet) {
			tol := []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpLt, Value: "5"}}
			o.Spec.Template.Spec.Tolerations = tol
			n.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpGt, Value: "x"}}
		}, []string{tInvalid + tpl + "tolerations[0].value", tInvalid + tpl + "tolerations[0].value"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			oldDS, newDS := valDaemonSet(), valDaemonSet()
			oldDS.ResourceVersion, newDS.ResourceVersion = "1", "1"
			tc.mutate(newDS, oldDS)
			got := valKeys(ValidateUpdate(newDS, oldDS))
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("ValidateUpdate errors\n got: %q\nwant: %q", got, want)
			}
		})
	}
}

func TestValidateNilInputs(t *testing.T) {
	if errs := Validate(nil); len(errs) != 1 || errs[0].Type != field.ErrorTypeRequired {
		t.Errorf("Validate(nil) = %v", errs)
	}
	if errs := ValidateUpdate(nil, valDaemonSet()); len(errs) != 1 {
		t.Errorf("ValidateUpdate(nil, ds) = %v", errs)
	}
	if errs := Validate(valDaemonSet(), nil); len(errs) != 0 {
		t.Errorf("a nil option must be ignored, got %v", errs)
	}
}

// TestValidateProperties checks invariants on random objects: the input is
// never modified, the answer is deterministic, every error carries a path
// under metadata or spec, and ValidateUpdate(ds, ds) answers as Validate(ds)
// (no relaxation applies: the old template uses no Lt/Gt tolerations).
func TestValidateProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ds := valDaemonSet()
		if rapid.Bool().Draw(rt, "noSelector") {
			ds.Spec.Selector = nil
		}
		ds.Spec.MinReadySeconds = rapid.Int32Range(-2, 2).Draw(rt, "minReadySeconds")
		ds.Spec.UpdateStrategy = valRolling(
			valIntOrStr(rapid.SampledFrom([]string{"0", "1", "-1", "10%", "101%", "abc"}).Draw(rt, "maxUnavailable")),
			valIntOrStr(rapid.SampledFrom([]string{"0", "1", "-1", "10%", "101%", "abc"}).Draw(rt, "maxSurge")))
		c := valContainer(ds)
		c.Name = rapid.SampledFrom([]string{"agent", "", "Bad_Name"}).Draw(rt, "containerName")
		c.Image = rapid.SampledFrom([]string{"x", ""}).Draw(rt, "image")
		ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{
			Key:      rapid.SampledFrom([]string{"", "k", "bad key"}).Draw(rt, "tolKey"),
			Operator: corev1.TolerationOperator(rapid.SampledFrom([]string{"", "Equal", "Exists", "Bogus"}).Draw(rt, "tolOp")),
			Effect:   corev1.TaintEffect(rapid.SampledFrom([]string{"", "NoSchedule", "NoExecute", "Bogus"}).Draw(rt, "tolEffect")),
		}}

		before := ds.DeepCopy()
		first := Validate(ds)
		if !reflect.DeepEqual(before, ds) {
			rt.Fatalf("Validate modified its input")
		}
		if second := Validate(ds); !reflect.DeepEqual(first.ToAggregate(), second.ToAggregate()) {
			rt.Fatalf("Validate is not deterministic:\n%v\n%v", first, second)
		}
		for _, e := range first {
			if !strings.HasPrefix(e.Field, "metadata.") && !strings.HasPrefix(e.Field, "spec.") {
				rt.Fatalf("error without a field path: %v", e)
			}
		}
		withRV := ds.DeepCopy()
		withRV.ResourceVersion = "1"
		upd := ValidateUpdate(withRV, withRV)
		if !reflect.DeepEqual(valKeys(upd), valKeys(Validate(withRV))) {
			rt.Fatalf("ValidateUpdate(ds, ds) differs from Validate(ds):\n%v\n%v", upd, Validate(withRV))
		}
	})
}

// FuzzValidate decodes arbitrary JSON into a DaemonSet and validates it:
// Validate and ValidateUpdate must never panic and never modify their input.
func FuzzValidate(f *testing.F) {
	seed, _ := json.Marshal(valDaemonSet())
	f.Add(seed)
	f.Add([]byte(`{"spec":{"updateStrategy":{"rollingUpdate":{"maxSurge":"101%","maxUnavailable":"abc"}}}}`))
	f.Add([]byte(`{"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":-1}]}],"volumes":[{"name":"v","hostPath":{"path":""},"emptyDir":{}}]}}}}`))
	f.Add([]byte(`{"spec":{"template":{"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"Gt"}]}]}}}}}}}`))
	f.Add([]byte(`{"spec":{"template":{"spec":{"containers":[{"env":[{"name":"x","valueFrom":{"fieldRef":{"fieldPath":"metadata.labels['"}}}],"livenessProbe":{"httpGet":{"port":"x"},"exec":{}}}]}}}}`))
	// The areas beyond the first port: pod-level resources and claims, OS
	// rules, projected and ephemeral volumes, annotations, stopSignal.
	f.Add([]byte(`{"metadata":{"annotations":{"deprecated.daemonset.template.generation":"x"}},"spec":{"template":{"metadata":{"annotations":{"scheduler.alpha.kubernetes.io/tolerations":"[{\"operator\":\"Bogus\"}]","seccomp.security.alpha.kubernetes.io/pod":"localhost/../x"}},"spec":{"os":{"name":"windows"},"hostPID":true,"resources":{"requests":{"cpu":"2","hugepages-2Mi":"3Mi"},"limits":{"cpu":"1"}},"resourceClaims":[{"name":"g"}],"containers":[{"name":"a","resources":{"claims":[{"name":"h"}]},"lifecycle":{"stopSignal":"SIGX"},"restartPolicy":"Never","restartPolicyRules":[{"action":"Bogus"}]}]}}}}`))
	f.Add([]byte(`{"spec":{"template":{"spec":{"volumes":[{"name":"p","projected":{"sources":[{"serviceAccountToken":{"path":"../t","expirationSeconds":1}},{"clusterTrustBundle":{"name":"a:b","signerName":"x"}},{"podCertificate":{"signerName":"kubernetes.io/x","keyType":"RSA"}}]}},{"name":"e","ephemeral":{"volumeClaimTemplate":{"metadata":{"name":"x"},"spec":{"dataSourceRef":{"kind":"K","name":"n","namespace":"ns"}}}}}],"securityContext":{"windowsOptions":{"runAsUserName":"a\\b\\c"},"sysctls":[{"name":""}]}}}}}`))
	for _, seed := range seedDaemonSets(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ds := &appsv1.DaemonSet{}
		if err := json.Unmarshal(data, ds); err != nil {
			return
		}
		before := ds.DeepCopy()
		_ = Validate(ds)
		_ = Validate(ds, StrictPrivileged())
		_ = ValidateUpdate(ds, before)
		if !reflect.DeepEqual(before, ds) {
			t.Fatalf("input modified")
		}
	})
}

// BenchmarkValidate measures Validate (defaulting copy included) on a
// typical agent DaemonSet.
func BenchmarkValidate(b *testing.B) {
	ds := valDaemonSet()
	c := valContainer(ds)
	c.Resources = corev1.ResourceRequirements{
		Requests: corev1.ResourceList{"cpu": resource.MustParse("100m"), "memory": resource.MustParse("64Mi")},
		Limits:   corev1.ResourceList{"memory": resource.MustParse("128Mi")},
	}
	c.LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("metrics")}}}
	ds.Spec.Template.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "kubernetes.io/os", Operator: corev1.NodeSelectorOpIn, Values: []string{"linux"}}}}}}}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if errs := Validate(ds); len(errs) != 0 {
			b.Fatal(errs)
		}
	}
}
