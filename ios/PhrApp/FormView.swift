import PhrFFI
import SwiftUI

private let bloodGroups = ["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"]

/// Any form the core describes (`formSpec` / `editForm`), field by field in the core's
/// order: label ("optional" when it may stay empty), hint, and the core's error beside the
/// field after a refused save. No field or rule is rebuilt here (android/ui FormView.kt).
@MainActor
struct FormView: View {
    @StateObject private var model: FormModel
    @Environment(\.dismiss) private var dismiss
    let title: String

    init(record: PhrRecord, target: FormTarget, title: String) {
        _model = StateObject(wrappedValue: FormModel(record: record, target: target))
        self.title = title
    }

    var body: some View {
        Loaded(state: model.state, retry: model.reload) { form in
            FormFields(form: form) {
                Task { await model.save(form) { dismiss() } }
            } cancel: {
                dismiss()
            }
        }
        .navigationTitle(title)
        // Loaded once: coming back to the form (after the keyboard, a sheet) keeps what was typed.
        .task {
            if case .loading = model.state { await model.reload() }
        }
    }
}

@MainActor
private struct FormFields: View {
    @ObservedObject var form: FormState
    let save: () -> Void
    let cancel: () -> Void

    var body: some View {
        Form {
            if !form.errors.isEmpty {
                SwiftUI.Section {
                    Text(L("ui.form.check")).font(.body).foregroundStyle(.red)
                    ForEach(Array(form.formErrors().enumerated()), id: \.offset) { _, e in
                        Text(errorText(e)).font(.body).foregroundStyle(.red)
                    }
                }
            }
            ForEach(form.spec.fields, id: \.id) { field in
                SwiftUI.Section { FieldInput(field: field, form: form) }
            }
            SwiftUI.Section {
                WideButton(title: L("ui.form.save"), prominent: true, action: save)
                WideButton(title: L("ui.form.cancel"), action: cancel)
            }
        }
    }
}

@MainActor
private struct FieldInput: View {
    let field: FormField
    @ObservedObject var form: FormState

    private var name: String { field.label ?? L(field.labelKey) }
    private var label: String { field.required ? name : L("ui.form.optional", ["label": name]) }
    private var hint: String? {
        let text = L(field.hintKey)
        return text == field.hintKey ? nil : text
    }
    private var value: Binding<String> {
        Binding(get: { form.values[field.id] ?? "" }, set: { form.values[field.id] = $0 })
    }

    var body: some View {
        let error = form.error(for: field.id)
        VStack(alignment: .leading, spacing: 4) {
            switch field.kind {
            case .choice(let values):
                choices(Array(zip(values, field.choiceLabelKeys.map { L($0) })))
            case .yesNo:
                choices([("yes", L("ui.form.yes")), ("no", L("ui.form.no"))])
            case .bloodGroup:
                choices(bloodGroups.map { ($0, $0) })
            case .number(let units, let canonical, _):
                text(keyboard: .decimalPad, suffix: units.count == 1 ? units[0] : nil)
                if units.count > 1 {
                    Picker(L("ui.form.unit_for", ["label": name]), selection: Binding(
                        get: { form.unit(of: field.id, units: units, canonical: canonical) ?? "" },
                        set: { form.units[field.id] = $0 }
                    )) {
                        ForEach(units, id: \.self) { Text($0).tag($0) }
                    }
                    .frame(minHeight: touchTarget)
                    .accessibilityLabel(L("ui.form.unit_for", ["label": name]))
                }
            case .longText:
                Text(label).font(.subheadline)
                TextEditor(text: value)
                    .font(.body)
                    .frame(minHeight: touchTarget * 3)
                    .accessibilityLabel(label)
            case .nhsNumber:
                text(keyboard: .numberPad, suffix: nil)
            case .text, .textList, .date, .dateRange, .codedValue:
                // The core's hint for a list already says to put commas between the items.
                text(keyboard: .default, suffix: nil)
            }
            if let error {
                Text(error).font(.subheadline).foregroundStyle(.red).accessibilityLabel(error)
            }
            if let hint { Text(hint).font(.subheadline).foregroundStyle(.secondary) }
        }
    }

    private func text(keyboard: UIKeyboardType, suffix: String?) -> some View {
        HStack {
            TextField(label, text: value, axis: .vertical)
                .font(.body)
                .keyboardType(keyboard)
                .frame(minHeight: touchTarget)
                .accessibilityLabel(label)
                .accessibilityHint(hint ?? "")
            if let suffix { Text(suffix).font(.body).accessibilityHidden(true) }
        }
    }

    /// A labelled group of rows, each one touch target; tapping the picked row of an
    /// optional field clears it.
    private func choices(_ options: [(String, String)]) -> some View {
        VStack(alignment: .leading, spacing: 2) {
            Text(label).font(.headline)
            ForEach(options, id: \.0) { option in
                let picked = (form.values[field.id] ?? "").caseInsensitiveCompare(option.0) == .orderedSame
                Button {
                    form.values[field.id] = picked && !field.required ? "" : option.0
                } label: {
                    HStack {
                        Image(systemName: picked ? "largecircle.fill.circle" : "circle").accessibilityHidden(true)
                        Text(option.1).font(.body)
                    }
                    .frame(maxWidth: .infinity, minHeight: touchTarget, alignment: .leading)
                }
                .accessibilityLabel(option.1)
                .accessibilityAddTraits(picked ? [.isSelected] : [])
            }
        }
    }
}
