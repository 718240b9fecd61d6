package builder

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const testImage = "example.com/agent:1.2.3"

// agent is a minimal valid builder.
func agent(opts ...ContainerOption) *DaemonSet {
	return New("agent").Container("agent", testImage, opts...)
}

func mustBuild(t *testing.T, b *DaemonSet) *appsv1.DaemonSet {
	t.Helper()
	ds, err := b.Build()
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return ds
}

// buildErrs returns Build's errors, failing the test if Build succeeds.
func buildErrs(t *testing.T, b *DaemonSet) field.ErrorList {
	t.Helper()
	ds, err := b.Build()
	if err == nil {
		t.Fatalf("Build succeeded, want errors")
	}
	if ds != nil {
		t.Errorf("Build returned an object with an error")
	}
	var berr *Error
	if !errors.As(err, &berr) {
		t.Fatalf("error %T is not *Error", err)
	}
	return berr.Errs
}

// hasErr reports whether errs holds an error of type typ at path.
func hasErr(errs field.ErrorList, typ field.ErrorType, path string) bool {
	for _, e := range errs {
		if e.Type == typ && e.Field == path {
			return true
		}
	}
	return false
}

func TestBuildMetadataAndSelector(t *testing.T) {
	tests := []struct {
		name string
		b    *DaemonSet
		want func(t *testing.T, ds *appsv1.DaemonSet)
	}{
		{"New sets type, name, default namespace and name selector", agent(), func(t *testing.T, ds *appsv1.DaemonSet) {
			if ds.APIVersion != "apps/v1" || ds.Kind != "DaemonSet" || ds.Name != "agent" || ds.Namespace != DefaultNamespace {
				t.Errorf("meta = %+v %+v", ds.TypeMeta, ds.ObjectMeta)
			}
			if !reflect.DeepEqual(ds.Spec.Selector.MatchLabels, map[string]string{NameLabel: "agent"}) {
				t.Errorf("selector = %v", ds.Spec.Selector)
			}
		}},
		{"selector labels are copied into the template", agent().SelectorLabel("tier", "node"), func(t *testing.T, ds *appsv1.DaemonSet) {
			want := map[string]string{NameLabel: "agent", "tier": "node"}
			if !reflect.DeepEqual(ds.Spec.Template.Labels, want) {
				t.Errorf("template labels = %v, want %v", ds.Spec.Template.Labels, want)
			}
		}},
		{"a changed selector label follows into the template", agent().PodLabel("extra", "1").SelectorLabel(NameLabel, "other"), func(t *testing.T, ds *appsv1.DaemonSet) {
			want := map[string]string{NameLabel: "other", "extra": "1"}
			if !reflect.DeepEqual(ds.Spec.Template.Labels, want) {
				t.Errorf("template labels = %v, want %v", ds.Spec.Template.Labels, want)
			}
		}},
		{"Label sets object and template, RemoveLabel both", agent().Label("team", "a").Label("gone", "x").RemoveLabel("gone"), func(t *testing.T, ds *appsv1.DaemonSet) {
			if ds.Labels["team"] != "a" || ds.Spec.Template.Labels["team"] != "a" {
				t.Errorf("labels = %v / %v", ds.Labels, ds.Spec.Template.Labels)
			}
			if _, ok := ds.Labels["gone"]; ok {
				t.Errorf("removed label present: %v", ds.Labels)
			}
		}},
		{"annotations on object and template are separate", agent().Annotation("a", "1").PodAnnotation("p", "2").PodAnnotation("q", "3").RemovePodAnnotation("q"), func(t *testing.T, ds *appsv1.DaemonSet) {
			if !reflect.DeepEqual(ds.Annotations, map[string]string{"a": "1"}) || !reflect.DeepEqual(ds.Spec.Template.Annotations, map[string]string{"p": "2"}) {
				t.Errorf("annotations = %v / %v", ds.Annotations, ds.Spec.Template.Annotations)
			}
		}},
		{"Namespace sets the namespace", agent().Namespace("kube-system"), func(t *testing.T, ds *appsv1.DaemonSet) {
			if ds.Namespace != "kube-system" {
				t.Errorf("namespace = %q", ds.Namespace)
			}
		}},
		{"Build applies no server defaults", agent(), func(t *testing.T, ds *appsv1.DaemonSet) {
			if ds.Spec.UpdateStrategy.Type != "" || ds.Spec.RevisionHistoryLimit != nil || ds.Spec.Template.Spec.RestartPolicy != "" {
				t.Errorf("defaults applied: %+v", ds.Spec)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.want(t, mustBuild(t, tt.b)) })
	}
}

func TestBuildErrors(t *testing.T) {
	cpath := "spec.template.spec.containers[0]"
	tests := []struct {
		name string
		b    *DaemonSet
		typ  field.ErrorType
		path string
	}{
		{"pod label contradicting the selector", agent().PodLabel(NameLabel, "x"), field.ErrorTypeInvalid, "spec.template.metadata.labels[app.kubernetes.io/name]"},
		{"cpu request that does not parse", agent(Requests("1x", "")), field.ErrorTypeInvalid, cpath + ".resources.requests[cpu]"},
		{"memory limit that does not parse", agent(Limits("", "12 Mi")), field.ErrorTypeInvalid, cpath + ".resources.limits[memory]"},
		{"extended resource that does not parse", agent(Request("nvidia.com/gpu", "one")), field.ErrorTypeInvalid, cpath + ".resources.requests[nvidia.com/gpu]"},
		{"container without image", New("agent").Container("agent", ""), field.ErrorTypeRequired, cpath + ".image"},
		{"init container without image", agent().InitContainer("setup", ""), field.ErrorTypeRequired, "spec.template.spec.initContainers[0].image"},
		{"UpdateContainer of a missing container", agent().UpdateContainer("nope", Image("x")), field.ErrorTypeNotFound, "spec.template.spec.containers"},
		{"HostPathType on a ConfigMap volume", agent(ConfigMapVolume("cfg", "cm", "/etc/cfg", HostPathType(corev1.HostPathFile))), field.ErrorTypeInvalid, cpath + ".volumeMounts[0]"},
		{"DefaultMode on an emptyDir", agent(EmptyDirVolume("tmp", "/tmp", DefaultMode(0o400))), field.ErrorTypeInvalid, cpath + ".volumeMounts[0]"},
		{"Optional on a hostPath", agent(HostPath("h", "/h", "/h", Optional())), field.ErrorTypeInvalid, cpath + ".volumeMounts[0]"},
		{"Items on a projected volume", agent(ProjectedVolume("p", "/p", nil, Items())), field.ErrorTypeInvalid, cpath + ".volumeMounts[0]"},
		{"SizeLimit on a Secret volume", agent(SecretVolume("s", "sec", "/s", SizeLimit("1Gi"))), field.ErrorTypeInvalid, cpath + ".volumeMounts[0]"},
		{"InMemory on a Secret volume", agent(SecretVolume("s", "sec", "/s", InMemory())), field.ErrorTypeInvalid, cpath + ".volumeMounts[0]"},
		{"emptyDir size limit that does not parse", agent(EmptyDirVolume("tmp", "/tmp", SizeLimit("lots"))), field.ErrorTypeInvalid, "spec.template.spec.volumes[0].emptyDir.sizeLimit"},
		{"required node affinity term without requirements", agent().RequireNodeAffinity(), field.ErrorTypeRequired,
			"spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"},
		// upstream: apps/validation/validation_test.go TestValidateDaemonSet ("invalid update strategy" cases)
		{"surge of zero leaves nothing to roll", agent().Surge(Count(0)), field.ErrorTypeRequired, "spec.updateStrategy.rollingUpdate.maxUnavailable"},
		{"percent over 100", agent().RollingUpdate(Percent(101)), field.ErrorTypeInvalid, "spec.updateStrategy.rollingUpdate.maxUnavailable"},
		{"negative minReadySeconds", agent().MinReadySeconds(-1), field.ErrorTypeInvalid, "spec.minReadySeconds"},
		{"negative revisionHistoryLimit", agent().RevisionHistoryLimit(-1), field.ErrorTypeInvalid, "spec.revisionHistoryLimit"},
		{"empty capability name", agent(AddCapability("", "reason")), field.ErrorTypeInvalid, cpath + ".securityContext.capabilities.add[0]"},
		{"name that is not a DNS subdomain", New("Bad_Name").Container("agent", testImage), field.ErrorTypeInvalid, "metadata.name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := buildErrs(t, tt.b)
			if !hasErr(errs, tt.typ, tt.path) {
				t.Errorf("want %s at %s, got:\n%v", tt.typ, tt.path, errs.ToAggregate())
			}
		})
	}
}

