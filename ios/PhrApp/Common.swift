import PhrFFI
import SwiftUI

/// The smallest touch target (Apple's guideline: 44 points).
let touchTarget: CGFloat = 44

/// Draws `content` once loaded: words while loading (no endless spinner), a plain message
/// with Try again after a failure. Every screen goes through it.
@MainActor
struct Loaded<T, Content: View>: View {
    let state: Load<T>
    let retry: () async -> Void
    @ViewBuilder let content: (T) -> Content

    var body: some View {
        switch state {
        case .ready(let value):
            content(value)
        case .loading:
            Text(L("ui.loading")).font(.body).padding()
        case .failed:
            VStack(alignment: .leading, spacing: 12) {
                Text(L("ui.load_failed")).font(.body)
                Button(L("ui.try_again")) { Task { await retry() } }
                    .frame(minHeight: touchTarget)
                    .accessibilityLabel(L("ui.try_again"))
            }
            .padding()
        }
    }
}

/// A refusal from the core, in words, at the top of a screen.
@MainActor
struct ProblemText: View {
    let problem: String?

    var body: some View {
        if let problem {
            Text(problem)
                .font(.body)
                .foregroundStyle(.red)
                .accessibilityLabel(problem)
        }
    }
}

/// A full-width button of at least one touch target, its label read out by VoiceOver.
@MainActor
struct WideButton: View {
    let title: String
    var role: ButtonRole?
    var prominent = false
    let action: () -> Void

    var body: some View {
        Button(role: role, action: action) {
            Text(title).font(.headline).frame(maxWidth: .infinity, minHeight: touchTarget)
        }
        .buttonStyle(.bordered)
        .tint(prominent ? .accentColor : nil)
        .accessibilityLabel(title)
    }
}

/// A row that opens another screen: a big, labelled target.
@MainActor
struct RouteLink: View {
    let title: String
    var detail: String?
    let route: Route

    var body: some View {
        NavigationLink(value: route) {
            VStack(alignment: .leading, spacing: 4) {
                Text(title).font(.headline)
                if let detail { Text(detail).font(.subheadline).foregroundStyle(.secondary) }
            }
            .frame(minHeight: touchTarget, alignment: .leading)
        }
        .accessibilityLabel(detail.map { "\(title). \($0)" } ?? title)
    }
}

/// A labelled switch whose label VoiceOver reads (no `.labelsHidden()` anywhere).
@MainActor
struct LabelledToggle: View {
    let title: String
    let isOn: Bool
    let set: (Bool) -> Void

    var body: some View {
        Toggle(isOn: Binding(get: { isOn }, set: set)) {
            Text(title).font(.body)
        }
        .frame(minHeight: touchTarget)
        .accessibilityLabel(title)
    }
}
