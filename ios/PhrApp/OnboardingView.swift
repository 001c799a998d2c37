import PhrFFI
import SwiftUI
import UniformTypeIdentifiers

/// The first screens: what the app is, create the record, write down the recovery key and
/// confirm it, switch on the app lock. Or, for an owner who has one, open the record (or a
/// backup) with the recovery key.
@MainActor
struct OnboardingView: View {
    @ObservedObject var app: AppModel
    @State private var step = Step.welcome
    @State private var record: PhrRecord?
    @State private var recoveryKey = ""
    @State private var typedBack = ""
    @State private var problem: String?
    @State private var busy = false
    @State private var pickingBackup = false
    @State private var joinPayload = ""
    @State private var joinCode: String?
    @State private var scanning = false

    enum Step {
        case welcome
        case showKey
        case confirmKey
        case appLock
        case recover
        case join
    }

    var body: some View {
        NavigationStack {
            Form {
                ProblemText(problem: problem)
                switch step {
                case .welcome: welcome
                case .showKey: showKey
                case .confirmKey: confirmKey
                case .appLock: appLockStep
                case .recover: recover
                case .join: join
                }
            }
            .navigationTitle(L("app.name"))
            .disabled(busy)
            .fileImporter(isPresented: $pickingBackup, allowedContentTypes: [.data]) { result in
                if case .success(let url) = result { Task { await restore(from: url) } }
            }
            .sheet(isPresented: $scanning) {
                QRScanner { text in
                    joinPayload = text
                    scanning = false
                }
                .accessibilityLabel(L("ui.onboarding.join_scan"))
            }
        }
    }

    private var welcome: some View {
        SwiftUI.Section {
            Text(L("ui.onboarding.welcome")).font(.body)
            Text(L("ui.onboarding.private")).font(.body)
            WideButton(title: L("ui.onboarding.create"), prominent: true) { Task { await create() } }
            WideButton(title: L("ui.onboarding.use_recovery_key")) { step = .recover }
            WideButton(title: L("ui.onboarding.extra_device")) { step = .join }
        }
    }

    /// A new phone or tablet of an owner who has the record elsewhere: the other device
    /// shows a code (Devices, Add), scanned here (or its text pasted); both devices then
    /// show the same six digits.
    private var join: some View {
        SwiftUI.Section(L("ui.onboarding.join_title")) {
            Text(L("ui.onboarding.join_explain")).font(.body)
            TextField(L("ui.onboarding.join_field"), text: $joinPayload, axis: .vertical)
                .autocorrectionDisabled()
                .textInputAutocapitalization(.never)
                .frame(minHeight: touchTarget)
                .accessibilityLabel(L("ui.onboarding.join_field"))
            if QRScanner.available {
                WideButton(title: L("ui.onboarding.join_scan")) { scanning = true }
            }
            if let joinCode {
                Text(L("ui.devices.compare", ["code": joinCode])).font(.title2)
            }
            WideButton(title: L("ui.onboarding.join"), prominent: true) { Task { await joinRecord() } }
            WideButton(title: L("ui.back")) { step = .welcome }
        }
    }

    private var showKey: some View {
        SwiftUI.Section(L("ui.onboarding.key_title")) {
            Text(L("ui.onboarding.key_explain")).font(.body)
            Text(recoveryKey)
                .font(.title3.monospaced())
                .textSelection(.enabled)
                .accessibilityLabel(L("ui.onboarding.key_spoken", ["key": recoveryKey.map { String($0) }.joined(separator: " ")]))
                .accessibilityValue(recoveryKey)
                .accessibilityIdentifier("recovery-key")
            WideButton(title: L("ui.onboarding.key_written"), prominent: true) { step = .confirmKey }
        }
    }

    /// The owner types the key's last group back, so it was really written down.
    private var confirmKey: some View {
        SwiftUI.Section(L("ui.onboarding.confirm_title")) {
            Text(L("ui.onboarding.confirm_explain")).font(.body)
            TextField(L("ui.onboarding.confirm_field"), text: $typedBack)
                .textInputAutocapitalization(.characters)
                .autocorrectionDisabled()
                .frame(minHeight: touchTarget)
                .accessibilityLabel(L("ui.onboarding.confirm_field"))
            WideButton(title: L("ui.onboarding.confirm"), prominent: true) {
                if lastGroupMatches() {
                    problem = nil
                    step = .appLock
                } else {
                    problem = L("ui.onboarding.confirm_wrong")
                }
            }
            WideButton(title: L("ui.onboarding.show_again")) { step = .showKey }
        }
    }

