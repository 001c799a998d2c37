#!/usr/bin/env bash
# Starts the test FHIR R4 server (tests/fhir-server: Medplum fhir-router + a SMART
# authorization endpoint) on 127.0.0.1, loaded with a Synthea patient from the corpus.
# Prints `export PHR_FHIR_TEST_SERVER=http://127.0.0.1:PORT` and `export PHR_FHIR_STATE=DIR`
# (its pid and log, removed by stop); `eval "$(scripts/fhir-server.sh)"` sets both.
# Usage: scripts/fhir-server.sh [start|stop [DIR]]
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=tests/fhir-server
if [ "${1:-start}" = stop ]; then
  STATE=${2:-${PHR_FHIR_STATE:-}}
  if [ -n "$STATE" ] && [ -f "$STATE/pid" ]; then kill "$(cat "$STATE/pid")" 2>/dev/null || true; fi
  [ -n "$STATE" ] && rm -rf "$STATE"
  exit 0
fi
STATE=$(mktemp -d "${TMPDIR:-/tmp}/phr-fhir-server.XXXXXX")
if [ ! -d "$DIR/node_modules/@medplum/fhir-router" ]; then
  (cd "$DIR" && npm ci --no-audit --no-fund >&2 2>/dev/null || npm install --no-audit --no-fund >&2)
fi
CORPUS=tests/corpus/fhir
LOAD=()
if [ -d "$CORPUS" ]; then
  LOAD=(--load "$CORPUS/synthea-nimbus__Bibi254_Schowalter414_475d72ca-91c7-7211-97e3-f000af33fc04.json")
else
  echo "note: corpus absent; the server starts empty" >&2
fi
LOG=$STATE/server.log
node "$DIR/server.mjs" --port 0 "${LOAD[@]}" >"$LOG" 2>&1 &
echo $! >"$STATE/pid"
for _ in $(seq 1 120); do
  if URL=$(grep -o 'listening http://[0-9.:]*' "$LOG" | cut -d' ' -f2); then
    [ -n "$URL" ] && break
  fi
  sleep 0.5
done
if [ -z "${URL:-}" ]; then
  echo "the FHIR test server did not start:" >&2
  cat "$LOG" >&2
  kill "$(cat "$STATE/pid")" 2>/dev/null || true
  rm -rf "$STATE"
  exit 1
fi
grep loaded "$LOG" >&2 || true
echo "export PHR_FHIR_TEST_SERVER=$URL"
echo "export PHR_FHIR_STATE=$STATE"
