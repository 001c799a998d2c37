#!/usr/bin/env bash
# Builds PhrFFI.xcframework (static libphr_ffi.a for iOS devices and the simulators) and
# generates the Swift bindings for bindings/swift (Package.swift), then the Xcode project of
# ios/ (XcodeGen) when xcodegen is installed. Runs on macOS with Xcode; not run in CI (Swift
# does not run on the project's Linux machines; CI checks the Swift sources with
# scripts/check-ios.sh). Exactly how to build and test: ios/README.md.
#
# Needs once:
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
#   brew install xcodegen
# Output:
#   bindings/swift/PhrFFI.xcframework
#   bindings/swift/Sources/PhrFFI/PhrFFI.swift
#   ios/PhrApp.xcodeproj (if xcodegen is present)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(uname -s)" = Darwin ] || { echo "build-xcframework.sh needs macOS with Xcode"; exit 1; }
TARGET="${CARGO_TARGET_DIR:-target}"
OUT="bindings/swift"
GEN="$TARGET/uniffi-generated/swift-xcframework"
HEADERS="$GEN/headers"
IOS_TARGETS=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)

missing=()
for t in "${IOS_TARGETS[@]}"; do
  rustup target list --installed | grep -qx "$t" || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== ios: adding Rust targets ${missing[*]}"
  rustup target add "${missing[@]}"
fi

echo "== ios: static libraries"
for t in "${IOS_TARGETS[@]}"; do
  cargo build --locked -p phr-ffi --lib --release --target "$t"
done
mkdir -p "$TARGET/ios-sim-universal/release"
lipo -create "$TARGET/aarch64-apple-ios-sim/release/libphr_ffi.a" "$TARGET/x86_64-apple-ios/release/libphr_ffi.a" \
  -output "$TARGET/ios-sim-universal/release/libphr_ffi.a"

echo "== ios: Swift bindings and C header"
cargo build --locked -p phr-ffi -p uniffi-bindgen
rm -rf "$GEN"
"$TARGET/debug/uniffi-bindgen" generate --library "$TARGET/debug/libphr_ffi.dylib" --language swift --out-dir "$GEN"
mkdir -p "$HEADERS" "$OUT/Sources/PhrFFI"
cp "$GEN/PhrFFIFFI.h" "$HEADERS/"
# The module map must be called module.modulemap inside an xcframework's headers.
cp "$GEN/PhrFFIFFI.modulemap" "$HEADERS/module.modulemap"
cp "$GEN/PhrFFI.swift" "$OUT/Sources/PhrFFI/PhrFFI.swift"

echo "== ios: xcframework"
rm -rf "$OUT/PhrFFI.xcframework"
xcodebuild -create-xcframework \
  -library "$TARGET/aarch64-apple-ios/release/libphr_ffi.a" -headers "$HEADERS" \
  -library "$TARGET/ios-sim-universal/release/libphr_ffi.a" -headers "$HEADERS" \
  -output "$OUT/PhrFFI.xcframework"

if command -v xcodegen >/dev/null 2>&1; then
  echo "== ios: Xcode project (XcodeGen, ios/project.yml)"
  (cd ios && xcodegen generate)
  echo "== ios: done; open ios/PhrApp.xcodeproj, or test: see ios/README.md"
else
  echo "== ios: done; install XcodeGen (brew install xcodegen), then: cd ios && xcodegen generate"
fi