func TestBuildReportsEveryProblemAtOnce(t *testing.T) {
	errs := buildErrs(t, New("agent").
		Container("agent", "", Requests("1x", "2y"), Privileged("")).
		HostNetwork(""))
	for _, want := range []struct {
		typ  field.ErrorType
		path string
	}{
		{field.ErrorTypeInvalid, "spec.template.spec.containers[0].resources.requests[cpu]"},
		{field.ErrorTypeInvalid, "spec.template.spec.containers[0].resources.requests[memory]"},
		{field.ErrorTypeRequired, "spec.template.spec.containers[0].image"},
		{field.ErrorTypeRequired, "spec.template.spec.hostNetwork"},
		{field.ErrorTypeRequired, "spec.template.spec.containers[0].securityContext.privileged"},
	} {
		if !hasErr(errs, want.typ, want.path) {
			t.Errorf("missing %s at %s in\n%v", want.typ, want.path, errs.ToAggregate())
		}
	}
	// the image is reported once although the builder and Validate both see it.
	n := 0
	for _, e := range errs {
		if e.Field == "spec.template.spec.containers[0].image" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("image reported %d times", n)
	}
}

func TestErrorType(t *testing.T) {
	_, err := New("agent").Container("agent", testImage, Requests("1x", "")).Build()
	var fe *field.Error
	if !errors.As(err, &fe) || fe.Field != "spec.template.spec.containers[0].resources.requests[cpu]" {
		t.Fatalf("errors.As(*field.Error) = %v", fe)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, `1 problem building DaemonSet "agent":`+"\n  spec.template") {
		t.Errorf("Error() = %q", msg)
	}
	var nilErr *Error
	if nilErr.Error() == "" || nilErr.Unwrap() != nil {
		t.Errorf("nil *Error misbehaves")
	}
}

