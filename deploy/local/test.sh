#!/usr/bin/env bash
# `make test`: installs PostgreSQL and libpq if missing, builds once (debug),
# and runs the whole suite; the Swift harness starts its own throwaway cluster
# (or uses TEST_DATABASE_URL) and never reads DATABASE_URL. Each phase's time
# is printed.
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
