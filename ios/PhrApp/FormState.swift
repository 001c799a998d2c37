import PhrFFI
import SwiftUI

/// Where a form saves: a new entry in a section, or a change to an existing entry.
enum FormTarget: Hashable {
    case add(section: String, entryType: String? = nil)
    case edit(entryId: String)
}

/// What the person has typed into a form (field id -> text), the unit picked for each
/// number, and the core's answer to the last save. No rule lives here: the core validates
/// (android/ui FormState.kt).
@MainActor
final class FormState: ObservableObject {
    let spec: FormSpec
    @Published var values: [String: String]
    @Published var units: [String: String] = [:]
    @Published var errors: [FieldError] = []

    init(spec: FormSpec, values: [String: String] = [:]) {
        self.spec = spec
        self.values = values
    }

    func unit(of field: String, units choices: [String], canonical: String?) -> String? {
        units[field] ?? canonical ?? choices.first
    }

    /// The filled form to submit: blank fields left out, a number followed by its unit.
    func filled() -> [String: String] {
        var out: [String: String] = [:]
        for field in spec.fields {
            let raw = (values[field.id] ?? "").trimmingCharacters(in: .whitespaces)
            if raw.isEmpty { continue }
            if case .number(let choices, let canonical, _) = field.kind, choices.count > 1,
               let unit = unit(of: field.id, units: choices, canonical: canonical) {
                out[field.id] = raw + " " + unit
            } else {
                out[field.id] = raw
            }
        }
        return out
    }

    /// Errors about no field on this form (shown at the top).
    func formErrors() -> [FieldError] {
        errors.filter { e in !spec.fields.contains { $0.id == e.field } }
    }

    func error(for field: String) -> String? {
        errors.first { $0.field == field }.map(errorText)
    }
}

/// Loads the form (empty to add, filled to edit) and submits it through the core in one call.
@MainActor
final class FormModel: ObservableObject {
    @Published private(set) var state: Load<FormState> = .loading
    let record: PhrRecord
    let target: FormTarget

    init(record: PhrRecord, target: FormTarget) {
        self.record = record
        self.target = target
    }

    func reload() async {
        do {
            switch target {
            case .add(let section, let entryType):
                state = .ready(FormState(spec: try await record.formSpec(section: section, entryType: entryType)))
            case .edit(let id):
                let form = try await record.editForm(id: id)
                state = .ready(FormState(spec: form.spec, values: form.values))
            }
        } catch {
            state = .failed
        }
    }

    /// Saves; `onSaved` runs once the core stored it, or the errors appear beside their fields.
    func save(_ form: FormState, onSaved: @escaping () -> Void) async {
        let outcome: FormOutcome
        do {
            switch target {
            case .add(let section, let entryType):
                outcome = try await record.addEntryFromForm(section: section, entryType: entryType, values: form.filled())
            case .edit(let id):
                outcome = try await record.editEntryFromForm(id: id, values: form.filled())
            }
        } catch {
            // The core refused the whole entry; its reason may quote the record, so only a key is shown.
            outcome = .invalid(errors: [FieldError(field: "", key: "error.invalid_entry", suggestion: nil, accepted: [])])
        }
        switch outcome {
        case .saved: onSaved()
        case .invalid(let errors): form.errors = errors
        }
    }
}

/// A form error in words: the key's text with `{accepted}` (the choices, units or fields the
/// core says the field takes) filled in.
func errorText(_ e: FieldError) -> String {
    L(e.key, ["accepted": e.accepted.joined(separator: ", ")])
}
