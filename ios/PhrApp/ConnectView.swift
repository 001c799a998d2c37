import PhrFFI
import SwiftUI

/// Bring data in from elsewhere, each only when the owner presses its button: the GP record
/// (SMART on FHIR sign-in, then a pull), Strava (sign-in, then a sync), and Apple Health
/// (only the groups switched on here).
@MainActor
struct ConnectView: View {
    let record: PhrRecord
    @StateObject private var model: ConnectModel
    @State private var gpAddress = ""
    @State private var message: String?
    @State private var problem: String?
    @State private var busy = false
    @State private var signIn = WebSignIn()
    @AppStorage("health.groups") private var chosenGroups = ""

    init(record: PhrRecord) {
        self.record = record
        _model = StateObject(wrappedValue: ConnectModel(record: record))
    }

    /// Strava's state as the core last said (connected or not).
    private var strava: StravaStatus? {
        if case .ready(let status) = model.state { return status }
        return nil
    }

    private var groups: Set<HealthGroup> {
        Set(chosenGroups.split(separator: ",").compactMap { HealthGroup(rawValue: String($0)) })
    }

    /// The app's Strava registration (Info.plist); Strava is offered only when it is set.
    private var stravaApp: StravaApp? {
        guard let id = Bundle.main.object(forInfoDictionaryKey: "PhrStravaClientId") as? String, !id.isEmpty,
              let secret = Bundle.main.object(forInfoDictionaryKey: "PhrStravaClientSecret") as? String
        else { return nil }
        return StravaApp(clientId: id, clientSecret: secret, baseUrl: nil)
    }

    var body: some View {
        Form {
            ProblemText(problem: problem)
            if let message { Text(message).font(.body).accessibilityLabel(message) }
            SwiftUI.Section(L("ui.connect.gp_title")) {
                Text(L("ui.connect.gp_explain")).font(.body)
                TextField(L("ui.connect.gp_address"), text: $gpAddress)
                    .keyboardType(.URL)
                    .textInputAutocapitalization(.never)
                    .autocorrectionDisabled()
                    .frame(minHeight: touchTarget)
                    .accessibilityLabel(L("ui.connect.gp_address"))
                WideButton(title: L("ui.connect.gp_connect"), prominent: true) { run(connectGP) }
            }
            if let app = stravaApp {
                SwiftUI.Section(L("ui.connect.strava_title")) {
                    Text(L(strava?.connected == true ? "ui.connect.strava_connected" : "ui.connect.strava_explain")).font(.body)
                    if strava?.connected == true {
                        WideButton(title: L("ui.connect.strava_sync"), prominent: true) { run { try await syncStrava(app) } }
                    } else {
                        WideButton(title: L("ui.connect.strava_connect"), prominent: true) { run { try await connectStrava(app) } }
                    }
                }
            }
            if HealthKitReader.available {
                SwiftUI.Section(L("ui.connect.health_title")) {
                    Text(L("ui.connect.health_explain")).font(.body)
                    ForEach(HealthGroup.allCases, id: \.self) { group in
                        LabelledToggle(title: L(group.key), isOn: groups.contains(group)) { on in
                            var set = groups
                            if on { set.insert(group) } else { set.remove(group) }
                            chosenGroups = set.map(\.rawValue).sorted().joined(separator: ",")
                        }
                    }
                    WideButton(title: L("ui.connect.health_read"), prominent: true) { run(readHealth) }
                        .disabled(groups.isEmpty)
                }
            }
        }
        .disabled(busy)
        .navigationTitle(L("ui.connect.title"))
        .task { await model.run() }
    }

    private func run(_ work: @escaping () async throws -> Void) {
        Task {
            busy = true
            problem = nil
            message = nil
            do { try await work() } catch { problem = problemText(error) }
            busy = false
        }
    }

    private func connectGP() async throws {
        let session = try await record.smartBegin(baseUrl: gpAddress, redirectUri: WebSignIn.scheme + ":/smart")
        guard let url = URL(string: session.authorizeUrl()) else { return }
        let redirect = try await signIn.run(url)
        _ = try await record.smartFinish(session: session, redirectUrl: redirect.absoluteString)
        let pulled = try await record.fhirPull(force: false)
        message = L("ui.connect.gp_done", ["count": String(pulled.resources)])
    }

    private func connectStrava(_ app: StravaApp) async throws {
        let state = UUID().uuidString
        let redirectUri = WebSignIn.scheme + "://strava"
        guard let url = URL(string: try stravaAuthorizeUrl(app: app, redirectUri: redirectUri, state: state)) else { return }
        let redirect = try await signIn.run(url)
        _ = try await record.stravaConnect(app: app, redirectUrl: redirect.absoluteString, state: state)
        await model.reload()
        try await syncStrava(app)
    }

    private func syncStrava(_ app: StravaApp) async throws {
        let report = try await record.stravaSync(app: app, streams: false, listener: nil, cancel: nil)
        message = L("ui.connect.strava_done", ["count": String(report.activitiesAdded)])
    }

    private func readHealth() async throws {
        let report = try await HealthKitReader().read(groups: groups, days: 90, into: record)
        message = L("ui.connect.health_done", ["readings": String(report.samplesAdded), "activities": String(report.activitiesAdded)])
    }
}
