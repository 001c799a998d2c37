import PhrFFI
import XCTest

/// The resident's path through the real app (android/ui GoldenPathTest): onboarding with
/// the recovery key, Medicines, Add, fill the core's form by its labels, Save, the new
/// medicine in the list; and no network call until the owner asks for one.
final class GoldenPathUITests: XCTestCase {
    func testAddAMedicineThroughTheForm() throws {
        let counter = try ConnectionCounter()
        let app = XCUIApplication.onboarded(relay: counter.url)

        // The medicines form as the core describes it, read from a scratch record here.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let scratch = try PhrRecord.create(path: dir.appendingPathComponent("record.phr").path, keystore: ScratchKeyStore())
        let spec = try awaitResult { try await scratch.formSpec(section: "medications", entryType: nil) }
        let title = try awaitResult { try await scratch.sectionScreen(section: "medications", includeRemoved: false).title }

        app.button(T("ui.home.open_section", ["section": title])).tap()
        app.button(T("ui.section.add_to", ["section": title])).tap()
        for field in spec.fields where field.required || field.id == "name" || field.id == "dose" {
            let name = field.label ?? T(field.labelKey)
            let label = field.required ? name : T("ui.form.optional", ["label": name])
            let input = app.textFields[label]
            for _ in 0..<12 where !(input.exists && input.isHittable) { app.swipeUp() }
            XCTAssertTrue(input.waitForExistence(timeout: 10), label)
            input.tap()
            input.typeText(field.id == "name" ? "Amlodipine" : field.id == "dose" ? "5 mg" : field.example)
        }
        app.button(T("ui.form.save")).tap()
        let row = app.buttons.containing(NSPredicate(format: "label CONTAINS %@", "Amlodipine")).firstMatch
        XCTAssertTrue(row.waitForExistence(timeout: 10))
        XCTAssertEqual(counter.count, 0, "the app used the network before the owner asked")
    }

    /// Walk every tab: nothing calls the relay. Then ask (See who opened my shares): it does.
    func testNoNetworkUntilTheOwnerAsks() throws {
        let counter = try ConnectionCounter()
        let app = XCUIApplication.onboarded(relay: counter.url)
        for tab in ["ui.tab.insights", "ui.tab.sharing", "ui.tab.settings", "ui.tab.home"] { app.tab(tab) }
        app.tab("ui.tab.settings")
        app.button(T("ui.devices.title")).tap()
        sleep(2)
        XCTAssertEqual(counter.count, 0, "the app used the network before the owner asked")

        app.tab("ui.tab.sharing")
        app.button(T("ui.sharing.refresh")).tap()
        let asked = expectation(for: NSPredicate { _, _ in counter.count > 0 }, evaluatedWith: nil)
        wait(for: [asked], timeout: 20)
    }
}

/// The scratch record's key store (it never leaves the test).
private final class ScratchKeyStore: KeyStore, @unchecked Sendable {
    func wrap(dataKey: Data) throws -> Data { dataKey }
    func unwrap(wrapped: Data) throws -> Data { wrapped }
}

/// Holds an async call's result for the waiting test thread (set once, then read once).
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}

/// Runs an async call from a synchronous UI test.
private func awaitResult<T>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let box = ResultBox<T>()
    Task.detached {
        do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try XCTUnwrap(box.result).get()
}
