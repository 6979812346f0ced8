#!/usr/bin/env bash
# `make test`: installs PostgreSQL, libpq and PgBouncer if missing, checks the formatting
# (`swift format lint --strict` with the committed .swift-format), builds once (debug),
# and runs the whole suite; the Swift harness starts its own throwaway cluster
# (or uses TEST_DATABASE_URL) and never reads DATABASE_URL. Then a timed fuzz
# phase, a timed soak phase, a timed fault-injection phase and a short failover phase. Each
# phase's time is printed.
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
# pgbouncer: the PgBouncer tests run it in front of a throwaway cluster.
phase "install" "$root/deploy/local/postgres.sh" install pgbouncer
# The toolchain's swift-format, with the committed configuration: `make fmt` fixes what it finds.
phase "format" swift format lint --strict --configuration .swift-format --recursive Sources Tests Package.swift
phase "build" swift build --build-tests
phase "tests" swift test --skip-build
# Fuzz, soak and faults run for a fixed time each (about three minutes at most with their
# set-up); FUZZ_SECONDS / SOAK_SECONDS / FAULT_SECONDS change it, 0 skips the phase.
fuzz_seconds="${FUZZ_SECONDS:-60}"
soak_seconds="${SOAK_SECONDS:-90}"
fault_seconds="${FAULT_SECONDS:-45}"
if [ "$fuzz_seconds" -gt 0 ]; then
  phase "fuzz (${fuzz_seconds}s)" env TOUCHSTONE_FUZZ_SECONDS="$fuzz_seconds" \
    swift test --skip-build --filter CommandFuzzTests
fi
if [ "$soak_seconds" -gt 0 ]; then
  phase "soak (${soak_seconds}s)" env TOUCHSTONE_SOAK_SECONDS="$soak_seconds" \
    swift test --skip-build --filter SoakTests
fi
# Faults: writers over HTTP against a real `touchstone serve` on a cluster of its own; the server
# is killed (SIGKILL) and restarted, PostgreSQL stopped at once and restarted, mid-load.
if [ "$fault_seconds" -gt 0 ]; then
  phase "faults (${fault_seconds}s)" env TOUCHSTONE_FAULT_SECONDS="$fault_seconds" \
    swift test --skip-build --filter FaultInjectionTests
fi
# Failover: a monitor, a primary and a synchronous standby under pg_auto_failover on this machine
# (postgresql-15-auto-failover, installed when missing), writers over HTTP, a failover a third of
# the way in (deploy/local/failover-test.sh, also `make failover-test`). About two minutes with
# the formation's set-up; FAILOVER_SECONDS sets the load's length, 0 skips the phase.
failover_seconds="${FAILOVER_SECONDS:-20}"
if [ "$failover_seconds" -gt 0 ]; then
  phase "failover (${failover_seconds}s)" env FAILOVER_SECONDS="$failover_seconds" "$root/deploy/local/failover-test.sh"
fi
