#!/usr/bin/env bash
# TrustEdge benchmarks.
#
#   scripts/bench.sh chain [tebench run flags…]
#   scripts/bench.sh ingest
#
# chain: start a fresh 4-validator localnet in its own home, load it with
# signed bank sends (bench accounts) and x/edge heartbeats (each node's
# operator key) from build/tebench, always stop the localnet, and print one
# line on stdout:
#   chain tx_per_s=<n> block_time_ms=<n> p50_commit_ms=<n> p99_commit_ms=<n>
# ingest: start a fresh 4-validator localnet, load node0's ingest gateway
# (gRPC) with signed batches of readings from simulated devices, and measure
# readings acknowledged and then committed on chain (epoch roots in
# finalized blocks) per second and the send -> finality latency; then, on
# the same chain, the naive alternative: one MsgRecordReading tx per reading
# (tebench run -msg reading). Prints one line on stdout:
#   ingest committed_readings_per_s=<n> p50_ms=<n> p99_ms=<n> naive_readings_per_s=<n> ratio=<n>
# Progress, node settings and a CPU breakdown go to stderr. Refuses to run
# while the localnet ports are in use. Needs only Go, curl, bash and coreutils/awk/sed.
#
# Settings (environment):
#   BENCH_DURATION=30s   measurement window     BENCH_WARMUP=5s    load before it
#   BENCH_RATE=1200      offered bank sends/s   BENCH_HB_RATE=40   offered heartbeats/s (all operators)
#   BENCH_ACCOUNTS=2000  bench accounts         BENCH_WORKERS=     in-flight broadcasts (default 8 per node)
#   BLOCK_TIME=500ms     timeout_commit         BENCH_NODES=4      validators
#   BENCH_HOME=build/localnet-bench (kept for its node logs; wiped by the next run; BENCH_KEEP_LOGS=0 removes it)
#   BENCH_TUNE=1         apply tune_node below (0: the localnet's config as generated)
#   BENCH_CONFIG="config:mempool:size=10000;app::iavl-cache-size=0"  extra overrides,
#                        FILE(config|app):SECTION:KEY=VALUE separated by ';' (applied after tune_node)
#   BENCH_PPROF=0        1: node i serves Go pprof on 127.0.0.1:6060+100*i (e.g. go tool pprof
#                        http://127.0.0.1:6060/debug/pprof/profile?seconds=20 during the run)
#   INGEST_DEVICES=200 INGEST_BATCH=500 INGEST_CLIENTS=16 INGEST_RATE=150000 offered readings/s (0 = as fast as acknowledged)
#   INGEST_DURATION=20s  ingest window         NAIVE_RATE=1200 NAIVE_ACCOUNTS=1000 NAIVE_DURATION=20s
#   PORT_OFFSET=0        shift every localnet port (as scripts/localnet.sh does)
#   TRUSTEDGED, TEBENCH  binaries to use (default build/…, rebuilt when their sources are newer)
# The nodes inherit this process's environment (e.g. GOGC), as with scripts/localnet.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUSTEDGED_SET="${TRUSTEDGED:-}" TEBENCH_SET="${TEBENCH:-}"
BIN="${TRUSTEDGED:-$ROOT/build/trustedged}"
TEBENCH="${TEBENCH:-$ROOT/build/tebench}"
BENCH_HOME="${BENCH_HOME:-$ROOT/build/localnet-bench}"
BENCH_NODES="${BENCH_NODES:-4}"
BENCH_DURATION="${BENCH_DURATION:-30s}"
BENCH_WARMUP="${BENCH_WARMUP:-5s}"
BENCH_RATE="${BENCH_RATE:-1200}"
BENCH_HB_RATE="${BENCH_HB_RATE:-40}"
BENCH_ACCOUNTS="${BENCH_ACCOUNTS:-2000}"
BENCH_WORKERS="${BENCH_WORKERS:-}"
BENCH_TUNE="${BENCH_TUNE:-1}"
BENCH_KEEP_LOGS="${BENCH_KEEP_LOGS:-1}"
BENCH_CONFIG="${BENCH_CONFIG:-}"
BENCH_PPROF="${BENCH_PPROF:-0}"
export PORT_OFFSET="${PORT_OFFSET:-0}"
export BLOCK_TIME="${BLOCK_TIME:-500ms}"
CHAIN_ID="${CHAIN_ID:-trustedge-local}"
export CHAIN_ID TRUSTEDGED="$BIN"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Same layout as scripts/localnet.sh.
rpc_port() { echo $((PORT_OFFSET + 26657 + 100 * $1)); }
grpc_port() { echo $((PORT_OFFSET + 9090 + 100 * $1)); }

