#!/usr/bin/env bash
# The relay's test stage (called by scripts/test-all.sh): installs PostgreSQL and Chromium
# if missing, starts a throwaway PostgreSQL on 127.0.0.1, runs the relay suite against
# SQLite and PostgreSQL, then the browser end-to-end and jose interop (relay-e2e.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null; }
fi

eval "$(bash scripts/relay-pg.sh start)"
trap 'bash scripts/relay-pg.sh stop "$PHR_PG_DIR"' EXIT
export PHR_TEST_PG

echo "-- relay suite: SQLite and PostgreSQL ($PHR_TEST_PG)"
cargo test -p phr-relay --locked 2>&1 | grep -E "^test |test result|panicked|FAILED" 
test "${PIPESTATUS[0]}" = 0
echo "-- relay storage in PostgreSQL (pg_dump of the whole database) holds no record value"
dump=$(mktemp)
"$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_dump" "$PHR_TEST_PG" >"$dump"
if grep -a -o -E "SENTINEL-7731|Zxqvorimab|keep taking" "$dump"; then echo "FAIL: record value in the PostgreSQL dump"; exit 1; fi
echo "pg_dump: $(wc -c <"$dump") bytes, $(grep -c 'CREATE TABLE' "$dump") tables, no sentinel"
rm -f "$dump"

echo "-- browser end-to-end and jose interop"
bash scripts/relay-e2e.sh
