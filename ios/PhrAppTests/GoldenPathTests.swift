import PhrFFI
import XCTest
@testable import PhrApp

/// The resident's golden path through the models the views draw (android/ui GoldenPathTest):
/// create a record, make the recovery key, add a medicine through the core's form, change
/// its dose, import a FIT file from the corpus, see the insights, share allergies and
/// medicines with a GP through a real relay, and stop sharing.
@MainActor
final class GoldenPathTests: XCTestCase {
    func testCreateAddImportShareRevoke() async throws {
        let (record, dir) = try freshRecord()
        defer { try? FileManager.default.removeItem(at: dir) }

        let key = try await record.createRecoveryKey()
        XCTAssertTrue(key.contains("-"), "a printable key in groups")
        let settings = try await record.settingsScreen()
        XCTAssertTrue(settings.recoveryKeyMade)

        // Add a medicine with the form the core describes.
        let form = FormModel(record: record, target: .add(section: "medications"))
        await form.reload()
        guard case .ready(let state) = form.state else { return XCTFail("no medicines form") }
        for field in state.spec.fields where field.required { state.values[field.id] = field.example }
        state.values["name"] = "Amlodipine"
        state.values["dose"] = "5 mg"
        var saved = false
        await form.save(state) { saved = true }
        XCTAssertTrue(saved, "errors: \(state.errors.map(\.key))")
        let meds = try await record.sectionScreen(section: "medications", includeRemoved: false)
        let row = try XCTUnwrap(meds.entries.first { $0.summary.contains("Amlodipine") })

        // Change the dose; the old version shows in the entry's history.
        let edit = FormModel(record: record, target: .edit(entryId: row.id))
        await edit.reload()
        guard case .ready(let editing) = edit.state else { return XCTFail("no edit form") }
        editing.values["dose"] = "10 mg"
        saved = false
        await edit.save(editing) { saved = true }
        XCTAssertTrue(saved)
        let entry = try await record.entryScreen(id: row.id)
        XCTAssertFalse(entry.history.isEmpty)

        // Import a FIT file from the corpus (bundled with the tests).
        let fit = try XCTUnwrap(Bundle(for: Self.self).url(forResource: "fitparse__Activity", withExtension: "fit"))
        let report = try await record.importFiles(paths: [fit.path], options: nil, listener: nil, cancel: nil)
        XCTAssertEqual(report.totals.failed, 0)
        let imports = try await record.importsScreen()
        XCTAssertFalse(imports.imports.isEmpty)
        _ = try await record.insightsScreen()

        // Share with a GP through a real relay (cargo run -p phr-relay -- serve; PHR_TEST_RELAY).
        guard let relay = ProcessInfo.processInfo.environment["PHR_TEST_RELAY"], !relay.isEmpty else {
            throw XCTSkip("set PHR_TEST_RELAY to a running relay to test sharing")
        }
        let allergies = try await record.formSpec(section: "allergies", entryType: nil)
        var values: [String: String] = [:]
        for field in allergies.fields where field.required { values[field.id] = field.example }
        _ = try await record.addEntryFromForm(section: "allergies", entryType: nil, values: values)
        let link = try await record.shareLink(
            request: GrantRequest(recipient: Recipient(name: "Dr Patel", role: "GP", category: .healthProfessional),
                                  sections: ["allergies", "medications"], purpose: "review", message: nil, start: nil, expiry: nil),
            options: ShareLinkOptions(relayUrl: relay, passcode: nil, longTerm: false, label: nil)
        )
        XCTAssertFalse(link.qrPng.isEmpty)
        let sharing = try await record.sharingScreen()
        XCTAssertEqual(sharing.active, 1)
        _ = try await record.revokeShare(grantId: link.grant.id)
        let after = try await record.sharingScreen()
        XCTAssertEqual(after.active, 0)
    }

    /// The notifications plan comes from the core and has words from the catalogue.
    func testNotificationsPlanHasCatalogueWords() async throws {
        let (record, dir) = try freshRecord()
        defer { try? FileManager.default.removeItem(at: dir) }
        var preferences = try await record.appPreferences()
        preferences.medicationReminders = true
        try await record.setAppPreferences(preferences: preferences)
        let plan = try await record.notificationsDue(nowMs: Int64(Date().timeIntervalSince1970 * 1000))
        for n in plan {
            XCTAssertNotEqual(L(label: n.title), n.title.key, "a notification title missing from Localizable.strings")
        }
    }
}
