import Foundation
import PhrFFI

/// What a screen model has for its view: still loading, loaded, or the load failed (the
/// reason is never shown: it could quote the record; only a catalogue key is).
enum Load<T> {
    case loading
    case ready(T)
    case failed
}

/// A screen's model, loaded from the core with `await` (the core runs it off the main
/// actor) and loaded again after every committed change to the record (`changes()`), so the
/// screen never polls. The same shape as android/ui's `ScreenHolder`; one subclass per screen.
@MainActor
class ScreenModel<T>: ObservableObject {
    @Published private(set) var state: Load<T> = .loading
    @Published var problem: String?
    let record: PhrRecord
    private let load: @Sendable (PhrRecord) async throws -> T

    init(record: PhrRecord, load: @escaping @Sendable (PhrRecord) async throws -> T) {
        self.record = record
        self.load = load
    }

    /// Loads, then reloads on every change until the view's `.task` is cancelled.
    func run() async {
        await reload()
        for await _ in record.changes() {
            await reload()
        }
    }

    func reload() async {
        do {
            state = .ready(try await load(record))
        } catch {
            state = .failed
        }
    }

    /// Runs one action on the record; a refusal becomes words on the screen.
    func perform(_ work: @escaping (PhrRecord) async throws -> Void) {
        Task {
            problem = nil
            do {
                try await work(record)
            } catch {
                problem = problemText(error)
            }
        }
    }
}

final class HomeModel: ScreenModel<HomeScreen> {
    init(record: PhrRecord) { super.init(record: record) { record in try await record.homeScreen() } }
}

final class SectionModel: ScreenModel<SectionScreen> {
    init(record: PhrRecord, sectionId: String) {
        super.init(record: record) { record in try await record.sectionScreen(section: sectionId, includeRemoved: true) }
    }
}

final class EntryModel: ScreenModel<EntryScreen> {
    let entryId: String

    init(record: PhrRecord, entryId: String) {
        self.entryId = entryId
        super.init(record: record) { record in try await record.entryScreen(id: entryId) }
    }

    /// Runs an action other than Edit (which opens the form); the change notice reloads.
    func act(_ action: EntryAction, onGone: @escaping () -> Void) {
        let id = entryId
        perform { record in
            switch action {
            case .delete: _ = try await record.deleteEntry(id: id)
            case .undo: _ = try await record.undoDelete(id: id)
            case .hide: _ = try await record.setHidden(id: id, hidden: true)
            case .unhide: _ = try await record.setHidden(id: id, hidden: false)
            case .annotate: _ = try await record.annotate(id: id, kind: .noLongerRelevant, text: nil)
            case .purge:
                try await record.purge(id: id)
                await MainActor.run { onGone() }
            case .dismissConflict: _ = try await record.dismissSyncConflict(entryId: id)
            case .edit: break
            }
        }
    }
}

final class InsightsModel: ScreenModel<InsightsData> {
    init(record: PhrRecord) {
        super.init(record: record) { record in
            InsightsData(screen: try await record.insightsScreen(), settings: try await record.insightSettings())
        }
    }
}

/// The insights screen and the category switches (whose enum the toggles need).
struct InsightsData {
    let screen: InsightsScreen
    let settings: InsightSettings
}

final class SharingModel: ScreenModel<SharingScreen> {
    init(record: PhrRecord) { super.init(record: record) { record in try await record.sharingScreen() } }
}

final class DevicesModel: ScreenModel<DevicesScreen> {
    init(record: PhrRecord) { super.init(record: record) { record in try await record.devicesScreen() } }
}

final class ImportsModel: ScreenModel<ImportsScreen> {
    init(record: PhrRecord) { super.init(record: record) { record in try await record.importsScreen() } }
}

final class SettingsModel: ScreenModel<SettingsData> {
    init(record: PhrRecord) {
        super.init(record: record) { record in
            SettingsData(screen: try await record.settingsScreen(), preferences: try await record.appPreferences())
        }
    }
}

/// The settings screen and the preferences it edits (saved whole with `setAppPreferences`).
struct SettingsData {
    let screen: SettingsScreen
    let preferences: AppPreferences
}

/// The sections with their privacy, for the privacy screen (the settings model's rows).
final class PrivacyModel: ScreenModel<[SectionPrivacyRow]> {
    init(record: PhrRecord) { super.init(record: record) { record in try await record.settingsScreen().sections } }
}

/// The sections a share may offer: switched on and not private (the core refuses the rest,
/// and sensitive ones for an employer or insurer, when the share is made).
final class ShareChoicesModel: ScreenModel<[PhrFFI.Section]> {
    init(record: PhrRecord) {
        super.init(record: record) { record in
            try await record.sections().filter { $0.enabled && $0.privacy != .private }
        }
    }
}

/// Whether Strava is connected, for the Connect screen.
final class ConnectModel: ScreenModel<StravaStatus> {
    init(record: PhrRecord) { super.init(record: record) { record in try await record.stravaStatus() } }
}

/// The purpose that marks the emergency card's share (a key, not words: the recipient sees
/// the share's label instead).
let emergencyPurpose = "emergency"

/// The emergency card's share, if there is one still active.
final class EmergencyCardModel: ScreenModel<Grant?> {
    init(record: PhrRecord) {
        super.init(record: record) { record in
            try await record.grants().last { $0.purpose == emergencyPurpose && $0.status == .active && $0.sharedByLink }
        }
    }
}

/// One chart, drawn by the core for a measure, a span and a theme, and drawn again after
/// every change to the record.
final class ChartModel: ScreenModel<String> {
    init(record: PhrRecord, kind: MetricKind, days: Int, dark: Bool) {
        super.init(record: record) { record in
            let to = Date()
            let from = Calendar.current.date(byAdding: .day, value: -days, to: to) ?? to
            return try await record.insightChart(kind: kind, from: calendarDay(from), to: calendarDay(to), theme: dark ? .dark : .light)
        }
    }
}

/// A day as the core takes it.
func calendarDay(_ date: Date) -> CalendarDate {
    let c = Calendar.current.dateComponents([.year, .month, .day], from: date)
    return CalendarDate(year: Int32(c.year ?? 1970), month: UInt32(c.month ?? 1), day: UInt32(c.day ?? 1))
}
