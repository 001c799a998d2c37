#!/usr/bin/env bash
# Runs every test of the project. This is the README's test command and what CI runs.
# Each stage installs what it needs; nothing is assumed to be on the machine beyond
# Rust, Java + Maven, Python 3 and Node (see README).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Rust workspace (unit, integration, crash, CLI end-to-end)"
cargo test --workspace --locked 2>&1

echo "== Kotlin, Python and Swift bindings (phr-ffi)"
bash scripts/test-bindings.sh

echo "== all test stages passed"
