#!/usr/bin/env bash
# The local PostgreSQL of `make run`: installs what is missing, keeps a cluster
# under .pg/ (owned by the postgres user when run as root, since initdb and
# pg_ctl refuse root) and prints its DATABASE_URL.
#   deploy/local/postgres.sh install [TOOL...]   install postgresql and libpq-dev if missing
#                                      (and each TOOL, a command named as its package)
# Sourced (as deploy/local/bench-http.sh does), it only defines its functions.
#   deploy/local/postgres.sh up        start (creating on first use) the .pg/ cluster
#   deploy/local/postgres.sh down      stop it
#   deploy/local/postgres.sh url       print its DATABASE_URL
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$root/.pg"
port="${TOUCHSTONE_PG_PORT:-54329}"
url="postgresql://postgres@127.0.0.1:$port/touchstone"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install() {
  local missing=() tool
  for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  command -v pg_config >/dev/null 2>&1 || missing+=(libpq-dev)
  dpkg -s libpq-dev >/dev/null 2>&1 || missing+=(libpq-dev)
  dpkg -s postgresql-15 >/dev/null 2>&1 || dpkg -s postgresql >/dev/null 2>&1 || missing+=(postgresql)
  command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
  if [ ${#missing[@]} -gt 0 ]; then
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "installing: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

bindir() { pg_config --bindir; }

up() {
  install
  local bin; bin="$(bindir)"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C >/dev/null
  fi
  if ! as_postgres "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
  fi
  if ! psql "postgresql://postgres@127.0.0.1:$port/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = 'touchstone'" | grep -q 1; then
    psql "postgresql://postgres@127.0.0.1:$port/postgres" -qc "CREATE DATABASE touchstone" >/dev/null
  fi
  echo "$url"
}

down() {
  [ -f "$dir/data/PG_VERSION" ] || return 0
  as_postgres "$(bindir)/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
}

[ "${BASH_SOURCE[0]}" = "$0" ] || return 0
case "${1:-}" in
  install) shift; install "$@" ;;
  up) up ;;
  down) down ;;
  url) echo "$url" ;;
  *) echo "usage: $0 install [TOOL...]|up|down|url" >&2; exit 2 ;;
esac