func TestContainers(t *testing.T) {
	tests := []struct {
		name string
		b    *DaemonSet
		want func(t *testing.T, spec *corev1.PodSpec)
	}{
		{"Container replaces by name and keeps its position", New("a").
			Container("one", "img:1").Container("two", "img:2").Container("one", "img:3"),
			func(t *testing.T, spec *corev1.PodSpec) {
				if names(spec.Containers) != "one,two" || spec.Containers[0].Image != "img:3" {
					t.Errorf("containers = %+v", spec.Containers)
				}
			}},
		{"replacing a container drops its old resource strings", New("a").
			Container("one", "img:1", Requests("1x", "")).Container("one", "img:1"),
			func(t *testing.T, spec *corev1.PodSpec) {
				if spec.Containers[0].Resources.Requests != nil {
					t.Errorf("requests = %v", spec.Containers[0].Resources.Requests)
				}
			}},
		{"Container moves a same-named init container", New("a").
			InitContainer("x", "img:1").Container("x", "img:2"),
			func(t *testing.T, spec *corev1.PodSpec) {
				if len(spec.InitContainers) != 0 || names(spec.Containers) != "x" {
					t.Errorf("init %v containers %v", spec.InitContainers, spec.Containers)
				}
			}},
		{"UpdateContainer changes only what its options say", New("a").
			Container("one", "img:1", Args("--a"), Env("A", "1")).UpdateContainer("one", Image("img:2"), AppendArgs("--b")),
			func(t *testing.T, spec *corev1.PodSpec) {
				c := spec.Containers[0]
				if c.Image != "img:2" || strings.Join(c.Args, " ") != "--a --b" || len(c.Env) != 1 {
					t.Errorf("container = %+v", c)
				}
			}},
		{"UpdateContainer finds init containers", New("a").Container("main", "img").
			InitContainer("setup", "img", Command("sh")).UpdateContainer("setup", Command("true")),
			func(t *testing.T, spec *corev1.PodSpec) {
				if strings.Join(spec.InitContainers[0].Command, " ") != "true" {
					t.Errorf("init = %+v", spec.InitContainers[0])
				}
			}},
		{"RemoveContainer drops its problems too", New("a").Container("main", "img").
			Container("bad", "img", Requests("1x", ""), Privileged("")).RemoveContainer("bad").RemoveContainer("never-was"),
			func(t *testing.T, spec *corev1.PodSpec) {
				if names(spec.Containers) != "main" {
					t.Errorf("containers = %v", names(spec.Containers))
				}
			}},
		{"Args, RemoveArgs, Command, WorkingDir, ImagePullPolicy", New("a").Container("c", "img",
			Args("a", "b", "c"), RemoveArgs("b"), Command("/agent"), WorkingDir("/w"), ImagePullPolicy(corev1.PullIfNotPresent)),
			func(t *testing.T, spec *corev1.PodSpec) {
				c := spec.Containers[0]
				if strings.Join(c.Args, ",") != "a,c" || c.Command[0] != "/agent" || c.WorkingDir != "/w" || c.ImagePullPolicy != corev1.PullIfNotPresent {
					t.Errorf("container = %+v", c)
				}
			}},
		{"Env replaces by name in place and RemoveEnv removes", New("a").Container("c", "img",
			Env("A", "1"), Env("B", "2"), Env("A", "3"), Env("C", "4"), RemoveEnv("C")),
			func(t *testing.T, spec *corev1.PodSpec) {
				env := spec.Containers[0].Env
				if len(env) != 2 || env[0].Name != "A" || env[0].Value != "3" || env[1].Name != "B" {
					t.Errorf("env = %+v", env)
				}
			}},
		// upstream: core/validation/validation_test.go TestValidateEnv (fieldRef spec.nodeName, status.hostIP)
		{"env from node name, host IP, resource, ConfigMap and Secret", New("a").Container("c", "img",
			EnvFromField("NODE", FieldNodeName), EnvFromField("HOST_IP", FieldHostIP), EnvFromResource("GOMEMLIMIT", "limits.memory"),
			EnvFromConfigMap("CM", "cfg", "k"), EnvFromSecret("SEC", "sec", "k")),
			func(t *testing.T, spec *corev1.PodSpec) {
				env := spec.Containers[0].Env
				if env[0].ValueFrom.FieldRef.FieldPath != "spec.nodeName" || env[1].ValueFrom.FieldRef.FieldPath != "status.hostIP" ||
					env[2].ValueFrom.ResourceFieldRef.Resource != "limits.memory" ||
					env[3].ValueFrom.ConfigMapKeyRef.Name != "cfg" || env[4].ValueFrom.SecretKeyRef.Key != "k" {
					t.Errorf("env = %+v", env)
				}
			}},
		// upstream: core/validation/validation_test.go TestValidatePorts
		{"ports keyed by name, host ports, protocol", New("a").Container("c", "img",
			Port("metrics", 9100), Port("metrics", 9101), HostPort("dns", 53, Protocol(corev1.ProtocolUDP)),
			Port("peer", 7000, OnHostPort(17000), HostIP("127.0.0.1")), Port("gone", 1), RemovePort("gone")),
			func(t *testing.T, spec *corev1.PodSpec) {
				p := spec.Containers[0].Ports
				if len(p) != 3 || p[0].ContainerPort != 9101 || p[1].HostPort != 53 || p[1].Protocol != corev1.ProtocolUDP ||
					p[2].HostPort != 17000 || p[2].HostIP != "127.0.0.1" {
					t.Errorf("ports = %+v", p)
				}
			}},
		{"unnamed ports keyed by number and protocol", New("a").Container("c", "img",
			Port("", 80), Port("", 80, Protocol(corev1.ProtocolTCP)), Port("", 80, Protocol(corev1.ProtocolUDP))),
			func(t *testing.T, spec *corev1.PodSpec) {
				if len(spec.Containers[0].Ports) != 2 {
					t.Errorf("ports = %+v", spec.Containers[0].Ports)
				}
			}},
		// upstream: core/validation/validation_test.go TestValidateResourceRequirements
		{"resources from strings; empty removes; ClearResources clears", New("a").
			Container("c", "img", Requests("100m", "128Mi"), Limits("", "256Mi"), Request("ephemeral-storage", "1Gi"), Requests("", "64Mi")).
			Container("d", "img", Requests("1", "1Gi"), ClearResources()),
			func(t *testing.T, spec *corev1.PodSpec) {
				r := spec.Containers[0].Resources
				want := corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi"), corev1.ResourceEphemeralStorage: resource.MustParse("1Gi")}
				if !equalResources(r.Requests, want) || !equalResources(r.Limits, corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")}) {
					t.Errorf("resources = %+v", r)
				}
				if spec.Containers[1].Resources.Requests != nil {
					t.Errorf("cleared resources = %+v", spec.Containers[1].Resources)
				}
			}},
		// upstream: core/validation/validation_test.go TestValidateProbe
		{"probes of every kind", New("a").Container("c", "img", Port("http", 8080),
			Liveness(HTTPGet("/healthz", PortName("http")).HTTPS().Host("127.0.0.1").Header("X", "1").Period(5).Timeout(2).FailureThreshold(4).InitialDelay(3).TerminationGracePeriod(7)),
			Readiness(TCPSocket(PortNumber(8080)).SuccessThreshold(2)),
			Startup(GRPC(9090, "").Period(1)),
		).Container("d", "img", Liveness(Exec("true")), NoLiveness(), Readiness(Exec("x")), NoReadiness(), Startup(Exec("y")), NoStartup()),
			func(t *testing.T, spec *corev1.PodSpec) {
				c := spec.Containers[0]
				l := c.LivenessProbe
				if l.HTTPGet.Path != "/healthz" || l.HTTPGet.Port != intstr.FromString("http") || l.HTTPGet.Scheme != corev1.URISchemeHTTPS ||
					len(l.HTTPGet.HTTPHeaders) != 1 || l.PeriodSeconds != 5 || l.TimeoutSeconds != 2 || l.FailureThreshold != 4 ||
					l.InitialDelaySeconds != 3 || *l.TerminationGracePeriodSeconds != 7 || l.HTTPGet.Host != "127.0.0.1" {
					t.Errorf("liveness = %+v", l)
				}
				if c.ReadinessProbe.TCPSocket.Port.IntVal != 8080 || c.ReadinessProbe.SuccessThreshold != 2 || c.StartupProbe.GRPC.Port != 9090 {
					t.Errorf("readiness/startup = %+v %+v", c.ReadinessProbe, c.StartupProbe)
				}
				d := spec.Containers[1]
				if d.LivenessProbe != nil || d.ReadinessProbe != nil || d.StartupProbe != nil {
					t.Errorf("removed probes present: %+v", d)
				}
			}},
		{"security context helpers", New("a").Container("c", "img",
			ReadOnlyRootFilesystem(), RunAsNonRoot(), RunAsUser(65534), RunAsGroup(65534), NoPrivilegeEscalation(),
			SeccompRuntimeDefault(), DropAllCapabilities(), DropAllCapabilities(), DropCapability("NET_RAW")),
			func(t *testing.T, spec *corev1.PodSpec) {
				sc := spec.Containers[0].SecurityContext
				if !*sc.ReadOnlyRootFilesystem || !*sc.RunAsNonRoot || *sc.RunAsUser != 65534 || *sc.RunAsGroup != 65534 ||
					*sc.AllowPrivilegeEscalation || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault ||
					!reflect.DeepEqual(sc.Capabilities.Drop, []corev1.Capability{"ALL", "NET_RAW"}) {
					t.Errorf("securityContext = %+v", sc)
				}
			}},
		{"PreStop sets and removes the lifecycle hook", New("a").Container("c", "img", PreStop("/agent", "-shutdown")).
			Container("d", "img", PreStop("x"), PreStop()),
			func(t *testing.T, spec *corev1.PodSpec) {
				if got := spec.Containers[0].Lifecycle.PreStop.Exec.Command; strings.Join(got, " ") != "/agent -shutdown" {
					t.Errorf("preStop = %v", got)
				}
				if spec.Containers[1].Lifecycle != nil {
					t.Errorf("removed preStop left %+v", spec.Containers[1].Lifecycle)
				}
			}},
		{"nil options and nil functions are ignored", New("a").Container("c", "img", nil, ContainerFunc(nil)).Edit(nil),
			func(t *testing.T, spec *corev1.PodSpec) {
				if names(spec.Containers) != "c" {
					t.Errorf("containers = %v", spec.Containers)
				}
			}},
		{"ContainerFunc and Edit reach any field", New("a").Container("c", "img", ContainerFunc(func(c *corev1.Container) { c.TTY = true })).
			Edit(func(ds *appsv1.DaemonSet) {
				ds.Spec.Template.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "pull"}}
			}),
			func(t *testing.T, spec *corev1.PodSpec) {
				if !spec.Containers[0].TTY || spec.ImagePullSecrets[0].Name != "pull" {
					t.Errorf("spec = %+v", spec)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.want(t, &mustBuild(t, tt.b).Spec.Template.Spec) })
	}
}

