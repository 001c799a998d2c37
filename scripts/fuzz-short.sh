#!/usr/bin/env bash
# A short coverage-guided run of every fuzz target (default 20 s each; FUZZ_SECONDS to
# change), for CI. Needs the nightly toolchain and cargo-fuzz; without them it says why
# and exits 0 (they are optional: scripts/setup-test-tools.sh does not install them).
# A crash leaves its input in fuzz/artifacts/<target>/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-20}
missing() {
  echo "fuzz: skipped: $1"
  exit 0
}
rustup toolchain list 2>/dev/null | grep -q '^nightly' || missing "no nightly toolchain (rustup toolchain install nightly)"
cargo +nightly fuzz --version >/dev/null 2>&1 || missing "no cargo-fuzz (cargo install cargo-fuzz)"
bash scripts/fuzz-seed.sh
targets=$(cd fuzz && cargo +nightly fuzz list)
failed=()
for t in $targets; do
  echo "== fuzz $t (${SECONDS_EACH} s)"
  if ! (cd fuzz && cargo +nightly fuzz run -s none "$t" "corpus/$t" -- \
        -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len=1048576 -print_final_stats=1 2>&1 | tail -15); then
    failed+=("$t")
  fi
done
# The fit decoder's own target (fit/fuzz), seeded with the FIT corpus.
mkdir -p fit/fuzz/corpus/decode
find -L "${PHR_CORPUS:-../shared/corpus}" tests/corpus -iname '*.fit' -size -1024k -exec cp -f {} fit/fuzz/corpus/decode/ \; 2>/dev/null || true
echo "== fuzz fit decode (${SECONDS_EACH} s)"
(cd fit && cargo +nightly fuzz run -s none decode fuzz/corpus/decode -- -max_total_time="$SECONDS_EACH" -print_final_stats=1 2>&1 | tail -15) || failed+=("fit/decode")
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]} (inputs in fuzz/artifacts/ and fit/fuzz/artifacts/)"
  exit 1
fi
echo "fuzz: every target ran ${SECONDS_EACH} s without a crash"
