package conformance

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"pgregory.net/rapid"
)

// valGen draws mostly-valid DaemonSets: every field is drawn from its valid
// values, except that with probability noise% it is drawn from values that
// break one validation rule. noise itself is drawn per case (0 gives a fully
// valid object), so both valid and invalid objects are common.
type valGen struct {
	t     *rapid.T
	noise int
}

func newValGen(t *rapid.T) *valGen {
	return &valGen{t: t, noise: rapid.SampledFrom([]int{0, 0, 1, 3, 8, 25}).Draw(t, "noise")}
}

// valPick returns one of valid, or (with probability noise%) one of invalid.
func valPick[T any](g *valGen, label string, valid []T, invalid ...T) T {
	if len(invalid) > 0 && g.noise > 0 && rapid.IntRange(0, 99).Draw(g.t, label+"/bad") < g.noise {
		return rapid.SampledFrom(invalid).Draw(g.t, label)
	}
	return rapid.SampledFrom(valid).Draw(g.t, label)
}

func (g *valGen) chance(label string, percent int) bool {
	return rapid.IntRange(0, 99).Draw(g.t, label) < percent
}

func (g *valGen) count(label string, max int) int { return rapid.IntRange(0, max).Draw(g.t, label) }

func valPtr[T any](v T) *T { return &v }

var valLongName = strings.Repeat("a", 254)

func (g *valGen) daemonSet() *appsv1.DaemonSet {
	ds := &appsv1.DaemonSet{}
	ds.Name = valPick(g, "name", []string{"agent", "node-exporter", "a.b-c"}, "", "Bad_Name", "-x", valLongName)
	ds.Namespace = valPick(g, "namespace", []string{"default", "kube-system"}, "", "Bad_NS")
	if g.chance("metaLabels", 30) {
		ds.Labels = map[string]string{valPick(g, "metaLabelKey", []string{"app", "example.com/team"}, "bad key", "a/b/c"): valPick(g, "metaLabelValue", []string{"x", ""}, "bad value!")}
	}
	if g.chance("metaAnnotations", 20) {
		ds.Annotations = map[string]string{valPick(g, "annotationKey", []string{"example.com/note", "note"}, "bad key"): "anything goes"}
	}
	if g.chance("finalizers", 10) {
		ds.Finalizers = []string{valPick(g, "finalizer", []string{"example.com/keep", "orphan", "foregroundDeletion"}, "keep", "Bad/Final/izer")}
	}

	app := valPick(g, "appLabel", []string{"agent", "fluent-bit"})
	ds.Spec.Selector = g.selector(app)
	ds.Spec.Template.Labels = map[string]string{"app": app}
	if g.noise > 0 && g.chance("templateLabelMismatch", g.noise) {
		ds.Spec.Template.Labels = valPick(g, "templateLabels", []map[string]string{{"app": "other"}, nil, {"bad key": "x"}})
	}
	if g.chance("templateAnnotations", 15) {
		ds.Spec.Template.Annotations = map[string]string{valPick(g, "templateAnnotationKey", []string{"example.com/x"}, "bad key"): "v"}
	}
	ds.Spec.UpdateStrategy = g.strategy()
	ds.Spec.MinReadySeconds = valPick(g, "minReadySeconds", []int32{0, 10}, -1)
	if g.chance("revisionHistoryLimit", 40) {
		ds.Spec.RevisionHistoryLimit = valPtr(valPick(g, "revisionHistoryLimitValue", []int32{0, 10}, -1))
	}
	ds.Spec.Template.Spec = g.podSpec()
	return ds
}

func (g *valGen) selector(app string) *metav1.LabelSelector {
	switch valPick(g, "selectorShape", []string{"matchLabels", "matchLabels", "expression"}, "nil", "empty", "badKey", "badExpression") {
	case "nil":
		return nil
	case "empty":
		return &metav1.LabelSelector{}
	case "badKey":
		return &metav1.LabelSelector{MatchLabels: map[string]string{"bad key": app}}
	case "badExpression":
		return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
			Key:      valPick(g, "selExprKey", []string{"app", ""}),
			Operator: valPick(g, "selExprOp", []metav1.LabelSelectorOperator{"In", "Exists", "Bogus"}),
			Values:   valPick(g, "selExprValues", [][]string{nil, {app}, {"bad value!"}}),
		}}}
	case "expression":
		return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: metav1.LabelSelectorOpIn, Values: []string{app}}}}
	}
	return &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}
}

