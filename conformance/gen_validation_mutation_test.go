package conformance

import (
	"fmt"
	"reflect"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"pgregory.net/rapid"
)

// mutator applies one random change at a random path of a pod template: it
// walks the template by reflection from a uniformly drawn field of the pod
// spec (or the template's annotations) down to a leaf, allocating nil
// pointers and appending list items from realistic seeds on the way, and sets
// the leaf from a pool of values that mixes valid and invalid ones. area
// names where the change landed, for reporting: the pod-spec field, refined
// to the container field or the volume source.
type mutator struct {
	t    *rapid.T
	path []string
}

func (m *mutator) draw(label string, n int) int { return rapid.IntRange(0, n-1).Draw(m.t, label) }

func (m *mutator) chance(label string, percent int) bool {
	return rapid.IntRange(0, 99).Draw(m.t, label) < percent
}

// area reduces the mutation path to its reporting area.
func (m *mutator) area() string {
	var p []string
	for _, e := range m.path {
		if e != "[]" {
			p = append(p, e)
		}
	}
	if len(p) == 0 {
		return "(none)"
	}
	switch p[0] {
	case "containers", "initContainers", "ephemeralContainers":
		if len(p) > 1 {
			return "container." + p[1]
		}
		return "container"
	case "volumes":
		if len(p) > 1 {
			return "volume." + p[1]
		}
		return "volume"
	}
	return p[0]
}

var (
	mutQuantityType    = reflect.TypeOf(resource.Quantity{})
	mutIntOrStringType = reflect.TypeOf(intstr.IntOrString{})
	mutTimeType        = reflect.TypeOf(metav1.Time{})
)

