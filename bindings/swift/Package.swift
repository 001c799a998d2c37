// swift-tools-version:5.9
// The Swift bindings of phr-ffi as a local Swift package. Run scripts/build-xcframework.sh
// first (macOS): it builds PhrFFI.xcframework and writes Sources/PhrFFI/PhrFFI.swift.
import PackageDescription

let package = Package(
    name: "PhrFFI",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "PhrFFI", targets: ["PhrFFI"]),
    ],
    targets: [
        // The Rust static library plus the C header and module map (module PhrFFIFFI).
        .binaryTarget(name: "PhrFFIFFI", path: "PhrFFI.xcframework"),
        // The generated Swift (module PhrFFI), which imports PhrFFIFFI.
        .target(name: "PhrFFI", dependencies: ["PhrFFIFFI"], path: "Sources/PhrFFI"),
    ]
)
