#!/usr/bin/env bash
# The HTTP phase of `make bench` (issue 14): the real `touchstone serve` (release build) on a
# throwaway *durable* cluster (fsync and synchronous_commit on: the number users get), driven by
# wrk with 8 connections, beside pgbench's one-row INSERT on the same cluster in the same run;
# then a client with a long history against a new client (command p99, history first page p99,
# the state as of today, the first command after a restart).
#   HTTP_SECONDS (20)        length of each wrk and pgbench run
#   LONG_CLIENT_EVENTS (100000)  events of the long client (imported with `touchstone import`)
#   TOUCHSTONE_BIN           the binary (default .build-release/release/touchstone)
#   BENCH_HTTP_LOG           where to copy the last server's log (default: not kept)
# Needs wrk (installed with apt-get when missing), pgbench and curl.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# as_postgres and install (postgresql, libpq-dev and the tools named).
source "$root/deploy/local/postgres.sh"
install wrk curl
seconds="${HTTP_SECONDS:-20}"
long_events="${LONG_CLIENT_EVENTS:-100000}"
bin="${TOUCHSTONE_BIN:-$root/.build-release/release/touchstone}"
[ -x "$bin" ] || { echo "bench-http: no $bin; build it with: swift build -c release --product touchstone --scratch-path .build-release" >&2; exit 1; }
pgbin="$(pg_config --bindir)"

