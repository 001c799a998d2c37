#!/usr/bin/env bash
# Builds libphr_ffi.so for the Android ABIs and generates the Android flavour of the Kotlin
# bindings, so android/ opens and runs in Android Studio. Not run in CI (no NDK there).
#
# Needs once:
#   rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android
#   cargo install cargo-ndk
#   ANDROID_NDK_HOME pointing at an NDK (r26 or newer), e.g. $ANDROID_HOME/ndk/<version>
# Usage:
#   scripts/build-android.sh            # release libraries (what ships)
#   PROFILE=debug scripts/build-android.sh
#   APK=1 scripts/build-android.sh      # then builds the debug APK with Gradle (needs ANDROID_HOME)
# Output:
#   android/shared/src/main/jniLibs/{arm64-v8a,armeabi-v7a,x86_64}/libphr_ffi.so
#   android/shared/build/generated/uniffi/kotlin/org/phr/ffi/phr_ffi.kt
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE="${PROFILE:-release}"
JNI="android/shared/src/main/jniLibs"
GEN="android/shared/build/generated/uniffi/kotlin"

command -v cargo-ndk >/dev/null || { echo "cargo-ndk is missing: cargo install cargo-ndk"; exit 1; }
: "${ANDROID_NDK_HOME:?set ANDROID_NDK_HOME to an installed NDK}"

echo "== android: libphr_ffi.so for arm64-v8a, armeabi-v7a, x86_64 ($PROFILE)"
release_flag=()
[ "$PROFILE" = release ] && release_flag=(--release)
cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 --platform 26 -o "$JNI" \
  build -p phr-ffi --lib "${release_flag[@]}"

echo "== android: Kotlin bindings (Android cleaner)"
# Bindings are generated from the host build of the same source: the interface is identical.
cargo build -p phr-ffi -p uniffi-bindgen
HOST_LIB="target/debug/libphr_ffi.so"
[ "$(uname -s)" = Darwin ] && HOST_LIB="target/debug/libphr_ffi.dylib"
rm -rf "$GEN"
target/debug/uniffi-bindgen generate --library "$HOST_LIB" --language kotlin \
  --config bindings/uniffi-android.toml --out-dir "$GEN"

ls -l "$JNI"/*/libphr_ffi.so

echo "== android: strings.xml from the core's catalogue"
python3 tools/gen_strings.py

if [ "${APK:-0}" = 1 ]; then
  : "${ANDROID_HOME:?set ANDROID_HOME to an Android SDK}"
  echo "== android: debug APK (the screens are android/ui's sources, ADR 0030)"
  # The wrapper jar is not committed: a Gradle on PATH (8.9+) builds it, as Android Studio does.
  gradle -p android :app:assembleDebug
  ls -l android/app/build/outputs/apk/debug/*.apk
fi
echo "== android: done; open android/ in Android Studio"
