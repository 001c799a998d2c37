#!/usr/bin/env bash
# Renders every Android screen headless (no display, no Android SDK) from the demo record at
# phone size, 411 x 891 dp at density 2.625 (1079 x 2339 px), light and dark, into
# docs/screens/android/*.png, and lists them in docs/screens/README.md. ADR 0030.
#
#   bash scripts/screenshots-android.sh
#
# Needs what scripts/test-bindings.sh needs (Rust, Java 17+, Maven 3.8+). Builds the library
# and the Kotlin bindings first if they are missing or stale (cargo is a no-op when fresh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
GEN="$TARGET/uniffi-generated"
LIB="$TARGET/debug/libphr_ffi.so"
case "$(uname -s)" in
  Darwin) LIB="$TARGET/debug/libphr_ffi.dylib" ;;
esac
OUT="$ROOT/docs/screens/android"

echo "== screenshots: build phr-ffi and generate the Kotlin bindings"
cargo build --locked -p phr-ffi -p uniffi-bindgen -p phr-relay 2>&1
rm -rf "$GEN/kotlin"
"$TARGET/debug/uniffi-bindgen" generate --library "$LIB" --language kotlin --out-dir "$GEN/kotlin" --no-format 2>&1

echo "== screenshots: render (Maven, headless)"
rm -rf "$OUT"
mkdir -p "$OUT"
# No -o: a fresh machine downloads Compose once; later runs reuse ~/.m2.
mvn -B -ntp -Dstyle.color=never -f bindings/kotlin/pom.xml -pl ../../android/ui -am test \
  -Dphr.root="$ROOT" -Dphr.generated.kotlin="$GEN/kotlin" -Dphr.native.dir="$(dirname "$LIB")" \
  -Dtest='org.phr.ui.ScreensRenderTest' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dphr.screens.out="$OUT" 2>&1

echo "== screenshots: list them in docs/screens/README.md"
# The parity table (Android and iOS files side by side, checked by scripts/check-ios.sh) is
# kept as written: everything from its heading on is carried over.
parity="$(sed -n '/^## Parity/,$p' "$ROOT/docs/screens/README.md" 2>/dev/null || true)"
{
  echo "# Screenshots"
  echo
  echo "Written by \`bash scripts/screenshots-android.sh\` (do not edit by hand): the Android app's"
  echo "screens rendered headless on the JVM (Compose Multiplatform desktop, ADR 0030) from the demo"
  echo "resident's real record, at phone size (411 x 891 dp at density 2.625, 1079 x 2339 px),"
  echo "light and dark. Each image shows the top of the screen, as a phone would before scrolling."
  echo
  echo "## Android"
  echo
  echo "| Screen | Light | Dark |"
  echo "|---|---|---|"
  for f in "$OUT"/*-light.png; do
    name="$(basename "$f" -light.png)"
    echo "| $name | [light](android/$name-light.png) | [dark](android/$name-dark.png) |"
  done
  if [ -n "$parity" ]; then
    echo
    echo "$parity"
  fi
} > "$ROOT/docs/screens/README.md"
echo "== screenshots: $(ls "$OUT" | wc -l) files in docs/screens/android"