func (g *valGen) intOrString(label string) *intstr.IntOrString {
	if g.noise > 0 && g.chance(label+"/nil", g.noise) {
		return nil
	}
	if g.chance(label+"/isInt", 50) {
		v := intstr.FromInt32(valPick(g, label+"/int", []int32{1, 2, 5}, 0, -1))
		return &v
	}
	v := intstr.FromString(valPick(g, label+"/str", []string{"10%", "25%", "100%"}, "0%", "101%", "abc", "10", "-1", "", "5.5%", "-5%"))
	return &v
}

func (g *valGen) strategy() appsv1.DaemonSetUpdateStrategy {
	s := appsv1.DaemonSetUpdateStrategy{
		Type: valPick(g, "strategyType", []appsv1.DaemonSetUpdateStrategyType{"", "RollingUpdate", "RollingUpdate", "OnDelete"}, "Bogus"),
	}
	if g.chance("rollingUpdate", 70) {
		ru := &appsv1.RollingUpdateDaemonSet{}
		switch valPick(g, "budgetShape", []string{"surge", "unavailable", "defaults"}, "free") {
		case "surge":
			ru.MaxSurge = g.intOrString("maxSurge")
			ru.MaxUnavailable = valPtr(intstr.FromInt32(0))
		case "unavailable":
			ru.MaxUnavailable = g.intOrString("maxUnavailable")
		case "free": // both drawn freely: both-zero and both-non-zero are common
			ru.MaxUnavailable = g.intOrString("maxUnavailable")
			ru.MaxSurge = g.intOrString("maxSurge")
		}
		s.RollingUpdate = ru
	}
	return s
}