// mutEnums lists the valid values of the API's enumerated string types; a
// leaf of such a type is drawn from them (two thirds) or from the general
// string pool (which holds invalid values and the empty string).
var mutEnums = map[reflect.Type][]string{
	reflect.TypeOf(corev1.PullPolicy("")):                              {"Always", "IfNotPresent", "Never"},
	reflect.TypeOf(corev1.Protocol("")):                                {"TCP", "UDP", "SCTP"},
	reflect.TypeOf(corev1.TerminationMessagePolicy("")):                {"File", "FallbackToLogsOnError"},
	reflect.TypeOf(corev1.URIScheme("")):                               {"HTTP", "HTTPS"},
	reflect.TypeOf(corev1.RestartPolicy("")):                           {"Always", "OnFailure", "Never"},
	reflect.TypeOf(corev1.ContainerRestartPolicy("")):                  {"Always", "Never", "OnFailure"},
	reflect.TypeOf(corev1.ContainerRestartRuleAction("")):              {"Restart", "RestartAllContainers"},
	reflect.TypeOf(corev1.ContainerRestartRuleOnExitCodesOperator("")): {"In", "NotIn"},
	reflect.TypeOf(corev1.ResourceResizeRestartPolicy("")):             {"NotRequired", "RestartContainer"},
	reflect.TypeOf(corev1.ResourceName("")):                            {"cpu", "memory", "ephemeral-storage", "hugepages-2Mi", "example.com/gpu", "storage"},
	reflect.TypeOf(corev1.MountPropagationMode("")):                    {"None", "HostToContainer", "Bidirectional"},
	reflect.TypeOf(corev1.RecursiveReadOnlyMode("")):                   {"Disabled", "IfPossible", "Enabled"},
	reflect.TypeOf(corev1.HostPathType("")):                            {"", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket", "CharDevice", "BlockDevice"},
	reflect.TypeOf(corev1.StorageMedium("")):                           {"", "Memory", "HugePages", "HugePages-2Mi"},
	reflect.TypeOf(corev1.SeccompProfileType("")):                      {"RuntimeDefault", "Unconfined", "Localhost"},
	reflect.TypeOf(corev1.AppArmorProfileType("")):                     {"RuntimeDefault", "Unconfined", "Localhost"},
	reflect.TypeOf(corev1.ProcMountType("")):                           {"Default", "Unmasked"},
	reflect.TypeOf(corev1.Capability("")):                              {"NET_ADMIN", "SYS_ADMIN", "CAP_SYS_ADMIN", "ALL", "NET_RAW"},
	reflect.TypeOf(corev1.PodFSGroupChangePolicy("")):                  {"OnRootMismatch", "Always"},
	reflect.TypeOf(corev1.SupplementalGroupsPolicy("")):                {"Merge", "Strict"},
	reflect.TypeOf(corev1.PodSELinuxChangePolicy("")):                  {"Recursive", "MountOption"},
	reflect.TypeOf(corev1.OSName("")):                                  {"linux", "windows"},
	reflect.TypeOf(corev1.UnsatisfiableConstraintAction("")):           {"DoNotSchedule", "ScheduleAnyway"},
	reflect.TypeOf(corev1.NodeInclusionPolicy("")):                     {"Honor", "Ignore"},
	reflect.TypeOf(corev1.TolerationOperator("")):                      {"Exists", "Equal"},
	reflect.TypeOf(corev1.TaintEffect("")):                             {"NoSchedule", "PreferNoSchedule", "NoExecute"},
	reflect.TypeOf(corev1.NodeSelectorOperator("")):                    {"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"},
	reflect.TypeOf(metav1.LabelSelectorOperator("")):                   {"In", "NotIn", "Exists", "DoesNotExist"},
	reflect.TypeOf(corev1.DNSPolicy("")):                               {"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"},
	reflect.TypeOf(corev1.PreemptionPolicy("")):                        {"PreemptLowerPriority", "Never"},
	reflect.TypeOf(corev1.PodConditionType("")):                        {"Ready", "example.com/ready"},
	reflect.TypeOf(corev1.PersistentVolumeAccessMode("")):              {"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"},
	reflect.TypeOf(corev1.PersistentVolumeMode("")):                    {"Filesystem", "Block"},
	reflect.TypeOf(corev1.AzureDataDiskCachingMode("")):                {"None", "ReadOnly", "ReadWrite"},
	reflect.TypeOf(corev1.AzureDataDiskKind("")):                       {"Shared", "Dedicated", "Managed"},
	reflect.TypeOf(corev1.Signal("")):                                  {"SIGTERM", "SIGKILL", "SIGUSR1"},
	reflect.TypeOf(corev1.GRPCProbeMode("")):                           {"Plaintext", "TLS"},
}

// mutStrings is the general pool for plain strings: names, keys, paths,
// addresses and images, valid and not.
var mutStrings = []string{
	"", "agent", "data", "a.b", "example.com/key", "kubernetes.io/hostname", "Bad_Name", "/var/lib/agent",
	"a/b", "../x", "10.0.0.1", "fd00::1", "not an ip", "busybox:1.37", "localhost/profile", strings.Repeat("a", 64),
	"net.core.somaxconn", "kernel.shm_rmid_forced", "v1", "metadata.name", "ReadWriteOnce", "*",
}

var mutInts = []int64{0, 1, 2, 5, 30, 420, 0o777, 1000, 65535, 65536, -1, 2147483647}

var mutQuantities = []string{"0", "100m", "1", "2", "500m", "128Mi", "1Gi", "2Mi", "3Mi", "1.5", "-1"}

var mutIntOrStrings = []intstr.IntOrString{
	intstr.FromInt32(8080), intstr.FromInt32(0), intstr.FromInt32(70000), intstr.FromString("http"),
	intstr.FromString("bad_name"), intstr.FromString(""),
}

// mutUnions are the one-of structs: allocating one member usually replaces
// the one already set, so the change stays valid as often as not.
var mutUnions = map[reflect.Type]bool{
	reflect.TypeOf(corev1.VolumeSource{}):     true,
	reflect.TypeOf(corev1.ProbeHandler{}):     true,
	reflect.TypeOf(corev1.LifecycleHandler{}): true,
	reflect.TypeOf(corev1.EnvVarSource{}):     true,
	reflect.TypeOf(corev1.VolumeProjection{}): true,
}

// podTemplate mutates the template of one DaemonSet: its spec, its
// annotations, or the DaemonSet's template-generation annotation.
func (m *mutator) podTemplate(tmpl *corev1.PodTemplateSpec, dsAnnotations *map[string]string) {
	switch m.draw("target", 40) {
	case 34, 35, 36, 37:
		// A volume source: the most varied part of the pod spec gets a
		// larger share than its one field of the pod spec would give it.
		m.path = []string{"volumes", "[]"}
		spec := &tmpl.Spec
		if len(spec.Volumes) == 0 || m.chance("newVolume", 30) {
			seed, _ := m.seed(reflect.TypeOf(corev1.Volume{}), spec)
			spec.Volumes = append(spec.Volumes, seed.Interface().(corev1.Volume))
		}
		vol := &spec.Volumes[m.draw("volumeIndex", len(spec.Volumes))]
		m.mutateStruct(reflect.ValueOf(&vol.VolumeSource).Elem(), spec)
		return
	case 38:
		m.path = []string{"annotations"}
		m.templateAnnotations(tmpl)
		return
	case 39:
		m.path = []string{"templateGenerationAnnotation"}
		if *dsAnnotations == nil {
			*dsAnnotations = map[string]string{}
		}
		(*dsAnnotations)["deprecated.daemonset.template.generation"] = rapid.SampledFrom([]string{"1", "7", "0", "abc", "", "1.5", "-2"}).Draw(m.t, "generation")
		return
	}
	v := reflect.ValueOf(&tmpl.Spec).Elem()
	m.mutateStruct(v, &tmpl.Spec)
}

func (m *mutator) templateAnnotations(tmpl *corev1.PodTemplateSpec) {
	ctr := "c"
	if len(tmpl.Spec.Containers) > 0 {
		ctr = tmpl.Spec.Containers[0].Name
	}
	keys := []string{
		"seccomp.security.alpha.kubernetes.io/pod", "container.seccomp.security.alpha.kubernetes.io/" + ctr,
		"container.apparmor.security.beta.kubernetes.io/" + ctr, "container.apparmor.security.beta.kubernetes.io/missing",
		"controller.kubernetes.io/pod-deletion-cost", "kubernetes.io/config.mirror",
		"scheduler.alpha.kubernetes.io/tolerations", "example.com/note",
	}
	values := []string{
		"runtime/default", "docker/default", "unconfined", "localhost/profile.json", "localhost/", "bogus",
		"runtime/default", "localhost/k8s-apparmor", "10", "-5", "x", "",
		`[{"key":"k","operator":"Exists","effect":"NoSchedule"}]`, `[{"key":"k","operator":"Bogus"}]`, `not json`,
	}
	if tmpl.Annotations == nil {
		tmpl.Annotations = map[string]string{}
	}
	tmpl.Annotations[rapid.SampledFrom(keys).Draw(m.t, "annotationKey")] = rapid.SampledFrom(values).Draw(m.t, "annotationValue")
}

// jsonName is the API name of a struct field ("" for an inlined one).
func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	if strings.Contains(tag, "inline") || f.Anonymous {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

func (m *mutator) mutateStruct(v reflect.Value, spec *corev1.PodSpec) {
	t := v.Type()
	var fields []int
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() {
			fields = append(fields, i)
		}
	}
	i := fields[m.draw("field/"+t.Name(), len(fields))]
	f := t.Field(i)
	if name := jsonName(f); name != "" {
		m.path = append(m.path, name)
	}
	fv := v.Field(i)
	if mutUnions[t] && fv.Kind() == reflect.Pointer && fv.IsNil() && m.chance("replaceMember", 75) {
		v.Set(reflect.Zero(t))
	}
	m.mutate(fv, spec)
}

// mutate changes v or something below it.
func (m *mutator) mutate(v reflect.Value, spec *corev1.PodSpec) {
	t := v.Type()
	switch {
	case t == mutQuantityType:
		v.Set(reflect.ValueOf(resource.MustParse(rapid.SampledFrom(mutQuantities).Draw(m.t, "quantity"))))
		return
	case t == mutIntOrStringType:
		v.Set(reflect.ValueOf(rapid.SampledFrom(mutIntOrStrings).Draw(m.t, "intOrString")))
		return
	case t == mutTimeType:
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			if seed, ok := m.seed(t.Elem(), spec); ok && m.chance("seedPointer", 60) {
				p := reflect.New(t.Elem())
				p.Elem().Set(seed)
				v.Set(p)
				return
			}
			v.Set(reflect.New(t.Elem()))
			if isLeaf(t.Elem()) || m.chance("zeroPointer", 20) {
				if isLeaf(t.Elem()) {
					m.mutate(v.Elem(), spec)
				}
				return
			}
			m.mutate(v.Elem(), spec)
			return
		}
		if m.chance("nilPointer", 12) {
			v.Set(reflect.Zero(t))
			return
		}
		m.mutate(v.Elem(), spec)
	case reflect.Struct:
		m.mutateStruct(v, spec)
	case reflect.Slice:
		m.mutateSlice(v, spec)
	case reflect.Map:
		m.mutateMap(v, spec)
	default:
		m.setLeaf(v)
	}
}

