package builder

import (
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// chooser is the source of choices for a random sequence of builder calls;
// rapid (properties) and a byte reader (FuzzBuilder) both implement it.
type chooser interface {
	intn(n int, label string) int
}

// pick returns one element of pool.
func pick[T any](c chooser, label string, pool ...T) T {
	return pool[c.intn(len(pool), label)]
}

// Small pools, so that calls collide on the same names (replace, remove and
// update paths get exercised), with invalid values mixed in.
var (
	poolNames      = []string{"agent", "sidecar", "setup", "", "Bad_Name"}
	poolImages     = []string{"example.com/agent:1.2.3", "busybox", ""}
	poolQuantities = []string{"100m", "128Mi", "", "1x", "-1", "0.5", "1e3", "9999999999999999999999999Ei"}
	poolVolumes    = []string{"state", "proc", "cfg", ""}
	poolPaths      = []string{"/var/lib/agent", "/proc", "/etc/agent", "", "relative"}
	poolReasons    = []string{"", "the agent needs it"}
	poolKeys       = []string{"app.kubernetes.io/name", "tier", "kubernetes.io/os", "bad key!", ""}
	poolValues     = []string{"node-agent", "linux", "x", "", "-bad-"}
	poolInts       = []int32{0, 1, 3, 10, 100, 101, -1}
	poolCaps       = []corev1.Capability{"NET_ADMIN", "SYS_ADMIN", "ALL", ""}
)

// containerOption draws one container option (possibly nil).
func containerOption(c chooser) (ContainerOption, string) {
	n := pick(c, "name", poolNames...)
	q := pick(c, "quantity", poolQuantities...)
	v := pick(c, "volume", poolVolumes...)
	p := pick(c, "path", poolPaths...)
	r := pick(c, "reason", poolReasons...)
	i := pick(c, "int", poolInts...)
	switch c.intn(35, "containerOption") {
	case 0:
		return nil, "nil"
	case 1:
		img := pick(c, "image", poolImages...)
		return Image(img), fmt.Sprintf("Image(%q)", img)
	case 2:
		return Args("--a", p), "Args"
	case 3:
		return AppendArgs(p), "AppendArgs"
	case 4:
		return Env(n, p), fmt.Sprintf("Env(%q)", n)
	case 5:
		return EnvFromField(n, pick(c, "field", FieldNodeName, FieldHostIP, "spec.bogus")), "EnvFromField"
	case 6:
		return EnvFromSecret(n, v, "key"), "EnvFromSecret"
	case 7:
		return RemoveEnv(n), "RemoveEnv"
	case 8:
		return Port(n, i), fmt.Sprintf("Port(%q, %d)", n, i)
	case 9:
		return HostPort(n, i, Protocol(pick(c, "proto", corev1.ProtocolTCP, corev1.ProtocolUDP, "BOGUS"))), "HostPort"
	case 10:
		return RemovePort(n), "RemovePort"
	case 11:
		return Requests(q, pick(c, "quantity2", poolQuantities...)), fmt.Sprintf("Requests(%q)", q)
	case 12:
		return Limits(q, pick(c, "quantity2", poolQuantities...)), fmt.Sprintf("Limits(%q)", q)
	case 13:
		return Request("ephemeral-storage", q), "Request"
	case 14:
		return ClearResources(), "ClearResources"
	case 15:
		return Liveness(HTTPGet(p, PortName(n)).Period(i).Host(pick(c, "host", "", "127.0.0.1"))), "Liveness"
	case 16:
		return Readiness(TCPSocket(PortNumber(i)).FailureThreshold(i)), "Readiness"
	case 17:
		return NoReadiness(), "NoReadiness"
	case 18:
		return Startup(Exec("true").SuccessThreshold(i)), "Startup"
	case 19:
		return ReadOnlyRootFilesystem(), "ReadOnlyRootFilesystem"
	case 20:
		return RunAsNonRoot(), "RunAsNonRoot"
	case 21:
		return DropAllCapabilities(), "DropAllCapabilities"
	case 22:
		cp := pick(c, "cap", poolCaps...)
		return AddCapability(cp, r), fmt.Sprintf("AddCapability(%q, %q)", cp, r)
	case 23:
		return RemoveCapability(pick(c, "cap", poolCaps...)), "RemoveCapability"
	case 24:
		return Privileged(r), fmt.Sprintf("Privileged(%q)", r)
	case 25:
		return Unprivileged(), "Unprivileged"
	case 26:
		var opts []MountOption
		switch c.intn(4, "hostPathOpt") {
		case 1:
			opts = append(opts, Writable(r))
		case 2:
			opts = append(opts, ReadOnly(), HostPathType(corev1.HostPathDirectoryOrCreate))
		case 3:
			opts = append(opts, Writable(r), nil, Propagation(corev1.MountPropagationHostToContainer))
		}
		return HostPath(v, p, pick(c, "mountPath", poolPaths...), opts...), fmt.Sprintf("HostPath(%q, %q)", v, p)
	case 27:
		return ConfigMapVolume(v, "cm", p, Optional(), DefaultMode(i), pick[MountOption](c, "cmOpt", ReadOnly(), SizeLimit(q), Items(corev1.KeyToPath{Key: "k", Path: "k"}))), "ConfigMapVolume"
	case 28:
		return EmptyDirVolume(v, p, SizeLimit(q), pick[MountOption](c, "edOpt", InMemory(), HostPathType(corev1.HostPathFile), SubPath("x"))), "EmptyDirVolume"
	case 29:
		opt := pick[MountOption](c, "mountOpt", ReadOnly(), Writable(r), SubPath(p))
		return Mount(v, pick(c, "mountPath", poolPaths...), opt), fmt.Sprintf("Mount(%q)", v)
	case 30:
		return RemoveMount(p), "RemoveMount"
	case 31:
		return ContainerFunc(func(ct *corev1.Container) { ct.WorkingDir = p }), "ContainerFunc"
	case 32:
		return ContainerFunc(nil), "ContainerFunc(nil)"
	case 33:
		if c.intn(2, "preStopEmpty") == 0 {
			return PreStop(), "PreStop()"
		}
		return PreStop("/agent", p), "PreStop"
	default:
		return SecretVolume(v, "sec", p, DefaultMode(0o400)), "SecretVolume"
	}
}

// step applies one random call to b and returns the builder to continue with
// (Clone may replace it) and a description of the call.
func step(c chooser, b *DaemonSet) (*DaemonSet, string) {
	n := pick(c, "name", poolNames...)
	k := pick(c, "key", poolKeys...)
	val := pick(c, "value", poolValues...)
	r := pick(c, "reason", poolReasons...)
	i := pick(c, "int", poolInts...)
	opts := func() ([]ContainerOption, string) {
		var os []ContainerOption
		desc := ""
		for range c.intn(4, "nopts") {
			o, d := containerOption(c)
			os = append(os, o)
			desc += " " + d
		}
		return os, desc
	}
	switch c.intn(40, "op") {
	case 0, 1, 2:
		os, d := opts()
		img := pick(c, "image", poolImages...)
		return b.Container(n, img, os...), fmt.Sprintf("Container(%q, %q,%s)", n, img, d)
	case 3:
		os, d := opts()
		return b.InitContainer(n, pick(c, "image", poolImages...), os...), fmt.Sprintf("InitContainer(%q,%s)", n, d)
	case 4, 5:
		os, d := opts()
		return b.UpdateContainer(n, os...), fmt.Sprintf("UpdateContainer(%q,%s)", n, d)
	case 6:
		return b.RemoveContainer(n), fmt.Sprintf("RemoveContainer(%q)", n)
	case 7:
		return b.Namespace(val), fmt.Sprintf("Namespace(%q)", val)
	case 8:
		return b.Label(k, val), fmt.Sprintf("Label(%q, %q)", k, val)
	case 9:
		return b.RemoveLabel(k), "RemoveLabel"
	case 10:
		return b.SelectorLabel(k, val), fmt.Sprintf("SelectorLabel(%q, %q)", k, val)
	case 11:
		return b.RemoveSelectorLabel(k), fmt.Sprintf("RemoveSelectorLabel(%q)", k)
	case 12:
		return b.PodLabel(k, val), fmt.Sprintf("PodLabel(%q, %q)", k, val)
	case 13:
		return b.PodAnnotation(pick(c, "ann", k, PrivilegesAnnotation), val), "PodAnnotation"
	case 14:
		return b.Annotation(k, val).RemovePodLabel(k), "Annotation+RemovePodLabel"
	case 15:
		return b.NodeSelector(k, val), "NodeSelector"
	case 16:
		return b.RemoveNodeSelector(k), "RemoveNodeSelector"
	case 17:
		if c.intn(2, "empty") == 0 {
			return b.RequireNodeAffinity(), "RequireNodeAffinity()"
		}
		return b.RequireNodeAffinity(NodeLabelIn(k, val), NodeLabelGt(k, int64(i))), "RequireNodeAffinity"
	case 18:
		return b.PreferNodeAffinity(i, NodeLabelExists(k), NodeLabelNotIn(k, val)), "PreferNodeAffinity"
	case 19:
		return b.ClearNodeAffinity(), "ClearNodeAffinity"
	case 20:
		return b.Tolerate(corev1.Toleration{Key: k, Operator: pick(c, "op", corev1.TolerationOpEqual, corev1.TolerationOpExists), Value: val,
			Effect: pick(c, "effect", corev1.TaintEffectNoSchedule, corev1.TaintEffectNoExecute, "")}), "Tolerate"
	case 21:
		return b.TolerateAll(), "TolerateAll"
	case 22:
		return b.TolerateControlPlane(), "TolerateControlPlane"
	case 23:
		return b.RemoveTolerations(k, ""), "RemoveTolerations"
	case 24:
		return b.HostNetwork(r), fmt.Sprintf("HostNetwork(%q)", r)
	case 25:
		return b.NoHostNetwork().NoHostPID().NoHostIPC(), "NoHostNamespaces"
	case 26:
		return b.HostPID(r).HostIPC(pick(c, "reason2", poolReasons...)), "HostPID+HostIPC"
	case 27:
		return b.PriorityClass(pick(c, "pc", "system-node-critical", "", "Bad")).ServiceAccount(n), "PriorityClass+ServiceAccount"
	case 28:
		return b.RollingUpdate(pick(c, "budget", Count(i), Percent(i))), fmt.Sprintf("RollingUpdate(%d)", i)
	case 29:
		return b.Surge(pick(c, "budget", Count(i), Percent(i))), fmt.Sprintf("Surge(%d)", i)
	case 30:
		return b.OnDelete(), "OnDelete"
	case 31:
		return b.MinReadySeconds(i).RevisionHistoryLimit(i), "MinReadySeconds+RevisionHistoryLimit"
	case 32:
		return b.Volume(corev1.Volume{Name: pick(c, "volume", poolVolumes...), VolumeSource: corev1.VolumeSource{
			HostPath: &corev1.HostPathVolumeSource{Path: pick(c, "path", poolPaths...)}}}), "Volume(hostPath)"
	case 33:
		return b.RemoveVolume(pick(c, "volume", poolVolumes...)), "RemoveVolume"
	case 34:
		return b.Justify(Privilege{Kind: pick(c, "kind", knownKinds...), Container: n, Volume: pick(c, "volume", poolVolumes...),
			Capability: pick(c, "cap", poolCaps...), Reason: r}), "Justify"
	case 35:
		return b.Edit(func(ds *appsv1.DaemonSet) {
			if len(ds.Spec.Template.Spec.Containers) > 0 {
				t := true
				ds.Spec.Template.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: &t}
			}
		}), "Edit(privileged)"
	case 36:
		return b.Edit(nil).Tolerations(), "Tolerations()"
	case 37:
		return b.Clone(), "Clone"
	case 38:
		_, _ = b.Build()
		return b, "Build"
	default:
		return b.TerminationGracePeriod(int64(i)).DNSPolicy(pick(c, "dns", corev1.DNSDefault, corev1.DNSClusterFirst, "Bogus")), "TerminationGracePeriod+DNSPolicy"
	}
}

// render is a byte-exact rendering of what Build gives, for comparisons.
func render(b *DaemonSet) string {
	ds, err := b.Build()
	if err != nil {
		return "error: " + err.Error()
	}
	data, jerr := json.Marshal(ds)
	if jerr != nil {
		return "json: " + jerr.Error()
	}
	return string(data)
}

// byteChooser draws choices from fuzz input; exhausted input gives zeros.
type byteChooser struct {
	data []byte
}

func (b *byteChooser) intn(n int, _ string) int {
	if n <= 1 || len(b.data) == 0 {
		return 0
	}
	v := int(b.data[0])
	b.data = b.data[1:]
	return v % n
}

func (b *byteChooser) empty() bool { return len(b.data) == 0 }