func (g *valGen) podSpec() corev1.PodSpec {
	spec := corev1.PodSpec{}
	spec.RestartPolicy = valPick(g, "restartPolicy", []corev1.RestartPolicy{"", "Always"}, "Never", "OnFailure", "Bogus")
	if g.noise > 0 && g.chance("activeDeadline", g.noise) {
		spec.ActiveDeadlineSeconds = valPtr(valPick(g, "activeDeadlineSeconds", []int64{0, 30}))
	}
	spec.DNSPolicy = valPick(g, "dnsPolicy", []corev1.DNSPolicy{"", "ClusterFirst", "Default", "None", "ClusterFirstWithHostNet"}, "Bogus")
	if spec.DNSPolicy == corev1.DNSNone || g.chance("dnsConfig", 10) {
		spec.DNSConfig = &corev1.PodDNSConfig{
			Nameservers: valPick(g, "nameservers", [][]string{{"10.96.0.10"}, {"10.96.0.10", "fd00::a"}}, nil, []string{"010.1.1.1"}, []string{"a", "b", "c", "d"}, []string{"not-an-ip"}),
			Searches:    valPick(g, "searches", [][]string{nil, {"svc.cluster.local", "."}, {"example.com."}}, []string{"Bad_Search!"}, []string{"-x"}),
		}
		if g.chance("dnsOptions", 30) {
			spec.DNSConfig.Options = []corev1.PodDNSConfigOption{{Name: valPick(g, "dnsOptionName", []string{"ndots"}, "")}}
		}
		if g.noise > 0 && g.chance("dropDNSConfig", g.noise) {
			spec.DNSConfig = nil
		}
	}
	spec.PriorityClassName = valPick(g, "priorityClassName", []string{"", "system-node-critical"}, "Bad_Name")
	if g.chance("preemptionPolicy", 10) {
		spec.PreemptionPolicy = valPtr(valPick(g, "preemptionPolicyValue", []corev1.PreemptionPolicy{"Never", "PreemptLowerPriority"}, "Bogus"))
	}
	spec.HostNetwork = g.chance("hostNetwork", 30)
	spec.HostPID = g.chance("hostPID", 15)
	spec.HostIPC = g.chance("hostIPC", 10)
	if g.chance("shareProcessNamespace", 10) {
		spec.ShareProcessNamespace = valPtr(valPick(g, "shareProcessNamespaceValue", []bool{!spec.HostPID}, spec.HostPID))
	}
	if g.chance("hostUsers", 10) {
		hostNS := spec.HostNetwork || spec.HostPID || spec.HostIPC
		spec.HostUsers = valPtr(valPick(g, "hostUsersValue", []bool{true, hostNS}, false))
	}
	if g.chance("nodeSelector", 40) {
		spec.NodeSelector = map[string]string{
			valPick(g, "nodeSelectorKey", []string{"kubernetes.io/os", "node-role.kubernetes.io/worker"}, "bad key", "a/b/c", ""): valPick(g, "nodeSelectorValue", []string{"linux", ""}, "bad value!", valLongName[:64]),
		}
	}
	spec.ServiceAccountName = valPick(g, "serviceAccountName", []string{"", "agent"}, "Bad_SA")
	if g.chance("nodeName", 5) {
		spec.NodeName = valPick(g, "nodeNameValue", []string{"node-1"}, "Bad_Node")
	}
	spec.Hostname = valPick(g, "hostname", []string{""}, "Bad.Host")
	spec.Subdomain = valPick(g, "subdomain", []string{""}, "bad_sub")
	if g.chance("tgps", 20) {
		spec.TerminationGracePeriodSeconds = valPtr(valPick(g, "tgpsValue", []int64{30, 60}, 0, 2))
	}
	if g.chance("podSecurityContext", 20) {
		spec.SecurityContext = &corev1.PodSecurityContext{
			RunAsUser:          valPtr(valPick(g, "podRunAsUser", []int64{0, 1000}, -1)),
			SupplementalGroups: []int64{valPick(g, "supplementalGroup", []int64{100}, -5)},
		}
	}

	spec.Volumes = g.volumes()
	nc := rapid.IntRange(1, 3).Draw(g.t, "containerCount")
	if g.noise > 0 && g.chance("noContainers", g.noise) {
		nc = 0
	}
	for i := 0; i < nc; i++ {
		spec.Containers = append(spec.Containers, g.container(i, false, spec.Volumes))
	}
	for i := 0; i < g.count("initContainerCount", 2); i++ {
		spec.InitContainers = append(spec.InitContainers, g.container(i, true, spec.Volumes))
	}
	if g.noise > 0 && g.chance("ephemeral", g.noise/2) {
		spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", Image: "busybox"}}}
	}
	for i := 0; i < g.count("tolerationCount", 3); i++ {
		spec.Tolerations = append(spec.Tolerations, g.toleration())
	}
	if g.chance("affinity", 35) {
		spec.Affinity = g.affinity()
	}
	return spec
}

var valVolumeNames = []string{"data", "logs", "cfg"}

func (g *valGen) volumes() []corev1.Volume {
	var vols []corev1.Volume
	for i := 0; i < g.count("volumeCount", 3); i++ {
		v := corev1.Volume{Name: valPick(g, "volumeName", []string{valVolumeNames[i]}, "data", "", "Bad_Name", valLongName[:64])}
		src := valPick(g, "volumeSource", []string{"emptyDir", "hostPath", "hostPath", "configMap", "secret", "pvc"}, "none", "two")
		switch src {
		case "emptyDir", "two":
			v.EmptyDir = &corev1.EmptyDirVolumeSource{}
			if g.chance("emptyDirMode", 10) {
				// Alpha (EmptyDirVolumeMode, off): the API server drops it.
				v.EmptyDir.Mode = valPtr(rapid.SampledFrom([]int32{0o755, 0o4000, -1}).Draw(g.t, "emptyDirModeValue"))
			}
			if g.chance("sizeLimit", 20) {
				v.EmptyDir.SizeLimit = valPtr(resource.MustParse(valPick(g, "sizeLimitValue", []string{"1Gi", "0"}, "-1Gi")))
			}
			if src == "two" {
				v.HostPath = &corev1.HostPathVolumeSource{Path: "/var/log"}
			}
		case "hostPath":
			v.HostPath = &corev1.HostPathVolumeSource{Path: valPick(g, "hostPathPath", []string{"/var/log", "/sys", "/run/containerd/containerd.sock"}, "", "/var/../etc", "..")}
			if g.chance("hostPathType", 50) {
				v.HostPath.Type = valPtr(valPick(g, "hostPathTypeValue", []corev1.HostPathType{"", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket", "CharDevice", "BlockDevice"}, "Bogus", "directory"))
			}
		case "configMap":
			v.ConfigMap = &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: valPick(g, "configMapName", []string{"agent-config"}, "")}}
			v.ConfigMap.DefaultMode = valPtr(valPick(g, "configMapMode", []int32{0o644, 0o400}, 0o1000, -1))
			if g.chance("configMapItems", 30) {
				v.ConfigMap.Items = []corev1.KeyToPath{{
					Key:  valPick(g, "itemKey", []string{"config.yaml"}, ""),
					Path: valPick(g, "itemPath", []string{"config.yaml", "sub/dir.yaml"}, "", "/abs", "../up", "..hidden"),
				}}
			}
		case "secret":
			v.Secret = &corev1.SecretVolumeSource{SecretName: valPick(g, "secretName", []string{"agent-tls"}, "")}
		case "pvc":
			v.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: valPick(g, "claimName", []string{"data"}, "")}
		}
		vols = append(vols, v)
	}
	return vols
}

