import Foundation
import LocalAuthentication

/// The app lock: Face ID, Touch ID, or the phone's passcode when neither is set up.
enum AppLock {
    /// True when the owner proved it is them. The reason is shown by the system prompt.
    static func authenticate(reason: String) async -> Bool {
        let context = LAContext()
        var error: NSError?
        guard context.canEvaluatePolicy(.deviceOwnerAuthentication, error: &error) else { return false }
        do {
            return try await context.evaluatePolicy(.deviceOwnerAuthentication, localizedReason: reason)
        } catch {
            return false
        }
    }

    /// Whether this phone can lock the app at all (a passcode is set).
    static var available: Bool {
        LAContext().canEvaluatePolicy(.deviceOwnerAuthentication, error: nil)
    }
}
