#!/usr/bin/env bash
# build-binaries.sh builds the control-plane binaries the e2e harness runs, at
# pinned versions, into a cache directory outside the repository:
#   kube-apiserver, kube-controller-manager, kube-scheduler  (k8s.io/kubernetes v1.37.2)
#   etcd                                                      (go.etcd.io/etcd/server/v3 v3.7.0)
#   kwok                                                      (sigs.k8s.io/kwok v0.8.0)
# Each binary is built in its own throw-away module so that the three
# dependency graphs never influence each other (MVS would otherwise mix them).
# Usage: build-binaries.sh [cache-dir]   (prints the bin directory on success)
# The Go harness (harness.EnsureBinaries) implements the same steps; this script
# exists for running the build by hand or ahead of time in CI.
set -euo pipefail

K8S_VERSION=${K8S_VERSION:-v1.37.2}
STAGING_VERSION="v0.${K8S_VERSION#v1.}"
ETCD_VERSION=${ETCD_VERSION:-v3.7.0}
KWOK_VERSION=${KWOK_VERSION:-v0.8.0}

root="${1:-${DAEMONKIT_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/daemonkit-e2e}}"
bin="$root/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION/bin"
mkdir -p "$bin"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# No -trimpath and the default CGO setting: the build then reuses packages
# already in the Go build cache (the conformance module compiles much of
# k8s.io/kubernetes and its staging modules).
export GOFLAGS=-mod=mod GOWORK=off

build_k8s() {
  local m="$work/k8s"; mkdir -p "$m"
  {
    echo "module daemonkit.invalid/e2e-build/k8s"
    echo "go 1.26"
    echo "require k8s.io/kubernetes $K8S_VERSION"
    for s in api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider \
      cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api \
      cri-client cri-streaming csi-translation-lib dynamic-resource-allocation endpointslice externaljwt \
      kms kube-aggregator kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics \
      mount-utils pod-security-admission sample-apiserver sample-cli-plugin sample-controller streaming; do
      echo "replace k8s.io/$s => k8s.io/$s $STAGING_VERSION"
    done
  } > "$m/go.mod"
  local minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  local ld="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
  (cd "$m" && go build -ldflags "$ld" -o "$bin/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)
}

build_etcd() {
  local m="$work/etcd"; mkdir -p "$m"
  printf 'module daemonkit.invalid/e2e-build/etcd\ngo 1.26\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" > "$m/go.mod"
  (cd "$m" && go build -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3)
}

build_kwok() {
  local m="$work/kwok"; mkdir -p "$m"
  printf 'module daemonkit.invalid/e2e-build/kwok\ngo 1.26\nrequire sigs.k8s.io/kwok %s\n' "$KWOK_VERSION" > "$m/go.mod"
  (cd "$m" && go build -ldflags "-s -w" -o "$bin/kwok" sigs.k8s.io/kwok/cmd/kwok)
}

# ONLY=etcd|kwok|k8s builds one group (to run the builds side by side).
only="${ONLY:-all}"
if [ "$only" = all ] || [ "$only" = etcd ]; then [ -x "$bin/etcd" ] || build_etcd; fi
if [ "$only" = all ] || [ "$only" = kwok ]; then [ -x "$bin/kwok" ] || build_kwok; fi
if [ "$only" = all ] || [ "$only" = k8s ]; then if [ ! -x "$bin/kube-apiserver" ] || [ ! -x "$bin/kube-controller-manager" ] || [ ! -x "$bin/kube-scheduler" ]; then
  build_k8s
fi; fi
echo "$bin"