func (g *valGen) container(i int, init bool, volumes []corev1.Volume) corev1.Container {
	prefix := "c"
	if init {
		prefix = "init"
	}
	names := []string{prefix + "-a", prefix + "-b", prefix + "-c"}
	c := corev1.Container{
		Name:  valPick(g, prefix+"Name", []string{names[i%3]}, "", "Bad_Name", "c-a", "init-a"),
		Image: valPick(g, prefix+"Image", []string{"registry.k8s.io/agent:v1.2", "busybox"}, "", " "),
	}
	c.ImagePullPolicy = valPick(g, prefix+"PullPolicy", []corev1.PullPolicy{"", "Always", "IfNotPresent", "Never"}, "Bogus")
	c.TerminationMessagePolicy = valPick(g, prefix+"TMP", []corev1.TerminationMessagePolicy{"", "File", "FallbackToLogsOnError"}, "Bogus")
	for j := 0; j < g.count(prefix+"PortCount", 2); j++ {
		// Distinct per container and port, so the valid choices never collide.
		port := int32(9100 + 10*i + j)
		if init {
			port += 1000
		}
		portName := fmt.Sprintf("p%d", j)
		c.Ports = append(c.Ports, corev1.ContainerPort{
			Name:          valPick(g, "portName", []string{"", portName}, "Bad_Name", "waytoolongportname", "p0"),
			ContainerPort: valPick(g, "containerPort", []int32{port}, 0, -1, 65536),
			HostPort:      valPick(g, "hostPort", []int32{0, port}, -1, 70000, 9100, port+1),
			Protocol:      valPick(g, "protocol", []corev1.Protocol{"", "TCP", "UDP", "SCTP"}, "HTTP"),
		})
	}
	for j := 0; j < g.count(prefix+"EnvCount", 2); j++ {
		c.Env = append(c.Env, g.envVar())
	}
	var volNames []string
	for _, v := range volumes {
		volNames = append(volNames, v.Name)
	}
	mounts := 0
	if len(volNames) > 0 || g.noise > 0 {
		mounts = g.count(prefix+"MountCount", 2)
	}
	for j := 0; j < mounts; j++ {
		valid := volNames
		if len(valid) == 0 {
			valid = []string{"missing"}
		}
		m := corev1.VolumeMount{
			Name:      valPick(g, "mountName", valid, "missing", ""),
			MountPath: valPick(g, "mountPath", []string{fmt.Sprintf("/mnt/%d", j)}, "", "/mnt/0"),
			ReadOnly:  rapid.Bool().Draw(g.t, "mountReadOnly"),
		}
		if g.chance("subPath", 15) {
			m.SubPath = valPick(g, "subPathValue", []string{"sub", "a/b"}, "/abs", "../up")
		}
		if m.SubPath == "" && g.chance("subPathExpr", 5) {
			m.SubPathExpr = valPick(g, "subPathExprValue", []string{"$(POD_NAME)"}, "../$(X)")
		}
		if g.chance("mountPropagation", 10) {
			m.MountPropagation = valPtr(valPick(g, "mountPropagationValue", []corev1.MountPropagationMode{"None", "HostToContainer"}, "Bidirectional", "Bogus"))
		}
		if g.chance("recursiveReadOnly", 5) {
			m.RecursiveReadOnly = valPtr(valPick(g, "rroValue", []corev1.RecursiveReadOnlyMode{"Disabled"}, "IfPossible", "Enabled", "Bogus"))
		}
		c.VolumeMounts = append(c.VolumeMounts, m)
	}
	c.Resources = g.resources()
	if g.chance(prefix+"SecurityContext", 30) {
		c.SecurityContext = &corev1.SecurityContext{Privileged: valPtr(rapid.Bool().Draw(g.t, "privileged"))}
		if g.chance("allowPrivilegeEscalation", 30) {
			c.SecurityContext.AllowPrivilegeEscalation = valPtr(rapid.Bool().Draw(g.t, "allowPrivilegeEscalationValue"))
		}
		if g.chance("runAsUser", 30) {
			c.SecurityContext.RunAsUser = valPtr(valPick(g, "runAsUserValue", []int64{0, 65534}, -1))
		}
	}
	probeChance := 40
	if init {
		probeChance = 0
		if g.chance("sidecar", 40) {
			c.RestartPolicy = valPtr(corev1.ContainerRestartPolicyAlways)
			probeChance = 30
		} else if g.noise > 0 {
			probeChance = g.noise
		}
	}
	if g.chance(prefix+"Liveness", probeChance) {
		c.LivenessProbe = g.probe(true)
	}
	if g.chance(prefix+"Readiness", probeChance) {
		c.ReadinessProbe = g.probe(false)
	}
	if g.chance(prefix+"Startup", probeChance/2) {
		c.StartupProbe = g.probe(true)
	}
	if g.chance(prefix+"Lifecycle", probeChance/2) {
		// upstream: a preStop hook on a non-sidecar init container is Forbidden.
		c.Lifecycle = &corev1.Lifecycle{PreStop: g.lifecycleHandler()}
	}
	return c
}

