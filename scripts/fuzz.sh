#!/usr/bin/env bash
# Runs every Go fuzz target under x/ (and node/) for FUZZTIME each.
#   scripts/fuzz.sh            # 3s each (what `make test` runs)
#   FUZZTIME=2m scripts/fuzz.sh
# Seeds also run as plain tests in `make test-unit`; this explores beyond them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
FUZZTIME="${FUZZTIME:-3s}"
failed=0
while IFS=: read -r file _ line; do
  pkg="./$(dirname "$file")"
  name="$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' <<<"$line")"
  [ -n "$name" ] || continue
  echo "fuzz $pkg $name ($FUZZTIME)"
  if ! go test -tags pebbledb -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -parallel 2 "$pkg" >/tmp/fuzz-"$name".log 2>&1; then
    echo "FAIL $name"; tail -30 /tmp/fuzz-"$name".log; failed=1
  fi
done < <(grep -rn --include='*_test.go' '^func Fuzz' x node 2>/dev/null | sort)
exit $failed
