import PhrFFI
import SwiftUI

/// Use the record on more than one phone or tablet: switch sync on, add a device by its QR
/// code (both devices then show the same six digits to compare), sync now, remove a device.
/// A new device joins from its own onboarding ("This is an extra phone").
@MainActor
struct DevicesView: View {
    @StateObject private var model: DevicesModel
    @State private var offer: DeviceOffer?
    @State private var code: String?

    init(record: PhrRecord) {
        _model = StateObject(wrappedValue: DevicesModel(record: record))
    }

    var body: some View {
        Loaded(state: model.state, retry: model.reload) { screen in
            List {
                ProblemText(problem: model.problem)
                SwiftUI.Section {
                    Text(L(screen.hintKey)).font(.body)
                    Text(L(label: screen.lastSyncLabel)).font(.subheadline)
                }
                if !screen.syncSetUp {
                    WideButton(title: L("ui.devices.set_up"), prominent: true) {
                        let label = UIDevice.current.name
                        model.perform { record in _ = try await record.syncStart(relayUrl: AppModel.relayURL, label: label) }
                    }
                } else {
                    if let device = screen.thisDevice {
                        SwiftUI.Section(L("ui.devices.this_one")) { DeviceRowView(row: device) }
                    }
                    SwiftUI.Section(L("ui.devices.others")) {
                        ForEach(screen.others, id: \.id) { device in
                            DeviceRowView(row: device)
                            if device.active {
                                WideButton(title: L("ui.devices.remove", ["name": device.name]), role: .destructive) {
                                    let id = device.id
                                    model.perform { record in _ = try await record.removeDevice(id: id) }
                                }
                            }
                        }
                    }
                    SwiftUI.Section {
                        WideButton(title: L("ui.devices.sync_now"), prominent: true) {
                            model.perform { record in _ = try await record.syncNow(listener: nil, cancel: nil) }
                        }
                        if let offer, let svg = try? offer.qrSvg() {
                            Text(L("ui.devices.scan_this")).font(.body)
                            SVGView(svg: svg)
                                .aspectRatio(1, contentMode: .fit)
                                .accessibilityLabel(L("ui.devices.qr_spoken"))
                        }
                        if let code, let answered = offer {
                            // Nothing has been sent to the other phone yet: only a match sends the keys.
                            Text(L("ui.devices.check", ["code": code])).font(.title2)
                            WideButton(title: L("ui.devices.match"), prominent: true) {
                                model.perform { record in _ = try await record.deviceConfirm(offer: answered) }
                                self.code = nil
                                self.offer = nil
                            }
                            WideButton(title: L("ui.devices.no_match")) {
                                self.code = nil
                                self.offer = nil
                            }
                        }
                        WideButton(title: L("ui.devices.add")) { addDevice() }
                    }
                }
            }
        }
        .navigationTitle(L("ui.devices.title"))
        .task { await model.run() }
    }

    /// Shows the code, then waits (up to five minutes) for the new device to answer.
    private func addDevice() {
        code = nil
        model.perform { record in
            let shown = try await record.deviceOffer()
            await MainActor.run { offer = shown }
            let added = try await record.deviceApprove(offer: shown, timeoutS: 300)
            await MainActor.run {
                // The offer stays until the owner says whether the codes match.
                if added == nil { offer = nil }
                code = added?.confirmationCode
            }
        }
    }
}

@MainActor
private struct DeviceRowView: View {
    let row: DeviceRow

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            if let removed = row.removed {
                Text(L("ui.devices.removed", ["name": row.name, "date": removed])).font(.body)
            } else {
                Text(L("ui.devices.other", ["name": row.name, "date": row.added])).font(.body)
            }
        }
        .accessibilityElement(children: .combine)
    }
}
