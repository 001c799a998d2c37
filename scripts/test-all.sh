#!/usr/bin/env bash
# Runs every test of the project. This is the README's test command and what CI runs.
# Each stage installs what it needs; nothing is assumed to be on the machine beyond
# Rust, Java + Maven, Python 3 and Node (see README).
set -euo pipefail
cd "$(dirname "$0")/.."

# Chart tests rasterise text with a system font (the machine image ships DejaVu; install it
# where it does not).
if [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  echo "== installing fonts-dejavu-core for the chart tests"
  (apt-get update -qq && apt-get install -y -qq fonts-dejavu-core) >/dev/null
fi

echo "== Rust workspace (unit, integration, crash, CLI end-to-end)"
cargo test --workspace --locked 2>&1

echo "== Kotlin, Python and Swift bindings (phr-ffi)"
bash scripts/test-bindings.sh

echo "== FHIR: real FHIR R4 server (SMART client tests) and export validation (fhir.resources)"
python3 -m pip install --quiet 'fhir.resources>=8,<9' 2>&1 | grep -v "WARNING: Running pip as" || true
eval "$(bash scripts/fhir-server.sh start)"
PHR_REQUIRE_FHIR_VALIDATOR=1 cargo test -p phr-core --locked --test fhir_smart --test fhir_import 2>&1 || { bash scripts/fhir-server.sh stop; exit 1; }
bash scripts/fhir-server.sh stop

echo "== Relay: SQLite + PostgreSQL suites, clinician viewer in Chromium, JWE interop with npm jose"
bash scripts/relay-test.sh

echo "== all test stages passed"
