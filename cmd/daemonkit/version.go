package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/daemonkit/daemonkit"
)

// versionReport is the -o json|yaml form of `daemonkit version`.
type versionReport struct {
	envelope
	// Version is the module version of the binary (a tag, a pseudo-version,
	// or "(devel)" plus the VCS revision when built from a checkout).
	Version string `json:"version"`
	// Module is the main module's path.
	Module string `json:"module"`
	// Kubernetes is the Kubernetes release whose behaviour daemonkit models.
	Kubernetes string `json:"kubernetes"`
	// Go is the Go version and platform of the binary.
	Go string `json:"go"`
}

func runVersion(e *env, args []string) error {
	fs := newFlags(e, "version", "[-o text|json|yaml]")
	out := fs.String("o", "text", "output `format`: text, json or yaml")
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if err := outputFormat(*out); err != nil {
		return err
	}
	v := buildVersion()
	if *out != "text" {
		return writeStructured(e.stdout, *out, v)
	}
	fmt.Fprintf(e.stdout, "daemonkit %s (%s)\nmodels Kubernetes %s\nbuilt with %s\n", v.Version, v.Module, v.Kubernetes, v.Go)
	return nil
}

// buildVersion reads the version the Go toolchain stamped into the binary.
func buildVersion() versionReport {
	v := versionReport{envelope: newEnvelope("Version"), Version: "unknown", Module: "github.com/daemonkit/daemonkit",
		Kubernetes: daemonkit.KubernetesVersion, Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Path != "" {
		v.Module = bi.Main.Path
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	if v.Version == "(devel)" || v.Version == "unknown" {
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			v.Version += " revision " + rev
			if modified == "true" {
				v.Version += " (modified)"
			}
		}
	}
	return v
}
