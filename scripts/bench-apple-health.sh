#!/usr/bin/env bash
# Apple Health import benchmark: `phr import export.xml` vs the peer `healthkit-to-sqlite`
# (PyPI) on the same generated export, in one run; prints both times, the ratio and both
# peak RSS (GNU time -v). Not a CI step.
#
#   bash scripts/bench-apple-health.sh [SIZE_MB=1024] [WORK=/tmp/phr-apple-bench]
#
# Needs python3 (a venv with healthkit-to-sqlite is made in WORK) and /usr/bin/time.
set -euo pipefail
SIZE_MB=${1:-1024}
WORK=${2:-/tmp/phr-apple-bench}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$WORK"
XML="$WORK/export-${SIZE_MB}mb.xml"
[ -f "$XML" ] || python3 "$ROOT/scripts/gen-apple-health-export.py" --size-mb "$SIZE_MB" --out "$XML"
[ -x "$WORK/venv/bin/healthkit-to-sqlite" ] || { python3 -m venv "$WORK/venv" && "$WORK/venv/bin/pip" install -q healthkit-to-sqlite; }
PHR=${PHR_BIN:-}
if [ -z "$PHR" ]; then
  (cd "$ROOT" && cargo build --release -q -p phr-cli)
  PHR="${CARGO_TARGET_DIR:-$ROOT/target}/release/phr"
fi
export PHR_PASSPHRASE="benchmark passphrase"
rm -rf "$WORK/home" "$WORK/peer.db"
"$PHR" --home "$WORK/home" init >/dev/null

measure() { # label, command...: prints "label wall_s cpu_s max_rss_kb"
  local label=$1; shift
  /usr/bin/time -v "$@" >"$WORK/$label.out" 2>"$WORK/$label.time" || { cat "$WORK/$label.time" >&2; exit 1; }
  local wall cpu rss
  wall=$(grep "Elapsed (wall clock)" "$WORK/$label.time" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  cpu=$(grep -E "(User|System) time" "$WORK/$label.time" | awk '{s += $NF} END {print s}')
  rss=$(grep "Maximum resident set size" "$WORK/$label.time" | awk '{print $NF}')
  echo "$label $wall $cpu $rss"
}

echo "export: $XML ($(du -m "$XML" | cut -f1) MB)"
read -r _ PHR_S PHR_CPU PHR_KB < <(measure phr "$PHR" --home "$WORK/home" import "$XML")
read -r _ PEER_S PEER_CPU PEER_KB < <(measure peer "$WORK/venv/bin/healthkit-to-sqlite" --xml -s "$XML" "$WORK/peer.db")
tail -n 3 "$WORK/phr.out"
python3 - "$PHR_S" "$PHR_CPU" "$PHR_KB" "$PEER_S" "$PEER_CPU" "$PEER_KB" <<'PY'
import sys
ps, pc, pk, qs, qc, qk = map(float, sys.argv[1:])
print(f"phr import           : {ps:8.1f} s wall, {pc:8.1f} s CPU, peak RSS {pk/1024:7.1f} MB")
print(f"healthkit-to-sqlite  : {qs:8.1f} s wall, {qc:8.1f} s CPU, peak RSS {qk/1024:7.1f} MB")
print(f"ratio (peer / phr)   : {qs/ps:8.2f}x wall, {qc/pc:.2f}x CPU; phr peak RSS {'within' if pk <= 64*1024 else 'OVER'} the 64 MB bound")
PY
