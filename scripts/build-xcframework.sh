#!/usr/bin/env bash
# Builds PhrFFI.xcframework (static libphr_ffi.a for iOS devices and the simulators) and
# generates the Swift bindings for bindings/swift (Package.swift). Runs on macOS with
# Xcode; not run in CI (Swift does not run on the project's Linux machines; CI only checks
# that the Swift sources generate: scripts/test-bindings.sh).
#
# Needs once:
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
# Output:
#   bindings/swift/PhrFFI.xcframework
#   bindings/swift/Sources/PhrFFI/PhrFFI.swift
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(uname -s)" = Darwin ] || { echo "build-xcframework.sh needs macOS with Xcode"; exit 1; }
OUT="bindings/swift"
GEN="target/uniffi-generated/swift-xcframework"
HEADERS="$GEN/headers"

echo "== ios: static libraries"
for t in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  cargo build -p phr-ffi --lib --release --target "$t"
done
mkdir -p target/ios-sim-universal/release
lipo -create target/aarch64-apple-ios-sim/release/libphr_ffi.a target/x86_64-apple-ios/release/libphr_ffi.a \
  -output target/ios-sim-universal/release/libphr_ffi.a

echo "== ios: Swift bindings and C header"
cargo build -p phr-ffi -p uniffi-bindgen
rm -rf "$GEN"
target/debug/uniffi-bindgen generate --library target/debug/libphr_ffi.dylib --language swift --out-dir "$GEN"
mkdir -p "$HEADERS" "$OUT/Sources/PhrFFI"
cp "$GEN/PhrFFIFFI.h" "$HEADERS/"
# The module map must be called module.modulemap inside an xcframework's headers.
cp "$GEN/PhrFFIFFI.modulemap" "$HEADERS/module.modulemap"
cp "$GEN/PhrFFI.swift" "$OUT/Sources/PhrFFI/PhrFFI.swift"

echo "== ios: xcframework"
rm -rf "$OUT/PhrFFI.xcframework"
xcodebuild -create-xcframework \
  -library target/aarch64-apple-ios/release/libphr_ffi.a -headers "$HEADERS" \
  -library target/ios-sim-universal/release/libphr_ffi.a -headers "$HEADERS" \
  -output "$OUT/PhrFFI.xcframework"
echo "== ios: done; add bindings/swift as a local Swift package to the app (ios/README.md)"
