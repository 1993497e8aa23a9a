#!/usr/bin/env bash
# TrustEdge localnet: N validators (default 4) on 127.0.0.1, one home each.
#
#   scripts/localnet.sh start [N]   build if needed, create homes if missing, start
#   scripts/localnet.sh stop        stop the processes this script started (by pid)
#   scripts/localnet.sh status      print each node's height
#   scripts/localnet.sh reset       stop and delete the localnet homes
#
# Node i listens on: CometBFT RPC 26657+100i, P2P 26656+100i, gRPC 9090+100i,
# REST 1317+100i, ABCI proxy 26658+100i, Prometheus 26660+100i, device
# ingest gateway HTTP 8080+100i and gRPC 8081+100i (all shifted by
# $PORT_OFFSET when set).
# Homes live in ${LOCALNET_HOME:-.localnet}/node<i>; each has the test-keyring
# key node<i> (its operator); node0 also holds `admin`, the consortium authority.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCALNET_HOME="${LOCALNET_HOME:-$ROOT/.localnet}"
mkdir -p "$LOCALNET_HOME"
# Physical path: the pid check compares it with the --home a node runs with.
LOCALNET_HOME="$(cd "$LOCALNET_HOME" && pwd -P)"
BIN="${TRUSTEDGED:-$ROOT/build/trustedged}"
CHAIN_ID="${CHAIN_ID:-trustedge-local}"
BLOCK_TIME_SET="${BLOCK_TIME:+1}"
BLOCK_TIME="${BLOCK_TIME:-1s}"
POWER="${POWER:-10}"
KR=(--keyring-backend test)
# Extra funded accounts for load tests: the JSON `genesis bulk-add-genesis-account`
# takes ([{"address":"edge1…","coins":[{"denom":"uedge","amount":"1"}]}]).
EXTRA_ACCOUNTS_FILE="${EXTRA_ACCOUNTS_FILE:-}"
# A small device simulator streams readings into node0's gateway while the
# localnet runs (LOCALNET_DEVSIM=0 to skip; DEVSIM_DEVICES, DEVSIM_RATE total readings/s).
LOCALNET_DEVSIM="${LOCALNET_DEVSIM:-1}"
DEVSIM_DEVICES="${DEVSIM_DEVICES:-4}"
DEVSIM_RATE="${DEVSIM_RATE:-20}"

