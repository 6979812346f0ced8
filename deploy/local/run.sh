#!/usr/bin/env bash
# `make run`: a local PostgreSQL under .pg/ unless DATABASE_URL is set, a master key for personal
# data under .touchstone/ unless one is given, the migrations, the demo data on first start, a fresh bootstrap admin token
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
# The master key that wraps every client's data key: kept in .touchstone/master.key (made on the
# first start) unless TOUCHSTONE_MASTER_KEY or TOUCHSTONE_MASTER_KEY_FILE says otherwise. Losing it
# makes every personal value of the local database unreadable.
if [ -z "${TOUCHSTONE_MASTER_KEY:-}" ] && [ -z "${TOUCHSTONE_MASTER_KEY_FILE:-}" ]; then
  key_file="$root/.touchstone/master.key"
  if [ ! -f "$key_file" ]; then
    mkdir -p "$root/.touchstone"
    (umask 077 && "$bin" keys generate > "$key_file")
    echo "made a master key for personal data in $key_file (keep it with the database)"
  fi
  export TOUCHSTONE_MASTER_KEY_FILE="$key_file"
fi
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