# port_busy PORT: something accepts connections on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_ports() {
  local i p busy=()
  for ((i = 0; i < BENCH_NODES; i++)); do
    for p in $((PORT_OFFSET + 26656 + 100 * i)) $((PORT_OFFSET + 26657 + 100 * i)) \
      $((PORT_OFFSET + 26658 + 100 * i)) $((PORT_OFFSET + 26660 + 100 * i)) \
      $((PORT_OFFSET + 9090 + 100 * i)) $((PORT_OFFSET + 1317 + 100 * i)) \
      $((PORT_OFFSET + 8080 + 100 * i)) $((PORT_OFFSET + 8081 + 100 * i)); do
      port_busy "$p" && busy+=("$p")
    done
  done
  if [ ${#busy[@]} -gt 0 ]; then
    die "localnet ports already in use: ${busy[*]} — another localnet (scripts/localnet.sh, e2e tests) is running; stop it or wait, then retry. Not touching it."
  fi
}

# newer_than TARGET DIR…: some .go/go.mod under DIRs is newer than TARGET (or TARGET is missing).
needs_build() {
  local target=$1; shift
  [ ! -x "$target" ] && return 0
  [ -n "$(find "$@" -newer "$target" \( -name '*.go' -o -name go.mod -o -name go.sum \) -print -quit 2>/dev/null)" ]
}

build() {
  # Only the default binaries are (re)built; TRUSTEDGED/TEBENCH are used as given.
  if [ -z "${TRUSTEDGED_SET:-}" ] && needs_build "$BIN" "$ROOT/app" "$ROOT/x" "$ROOT/node" "$ROOT/go.mod" "$ROOT/go.sum"; then
    log "building $BIN"
    make -C "$ROOT" build >&2
  fi
  if [ -z "${TEBENCH_SET:-}" ] && needs_build "$TEBENCH" "$ROOT/app" "$ROOT/x" "$ROOT/node" "$ROOT/go.mod" "$ROOT/go.sum"; then
    log "building $TEBENCH"
    make -C "$ROOT" build-bench >&2
  fi
}

# set_toml FILE SECTION KEY VALUE: replace `KEY = …` inside [SECTION] ("" = top level).
set_toml() {
  local file=$1 section=$2 key=$3 value=$4 tmp
  tmp="$(mktemp)"
  awk -v section="$section" -v key="$key" -v value="$value" '
    /^\[.*\]$/ { cur = substr($0, 2, length($0) - 2) }
    cur == section && $0 ~ "^" key " = " && !done { print key " = " value; done = 1; next }
    { print }
    END { if (!done) { print "bench: key " key " not found in [" section "]" > "/dev/stderr"; exit 3 } }
  ' "$file" >"$tmp" && mv "$tmp" "$file"
}

# tune_node HOME: the node settings the benchmark changes from the localnet
# defaults (measured effects: see the bench notes in the PR / report).
tune_node() {
  local cfg="$1/config/config.toml"
  # No tx indexing: tebench matches txs from /block + /block_results, and
  # the kv indexer writes every event attribute of every tx on all four nodes.
  set_toml "$cfg" tx_index indexer '"null"'
}

# enable_pprof HOME I: CometBFT's pprof server on 127.0.0.1:6060+100*I.
enable_pprof() {
  set_toml "$1/config/config.toml" rpc pprof_laddr "\"127.0.0.1:$((PORT_OFFSET + 6060 + 100 * $2))\""
}

# apply_overrides HOME: BENCH_CONFIG entries FILE:SECTION:KEY=VALUE.
apply_overrides() {
  local home=$1 entry file section kv
  local IFS=';'
  for entry in $BENCH_CONFIG; do
    [ -n "$entry" ] || continue
    IFS=: read -r file section kv <<<"$entry"
    case "$file" in
    config) file="$home/config/config.toml" ;;
    app) file="$home/config/app.toml" ;;
    *) die "BENCH_CONFIG entry '$entry': file must be config or app" ;;
    esac
    set_toml "$file" "$section" "${kv%%=*}" "${kv#*=}" || die "BENCH_CONFIG entry '$entry' does not apply"
  done
}

app_height() {
  curl -s --max-time 2 "http://127.0.0.1:$(rpc_port "$1")/abci_info" 2>/dev/null |
    sed -n 's/.*"last_block_height":"\([0-9]*\)".*/\1/p' || true
}

# caught_up I: node I's CometBFT has left block sync (its RPC refuses
# broadcasts with "endpoint is closed while node is catching up" before).
caught_up() {
  curl -s --max-time 2 "http://127.0.0.1:$(rpc_port "$1")/status" 2>/dev/null | grep -q '"catching_up":false'
}