func names(cs []corev1.Container) string {
	var n []string
	for _, c := range cs {
		n = append(n, c.Name)
	}
	return strings.Join(n, ",")
}

func equalResources(a, b corev1.ResourceList) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || v.Cmp(w) != 0 {
			return false
		}
	}
	return true
}

func TestContainerIsListedInOrder(t *testing.T) {
	b := New("a").InitContainer("i", "img").Container("c", "img").Container("d", "img")
	if got := strings.Join(b.ContainerNames(), ","); got != "i,c,d" {
		t.Errorf("ContainerNames = %s", got)
	}
}

func TestProbeIsAValue(t *testing.T) {
	base := HTTPGet("/healthz", PortNumber(80))
	_ = base.Period(5).Header("A", "b").HTTPS()
	p := base.Probe()
	if p.PeriodSeconds != 0 || p.HTTPGet.Scheme != "" || len(p.HTTPGet.HTTPHeaders) != 0 {
		t.Errorf("refining changed the original: %+v", p)
	}
	p.HTTPGet.Path = "/changed"
	if base.Probe().HTTPGet.Path != "/healthz" {
		t.Errorf("Probe() aliases the value")
	}
	// HTTP-only refinements leave other probes alone.
	if tcp := TCPSocket(PortNumber(1)).HTTPS().Header("a", "b").Probe(); tcp.HTTPGet != nil {
		t.Errorf("HTTPS on a TCP probe = %+v", tcp)
	}
}

