#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the shared corpus (../shared/corpus, or $PHR_CORPUS)
# and the repository's own (tests/corpus): each target gets the files of its format.
# The corpora are generated, never committed (fuzz/.gitignore). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${PHR_CORPUS:-../shared/corpus}
[ -d "$SHARED" ] || SHARED=/work/shared/corpus
seed() { # target, then find(1) arguments selecting its files
  local target=$1; shift
  mkdir -p "fuzz/corpus/$target"
  for dir in "$SHARED" tests/corpus; do
    [ -d "$dir" ] || continue
    # Files above 1 MB slow libFuzzer down without finding more; it caps inputs anyway.
    find -L "$dir" -type f -size -1024k "$@" -exec cp -f {} "fuzz/corpus/$target/" \; 2>/dev/null || true
  done
  echo "$target: $(ls "fuzz/corpus/$target" | wc -l) seeds"
}
seed gpx -iname '*.gpx'
seed tcx -iname '*.tcx'
seed apple_health \( -iname '*export*.xml' -o -iname '*export*.zip' \)
seed csv -iname '*.csv'
seed strava_json -path '*strava*' -iname '*.json'
seed fhir_json -path '*fhir*' -iname '*.json'
seed fhir_xml -path '*fhir*' -iname '*.xml'
seed shl_payload \( -iname '*shl*' -o -iname '*shcl*' -o -iname '*jws*' \)
seed relay_bodies -path '*strava*' -iname '*.json' -size -16k
# Backups: made by the app itself (a tiny record), so the fuzzer starts from valid framing.
mkdir -p fuzz/corpus/backup
if [ -z "$(ls -A fuzz/corpus/backup)" ] && command -v cargo >/dev/null; then
  tmp=$(mktemp -d)
  # The workspace build (what the test stage built; building phr-cli alone would unify
  # features anew and recompile its dependencies), then the binary itself.
  phr_bin=${CARGO_TARGET_DIR:-$PWD/target}/debug/phr
  cargo build -q --workspace --bin phr 2>/dev/null || true
  PHR_PASSPHRASE="fuzz seed passphrase" "$phr_bin" --home "$tmp/h" init >/dev/null 2>&1 \
    && PHR_PASSPHRASE="fuzz seed passphrase" "$phr_bin" --home "$tmp/h" backup "$PWD/fuzz/corpus/backup/seed.phrbackup" >/dev/null 2>&1 \
    || echo "backup: could not make a seed backup (the fuzzer starts from nothing)"
  rm -rf "$tmp"
fi
echo "backup: $(ls fuzz/corpus/backup | wc -l) seeds"
