import Foundation
import PhrFFI

/// The core's progress reports (from a worker thread) forwarded to a screen on the main
/// actor. The stage is a word like "read" or "store", never a file name or health data.
final class ProgressForwarder: ProgressListener, @unchecked Sendable {
    private let update: @MainActor (UInt64, UInt64) -> Void

    init(update: @escaping @MainActor (UInt64, UInt64) -> Void) {
        self.update = update
    }

    func onProgress(stage: String, done: UInt64, total: UInt64) {
        Task { @MainActor in self.update(done, total) }
    }
}
