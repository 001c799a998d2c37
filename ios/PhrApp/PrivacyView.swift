import PhrFFI
import SwiftUI

/// Who may ever see this section besides the owner (enforced by the core's consent module).
struct PrivacyView: View {
    let sectionId: String
    @EnvironmentObject var store: RecordStore
    @State private var selected: PrivacyLevel?
    @State private var message: String?

    private let options: [(PrivacyLevel, String, String)] = [
        (.private, "Only me", "Never shared with anyone."),
        (.shareable, "Shareable", "You may include it when you share your record."),
        (.sensitive, "Sensitive", "Shared only when you name it, never with an employer or insurer."),
    ]

    var body: some View {
        List {
            if let message { Text(message).foregroundStyle(.red) }
            ForEach(options, id: \.1) { level, label, explanation in
                Button {
                    select(level)
                } label: {
                    HStack {
                        VStack(alignment: .leading) {
                            Text(label)
                            Text(explanation).font(.caption).foregroundStyle(.secondary)
                        }
                        Spacer()
                        if selected == level { Image(systemName: "checkmark") }
                    }
                }
            }
        }
        .navigationTitle("Privacy")
        .task {
            do { selected = try await store.record?.section(name: sectionId).privacy } catch { message = RecordStore.message(for: error) }
        }
    }

    private func select(_ level: PrivacyLevel) {
        Task {
            do { selected = try await store.record?.setSectionPrivacy(section: sectionId, privacy: level).privacy } catch { message = RecordStore.message(for: error) }
        }
    }
}