func isLeaf(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int32, reflect.Int64:
		return true
	}
	return t == mutQuantityType || t == mutIntOrStringType
}

func (m *mutator) mutateSlice(v reflect.Value, spec *corev1.PodSpec) {
	t := v.Type()
	n := v.Len()
	op := m.draw("sliceOp", 10)
	switch {
	case n > 0 && op < 5: // change one item
		m.path = append(m.path, "[]")
		m.mutate(v.Index(m.draw("index", n)), spec)
	case n > 0 && op == 5: // drop all
		v.Set(reflect.Zero(t))
	case n > 0 && op == 6: // duplicate one item
		v.Set(reflect.Append(v, v.Index(m.draw("dupIndex", n))))
	default: // append a new item: a seed, maybe changed further
		item := reflect.New(t.Elem()).Elem()
		if seed, ok := m.seed(t.Elem(), spec); ok {
			item.Set(seed)
			m.path = append(m.path, "[]")
			if m.chance("mutateSeed", 30) {
				m.mutate(item, spec)
			}
		} else {
			m.path = append(m.path, "[]")
			m.mutate(item, spec)
		}
		v.Set(reflect.Append(v, item))
	}
}

func (m *mutator) mutateMap(v reflect.Value, spec *corev1.PodSpec) {
	t := v.Type()
	if v.Len() > 0 && m.chance("deleteKey", 20) {
		keys := v.MapKeys()
		sortValues(keys)
		v.SetMapIndex(keys[m.draw("deleteIndex", len(keys))], reflect.Value{})
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	k := reflect.New(t.Key()).Elem()
	m.setLeaf(k)
	val := reflect.New(t.Elem()).Elem()
	m.mutate(val, spec)
	v.SetMapIndex(k, val)
}

func sortValues(vs []reflect.Value) {
	for i := 1; i < len(vs); i++ {
		for j := i; j > 0 && vs[j].String() < vs[j-1].String(); j-- {
			vs[j], vs[j-1] = vs[j-1], vs[j]
		}
	}
}

func (m *mutator) setLeaf(v reflect.Value) {
	t := v.Type()
	switch t.Kind() {
	case reflect.String:
		if enum, ok := mutEnums[t]; ok && m.chance("enumValid", 67) {
			v.SetString(rapid.SampledFrom(enum).Draw(m.t, "enum"))
			return
		}
		v.SetString(rapid.SampledFrom(mutStrings).Draw(m.t, "string"))
	case reflect.Bool:
		v.SetBool(rapid.Bool().Draw(m.t, "bool"))
	case reflect.Int32, reflect.Int64, reflect.Int:
		x := rapid.SampledFrom(mutInts).Draw(m.t, "int")
		if t.Kind() == reflect.Int32 && x > 1<<31-1 {
			x = 1<<31 - 1
		}
		v.SetInt(x)
	}
}

func mutPtr[T any](v T) *T { return &v }

// seed returns a realistic, valid value of type t for an appended item or an
// allocated pointer, where one is known; names refer to what the pod spec
// already has (its first volume, container, claim) so seeds stay valid.
func (m *mutator) seed(t reflect.Type, spec *corev1.PodSpec) (reflect.Value, bool) {
	var opts []any
	firstVolume := "data"
	if len(spec.Volumes) > 0 {
		firstVolume = spec.Volumes[0].Name
	}
	switch t {
	case reflect.TypeOf(corev1.Volume{}):
		for i, src := range mutVolumeSources() {
			opts = append(opts, corev1.Volume{Name: fmt.Sprintf("mut-vol-%d", i), VolumeSource: src})
		}
	case reflect.TypeOf(corev1.Container{}):
		if len(spec.Containers) > 0 {
			c := *spec.Containers[0].DeepCopy()
			c.Name = "mut-ctr"
			for i := range c.Ports {
				c.Ports[i].HostPort = 0
			}
			opts = append(opts, c)
		}
		opts = append(opts, corev1.Container{Name: "mut-init", Image: "busybox", TerminationMessagePolicy: "File", ImagePullPolicy: "IfNotPresent"})
	case reflect.TypeOf(corev1.EphemeralContainer{}):
		opts = append(opts, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", Image: "busybox", TerminationMessagePolicy: "File", ImagePullPolicy: "IfNotPresent"}})
	case reflect.TypeOf(corev1.EnvVar{}):
		opts = append(opts,
			corev1.EnvVar{Name: "MUT_VALUE", Value: "v"},
			corev1.EnvVar{Name: "NODE_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "spec.nodeName"}}},
			corev1.EnvVar{Name: "MEM", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.memory"}}},
			corev1.EnvVar{Name: "FROM_FILE", ValueFrom: &corev1.EnvVarSource{FileKeyRef: &corev1.FileKeySelector{VolumeName: firstVolume, Path: "env.txt", Key: "KEY"}}},
			corev1.EnvVar{Name: "FROM_CM", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}, Key: "k"}}},
		)
	case reflect.TypeOf(corev1.EnvFromSource{}):
		opts = append(opts,
			corev1.EnvFromSource{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}}},
			corev1.EnvFromSource{Prefix: "APP_", SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "creds"}}},
		)
	case reflect.TypeOf(corev1.VolumeMount{}):
		opts = append(opts, corev1.VolumeMount{Name: firstVolume, MountPath: "/mnt/mut"})
	case reflect.TypeOf(corev1.VolumeDevice{}):
		opts = append(opts, corev1.VolumeDevice{Name: firstVolume, DevicePath: "/dev/xvdz"})
	case reflect.TypeOf(corev1.ContainerResizePolicy{}):
		opts = append(opts, corev1.ContainerResizePolicy{ResourceName: "cpu", RestartPolicy: "NotRequired"},
			corev1.ContainerResizePolicy{ResourceName: "memory", RestartPolicy: "RestartContainer"})
	case reflect.TypeOf(corev1.ResourceRequirements{}):
		opts = append(opts, corev1.ResourceRequirements{
			Requests: corev1.ResourceList{"cpu": resource.MustParse("100m"), "memory": resource.MustParse("128Mi")},
			Limits:   corev1.ResourceList{"memory": resource.MustParse("256Mi")},
		})
	case reflect.TypeOf(corev1.ResourceClaim{}):
		opts = append(opts, corev1.ResourceClaim{Name: "gpu"})
	case reflect.TypeOf(corev1.PodResourceClaim{}):
		opts = append(opts, corev1.PodResourceClaim{Name: "gpu", ResourceClaimTemplateName: mutPtr("gpu-template")},
			corev1.PodResourceClaim{Name: "shared", ResourceClaimName: mutPtr("shared-claim")})
	case reflect.TypeOf(corev1.HostAlias{}):
		opts = append(opts, corev1.HostAlias{IP: "10.0.0.1", Hostnames: []string{"registry.local"}})
	case reflect.TypeOf(corev1.TopologySpreadConstraint{}):
		opts = append(opts, corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: "topology.kubernetes.io/zone", WhenUnsatisfiable: "DoNotSchedule",
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}}, MatchLabelKeys: []string{"pod-template-hash"}})
	case reflect.TypeOf(corev1.PodOS{}):
		opts = append(opts, corev1.PodOS{Name: "linux"}, corev1.PodOS{Name: "windows"})
	case reflect.TypeOf(corev1.PodSecurityContext{}):
		opts = append(opts, corev1.PodSecurityContext{RunAsNonRoot: mutPtr(true), FSGroup: mutPtr(int64(2000)),
			SeccompProfile: &corev1.SeccompProfile{Type: "RuntimeDefault"}, Sysctls: []corev1.Sysctl{{Name: "kernel.shm_rmid_forced", Value: "0"}}})
	case reflect.TypeOf(corev1.SecurityContext{}):
		opts = append(opts, corev1.SecurityContext{AllowPrivilegeEscalation: mutPtr(false), ReadOnlyRootFilesystem: mutPtr(true),
			Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}})
	case reflect.TypeOf(corev1.Sysctl{}):
		opts = append(opts, corev1.Sysctl{Name: "net.ipv4.ip_local_port_range", Value: "1024 65535"}, corev1.Sysctl{Name: "kernel.shm_rmid_forced", Value: "1"})
	case reflect.TypeOf(corev1.SeccompProfile{}):
		opts = append(opts, corev1.SeccompProfile{Type: "RuntimeDefault"}, corev1.SeccompProfile{Type: "Localhost", LocalhostProfile: mutPtr("profiles/audit.json")})
	case reflect.TypeOf(corev1.AppArmorProfile{}):
		opts = append(opts, corev1.AppArmorProfile{Type: "RuntimeDefault"}, corev1.AppArmorProfile{Type: "Localhost", LocalhostProfile: mutPtr("k8s-agent")})
	case reflect.TypeOf(corev1.SELinuxOptions{}):
		opts = append(opts, corev1.SELinuxOptions{Type: "spc_t"}, corev1.SELinuxOptions{Level: "s0:c123,c456"})
	case reflect.TypeOf(corev1.WindowsSecurityContextOptions{}):
		opts = append(opts, corev1.WindowsSecurityContextOptions{RunAsUserName: mutPtr("ContainerUser")})
	case reflect.TypeOf(corev1.PodReadinessGate{}):
		opts = append(opts, corev1.PodReadinessGate{ConditionType: "example.com/ready"})
	case reflect.TypeOf(corev1.PodSchedulingGate{}):
		opts = append(opts, corev1.PodSchedulingGate{Name: "example.com/gate"})
	case reflect.TypeOf(corev1.Capabilities{}):
		opts = append(opts, corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN"}, Drop: []corev1.Capability{"ALL"}})
	case reflect.TypeOf(corev1.Probe{}):
		opts = append(opts,
			corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}},
			corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}},
			corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}}},
			corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9090}}})
	case reflect.TypeOf(corev1.Lifecycle{}):
		opts = append(opts, corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: 5}}},
			corev1.Lifecycle{PostStart: &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}})
	case reflect.TypeOf(corev1.ContainerRestartRule{}):
		opts = append(opts, corev1.ContainerRestartRule{Action: "Restart", ExitCodes: &corev1.ContainerRestartRuleOnExitCodes{Operator: "In", Values: []int32{42}}})
	case reflect.TypeOf(corev1.Toleration{}):
		opts = append(opts, corev1.Toleration{Key: "dedicated", Operator: "Equal", Value: "agents", Effect: "NoSchedule"},
			corev1.Toleration{Operator: "Exists"})
	case reflect.TypeOf(corev1.PodAffinityTerm{}):
		opts = append(opts, corev1.PodAffinityTerm{LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}},
			TopologyKey: "kubernetes.io/hostname", MatchLabelKeys: []string{"pod-template-hash"}})
	case reflect.TypeOf(corev1.WeightedPodAffinityTerm{}):
		opts = append(opts, corev1.WeightedPodAffinityTerm{Weight: 50, PodAffinityTerm: corev1.PodAffinityTerm{
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}}, TopologyKey: "kubernetes.io/hostname"}})
	case reflect.TypeOf(corev1.NodeSelectorRequirement{}):
		opts = append(opts, corev1.NodeSelectorRequirement{Key: "kubernetes.io/os", Operator: "In", Values: []string{"linux"}})
	case reflect.TypeOf(corev1.NodeSelectorTerm{}):
		opts = append(opts, corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "kubernetes.io/arch", Operator: "In", Values: []string{"amd64"}}}})
	case reflect.TypeOf(corev1.LocalObjectReference{}):
		opts = append(opts, corev1.LocalObjectReference{Name: "regcred"})
	case reflect.TypeOf(corev1.PodDNSConfig{}):
		opts = append(opts, corev1.PodDNSConfig{Nameservers: []string{"1.1.1.1"}, Searches: []string{"svc.cluster.local"}, Options: []corev1.PodDNSConfigOption{{Name: "ndots", Value: mutPtr("2")}}})
	case reflect.TypeOf(corev1.ContainerPort{}):
		opts = append(opts, corev1.ContainerPort{Name: "mut", ContainerPort: 9999, Protocol: "TCP"})
	case reflect.TypeOf(corev1.KeyToPath{}):
		opts = append(opts, corev1.KeyToPath{Key: "a", Path: "a.txt"})
	case reflect.TypeOf(corev1.VolumeProjection{}):
		for _, p := range mutProjections() {
			opts = append(opts, p)
		}
	case reflect.TypeOf(corev1.DownwardAPIVolumeFile{}):
		opts = append(opts, corev1.DownwardAPIVolumeFile{Path: "labels", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.labels"}})
	case reflect.TypeOf(corev1.HTTPHeader{}):
		opts = append(opts, corev1.HTTPHeader{Name: "X-Probe", Value: "1"})
	case reflect.TypeOf(corev1.PodDNSConfigOption{}):
		opts = append(opts, corev1.PodDNSConfigOption{Name: "ndots", Value: mutPtr("3")})
	default:
		// A volume source or a projection on its own: its valid example.
		for _, src := range mutVolumeSources() {
			opts = append(opts, unionMembersOf(reflect.ValueOf(src), t)...)
		}
		for _, p := range mutProjections() {
			opts = append(opts, unionMembersOf(reflect.ValueOf(p), t)...)
		}
	}
	if len(opts) == 0 {
		return reflect.Value{}, false
	}
	return reflect.ValueOf(opts[m.draw("seed/"+t.Name(), len(opts))]), true
}

