import Foundation
import PhrFFI

/// Every word on screen comes from `Localizable.strings`, generated from the core's one
/// catalogue (core/strings/en.json) by tools/gen_strings.py; views never hold English.
/// Placeholders are `{name}`, filled from `args`. An unknown key comes back as itself.
func L(_ key: String, _ args: [String: String] = [:]) -> String {
    let template = Bundle.main.localizedString(forKey: key, value: key, table: nil)
    return args.reduce(template) { text, arg in text.replacingOccurrences(of: "{\(arg.key)}", with: arg.value) }
}

/// A core `Label` (a catalogue key and its arguments) in words.
func L(label: PhrFFI.Label) -> String {
    var args: [String: String] = [:]
    for arg in label.args { args[arg.name] = arg.value }
    return L(label.key, args)
}

/// Sentences of a paragraph (an alert's explanation), each a label, joined with a space.
func L(paragraph labels: [PhrFFI.Label]) -> String {
    labels.map { L(label: $0) }.joined(separator: " ")
}

/// "Nothing here yet", "1 entry", "12 entries".
func countText(_ count: UInt32) -> String {
    switch count {
    case 0: return L("ui.count.none")
    case 1: return L("ui.count.one")
    default: return L("ui.count.many", ["count": String(count)])
    }
}

/// "From your GP record", "Added by you", "Imported from Garmin".
func provenanceText(_ p: ProvenanceLabel) -> String {
    L(p.key, ["source": p.source ?? ""])
}

/// The catalogue key of a core error, for the owner. Which input is wrong, and why, is the
/// core's decision (the error names the field); the words never quote the record.
func problemKey(_ error: Error) -> String {
    guard let e = error as? PhrError else { return "ui.problem.unknown" }
    switch e {
    case .WrongKey: return "ui.problem.wrong_key"
    case .KeyStoreUnavailable: return "ui.problem.keychain_locked"
    case .NoRecord: return "ui.problem.no_record"
    case .RecordExists: return "ui.problem.record_exists"
    case .InvalidInput(let field) where field == "sections": return "ui.problem.sections"
    case .InvalidInput(let field) where field == "passcode": return "ui.problem.passcode"
    case .InvalidInput(let field) where field == "already_answered": return "error.already_answered"
    case .InvalidInput(let field) where field == "no_reply": return "error.no_reply"
    case .InvalidInput(let field) where field == "answer": return "ui.sharing.need_answer"
    case .InvalidInput(let field) where field.hasPrefix("recovery"): return "ui.devices.wrong_recovery_key"
    case .InvalidInput: return "ui.problem.check_input"
    case .NotFound: return "ui.problem.not_found"
    case .ReadOnly: return "ui.problem.read_only"
    case .Corrupt: return "ui.problem.corrupt"
    case .Storage: return "ui.problem.storage"
    case .Incompatible: return "ui.problem.incompatible"
    case .Cancelled: return "ui.problem.cancelled"
    case .Network: return "ui.problem.network"
    case .Denied: return "ui.problem.denied"
    case .Internal: return "ui.problem.internal"
    }
}

func problemText(_ error: Error) -> String { L(problemKey(error)) }
