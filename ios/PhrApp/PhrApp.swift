import SwiftUI
import PhrFFI

/// The iOS shell: opens the record with the Keychain-backed key store and shows the
/// overview. Thin: every rule is in the Rust core; this only lays out screens.
@main
struct PhrApp: App {
    @StateObject private var store = RecordStore()

    var body: some Scene {
        WindowGroup {
            NavigationStack {
                if let error = store.error {
                    Text(error).padding()
                } else if store.record != nil {
                    OverviewView().environmentObject(store)
                } else {
                    ProgressView().task { await store.open() }
                }
            }
        }
    }
}

/// Holds the open record and turns core errors into words (the same table as
/// android/shared's UserMessages).
@MainActor
final class RecordStore: ObservableObject {
    @Published var record: PhrRecord?
    @Published var error: String?

    /// The relay hosting encrypted share links (`PhrRelayURL` in Info.plist); contacted
    /// only when the owner shares, revokes or refreshes.
    let relayURL = Bundle.main.object(forInfoDictionaryKey: "PhrRelayURL") as? String ?? "https://relay.phr.example"

    private var recordPath: String {
        let dir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
            .appendingPathComponent("record", isDirectory: true)
        return dir.appendingPathComponent("record.phr").path
    }

    func open() async {
        let keystore = KeychainKeyStore()
        do {
            if FileManager.default.fileExists(atPath: recordPath) {
                record = try await PhrRecord.openAsync(path: recordPath, keystore: keystore)
            } else {
                record = try PhrRecord.create(path: recordPath, keystore: keystore)
            }
        } catch {
            self.error = Self.message(for: error)
        }
    }

    static func message(for error: Error) -> String {
        guard let e = error as? PhrError else { return "Something went wrong." }
        switch e {
        case .WrongKey: return "This phone's key does not unlock the record. Use your recovery key."
        case .KeyStoreUnavailable: return "The Keychain is locked. Unlock the phone and try again."
        case .NoRecord: return "There is no record on this phone yet."
        case .RecordExists: return "A record already exists here."
        case .InvalidInput(let field) where field == "sections":
            return "Some of these sections can't be shared with this person: private ones never are, and sensitive ones never go to an employer or insurer."
        case .InvalidInput(let field) where field == "passcode": return "Use a passcode of at least 4 characters."
        case .InvalidInput(let field): return "Please check the \(field)."
        case .NotFound(let what): return "That \(what) no longer exists."
        case .ReadOnly: return "This came from your medical record and can't be changed. You can add a note to it or hide it."
        case .Corrupt: return "The record or backup is damaged."
        case .Storage: return "The phone could not save or read the record."
        case .Incompatible: return "This record was saved by a newer version of the app. Please update."
        case .Cancelled: return "Cancelled."
        case .Network(let service): return "Could not reach the \(service). Check the connection and try again; nothing was lost."
        case .Denied: return "This phone is not, or is no longer, one of your linked devices."
        case .Internal: return "Something went wrong inside the app. Your record is unchanged."
        }
    }
}
