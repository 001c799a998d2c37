#!/usr/bin/env bash
# The relay's last stage (called by scripts/test-all.sh after the workspace tests, which ran
# the relay suite on SQLite and PostgreSQL): scans the PostgreSQL database those tests
# filled for record values, then runs the browser end-to-end and jose interop
# (relay-e2e.sh). Needs PHR_TEST_PG (test-all.sh starts PostgreSQL) and the tools from
# scripts/setup-test-tools.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${PHR_TEST_PG:?PHR_TEST_PG is not set: run scripts/test-all.sh, or eval \"\$(scripts/relay-pg.sh start)\" first}"

echo "-- relay storage in PostgreSQL (pg_dump of the whole database) holds no record value"
dump=$(mktemp)
"$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_dump" "$PHR_TEST_PG" >"$dump"
tables=$(grep -c 'CREATE TABLE' "$dump" || true)
[ "$tables" -gt 0 ] || { echo "FAIL: the PostgreSQL database holds no relay tables (did the PostgreSQL suite run?)"; exit 1; }
if grep -a -o -E "SENTINEL-7731|Zxqvorimab|keep taking" "$dump"; then echo "FAIL: record value in the PostgreSQL dump"; rm -f "$dump"; exit 1; fi
echo "pg_dump: $(wc -c <"$dump") bytes, $tables tables, no sentinel"
rm -f "$dump"

echo "-- browser end-to-end and jose interop"
bash scripts/relay-e2e.sh
