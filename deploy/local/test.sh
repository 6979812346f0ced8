#!/usr/bin/env bash
# `make test`: installs PostgreSQL and libpq if missing, builds once (debug),
# and runs the whole suite; the Swift harness starts its own throwaway cluster
# (or uses TEST_DATABASE_URL) and never reads DATABASE_URL. Then a timed fuzz
# phase and a timed soak phase. Each phase's time is printed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
unset DATABASE_URL DATABASE_OWNER_URL
phase() {
  local name="$1"; shift
  local start; start=$(date +%s)
  echo "== $name"
  "$@"
  echo "== $name took $(( $(date +%s) - start ))s"
}
phase "install" "$root/deploy/local/postgres.sh" install
phase "build" swift build --build-tests
phase "tests" swift test --skip-build
# Fuzz and soak run for a fixed time each (about three minutes at most with their set-up);
# FUZZ_SECONDS / SOAK_SECONDS change it, 0 skips the phase.
fuzz_seconds="${FUZZ_SECONDS:-60}"
soak_seconds="${SOAK_SECONDS:-90}"
if [ "$fuzz_seconds" -gt 0 ]; then
  phase "fuzz (${fuzz_seconds}s)" env TOUCHSTONE_FUZZ_SECONDS="$fuzz_seconds" \
    swift test --skip-build --filter CommandFuzzTests
fi
if [ "$soak_seconds" -gt 0 ]; then
  phase "soak (${soak_seconds}s)" env TOUCHSTONE_SOAK_SECONDS="$soak_seconds" \
    swift test --skip-build --filter SoakTests
fi
