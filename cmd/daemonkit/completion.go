package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/daemonkit/daemonkit/presets"
	"github.com/daemonkit/daemonkit/simulate"
)

// runCompletion prints a shell completion script built from the commands'
// own flag sets, so it never lists a flag that does not exist.
func runCompletion(e *env, args []string) error {
	fs := newFlags(e, "completion", "bash|zsh|fish\n\n"+
		"  bash:  source <(daemonkit completion bash)\n"+
		"  zsh:   source <(daemonkit completion zsh)\n"+
		"  fish:  daemonkit completion fish | source")
	err := fs.Parse(args)
	if h, ok := fs.Lookup("h").Value.(*helpFlag); ok && h.asked {
		h.show()
		return nil
	}
	if err != nil {
		return usagef("completion: %v", err)
	}
	if fs.NArg() != 1 {
		return usagef("completion: give one shell: bash, zsh or fish")
	}
	cmds, err := completionCommands()
	if err != nil {
		return err
	}
	switch fs.Arg(0) {
	case "bash":
		writeBashCompletion(e.stdout, cmds, false)
	case "zsh":
		writeBashCompletion(e.stdout, cmds, true)
	case "fish":
		writeFishCompletion(e.stdout, cmds)
	default:
		return usagef("completion: unknown shell %q: expected bash, zsh or fish", fs.Arg(0))
	}
	return nil
}

// completionCommand is a command and its flags, for completion.
type completionCommand struct {
	name, summary string
	flags         []completionFlag
	// args are the words the command takes as arguments (preset names).
	args []string
}

type completionFlag struct {
	name, usage string
	// takesValue is false for boolean flags.
	takesValue bool
	// file says the value is a file name; values lists the fixed choices.
	file   bool
	values []string
}

// completionCommands runs every command with -h and collectFlags set, so the
// flag sets are the ones the commands parse.
func completionCommands() ([]completionCommand, error) {
	var out []completionCommand
	for _, c := range commands {
		cc := completionCommand{name: c.name, summary: c.summary}
		e := &env{stdout: io.Discard, stderr: io.Discard, collectFlags: func(fs *flag.FlagSet) {
			fs.VisitAll(func(f *flag.Flag) {
				if f.Name == "h" || f.Name == "help" {
					return
				}
				placeholder, usage := flag.UnquoteUsage(f)
				cf := completionFlag{name: f.Name, usage: usage, takesValue: placeholder != ""}
				cf.file = strings.Contains(placeholder, "FILE") || strings.Contains(placeholder, "DIR")
				switch f.Name {
				case "o":
					cf.values = []string{"text", "json", "yaml"}
				case "cluster":
					for _, s := range simulate.Shapes() {
						cf.values = append(cf.values, s.Name)
					}
				}
				cc.flags = append(cc.flags, cf)
			})
		}}
		if err := helpOK(c.run(e, []string{"-h"})); err != nil {
			return nil, fmt.Errorf("completion: %s: %w", c.name, err)
		}
		switch c.name {
		case "preset":
			for _, p := range presets.Catalog() {
				cc.args = append(cc.args, p.Name)
			}
		case "completion":
			cc.args = []string{"bash", "zsh", "fish"}
		}
		sort.Slice(cc.flags, func(i, j int) bool { return cc.flags[i].name < cc.flags[j].name })
		out = append(out, cc)
	}
	return out, nil
}

func flagWord(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// writeBashCompletion writes a bash completion function; zsh runs it through
// bashcompinit.
func writeBashCompletion(w io.Writer, cmds []completionCommand, zsh bool) {
	if zsh {
		fmt.Fprintln(w, "#compdef daemonkit")
		fmt.Fprintln(w, "# zsh completion for daemonkit: source <(daemonkit completion zsh)")
		fmt.Fprintln(w, "autoload -U +X bashcompinit && bashcompinit")
	} else {
		fmt.Fprintln(w, "# bash completion for daemonkit: source <(daemonkit completion bash)")
	}
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
	}
	fmt.Fprintln(w, "_daemonkit() {")
	fmt.Fprintln(w, `  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"`)
	fmt.Fprintln(w, `  COMPREPLY=()`)
	fmt.Fprintln(w, `  if [ "$COMP_CWORD" -eq 1 ]; then`)
	fmt.Fprintf(w, "    COMPREPLY=( $(compgen -W %q -- \"$cur\") )\n", strings.Join(append(names, "help", "--version"), " "))
	fmt.Fprintln(w, "    return")
	fmt.Fprintln(w, "  fi")
	fmt.Fprintln(w, `  case "${COMP_WORDS[1]}" in`)
	for _, c := range cmds {
		fmt.Fprintf(w, "  %s)\n", c.name)
		fmt.Fprintln(w, `    case "$prev" in`)
		var words []string
		for _, f := range c.flags {
			word := flagWord(f.name)
			words = append(words, word)
			pattern := word // Go's flag package takes -name and --name
			if len(f.name) > 1 {
				pattern += "|-" + f.name
			}
			switch {
			case f.file:
				fmt.Fprintf(w, "    %s) COMPREPLY=( $(compgen -f -- \"$cur\") ); compopt -o filenames 2>/dev/null; return ;;\n", pattern)
			case len(f.values) > 0:
				fmt.Fprintf(w, "    %s) COMPREPLY=( $(compgen -W %q -- \"$cur\") ); return ;;\n", pattern, strings.Join(f.values, " "))
			case f.takesValue:
				fmt.Fprintf(w, "    %s) return ;;\n", pattern)
			}
		}
		fmt.Fprintln(w, "    esac")
		fmt.Fprintf(w, "    COMPREPLY=( $(compgen -W %q -- \"$cur\") )\n", strings.Join(append(words, c.args...), " "))
		fmt.Fprintln(w, "    ;;")
	}
	fmt.Fprintf(w, "  help) COMPREPLY=( $(compgen -W %q -- \"$cur\") ) ;;\n", strings.Join(names, " "))
	fmt.Fprintln(w, "  esac")
	fmt.Fprintln(w, "}")
	fmt.Fprintln(w, "complete -F _daemonkit daemonkit")
}

// writeFishCompletion writes fish `complete` commands.
func writeFishCompletion(w io.Writer, cmds []completionCommand) {
	fmt.Fprintln(w, "# fish completion for daemonkit: daemonkit completion fish | source")
	fmt.Fprintln(w, "complete -c daemonkit -f")
	for _, c := range cmds {
		fmt.Fprintf(w, "complete -c daemonkit -n __fish_use_subcommand -a %s -d %s\n", c.name, fishQuote(c.summary))
	}
	fmt.Fprintln(w, "complete -c daemonkit -n __fish_use_subcommand -l version -d 'print the version'")
	for _, c := range cmds {
		cond := "'__fish_seen_subcommand_from " + c.name + "'"
		for _, f := range c.flags {
			opt := "-l " + f.name
			if len(f.name) == 1 {
				opt = "-s " + f.name
			}
			extra := ""
			switch {
			case f.file:
				extra = " -r -F"
			case len(f.values) > 0:
				extra = " -x -a " + fishQuote(strings.Join(f.values, " "))
			case f.takesValue:
				extra = " -x"
			}
			fmt.Fprintf(w, "complete -c daemonkit -n %s %s%s -d %s\n", cond, opt, extra, fishQuote(firstLine(f.usage)))
		}
		if len(c.args) > 0 {
			fmt.Fprintf(w, "complete -c daemonkit -n %s -a %s\n", cond, fishQuote(strings.Join(c.args, " ")))
		}
	}
}

func fishQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