// unionMembersOf returns the members of the one-of struct u whose type is t.
func unionMembersOf(u reflect.Value, t reflect.Type) []any {
	var out []any
	for i := 0; i < u.NumField(); i++ {
		f := u.Field(i)
		if f.Kind() == reflect.Pointer && !f.IsNil() && f.Type().Elem() == t {
			out = append(out, f.Elem().Interface())
		}
	}
	return out
}

// mutVolumeSources is one valid example of every volume source.
func mutVolumeSources() []corev1.VolumeSource {
	fs := "ext4"
	return []corev1.VolumeSource{
		{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: "Memory", SizeLimit: mutPtr(resource.MustParse("64Mi"))}},
		{HostPath: &corev1.HostPathVolumeSource{Path: "/var/run/agent", Type: mutPtr(corev1.HostPathDirectoryOrCreate)}},
		{Secret: &corev1.SecretVolumeSource{SecretName: "agent-tls", DefaultMode: mutPtr(int32(0o400))}},
		{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "agent-config"}, Items: []corev1.KeyToPath{{Key: "a", Path: "a.yaml"}}}},
		{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}},
		{Projected: &corev1.ProjectedVolumeSource{Sources: mutProjectionList()}},
		{DownwardAPI: &corev1.DownwardAPIVolumeSource{Items: []corev1.DownwardAPIVolumeFile{
			{Path: "labels", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.labels"}},
			{Path: "cpu", ResourceFieldRef: &corev1.ResourceFieldSelector{ContainerName: "c", Resource: "limits.cpu"}},
		}}},
		{CSI: &corev1.CSIVolumeSource{Driver: "secrets-store.csi.k8s.io", ReadOnly: mutPtr(true), VolumeAttributes: map[string]string{"secretProviderClass": "vault"}}},
		{Ephemeral: &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{"ReadWriteOnce"},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{"storage": resource.MustParse("1Gi")}},
		}}}},
		{Image: &corev1.ImageVolumeSource{Reference: "registry.k8s.io/agent-data:v1", PullPolicy: "IfNotPresent"}},
		{NFS: &corev1.NFSVolumeSource{Server: "nfs.example.com", Path: "/exports/agent"}},
		{ISCSI: &corev1.ISCSIVolumeSource{TargetPortal: "10.0.0.5:3260", IQN: "iqn.2001-04.com.example:storage.disk1", Lun: 0, FSType: fs}},
		{GitRepo: &corev1.GitRepoVolumeSource{Repository: "https://example.com/repo.git"}},
		{GCEPersistentDisk: &corev1.GCEPersistentDiskVolumeSource{PDName: "disk-1", FSType: fs}},
		{AWSElasticBlockStore: &corev1.AWSElasticBlockStoreVolumeSource{VolumeID: "vol-1", FSType: fs}},
		{Glusterfs: &corev1.GlusterfsVolumeSource{EndpointsName: "gluster", Path: "vol"}},
		{RBD: &corev1.RBDVolumeSource{CephMonitors: []string{"10.0.0.6:6789"}, RBDImage: "img"}},
		{Cinder: &corev1.CinderVolumeSource{VolumeID: "vol-2"}},
		{CephFS: &corev1.CephFSVolumeSource{Monitors: []string{"10.0.0.7:6789"}}},
		{FC: &corev1.FCVolumeSource{TargetWWNs: []string{"500a0982991b8dc5"}, Lun: mutPtr(int32(1))}},
		{FlexVolume: &corev1.FlexVolumeSource{Driver: "example.com/flex"}},
		{AzureFile: &corev1.AzureFileVolumeSource{SecretName: "azure", ShareName: "share"}},
		{AzureDisk: &corev1.AzureDiskVolumeSource{DiskName: "disk", DataDiskURI: "https://example.blob.core.windows.net/vhds/disk.vhd"}},
		{VsphereVolume: &corev1.VsphereVirtualDiskVolumeSource{VolumePath: "[datastore1] volumes/agent"}},
		{Quobyte: &corev1.QuobyteVolumeSource{Registry: "registry:7861", Volume: "vol"}},
		{Flocker: &corev1.FlockerVolumeSource{DatasetName: "ds"}},
		{PhotonPersistentDisk: &corev1.PhotonPersistentDiskVolumeSource{PdID: "pd-1"}},
		{PortworxVolume: &corev1.PortworxVolumeSource{VolumeID: "pwx-1"}},
		{ScaleIO: &corev1.ScaleIOVolumeSource{Gateway: "https://scaleio", System: "sys", VolumeName: "vol-1", SecretRef: &corev1.LocalObjectReference{Name: "sio"}}},
		{StorageOS: &corev1.StorageOSVolumeSource{VolumeName: "vol"}},
	}
}

func mutProjections() []corev1.VolumeProjection {
	return []corev1.VolumeProjection{
		{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: mutPtr(int64(3600)), Audience: "vault"}},
		{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "ca"}, Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
		{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "tls"}}},
		{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{Path: "name", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"}}}}},
		{ClusterTrustBundle: &corev1.ClusterTrustBundleProjection{SignerName: mutPtr("example.com/signer"), LabelSelector: &metav1.LabelSelector{}, Path: "bundle.pem"}},
		{PodCertificate: &corev1.PodCertificateProjection{SignerName: "example.com/signer", KeyType: "ED25519", CredentialBundlePath: "cred.pem"}},
	}
}

func mutProjectionList() []corev1.VolumeProjection {
	p := mutProjections()
	return []corev1.VolumeProjection{p[0], p[1], p[3]}
}
