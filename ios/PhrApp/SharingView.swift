import PhrFFI
import SwiftUI

/// Who can see my record: every share as the core describes it (to whom, which sections,
/// why, until when, how often opened, wrong passcodes, replies and the owner's one answer),
/// with Show the code, Update, Stop, Let them try the passcode again and an answer box
/// under a reply. The relay is contacted only from
/// these buttons.
@MainActor
struct SharingView: View {
    @StateObject private var model: SharingModel
    @State private var link: SharedLink?

    init(record: PhrRecord) {
        _model = StateObject(wrappedValue: SharingModel(record: record))
    }

    var body: some View {
        Loaded(state: model.state, retry: model.reload) { screen in
            List {
                ProblemText(problem: model.problem)
                if let link { ShareCodeView(link: link) }
                SwiftUI.Section {
                    RouteLink(title: L("ui.sharing.new"), route: .newShare)
                    RouteLink(title: L("ui.home.emergency_card"), route: .emergencyCard)
                    RouteLink(title: L("ui.sharing.ask_advice"), route: .advice)
                    WideButton(title: L("ui.sharing.refresh")) {
                        model.perform { record in _ = try await record.refreshShares() }
                    }
                }
                SwiftUI.Section(L("ui.sharing.list", ["count": String(screen.active)])) {
                    if screen.grants.isEmpty { Text(L("ui.sharing.none")).font(.body) }
                    ForEach(screen.grants, id: \.id) { row in GrantRowView(row: row, model: model, link: $link) }
                }
            }
        }
        .navigationTitle(L("ui.tab.sharing"))
        .task { await model.run() }
    }
}

@MainActor
private struct GrantRowView: View {
    let row: GrantRow
    @ObservedObject var model: SharingModel
    @Binding var link: SharedLink?

    var body: some View {
        VStack(alignment: .leading, spacing: 6) {
            Text(L("ui.sharing.with", ["name": row.recipient, "role": row.role])).font(.headline)
            Text(L(row.categoryKey)).font(.subheadline)
            Text(L("ui.sharing.sections", ["sections": row.sections.joined(separator: ", ")])).font(.body)
            Text(L("ui.sharing.purpose", ["purpose": row.purpose])).font(.body)
            if let question = row.question { Text(L("ui.sharing.question", ["question": question])).font(.body) }
            Text(L(row.statusKey) + ". " + L(label: row.expiryLabel)).font(.subheadline)
            Text(L("ui.sharing.openings", ["count": String(row.openings)])).font(.subheadline)
            if let wrong = row.wrongPasscodesLabel { Text(L(label: wrong)).font(.body) }
            if let owed = row.updateOwedLabel { Text(L(label: owed)).font(.body) }
            ForEach(Array(row.replies.enumerated()), id: \.offset) { _, reply in
                Text(L("ui.sharing.reply", ["from": reply.from, "date": reply.at, "text": reply.text])).font(.body)
            }
            if let answer = row.answer {
                Text(L("ui.sharing.answered", ["date": answer.at, "text": answer.text])).font(.body)
            }
        }
        .accessibilityElement(children: .combine)
        if row.canAnswer { AnswerBox(row: row, model: model) }
        if row.canResetPasscodeTries {
            WideButton(title: L("ui.sharing.let_try_again")) {
                let id = row.id
                model.perform { record in _ = try await record.resetPasscodeTries(grantId: id) }
            }
            .accessibilityLabel(L("ui.sharing.let_try_again_with", ["name": row.recipient]))
        }
        if row.hasLink && row.canRevoke {
            WideButton(title: L("ui.sharing.show_code")) {
                let id = row.id
                model.perform { record in
                    let shown = try await record.sharedLink(grantId: id)
                    await MainActor.run { link = shown }
                }
            }
            WideButton(title: L("ui.sharing.update")) {
                let id = row.id
                model.perform { record in
                    let updated = try await record.updateSharedLink(grantId: id)
                    await MainActor.run { link = updated }
                }
            }
        }
        if row.canRevoke {
            WideButton(title: L("ui.sharing.stop", ["name": row.recipient]), role: .destructive) {
                let id = row.id
                let byLink = row.hasLink
                model.perform { record in
                    if byLink { _ = try await record.revokeShare(grantId: id) } else { _ = try await record.revokeGrant(id: id) }
                    await MainActor.run { if link?.grant.id == id { link = nil } }
                }
            }
        }
    }
}

/// The owner's one answer to a reply: gone once sent (the core then shows the answer instead).
@MainActor
private struct AnswerBox: View {
    let row: GrantRow
    @ObservedObject var model: SharingModel
    @State private var draft = ""

    var body: some View {
        Text(L("ui.sharing.answer_once")).font(.body)
        TextField(L("ui.sharing.answer"), text: $draft, axis: .vertical)
            .lineLimit(3...8)
            .frame(minHeight: touchTarget)
            .accessibilityLabel(L("ui.sharing.answer"))
        WideButton(title: L("ui.sharing.answer_send")) {
            let id = row.id
            let text = draft.trimmingCharacters(in: .whitespacesAndNewlines)
            model.perform { record in _ = try await record.answerReply(grantId: id, text: text) }
        }
        .accessibilityLabel(L("ui.sharing.answer_send_to", ["name": row.recipient]))
    }
}

/// The QR code of a share and what to tell the person who scans it.
@MainActor
struct ShareCodeView: View {
    let link: SharedLink

    var body: some View {
        SwiftUI.Section(L("ui.share.code_title")) {
            if let image = UIImage(data: link.qrPng) {
                Image(uiImage: image)
                    .interpolation(.none)
                    .resizable()
                    .scaledToFit()
                    .accessibilityLabel(L("ui.share.code_spoken", ["name": link.grant.recipient.name]))
            }
            Text(L(link.passcodeRequired ? "ui.share.scan_then_passcode" : "ui.share.scan")).font(.body)
            ShareLink(item: link.shlink) { Text(L("ui.share.send_link")).font(.headline).frame(minHeight: touchTarget) }
                .accessibilityLabel(L("ui.share.send_link"))
        }
    }
}
