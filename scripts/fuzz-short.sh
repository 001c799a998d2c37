#!/usr/bin/env bash
# A short coverage-guided run of every fuzz target (default 20 s each; FUZZ_SECONDS to
# change), for CI. Needs cargo-fuzz (scripts/setup-test-tools.sh installs it). Runs on the
# stable toolchain: with `-s none` (no sanitizer; the code under test is forbid(unsafe))
# cargo-fuzz passes only stable flags (sanitizer-coverage instrumentation and libFuzzer's
# C++ runtime, built by `cc`); nightly is used when installed, so ASan stays one flag away.
# A crash leaves its input in fuzz/artifacts/<target>/ (fit/fuzz/artifacts/ for the FIT
# decoder) and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-20}
command -v cargo-fuzz >/dev/null 2>&1 || {
  echo "fuzz: cargo-fuzz is missing: run scripts/setup-test-tools.sh (cargo install cargo-fuzz)"
  exit 1
}
toolchain=()
rustup toolchain list 2>/dev/null | grep -q '^nightly' && toolchain=(+nightly)
[ -n "${FUZZ_TOOLCHAIN:-}" ] && toolchain=("+$FUZZ_TOOLCHAIN")
# Seeding first, in the workspace's own target folder: it runs `phr` (already built by the
# earlier stages) to make a seed backup. Under the fuzz folder that was a second full build.
bash scripts/fuzz-seed.sh
# One target folder for both fuzz crates: fit/fuzz reuses what fuzz/ built of fitstream
# and libFuzzer, with the same flags.
export CARGO_TARGET_DIR=${PHR_FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-$PWD/target}/fuzz}
targets=$(cd fuzz && cargo "${toolchain[@]}" fuzz list)
start=$(date +%s)
(cd fuzz && cargo "${toolchain[@]}" fuzz build -s none) 2>&1 | grep -E "^(error|warning: unused)" || true
(cd fit && cargo "${toolchain[@]}" fuzz build -s none decode) 2>&1 | grep -E "^error" || true
echo "fuzz: targets built in $(( $(date +%s) - start )) s (${toolchain[*]:-stable})"
failed=()
for t in $targets; do
  if ! (cd fuzz && cargo "${toolchain[@]}" fuzz run -s none "$t" "corpus/$t" -- \
        -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len=1048576 -print_final_stats=1 \
        >"$CARGO_TARGET_DIR/fuzz-$t.log" 2>&1); then
    failed+=("$t")
    tail -n 30 "$CARGO_TARGET_DIR/fuzz-$t.log"
  fi
  echo "== fuzz $t (${SECONDS_EACH} s): $(grep -E '^stat::number_of_executed_units' "$CARGO_TARGET_DIR/fuzz-$t.log" | awk '{print $2}') inputs, peak $(grep -E '^stat::peak_rss_mb' "$CARGO_TARGET_DIR/fuzz-$t.log" | awk '{print $2}') MB"
done
# The FIT decoder's own target (fit/fuzz), seeded with the FIT corpus.
mkdir -p fit/fuzz/corpus/decode
find -L "${PHR_CORPUS:-../shared/corpus}" tests/corpus -iname '*.fit' -size -1024k -exec cp -f {} fit/fuzz/corpus/decode/ \; 2>/dev/null || true
if ! (cd fit && cargo "${toolchain[@]}" fuzz run -s none decode fuzz/corpus/decode -- \
      -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -print_final_stats=1 >"$CARGO_TARGET_DIR/fuzz-fit.log" 2>&1); then
  failed+=("fit/decode")
  tail -n 30 "$CARGO_TARGET_DIR/fuzz-fit.log"
fi
echo "== fuzz fit/decode (${SECONDS_EACH} s): $(grep -E '^stat::number_of_executed_units' "$CARGO_TARGET_DIR/fuzz-fit.log" | awk '{print $2}') inputs"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]} (inputs in fuzz/artifacts/ and fit/fuzz/artifacts/)"
  exit 1
fi
echo "fuzz: every target ran ${SECONDS_EACH} s without a crash"
