import PhrFFI
import SwiftUI
import UniformTypeIdentifiers

/// Backup and restore: save an encrypted copy of the record where the owner chooses (Files,
/// a computer, a memory stick), make a new recovery key, or restore a copy onto this phone.
@MainActor
struct BackupView: View {
    @StateObject private var model: SettingsModel
    @EnvironmentObject private var app: AppModel
    @State private var backupFile: BackupFile?
    @State private var exporting = false
    @State private var restoring = false
    @State private var recoveryKey: String?
    @State private var busy = false

    init(record: PhrRecord) {
        _model = StateObject(wrappedValue: SettingsModel(record: record))
    }

    var body: some View {
        Loaded(state: model.state, retry: model.reload) { data in
            List {
                ProblemText(problem: model.problem)
                SwiftUI.Section(L("ui.backup.title")) {
                    Text(L(label: data.screen.lastBackupLabel)).font(.body)
                    Text(L("ui.backup.explain")).font(.body)
                    WideButton(title: L("ui.backup.make"), prominent: true) { Task { await makeBackup() } }
                }
                SwiftUI.Section(L("ui.backup.key_title")) {
                    Text(L(data.screen.recoveryKeyMade ? "ui.backup.key_made" : "ui.backup.key_missing",
                           ["date": data.screen.recoveryKeyMadeOn ?? ""])).font(.body)
                    if let recoveryKey {
                        Text(recoveryKey).font(.title3.monospaced()).textSelection(.enabled)
                            .accessibilityLabel(L("ui.onboarding.key_spoken", ["key": recoveryKey.map { String($0) }.joined(separator: " ")]))
                        Text(L("ui.onboarding.key_explain")).font(.body)
                    }
                    WideButton(title: L("ui.backup.new_key")) {
                        model.perform { record in
                            let key = try await record.createRecoveryKey()
                            await MainActor.run { recoveryKey = key }
                        }
                    }
                }
                SwiftUI.Section(L("ui.backup.restore_title")) {
                    Text(L("ui.backup.restore_explain")).font(.body)
                    WideButton(title: L("ui.backup.restore"), role: .destructive) { restoring = true }
                }
            }
            .disabled(busy)
        }
        .navigationTitle(L("ui.backup.title"))
        .task { await model.run() }
        .fileExporter(isPresented: $exporting, document: backupFile, contentType: .data, defaultFilename: "record.phrbackup") { _ in
            backupFile = nil
        }
        .fileImporter(isPresented: $restoring, allowedContentTypes: [.data]) { result in
            if case .success(let url) = result { Task { await restore(url) } }
        }
    }

    private func makeBackup() async {
        busy = true
        defer { busy = false }
        let dest = FileManager.default.temporaryDirectory.appendingPathComponent("record.phrbackup")
        try? FileManager.default.removeItem(at: dest)
        do {
            _ = try await model.record.backup(destPath: dest.path)
            backupFile = BackupFile(url: dest)
            exporting = true
        } catch {
            model.problem = problemText(error)
        }
    }

    /// Restores into a new folder with this phone's key, then switches the app to it.
    private func restore(_ url: URL) async {
        busy = true
        defer { busy = false }
        let scoped = url.startAccessingSecurityScopedResource()
        defer { if scoped { url.stopAccessingSecurityScopedResource() } }
        do {
            let home = AppModel.newRecordFolder()
            let restored = try await Task.detached {
                try PhrRecord.restore(backupPath: url.path, homeDir: home.path, keystore: KeychainKeyStore())
            }.value
            await app.replace(with: restored, folder: home)
        } catch {
            model.problem = problemText(error)
        }
    }
}

/// The backup file handed to the system's save sheet.
struct BackupFile: FileDocument {
    static var readableContentTypes: [UTType] { [.data] }
    let url: URL

    init(url: URL) { self.url = url }

    init(configuration: ReadConfiguration) throws {
        throw CocoaError(.fileReadUnsupportedScheme)
    }

    func fileWrapper(configuration: WriteConfiguration) throws -> FileWrapper {
        try FileWrapper(url: url)
    }
}