func (g *valGen) envVar() corev1.EnvVar {
	e := corev1.EnvVar{Name: valPick(g, "envName", []string{"NODE_NAME", "LOG_LEVEL", "my.var", "1ST"}, "", "A=B")}
	src := valPick(g, "envSource", []string{"value", "value", "fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef"}, "emptyValueFrom", "valueAndRef", "twoRefs")
	switch src {
	case "value":
		e.Value = "info"
	case "fieldRef", "valueAndRef", "twoRefs":
		e.ValueFrom = &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{
			APIVersion: valPick(g, "fieldRefAPIVersion", []string{"v1"}, "", "v2"),
			FieldPath: valPick(g, "fieldRefPath", []string{"spec.nodeName", "metadata.name", "status.hostIP", "metadata.labels['app']", "spec.host"},
				"", "status.phase", "metadata.annotations['bad key!']", "spec.containers['x']", "bogus"),
		}}
		if src == "valueAndRef" {
			e.Value = "x"
		}
		if src == "twoRefs" {
			e.ValueFrom.SecretKeyRef = &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}, Key: "k"}
		}
	case "resourceFieldRef":
		e.ValueFrom = &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{
			Resource: valPick(g, "resourceFieldRefResource", []string{"limits.cpu", "requests.memory", "limits.hugepages-2Mi"}, "", "limits.gpu"),
		}}
		if g.chance("divisor", 30) {
			valid := []string{"1", "1Mi"}
			if strings.HasSuffix(e.ValueFrom.ResourceFieldRef.Resource, ".cpu") {
				valid = []string{"1", "1m"}
			}
			e.ValueFrom.ResourceFieldRef.Divisor = resource.MustParse(valPick(g, "divisorValue", valid, "2", "1024", "1m", "1Mi"))
		}
	case "configMapKeyRef":
		e.ValueFrom = &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: valPick(g, "cmRefName", []string{"agent"}, "", "Bad_Name")},
			Key:                  valPick(g, "cmRefKey", []string{"level", "a.b_c-d"}, "", "bad key"),
		}}
	case "secretKeyRef":
		e.ValueFrom = &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "agent"}, Key: valPick(g, "secretRefKey", []string{"token"}, "")}}
	case "emptyValueFrom":
		e.ValueFrom = &corev1.EnvVarSource{}
	}
	return e
}

