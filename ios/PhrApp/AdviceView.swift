import PhrFFI
import SwiftUI

/// Ask a health professional a question, sharing the sections they need to answer it (the
/// purpose "advice"); their reply appears on the Sharing screen.
@MainActor
struct AdviceView: View {
    let record: PhrRecord
    @StateObject private var choices: ShareChoicesModel
    @State private var chosen: Set<String> = []
    @State private var name = ""
    @State private var role = ""
    @State private var question = ""
    @State private var link: SharedLink?
    @State private var problem: String?
    @State private var busy = false

    init(record: PhrRecord) {
        self.record = record
        _choices = StateObject(wrappedValue: ShareChoicesModel(record: record))
    }

    private var sections: [PhrFFI.Section] {
        if case .ready(let list) = choices.state { return list }
        return []
    }

    var body: some View {
        Form {
            ProblemText(problem: problem)
            if let link {
                ShareCodeView(link: link)
                Text(L("ui.advice.reply_where")).font(.body)
            } else {
                SwiftUI.Section {
                    Text(L("ui.advice.explain")).font(.body)
                    TextField(L("ui.share.name"), text: $name).frame(minHeight: touchTarget).accessibilityLabel(L("ui.share.name"))
                    TextField(L("ui.share.role"), text: $role).frame(minHeight: touchTarget).accessibilityLabel(L("ui.share.role"))
                    TextField(L("ui.advice.question"), text: $question, axis: .vertical)
                        .lineLimit(3...8)
                        .frame(minHeight: touchTarget)
                        .accessibilityLabel(L("ui.advice.question"))
                }
                SwiftUI.Section(L("ui.share.what")) {
                    ForEach(sections, id: \.id) { s in
                        LabelledToggle(title: s.title, isOn: chosen.contains(s.id)) { on in
                            if on { chosen.insert(s.id) } else { chosen.remove(s.id) }
                        }
                    }
                }
                SwiftUI.Section {
                    WideButton(title: L("ui.advice.send"), prominent: true) { Task { await ask() } }
                        .disabled(busy || chosen.isEmpty || question.isEmpty)
                }
            }
        }
        .navigationTitle(L("ui.sharing.ask_advice"))
        .task { await choices.run() }
    }

    private func ask() async {
        busy = true
        defer { busy = false }
        problem = nil
        let request = GrantRequest(
            recipient: Recipient(name: name, role: role, category: .healthProfessional),
            sections: Array(chosen).sorted(), purpose: "advice", message: question, start: nil,
            expiry: Date().addingTimeInterval(14 * 86_400)
        )
        do {
            link = try await record.shareLink(request: request, options: ShareLinkOptions(
                relayUrl: AppModel.relayURL, passcode: nil, longTerm: false, label: nil
            ))
        } catch {
            problem = problemText(error)
        }
    }
}
