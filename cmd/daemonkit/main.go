// Command daemonkit builds DaemonSets and predicts what Kubernetes v1.37.2
// does with them, on your own manifests and `kubectl get nodes -o yaml`
// output or on a built-in cluster.
//
// Usage:
//
//	daemonkit explain -f FILE [--nodes FILE | --cluster NAME]
//	daemonkit rollout -f NEW [--from OLD] [--nodes FILE | --cluster NAME] [--startup 10s] ...
//	daemonkit lint -f FILE
//	daemonkit preset NAME [--set key=value ...]
//	daemonkit demo
//	daemonkit apply -f FILE [--kubeconfig FILE] [--context NAME]
//	daemonkit version
//	daemonkit completion bash|zsh|fish
//
// explain and rollout also read a live cluster with --kubeconfig/--context
// (read-only, and only what the answer needs: what RBAC forbids is left out
// and said so, with exit status 0); only apply writes, with server-side
// apply as field manager "daemonkit". --print-rbac on explain, rollout and
// apply prints the minimal ClusterRole the command needs.
//
// Run `daemonkit help COMMAND` for the flags of a command. Exit status: 0 on
// success, 1 when the command found a problem (an error-severity lint finding,
// invalid input) or was interrupted, 2 for usage errors. A stuck rollout is
// reported in the summary and exits 0. Ctrl-C (SIGINT) or SIGTERM stops a
// long simulation or a conversation with a live cluster; a second Ctrl-C
// ends the process at once.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/go-logr/logr"
	"k8s.io/klog/v2"
)

// env is what a command reads and writes; tests replace every part.
type env struct {
	// ctx is cancelled by Ctrl-C; nil means context.Background().
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	// terminal says whether stdout/stderr are terminals (colour, progress).
	stdoutTTY, stderrTTY bool
	// readFile reads a named file; "-" is stdin.
	readFile func(name string) ([]byte, error)
	// writeFile writes a named file.
	writeFile func(name string, data []byte) error
	// noColor is set when the NO_COLOR environment variable is (see
	// https://no-color.org): no ANSI colour even on a terminal.
	noColor bool
	// collectFlags, when set, receives a command's flag set instead of its
	// help being printed (completion scripts list the flags).
	collectFlags func(fs *flag.FlagSet)
}

// color says whether stdout may be coloured.
func (e *env) color() bool { return e.stdoutTTY && !e.noColor }

// usageError is a mistake in how the command was called: exit status 2.
// cmd is the command it was made in, for the hint to its help.
type usageError struct{ msg, cmd string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{msg: fmt.Sprintf(format, a...)} }

// findingsError means the command ran and found problems: exit status 1,
// with the findings already printed.
type findingsError struct{ msg string }

func (e findingsError) Error() string { return e.msg }

type command struct {
	name, summary string
	run           func(e *env, args []string) error
}

// commands is set in init: completion reads it.
var commands []command

func init() {
	commands = []command{
		{"explain", "which nodes get a daemon pod, which stay Pending, and why", runExplain},
		{"rollout", "simulate a rolling update over time, with a summary, timeline and plot", runRollout},
		{"lint", "API-server validation, Pod Security level and lint checks", runLint},
		{"preset", "print a production preset and its companion objects as YAML", runPreset},
		{"demo", "the main job on built-in presets and clusters, no input needed", runDemo},
		{"apply", "server-side apply a manifest to a cluster (the only command that writes)", runApply},
		{"version", "the daemonkit version and the Kubernetes version it models", runVersion},
		{"completion", "a shell completion script: completion bash|zsh|fish", runCompletion},
	}
}

func main() {
	// client-go logs through klog to stderr ("E1207 … memcache.go …");
	// every error it returns is reported by the command itself.
	klog.SetLogger(logr.Discard())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal ends the process at once
	}()
	e := &env{
		ctx:   ctx,
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		stdoutTTY: isTerminal(os.Stdout), stderrTTY: isTerminal(os.Stderr),
		readFile: func(name string) ([]byte, error) {
			if name == "-" {
				return io.ReadAll(os.Stdin)
			}
			return os.ReadFile(name)
		},
		writeFile: func(name string, data []byte) error { return os.WriteFile(name, data, 0o644) },
		noColor:   os.Getenv("NO_COLOR") != "",
	}
	code := run(e, os.Args[1:])
	stop()
	os.Exit(code)
}

// context returns the command's context, cancelled by Ctrl-C.
func (e *env) context() context.Context {
	if e.ctx == nil {
		return context.Background()
	}
	return e.ctx
}

// run executes one command line and returns the exit status. Every error is
// printed as one line per problem, never as a stack trace.
func run(e *env, args []string) int {
	err := dispatch(e, args)
	if err == nil {
		return 0
	}
	var ue usageError
	var fe findingsError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "daemonkit: %s\n", ue.msg)
		if ue.cmd != "" {
			fmt.Fprintf(e.stderr, "See 'daemonkit %s -h'.\n", ue.cmd)
		} else {
			fmt.Fprintf(e.stderr, "See 'daemonkit help'.\n")
		}
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(e.stderr, "daemonkit: interrupted\n")
		return 1
	case errors.As(err, &fe):
		if fe.msg != "" {
			fmt.Fprintf(e.stderr, "daemonkit: %s\n", fe.msg)
		}
		return 1
	default:
		for _, line := range strings.Split(strings.TrimRight(err.Error(), "\n"), "\n") {
			fmt.Fprintf(e.stderr, "daemonkit: %s\n", line)
		}
		return 1
	}
}

func dispatch(e *env, args []string) error {
	if len(args) == 0 {
		return usagef("no command given")
	}
	name := args[0]
	if name == "--version" || name == "-version" {
		return runVersion(e, nil)
	}
	if name == "help" || name == "-h" || name == "--help" {
		if len(args) > 1 {
			for _, c := range commands {
				if c.name == args[1] {
					return c.run(e, []string{"-h"})
				}
			}
			return usagef("unknown command %q", args[1])
		}
		printUsage(e.stdout)
		return nil
	}
	for _, c := range commands {
		if c.name == name {
			err := c.run(e, args[1:])
			var ue usageError
			if errors.As(err, &ue) && ue.cmd == "" {
				ue.cmd = name
				return ue
			}
			return err
		}
	}
	return usagef("unknown command %q", name)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "daemonkit builds DaemonSets and predicts what Kubernetes v1.37.2 does with them.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: daemonkit COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'daemonkit help COMMAND' for the flags of a command.")
	fmt.Fprintln(w, "Colour: explain colours node states on a terminal; NO_COLOR=1 turns it off.")
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
