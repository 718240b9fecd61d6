#!/usr/bin/env bash
# run.sh runs daemonkit's end-to-end suite alone: it builds (or reuses) the
# control-plane binaries, then runs the tests against a real Kubernetes
# v1.37.2 control plane on loopback. Extra arguments go to `go test`, e.g.
#   ./run.sh -run TestPlacement -v
#   ./run.sh -args -e2e.nodes=300
# -long (first argument) repeats each random-delay timing variant 5 times
# (DAEMONKIT_E2E_REPS=5) instead of once, as CI does:
#   ./run.sh -long -run TestRollingUpdateRandomDelays -v
# Environment: DAEMONKIT_E2E_CACHE (binary cache directory),
# DAEMONKIT_E2E_REQUIRE=1 (fail instead of skipping when the binaries cannot
# be built; CI sets it), DAEMONKIT_E2E_REPORT (JSON lines with the timing
# figures).
set -euo pipefail
cd "$(dirname "$0")"
timeout=60m
if [[ "${1:-}" == "-long" ]]; then
	shift
	export DAEMONKIT_E2E_REPS="${DAEMONKIT_E2E_REPS:-5}"
	timeout=120m
fi
./build-binaries.sh >/dev/null
exec go test -count=1 -timeout "$timeout" "$@" ./...