    private var appLockStep: some View {
        SwiftUI.Section(L("ui.onboarding.lock_title")) {
            Text(L("ui.onboarding.lock_explain")).font(.body)
            if AppLock.available {
                WideButton(title: L("ui.onboarding.lock_on"), prominent: true) { Task { await finish(appLock: true) } }
            }
            WideButton(title: L("ui.onboarding.lock_later")) { Task { await finish(appLock: false) } }
        }
    }

    private var recover: some View {
        SwiftUI.Section(L("ui.onboarding.recover_title")) {
            Text(L("ui.onboarding.recover_explain")).font(.body)
            TextField(L("ui.onboarding.recover_field"), text: $recoveryKey)
                .textInputAutocapitalization(.characters)
                .autocorrectionDisabled()
                .frame(minHeight: touchTarget)
                .accessibilityLabel(L("ui.onboarding.recover_field"))
            if FileManager.default.fileExists(atPath: AppModel.recordPath) {
                WideButton(title: L("ui.onboarding.recover_open"), prominent: true) { Task { await openWithKey() } }
            }
            WideButton(title: L("ui.onboarding.recover_backup")) { pickingBackup = true }
            WideButton(title: L("ui.back")) { step = .welcome }
        }
    }

    private func lastGroupMatches() -> Bool {
        let groups = recoveryKey.split(separator: "-")
        guard let last = groups.last else { return false }
        return typedBack.trimmingCharacters(in: .whitespaces).uppercased() == last.uppercased()
    }

    /// Creating opens SQLite and derives keys: off the main actor.
    private func create() async {
        busy = true
        defer { busy = false }
        do {
            let path = AppModel.recordPath
            let created = try await Task.detached { try PhrRecord.create(path: path, keystore: KeychainKeyStore()) }.value
            record = created
            recoveryKey = try await created.createRecoveryKey()
            step = .showKey
        } catch {
            problem = problemText(error)
        }
    }

    private func finish(appLock: Bool) async {
        guard let record else { return }
        busy = true
        defer { busy = false }
        do {
            var preferences = try await record.appPreferences()
            preferences.appLock = appLock
            try await record.setAppPreferences(preferences: preferences)
            recoveryKey = ""
            await app.opened(record)
        } catch {
            problem = problemText(error)
        }
    }

    /// Asks to join, shows the six digits, waits for the other device's welcome, then syncs.
    private func joinRecord() async {
        busy = true
        defer { busy = false }
        let payload = joinPayload.trimmingCharacters(in: .whitespacesAndNewlines)
        let label = UIDevice.current.name
        do {
            let pending = try await Task.detached { try deviceJoinRequest(payload: payload, label: label) }.value
            joinCode = pending.confirmationCode()
            let joined = try await pending.finish(path: AppModel.recordPath, keystore: KeychainKeyStore(), timeoutS: 300)
            _ = try await joined.syncNow(listener: nil, cancel: nil)
            await app.opened(joined)
        } catch {
            problem = problemText(error)
        }
    }

    private func openWithKey() async {
        busy = true
        defer { busy = false }
        let key = recoveryKey
        let path = AppModel.recordPath
        do {
            let opened = try await Task.detached {
                try PhrRecord.openWithRecoveryKey(path: path, recoveryKey: key, newKeystore: KeychainKeyStore())
            }.value
            recoveryKey = ""
            await app.opened(opened)
        } catch {
            problem = problemText(error)
        }
    }

    private func restore(from url: URL) async {
        busy = true
        defer { busy = false }
        let key = recoveryKey
        let home = URL(fileURLWithPath: AppModel.recordPath).deletingLastPathComponent().path
        let scoped = url.startAccessingSecurityScopedResource()
        defer { if scoped { url.stopAccessingSecurityScopedResource() } }
        do {
            let restored = try await Task.detached {
                try PhrRecord.restoreWithRecoveryKey(backupPath: url.path, homeDir: home, recoveryKey: key, newKeystore: KeychainKeyStore())
            }.value
            recoveryKey = ""
            await app.opened(restored)
        } catch {
            problem = problemText(error)
        }
    }
}
