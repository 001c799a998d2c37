import Network
import PhrFFI
import XCTest

/// The catalogue text of a key with its `{name}` placeholders filled: the same words the
/// app shows (its Localizable.strings is generated from this catalogue).
func T(_ key: String, _ args: [String: String] = [:]) -> String {
    args.reduce(catalogueText(key: key)) { text, arg in text.replacingOccurrences(of: "{\(arg.key)}", with: arg.value) }
}

/// A TCP listener on 127.0.0.1 standing in for the relay: counts every connection, so a
/// test can prove the app stays off the network until the owner asks.
final class ConnectionCounter: @unchecked Sendable {
    private let listener: NWListener
    private let lock = NSLock()
    private var connections = 0

    init() throws {
        let parameters = NWParameters.tcp
        parameters.requiredLocalEndpoint = NWEndpoint.hostPort(host: "127.0.0.1", port: .any)
        listener = try NWListener(using: parameters)
        listener.newConnectionHandler = { [weak self] connection in
            self?.lock.withLock { self?.connections += 1 }
            connection.cancel()
        }
        let ready = DispatchSemaphore(value: 0)
        listener.stateUpdateHandler = { state in if case .ready = state { ready.signal() } }
        listener.start(queue: .global())
        _ = ready.wait(timeout: .now() + 5)
    }

    var url: String { "http://127.0.0.1:\(listener.port?.rawValue ?? 0)" }
    var count: Int { lock.withLock { connections } }

    deinit { listener.cancel() }
}

extension XCUIApplication {
    /// Starts the app from no record, with the relay at `relay`, and goes through onboarding:
    /// create, read the recovery key, type its last group back, leave the lock for later.
    static func onboarded(relay: String) -> XCUIApplication {
        let app = XCUIApplication()
        app.launchArguments = ["--ui-testing"]
        app.launchEnvironment = ["PHR_RELAY_URL": relay]
        app.launch()
        app.buttons[T("ui.onboarding.create")].tap()
        let key = app.staticTexts["recovery-key"]
        XCTAssertTrue(key.waitForExistence(timeout: 20))
        let groups = (key.value as? String ?? "").split(separator: "-")
        app.buttons[T("ui.onboarding.key_written")].tap()
        let field = app.textFields[T("ui.onboarding.confirm_field")]
        field.tap()
        field.typeText(String(groups.last ?? ""))
        app.buttons[T("ui.onboarding.confirm")].tap()
        app.buttons[T("ui.onboarding.lock_later")].tap()
        XCTAssertTrue(app.tabBars.buttons[T("ui.tab.home")].waitForExistence(timeout: 20))
        return app
    }

    func tab(_ key: String) {
        tabBars.buttons[T(key)].tap()
    }

    /// The button with this label, scrolled into view first (lists load rows lazily).
    func button(_ label: String) -> XCUIElement {
        let element = buttons[label]
        for _ in 0..<12 where !(element.exists && element.isHittable) {
            swipeUp()
        }
        XCTAssertTrue(element.waitForExistence(timeout: 5), label)
        return element
    }
}
