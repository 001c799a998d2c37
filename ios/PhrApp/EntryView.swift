import PhrFFI
import SwiftUI

/// The catalogue key of an action's button.
func actionKey(_ action: EntryAction) -> String {
    switch action {
    case .edit: return "action.edit"
    case .delete: return "action.delete"
    case .undo: return "action.undo"
    case .purge: return "action.purge"
    case .annotate: return "action.annotate"
    case .hide: return "action.hide"
    case .unhide: return "action.unhide"
    case .dismissConflict: return "action.dismiss_conflict"
    }
}

/// One entry: its fields, where it came from, earlier versions, notes, and only the actions
/// the core allows (`EntryScreen.actions`).
@MainActor
struct EntryView: View {
    @StateObject private var model: EntryModel
    @Environment(\.dismiss) private var dismiss

    init(record: PhrRecord, entryId: String) {
        _model = StateObject(wrappedValue: EntryModel(record: record, entryId: entryId))
    }

    var body: some View {
        Loaded(state: model.state, retry: model.reload) { entry in
            List {
                ProblemText(problem: model.problem)
                if entry.deleted || entry.hidden {
                    Text(L(entry.deleted ? "ui.entry.deleted" : "ui.entry.hidden")).font(.body)
                }
                if let conflict = entry.conflict {
                    // A sync kept another device's change over this one (or the other way round).
                    VStack(alignment: .leading, spacing: 4) {
                        Text(L(label: conflict.message)).font(.body)
                        Text(L(label: conflict.restore)).font(.subheadline)
                    }
                    .accessibilityElement(children: .combine)
                }
                SwiftUI.Section(L("ui.entry.details")) {
                    ForEach(Array(entry.fields.enumerated()), id: \.offset) { _, field in
                        VStack(alignment: .leading, spacing: 2) {
                            Text(field.label ?? L(field.labelKey)).font(.subheadline)
                            Text(field.valueKey.map { L($0) } ?? field.value).font(.body)
                        }
                        .accessibilityElement(children: .combine)
                    }
                }
                SwiftUI.Section(L("ui.entry.where_from")) {
                    Text(provenanceText(entry.provenance)).font(.body)
                    Text(L("ui.entry.added", ["date": entry.created])).font(.subheadline)
                    Text(L("ui.entry.changed", ["date": entry.updated])).font(.subheadline)
                }
                if !entry.history.isEmpty {
                    SwiftUI.Section(L("ui.entry.history")) {
                        ForEach(Array(entry.history.enumerated()), id: \.offset) { _, line in
                            Text(L("ui.entry.history_line", ["date": line.until, "summary": line.summary])).font(.body)
                        }
                    }
                }
                if !entry.annotations.isEmpty {
                    SwiftUI.Section(L("ui.entry.notes")) {
                        ForEach(Array(entry.annotations.enumerated()), id: \.offset) { _, note in
                            let words = [L(note.key), note.text].compactMap { $0 }.joined(separator: " ")
                            Text(L("ui.entry.note_line", ["date": note.at, "text": words])).font(.body)
                        }
                    }
                }
                SwiftUI.Section {
                    ForEach(entry.actions, id: \.self) { action in
                        if action == .edit {
                            NavigationLink(value: Route.editForm(entryId: entry.id)) {
                                Text(L(actionKey(action))).font(.headline).frame(minHeight: touchTarget)
                            }
                            .accessibilityLabel(L(actionKey(action)))
                        } else {
                            WideButton(title: L(actionKey(action)), role: action == .delete || action == .purge ? .destructive : nil) {
                                model.act(action) { dismiss() }
                            }
                        }
                    }
                }
            }
            .navigationTitle(entry.summary)
        }
        .task { await model.run() }
    }
}
