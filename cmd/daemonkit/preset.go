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
	var settings presets.Settings
	for _, s := range sets {
		if s == "help" {
			return printOptions(e, p)
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return usagef("preset: --set %q: expected key=value ('daemonkit preset %s --set help' lists the keys)", s, name)
		}
		if _, isOption := fieldByFold(reflect.TypeOf(options).Elem(), k); isOption {
			set[k] = v
			continue
		}
		if err := settings.Set(k, v); err != nil {
			if strings.HasPrefix(err.Error(), "unknown setting") {
				return usagef("preset %s: unknown option %q (known: %s; 'daemonkit preset %s --set help' explains them)",
					name, k, strings.Join(append(optionNames(reflect.TypeOf(options).Elem()), settingNames(reflect.TypeOf(options).Elem())...), ", "), name)
			}
			return usagef("preset %s: --set %s: %v", name, k, err)
		}
	}
	if err := setOptions(reflect.ValueOf(options).Elem(), set); err != nil {
		return usagef("preset %s: %v", name, err)
	}
	b, comps, err := p.Make(options)
	if err != nil {
		return err
	}
	b = settings.Apply(b)
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

// settingNames are the keys every preset takes (presets.SettingKeys) that
// no option of the preset's options type t shadows.
func settingNames(t reflect.Type) []string {
	var out []string
	for _, k := range presets.SettingKeys() {
		if _, shadowed := fieldByFold(t, k.Key); !shadowed {
			out = append(out, k.Key)
		}
	}
	return out
}

// printOptions lists the preset's own options and the settings every preset
// takes, each as key=default and a line of meaning.
func printOptions(e *env, p presets.Preset) error {
	defaults := reflect.ValueOf(p.Defaults()).Elem()
	t := defaults.Type()
	w := e.stdout
	fmt.Fprintf(w, "Options of preset %s (--set key=value; the value shown is the default):\n", p.Name)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		fmt.Fprintf(w, "  %s=%s\n      %s\n", lowerFirst(f.Name), optionValue(defaults.Field(i)), f.Tag.Get("help"))
	}
	ds, err := p.Builder().Build()
	if err != nil {
		return fmt.Errorf("preset %s does not build: %w", p.Name, err)
	}
	current := presets.CurrentSettings(ds)
	fmt.Fprintf(w, "\nSettings every preset takes (--set key=value; the value shown is %s's):\n", p.Name)
	for _, k := range presets.SettingKeys() {
		if _, shadowed := fieldByFold(t, k.Key); shadowed {
			continue // the preset's own option of that name applies
		}
		fmt.Fprintf(w, "  %s=%s\n      %s\n", k.Key, current[k.Key], k.Help)
	}
	return nil
}

// optionValue renders an option's default as --set takes it.
func optionValue(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Slice:
		var parts []string
		for i := 0; i < v.Len(); i++ {
			parts = append(parts, fmt.Sprint(v.Index(i).Interface()))
		}
		return strings.Join(parts, ",")
	case reflect.Map:
		var parts []string
		for _, k := range v.MapKeys() {
			parts = append(parts, fmt.Sprintf("%v=%v", k.Interface(), v.MapIndex(k).Interface()))
		}
		sort.Strings(parts)
		return strings.Join(parts, ",")
	case reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		return optionValue(v.Elem())
	}
	return fmt.Sprint(v.Interface())
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
