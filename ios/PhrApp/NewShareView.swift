import PhrFFI
import SwiftUI

/// Share chosen sections with someone: who they are (and what kind of person or body), why,
/// for how long, an optional passcode. Before anything goes to an employer or an insurer the
/// owner reads the core's preview (what it reveals, why they may not require it) and confirms. The core refuses private sections, and
/// sensitive ones for employers and insurers. Then the QR code to show them.
@MainActor
struct NewShareView: View {
    let record: PhrRecord
    @StateObject private var choices: ShareChoicesModel
    @State private var chosen: Set<String> = []
    @State private var name = ""
    @State private var role = ""
    @State private var category = RecipientCategory.healthProfessional
    @State private var purpose = ""
    @State private var days = 30
    @State private var passcode = ""
    @State private var warning = false
    /// The core's preview of what an employer or insurer share would reveal.
    @State private var preview: SharePreview?
    @State private var busy = false
    @State private var problem: String?
    @State private var link: SharedLink?

    static let categories: [(RecipientCategory, String)] = [
        (.healthProfessional, "recipient.health_professional"),
        (.familyOrCarer, "recipient.family_or_carer"),
        (.socialCare, "recipient.social_care"),
        (.otherOrganisation, "recipient.other_organisation"),
        (.employer, "recipient.employer"),
        (.insurer, "recipient.insurer"),
    ]

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
            } else {
                SwiftUI.Section(L("ui.share.who")) {
                    TextField(L("ui.share.name"), text: $name).frame(minHeight: touchTarget).accessibilityLabel(L("ui.share.name"))
                    TextField(L("ui.share.role"), text: $role).frame(minHeight: touchTarget).accessibilityLabel(L("ui.share.role"))
                    Picker(L("ui.share.category"), selection: $category) {
                        ForEach(Self.categories, id: \.1) { Text(L($0.1)).tag($0.0) }
                    }
                    .frame(minHeight: touchTarget)
                    .accessibilityLabel(L("ui.share.category"))
                    if category == .employer || category == .insurer {
                        Text(L("ui.share.employer_warning")).font(.body).foregroundStyle(.red)
                    }
                }
                SwiftUI.Section(L("ui.share.what")) {
                    ForEach(sections, id: \.id) { s in
                        LabelledToggle(title: s.title, isOn: chosen.contains(s.id)) { on in
                            if on { chosen.insert(s.id) } else { chosen.remove(s.id) }
                        }
                    }
                }
                SwiftUI.Section(L("ui.share.why")) {
                    TextField(L("ui.share.purpose"), text: $purpose).frame(minHeight: touchTarget).accessibilityLabel(L("ui.share.purpose"))
                    Picker(L("ui.share.how_long"), selection: $days) {
                        Text(L("ui.chart.days", ["days": "1"])).tag(1)
                        Text(L("ui.chart.days", ["days": "7"])).tag(7)
                        Text(L("ui.chart.days", ["days": "30"])).tag(30)
                        Text(L("ui.share.until_stopped")).tag(0)
                    }
                    .frame(minHeight: touchTarget)
                    .accessibilityLabel(L("ui.share.how_long"))
                    SecureField(L("ui.share.passcode"), text: $passcode).frame(minHeight: touchTarget).accessibilityLabel(L("ui.share.passcode"))
                }
                SwiftUI.Section {
                    WideButton(title: L("ui.share.make_code"), prominent: true) {
                        if category == .employer || category == .insurer { Task { await showPreview() } } else { Task { await share(confirmed: false) } }
                    }
                    .disabled(busy || chosen.isEmpty)
                }
            }
        }
        .navigationTitle(L("ui.sharing.new"))
        .task { await choices.run() }
        .alert(L("ui.share.warning_title"), isPresented: $warning) {
            // Going on is the owner's explicit confirmation: the core refuses the share without it.
            Button(L("share.preview.confirm"), role: .destructive) { Task { await share(confirmed: true) } }
            Button(L("ui.newshare.warning_back"), role: .cancel) {}
        } message: {
            Text(L("ui.newshare.warning_body") + "\n\n" + L(paragraph: preview?.lines ?? []))
        }
    }

    private func request(confirmed: Bool) -> GrantRequest {
        let expiry = days == 0 ? nil : Date().addingTimeInterval(Double(days) * 86_400)
        return GrantRequest(
            recipient: Recipient(name: name, role: role, category: category),
            sections: Array(chosen).sorted(), purpose: purpose, message: nil, start: nil, expiry: expiry,
            entries: [], includeTracks: false, confirmed: confirmed
        )
    }

    /// What the share would reveal and why they may not require it, from the core, then the question.
    private func showPreview() async {
        problem = nil
        do {
            preview = try await record.sharePreview(request: request(confirmed: false))
            warning = true
        } catch {
            problem = problemText(error)
        }
    }

    private func share(confirmed: Bool) async {
        busy = true
        defer { busy = false }
        problem = nil
        do {
            link = try await record.shareLink(request: request(confirmed: confirmed), options: ShareLinkOptions(
                relayUrl: AppModel.relayURL, passcode: passcode.isEmpty ? nil : passcode, longTerm: false, label: nil
            ))
        } catch {
            problem = problemText(error)
        }
    }
}