func TestInputsAreCopied(t *testing.T) {
	args := []string{"--a"}
	sel := map[string]string{"k": "v"}
	req := []corev1.NodeSelectorRequirement{NodeLabelIn("zone", "a")}
	vol := corev1.Volume{Name: "v", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/v"}}}
	sources := []corev1.VolumeProjection{{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}}}}
	tol := corev1.Toleration{Key: "k", Operator: corev1.TolerationOpExists}
	b := New("a").Container("c", "img", Args(args...), ProjectedVolume("p", "/p", sources), Mount("v", "/v")).
		NodeSelectorLabels(sel).RequireNodeAffinity(req...).Volume(vol).Tolerate(tol)
	before := render(b)
	args[0] = "--changed"
	sel["k"] = "changed"
	req[0].Values[0] = "changed"
	vol.HostPath.Path = "/changed"
	sources[0].ConfigMap.Name = "changed"
	tol.Key = "changed"
	if after := render(b); after != before {
		t.Errorf("changing inputs changed the builder:\n%s\n%s", before, after)
	}
}

func TestBuildDoesNotAliasOrChangeTheBuilder(t *testing.T) {
	b := agent(Args("--a"), Requests("1", "1Gi"), HostPath("h", "/h", "/h")).TolerateAll().RollingUpdate(Count(2)).RevisionHistoryLimit(3)
	first := render(b)
	ds := mustBuild(t, b)
	scribble(reflect.ValueOf(ds))
	if again := render(b); again != first {
		t.Errorf("builder changed through the built object:\n%s\n%s", first, again)
	}
}

