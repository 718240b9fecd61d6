package conformance

import (
	"github.com/daemonkit/daemonkit/simulate/simtest"
	"testing"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/kubernetes/pkg/controller"
	"pgregory.net/rapid"
	"sigs.k8s.io/randfill"

	appsv1defaults "k8s.io/kubernetes/pkg/apis/apps/v1"
)

// TestComputeHashVectors checks spec §4.4's verified vectors on both sides.
func TestComputeHashVectors(t *testing.T) {
	one := int32(1)
	minimal := appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{}}}
	minimal.Spec.Template.Labels = map[string]string{"app": "demo"}
	minimal.Spec.Template.Spec.Containers = []corev1.Container{{Name: "c", Image: "nginx:1.27"}}
	appsv1defaults.SetObjectDefaults_DaemonSet(&minimal)
	for _, tc := range []struct {
		name  string
		tmpl  *corev1.PodTemplateSpec
		count *int32
		want  string
	}{
		{"empty template", &corev1.PodTemplateSpec{}, nil, "54f4c57dcb"},
		{"minimal defaulted template", &minimal.Spec.Template, nil, "786c7fb8b6"},
		{"minimal defaulted template, collisionCount 1", &minimal.Spec.Template, &one, "56c875c7f5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := controller.ComputeHash(tc.tmpl, tc.count); got != tc.want {
				t.Fatalf("upstream = %s, spec says %s", got, tc.want)
			}
			if got := daemonset.ComputeHash(tc.tmpl, tc.count); got != tc.want {
				t.Fatalf("ComputeHash = %s, want %s", got, tc.want)
			}
		})
	}
}

// randTemplate fills a PodTemplateSpec from seed with randfill: every field
// of the real struct, nil or set, lists of 0-2 elements.
func randTemplate(seed int64) corev1.PodTemplateSpec {
	f := randfill.NewWithSeed(seed).NilChance(0.4).NumElements(0, 2).MaxDepth(8).Funcs(
		func(q *resource.Quantity, c randfill.Continue) {
			*q = *resource.NewQuantity(c.Int63n(1<<20), resource.DecimalSI)
		},
	)
	var tmpl corev1.PodTemplateSpec
	f.Fill(&tmpl)
	return tmpl
}

// TestComputeHashMatchesUpstream compares ComputeHash with upstream's
// controller.ComputeHash on randfill-generated templates and collision counts.
func TestComputeHashMatchesUpstream(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tmpl := randTemplate(rapid.Int64().Draw(t, "seed"))
		count := rapid.Ptr(rapid.Int32(), true).Draw(t, "collisionCount")
		if got, want := daemonset.ComputeHash(&tmpl, count), controller.ComputeHash(&tmpl, count); got != want {
			t.Fatalf("ComputeHash = %s, upstream %s", got, want)
		}
	})
}

// TestRevisionHashMatchesUpstreamOnDefaulted hashes upstream-defaulted
// DaemonSets (generated placement inputs plus containers) both ways.
func TestRevisionHashMatchesUpstreamOnDefaulted(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ds := simtest.CornerDaemonSet().Draw(t, "ds")
		ds.Spec.Template.Labels = simtest.CornerLabels(3).Draw(t, "labels")
		n := rapid.IntRange(1, 2).Draw(t, "containers")
		for i := 0; i < n; i++ {
			ds.Spec.Template.Spec.Containers = append(ds.Spec.Template.Spec.Containers, corev1.Container{
				Name:  rapid.SampledFrom([]string{"a", "b", "agent"}).Draw(t, "name"),
				Image: rapid.SampledFrom([]string{"nginx:1.27", "busybox", "busybox:latest"}).Draw(t, "image"),
				Ports: rapid.SliceOfN(rapid.Custom(func(t *rapid.T) corev1.ContainerPort {
					return corev1.ContainerPort{ContainerPort: rapid.Int32Range(1, 65535).Draw(t, "port")}
				}), 0, 2).Draw(t, "ports"),
			})
		}
		ds.Status.CollisionCount = rapid.Ptr(rapid.Int32Range(0, 5), true).Draw(t, "collisionCount")
		appsv1defaults.SetObjectDefaults_DaemonSet(ds)
		if got, want := daemonset.RevisionHash(ds), controller.ComputeHash(&ds.Spec.Template, ds.Status.CollisionCount); got != want {
			t.Fatalf("RevisionHash = %s, upstream %s", got, want)
		}
	})
}
