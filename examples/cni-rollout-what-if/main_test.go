package main

import (
	"testing"

	"github.com/daemonkit/daemonkit/internal/goldentest"
)

// TestOutput runs the example and holds its output to testdata/output.golden
// (go test -update rewrites it).
func TestOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("six 5,000-node rollouts; skipped with -short")
	}
	goldentest.Check(t, "output.golden", goldentest.Stdout(t, main))
}