log() { printf '[localnet] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# A localnet's homes are made once with a port offset and block time; they
# are recorded in $SETTINGS and are the defaults of every later command, so
# `status` and `stop` find an offset localnet without being told, and a
# start that asks for other values is refused instead of moving half the
# ports. $READY marks homes that were created completely, $SEEDED a chain
# that got its demo devices.
SETTINGS="$LOCALNET_HOME/localnet.env"
READY="$LOCALNET_HOME/.homes-ready"
SEEDED="$LOCALNET_HOME/.demo-seeded"
# Homes made before these files existed are complete if node0's genesis
# names the authority and every node has the client.toml the old script
# wrote last: adopt them, reading the offset
# from node0's RPC port. Homes that cannot be read that way are refused,
# never deleted.
if [ ! -f "$READY" ] && [ -f "$LOCALNET_HOME/node0/config/genesis.json" ] &&
  grep -q '"authority": *"edge1' "$LOCALNET_HOME/node0/config/genesis.json"; then
  legacy_complete=1
  for nodedir in "$LOCALNET_HOME"/node*; do
    # client.toml pointing at 127.0.0.1 is the last file the old script wrote.
    grep -q '^node = "tcp://127.0.0.1:' "$nodedir/config/client.toml" 2>/dev/null || legacy_complete=""
    [ -f "$nodedir/config/config.toml" ] || legacy_complete=""
  done
  if [ -n "$legacy_complete" ]; then
    legacy_rpc="$(sed -n 's#^laddr = "tcp://[^:]*:\([0-9]*\)"#\1#p' "$LOCALNET_HOME/node0/config/config.toml" | head -1)"
    legacy_block="$(sed -n 's/^timeout_commit = "\(.*\)"/\1/p' "$LOCALNET_HOME/node0/config/config.toml" | head -1)"
    [ -n "$legacy_rpc" ] || die "cannot read node0's RPC port in $LOCALNET_HOME/node0/config/config.toml; write PORT_OFFSET=<n> and BLOCK_TIME=<t> lines to $SETTINGS and touch $READY"
    printf 'PORT_OFFSET=%s\nBLOCK_TIME=%s\n' "$((legacy_rpc - 26657))" "${legacy_block:-1s}" >"$SETTINGS"
    touch "$READY" # demo seeding skips devices that exist
  fi
fi
if [ -f "$SETTINGS" ]; then
  rec_offset="$(sed -n 's/^PORT_OFFSET=//p' "$SETTINGS")"
  rec_block="$(sed -n 's/^BLOCK_TIME=//p' "$SETTINGS")"
  if [ -n "${PORT_OFFSET:-}" ] && [ "$PORT_OFFSET" != "$rec_offset" ]; then
    die "this localnet ($LOCALNET_HOME) was created with PORT_OFFSET=$rec_offset, not $PORT_OFFSET; unset it, or use another LOCALNET_HOME, or scripts/localnet.sh reset"
  fi
  if [ -n "${BLOCK_TIME_SET:-}" ] && [ "$BLOCK_TIME" != "$rec_block" ]; then
    die "this localnet ($LOCALNET_HOME) was created with BLOCK_TIME=$rec_block, not $BLOCK_TIME; edit timeout_commit in node<i>/config/config.toml, or scripts/localnet.sh reset"
  fi
  PORT_OFFSET="$rec_offset"
  BLOCK_TIME="$rec_block"
fi

# PORT_OFFSET shifts every port (tests use it to run beside a user's localnet).
PORT_OFFSET="${PORT_OFFSET:-0}"
rpc_port() { echo $((PORT_OFFSET + 26657 + 100 * $1)); }
p2p_port() { echo $((PORT_OFFSET + 26656 + 100 * $1)); }
grpc_port() { echo $((PORT_OFFSET + 9090 + 100 * $1)); }
api_port() { echo $((PORT_OFFSET + 1317 + 100 * $1)); }
abci_port() { echo $((PORT_OFFSET + 26658 + 100 * $1)); }
prom_port() { echo $((PORT_OFFSET + 26660 + 100 * $1)); }
gateway_port() { echo $((PORT_OFFSET + 8080 + 100 * $1)); }
gateway_grpc_port() { echo $((PORT_OFFSET + 8081 + 100 * $1)); }

# set_toml FILE SECTION KEY VALUE: replace `KEY = …` inside [SECTION] ("" = top level).
set_toml() {
  local file=$1 section=$2 key=$3 value=$4 tmp
  tmp="$(mktemp)"
  awk -v section="$section" -v key="$key" -v value="$value" '
    /^\[.*\]$/ { cur = substr($0, 2, length($0) - 2) }
    cur == section && $0 ~ "^" key " = " && !done { print key " = " value; done = 1; next }
    { print }
    END { if (!done) { print "localnet: key " key " not found in [" section "]" > "/dev/stderr"; exit 3 } }
  ' "$file" >"$tmp" && mv "$tmp" "$file"
}

build_if_needed() {
  if [ -x "$BIN" ] && [ -z "$(find "$ROOT/app" "$ROOT/x" "$ROOT/node" "$ROOT/go.mod" -newer "$BIN" \( -name '*.go' -o -name go.mod \) -print -quit 2>/dev/null)" ]; then
    return
  fi
  log "building $BIN"
  make -C "$ROOT" build >&2
}

node_home() { echo "$LOCALNET_HOME/node$1"; }

num_nodes() { find "$LOCALNET_HOME" -maxdepth 1 -type d -name 'node*' | wc -l; }

# init_homes N: fresh homes, keys and one shared genesis.
init_homes() {
  local n=$1 i home gen0
  log "creating $n validator homes in $LOCALNET_HOME"
  printf 'PORT_OFFSET=%s\nBLOCK_TIME=%s\n' "$PORT_OFFSET" "$BLOCK_TIME" >"$SETTINGS"
  for ((i = 0; i < n; i++)); do
    home="$(node_home "$i")"
    "$BIN" init "node$i" --chain-id "$CHAIN_ID" --home "$home" >/dev/null 2>&1
    "$BIN" keys add "node$i" "${KR[@]}" --home "$home" --output json >"$home/node$i.key.json" 2>&1
    # The data plane signs epoch commitments with its own account, so the
    # operator's txs (node$i) never race it for the account sequence.
    "$BIN" keys add "committer$i" "${KR[@]}" --home "$home" --output json >"$home/committer$i.key.json" 2>&1
  done
  home="$(node_home 0)"
  "$BIN" keys add admin "${KR[@]}" --home "$home" --output json >"$home/admin.key.json" 2>&1
  "$BIN" keys add demo "${KR[@]}" --home "$home" --output json >"$home/demo.key.json" 2>&1

  "$BIN" genesis add-genesis-account admin 1000000000000uedge "${KR[@]}" --home "$home"
  "$BIN" genesis add-genesis-account demo 1000000000000uedge "${KR[@]}" --home "$home"
  for ((i = 0; i < n; i++)); do
    local addr
    local committer
    addr="$("$BIN" keys show "node$i" -a "${KR[@]}" --home "$(node_home "$i")")"
    committer="$("$BIN" keys show "committer$i" -a "${KR[@]}" --home "$(node_home "$i")")"
    "$BIN" genesis add-genesis-account "$addr" 1000000000000uedge --home "$home"
    "$BIN" genesis add-genesis-account "$committer" 1000000000uedge --home "$home"
    "$BIN" genesis add-edge-node "$addr" --power "$POWER" --moniker "node$i" --region "localnet" \
      --pubkey "$("$BIN" comet show-validator --home "$(node_home "$i")")" \
      --gateway "http://127.0.0.1:$(gateway_port "$i")" --committer "$committer" --home "$home"
  done
  if [ -n "$EXTRA_ACCOUNTS_FILE" ]; then
    log "funding extra accounts from $EXTRA_ACCOUNTS_FILE"
    "$BIN" genesis bulk-add-genesis-account "$EXTRA_ACCOUNTS_FILE" --home "$home"
  fi
  "$BIN" genesis set-authority admin "${KR[@]}" --home "$home"
  # The demo owner may register and administer devices and use streams.
  "$BIN" genesis add-grant demo 'device/*' register admin --granter admin "${KR[@]}" --home "$home"
  # No "read": demo reads its own streams as their owner, and a read grant
  # on stream/* would let it read every owner's streams.
  "$BIN" genesis add-grant demo 'stream/*' create write --granter admin "${KR[@]}" --home "$home"
  "$BIN" genesis validate --home "$home" >/dev/null

  gen0="$home/config/genesis.json"
  local peers=""
  for ((i = 0; i < n; i++)); do
    peers+="$("$BIN" comet show-node-id --home "$(node_home "$i")")@127.0.0.1:$(p2p_port "$i"),"
  done
  peers="${peers%,}"

  for ((i = 0; i < n; i++)); do
    home="$(node_home "$i")"
    [ "$i" -eq 0 ] || cp "$gen0" "$home/config/genesis.json"
    local cfg="$home/config/config.toml" appcfg="$home/config/app.toml"
    set_toml "$cfg" "" proxy_app "\"tcp://127.0.0.1:$(abci_port "$i")\""
    set_toml "$cfg" "" moniker "\"node$i\""
    set_toml "$cfg" rpc laddr "\"tcp://127.0.0.1:$(rpc_port "$i")\""
    set_toml "$cfg" rpc pprof_laddr "\"\""
    set_toml "$cfg" p2p laddr "\"tcp://127.0.0.1:$(p2p_port "$i")\""
    set_toml "$cfg" p2p persistent_peers "\"$(echo "$peers" | tr ',' '\n' | grep -v "@127.0.0.1:$(p2p_port "$i")$" | paste -sd, -)\""
    set_toml "$cfg" p2p addr_book_strict false
    set_toml "$cfg" p2p allow_duplicate_ip true
    set_toml "$cfg" p2p pex false
    set_toml "$cfg" mempool size 20000
    set_toml "$cfg" consensus timeout_commit "\"$BLOCK_TIME\""
    set_toml "$cfg" instrumentation prometheus_listen_addr "\":$(prom_port "$i")\""
    set_toml "$appcfg" api enable true
    set_toml "$appcfg" api address "\"tcp://127.0.0.1:$(api_port "$i")\""
    set_toml "$appcfg" grpc address "\"127.0.0.1:$(grpc_port "$i")\""
    cat >"$home/config/client.toml" <<TOML
chain-id = "$CHAIN_ID"
keyring-backend = "test"
keyring-default-keyname = ""
output = "text"
node = "tcp://127.0.0.1:$(rpc_port "$i")"
broadcast-mode = "sync"
grpc-address = ""
grpc-insecure = false
TOML
  done
  touch "$READY"
}

# signer_flags I: sets SIGNER_FLAGS to node I's data-plane signing flags: its
# committer key for its operator's node, or (homes made before committers)
# the operator key.
signer_flags() {
  local home op
  home="$(node_home "$1")"
  if "$BIN" keys show "committer$1" "${KR[@]}" --home "$home" >/dev/null 2>&1; then
    op="$("$BIN" keys show "node$1" -a "${KR[@]}" --home "$home")" || die "no operator key node$1 in $home"
    [ -n "$op" ] || die "no operator key node$1 in $home"
    SIGNER_FLAGS=(--dataplane.committer-key "committer$1" --dataplane.operator "$op")
  else
    SIGNER_FLAGS=(--dataplane.operator-key "node$1")
  fi
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# ours PIDFILE HOME: the pid in PIDFILE is alive and is a trustedged run
# with --home HOME — not a process that reused a stale pid (another
# localnet's node, anything else). Without /proc, alive is all we can tell.
ours() {
  pid_alive "$1" || return 1
  local cmdline="/proc/$(cat "$1")/cmdline"
  [ -r "$cmdline" ] || return 0
  tr '\0' '\n' <"$cmdline" | grep -qxF -- "$2" && tr '\0' '\n' <"$cmdline" | grep -q trustedged
}

height_of() {
  curl -s --max-time 2 "http://127.0.0.1:$(rpc_port "$1")/status" 2>/dev/null |
    sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p' || true
}

# caught_up I: node I's CometBFT has left block sync; until then its RPC
# refuses broadcasts ("endpoint is closed while node is catching up").
caught_up() {
  curl -s --max-time 2 "http://127.0.0.1:$(rpc_port "$1")/status" 2>/dev/null | grep -q '"catching_up":false'
}

start() {
  local n=${1:-4} i home
  [ "$n" -ge 1 ] || die "need at least one node"
  build_if_needed
  if [ -d "$(node_home 0)" ] && [ ! -f "$READY" ]; then
    # An earlier start stopped while creating the homes: nothing ran on
    # them, so they are made again rather than started half-configured.
    for ((i = 0; i < $(num_nodes); i++)); do
      ours "$(node_home "$i")/trustedged.pid" "$(node_home "$i")" && die "node$i runs on half-built homes; scripts/localnet.sh stop first"
    done
    log "homes in $LOCALNET_HOME were left half-built by an earlier start; creating them again"
    rm -rf "$LOCALNET_HOME"/node* "$SETTINGS" "$SEEDED"
  fi
  if [ ! -f "$READY" ]; then
    init_homes "$n"
  else
    n=$(num_nodes)
    log "reusing $n existing homes in $LOCALNET_HOME (scripts/localnet.sh reset for a fresh chain)"
  fi
  for ((i = 0; i < n; i++)); do
    home="$(node_home "$i")"
    if ours "$home/trustedged.pid" "$home"; then
      log "node$i already running (pid $(cat "$home/trustedged.pid"))"
      continue
    fi
    signer_flags "$i"
    nohup "$BIN" start --home "$home" \
      "${SIGNER_FLAGS[@]}" --dataplane.keyring-backend test \
      --gateway.http-addr "127.0.0.1:$(gateway_port "$i")" \
      --gateway.grpc-addr "127.0.0.1:$(gateway_grpc_port "$i")" \
      >>"$home/trustedged.log" 2>&1 &
    echo $! >"$home/trustedged.pid"
  done
  log "waiting for the first blocks"
  local deadline=$((SECONDS + 60)) h
  for ((i = 0; i < n; i++)); do
    while :; do
      h="$(height_of "$i")"
      [ -n "$h" ] && [ "$h" -ge 1 ] && caught_up "$i" && break
      ours "$(node_home "$i")/trustedged.pid" "$(node_home "$i")" || die "node$i exited; see $(node_home "$i")/trustedged.log"
      [ $SECONDS -lt $deadline ] || die "node$i has no block (or is still block-syncing) after 60 s; see $(node_home "$i")/trustedged.log"
      sleep 0.5
    done
  done
  if [ ! -f "$SEEDED" ]; then
    seed_demo_devices || die "registering the demo devices failed; run start again to retry"
    touch "$SEEDED"
  fi
  [ "$LOCALNET_DEVSIM" = 1 ] && start_devsim
  print_endpoints "$n"
}

# start_devsim runs `trustedged devsim` against node0's gateway in the
# background (pid in $LOCALNET_HOME/devsim.pid, log in devsim.log); it
# registers its devices and streams on first use and keeps streaming until
# `stop`. Rerunning continues the same streams.
start_devsim() {
  local pidf="$LOCALNET_HOME/devsim.pid" home
  home="$(node_home 0)"
  if ours "$pidf" "$home"; then
    log "devsim already running (pid $(cat "$pidf"))"
    return
  fi
  log "starting devsim: $DEVSIM_DEVICES devices, $DEVSIM_RATE readings/s into node0's gateway"
  nohup "$BIN" devsim --gateway "http://127.0.0.1:$(gateway_port 0)" --devices "$DEVSIM_DEVICES" \
    --rate "$DEVSIM_RATE" --duration 8760h --report 30s --from demo "${KR[@]}" --home "$home" \
    --node "tcp://127.0.0.1:$(rpc_port 0)" --chain-id "$CHAIN_ID" --out "$LOCALNET_HOME/devsim.json" \
    >>"$LOCALNET_HOME/devsim.log" 2>&1 &
  echo $! >"$pidf"
  # Wait for the first acknowledged readings so the quickstart's prove works.
  local deadline=$((SECONDS + 60))
  until curl -sf --max-time 2 "http://127.0.0.1:$(gateway_port 0)/v1/streams/sim-pm25-0.pm25/head" 2>/dev/null | grep -q '"last_seq":[1-9]'; do
    pid_alive "$pidf" || { log "devsim exited; see $LOCALNET_HOME/devsim.log"; return; }
    [ $SECONDS -lt $deadline ] || { log "devsim has no acknowledged reading after 60 s; see $LOCALNET_HOME/devsim.log"; return; }
    sleep 0.5
  done
}

# seed_demo_devices registers the demo owner's devices (keys in node0's test
# keyring, so the quickstart can sign as them) by real transactions.
seed_demo_devices() {
  local home dev kind proto pub i=0
  home="$(node_home 0)"
  local node0
  # Failures return non-zero explicitly: the caller runs this as
  # `seed_demo_devices || die`, where set -e does not apply.
  node0="$("$BIN" keys show node0 -a "${KR[@]}" --home "$home")" || return 1
  log "registering demo devices"
  for spec in "pm25-001 collector lora" "temp-002 collector nb-iot" "valve-003 actuator wifi"; do
    read -r dev kind proto <<<"$spec"
    "$BIN" keys add "$dev" "${KR[@]}" --home "$home" >/dev/null 2>&1 || true
    if "$BIN" query device show "$dev" --home "$home" --node "tcp://127.0.0.1:$(rpc_port 0)" >/dev/null 2>&1; then
      continue # registered by an earlier, interrupted start
    fi
    pub="$("$BIN" keys show "$dev" -p "${KR[@]}" --home "$home" | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')"
    [ -n "$pub" ] || return 1
    "$BIN" tx device register "$dev" "$node0" --key-type secp256-k1 --pubkey "$pub" --kind "$kind" \
      --protocols "$proto" --from demo --home "$home" --node "tcp://127.0.0.1:$(rpc_port 0)" --yes >/dev/null || return 1
    local seen=""
    for _ in $(seq 1 40); do
      "$BIN" query device show "$dev" --home "$home" --node "tcp://127.0.0.1:$(rpc_port 0)" >/dev/null 2>&1 && { seen=1; break; }
      sleep 0.25
    done
    [ -n "$seen" ] || { log "demo device $dev did not appear on chain"; return 1; }
    i=$((i + 1))
  done
}

print_endpoints() {
  local n=$1 i
  printf '\nTrustEdge localnet is up (%s validators, chain-id %s)\n\n' "$n" "$CHAIN_ID"
  printf '%-6s %-24s %-18s %-24s %-24s %-8s %s\n' node rpc grpc rest gateway pid home
  for ((i = 0; i < n; i++)); do
    printf '%-6s %-24s %-18s %-24s %-24s %-8s %s\n' "node$i" "tcp://127.0.0.1:$(rpc_port "$i")" \
      "127.0.0.1:$(grpc_port "$i")" "http://127.0.0.1:$(api_port "$i")" \
      "http://127.0.0.1:$(gateway_port "$i")" \
      "$(cat "$(node_home "$i")/trustedged.pid")" "$(node_home "$i")"
  done
  cat <<TXT

Try:
  $BIN query edge nodes --node tcp://127.0.0.1:$(rpc_port 0)
  $BIN query edge validator-set --node tcp://127.0.0.1:$(rpc_port 0)
  $BIN query device by-owner \$($BIN keys show demo -a --keyring-backend test --home $(node_home 0)) --node tcp://127.0.0.1:$(rpc_port 0)
  $BIN query access check \$($BIN keys show demo -a --keyring-backend test --home $(node_home 0)) register device/new-1 --node tcp://127.0.0.1:$(rpc_port 0)
  $BIN tx bank send demo \$($BIN keys show node1 -a --keyring-backend test --home $(node_home 1)) 1000uedge --home $(node_home 0) --yes
  $BIN query stream streams --node tcp://127.0.0.1:$(rpc_port 0)
  $BIN query stream latest-epochs --node tcp://127.0.0.1:$(rpc_port 0)
  curl -s http://127.0.0.1:$(gateway_port 0)/v1/streams/sim-pm25-0.pm25/head
  $BIN query stream prove sim-pm25-0.pm25 1 --from demo --home $(node_home 0) --gateway http://127.0.0.1:$(gateway_port 0) --node tcp://127.0.0.1:$(rpc_port 1)
  $(self_cmd) status
$(devsim_line)
Logs: $LOCALNET_HOME/node<i>/trustedged.log     Stop: $(self_cmd) stop
TXT
}

# self_cmd: how to call this script again for this localnet.
self_cmd() {
  if [ "$LOCALNET_HOME" = "$ROOT/.localnet" ]; then
    echo "scripts/localnet.sh"
  else
    echo "LOCALNET_HOME=$LOCALNET_HOME scripts/localnet.sh"
  fi
}

# devsim_line: what the summary says about the device simulator.
devsim_line() {
  if [ "$LOCALNET_DEVSIM" = 1 ]; then
    echo "Devices: devsim ($DEVSIM_DEVICES devices, $DEVSIM_RATE readings/s) logs to $LOCALNET_HOME/devsim.log"
  else
    echo "Devices: no device simulator (LOCALNET_DEVSIM=0); start one with: $BIN devsim --help"
  fi
}

stop() {
  local pidf pid stopped=0
  # devsim first (while the gateway still answers, its SIGTERM drain ends
  # quickly); it gets 5 s, then SIGKILL.
  pidf="$LOCALNET_HOME/devsim.pid"
  if ours "$pidf" "$(node_home 0)"; then
    pid="$(cat "$pidf")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidf"
  for pidf in "$LOCALNET_HOME"/node*/trustedged.pid; do
    [ -f "$pidf" ] || continue
    pid="$(cat "$pidf")"
    if ours "$pidf" "$(dirname "$pidf")"; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
      stopped=$((stopped + 1))
    fi
    rm -f "$pidf"
  done
  log "stopped $stopped node(s)"
}

status() {
  local n i h state
  n=$(num_nodes)
  [ "$n" -gt 0 ] || die "no localnet in $LOCALNET_HOME"
  for ((i = 0; i < n; i++)); do
    state=stopped
    ours "$(node_home "$i")/trustedged.pid" "$(node_home "$i")" && state="running pid $(cat "$(node_home "$i")/trustedged.pid")"
    h="$(height_of "$i")"
    printf 'node%-2s height=%-8s rpc=tcp://127.0.0.1:%s %s\n' "$i" "${h:--}" "$(rpc_port "$i")" "$state"
  done
}

case "${1:-}" in
start) start "${2:-4}" ;;
stop) stop ;;
status) status ;;
reset)
  # Only a directory that holds a localnet (or nothing) is deleted: a
  # mistyped LOCALNET_HOME must not take other files with it.
  if [ -n "$(ls -A "$LOCALNET_HOME")" ] && [ ! -f "$SETTINGS" ] && [ ! -d "$(node_home 0)" ]; then
    die "$LOCALNET_HOME does not look like a localnet (no localnet.env, no node0); not deleting it"
  fi
  stop
  rm -rf "$LOCALNET_HOME"
  log "removed $LOCALNET_HOME"
  ;;
*) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
