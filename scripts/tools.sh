#!/usr/bin/env bash
# Installs the protobuf code-generation toolchain used by scripts/protocgen.sh.
#
#   bash scripts/tools.sh
#
# - protoc: Debian package `protobuf-compiler` (via apt-get) if `protoc` is not on PATH.
# - protoc-gen-gocosmos and protoc-gen-grpc-gateway: `go install`ed into
#   <repo>/build/tools/bin (git-ignored). Override with TOOLS_BIN=/some/dir.
#
# Idempotent: anything already installed at the pinned version is skipped.
# The well-known google/protobuf/*.proto files are NOT needed from the system:
# they are vendored in third_party/proto (see third_party/proto/README.md).
set -euo pipefail

GOCOSMOS_MODULE="github.com/cosmos/gogoproto"
GOCOSMOS_VERSION="v1.7.2"
GRPC_GATEWAY_MODULE="github.com/grpc-ecosystem/grpc-gateway"
GRPC_GATEWAY_VERSION="v1.16.0"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_BIN="${TOOLS_BIN:-${REPO_ROOT}/build/tools/bin}"

log() { printf '[tools] %s\n' "$*" >&2; }

# --- protoc -------------------------------------------------------------------
install_protoc() {
  if command -v protoc >/dev/null 2>&1; then
    log "protoc present: $(command -v protoc) ($(protoc --version))"
    return
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    log "ERROR: protoc not found and apt-get is unavailable; install protoc (>= 3.15) manually."
    exit 1
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      log "ERROR: not root and sudo is unavailable; cannot apt-get install protobuf-compiler."
      exit 1
    fi
  fi
  log "installing protobuf-compiler via apt-get"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends protobuf-compiler >/dev/null
  log "protoc installed: $(protoc --version)"
}

# --- go-installed protoc plugins ----------------------------------------------
# installed_version BIN MODULE -> prints the module version embedded in BIN (empty if none)
installed_version() {
  local bin="$1" module="$2"
  [ -x "$bin" ] || return 0
  go version -m "$bin" 2>/dev/null |
    awk -v m="$module" '($1 == "mod" || $1 == "dep") && $2 == m { print $3; exit }'
}

go_install() {
  local pkg="$1" module="$2" version="$3"
  local name bin have
  name="$(basename "$pkg")"
  bin="${TOOLS_BIN}/${name}"
  have="$(installed_version "$bin" "$module")"
  if [ "$have" = "$version" ]; then
    log "${name} ${version} already installed"
    return
  fi
  log "go install ${pkg}@${version}${have:+ (replacing ${have})}"
  # `go install pkg@version` ignores the current module; drop any -mod=... from
  # GOFLAGS (it is rejected in that mode) and make sure no go.work interferes.
  local goflags
  goflags="$(tr ' ' '\n' <<<"${GOFLAGS:-}" | grep -v -e '^-mod=' -e '^$' | tr '\n' ' ' || true)"
  GOBIN="$TOOLS_BIN" GOFLAGS="$goflags" GOWORK=off go install "${pkg}@${version}"
}

if ! command -v go >/dev/null 2>&1; then
  log "ERROR: go is not on PATH"
  exit 1
fi

mkdir -p "$TOOLS_BIN"
install_protoc
go_install "${GOCOSMOS_MODULE}/protoc-gen-gocosmos" "$GOCOSMOS_MODULE" "$GOCOSMOS_VERSION"
go_install "${GRPC_GATEWAY_MODULE}/protoc-gen-grpc-gateway" "$GRPC_GATEWAY_MODULE" "$GRPC_GATEWAY_VERSION"
log "tools ready in ${TOOLS_BIN}"
