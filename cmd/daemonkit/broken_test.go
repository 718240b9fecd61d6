package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// --broken and --crashloop break the new template's pods only: the old pod
// on the node runs until the rolling update deletes it (maxUnavailable) or
// keeps running beside the new one (maxSurge). --broken-all and
// --crashloop-all break every pod there. The "dev" cluster has 3 desired
// nodes.
func TestRolloutBrokenNewOnly(t *testing.T) {
	surge := strings.Replace(smallDS, "rollingUpdate: {maxUnavailable: 1}", "rollingUpdate: {maxUnavailable: 0, maxSurge: 1}", 1)
	for _, tc := range []struct {
		name, ds, flag string
		deleted        bool // worker-1's old pod is deleted
		minAvailable   int32
		cause          string
	}{
		{"broken maxUnavailable", smallDS, "--broken", true, 2, "PodNeverReady"},
		{"broken maxSurge", surge, "--broken", false, 3, "PodNeverReady"},
		{"crashloop maxSurge", surge, "--crashloop", false, 3, "CrashLoopBackOff"},
		{"broken-all maxSurge", surge, "--broken-all", true, 2, "PodNeverReady"},
		{"crashloop-all maxUnavailable", smallDS, "--crashloop-all", true, 2, "CrashLoopBackOff"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeEnv()
			f.files["old.yaml"] = []byte(fmt.Sprintf(tc.ds, "1.0"))
			f.files["new.yaml"] = []byte(fmt.Sprintf(tc.ds, "1.1"))
			code := f.run("rollout", "-f", "new.yaml", "--from", "old.yaml", "--cluster", "dev", tc.flag, "worker-1", "-o", "json")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, f.stderr.String())
			}
			var tr rolloutTrace
			if err := json.Unmarshal(f.stdout.Bytes(), &tr); err != nil {
				t.Fatal(err)
			}
			deleted := false
			for _, st := range tr.Steps {
				deleted = deleted || slices.Contains(st.Deleted, "worker-1")
			}
			cause := ""
			for _, u := range tr.Summary.Uncovered {
				if u.Node == "worker-1" {
					cause = u.Cause
				}
			}
			if deleted != tc.deleted || tr.Summary.MinAvailable != tc.minAvailable || cause != tc.cause {
				t.Errorf("worker-1 deleted %v, minAvailable %d, cause %q; want %v, %d, %q\n%s",
					deleted, tr.Summary.MinAvailable, cause, tc.deleted, tc.minAvailable, tc.cause, f.stdout.String())
			}
		})
	}
}
