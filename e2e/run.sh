#!/usr/bin/env bash
# run.sh runs daemonkit's end-to-end suite alone: it builds (or reuses) the
# control-plane binaries, then runs the tests against a real Kubernetes
# v1.37.2 control plane on loopback. Extra arguments go to `go test`, e.g.
#   ./run.sh -run TestPlacement -v
#   ./run.sh -args -e2e.nodes=300
# Environment: DAEMONKIT_E2E_CACHE (binary cache directory),
# DAEMONKIT_E2E_REQUIRE=1 (fail instead of skipping when the binaries cannot
# be built; CI sets it), DAEMONKIT_E2E_REPORT (JSON lines with the timing
# figures).
set -euo pipefail
cd "$(dirname "$0")"
./build-binaries.sh >/dev/null
exec go test -count=1 -timeout 60m "$@" ./...
