import Foundation
import PhrFFI
@testable import PhrApp

/// A key store for tests: wraps by prefixing a marker (no Keychain in a unit-test run on
/// CI simulators without a passcode). The app itself uses KeychainKeyStore.
final class TestKeyStore: KeyStore, @unchecked Sendable {
    private let marker = Data([0x50, 0x48, 0x52])

    func wrap(dataKey: Data) throws -> Data { marker + dataKey }

    func unwrap(wrapped: Data) throws -> Data {
        guard wrapped.starts(with: marker) else { throw KeyStoreError.WrongKey }
        return wrapped.dropFirst(marker.count)
    }
}

/// A new record in a fresh temporary folder, removed by the caller's `defer`.
func freshRecord() throws -> (PhrRecord, URL) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString, isDirectory: true)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let record = try PhrRecord.create(path: dir.appendingPathComponent("record.phr").path, keystore: TestKeyStore())
    return (record, dir)
}

/// The demo resident's record (the same one android/ui's DemoScreens draw).
func demoRecord() async throws -> (PhrRecord, URL) {
    let (record, dir) = try freshRecord()
    _ = try await record.fillDemo(today: nil, listener: nil, cancel: nil)
    return (record, dir)
}

/// Waits until a screen model has loaded (it loads with `await`, off the main actor).
@MainActor
func loaded<T>(_ model: ScreenModel<T>) async -> T? {
    await model.reload()
    if case .ready(let value) = model.state { return value }
    return nil
}
