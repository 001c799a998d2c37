import PhrFFI
import SwiftUI
import UIKit

/// "Who can see my record": share chosen sections as a QR code for a purpose and a time,
/// see every share and who opened it, take any share back. Mirrors android/shared's
/// SharingModel; every rule is the core's. The relay is contacted only from these buttons.
struct SharingView: View {
    @EnvironmentObject var store: RecordStore
    @State private var grants: [Grant] = []
    @State private var history: [AuditEvent] = []
    @State private var choices: [PhrFFI.Section] = []
    @State private var link: SharedLink?
    @State private var message: String?
    @State private var busy = false

    @State private var name = ""
    @State private var role = ""
    @State private var category = RecipientCategory.healthProfessional
    @State private var purpose = ""
    @State private var days = "7"
    @State private var passcode = ""
    @State private var chosen: Set<String> = []

    var body: some View {
        List {
            if let message { Text(message).foregroundStyle(.red) }
            if let link, let image = UIImage(data: link.qrPng) {
                SwiftUI.Section {
                    Image(uiImage: image).interpolation(.none).resizable().scaledToFit().frame(maxWidth: 240)
                    Text(link.passcodeRequired ? "Let them scan this, then tell them the passcode yourself." : "Let them scan this.")
                }
            }
            SwiftUI.Section("Share with someone") {
                TextField("Their name", text: $name)
                TextField("Who they are (GP, physio, daughter...)", text: $role)
                Picker("They are", selection: $category) {
                    Text("Health professional").tag(RecipientCategory.healthProfessional)
                    Text("Family or carer").tag(RecipientCategory.familyOrCarer)
                    Text("Social care").tag(RecipientCategory.socialCare)
                    Text("Other organisation").tag(RecipientCategory.otherOrganisation)
                    Text("Employer").tag(RecipientCategory.employer)
                    Text("Insurer").tag(RecipientCategory.insurer)
                }
                TextField("What for", text: $purpose)
                ForEach(choices, id: \.id) { s in
                    Toggle(s.privacy == .sensitive ? "\(s.title) (sensitive)" : s.title, isOn: Binding(
                        get: { chosen.contains(s.id) },
                        set: { on in if on { chosen.insert(s.id) } else { chosen.remove(s.id) } }))
                }
                TextField("For how many days (empty: until I stop it)", text: $days).keyboardType(.numberPad)
                SecureField("Passcode they must type (optional)", text: $passcode)
                Button("Make a QR code") { Task { await share() } }.disabled(busy || chosen.isEmpty)
            }
            SwiftUI.Section("Who can see what") {
                if grants.isEmpty { Text("You have not shared anything.") }
                ForEach(grants, id: \.id) { g in
                    VStack(alignment: .leading) {
                        Text("\(g.recipient.name) (\(g.recipient.role))")
                        Text("\(g.purpose): \(g.sections.joined(separator: ", "))").font(.caption)
                        Text(status(g)).font(.caption).foregroundStyle(.secondary)
                        if g.status == .active {
                            HStack {
                                if g.sharedByLink {
                                    Button("QR") { link = try? store.record?.sharedLink(grantId: g.id) }
                                    Button("Update") { Task { await attempt { link = try await store.record?.updateSharedLink(grantId: g.id) } } }.disabled(busy)
                                }
                                Button("Stop sharing", role: .destructive) { Task { await revoke(g) } }.disabled(busy)
                            }.buttonStyle(.borderless)
                        }
                    }
                }
            }
            SwiftUI.Section("History") {
                ForEach(history, id: \.seq) { e in
                    VStack(alignment: .leading) {
                        Text(line(e))
                        Text(e.at.formatted(date: .abbreviated, time: .shortened)).font(.caption).foregroundStyle(.secondary)
                    }
                }
            }
        }
        .navigationTitle("Sharing")
        .toolbar { Button("Who opened it?") { Task { await refresh() } }.disabled(busy) }
        .task { await reload() }
    }

    private func reload() async {
        guard let record = store.record else { return }
        do {
            choices = try await record.sections().filter { $0.enabled && $0.privacy != .private }
            grants = try await record.grants().reversed()
            history = try await record.auditLog().reversed()
        } catch { message = RecordStore.message(for: error) }
    }

    private func attempt(_ work: () async throws -> Void) async {
        busy = true
        message = nil
        do { try await work() } catch { message = RecordStore.message(for: error) }
        busy = false
        await reload()
    }

    private func share() async {
        await attempt {
            let expiry = Int(days).map { Date().addingTimeInterval(Double($0) * 86_400) }
            let request = GrantRequest(recipient: Recipient(name: name, role: role, category: category), sections: Array(chosen), purpose: purpose, expiry: expiry)
            link = try await store.record?.shareLink(request: request, options: ShareLinkOptions(relayUrl: store.relayURL, passcode: passcode.isEmpty ? nil : passcode))
        }
    }

    private func revoke(_ g: Grant) async {
        await attempt {
            if g.sharedByLink { _ = try await store.record?.revokeShare(grantId: g.id) } else { _ = try await store.record?.revokeGrant(id: g.id) }
            if link?.grant.id == g.id { link = nil }
        }
    }

    private func refresh() async {
        await attempt { _ = try await store.record?.refreshShares() }
    }

    private func status(_ g: Grant) -> String {
        switch g.status {
        case .active: return g.expiry.map { "Active until \($0.formatted(date: .abbreviated, time: .omitted))" } ?? "Active until you stop it"
        case .notYetValid: return "Starts \(g.start.formatted(date: .abbreviated, time: .omitted))"
        case .expired: return "Expired"
        case .revoked: return "Revoked"
        }
    }

    private func line(_ e: AuditEvent) -> String {
        switch e.action {
        case .remoteFetch: return "\(e.actor) opened your shared record"
        case .remoteRefused: return "\(e.actor) was refused"
        case .read: return "Prepared \(e.sections.joined(separator: ", ")) for \(e.actor)"
        case .grantCreated: return "You shared \(e.sections.joined(separator: ", ")) with \(e.actor)"
        case .grantRevoked: return "You stopped sharing with \(e.actor)"
        case .replyReceived: return "\(e.actor) replied"
        case .denied: return "A request from \(e.actor) was refused"
        }
    }
}