func (g *valGen) resources() corev1.ResourceRequirements {
	var r corev1.ResourceRequirements
	if !g.chance("resources", 50) {
		return r
	}
	q := func(label string, valid []string, invalid ...string) resource.Quantity {
		return resource.MustParse(valPick(g, label, valid, invalid...))
	}
	r.Requests = corev1.ResourceList{}
	r.Limits = corev1.ResourceList{}
	if g.chance("reqCPU", 70) {
		r.Requests["cpu"] = q("reqCPUValue", []string{"100m", "250m"}, "-1", "2")
	}
	if g.chance("limCPU", 50) {
		r.Limits["cpu"] = q("limCPUValue", []string{"500m", "1"})
	}
	if g.chance("reqMem", 70) {
		r.Requests["memory"] = q("reqMemValue", []string{"64Mi", "128Mi"}, "4Gi")
	}
	if g.chance("limMem", 50) {
		r.Limits["memory"] = q("limMemValue", []string{"256Mi"})
	}
	if g.chance("extended", 10) {
		name := corev1.ResourceName(valPick(g, "extendedName", []string{"nvidia.com/gpu"}, "gpu", "bad name/x"))
		r.Limits[name] = q("extendedLimit", []string{"1"}, "500m")
		if g.chance("extendedReq", 50) {
			r.Requests[name] = q("extendedReq", []string{"1"}, "2")
		}
	}
	return r
}

func (g *valGen) portOrName(label string) intstr.IntOrString {
	if g.chance(label+"/isName", 30) {
		return intstr.FromString(valPick(g, label+"/name", []string{"metrics", "http"}, "Bad_Name", ""))
	}
	return intstr.FromInt32(valPick(g, label+"/num", []int32{9100, 8080}, 0, 70000))
}

func (g *valGen) probe(tgpsAllowed bool) *corev1.Probe {
	p := &corev1.Probe{
		InitialDelaySeconds: valPick(g, "initialDelaySeconds", []int32{0, 5}, -1),
		TimeoutSeconds:      valPick(g, "timeoutSeconds", []int32{0, 1}, -1),
		PeriodSeconds:       valPick(g, "periodSeconds", []int32{0, 10}, -10),
		SuccessThreshold:    valPick(g, "successThreshold", []int32{0, 1}, 2, -1),
		FailureThreshold:    valPick(g, "failureThreshold", []int32{0, 3}, -3),
	}
	if tgpsAllowed && g.chance("probeTGPS", 10) {
		p.TerminationGracePeriodSeconds = valPtr(valPick(g, "probeTGPSValue", []int64{10}, 0, -1))
	} else if !tgpsAllowed && g.noise > 0 && g.chance("readinessTGPS", g.noise) {
		p.TerminationGracePeriodSeconds = valPtr(int64(10))
	}
	handlers := valPick(g, "probeHandlers", []int{1}, 0, 2)
	kinds := []string{"exec", "httpGet", "tcpSocket", "grpc"}
	for k := 0; k < handlers; k++ {
		switch rapid.SampledFrom(kinds).Draw(g.t, "probeKind") {
		case "exec":
			p.Exec = &corev1.ExecAction{Command: valPick(g, "execCommand", [][]string{{"/bin/check"}}, nil)}
		case "httpGet":
			p.HTTPGet = &corev1.HTTPGetAction{
				Path:   valPick(g, "httpPath", []string{"/healthz", ""}),
				Port:   g.portOrName("httpPort"),
				Scheme: valPick(g, "httpScheme", []corev1.URIScheme{"", "HTTP", "HTTPS"}, "FTP"),
			}
			if g.chance("httpHeader", 10) {
				p.HTTPGet.HTTPHeaders = []corev1.HTTPHeader{{Name: valPick(g, "httpHeaderName", []string{"X-Agent"}, "bad header"), Value: "1"}}
			}
		case "tcpSocket":
			p.TCPSocket = &corev1.TCPSocketAction{Port: g.portOrName("tcpPort")}
		case "grpc":
			p.GRPC = &corev1.GRPCAction{Port: valPick(g, "grpcPort", []int32{9090}, 0, -1)}
			if g.chance("grpcMode", 20) {
				// Alpha (GRPCContainerProbeTLS, off): the API server drops it.
				p.GRPC.Mode = valPtr(rapid.SampledFrom([]corev1.GRPCProbeMode{"Plaintext", "TLS", "Bogus"}).Draw(g.t, "grpcModeValue"))
			}
		}
	}
	return p
}

