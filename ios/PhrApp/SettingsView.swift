import PhrFFI
import SwiftUI

/// Settings: what the insights may do, reminders (local notifications planned by the core),
/// the app lock, and the ways to Privacy, Devices, Backup, Import and Connect. The rows and
/// their state are the core's (`settingsScreen`, `appPreferences`).
@MainActor
struct SettingsView: View {
    @StateObject private var model: SettingsModel

    init(record: PhrRecord) {
        _model = StateObject(wrappedValue: SettingsModel(record: record))
    }

    var body: some View {
        Loaded(state: model.state, retry: model.reload) { data in
            let s = data.screen
            List {
                ProblemText(problem: model.problem)
                SwiftUI.Section(L("ui.settings.insights")) {
                    insightSwitch("ui.settings.alerts", s.alertsOn, .alerts)
                    insightSwitch("ui.settings.suggestions", s.suggestionsOn, .suggestions)
                    insightSwitch("ui.settings.signposts", s.signpostsOn, .signposts)
                    insightSwitch("ui.settings.leeds_services", s.leedsServicesOn, .leedsServices)
                    insightSwitch("ui.settings.fitness", s.fitnessOn, .fitnessSummary)
                }
                SwiftUI.Section(L("ui.settings.reminders")) {
                    LabelledToggle(title: L("ui.settings.medication_reminders", ["time": s.reminderTime]), isOn: s.medicationReminders) { on in
                        save(data.preferences) { $0.medicationReminders = on }
                    }
                    LabelledToggle(title: L("ui.settings.share_reminders"), isOn: s.shareReminders) { on in
                        save(data.preferences) { $0.shareReminders = on }
                    }
                    LabelledToggle(title: L("ui.settings.safety_reminders"), isOn: s.safetyReminders) { on in
                        save(data.preferences) { $0.safetyReminders = on }
                    }
                }
                SwiftUI.Section(L("ui.settings.lock")) {
                    LabelledToggle(title: L("ui.settings.app_lock"), isOn: s.appLock) { on in
                        Task {
                            // Proving it is the owner before the lock changes either way.
                            guard await AppLock.authenticate(reason: L("ui.lock.reason")) else { return }
                            save(data.preferences) { $0.appLock = on }
                        }
                    }
                    .disabled(!AppLock.available)
                }
                SwiftUI.Section(L("ui.settings.record")) {
                    RouteLink(title: L("ui.privacy.title"), route: .privacy)
                    RouteLink(title: L("ui.devices.title"), route: .devices)
                    RouteLink(title: L("ui.backup.title"), detail: L(label: s.lastBackupLabel), route: .backup)
                    RouteLink(title: L("ui.import.title"), route: .importFiles)
                    RouteLink(title: L("ui.connect.title"), route: .connect)
                }
            }
        }
        .navigationTitle(L("ui.tab.settings"))
        .task { await model.run() }
    }

    private func insightSwitch(_ key: String, _ on: Bool, _ which: InsightSwitch) -> some View {
        LabelledToggle(title: L(key), isOn: on) { value in
            model.perform { record in _ = try await record.setInsightSwitch(switch: which, enabled: value) }
        }
    }

    /// Saves the preferences whole, then plans the notifications again (asking iOS for
    /// permission the first time a reminder is switched on).
    private func save(_ current: AppPreferences, _ change: (inout AppPreferences) -> Void) {
        var preferences = current
        change(&preferences)
        let wanted = preferences
        model.perform { record in
            try await record.setAppPreferences(preferences: wanted)
            if wanted.medicationReminders || wanted.shareReminders || wanted.safetyReminders {
                await LocalNotifications.askPermission()
            }
            await LocalNotifications.plan(record: record)
        }
    }
}
