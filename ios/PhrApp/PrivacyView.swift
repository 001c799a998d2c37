import PhrFFI
import SwiftUI

/// Who may see each section: only you, shareable, or extra private (never to an employer or
/// insurer), and whether an optional section is switched on. The rows and the words are the
/// core's (`settingsScreen().sections`); the core refuses what it does not allow.
@MainActor
struct PrivacyView: View {
    @StateObject private var model: PrivacyModel

    init(record: PhrRecord) {
        _model = StateObject(wrappedValue: PrivacyModel(record: record))
    }

    private static let levels: [(PrivacyLevel, String)] = [
        (.private, "privacy.private"),
        (.shareable, "privacy.shareable"),
        (.sensitive, "privacy.sensitive"),
    ]

    var body: some View {
        Loaded(state: model.state, retry: model.reload) { rows in
            List {
                ProblemText(problem: model.problem)
                Text(L("ui.privacy.explain")).font(.body)
                ForEach(rows, id: \.id) { row in
                    SwiftUI.Section(row.title) {
                        Text(L(row.privacyKey)).font(.subheadline)
                        Picker(L("ui.privacy.who_for", ["section": row.title]), selection: Binding(
                            get: { Self.levels.first { $0.1 == row.privacyKey }?.0 ?? .shareable },
                            set: { level in model.perform { record in _ = try await record.setSectionPrivacy(section: row.id, privacy: level) } }
                        )) {
                            ForEach(Self.levels, id: \.1) { level in Text(L(level.1)).tag(level.0) }
                        }
                        .frame(minHeight: touchTarget)
                        .accessibilityLabel(L("ui.privacy.who_for", ["section": row.title]))
                        LabelledToggle(title: L("ui.privacy.switched_on", ["section": row.title]), isOn: row.enabled) { on in
                            model.perform { record in _ = try await record.setSectionEnabled(section: row.id, enabled: on) }
                        }
                    }
                }
            }
        }
        .navigationTitle(L("ui.privacy.title"))
        .task { await model.run() }
    }
}
