import PhrFFI
import XCTest
@testable import PhrApp

/// Every screen's model loads from the demo record (android/ui ScreensRenderTest's list):
/// what each SwiftUI view draws exists and is not empty where the demo has data.
@MainActor
final class ScreenModelsTests: XCTestCase {
    func testEveryScreenModelLoadsFromTheDemoRecord() async throws {
        let (record, dir) = try await demoRecord()
        defer { try? FileManager.default.removeItem(at: dir) }

        // (XCTest's assertions take autoclosures, which cannot await: load first.)
        let loadedHome = await loaded(HomeModel(record: record))
        let home = try XCTUnwrap(loadedHome)
        XCTAssertFalse(home.sections.isEmpty)
        let first = try XCTUnwrap(home.sections.first { $0.count > 0 })
        let loadedSection = await loaded(SectionModel(record: record, sectionId: first.id))
        let section = try XCTUnwrap(loadedSection)
        XCTAssertEqual(section.title, first.title)
        let row = try XCTUnwrap(section.entries.first)
        let loadedEntry = await loaded(EntryModel(record: record, entryId: row.id))
        let entry = try XCTUnwrap(loadedEntry)
        XCTAssertFalse(entry.actions.isEmpty)

        let insights = await loaded(InsightsModel(record: record))
        XCTAssertNotNil(insights)
        let sharing = await loaded(SharingModel(record: record))
        XCTAssertNotNil(sharing)
        let devices = await loaded(DevicesModel(record: record))
        XCTAssertNotNil(devices)
        let imports = await loaded(ImportsModel(record: record))
        XCTAssertNotNil(imports)
        let loadedSettings = await loaded(SettingsModel(record: record))
        let settings = try XCTUnwrap(loadedSettings)
        let loadedPrivacy = await loaded(PrivacyModel(record: record))
        let privacy = try XCTUnwrap(loadedPrivacy)
        XCTAssertEqual(privacy.map(\.id), settings.screen.sections.map(\.id))
    }

    /// Every form of every section the owner may add to comes from the core and loads.
    func testEveryAddFormLoadsFromTheCore() async throws {
        let (record, dir) = try await demoRecord()
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = try await record.homeScreen()
        for card in home.sections {
            let screen = try await record.sectionScreen(section: card.id, includeRemoved: false)
            guard screen.canAdd else { continue }
            let model = FormModel(record: record, target: .add(section: card.id))
            await model.reload()
            guard case .ready(let form) = model.state else { return XCTFail("no form for \(card.id)") }
            XCTAssertFalse(form.spec.fields.isEmpty, card.id)
        }
    }

    /// The screen reloads by itself after a change: the RecordChanges stream drives it.
    func testAScreenReloadsAfterAChange() async throws {
        let (record, dir) = try freshRecord()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = SectionModel(record: record, sectionId: "allergies")
        let watcher = Task { await model.run() }
        defer { watcher.cancel() }
        let spec = try await record.formSpec(section: "allergies", entryType: nil)
        var values: [String: String] = [:]
        for field in spec.fields where field.required { values[field.id] = field.example }
        guard case .saved = try await record.addEntryFromForm(section: "allergies", entryType: nil, values: values) else {
            return XCTFail("the core refused its own examples")
        }
        for _ in 0..<50 {
            if case .ready(let screen) = model.state, !screen.entries.isEmpty { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        XCTFail("the section did not reload after the change")
    }
}
