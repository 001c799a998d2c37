import PhrFFI
import SwiftUI

/// The emergency card: the core's ready-made set of sections (allergies, medicines, blood
/// group, who to call...) as a long-term link with a QR code, kept up to date after changes.
@MainActor
struct EmergencyCardView: View {
    let record: PhrRecord
    @StateObject private var model: EmergencyCardModel
    @State private var link: SharedLink?
    @State private var problem: String?
    @State private var busy = false

    init(record: PhrRecord) {
        self.record = record
        _model = StateObject(wrappedValue: EmergencyCardModel(record: record))
    }

    /// The card's share, made now or earlier.
    private var existing: Grant? {
        if let link { return link.grant }
        if case .ready(let grant) = model.state { return grant }
        return nil
    }

    var body: some View {
        Form {
            ProblemText(problem: problem)
            SwiftUI.Section {
                Text(L("ui.emergency.explain")).font(.body)
                Text(L("ui.emergency.lock_screen")).font(.body)
            }
            if let link { ShareCodeView(link: link) }
            SwiftUI.Section {
                if existing != nil && link == nil {
                    WideButton(title: L("ui.sharing.show_code")) { Task { await show() } }
                }
                WideButton(title: L(existing == nil ? "ui.emergency.make" : "ui.emergency.update"), prominent: true) { Task { await make() } }
                    .disabled(busy)
            }
        }
        .navigationTitle(L("ui.home.emergency_card"))
        .task { await model.run() }
    }

    private func show() async {
        guard let existing else { return }
        do {
            link = try await record.sharedLink(grantId: existing.id)
        } catch {
            problem = problemText(error)
        }
    }

    private func make() async {
        busy = true
        defer { busy = false }
        problem = nil
        do {
            if let existing {
                link = try await record.updateSharedLink(grantId: existing.id)
            } else {
                let request = GrantRequest(
                    recipient: Recipient(name: L("ui.emergency.recipient"), role: L("ui.emergency.recipient"), category: .healthProfessional),
                    sections: ["emergency"], purpose: emergencyPurpose, message: nil, start: nil, expiry: nil
                )
                link = try await record.shareLink(request: request, options: ShareLinkOptions(
                    relayUrl: AppModel.relayURL, passcode: nil, longTerm: true, label: L("ui.home.emergency_card")
                ))
            }
        } catch {
            problem = problemText(error)
        }
    }
}
