# TrustEdge — see README.md.
BIN := build/trustedged
GO ?= go
# libsecp256k1 through cgo verifies tx signatures ~1.8x faster than the
# SDK's pure-Go fallback (signature checks are the largest per-tx cost of a
# validator). Used whenever cgo and a C compiler are available; otherwise
# (CGO_ENABLED=0, no cc) the build is pure Go. Both accept the same
# signatures (lower-S only), so nodes built either way agree.
SECP_TAG := $(shell [ "$$($(GO) env CGO_ENABLED)" = 1 ] && command -v "$$($(GO) env CC)" >/dev/null 2>&1 && echo ,libsecp256k1_sdk)
BUILD_TAGS := pebbledb$(SECP_TAG)
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS := -X github.com/cosmos/cosmos-sdk/version.Name=trustedge \
	-X github.com/cosmos/cosmos-sdk/version.AppName=trustedged \
	-X github.com/cosmos/cosmos-sdk/version.Version=$(VERSION) \
	-X github.com/cosmos/cosmos-sdk/version.Commit=$(COMMIT) \
	-X github.com/cosmos/cosmos-sdk/version.BuildTags=$(BUILD_TAGS)

.PHONY: build test test-unit test-fuzz test-e2e soak localnet localnet-stop localnet-status proto-gen lint bench-chain bench-ingest fuzz build-bench

build:
	$(GO) build -tags '$(BUILD_TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN) ./node/cmd/trustedged

# Everything CI runs: vet, unit/keeper/app tests, 1,000 executions of each
# fuzz target, then e2e tests on the real binary.
test: lint test-unit test-fuzz test-e2e

test-unit:
	$(GO) test -tags '$(BUILD_TAGS)' -count=1 ./app/... ./x/... ./node/... ./internal/...

test-fuzz:
	FUZZTIME=$(or $(FUZZTIME),1000x) scripts/fuzz.sh

# Longer fuzzing (not in CI): make fuzz FUZZTIME=5m
fuzz:
	FUZZTIME=$(or $(FUZZTIME),2m) scripts/fuzz.sh

# The e2e tests include a one-minute soak (TestSoak); make soak runs it longer.
test-e2e: build build-bench
	SOAK_DURATION=$(or $(SOAK_DURATION),60s) TRUSTEDGED=$(CURDIR)/$(BIN) TEBENCH=$(CURDIR)/build/tebench \
		$(GO) test -tags '$(BUILD_TAGS),e2e' -count=1 -timeout 25m -v ./networks/e2e/...

# Fault-injection soak (not in CI): a 4-validator localnet under chain and
# ingest load while validators are killed, frozen and halted; then checks
# that every node holds the same blocks, no tx failed, the supply held and
# every acknowledged reading is committed and provable.
# make soak SOAK_DURATION=30m SOAK_RATE=200 SOAK_SEED=<seed of a failed run>
soak: build build-bench
	SOAK_DURATION=$(or $(SOAK_DURATION),10m) TRUSTEDGED=$(CURDIR)/$(BIN) TEBENCH=$(CURDIR)/build/tebench \
		$(GO) test -tags '$(BUILD_TAGS),e2e' -count=1 -timeout 12h -v -run '^TestSoak$$' ./networks/e2e/

localnet: build
	scripts/localnet.sh start $(or $(N),4)

localnet-stop:
	scripts/localnet.sh stop

localnet-status:
	scripts/localnet.sh status

proto-gen:
	bash scripts/protocgen.sh

lint:
	$(GO) vet -tags '$(BUILD_TAGS)' ./...
	@# Every hand-written .go file, tracked or not (find, so it works without git).
	@unformatted=$$(find . -name '*.go' -not -path './third_party/*' -not -path './.localnet/*' -not -path './build/*' \
		-not -name '*.pb.go' -not -name '*.pb.gw.go' -print0 | xargs -0 gofmt -l); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

bench-chain: build
	scripts/bench.sh chain

bench-ingest: build
	scripts/bench.sh ingest

# The chain load generator (scripts/bench.sh builds it when needed).
build-bench:
	$(GO) build -tags '$(BUILD_TAGS)' -o build/tebench ./node/cmd/tebench
