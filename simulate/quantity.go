package simulate

import (
	"math"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// ShortQuantity renders q, an amount of resource name, for people: in the
// largest unit that keeps it short, exact when it is a whole number of that
// unit and to three significant digits otherwise. Memory written in binary
// units stays binary (1216000Mi prints as 1.16Ti, 50Mi as 50Mi), decimal
// quantities stay decimal (5000 pods print as 5k), and CPU is counted in
// millicores below a core and in cores above (3900m prints as 3.9, 100m as
// 100m, 6500 as 6.5k).
// Machine-readable output should keep q.String(), which is exact.
func ShortQuantity(name corev1.ResourceName, q resource.Quantity) string {
	type unit struct {
		suffix string
		factor float64
	}
	var units []unit
	var v float64
	switch {
	case name == corev1.ResourceCPU:
		units = []unit{{"m", 1e-3}, {"", 1}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}}
		v = float64(q.MilliValue()) / 1000
	case q.Format == resource.BinarySI:
		units = []unit{{"", 1}, {"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40}, {"Pi", 1 << 50}, {"Ei", 1 << 60}}
		v = q.AsApproximateFloat64()
	default:
		units = []unit{{"m", 1e-3}, {"", 1}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18}}
		v = q.AsApproximateFloat64()
	}
	if v == 0 {
		return "0"
	}
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	u := 0
	for u+1 < len(units) && units[u+1].factor <= v {
		u++
	}
	for {
		x := v / units[u].factor
		var s string
		if x == math.Trunc(x) && x < 1e4 {
			s = strconv.FormatFloat(x, 'f', -1, 64)
		} else {
			decimals := max(0, 2-int(math.Floor(math.Log10(x))))
			s = strconv.FormatFloat(x, 'f', decimals, 64)
			if strings.Contains(s, ".") {
				s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
			}
		}
		// Rounding up may reach the next unit (1023.9Ki is 1Mi).
		if u+1 < len(units) {
			if r, err := strconv.ParseFloat(s, 64); err == nil && r*units[u].factor >= units[u+1].factor {
				u++
				continue
			}
		}
		return sign + s + units[u].suffix
	}
}
