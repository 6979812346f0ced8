#!/usr/bin/env bash
# `make run`: a local PostgreSQL under .pg/ unless DATABASE_URL is set, the
# migrations, the demo data on first start, a fresh bootstrap admin token
# (the previous one revoked), then the API on 127.0.0.1:8080.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
"$root/deploy/local/postgres.sh" install
if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL="$("$root/deploy/local/postgres.sh" up)"
fi
export DATABASE_URL
swift build --product touchstone
bin="$(swift build --show-bin-path)/touchstone"
"$bin" migrate
"$bin" demo --if-empty
"$bin" token revoke --name bootstrap >/dev/null
token="$("$bin" token create --role admin --name bootstrap | grep -o 'ts_[A-Za-z0-9_-]*' | head -n 1)"
host="${TOUCHSTONE_HOST:-127.0.0.1}"
port="${TOUCHSTONE_PORT:-8080}"
echo
echo "Touchstone is serving on http://$host:$port"
echo "Admin token (bootstrap, printed once): $token"
echo "Try: curl -H 'Authorization: Bearer $token' http://$host:$port/v1/events"
echo
exec "$bin" serve --host "$host" --port "$port"
