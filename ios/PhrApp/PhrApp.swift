import PhrFFI
import SwiftUI

/// The iOS shell: opens the record with the Keychain-backed key store (or starts the
/// onboarding when there is none), locks it behind Face ID / Touch ID when the owner asked,
/// and shows four tabs. Thin: every rule is in the Rust core; this only lays out screens.
@main
struct PhrApp: App {
    @StateObject private var app = AppModel()
    @Environment(\.scenePhase) private var scenePhase

    var body: some Scene {
        WindowGroup {
            Group {
                switch app.phase {
                case .starting:
                    Text(L("ui.loading")).font(.body)
                case .onboarding:
                    OnboardingView(app: app)
                case .locked:
                    LockView(app: app)
                case .open(let record):
                    MainTabs(record: record).environmentObject(app)
                case .failed(let key):
                    VStack(spacing: 16) {
                        Text(L(key)).font(.body)
                        WideButton(title: L("ui.onboarding.use_recovery_key")) { app.phase = .onboarding }
                    }
                    .padding()
                }
            }
            .task { await app.start() }
        }
        .onChange(of: scenePhase) { _, phase in
            if phase == .background { app.lockIfAsked() }
        }
    }
}

/// Where the person is; each tab keeps a stack of these.
enum Route: Hashable {
    case section(String)
    case entry(String)
    case addForm(section: String, title: String)
    case editForm(entryId: String)
    case customSection
    case privacy
    case importFiles
    case connect
    case insights
    case chart(MetricKind)
    case sharing
    case newShare
    case emergencyCard
    case advice
    case devices
    case backup
    case settings
}

/// The open record's app: Home, Insights, Sharing and Settings, each a navigation stack.
@MainActor
struct MainTabs: View {
    let record: PhrRecord

    var body: some View {
        TabView {
            tab(L("ui.tab.home"), "house") { HomeView(record: record) }
            tab(L("ui.tab.insights"), "chart.line.uptrend.xyaxis") { InsightsView(record: record) }
            tab(L("ui.tab.sharing"), "person.2") { SharingView(record: record) }
            tab(L("ui.tab.settings"), "gearshape") { SettingsView(record: record) }
        }
    }

    private func tab<V: View>(_ title: String, _ icon: String, @ViewBuilder _ root: () -> V) -> some View {
        NavigationStack {
            root().navigationDestination(for: Route.self) { RouteView(record: record, route: $0) }
        }
        .tabItem { SwiftUI.Label(title, systemImage: icon) }
        .accessibilityLabel(title)
    }
}

/// The screen for a route.
@MainActor
struct RouteView: View {
    let record: PhrRecord
    let route: Route

    var body: some View {
        switch route {
        case .section(let id): SectionView(record: record, sectionId: id)
        case .entry(let id): EntryView(record: record, entryId: id)
        case .addForm(let section, let title): FormView(record: record, target: .add(section: section), title: L("ui.form.add_title", ["section": title]))
        case .editForm(let id): FormView(record: record, target: .edit(entryId: id), title: L("ui.form.edit_title"))
        case .customSection: CustomSectionView(record: record)
        case .privacy: PrivacyView(record: record)
        case .importFiles: ImportView(record: record)
        case .connect: ConnectView(record: record)
        case .insights: InsightsView(record: record)
        case .chart(let kind): ChartView(record: record, kind: kind)
        case .sharing: SharingView(record: record)
        case .newShare: NewShareView(record: record)
        case .emergencyCard: EmergencyCardView(record: record)
        case .advice: AdviceView(record: record)
        case .devices: DevicesView(record: record)
        case .backup: BackupView(record: record)
        case .settings: SettingsView(record: record)
        }
    }
}

/// Opens the record, or sends the owner to onboarding; holds the app-lock state.
@MainActor
final class AppModel: ObservableObject {
    enum Phase {
        case starting
        case onboarding
        case locked
        case open(PhrRecord)
        case failed(String)
    }

    @Published var phase: Phase = .starting
    private var record: PhrRecord?
    private var appLock = false

    /// The record's folder, in Application Support, kept out of iCloud and computer backups
    /// (the owner's own backup is the Backup screen). A restore makes a new folder.
    nonisolated static var recordFolder: URL {
        let base = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        let name = UserDefaults.standard.string(forKey: "record.folder") ?? "record"
        var dir = base.appendingPathComponent(name, isDirectory: true)
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try? dir.setResourceValues(values)
        return dir
    }

    /// The record's file (the core's name for it inside a folder).
    nonisolated static var recordPath: String { recordFolder.appendingPathComponent("record.phr").path }

    /// An empty folder for a restore, beside the current one.
    nonisolated static func newRecordFolder() -> URL {
        let base = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        let dir = base.appendingPathComponent("record-" + UUID().uuidString, isDirectory: true)
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The relay hosting encrypted share links (`PhrRelayURL` in Info.plist); contacted
    /// only when the owner shares, revokes, refreshes or sets up sync.
    /// UI tests point it at a local listener (`PHR_RELAY_URL`) to prove nothing calls it unasked.
    nonisolated static var relayURL: String {
        ProcessInfo.processInfo.environment["PHR_RELAY_URL"]
            ?? Bundle.main.object(forInfoDictionaryKey: "PhrRelayURL") as? String ?? ""
    }

    /// UI tests start from no record (`--ui-testing`): onboarding first, every run.
    nonisolated static func resetForUITests() {
        guard ProcessInfo.processInfo.arguments.contains("--ui-testing") else { return }
        UserDefaults.standard.removeObject(forKey: "record.folder")
        try? FileManager.default.removeItem(at: recordFolder)
    }

    func start() async {
        guard case .starting = phase else { return }
        Self.resetForUITests()
        guard FileManager.default.fileExists(atPath: Self.recordPath) else {
            phase = .onboarding
            return
        }
        do {
            let record = try await PhrRecord.openAsync(path: Self.recordPath, keystore: KeychainKeyStore())
            await opened(record)
        } catch {
            phase = .failed(problemKey(error))
        }
    }

    /// Called by onboarding once the record exists and its recovery key is confirmed.
    func opened(_ record: PhrRecord) async {
        self.record = record
        appLock = (try? await record.appPreferences().appLock) ?? false
        phase = appLock ? .locked : .open(record)
        await LocalNotifications.plan(record: record)
    }

    /// After a restore: the restored record becomes the app's, the old folder goes.
    func replace(with restored: PhrRecord, folder: URL) async {
        let old = Self.recordFolder
        UserDefaults.standard.set(folder.lastPathComponent, forKey: "record.folder")
        await opened(restored)
        try? FileManager.default.removeItem(at: old)
    }

    func lockIfAsked() {
        if appLock, record != nil { phase = .locked }
    }

    /// Face ID, Touch ID or the phone's passcode (LocalAuthentication).
    func unlock() async {
        guard let record else { return }
        if await AppLock.authenticate(reason: L("ui.lock.reason")) {
            phase = .open(record)
        }
    }
}

/// Shown while the app is locked: one button that asks for Face ID / Touch ID.
@MainActor
struct LockView: View {
    @ObservedObject var app: AppModel

    var body: some View {
        VStack(spacing: 24) {
            Text(L("app.name")).font(.largeTitle).accessibilityAddTraits(.isHeader)
            Text(L("ui.lock.locked")).font(.body)
            WideButton(title: L("ui.lock.unlock"), prominent: true) { Task { await app.unlock() } }
        }
        .padding()
        .task { await app.unlock() }
    }
}
