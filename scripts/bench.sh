#!/usr/bin/env bash
# TrustEdge benchmarks.
#
#   scripts/bench.sh chain [tebench run flags…]
#
# chain: start a fresh 4-validator localnet in its own home, load it with
# signed bank sends (bench accounts) and x/edge heartbeats (each node's
# operator key) from build/tebench, stop the localnet, and print one line:
#   chain tx_per_s=<n> block_time_ms=<n> p50_commit_ms=<n> p99_commit_ms=<n>
# Everything else goes to stderr.
#
# Settings (environment):
#   BENCH_DURATION=30s  measurement window      BENCH_WARMUP=5s   load before it
#   BENCH_RATE=1200     offered bank sends/s    BENCH_HB_RATE=40  offered heartbeats/s (all operators)
#   BENCH_ACCOUNTS=2000 bench accounts          BENCH_WORKERS=    send workers (default: one per account)
#   BLOCK_TIME=1s       timeout_commit          BENCH_NODES=4     validators
#   BENCH_HOME=build/localnet-bench             BENCH_TUNE=1      apply the node tuning below (0: localnet defaults)
#   BENCH_KEEP_LOGS=1   keep the bench home (node logs) after the run (it is wiped at the next run)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
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
export BLOCK_TIME="${BLOCK_TIME:-1s}"
CHAIN_ID="${CHAIN_ID:-trustedge-local}"
export CHAIN_ID TRUSTEDGED="$BIN"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Same layout as scripts/localnet.sh.
rpc_port() { echo $((26657 + 100 * $1)); }

# port_busy PORT: something accepts connections on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_ports() {
  local i p busy=()
  for ((i = 0; i < BENCH_NODES; i++)); do
    for p in $((26656 + 100 * i)) $((26657 + 100 * i)) $((26658 + 100 * i)) $((26660 + 100 * i)) \
      $((9090 + 100 * i)) $((1317 + 100 * i)); do
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
  if needs_build "$BIN" "$ROOT/app" "$ROOT/x" "$ROOT/node/cmd/trustedged" "$ROOT/go.mod" "$ROOT/go.sum"; then
    log "building $BIN"
    make -C "$ROOT" build >&2
  fi
  if needs_build "$TEBENCH" "$ROOT/app" "$ROOT/x" "$ROOT/node/cmd/tebench" "$ROOT/go.mod" "$ROOT/go.sum"; then
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
# defaults (see the README/benchmark notes for the measured effect of each).
tune_node() {
  local cfg="$1/config/config.toml" appcfg="$1/config/app.toml"
  # No tx indexing: the load generator matches txs from /block, and the kv
  # indexer writes every event of every tx on all four nodes.
  set_toml "$cfg" tx_index indexer '"null"'
  # Per-block INFO logging of four nodes costs CPU on a 2-core box.
  set_toml "$cfg" "" log_level '"warn"'
  # Room for a few seconds of load in the mempool, and a dedup cache that
  # covers the gossip of several blocks (each tx reaches a node up to 4 times).
  set_toml "$cfg" mempool size 50000
  set_toml "$cfg" mempool cache_size 100000
  # App-side: nothing extra (no telemetry, no API server needed).
  set_toml "$appcfg" api enable false
  set_toml "$appcfg" grpc-web enable false
}

app_height() {
  curl -s --max-time 2 "http://127.0.0.1:$(rpc_port "$1")/abci_info" 2>/dev/null |
    sed -n 's/.*"last_block_height":"\([0-9]*\)".*/\1/p' || true
}

# wait_blocks N: node0's app height advances by N blocks (consensus is live).
wait_blocks() {
  local n=$1 h0 h deadline=$((SECONDS + 60))
  while h0="$(app_height 0)"; [ -z "$h0" ]; do
    [ $SECONDS -lt $deadline ] || die "node0 not answering; see $BENCH_HOME/node0/trustedged.log"
    sleep 0.3
  done
  while h="$(app_height 0)"; [ -z "$h" ] || [ "$h" -lt $((h0 + n)) ]; do
    [ $SECONDS -lt $deadline ] || die "chain not advancing (height ${h:-?}); see $BENCH_HOME/node*/trustedged.log"
    sleep 0.2
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

chain() {
  command -v curl >/dev/null || die "curl is required"
  command -v go >/dev/null || [ -x "$TEBENCH" ] || die "go is required to build tebench"
  check_ports
  build

  rm -rf "$BENCH_HOME"
  mkdir -p "$BENCH_HOME"
  trap cleanup EXIT
  trap 'exit 130' INT TERM

  # Bench accounts go into genesis when trustedged has bulk-add-genesis-account;
  # otherwise tebench creates them with MsgMultiSend from `demo` before loading.
  if "$BIN" genesis --help 2>/dev/null | grep -q "^  bulk-add-genesis-account"; then
    "$TEBENCH" accounts -n "$BENCH_ACCOUNTS" >"$BENCH_HOME/bench-accounts.json"
    export EXTRA_ACCOUNTS_FILE="$BENCH_HOME/bench-accounts.json"
  else
    log "trustedged has no 'genesis bulk-add-genesis-account': tebench will fund the bench accounts on chain"
    unset EXTRA_ACCOUNTS_FILE
  fi

  log "starting a fresh $BENCH_NODES-validator localnet in $BENCH_HOME (BLOCK_TIME=$BLOCK_TIME)"
  localnet start "$BENCH_NODES" >&2
  if [ "$BENCH_TUNE" = 1 ]; then
    # localnet.sh creates and starts the homes in one go: restart once to
    # apply the bench settings to the generated config.
    localnet stop >&2
    for ((i = 0; i < BENCH_NODES; i++)); do tune_node "$BENCH_HOME/node$i"; done
    log "applied bench node settings; restarting"
    localnet start "$BENCH_NODES" >/dev/null
  fi
  wait_blocks 2

  local nodes="" i args
  for ((i = 0; i < BENCH_NODES; i++)); do nodes+="http://127.0.0.1:$(rpc_port "$i"),"; done
  args=(run -nodes "${nodes%,}" -grpc 127.0.0.1:9090 -chain-id "$CHAIN_ID" -localnet-home "$BENCH_HOME"
    -accounts "$BENCH_ACCOUNTS" -rate "$BENCH_RATE" -heartbeat-rate "$BENCH_HB_RATE"
    -duration "$BENCH_DURATION" -warmup "$BENCH_WARMUP")
  [ -z "$BENCH_WORKERS" ] || args+=(-workers "$BENCH_WORKERS")
  log "tebench ${args[*]} $*"
  local out
  out="$("$TEBENCH" "${args[@]}" "$@")" || die "tebench failed"
  out="$(printf '%s\n' "$out" | grep '^chain ' | tail -n 1)"
  [ -n "$out" ] || die "tebench printed no result"
  printf '%s\n' "$out"
}

case "${1:-}" in
chain) shift; chain "$@" ;;
*) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
