import AuthenticationServices
import UIKit

/// Opens a sign-in page (the GP's SMART server, Strava) in the system's web sheet and
/// returns the redirect the app receives. Used only after the owner presses Connect.
@MainActor
final class WebSignIn: NSObject, ASWebAuthenticationPresentationContextProviding {
    /// The app's own URL scheme (CFBundleURLSchemes in Info.plist) for the redirects.
    nonisolated static let scheme = "org.phr.app"

    /// Kept while the sheet is up (the system does not keep it alive for us).
    private var session: ASWebAuthenticationSession?

    nonisolated override init() {
        super.init()
    }

    func run(_ url: URL) async throws -> URL {
        try await withCheckedThrowingContinuation { continuation in
            let session = ASWebAuthenticationSession(url: url, callbackURLScheme: Self.scheme) { [weak self] callback, error in
                Task { @MainActor in self?.session = nil }
                if let callback {
                    continuation.resume(returning: callback)
                } else {
                    continuation.resume(throwing: error ?? URLError(.cancelled))
                }
            }
            session.presentationContextProvider = self
            // No cookies kept from earlier sign-ins: each connection asks again.
            session.prefersEphemeralWebBrowserSession = true
            self.session = session
            session.start()
        }
    }

    nonisolated func presentationAnchor(for session: ASWebAuthenticationSession) -> ASPresentationAnchor {
        MainActor.assumeIsolated {
            UIApplication.shared.connectedScenes.compactMap { $0 as? UIWindowScene }.first?.keyWindow ?? ASPresentationAnchor()
        }
    }
}
