import PhrFFI
import XCTest
@testable import PhrApp

/// The app's Localizable.strings is the core's catalogue: every key holds the core's text.
final class StringsTests: XCTestCase {
    func testLocalizableStringsMatchTheCoreCatalogue() throws {
        let path = try XCTUnwrap(Bundle.main.path(forResource: "Localizable", ofType: "strings"))
        let table = try XCTUnwrap(NSDictionary(contentsOfFile: path) as? [String: String])
        XCTAssertGreaterThan(table.count, 200)
        for (key, text) in table {
            XCTAssertEqual(text, catalogueText(key: key), key)
        }
    }

    func testPlaceholdersAreFilled() {
        XCTAssertEqual(L("ui.home.open_section", ["section": "Allergies"]), catalogueText(key: "ui.home.open_section")
            .replacingOccurrences(of: "{section}", with: "Allergies"))
    }
}
