#!/usr/bin/env bash
# Load test: PHR_LOAD_CONCURRENCY (32) viewers for PHR_LOAD_SECONDS (10) against one manifest on a
# relay at 127.0.0.1 (SQLite), then the same loader GETting the same manifest bytes from nginx.
# PHR_RELAY_BIN picks the relay binary (e.g. the release build, issue 19); PHR_LOAD_POSTGRES=1
# runs the relay on a throwaway PostgreSQL (relay-pg.sh) instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/phr-relay-load.XXXXXX)
pids=()
PG_DIR=
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$PG_DIR" ] && bash scripts/relay-pg.sh stop "$PG_DIR"
  rm -rf "$work"
}
trap cleanup EXIT
# The workspace dev profile (dependencies at opt-level 3, our code at 1) is what runs here.
target=${CARGO_TARGET_DIR:-target}
cargo build -q -p phr-relay -p phr-cli
relay_bin=${PHR_RELAY_BIN:-$target/debug/phr-relay}
store=(--db "$work/relay.sqlite")
if [ -n "${PHR_LOAD_POSTGRES:-}" ]; then
  chmod 755 "$work"
  pg_env=$(bash scripts/relay-pg.sh start); eval "$pg_env"; PG_DIR=$PHR_PG_DIR
  store=(--postgres "$PHR_TEST_PG")
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$relay_bin" serve --listen "127.0.0.1:$port" "${store[@]}" 2>/dev/null & pids+=($!)
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
export PHR_HOME=$work/home PHR_PASSPHRASE="load test passphrase"
$target/debug/phr init >/dev/null
$target/debug/phr add medications name=Ramipril dose="5 mg" >/dev/null
$target/debug/phr add allergies substance=Penicillin severity=severe kind=allergy >/dev/null
url=$($target/debug/phr --json share create --to Load --sections medications,allergies --purpose load --relay "http://127.0.0.1:$port" --qr "$work/q.png" \
  | python3 -c 'import json,sys,base64; u=json.load(sys.stdin)["viewer_url"].split("shlink:/")[1]; print(json.loads(base64.urlsafe_b64decode(u+"="*(-len(u)%4)))["url"])')
export PHR_LOAD_URL=$url
if command -v nginx >/dev/null; then
  mkdir -p "$work/www"
  curl -fsS -X POST -H 'content-type: application/json' -d '{"recipient":"copy"}' "$url" >"$work/www/manifest.json"
  chmod 755 "$work" "$work/www"; chmod 644 "$work/www/manifest.json"   # nginx workers run unprivileged
  nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat >"$work/nginx.conf" <<CONF
worker_processes 2; daemon off; pid $work/nginx.pid; error_log $work/nginx.err;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:$nport; root $work/www; } }
CONF
  nginx -c "$work/nginx.conf" & pids+=($!)
  sleep 0.5
  export PHR_LOAD_COMPARE_URL=http://127.0.0.1:$nport/manifest.json
fi
echo "manifest: $(curl -fsS -X POST -H 'content-type: application/json' -d '{"recipient":"size"}' "$url" | wc -c) bytes; relay binary: $relay_bin"
out=$(cargo test -q -p phr-relay --test load -- --ignored --nocapture 2>&1 | grep -E "relay|nginx|ratio|panicked")
echo "$out"
# CPU time per request (user + system, from /proc), which the other load on a shared machine
# does not change the way it changes req/s: the relay process over its life (set-up is a few
# requests), and nginx's master and workers.
cpu_ms() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $((t * 1000 / $(getconf CLK_TCK))); }
secs=${PHR_LOAD_SECONDS:-10}
# Every answered fetch is in the access log (written in batches off the request path): the
# loader's count plus the two fetches above (the nginx copy and the size), once the last
# batch is in.
served=$(echo "$out" | sed -n 's/^relay .* \([0-9]*\) served$/\1/p')
if [ -z "${PHR_LOAD_POSTGRES:-}" ] && [ -n "$served" ]; then
  sleep 1
  logged=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM access_log WHERE outcome = '"'served'"'").fetchone()[0])' "$work/relay.sqlite")
  echo "access log: $logged fetches logged for $served + 2 answered"
  [ "$logged" -eq $((served + 2)) ] || { echo "access log: entries were lost"; exit 1; }
fi
relay_reqs=$(echo "$out" | awk -v s="$secs" '/^relay/ {for (i=1;i<=NF;i++) if ($(i+1)=="req/s,") print int($i*s)}')
relay_ms=$(cpu_ms "${pids[0]}")
echo "relay CPU: $relay_ms ms for about $relay_reqs requests: $((relay_ms * 1000 / (relay_reqs + 1))) us per request"
if [ ${#pids[@]} -gt 1 ]; then
  nginx_reqs=$(echo "$out" | awk -v s="$secs" '/^nginx/ {for (i=1;i<=NF;i++) if ($(i+1)=="req/s,") print int($i*s)}')
  nginx_ms=$(cpu_ms "${pids[1]}" $(pgrep -P "${pids[1]}"))
  echo "nginx CPU: $nginx_ms ms for about $nginx_reqs requests: $((nginx_ms * 1000 / (nginx_reqs + 1))) us per request"
fi
