#!/usr/bin/env bash
# Runs every Go fuzz target under x/ (and node/) for FUZZTIME each.
#   scripts/fuzz.sh                # 1000 executions each (what `make test` runs)
#   FUZZTIME=2m scripts/fuzz.sh    # a duration: explores longer (`make fuzz`)
# Seeds also run as plain tests in `make test-unit`; this explores beyond them.
#
# CI uses an execution count, not a duration: with a duration, Go 1.26's fuzz
# coordinator can fail a target with a bare "context deadline exceeded" when
# the time runs out while a worker is mid-call (golang/go#75804, fixed in Go
# 1.27), with no crashing input. A count has no deadline to race.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
FUZZTIME="${FUZZTIME:-1000x}"
failed=0
while IFS=: read -r file _ line; do
  pkg="./$(dirname "$file")"
  name="$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' <<<"$line")"
  [ -n "$name" ] || continue
  start=$SECONDS
  if go test -tags pebbledb -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -parallel 2 "$pkg" >/tmp/fuzz-"$name".log 2>&1; then
    echo "fuzz $pkg $name ($FUZZTIME): ok in $((SECONDS - start)) s"
  else
    echo "FAIL $pkg $name ($FUZZTIME) after $((SECONDS - start)) s"; tail -30 /tmp/fuzz-"$name".log; failed=1
  fi
done < <(grep -rn --include='*_test.go' '^func Fuzz' x node 2>/dev/null | sort)
exit $failed