func (g *valGen) lifecycleHandler() *corev1.LifecycleHandler {
	switch valPick(g, "lifecycleKind", []string{"exec", "sleep", "httpGet"}, "none", "two") {
	case "exec":
		return &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"/bin/drain"}}}
	case "sleep":
		return &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: valPick(g, "sleepSeconds", []int64{0, 5, 30}, -1, 100000)}}
	case "httpGet":
		return &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/drain", Port: g.portOrName("lifecyclePort")}}
	case "two":
		return &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"x"}}, Sleep: &corev1.SleepAction{Seconds: 1}}
	}
	return &corev1.LifecycleHandler{}
}

func (g *valGen) toleration() corev1.Toleration {
	var t corev1.Toleration
	switch valPick(g, "tolForm", []string{"all", "exists", "equal"}, "free") {
	case "all":
		t.Operator = corev1.TolerationOpExists
	case "exists":
		t.Key = valPick(g, "tolKey", []string{"node.kubernetes.io/not-ready", "node-role.kubernetes.io/control-plane"}, "bad key", "a/b/c")
		t.Operator = corev1.TolerationOpExists
	case "equal":
		t.Key = valPick(g, "tolKey", []string{"dedicated", "example.com/gpu"}, "bad key")
		t.Operator = valPick(g, "tolOp", []corev1.TolerationOperator{"", "Equal"}, "Lt", "Gt", "Bogus")
		t.Value = valPick(g, "tolValue", []string{"", "gpu"}, "bad value!", "10")
	case "free":
		t.Key = rapid.SampledFrom([]string{"", "dedicated", "bad key"}).Draw(g.t, "tolFreeKey")
		t.Operator = rapid.SampledFrom([]corev1.TolerationOperator{"", "Equal", "Exists", "Lt", "Gt", "Bogus"}).Draw(g.t, "tolFreeOp")
		t.Value = rapid.SampledFrom([]string{"", "gpu", "bad value!", "10"}).Draw(g.t, "tolFreeValue")
	}
	t.Effect = valPick(g, "tolEffect", []corev1.TaintEffect{"", "NoSchedule", "PreferNoSchedule", "NoExecute"}, "Bogus", "NoScheduleNoAdmit")
	if g.chance("tolSeconds", 20) {
		t.TolerationSeconds = valPtr(valPick(g, "tolSecondsValue", []int64{0, 300, -1}))
		if t.Effect != corev1.TaintEffectNoExecute {
			t.Effect = valPick(g, "tolSecondsEffect", []corev1.TaintEffect{"NoExecute"}, "NoSchedule", "")
		}
	}
	return t
}

func (g *valGen) nodeSelectorRequirement(label string) corev1.NodeSelectorRequirement {
	op := valPick(g, label+"Op", []corev1.NodeSelectorOperator{"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"}, "Bogus", "")
	var lo, hi int
	switch op {
	case "In", "NotIn":
		lo, hi = 1, 2
	case "Gt", "Lt":
		lo, hi = 1, 1
	}
	if g.noise > 0 && g.chance(label+"ValueCount", g.noise) {
		lo, hi = 0, 2
	}
	return corev1.NodeSelectorRequirement{
		Key:      valPick(g, label+"Key", []string{"kubernetes.io/hostname", "node.kubernetes.io/instance-type", "gpu-count"}, "", "bad key"),
		Operator: op,
		Values: rapid.SliceOfN(rapid.Custom(func(t *rapid.T) string {
			return valPick(g, label+"Value", []string{"a", "1", "node-1", "not-a-number"}, "bad value!")
		}), lo, hi).Draw(g.t, label+"Values"),
	}
}

