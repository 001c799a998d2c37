#!/usr/bin/env bash
# Sync load on a release relay at increasing offered rates (issue 19), PostgreSQL then SQLite:
# starts `phr-relay serve` (PHR_RELAY_BIN, default the release build) on a throwaway
# PostgreSQL (relay-pg.sh) and on a SQLite file, and runs relay/tests/sync_load.rs against
# each with PHR_SYNC_LOAD_RATE (default 100,200,300,400,600,800 req/s) and
# PHR_SYNC_LOAD_ROUNDS (default 4). The loader is the test binary (dev profile) on the same
# 2 cores. Prints a summary line per rate and the rate at which a p99 first crosses 50 ms.
# PHR_SYNC_BENCH_BACKENDS (default "postgres sqlite") picks the backends; PHR_RELAY_PG_POOL
# the relay's pool size.
#   cargo build --release -p phr-relay && bash scripts/relay-sync-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
bin=${PHR_RELAY_BIN:-$target/release/phr-relay}
[ -x "$bin" ] || { echo "no relay binary at $bin (cargo build --release -p phr-relay)" >&2; exit 1; }
export PHR_SYNC_LOAD_RATE=${PHR_SYNC_LOAD_RATE:-100,200,300,400,600,800}
export PHR_SYNC_LOAD_ROUNDS=${PHR_SYNC_LOAD_ROUNDS:-4}
work=$(mktemp -d "${TMPDIR:-/tmp}/phr-sync-bench.XXXXXX")
pid=
PG_DIR=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "$PG_DIR" ] && bash scripts/relay-pg.sh stop "$PG_DIR"
  rm -rf "$work"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cargo test -q -p phr-relay --test sync_load --no-run 2>/dev/null
run() { # label, relay args...
  local label=$1; shift
  RUST_LOG=warn "$bin" serve --listen "127.0.0.1:$port" "$@" 2>"$work/relay.log" &
  pid=$!
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  PHR_SYNC_LOAD_BASES=http://127.0.0.1:$port PHR_SYNC_LOAD_LABEL=$label \
    cargo test -q -p phr-relay --test sync_load -- --nocapture 2>&1 | grep -vE '^\s*$|^running|^\.$'
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}
pg_env=$(bash scripts/relay-pg.sh start)
eval "$pg_env"
PG_DIR=$PHR_PG_DIR
echo "relay: $bin; PostgreSQL pool ${PHR_RELAY_PG_POOL:-4}; rates $PHR_SYNC_LOAD_RATE req/s; $PHR_SYNC_LOAD_ROUNDS rounds"
for b in ${PHR_SYNC_BENCH_BACKENDS:-postgres sqlite}; do
  case $b in
    postgres) run "PostgreSQL, pool ${PHR_RELAY_PG_POOL:-4}" --postgres "$PHR_TEST_PG" ;;
    sqlite) run "SQLite" --db "$work/relay.sqlite" ;;
  esac
done
