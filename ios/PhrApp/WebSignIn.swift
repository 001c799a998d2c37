import AuthenticationServices
import UIKit

/// Opens a sign-in page (the GP's SMART server, Strava) in the system's web sheet and
/// returns the redirect the app receives. Used only after the owner presses Connect.
@MainActor
final class WebSignIn: NSObject, ASWebAuthenticationPresentationContextProviding {
    /// The app's own URL scheme (CFBundleURLSchemes in Info.plist) for the redirects.
    nonisolated static let scheme = "org.phr.app"

    nonisolated override init() {
        super.init()
    }

    func run(_ url: URL) async throws -> URL {
        try await withCheckedThrowingContinuation { continuation in
            let session = ASWebAuthenticationSession(url: url, callbackURLScheme: Self.scheme) { callback, error in
                if let callback {
                    continuation.resume(returning: callback)
                } else {
                    continuation.resume(throwing: error ?? URLError(.cancelled))
                }
            }
            session.presentationContextProvider = self
            // No cookies kept from earlier sign-ins: each connection asks again.
            session.prefersEphemeralWebBrowserSession = true
            session.start()
        }
    }

    nonisolated func presentationAnchor(for session: ASWebAuthenticationSession) -> ASPresentationAnchor {
        MainActor.assumeIsolated {
            UIApplication.shared.connectedScenes.compactMap { $0 as? UIWindowScene }.first?.keyWindow ?? ASPresentationAnchor()
        }
    }
}