# wait_blocks N: node0's app height advances by N blocks (consensus is live)
# and every node has left block sync. Height alone is not enough: a
# restarted node applies blocks while it block-syncs, and refuses txs then.
wait_blocks() {
  local n=$1 h0 h i deadline=$((SECONDS + 60))
  while h0="$(app_height 0)"; [ -z "$h0" ]; do
    [ $SECONDS -lt $deadline ] || die "node0 not answering; see $BENCH_HOME/node0/trustedged.log"
    sleep 0.3
  done
  while h="$(app_height 0)"; [ -z "$h" ] || [ "$h" -lt $((h0 + n)) ]; do
    [ $SECONDS -lt $deadline ] || die "chain not advancing (height ${h:-?}); see $BENCH_HOME/node*/trustedged.log"
    sleep 0.2
  done
  for ((i = 0; i < BENCH_NODES; i++)); do
    until caught_up "$i"; do
      [ $SECONDS -lt $deadline ] || die "node$i still block-syncing; see $BENCH_HOME/node$i/trustedged.log"
      sleep 0.2
    done
  done
}

localnet() { LOCALNET_HOME="$BENCH_HOME" "$ROOT/scripts/localnet.sh" "$@"; }

cleanup() {
  local rc=$?
  if [ -d "$BENCH_HOME" ]; then
    localnet stop >/dev/null 2>&1 || true
    log "localnet stopped"
    if [ "$BENCH_KEEP_LOGS" != 1 ]; then rm -rf "$BENCH_HOME"; fi
  fi
  exit "$rc"
}

# warn_if_busy: the benchmark is CPU-bound; other work on the box lowers it.
warn_if_busy() {
  local load cpus
  load="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)"
  cpus="$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)"
  if awk -v l="$load" -v c="$cpus" 'BEGIN { exit !(l > c / 2) }'; then
    log "WARNING: load average $load on $cpus CPUs before the run: other processes will share the CPU with the validators (see tebench's cpu line)"
  fi
}

# verdict LINE: compare the result with the acceptance target (stderr only).
verdict() {
  local tps p99
  tps="$(sed -n 's/.*tx_per_s=\([0-9]*\).*/\1/p' <<<"$1")"
  p99="$(sed -n 's/.*p99_commit_ms=\([0-9]*\).*/\1/p' <<<"$1")"
  if [ "${tps:-0}" -ge 1000 ] && [ "${p99:-99999}" -le 2000 ]; then
    log "target (>= 1000 tx/s, p99 commit <= 2000 ms): met"
  else
    log "target (>= 1000 tx/s, p99 commit <= 2000 ms): NOT met (tx_per_s=$tps p99_commit_ms=$p99)"
  fi
}

# fresh_localnet ACCOUNTS: a new localnet in $BENCH_HOME with ACCOUNTS funded
# bench accounts in genesis, bench node settings applied, no device simulator.
fresh_localnet() {
  local accounts=$1 i
  rm -rf "$BENCH_HOME"
  mkdir -p "$BENCH_HOME"
  # Bench accounts go into genesis when trustedged has bulk-add-genesis-account;
  # otherwise tebench creates them with MsgMultiSend from `admin` (the
  # authority) before loading. Either way tebench grants them the x/access
  # grant the permissioned-sender gate requires.
  if "$BIN" genesis --help 2>/dev/null | grep -q "^  bulk-add-genesis-account"; then
    "$TEBENCH" accounts -n "$accounts" >"$BENCH_HOME/bench-accounts.json"
    export EXTRA_ACCOUNTS_FILE="$BENCH_HOME/bench-accounts.json"
  else
    log "trustedged has no 'genesis bulk-add-genesis-account': tebench will fund the bench accounts on chain"
    unset EXTRA_ACCOUNTS_FILE
  fi
  export LOCALNET_DEVSIM=0
  log "starting a fresh $BENCH_NODES-validator localnet in $BENCH_HOME (BLOCK_TIME=$BLOCK_TIME)"
  localnet start "$BENCH_NODES" >&2
  if [ "$BENCH_TUNE" = 1 ] || [ -n "$BENCH_CONFIG" ] || [ "$BENCH_PPROF" = 1 ]; then
    # localnet.sh creates and starts the homes in one go: restart once to
    # apply the bench settings to the generated config.
    localnet stop >&2
    for ((i = 0; i < BENCH_NODES; i++)); do
      [ "$BENCH_TUNE" != 1 ] || tune_node "$BENCH_HOME/node$i"
      apply_overrides "$BENCH_HOME/node$i"
      [ "$BENCH_PPROF" != 1 ] || enable_pprof "$BENCH_HOME/node$i" "$i"
    done
    log "applied bench node settings (tune=$BENCH_TUNE overrides='$BENCH_CONFIG'); restarting"
    localnet start "$BENCH_NODES" >/dev/null
  fi
  wait_blocks 2
}

