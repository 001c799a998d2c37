#!/usr/bin/env bash
# Scale-out for real (issue 19): a throwaway PostgreSQL (relay-pg.sh), two phr-relay
# instances (`a`, `b`) on it with one ticket key, and nginx on 127.0.0.1 balancing over both
# (unprivileged config in a temp folder). Then, through nginx: relay/tests/scaleout.rs (a
# share fetched many times so both instances answer, wrong passcodes counted per client
# behind the proxy, two devices syncing) and a bounded sync load (relay/tests/sync_load.rs:
# 200 devices, every op pushed is pulled exactly once). Checks both instances served and
# logged the same ticket-key fingerprint.
#   bash scripts/relay-scaleout.sh            # dev build
#   PHR_RELAY_BIN=target/release/phr-relay bash scripts/relay-scaleout.sh
# Needs nginx and PostgreSQL (scripts/setup-test-tools.sh installs both).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v nginx >/dev/null || { echo "nginx is not installed (bash scripts/setup-test-tools.sh)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/phr-scaleout.XXXXXX")
chmod 755 "$work"
pids=()
PG_DIR=
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -n "$PG_DIR" ] && bash scripts/relay-pg.sh stop "$PG_DIR"
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pg_env=$(bash scripts/relay-pg.sh start)
eval "$pg_env"
PG_DIR=$PHR_PG_DIR
target=${CARGO_TARGET_DIR:-target}
# --workspace: the same features as the workspace test run of scripts/test-all.sh, so its
# build is reused instead of compiling the dependencies again for one package.
if [ -z "${PHR_RELAY_BIN:-}" ]; then
  cargo build -q --workspace --bin phr-relay
  PHR_RELAY_BIN=$target/debug/phr-relay
fi
python3 -c 'import secrets; print(secrets.token_hex(32))' >"$work/ticket.key"
chmod 600 "$work/ticket.key"

ports=()
for name in a b; do
  port=$(free_port)
  ports+=("$port")
  # Only nginx (127.0.0.1) is trusted for X-Forwarded-For. The first instance migrates the
  # schema; the second waits for it (migrations take an advisory lock anyway).
  "$PHR_RELAY_BIN" serve --listen "127.0.0.1:$port" --postgres "$PHR_TEST_PG" --pg-pool 4 \
    --ticket-key-file "$work/ticket.key" --trusted-proxy 127.0.0.1 --instance "$name" \
    2>"$work/$name.log" &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null
done

nport=$(free_port)
mkdir -p "$work/nginx"
chmod 1777 "$work/nginx"   # nginx workers run unprivileged when we are root
cat >"$work/nginx.conf" <<CONF
worker_processes 2; daemon off; pid $work/nginx.pid; error_log $work/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  upstream phr_relay { server 127.0.0.1:${ports[0]}; server 127.0.0.1:${ports[1]}; keepalive 64; }
  server {
    listen 127.0.0.1:$nport;
    client_max_body_size 64m;
    location / {
      proxy_pass http://phr_relay;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_request_buffering off;
      proxy_max_temp_file_size 0;
    }
  }
}
CONF
nginx -c "$work/nginx.conf" &
pids+=($!)
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$nport/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
echo "nginx 127.0.0.1:$nport -> a 127.0.0.1:${ports[0]}, b 127.0.0.1:${ports[1]}; PostgreSQL: $PHR_TEST_PG"

export PHR_SCALEOUT_URL=http://127.0.0.1:$nport
cargo test -q --workspace --test scaleout -- --ignored --nocapture --test-threads 1 2>&1 | grep -vE '^\s*$|^running|^warning'
PHR_SYNC_LOAD_BASES=$PHR_SCALEOUT_URL PHR_SYNC_LOAD_ROUNDS=${PHR_SCALEOUT_ROUNDS:-3} \
  PHR_SYNC_LOAD_LABEL="nginx -> 2 instances, PostgreSQL" \
  cargo test -q --workspace --test sync_load -- --nocapture 2>&1 | grep -vE '^\s*$|^running'

fail=0
for name in a b; do
  n=$(grep -c ' request' "$work/$name.log" || true)
  fp=$(grep -o 'ticket key fingerprint [0-9a-f]*' "$work/$name.log" | awk '{print $4}')
  echo "instance $name: $n requests answered, ticket key fingerprint $fp"
  [ "$n" -gt 0 ] || { echo "FAIL: instance $name answered nothing" >&2; fail=1; }
  echo "$fp" >>"$work/fingerprints"
done
[ "$(sort -u "$work/fingerprints" | wc -l)" = 1 ] || { echo "FAIL: the instances use different ticket keys" >&2; fail=1; }
if grep -E ' (ERROR|WARN) ' "$work"/a.log "$work"/b.log | grep -v 'reconnected' | head -5 | grep .; then
  echo "FAIL: errors in the instances' logs (above)" >&2; fail=1
fi
[ "$fail" = 0 ] && echo "scale-out: both instances served, one ticket key, nothing lost"
exit "$fail"
