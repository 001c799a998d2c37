import PhrFFI
import SwiftUI

/// Make a section of one's own: a title and its fields (name, kind, required). The core
/// checks the names and makes the section; its form then comes from `formSpec` like any other.
@MainActor
struct CustomSectionView: View {
    let record: PhrRecord
    @Environment(\.dismiss) private var dismiss
    @State private var title = ""
    @State private var fields: [Draft] = [Draft()]
    @State private var problem: String?

    struct Draft: Identifiable {
        let id = UUID()
        var name = ""
        var kind = Kind.text
        var required = false
    }

    enum Kind: CaseIterable {
        case text, number, date, yesNo

        var key: String {
            switch self {
            case .text: return "ui.custom.kind.text"
            case .number: return "ui.custom.kind.number"
            case .date: return "ui.custom.kind.date"
            case .yesNo: return "ui.custom.kind.yes_no"
            }
        }

        var fieldType: FieldType {
            switch self {
            case .text: return .text
            case .number: return .number(unit: nil)
            case .date: return .date
            case .yesNo: return .bool
            }
        }
    }

    var body: some View {
        Form {
            ProblemText(problem: problem)
            SwiftUI.Section {
                TextField(L("ui.custom.name"), text: $title)
                    .frame(minHeight: touchTarget)
                    .accessibilityLabel(L("ui.custom.name"))
            }
            ForEach($fields) { $draft in
                SwiftUI.Section(L("ui.custom.field")) {
                    TextField(L("ui.custom.field_name"), text: $draft.name)
                        .frame(minHeight: touchTarget)
                        .accessibilityLabel(L("ui.custom.field_name"))
                    Picker(L("ui.custom.field_kind"), selection: $draft.kind) {
                        ForEach(Kind.allCases, id: \.self) { Text(L($0.key)).tag($0) }
                    }
                    .frame(minHeight: touchTarget)
                    .accessibilityLabel(L("ui.custom.field_kind"))
                    Toggle(L("ui.custom.field_required"), isOn: $draft.required)
                        .frame(minHeight: touchTarget)
                        .accessibilityLabel(L("ui.custom.field_required"))
                }
            }
            SwiftUI.Section {
                WideButton(title: L("ui.custom.add_field")) { fields.append(Draft()) }
                WideButton(title: L("ui.custom.create"), prominent: true) { Task { await create() } }
            }
        }
        .navigationTitle(L("ui.custom.title"))
    }

    private func create() async {
        let defs = fields.filter { !$0.name.isEmpty }.map { FieldDef(name: $0.name, fieldType: $0.kind.fieldType, required: $0.required) }
        do {
            _ = try await record.createSection(title: title, fields: defs)
            dismiss()
        } catch {
            problem = problemText(error)
        }
    }
}
