import XCTest

/// Apple's accessibility audit (labels, contrast, Dynamic Type clipping, hit targets) on
/// every screen reachable from the tabs, at the default and the largest text size
/// (android/ui AccessibilityTest: the semantics walk and font scale 2).
final class AccessibilityAuditTests: XCTestCase {
    private let screens: [(tab: String, link: String?)] = [
        ("ui.tab.home", nil), ("ui.tab.home", "ui.home.emergency_card"), ("ui.tab.home", "ui.home.import"),
        ("ui.tab.home", "ui.home.connect"), ("ui.tab.home", "ui.home.custom_section"),
        ("ui.tab.insights", nil), ("ui.tab.sharing", nil), ("ui.tab.sharing", "ui.sharing.new"),
        ("ui.tab.sharing", "ui.sharing.ask_advice"), ("ui.tab.settings", nil), ("ui.tab.settings", "ui.privacy.title"),
        ("ui.tab.settings", "ui.devices.title"), ("ui.tab.settings", "ui.backup.title"),
    ]

    func testOnboardingPassesTheAudit() throws {
        let app = XCUIApplication()
        app.launchArguments = ["--ui-testing"]
        app.launch()
        XCTAssertTrue(app.buttons[T("ui.onboarding.create")].waitForExistence(timeout: 20))
        try app.performAccessibilityAudit()
    }

    func testEveryScreenPassesTheAudit() throws {
        try audit(largeText: false)
    }

    func testEveryScreenPassesTheAuditWithTheLargestText() throws {
        try audit(largeText: true)
    }

    private func audit(largeText: Bool) throws {
        let counter = try ConnectionCounter()
        let app = XCUIApplication.onboarded(relay: counter.url)
        if largeText {
            // Dynamic Type at the largest accessibility size (launch argument of UIKit).
            app.terminate()
            app.launchArguments = ["-UIPreferredContentSizeCategoryName", "UICTContentSizeCategoryAccessibilityXXXL"]
            app.launch()
        }
        for screen in screens {
            app.tab(screen.tab)
            if let link = screen.link {
                app.button(T(link)).tap()
            }
            try app.performAccessibilityAudit()
            if screen.link != nil { app.navigationBars.buttons.element(boundBy: 0).tap() }
        }
    }
}