func TestNilAndZeroBuildersDoNotPanic(t *testing.T) {
	var b *DaemonSet
	if b.Namespace("x").Container("c", "img").HostNetwork("r").TolerateAll().Surge(Count(1)).Clone() != nil {
		t.Errorf("nil builder methods returned non-nil")
	}
	if _, err := b.Build(); err == nil {
		t.Errorf("nil builder built")
	}
	if b.Name() != "" || b.ContainerNames() != nil {
		t.Errorf("nil builder getters")
	}
	z := &DaemonSet{}
	z.Container("c", "img", Requests("1", "1"), Privileged("r")).HostPID("r").SelectorLabel("a", "b").RequireNodeAffinity().Clone()
	if _, err := z.Build(); err == nil {
		t.Errorf("zero builder without a name built")
	}
}

// TestEveryMethodToleratesZeroArguments calls every exported method of
// *DaemonSet with zero-valued arguments, on a nil, a zero and a New builder:
// none may panic, and Build must still answer.
func TestEveryMethodToleratesZeroArguments(t *testing.T) {
	for _, mk := range []struct {
		name string
		b    func() *DaemonSet
	}{{"nil", func() *DaemonSet { return nil }}, {"zero", func() *DaemonSet { return &DaemonSet{} }}, {"New", func() *DaemonSet { return agent() }}} {
		typ := reflect.TypeOf(&DaemonSet{})
		for i := range typ.NumMethod() {
			m := typ.Method(i)
			t.Run(mk.name+"/"+m.Name, func(t *testing.T) {
				b := mk.b()
				args := []reflect.Value{reflect.ValueOf(b)}
				for j := 1; j < m.Type.NumIn(); j++ {
					if m.Type.IsVariadic() && j == m.Type.NumIn()-1 {
						break
					}
					args = append(args, reflect.Zero(m.Type.In(j)))
				}
				m.Func.Call(args)
				if _, err := b.Build(); err == nil && mk.name != "New" {
					t.Errorf("%s builder built", mk.name)
				}
			})
		}
	}
}

func TestResourceStringsOverrideContainerFunc(t *testing.T) {
	set := ContainerFunc(func(c *corev1.Container) {
		c.Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("1Gi")}
	})
	ds := mustBuild(t, agent(set, Limit(corev1.ResourceCPU, "500m"), Limit(corev1.ResourceMemory, "")))
	want := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m")}
	if got := ds.Spec.Template.Spec.Containers[0].Resources.Limits; !equalResources(got, want) {
		t.Errorf("limits = %v, want %v", got, want)
	}
	ds = mustBuild(t, agent().Annotation("a", "1").RemoveAnnotation("a"))
	if ds.Annotations != nil && len(ds.Annotations) != 0 {
		t.Errorf("annotations = %v", ds.Annotations)
	}
}
