import Foundation
import PhrFFI

/// The areas of the record that changed, one element per committed write (an edit, an
/// import, a sync), as an `AsyncStream` the views iterate with `for await` to reload what
/// they show; no polling. The same shape as android/shared's `PhrRepository.changes()`.
extension PhrRecord {
    func changes() -> AsyncStream<[RecordArea]> {
        AsyncStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let handle = self.observe(listener: ChangeForwarder(continuation))
            continuation.onTermination = { _ in handle.cancel() }
        }
    }
}

/// Called by the core on the writing thread: it only yields into the stream.
private final class ChangeForwarder: RecordChangeListener, @unchecked Sendable {
    private let continuation: AsyncStream<[RecordArea]>.Continuation

    init(_ continuation: AsyncStream<[RecordArea]>.Continuation) {
        self.continuation = continuation
    }

    func recordChanged(areas: [RecordArea]) {
        continuation.yield(areas)
    }
}
