#!/usr/bin/env bash
# `make failover-test`: a failover under load with pg_auto_failover (Debian's
# postgresql-15-auto-failover, installed with apt-get when missing): a monitor, a primary and a
# synchronous standby on this machine, a real `touchstone serve` on a multi-host DATABASE_URL with
# target_session_attrs=read-write, writers over HTTP with Idempotency-Keys, a feed reader, and a
# failover a third of the way in (FailoverTests). FAILOVER_SECONDS (default 30) sets the load's
# length. `make test` runs this script with FAILOVER_SECONDS=20 (0 skips it): the formation
# takes about half a minute to set up, and the run about a minute and a half.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
unset DATABASE_URL DATABASE_OWNER_URL
"$root/deploy/local/postgres.sh" install
if ! command -v pg_autoctl >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "installing: postgresql-15-auto-failover"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql-15-auto-failover >/dev/null
fi
swift build --build-tests
TOUCHSTONE_FAILOVER_SECONDS="${FAILOVER_SECONDS:-30}" swift test --skip-build --filter FailoverTests
