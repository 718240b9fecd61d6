package conformance

import (
	"math/rand"
	"reflect"

	"gopkg.in/inf.v0"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/randfill"
)

// randomDaemonSet fills a fresh DaemonSet from seed with randfill: every field
// of the API type, with wide values (random unicode strings, any integers,
// every optional struct present or nil), then sparsifies it — blanks about a
// third of the strings and zeroes about a third of the integers reachable
// through structs, pointers and slices — so that the defaulting branches,
// which fire on empty values, are taken as often as the ones that keep a value.
// Quantities are real ones (int64- and inf.Dec-backed, every scale and format).
func randomDaemonSet(seed int64) *appsv1.DaemonSet {
	f := randfill.NewWithSeed(seed).NilChance(0.3).NumElements(0, 2).Funcs(
		func(q *resource.Quantity, c randfill.Continue) { *q = randomQuantity(c.Rand) },
		// managedFields must hold JSON to marshal; defaulting never reads them.
		func(f *metav1.FieldsV1, c randfill.Continue) { f.Raw = []byte(`{"f:spec":{}}`) },
	)
	ds := &appsv1.DaemonSet{}
	f.Fill(ds)
	sparsify(reflect.ValueOf(ds).Elem(), rand.New(rand.NewSource(seed^0x5eed)))
	return ds
}

var quantityFormats = []resource.Format{resource.DecimalSI, resource.BinarySI, resource.DecimalExponent}

var quantityStrings = []string{"0", "0.0001", "1.5Gi", "100m", "100.5m", "1e30", "12345678901234567890123",
	"0.000000001", "1n", "-1.0001", "7Ei", "129e6", "1.0000000000000000001"}

func randomQuantity(r *rand.Rand) resource.Quantity {
	format := quantityFormats[r.Intn(len(quantityFormats))]
	switch r.Intn(4) {
	case 0:
		return *resource.NewScaledQuantity(r.Int63n(2_000_000_000_000)-1_000_000_000_000, resource.Scale(r.Intn(25)-12))
	case 1:
		return *resource.NewMilliQuantity(r.Int63n(1_000_000), format)
	case 2:
		return resource.MustParse(quantityStrings[r.Intn(len(quantityStrings))])
	default:
		return *resource.NewDecimalQuantity(*inf.NewDec(r.Int63()-r.Int63(), inf.Scale(r.Intn(30)-10)), format)
	}
}

var quantityType = reflect.TypeFor[resource.Quantity]()

// sparsify walks v and blanks strings and zeroes integers with probability
// 1/3 each. Map values are not addressable and are left as filled.
func sparsify(v reflect.Value, r *rand.Rand) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() && r.Intn(3) == 0 {
			v.SetString("")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if v.CanSet() && r.Intn(3) == 0 {
			v.SetInt(0)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			sparsify(v.Elem(), r)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			sparsify(v.Index(i), r)
		}
	case reflect.Struct:
		if v.Type() == quantityType {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				sparsify(v.Field(i), r)
			}
		}
	}
}
