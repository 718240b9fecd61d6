package conformance

import (
	"flag"
	"os"
	"testing"
)

// minChecks is how many random cases every rapid property in this module runs
// by default. Set -rapid.checks or RAPID_CHECKS to override.
const minChecks = "10000"

func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "rapid.checks" {
			explicit = true
		}
	})
	if _, env := os.LookupEnv("RAPID_CHECKS"); !explicit && !env {
		if err := flag.Set("rapid.checks", minChecks); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
