import PhrFFI
import SwiftUI

/// The emergency card: the core's ready-made set of sections (allergies, medicines, blood
/// group, who to call...) as a long-term link with a QR code, kept up to date after changes.
@MainActor
struct EmergencyCardView: View {
    let record: PhrRecord
    @State private var link: SharedLink?
    @State private var problem: String?
    @State private var busy = false

    var body: some View {
        Form {
            ProblemText(problem: problem)
            SwiftUI.Section {
                Text(L("ui.emergency.explain")).font(.body)
                Text(L("ui.emergency.lock_screen")).font(.body)
            }
            if let link { ShareCodeView(link: link) }
            SwiftUI.Section {
                WideButton(title: L(link == nil ? "ui.emergency.make" : "ui.emergency.update"), prominent: true) { Task { await make() } }
                    .disabled(busy)
            }
        }
        .navigationTitle(L("ui.home.emergency_card"))
    }

    private func make() async {
        busy = true
        defer { busy = false }
        problem = nil
        do {
            if let existing = link {
                link = try await record.updateSharedLink(grantId: existing.grant.id)
            } else {
                let request = GrantRequest(
                    recipient: Recipient(name: L("ui.emergency.recipient"), role: L("ui.emergency.recipient"), category: .healthProfessional),
                    sections: ["emergency"], purpose: L("ui.home.emergency_card"), message: nil, start: nil, expiry: nil
                )
                link = try await record.shareLink(request: request, options: ShareLinkOptions(
                    relayUrl: AppModel.relayURL, passcode: nil, longTerm: true, label: nil
                ))
            }
        } catch {
            problem = problemText(error)
        }
    }
}