work="$(mktemp -d /tmp/touchstone-bench-http.XXXXXX)"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$work"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
http_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
server=""
cleanup() {
  [ -n "${BENCH_HTTP_LOG:-}" ] && cp "$work/serve.log" "$BENCH_HTTP_LOG" 2>/dev/null
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  as_postgres "$pgbin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

as_postgres "$pgbin/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --locale=C >/dev/null
# Durable: fsync, synchronous_commit and full_page_writes stay at their defaults (on).
as_postgres "$pgbin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
  -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB" start >/dev/null
admin="postgresql://postgres@127.0.0.1:$port/postgres"
psql "$admin" -qc "CREATE DATABASE touchstone" >/dev/null
url="postgresql://postgres@127.0.0.1:$port/touchstone"
echo "durable cluster: fsync=$(psql "$admin" -tAc 'SHOW fsync'), synchronous_commit=$(psql "$admin" -tAc 'SHOW synchronous_commit')"

export DATABASE_URL="$url" TOUCHSTONE_SCHEMA_DIR="$root/Schema" LOG_LEVEL=warning
TOUCHSTONE_MASTER_KEY="$(head -c 32 /dev/urandom | base64)"
export TOUCHSTONE_MASTER_KEY
"$bin" migrate >/dev/null
token="$("$bin" token create --role admin --name bench | grep -o 'ts_[A-Za-z0-9_-]*' | head -n 1)"
export TOKEN="$token"

start_server() {
  "$bin" serve --port "$http_port" >"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "bench-http: the server did not become ready" >&2
  cat "$work/serve.log" >&2
  exit 1
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }

new_client() {
  curl -fs -X POST "http://127.0.0.1:$http_port/v1/clients" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d '{"name":"Bench client","kind":"company"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["clientId"])'
}

cat >"$work/touch.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"channel":"call","direction":"outbound","occurredAt":"2026-03-01T10:00:00Z","summary":"called"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
LUA
cat >"$work/spread.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"channel":"call","direction":"outbound","occurredAt":"2026-03-01T10:00:00Z","summary":"called"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local clients = {}
for id in string.gmatch(os.getenv("CLIENTS"), "[^,]+") do clients[#clients + 1] = id end
math.randomseed(os.time())
request = function()
  return wrk.format(nil, "/v1/clients/" .. clients[math.random(#clients)] .. "/touches")
end
LUA
cat >"$work/read.lua" <<'LUA'
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
LUA

# wrk's "Requests/sec" and its 99% latency in milliseconds.
rate() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
p99_ms() { percentile_ms 99% "$1"; }
p50_ms() { percentile_ms 50% "$1"; }
percentile_ms() {
  awk -v at="$1" '$1 == at { v = $2; u = v; gsub(/[0-9.]/, "", u); sub(/[a-z]+$/, "", v);
       if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000; printf "%.2f", v }' "$2"
}
errors() { awk '/Non-2xx|Socket errors/ { print }' "$1"; }

# Waits until every read model has folded the log (lag 0), asking every 0.1 s for at most 5 minutes.
caught_up() {
  for _ in $(seq 1 3000); do
    lag="$(curl -fs "http://127.0.0.1:$http_port/v1/projections" -H "Authorization: Bearer $token" |
      python3 -c 'import json,sys; print(sum(p["lagEvents"] for p in json.load(sys.stdin)["projections"]))')"
    [ "$lag" = 0 ] && return 0
    sleep 0.1
  done
  echo "bench-http: the read models did not catch up within 5 minutes (lag $lag events)" >&2
}
start_server
# Touches spread over 64 clients: eight connections on one stream would mostly measure conflicts.
CLIENTS="$(for _ in $(seq 1 64); do new_client; done | paste -sd, -)"
export CLIENTS
echo
echo "== POST /v1/clients/{id}/touches over HTTP, 8 connections, 64 clients, ${seconds}s (wrk) =="
wrk -t2 -c8 -d"${seconds}s" --latency -s "$work/spread.lua" "http://127.0.0.1:$http_port" >"$work/http.txt"
errors "$work/http.txt"
http_rate="$(rate "$work/http.txt")"
echo "  touches: $http_rate requests/s, p99 $(p99_ms "$work/http.txt") ms"
# The baseline runs alone: the projection runner first folds what the command phase appended.
folded="$(date +%s.%N)"
caught_up
echo "  read models caught up $(awk -v s="$folded" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }') s after the last command"

echo "== one-row INSERT, 8 clients, ${seconds}s (pgbench, same cluster) =="
psql "$url" -qc "CREATE TABLE bench_rows (id bigserial PRIMARY KEY, payload text NOT NULL)"
echo "INSERT INTO bench_rows (payload) VALUES ('called');" >"$work/insert.sql"
pgbench -n -c 8 -j 2 -T "$seconds" -f "$work/insert.sql" "$url" >"$work/pgbench.txt" 2>&1
insert_rate="$(awk '/^tps = / { print $3; exit }' "$work/pgbench.txt")"
echo "  insert: $insert_rate transactions/s"
awk -v h="$http_rate" -v r="$insert_rate" 'BEGIN { ratio = h / r; verdict = (ratio >= 0.25) ? "met" : "NOT met";
  printf "  ratio: %.3fx raw INSERT (target >= 0.25x): %s\n", ratio, verdict }'

echo
echo "== a client with $long_events events against a new client =="
long="$(python3 -c 'import uuid; print(uuid.uuid4())')"
python3 - "$long" "$long_events" >"$work/long.ndjson" <<'PY'
import json, sys, uuid
client, count = sys.argv[1], int(sys.argv[2])
print(json.dumps({"command": "register-client", "clientId": client, "name": "Key account", "kind": "company",
                  "registeredOn": "2016-01-04"}))
for n in range(count - 1):
    day = 1 + n % 28
    print(json.dumps({"command": "record-touch", "clientId": client, "channel": "call", "direction": "outbound",
                      "occurredAt": "2026-02-%02dT10:00:00Z" % day, "summary": "daily call"}))
PY
stop_server
started="$(date +%s.%N)"
"$bin" import "$work/long.ndjson" >"$work/import.txt" 2>&1
echo "  imported in $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
# What autovacuum does after a bulk load, before the planner sees the long client's rows.
psql "$url" -qc "ANALYZE"

start_server
# Let the projection runner fold the import first: the first command is still this process's
# first, on an empty cache.
caught_up
post_touch() {
  curl -s -o /dev/null -w '%{time_total}' -X POST "http://127.0.0.1:$http_port/v1/clients/$1/touches" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"channel":"call","direction":"outbound","occurredAt":"2026-03-01T10:00:00Z"}'
}
# The process's very first command (on a short client registered before the restart) pays the
# process's own warm-up; the long client's first command then pays only its empty cache.
first="$(post_touch "${CLIENTS%%,*}")"
cold="$(post_touch "$long")"
again="$(post_touch "$long")"
cold_ms="$(awk -v t="$cold" 'BEGIN { printf "%.1f", t * 1000 }')"
# The first history read of a client replays it whole and leaves a snapshot for the next ones.
first_history="$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$http_port/v1/clients/$long/history?limit=100" \
  -H "Authorization: Bearer $token")"
