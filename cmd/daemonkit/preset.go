package main

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/presets"
	"k8s.io/apimachinery/pkg/runtime"
)

const presetUsage = "NAME [--set key=value ...] [--no-companions]\n       daemonkit preset list"

func runPreset(e *env, args []string) error {
	fs := newFlags(e, "preset", presetUsage)
	var sets stringList
	fs.Var(&sets, "set", "set an option of the preset, `key=value` (repeatable; 'daemonkit preset NAME --set help' lists them)")
	noCompanions := fs.Bool("no-companions", false, "print only the DaemonSet")
	// The preset name comes first; flags may follow it.
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	}
	if name == "" || name == "list" {
		if name == "" {
			return usagef("preset: no preset name given; 'daemonkit preset list' shows them")
		}
		for _, p := range presets.Catalog() {
			fmt.Fprintf(e.stdout, "%-14s %-11s %s\n", p.Name, p.Level, p.Source)
		}
		return nil
	}
	p, ok := presets.Lookup(name)
	if !ok {
		var names []string
		for _, p := range presets.Catalog() {
			names = append(names, p.Name)
		}
		return usagef("preset: unknown preset %q (known: %s)", name, strings.Join(names, ", "))
	}
	options := p.Options()
	set := map[string]string{}
	for _, s := range sets {
		if s == "help" {
			printOptions(e, name, reflect.TypeOf(options).Elem())
			return nil
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return usagef("preset: --set %q: expected key=value", s)
		}
		set[k] = v
	}
	if err := setOptions(reflect.ValueOf(options).Elem(), set); err != nil {
		return usagef("preset %s: %v", name, err)
	}
	b, comps, err := p.Make(options)
	if err != nil {
		return err
	}
	ds, err := b.Build()
	if err != nil {
		return fmt.Errorf("preset %s does not build with these options:\n%w", name, err)
	}
	var objs []runtime.Object
	if !*noCompanions {
		objs = comps.Objects()
	}
	objs = append(objs, ds)
	out, err := daemonset.EncodeYAML(objs...)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "# daemonkit preset %s: %s\n# Pod Security level: %s (%s)\n", p.Name, p.Source, p.Level, p.LevelReason)
	_, err = e.stdout.Write(out)
	return err
}

// setOptions assigns --set values to the exported fields of an options
// struct, matching names case-insensitively.
func setOptions(v reflect.Value, set map[string]string) error {
	t := v.Type()
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, ok := fieldByFold(t, k)
		if !ok {
			return fmt.Errorf("unknown option %q (known: %s)", k, strings.Join(optionNames(t), ", "))
		}
		if err := setValue(v.FieldByIndex(f.Index), set[k]); err != nil {
			return fmt.Errorf("option %s=%q: %v", k, set[k], err)
		}
	}
	return nil
}

func fieldByFold(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.IsExported() && strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func setValue(v reflect.Value, s string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("expected true or false")
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("expected an integer")
		}
		v.SetInt(n)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("cannot be set from the command line")
		}
		var parts []string
		if s != "" {
			parts = strings.Split(s, ",")
		}
		v.Set(reflect.ValueOf(parts).Convert(v.Type()))
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String || v.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("cannot be set from the command line")
		}
		m := reflect.MakeMap(v.Type())
		for _, kv := range strings.Split(s, ",") {
			if kv == "" {
				continue
			}
			k, val, ok := strings.Cut(kv, "=")
			if !ok {
				return fmt.Errorf("expected key=value pairs separated by commas")
			}
			m.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), reflect.ValueOf(val).Convert(v.Type().Elem()))
		}
		v.Set(m)
	case reflect.Pointer:
		nv := reflect.New(v.Type().Elem())
		if err := setValue(nv.Elem(), s); err != nil {
			return err
		}
		v.Set(nv)
	default:
		return fmt.Errorf("cannot be set from the command line")
	}
	return nil
}

func optionNames(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.IsExported() {
			names = append(names, lowerFirst(f.Name))
		}
	}
	return names
}

func printOptions(e *env, name string, t reflect.Type) {
	fmt.Fprintf(e.stdout, "Options of preset %s (--set key=value; see 'go doc github.com/daemonkit/daemonkit/presets.%s'):\n", name, t.Name())
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.IsExported() {
			fmt.Fprintf(e.stdout, "  %-20s %s\n", lowerFirst(f.Name), f.Type)
		}
	}
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	// Keep initialisms readable: DCGMImage -> dcgmImage.
	i := 0
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' {
		i++
	}
	switch {
	case i == 0:
		return s
	case i == 1 || i == len(s):
		return strings.ToLower(s[:i]) + s[i:]
	default:
		return strings.ToLower(s[:i-1]) + s[i-1:]
	}
}
