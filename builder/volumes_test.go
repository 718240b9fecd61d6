package builder

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// upstream: core/validation/validation_test.go TestValidateVolumeMounts and
// TestValidateHostPath-style cases (hostPath type, readOnly).
func TestVolumes(t *testing.T) {
	tests := []struct {
		name string
		b    *DaemonSet
		want func(t *testing.T, spec *corev1.PodSpec)
	}{
		{"hostPath volume and mount come together, read-only by default", agent(HostPath("logs", "/var/log", "/var/log", HostPathType(corev1.HostPathDirectory))),
			func(t *testing.T, spec *corev1.PodSpec) {
				v, m := spec.Volumes[0], spec.Containers[0].VolumeMounts[0]
				if v.Name != "logs" || v.HostPath.Path != "/var/log" || *v.HostPath.Type != corev1.HostPathDirectory || m.Name != "logs" || m.MountPath != "/var/log" || !m.ReadOnly {
					t.Errorf("volume %+v mount %+v", v, m)
				}
			}},
		{"Writable hostPath with a reason", agent(HostPath("state", "/var/lib/a", "/state", Writable("keeps state"), SubPath("x"), Propagation(corev1.MountPropagationHostToContainer))),
			func(t *testing.T, spec *corev1.PodSpec) {
				m := spec.Containers[0].VolumeMounts[0]
				if m.ReadOnly || m.SubPath != "x" || *m.MountPropagation != corev1.MountPropagationHostToContainer {
					t.Errorf("mount %+v", m)
				}
			}},
		{"ConfigMap and Secret volumes are read-only with mode, items, optional", agent(
			ConfigMapVolume("cfg", "agent-config", "/etc/agent", DefaultMode(0o444), Optional(), Items(corev1.KeyToPath{Key: "a", Path: "a.yaml"})),
			SecretVolume("tls", "agent-tls", "/etc/tls", DefaultMode(0o400), Optional(), Items(corev1.KeyToPath{Key: "k", Path: "k"}))),
			func(t *testing.T, spec *corev1.PodSpec) {
				cm, sec := spec.Volumes[0].ConfigMap, spec.Volumes[1].Secret
				if cm.Name != "agent-config" || *cm.DefaultMode != 0o444 || !*cm.Optional || cm.Items[0].Path != "a.yaml" {
					t.Errorf("configMap %+v", cm)
				}
				if sec.SecretName != "agent-tls" || *sec.DefaultMode != 0o400 || !*sec.Optional || len(sec.Items) != 1 {
					t.Errorf("secret %+v", sec)
				}
				for _, m := range spec.Containers[0].VolumeMounts {
					if !m.ReadOnly {
						t.Errorf("mount %+v writable", m)
					}
				}
			}},
		{"emptyDir is writable, with size and medium", agent(EmptyDirVolume("buf", "/buf", SizeLimit("1Gi"), InMemory())),
			func(t *testing.T, spec *corev1.PodSpec) {
				ed := spec.Volumes[0].EmptyDir
				if ed.SizeLimit.String() != "1Gi" || ed.Medium != corev1.StorageMediumMemory || spec.Containers[0].VolumeMounts[0].ReadOnly {
					t.Errorf("emptyDir %+v", ed)
				}
			}},
		{"projected volume", agent(ProjectedVolume("token", "/var/run/secrets/tokens", []corev1.VolumeProjection{
			{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", Audience: "vault"}}}, DefaultMode(0o440))),
			func(t *testing.T, spec *corev1.PodSpec) {
				p := spec.Volumes[0].Projected
				if p.Sources[0].ServiceAccountToken.Audience != "vault" || *p.DefaultMode != 0o440 {
					t.Errorf("projected %+v", p)
				}
			}},
		{"one volume mounted by two containers", agent(HostPath("logs", "/var/log", "/var/log")).Container("shipper", testImage, Mount("logs", "/logs")),
			func(t *testing.T, spec *corev1.PodSpec) {
				if len(spec.Volumes) != 1 || spec.Containers[1].VolumeMounts[0].Name != "logs" || !spec.Containers[1].VolumeMounts[0].ReadOnly {
					t.Errorf("spec %+v", spec)
				}
			}},
		{"mount path is the key: remounting replaces", agent(HostPath("a", "/a", "/data"), EmptyDirVolume("b", "/data")),
			func(t *testing.T, spec *corev1.PodSpec) {
				ms := spec.Containers[0].VolumeMounts
				if len(ms) != 1 || ms[0].Name != "b" || ms[0].ReadOnly {
					t.Errorf("mounts %+v", ms)
				}
			}},
		{"volume name is the key: redefining replaces", agent(HostPath("v", "/old", "/v")).Volume(corev1.Volume{Name: "v", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/new"}}}),
			func(t *testing.T, spec *corev1.PodSpec) {
				if len(spec.Volumes) != 1 || spec.Volumes[0].HostPath.Path != "/new" {
					t.Errorf("volumes %+v", spec.Volumes)
				}
			}},
		{"redefining a volume drops the old definition's problems", agent(EmptyDirVolume("v", "/v", SizeLimit("bad"))).UpdateContainer("agent", EmptyDirVolume("v", "/v")),
			func(t *testing.T, spec *corev1.PodSpec) {
				if spec.Volumes[0].EmptyDir.SizeLimit != nil {
					t.Errorf("volumes %+v", spec.Volumes)
				}
			}},
		{"RemoveVolume removes the volume and every mount of it", agent(HostPath("logs", "/var/log", "/var/log"), EmptyDirVolume("tmp", "/tmp")).
			Container("shipper", testImage, Mount("logs", "/logs")).RemoveVolume("logs"),
			func(t *testing.T, spec *corev1.PodSpec) {
				if len(spec.Volumes) != 1 || len(spec.Containers[0].VolumeMounts) != 1 || len(spec.Containers[1].VolumeMounts) != 0 {
					t.Errorf("spec %+v", spec)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.want(t, &mustBuild(t, tt.b).Spec.Template.Spec) })
	}
}

func TestMisappliedMountOptionFollowsTheMount(t *testing.T) {
	// the error moves to the mount's final index when an earlier mount goes.
	errs := buildErrs(t, agent(EmptyDirVolume("a", "/a"), SecretVolume("s", "sec", "/s", HostPathType(corev1.HostPathFile)), RemoveMount("/a")))
	if !hasErr(errs, field.ErrorTypeInvalid, "spec.template.spec.containers[0].volumeMounts[0]") || len(errs) != 1 {
		t.Errorf("errors = %v", errs.ToAggregate())
	}
	// and disappears with the mount, or when the mount is redefined.
	mustBuild(t, agent(SecretVolume("s", "sec", "/s", HostPathType(corev1.HostPathFile)), RemoveMount("/s")).RemoveVolume("s"))
	mustBuild(t, agent(SecretVolume("s", "sec", "/s", HostPathType(corev1.HostPathFile)), SecretVolume("s", "sec", "/s")))
}