fresh="$(new_client)"
short="$(( seconds < 10 ? seconds : 10 ))"
wrk -t1 -c1 -d"${short}s" --latency -s "$work/touch.lua" "http://127.0.0.1:$http_port/v1/clients/$fresh/touches" >"$work/new.txt"
wrk -t1 -c1 -d"${short}s" --latency -s "$work/touch.lua" "http://127.0.0.1:$http_port/v1/clients/$long/touches" >"$work/long.txt"
# The reads are timed in a steady state, as the commands were: after the runner has folded the
# commands just made, and after the one read that replays them since the last history snapshot
# (and stores the next), timed apart.
caught_up
after_burst="$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$http_port/v1/clients/$long/history?limit=100" \
  -H "Authorization: Bearer $token")"
wrk -t1 -c1 -d"${short}s" --latency -s "$work/read.lua" "http://127.0.0.1:$http_port/v1/clients/$long/history?limit=100" >"$work/page.txt"
wrk -t1 -c1 -d"${short}s" --latency -s "$work/read.lua" "http://127.0.0.1:$http_port/v1/clients/$long/history?limit=1" >"$work/state.txt"
for f in new long page state; do errors "$work/$f.txt"; done
new_p99="$(p99_ms "$work/new.txt")"
long_p99="$(p99_ms "$work/long.txt")"
page_p99="$(p99_ms "$work/page.txt")"
state_p99="$(p99_ms "$work/state.txt")"
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { r = (v + 0 < t + 0) ? "met" : "NOT met"; print r }'; }
echo "  p50: command on a new client $(p50_ms "$work/new.txt") ms, on the long client $(p50_ms "$work/long.txt") ms, history page $(p50_ms "$work/page.txt") ms, state $(p50_ms "$work/state.txt") ms"
echo "  command p99: new client $new_p99 ms, long client $long_p99 ms (target <= 2x): $(awk -v n="$new_p99" -v l="$long_p99" 'BEGIN { r = (l + 0 <= 2 * n) ? "met" : "NOT met"; print r }')"
echo "  history first page (limit 100) p99: $page_p99 ms (target < 30 ms): $(verdict "$page_p99" 30)"
echo "  state as of today (history, limit 1) p99: $state_p99 ms (target < 30 ms): $(verdict "$state_p99" 30)"
echo "  first command on the long client after a restart: $cold_ms ms (target < 100 ms): $(verdict "$cold_ms" 100)"
echo "    (the process's first command, on a short client: $(awk -v t="$first" 'BEGIN { printf "%.1f", t * 1000 }') ms; the long client's second: $(awk -v t="$again" 'BEGIN { printf "%.1f", t * 1000 }') ms)"
echo "  first history read of the long client (replays it whole, takes the first snapshot): $(awk -v t="$first_history" 'BEGIN { printf "%.1f", t * 1000 }') ms"
echo "  first history read after the command phase (replays its $(awk '/requests in/ { print $1 }' "$work/long.txt") commands, takes a snapshot): $(awk -v t="$after_burst" 'BEGIN { printf "%.1f", t * 1000 }') ms"
stop_server
