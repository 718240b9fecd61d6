package daemonset

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Hash vectors, verified against upstream pkg/controller/controller_utils.go
// ComputeHash.
func TestComputeHashVectors(t *testing.T) {
	one := int32(1)
	minimal := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "demo"}},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name: "c", Image: "nginx:1.27", ImagePullPolicy: corev1.PullIfNotPresent,
				TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: corev1.TerminationMessageReadFile,
			}},
			RestartPolicy: corev1.RestartPolicyAlways, DNSPolicy: corev1.DNSClusterFirst,
			SchedulerName: "default-scheduler", SecurityContext: &corev1.PodSecurityContext{},
			TerminationGracePeriodSeconds: func() *int64 { v := int64(30); return &v }(),
		},
	}
	for _, tc := range []struct {
		name  string
		tmpl  *corev1.PodTemplateSpec
		count *int32
		want  string
	}{
		{"empty template", &corev1.PodTemplateSpec{}, nil, "54f4c57dcb"},
		{"nil template hashes as empty", nil, nil, "54f4c57dcb"},
		{"minimal defaulted template", &minimal, nil, "786c7fb8b6"},
		{"minimal defaulted template, collisionCount 1", &minimal, &one, "56c875c7f5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ComputeHash(tc.tmpl, tc.count); got != tc.want {
				t.Fatalf("ComputeHash = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestRevisionHash(t *testing.T) {
	ds := &appsv1.DaemonSet{}
	if got := RevisionHash(ds); got != "54f4c57dcb" {
		t.Fatalf("RevisionHash(empty) = %s", got)
	}
	if got := RevisionHash(nil); got != "54f4c57dcb" {
		t.Fatalf("RevisionHash(nil) = %s", got)
	}
	// DaemonSet-level fields do not change the hash (TestDaemonSetUpdatesNoTemplateChanged).
	ds2 := ds.DeepCopy()
	ds2.Spec.MinReadySeconds = 10
	ds2.Labels = map[string]string{"x": "y"}
	ds2.Spec.UpdateStrategy.Type = appsv1.OnDeleteDaemonSetStrategyType
	if RevisionHash(ds2) != RevisionHash(ds) {
		t.Fatalf("DaemonSet-level fields changed the hash")
	}
	count := int32(0)
	ds2.Status.CollisionCount = &count
	if RevisionHash(ds2) == RevisionHash(ds) {
		t.Fatalf("a set collisionCount (even 0) must change the hash")
	}
}

func TestTemplateGeneration(t *testing.T) {
	for _, tc := range []struct {
		name       string
		annotation map[string]string
		want       *int64
	}{
		{"absent", nil, nil},
		{"parses", map[string]string{TemplateGenerationAnnotation: "7"}, func() *int64 { v := int64(7); return &v }()},
		{"negative parses", map[string]string{TemplateGenerationAnnotation: "-1"}, func() *int64 { v := int64(-1); return &v }()},
		{"unparsable is absent", map[string]string{TemplateGenerationAnnotation: "x"}, nil},
		{"empty is absent", map[string]string{TemplateGenerationAnnotation: ""}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := TemplateGeneration(&appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Annotations: tc.annotation}})
			if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
				t.Fatalf("TemplateGeneration = %v, want %v", got, tc.want)
			}
		})
	}
}

// upstream: daemonset_util_test.go TestIsPodUpdated
func TestIsPodUpdated(t *testing.T) {
	gen, badGen := int64(12345), int64(12350)
	hash := "55555"
	labels := map[string]string{TemplateGenerationLabel: "12345", ControllerRevisionHashLabel: hash}
	labelsNoHash := map[string]string{TemplateGenerationLabel: "12345"}
	pod := func(l map[string]string) *corev1.Pod { return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Labels: l}} }
	for _, tc := range []struct {
		name string
		gen  *int64
		pod  *corev1.Pod
		hash string
		want bool
	}{
		{"templateGeneration and hash both match", &gen, pod(labels), hash, true},
		{"templateGeneration matches, hash doesn't", &gen, pod(labels), hash + "123", true},
		{"templateGeneration matches, no hash label, has hash", &gen, pod(labelsNoHash), hash, true},
		{"templateGeneration matches, no hash label, no hash", &gen, pod(labelsNoHash), "", true},
		{"templateGeneration matches, has hash label, no hash", &gen, pod(labels), "", true},
		{"templateGeneration doesn't match, hash does", &badGen, pod(labels), hash, true},
		{"templateGeneration and hash don't match", &badGen, pod(labels), hash + "123", false},
		{"empty labels, no hash", &gen, pod(map[string]string{}), "", false},
		{"empty labels", &gen, pod(map[string]string{}), hash, false},
		{"no labels", &gen, pod(nil), hash, false},
		{"no generation, hash matches", nil, pod(labels), hash, true},
		{"empty hash never matches an empty label", nil, pod(map[string]string{ControllerRevisionHashLabel: ""}), "", false},
		{"nil pod", &gen, nil, hash, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsPodUpdated(tc.pod, tc.hash, tc.gen); got != tc.want {
				t.Fatalf("IsPodUpdated = %v, want %v", got, tc.want)
			}
		})
	}
}

func BenchmarkRevisionHash(b *testing.B) {
	ds := plDS(func(s *corev1.PodSpec) { s.HostNetwork = true })
	b.ReportAllocs()
	for b.Loop() {
		RevisionHash(ds)
	}
}