func (g *valGen) nodeSelectorTerm(label string) corev1.NodeSelectorTerm {
	var term corev1.NodeSelectorTerm
	for i := 0; i < g.count(label+"ExprCount", 2); i++ {
		term.MatchExpressions = append(term.MatchExpressions, g.nodeSelectorRequirement(label+"Expr"))
	}
	if g.chance(label+"Fields", 30) {
		term.MatchFields = append(term.MatchFields, corev1.NodeSelectorRequirement{
			Key:      valPick(g, "fieldKey", []string{"metadata.name"}, "metadata.namespace", ""),
			Operator: valPick(g, "fieldOp", []corev1.NodeSelectorOperator{"In", "NotIn"}, "Exists", "Gt"),
			Values:   valPick(g, "fieldValues", [][]string{{"node-1"}}, nil, []string{"a", "b"}, []string{"Bad_Node"}),
		})
	}
	return term
}

func (g *valGen) affinity() *corev1.Affinity {
	a := &corev1.Affinity{}
	if g.chance("nodeAffinity", 80) {
		a.NodeAffinity = &corev1.NodeAffinity{}
		if g.chance("requiredNodeAffinity", 70) {
			ns := &corev1.NodeSelector{}
			n := rapid.IntRange(1, 2).Draw(g.t, "termCount")
			if g.noise > 0 && g.chance("noTerms", g.noise) {
				n = 0
			}
			for i := 0; i < n; i++ {
				ns.NodeSelectorTerms = append(ns.NodeSelectorTerms, g.nodeSelectorTerm("required"))
			}
			a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = ns
		}
		if g.chance("preferredNodeAffinity", 40) {
			a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution = []corev1.PreferredSchedulingTerm{{
				Weight:     valPick(g, "preferredWeight", []int32{1, 50, 100}, 0, 101),
				Preference: g.nodeSelectorTerm("preferred"),
			}}
		}
	}
	if g.chance("podAntiAffinity", 30) {
		term := corev1.PodAffinityTerm{
			TopologyKey: valPick(g, "topologyKey", []string{"kubernetes.io/hostname"}, "", "bad key"),
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{
				"app": valPick(g, "antiAffinityValue", []string{"agent"}, "bad value!")}},
		}
		if g.chance("affinityNamespaces", 20) {
			term.Namespaces = []string{valPick(g, "affinityNamespace", []string{"default"}, "Bad_NS")}
		}
		a.PodAntiAffinity = &corev1.PodAntiAffinity{}
		if g.chance("antiAffinityPreferred", 50) {
			a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution = []corev1.WeightedPodAffinityTerm{{
				Weight: valPick(g, "antiAffinityWeight", []int32{1, 100}, 0, 101), PodAffinityTerm: term}}
		} else {
			a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution = []corev1.PodAffinityTerm{term}
		}
	}
	return a
}

// valUpdate derives a new version of old: a selector change, a template
// change, a strategy change, or metadata changes, each drawn independently.
func (g *valGen) update(old *appsv1.DaemonSet) *appsv1.DaemonSet {
	old.ResourceVersion = "1"
	ds := old.DeepCopy()
	ds.ResourceVersion = valPick(g, "resourceVersion", []string{"1", "2"}, "")
	if g.noise > 0 && g.chance("changeSelector", 3*g.noise) {
		app := valPick(g, "newApp", []string{"agent-v2"})
		ds.Spec.Selector = g.selector(app)
		if g.chance("followTemplate", 70) {
			ds.Spec.Template.Labels = map[string]string{"app": app}
		}
	}
	if g.chance("changeTemplate", 50) {
		ds.Spec.Template.Spec = g.podSpec()
		if len(old.Spec.Template.Spec.Containers) > 0 && g.chance("keepContainers", 50) {
			ds.Spec.Template.Spec.Containers = old.Spec.Template.Spec.Containers
		}
	}
	if g.chance("changeImage", 30) && len(ds.Spec.Template.Spec.Containers) > 0 {
		ds.Spec.Template.Spec.Containers[0].Image = valPick(g, "newImage", []string{"registry.k8s.io/agent:v1.3"}, "")
	}
	if g.chance("changeStrategy", 30) {
		ds.Spec.UpdateStrategy = g.strategy()
	}
	if g.noise > 0 && g.chance("changeName", g.noise/2) {
		ds.Name = "renamed"
	}
	if g.noise > 0 && g.chance("changeNamespace", g.noise/2) {
		ds.Namespace = "other"
	}
	return ds
}
