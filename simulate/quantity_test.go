package simulate

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"pgregory.net/rapid"
)

func TestShortQuantity(t *testing.T) {
	tests := []struct {
		name corev1.ResourceName
		in   string
		want string
	}{
		{corev1.ResourceMemory, "1216000Mi", "1.16Ti"},
		{corev1.ResourceMemory, "250000Mi", "244Gi"},
		{corev1.ResourceMemory, "1950Mi", "1.9Gi"},
		{corev1.ResourceMemory, "50Mi", "50Mi"},
		{corev1.ResourceMemory, "1000Mi", "1000Mi"},
		{corev1.ResourceMemory, "1536Mi", "1.5Gi"},
		{corev1.ResourceMemory, "1048575Ki", "1Gi"}, // 1023.999Mi rounds up to the next unit
		{corev1.ResourceMemory, "64925180Ki", "61.9Gi"},
		{corev1.ResourceMemory, "512", "512"},
		{corev1.ResourceMemory, "5G", "5G"},
		{corev1.ResourceMemory, "1500M", "1.5G"},
		{corev1.ResourceMemory, "0", "0"},
		{corev1.ResourceEphemeralStorage, "95551679124", "95.6G"},
		{corev1.ResourceCPU, "100m", "100m"},
		{corev1.ResourceCPU, "3900m", "3.9"},
		{corev1.ResourceCPU, "500", "500"},
		{corev1.ResourceCPU, "6500", "6.5k"},
		{corev1.ResourceCPU, "12345", "12.3k"},
		{corev1.ResourceCPU, "1234m", "1.23"},
		{corev1.ResourcePods, "110", "110"},
		{corev1.ResourcePods, "5000", "5k"},
		{corev1.ResourcePods, "7150000", "7.15M"},
		{"nvidia.com/gpu", "8", "8"},
		{corev1.ResourceMemory, "-50Mi", "-50Mi"},
	}
	for _, tc := range tests {
		if got := ShortQuantity(tc.name, resource.MustParse(tc.in)); got != tc.want {
			t.Errorf("ShortQuantity(%s, %s) = %s, want %s", tc.name, tc.in, got, tc.want)
		}
	}
}

// What ShortQuantity prints parses back to within half a percent of the
// quantity, and is never longer than seven characters for amounts a
// cluster can hold.
func TestShortQuantityIsCloseAndShort(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		name := rapid.SampledFrom([]corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourcePods}).Draw(t, "name")
		v := rapid.Int64Range(1, 1<<55).Draw(t, "v")
		var q *resource.Quantity
		switch name {
		case corev1.ResourceCPU:
			q = resource.NewMilliQuantity(v, resource.DecimalSI)
		case corev1.ResourceMemory:
			q = resource.NewQuantity(v, rapid.SampledFrom([]resource.Format{resource.BinarySI, resource.DecimalSI}).Draw(t, "format"))
		default:
			q = resource.NewQuantity(v, resource.DecimalSI)
		}
		s := ShortQuantity(name, *q)
		back, err := resource.ParseQuantity(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if name == corev1.ResourceCPU {
			back = *resource.NewMilliQuantity(back.MilliValue(), resource.DecimalSI)
		}
		want, got := q.AsApproximateFloat64(), back.AsApproximateFloat64()
		if d := (got - want) / want; d > 0.005 || d < -0.005 {
			t.Fatalf("%s (%s) reads back as %s", q, s, back.String())
		}
		if len(s) > 7 {
			t.Fatalf("%s prints as %q", q, s)
		}
	})
}

func ExampleShortQuantity() {
	for _, q := range []string{"1216000Mi", "50Mi", "1950Mi"} {
		fmt.Println(ShortQuantity(corev1.ResourceMemory, resource.MustParse(q)))
	}
	fmt.Println(ShortQuantity(corev1.ResourceCPU, resource.MustParse("3900m")))
	// Output:
	// 1.16Ti
	// 50Mi
	// 1.9Gi
	// 3.9
}