ingest() {
  command -v curl >/dev/null || die "curl is required"
  check_ports
  build
  warn_if_busy
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  local naive_accounts="${NAIVE_ACCOUNTS:-1000}"
  fresh_localnet "$naive_accounts"

  local args out run naive nodes="" i
  args=(ingest -gateway-grpc "127.0.0.1:$((PORT_OFFSET + 8081))" -grpc "127.0.0.1:$(grpc_port 0)"
    -rpc "http://127.0.0.1:$(rpc_port 0)" -chain-id "$CHAIN_ID" -localnet-home "$BENCH_HOME"
    -devices "${INGEST_DEVICES:-200}" -batch "${INGEST_BATCH:-500}" -clients "${INGEST_CLIENTS:-16}"
    -rate "${INGEST_RATE:-150000}" -duration "${INGEST_DURATION:-20s}")
  log "tebench ${args[*]}"
  out="$("$TEBENCH" "${args[@]}")" || die "tebench ingest failed"
  run="$(printf '%s\n' "$out" | grep '^ingest-run ' | tail -n 1)"
  [ -n "$run" ] || die "tebench ingest printed no result"
  log "$run"

  for ((i = 0; i < BENCH_NODES; i++)); do nodes+="http://127.0.0.1:$(rpc_port "$i"),"; done
  args=(run -msg reading -nodes "${nodes%,}" -grpc "127.0.0.1:$(grpc_port 0)" -chain-id "$CHAIN_ID"
    -localnet-home "$BENCH_HOME" -accounts "$naive_accounts" -rate "${NAIVE_RATE:-1200}" -heartbeat-rate 0
    -duration "${NAIVE_DURATION:-20s}" -warmup 5s)
  log "naive: tebench ${args[*]}"
  out="$("$TEBENCH" "${args[@]}")" || die "tebench run -msg reading failed"
  naive="$(printf '%s\n' "$out" | grep '^chain ' | tail -n 1)"
  [ -n "$naive" ] || die "tebench run printed no result"
  log "naive: $naive"

  local committed p50 p99 ntps
  committed="$(sed -n 's/.*committed_readings_per_s=\([0-9]*\).*/\1/p' <<<"$run")"
  p50="$(sed -n 's/.*p50_ms=\([0-9]*\).*/\1/p' <<<"$run")"
  p99="$(sed -n 's/.*p99_ms=\([0-9]*\).*/\1/p' <<<"$run")"
  ntps="$(sed -n 's/.*tx_per_s=\([0-9]*\).*/\1/p' <<<"$naive")"
  local ratio
  ratio="$(awk -v a="$committed" -v b="$ntps" 'BEGIN { if (b > 0) printf "%d", a / b; else print "inf" }')"
  if [ "${committed:-0}" -ge 100000 ] && [ "${p50:-99999}" -le 1000 ] && [ "${p99:-99999}" -le 2000 ]; then
    log "target (>= 100000 committed readings/s, p50 <= 1000 ms, p99 <= 2000 ms): met"
  else
    log "target (>= 100000 committed readings/s, p50 <= 1000 ms, p99 <= 2000 ms): NOT met"
  fi
  printf 'ingest committed_readings_per_s=%s p50_ms=%s p99_ms=%s naive_readings_per_s=%s ratio=%s\n' \
    "$committed" "$p50" "$p99" "$ntps" "$ratio"
}

chain() {
  command -v curl >/dev/null || die "curl is required"
  command -v go >/dev/null || [ -x "$TEBENCH" ] || die "go is required to build tebench"
  check_ports
  build
  warn_if_busy
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  fresh_localnet "$BENCH_ACCOUNTS"

  local nodes="" i args
  for ((i = 0; i < BENCH_NODES; i++)); do nodes+="http://127.0.0.1:$(rpc_port "$i"),"; done
  args=(run -nodes "${nodes%,}" -grpc "127.0.0.1:$(grpc_port 0)" -chain-id "$CHAIN_ID" -localnet-home "$BENCH_HOME"
    -accounts "$BENCH_ACCOUNTS" -rate "$BENCH_RATE" -heartbeat-rate "$BENCH_HB_RATE"
    -duration "$BENCH_DURATION" -warmup "$BENCH_WARMUP")
  [ -z "$BENCH_WORKERS" ] || args+=(-workers "$BENCH_WORKERS")
  log "tebench ${args[*]} $*"
  local out
  out="$("$TEBENCH" "${args[@]}" "$@")" || die "tebench failed"
  out="$(printf '%s\n' "$out" | grep '^chain ' | tail -n 1)"
  [ -n "$out" ] || die "tebench printed no result"
  verdict "$out"
  printf '%s\n' "$out"
}

case "${1:-}" in
chain) shift; chain "$@" ;;
ingest) shift; ingest "$@" ;;
*) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
