import PhrFFI
import SwiftUI

/// Use the record on more than one phone or tablet: switch sync on, add a device by its QR
/// code (both devices then show the same six digits to compare), sync now, remove a device
/// (asked here, confirmed on another phone, or with the recovery key: ADR 0048), and bring
/// this phone back with the recovery key after it was removed.
/// A new device joins from its own onboarding ("This is an extra phone").
@MainActor
struct DevicesView: View {
    @StateObject private var model: DevicesModel
    @State private var offer: DeviceOffer?
    @State private var code: String?
    /// What the last removal did, in words (asked here / removed).
    @State private var removalNote: String?
    /// The device whose removal by recovery key is open.
    @State private var keyFor: String?
    @State private var recoveryKey = ""

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
                    if let warning = screen.warningKey {
                        Text(L(warning)).font(.body).foregroundStyle(.red)
                    }
                    if let removalNote { Text(removalNote).font(.body) }
                }
                if screen.canRecover {
                    // This phone was removed: the printed recovery key brings it back.
                    SwiftUI.Section {
                        recoveryKeyField
                        WideButton(title: L("ui.devices.recover"), prominent: true) {
                            let key = recoveryKey
                            model.perform { record in
                                _ = try await record.recoverDevice(recoveryKey: key)
                                await MainActor.run {
                                    recoveryKey = ""
                                    removalNote = L("ui.devices.recovered")
                                }
                                _ = try await record.syncNow(listener: nil, cancel: nil)
                            }
                        }
                    }
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
                            if let removalKey = device.removalKey {
                                Text(L(removalKey)).font(.body)
                            }
                            if device.active {
                                WideButton(title: L("ui.devices.remove", ["name": device.name]), role: .destructive) {
                                    remove(device)
                                }
                                if keyFor == device.id {
                                    recoveryKeyField
                                    WideButton(title: L("ui.devices.recovery_key_remove", ["name": device.name]), role: .destructive) {
                                        removeWithKey(device)
                                    }
                                } else {
                                    WideButton(title: L("ui.devices.use_recovery_key")) { keyFor = device.id }
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

    private var recoveryKeyField: some View {
        SecureField(L("ui.devices.recovery_key_field"), text: $recoveryKey)
            .frame(minHeight: touchTarget)
            .accessibilityLabel(L("ui.devices.recovery_key_field"))
    }

    /// The first phone only asks; the same tap on another phone (not the one removed) removes it.
    private func remove(_ device: DeviceRow) {
        let (id, name) = (device.id, device.name)
        model.perform { record in
            let done = try await record.removeDevice(id: id)
            await MainActor.run {
                switch done {
                case .pending: removalNote = L("ui.devices.remove_asked", ["name": name])
                case .removed: removalNote = L("ui.devices.remove_done", ["name": name])
                case .tooNew(let readyAtMs):
                    // Whole hours left, at least one: "about 5 hours".
                    let hours = max(1, Int((Double(readyAtMs) / 1000 - Date().timeIntervalSince1970 + 3599) / 3600))
                    removalNote = L("ui.devices.remove_too_new", ["hours": String(hours)])
                }
            }
        }
    }

    private func removeWithKey(_ device: DeviceRow) {
        let (id, name, key) = (device.id, device.name, recoveryKey)
        model.perform { record in
            _ = try await record.removeDeviceWithRecoveryKey(id: id, recoveryKey: key)
            await MainActor.run {
                keyFor = nil
                recoveryKey = ""
                removalNote = L("ui.devices.remove_done", ["name": name])
            }
        }
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
