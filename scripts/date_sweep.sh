#!/usr/bin/env bash
# The date sweep: the suite (all but the browser tests, whose Chromium clock cannot be moved) again with
# the clock moved by time-machine to the moments where date code breaks. Each test starts at the moment
# given in TEST_CLOCK and the clock ticks on from there (tests/conftest.py). Extra pytest arguments pass
# through, e.g. `scripts/date_sweep.sh tests/points`.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=$(cat .venv/.uv-path 2>/dev/null || echo uv)

moments=(
  "2026-12-31T23:30:00+08:00"  # New Year's Eve 23:30 local = 15:30 UTC: the local and UTC years differ
  "2026-09-30T23:59:00+08:00"  # the last minute of a quarter, local time
  "2028-02-29T10:00:00+08:00"  # 29 February of a leap year
  "2027-01-01T00:05:00+08:00"  # five minutes into a new year, local time (still 2026 in UTC)
  "2026-06-22T09:00:00+08:00"  # the Monday after the Dragon Boat Festival holiday (19-21 June 2026)
)
summary=()
for moment in "${moments[@]}"; do
  echo "== date sweep: the suite at $moment =="
  start=$(date +%s)
  log=$(mktemp)
  rc=0
  TEST_CLOCK="$moment" "$UV" run pytest -n 2 -q -m "not browser" -p no:warnings "$@" > "$log" 2>&1 || rc=$?
  grep -E '^(FAILED|ERROR) ' "$log" || true
  line=$(grep -E '^[0-9]+ (passed|failed)|passed|failed' "$log" | tail -n 1)
  rm -f "$log"
  summary+=("$moment: ${line:-no result} ($(( $(date +%s) - start )) s)")
  if [ "$rc" != 0 ]; then
    printf '%s\n' "${summary[@]}"
    echo "date sweep FAILED at $moment"
    exit "$rc"
  fi
done
echo "== date sweep summary =="
printf '%s\n' "${summary[@]}"
