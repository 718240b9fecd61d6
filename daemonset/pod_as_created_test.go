package daemonset

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func createdDS(spec corev1.PodSpec) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "kube-system", UID: "uid-1"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "agent"}}, Spec: spec},
		},
	}
}

// upstream: pkg/apis/core/v1/defaults_test.go TestSetDefaultPodRequests (the
// container cases), TestSetDefaultHostPort (hostNetwork cases),
// TestPodLevelResourcesDefaults (pod-level requests).
func TestPodAsCreated(t *testing.T) {
	q := resource.MustParse
	for _, tc := range []struct {
		name  string
		spec  corev1.PodSpec
		check func(t *testing.T, p *corev1.Pod)
	}{
		{"requests default to limits", corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i",
			Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{"cpu": q("200m"), "memory": q("1Gi")}}}}},
			func(t *testing.T, p *corev1.Pod) {
				want := corev1.ResourceList{"cpu": q("200m"), "memory": q("1Gi")}
				if !equality.Semantic.DeepEqual(p.Spec.Containers[0].Resources.Requests, want) {
					t.Errorf("requests = %v, want %v", p.Spec.Containers[0].Resources.Requests, want)
				}
			}},
		{"set requests kept", corev1.PodSpec{InitContainers: []corev1.Container{{Name: "i", Image: "i",
			Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{"cpu": q("2")}, Requests: corev1.ResourceList{"cpu": q("1")}}}},
			Containers: []corev1.Container{{Name: "c", Image: "i"}}},
			func(t *testing.T, p *corev1.Pod) {
				if got := p.Spec.InitContainers[0].Resources.Requests.Cpu().String(); got != "1" {
					t.Errorf("init requests cpu = %s, want 1", got)
				}
			}},
		{"hostNetwork ports become host ports", corev1.PodSpec{HostNetwork: true, Containers: []corev1.Container{{Name: "c", Image: "i",
			Ports: []corev1.ContainerPort{{ContainerPort: 9100}, {ContainerPort: 9200, HostPort: 9200}}}}},
			func(t *testing.T, p *corev1.Pod) {
				if got := []int32{p.Spec.Containers[0].Ports[0].HostPort, p.Spec.Containers[0].Ports[1].HostPort}; !cmp.Equal(got, []int32{9100, 9200}) {
					t.Errorf("host ports = %v", got)
				}
			}},
		{"no host ports without hostNetwork", corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i",
			Ports: []corev1.ContainerPort{{ContainerPort: 9100}}}}},
			func(t *testing.T, p *corev1.Pod) {
				if hp := p.Spec.Containers[0].Ports[0].HostPort; hp != 0 {
					t.Errorf("hostPort = %d, want 0", hp)
				}
			}},
		{"pod-level requests from limits", corev1.PodSpec{Resources: &corev1.ResourceRequirements{Limits: corev1.ResourceList{"cpu": q("1"), "memory": q("1Gi")}},
			Containers: []corev1.Container{{Name: "c", Image: "i"}}},
			func(t *testing.T, p *corev1.Pod) {
				want := corev1.ResourceList{"cpu": q("1"), "memory": q("1Gi")}
				if !equality.Semantic.DeepEqual(p.Spec.Resources.Requests, want) {
					t.Errorf("pod requests = %v, want %v", p.Spec.Resources.Requests, want)
				}
			}},
		{"pod defaults and the controller's pod", corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i"}}},
			func(t *testing.T, p *corev1.Pod) {
				if p.Spec.RestartPolicy != corev1.RestartPolicyAlways || p.Spec.DNSPolicy != corev1.DNSClusterFirst ||
					p.Spec.EnableServiceLinks == nil || !*p.Spec.EnableServiceLinks {
					t.Errorf("pod spec not defaulted: %+v", p.Spec)
				}
				if got, err := TargetNodeName(p); err != nil || got != "node-1" {
					t.Errorf("TargetNodeName = %q, %v; want node-1", got, err)
				}
				if ref := metav1.GetControllerOf(p); ref == nil || ref.UID != "uid-1" || ref.Kind != "DaemonSet" {
					t.Errorf("controller ref = %+v", ref)
				}
				if p.Labels[ControllerRevisionHashLabel] == "" {
					t.Error("no controller-revision-hash label")
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := createdDS(tc.spec)
			before := ds.DeepCopy()
			p := PodAsCreated(ds, "node-1")
			if !equality.Semantic.DeepEqual(ds, before) {
				t.Fatalf("PodAsCreated modified ds: %s", cmp.Diff(before, ds))
			}
			tc.check(t, p)
		})
	}
}

func TestWithPodOnlyDefaultsLeavesPodAlone(t *testing.T) {
	p := &corev1.Pod{Spec: corev1.PodSpec{HostNetwork: true, Containers: []corev1.Container{{Name: "c",
		Ports:     []corev1.ContainerPort{{ContainerPort: 80}},
		Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{"cpu": resource.MustParse("1")}}}}}}
	before := p.DeepCopy()
	got := WithPodOnlyDefaults(p)
	if !equality.Semantic.DeepEqual(p, before) {
		t.Fatalf("WithPodOnlyDefaults modified its argument: %s", cmp.Diff(before, p))
	}
	if got.Spec.Containers[0].Ports[0].HostPort != 80 || got.Spec.Containers[0].Resources.Requests.Cpu().String() != "1" {
		t.Errorf("not defaulted: %+v", got.Spec.Containers[0])
	}
	plain := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}}}
	if WithPodOnlyDefaults(plain) != plain {
		t.Error("a pod needing no defaults was copied")
	}
	if WithPodOnlyDefaults(nil) != nil {
		t.Error("nil pod")
	}
}

func TestPodAsCreatedForRevision(t *testing.T) {
	ds := createdDS(corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i"}}})
	if got := PodAsCreatedForRevision(ds, "n", "abc").Labels[ControllerRevisionHashLabel]; got != "abc" {
		t.Errorf("hash label = %q, want abc", got)
	}
	if _, ok := PodAsCreatedForRevision(ds, "n", "").Labels[ControllerRevisionHashLabel]; ok {
		t.Error("an empty hash set the label")
	}
	full, bare := PodAsCreated(ds, "n"), PodAsCreatedForRevision(ds, "n", "")
	if !equality.Semantic.DeepEqual(full.Spec, bare.Spec) {
		t.Errorf("specs differ: %s", cmp.Diff(full.Spec, bare.Spec))
	}
	stored := ds.DeepCopy()
	SetDefaults(stored)
	if got, want := full.Labels[ControllerRevisionHashLabel], RevisionHash(stored); got != want {
		t.Errorf("PodAsCreated hash %q, want the stored DaemonSet's %q", got, want)
	}
}
