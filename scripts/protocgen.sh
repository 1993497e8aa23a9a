#!/usr/bin/env bash
# Generates gogoproto (gocosmos) Go code and grpc-gateway handlers for every
# proto/trustedge/**/*.proto and copies them into the Go package directories
# named by each file's `option go_package` (e.g.
# "github.com/trustedge/trustedge/x/edge/types" -> x/edge/types/).
#
#   bash scripts/protocgen.sh            # from the repo root
#   bash scripts/protocgen.sh DIR        # generate for another tree (DIR/proto -> DIR/...)
#   PROTO_ROOT=DIR bash scripts/protocgen.sh
#
# DIR must contain proto/ and go.mod (its `module` line gives the Go import
# path prefix to strip). third_party/proto and the tools always come from the
# tree this script lives in. Nothing is downloaded except, the first time,
# the Go plugins via scripts/tools.sh (Go module proxy) and protoc via apt-get.
set -euo pipefail

TOOLS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "${1:-${PROTO_ROOT:-$TOOLS_ROOT}}" && pwd)"
PROTO_DIR="${ROOT}/proto"
PROTO_SUBDIR="${PROTO_SUBDIR:-trustedge}"
THIRD_PARTY="${TOOLS_ROOT}/third_party/proto"
TOOLS_BIN="${TOOLS_BIN:-${TOOLS_ROOT}/build/tools/bin}"

# Same plugin options as cosmos-sdk v0.55.0 proto/buf.gen.gogo.yaml.
GOCOSMOS_OPTS="plugins=grpc,Mgoogle/protobuf/any.proto=github.com/cosmos/gogoproto/types/any"
GATEWAY_OPTS="logtostderr=true,allow_colon_final_segments=true"

log() { printf '[protocgen] %s\n' "$*" >&2; }

# Tools (idempotent; a no-op when everything is already installed).
TOOLS_BIN="$TOOLS_BIN" bash "${TOOLS_ROOT}/scripts/tools.sh"
export PATH="${TOOLS_BIN}:${PATH}"
for t in protoc protoc-gen-gocosmos protoc-gen-grpc-gateway; do
  command -v "$t" >/dev/null 2>&1 || { log "ERROR: $t not found"; exit 1; }
done

[ -d "${PROTO_DIR}/${PROTO_SUBDIR}" ] || { log "ERROR: ${PROTO_DIR}/${PROTO_SUBDIR} does not exist"; exit 1; }
[ -f "${ROOT}/go.mod" ] || { log "ERROR: ${ROOT}/go.mod not found"; exit 1; }
MODULE="$(awk '$1 == "module" { print $2; exit }' "${ROOT}/go.mod")"
[ -n "$MODULE" ] || { log "ERROR: no module line in ${ROOT}/go.mod"; exit 1; }

OUT="$(mktemp -d "${TMPDIR:-/tmp}/protocgen.XXXXXX")"
trap 'rm -rf "$OUT"' EXIT

# One protoc run per proto package directory (all files of a package at once).
cd "$ROOT"
[ "$ROOT" = "$TOOLS_ROOT" ] && THIRD_PARTY="third_party/proto"
mapfile -t dirs < <(find "proto/${PROTO_SUBDIR}" -name '*.proto' -print0 | xargs -0 -r -n1 dirname | LC_ALL=C sort -u)
if [ "${#dirs[@]}" -eq 0 ]; then
  log "no .proto files under ${PROTO_DIR}/${PROTO_SUBDIR}"
  exit 0
fi

for dir in "${dirs[@]}"; do
  mapfile -t files < <(find "$dir" -maxdepth 1 -name '*.proto' | LC_ALL=C sort)
  log "generating ${dir#proto/} (${#files[@]} files)"
  protoc \
    -I proto \
    -I "$THIRD_PARTY" \
    --gocosmos_out="${GOCOSMOS_OPTS}:${OUT}" \
    --grpc-gateway_out="${GATEWAY_OPTS}:${OUT}" \
    "${files[@]}"
done

# Move generated files from <out>/<module path>/... into the repo tree.
if [ ! -d "${OUT}/${MODULE}" ]; then
  log "ERROR: nothing was generated under ${MODULE}/ (check option go_package)"
  exit 1
fi
stray="$(cd "$OUT" && find . -type f -name '*.go' ! -path "./${MODULE}/*")"
if [ -n "$stray" ]; then
  log "ERROR: files generated outside module ${MODULE} (wrong go_package?):"
  printf '%s\n' "$stray" | sed 's/^/  /' >&2
  exit 1
fi
cp -r "${OUT}/${MODULE}/." "${ROOT}/"
(cd "${OUT}/${MODULE}" && find . -type f -name '*.go' | LC_ALL=C sort | sed 's|^\./|[protocgen] wrote |' >&2)
