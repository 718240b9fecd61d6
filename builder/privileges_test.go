package builder

import (
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func privilegesOf(t *testing.T, ds *appsv1.DaemonSet) []Privilege {
	t.Helper()
	ps, err := ParsePrivileges(ds.Spec.Template.Annotations)
	if err != nil {
		t.Fatalf("ParsePrivileges: %v", err)
	}
	return ps
}

func TestPrivilegesNeedReasons(t *testing.T) {
	c0 := "spec.template.spec.containers[0]"
	tests := []struct {
		name string
		b    *DaemonSet
		path string
	}{
		{"hostNetwork", agent().HostNetwork(""), "spec.template.spec.hostNetwork"},
		{"hostPID", agent().HostPID(""), "spec.template.spec.hostPID"},
		{"hostIPC", agent().HostIPC(""), "spec.template.spec.hostIPC"},
		{"privileged container", agent(Privileged("")), c0 + ".securityContext.privileged"},
		{"added capability", agent(AddCapability("NET_ADMIN", "")), c0 + ".securityContext.capabilities.add[0]"},
		{"writable hostPath", agent(HostPath("state", "/var/lib/a", "/state", Writable(""))), c0 + ".volumeMounts[0].readOnly"},
		{"writable hostPath mounted with Mount", agent(Mount("state", "/state", Writable(""))).
			Volume(corev1.Volume{Name: "state", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/s"}}}), c0 + ".volumeMounts[0].readOnly"},
		{"privilege set through Edit", agent().Edit(func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.HostNetwork = true }), "spec.template.spec.hostNetwork"},
		{"privilege set through ContainerFunc", agent(ContainerFunc(func(c *corev1.Container) {
			c.SecurityContext = &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"SYS_ADMIN"}}}
		})), c0 + ".securityContext.capabilities.add[0]"},
		{"init container privilege", agent().InitContainer("setup", testImage, Privileged("")), "spec.template.spec.initContainers[0].securityContext.privileged"},
		{"reason given to another container does not count", agent().Container("other", testImage).
			Justify(Privilege{Kind: PrivilegePrivileged, Container: "other", Reason: "r"}).UpdateContainer("agent", Privileged("")), c0 + ".securityContext.privileged"},
		{"clearing a reason with an empty one", agent(Privileged("first")).UpdateContainer("agent", Privileged("")), c0 + ".securityContext.privileged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if errs := buildErrs(t, tt.b); !hasErr(errs, field.ErrorTypeRequired, tt.path) {
				t.Errorf("want Required at %s, got\n%v", tt.path, errs.ToAggregate())
			}
		})
	}
}

func TestPrivilegesAnnotation(t *testing.T) {
	tests := []struct {
		name string
		b    *DaemonSet
		want []Privilege
	}{
		{"no privileges, no annotation", agent(HostPath("logs", "/var/log", "/var/log")).PodAnnotation(PrivilegesAnnotation, "stale"), nil},
		{"every kind, sorted by privilege then container", New("cni").
			Container("agent", testImage, AddCapability("NET_ADMIN", "programs routes"), AddCapability("NET_RAW", "sends ARP"),
				HostPath("run", "/run/cni", "/run/cni", Writable("writes its socket"), HostPathType(corev1.HostPathDirectoryOrCreate))).
			InitContainer("install", testImage, Privileged("installs the CNI binary"), HostPath("bin", "/opt/cni/bin", "/host/bin", Writable("copies the plugin"))).
			HostNetwork("is the node's network").HostPID("reads /proc").HostIPC("talks to the node over shm"),
			[]Privilege{
				{Kind: PrivilegeCapability, Container: "agent", Capability: "NET_ADMIN", Reason: "programs routes"},
				{Kind: PrivilegeCapability, Container: "agent", Capability: "NET_RAW", Reason: "sends ARP"},
				{Kind: PrivilegeHostIPC, Reason: "talks to the node over shm"},
				{Kind: PrivilegeHostNetwork, Reason: "is the node's network"},
				{Kind: PrivilegeHostPID, Reason: "reads /proc"},
				{Kind: PrivilegePrivileged, Container: "install", Reason: "installs the CNI binary"},
				{Kind: PrivilegeWritableHostPath, Container: "agent", Volume: "run", Reason: "writes its socket"},
				{Kind: PrivilegeWritableHostPath, Container: "install", Volume: "bin", Reason: "copies the plugin"},
			}},
		{"reasons of removed privileges are dropped", agent(Privileged("x"), AddCapability("NET_ADMIN", "y"), RemoveCapability("NET_ADMIN"), Unprivileged()).
			HostNetwork("z").NoHostNetwork().HostPID("p").NoHostPID().HostIPC("i").NoHostIPC(), nil},
		{"ReadOnly after Writable drops the privilege", agent(HostPath("h", "/h", "/h", Writable("w"), ReadOnly())), nil},
		{"RemoveMount drops the privilege", agent(HostPath("h", "/h", "/h", Writable("w")), RemoveMount("/h")), nil},
		{"RemoveVolume drops mounts and privilege", agent(HostPath("h", "/h", "/h", Writable("w"))).RemoveVolume("h"), nil},
		{"Justify covers a privilege set through Edit", agent().
			Edit(func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.HostPID = true }).
			Justify(Privilege{Kind: PrivilegeHostPID, Reason: "set by hand"}),
			[]Privilege{{Kind: PrivilegeHostPID, Reason: "set by hand"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := mustBuild(t, tt.b)
			if got := privilegesOf(t, ds); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("privileges =\n%+v\nwant\n%+v", got, tt.want)
			}
			if tt.want == nil {
				if _, ok := ds.Spec.Template.Annotations[PrivilegesAnnotation]; ok {
					t.Errorf("annotation present: %v", ds.Spec.Template.Annotations)
				}
			}
		})
	}
}

