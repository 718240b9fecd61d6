package main

import (
	"flag"
	"fmt"
	"slices"
	"strings"
)

// failOnFlag is --fail-on LIST: the conditions that make a command exit 1
// (usage errors keep exit status 2). Each command has its own conditions;
// "none" clears the list.
type failOnFlag struct {
	known []string // the command's conditions, in help order
	set   []string // chosen, in known order
}

// registerFailOn adds --fail-on with the conditions known (each "name:
// meaning") and the default list.
func registerFailOn(fs *flag.FlagSet, defaults []string, known ...string) *failOnFlag {
	f := &failOnFlag{set: defaults}
	var help []string
	for _, k := range known {
		name, meaning, _ := strings.Cut(k, ": ")
		f.known = append(f.known, name)
		help = append(help, name+" ("+meaning+")")
	}
	fs.Var(f, "fail-on", "exit 1 when one of these conditions holds, a comma-separated `LIST` of "+
		strings.Join(help, ", ")+"; none: never (default "+strings.Join(defaults, ",")+")")
	return f
}

func (f *failOnFlag) String() string {
	if f == nil {
		return ""
	}
	return strings.Join(f.set, ",")
}

func (f *failOnFlag) Set(v string) error {
	var set []string
	for _, c := range strings.Split(v, ",") {
		c = strings.TrimSpace(c)
		switch {
		case c == "" || c == "none":
		case slices.Contains(f.known, c):
			if !slices.Contains(set, c) {
				set = append(set, c)
			}
		default:
			return fmt.Errorf("unknown condition %q (expected %s or none)", c, strings.Join(f.known, ", "))
		}
	}
	slices.SortFunc(set, func(a, b string) int { return slices.Index(f.known, a) - slices.Index(f.known, b) })
	f.set = set
	return nil
}

// on says whether condition c was chosen.
func (f *failOnFlag) on(c string) bool { return slices.Contains(f.set, c) }

// failed collects the chosen conditions that held, with what they found.
type failed struct {
	names []string
	why   []string
}

// check records condition c when it is chosen and n > 0.
func (fl *failed) check(f *failOnFlag, c string, n int, what string) {
	if f.on(c) && n > 0 {
		fl.names = append(fl.names, c)
		fl.why = append(fl.why, what)
	}
}

// err is the exit-1 error naming the conditions that held, or nil.
func (fl *failed) err() error {
	if len(fl.names) == 0 {
		return nil
	}
	return findingsError{"--fail-on " + strings.Join(fl.names, ",") + ": " + strings.Join(fl.why, "; ")}
}
