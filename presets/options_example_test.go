package presets_test

import (
	"fmt"
	"reflect"

	"github.com/daemonkit/daemonkit/presets"
)

// Options and Make let a tool set a preset's options by name, as the CLI's
// --set does, without knowing each preset's options type.
func ExamplePreset_options() {
	p, _ := presets.Lookup("fluent-bit")
	options := p.Options() // *presets.FluentBitOptions
	reflect.ValueOf(options).Elem().FieldByName("Namespace").SetString("observability")
	b, companions, err := p.Make(options)
	if err != nil {
		panic(err)
	}
	ds, err := b.Build()
	if err != nil {
		panic(err)
	}
	fmt.Printf("%T\n", options)
	fmt.Println(ds.Namespace, ds.Name, len(companions.Objects()) > 0)
	// Output:
	// *presets.FluentBitOptions
	// observability fluent-bit true
}