func TestPrivilegesAnnotationFormat(t *testing.T) {
	ds := mustBuild(t, agent().HostNetwork("serves on the node address"))
	want := `[{"privilege":"hostNetwork","container":"","reason":"serves on the node address"}]`
	if got := ds.Spec.Template.Annotations[PrivilegesAnnotation]; got != want {
		t.Errorf("annotation = %s\nwant %s", got, want)
	}
	if ds.Spec.Template.Spec.DNSPolicy != corev1.DNSClusterFirstWithHostNet {
		t.Errorf("dnsPolicy = %q", ds.Spec.Template.Spec.DNSPolicy)
	}
	ds = mustBuild(t, agent().HostNetwork("r").NoHostNetwork())
	if ds.Spec.Template.Spec.HostNetwork || ds.Spec.Template.Spec.DNSPolicy != "" {
		t.Errorf("NoHostNetwork left %+v", ds.Spec.Template.Spec)
	}
}

func TestRequiredPrivileges(t *testing.T) {
	tr := true
	spec := &corev1.PodSpec{
		HostNetwork: true,
		Volumes: []corev1.Volume{
			{Name: "h", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/h"}}},
			{Name: "e", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		},
		Containers: []corev1.Container{{
			Name:            "c",
			SecurityContext: &corev1.SecurityContext{Privileged: &tr, Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"A", "A"}}},
			VolumeMounts:    []corev1.VolumeMount{{Name: "h"}, {Name: "h", SubPath: "x"}, {Name: "e"}, {Name: "h", ReadOnly: true}},
		}},
	}
	want := []Privilege{
		{Kind: PrivilegeHostNetwork},
		{Kind: PrivilegePrivileged, Container: "c"},
		{Kind: PrivilegeCapability, Container: "c", Capability: "A"},
		{Kind: PrivilegeWritableHostPath, Container: "c", Volume: "h"},
	}
	if got := RequiredPrivileges(spec); !reflect.DeepEqual(got, want) {
		t.Errorf("RequiredPrivileges =\n%+v\nwant\n%+v", got, want)
	}
	if RequiredPrivileges(nil) != nil {
		t.Errorf("nil spec")
	}
}

func TestParsePrivileges(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		wantErr string
	}{
		{"valid", `[{"privilege":"hostPID","container":"","reason":"r"}]`, ""},
		{"empty array", `[]`, ""},
		{"not JSON", `{`, "metadata.annotations[daemonkit.io/privileges]"},
		{"null", `null`, "not a JSON array"},
		{"trailing data", `[] []`, "trailing"},
		{"unknown field", `[{"privilege":"hostPID","reason":"r","extra":1}]`, "unknown field"},
		{"unknown kind", `[{"privilege":"root","reason":"r"}]`, "[0].privilege"},
		{"missing reason", `[{"privilege":"hostPID"}]`, "[0].reason"},
		{"capability without name", `[{"privilege":"capability","container":"c","reason":"r"}]`, "[0].capability"},
		{"hostPath without volume", `[{"privilege":"writableHostPath","container":"c","reason":"r"}]`, "[0].volume"},
		{"container privilege without container", `[{"privilege":"privileged","reason":"r"}]`, "[0].container"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePrivileges(map[string]string{PrivilegesAnnotation: tt.raw})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
	if ps, err := ParsePrivileges(nil); ps != nil || err != nil {
		t.Errorf("absent annotation: %v %v", ps, err)
	}
}
