import PhrFFI
import SwiftUI

/// A section's entries: add a note-style entry, annotate, hide, delete with undo.
struct SectionDetailView: View {
    let sectionId: String
    @EnvironmentObject var store: RecordStore
    @State private var entries: [Entry] = []
    @State private var title = ""
    @State private var message: String?
    @State private var newText = ""
    @State private var lastDeleted: String?

    var body: some View {
        List {
            if let message { Text(message).foregroundStyle(.red) }
            if let lastDeleted {
                Button("Undo delete") { act { _ = try await $0.undoDelete(id: lastDeleted); self.lastDeleted = nil } }
            }
            ForEach(entries, id: \.id) { e in
                VStack(alignment: .leading) {
                    Text(e.summary)
                    Text(e.provenanceLabel).font(.caption).foregroundStyle(.secondary)
                    ForEach(e.annotations, id: \.id) { a in Text("Note: \(a.text ?? "")").font(.caption) }
                }
                .swipeActions {
                    if !e.readOnly {
                        Button("Delete", role: .destructive) { act { _ = try await $0.deleteEntry(id: e.id); lastDeleted = e.id } }
                    }
                    Button("Hide") { act { _ = try await $0.setHidden(id: e.id, hidden: true) } }
                    Button("Not relevant") { act { _ = try await $0.annotate(id: e.id, kind: .noLongerRelevant, text: nil) } }
                }
            }
            SwiftUI.Section("Add") {
                TextField("What would you like to record?", text: $newText)
                Button("Save") {
                    act { _ = try await $0.addEntry(section: sectionId, value: .note(text: newText)); newText = "" }
                }
            }
        }
        .navigationTitle(title)
        .toolbar {
            NavigationLink("Privacy") { PrivacyView(sectionId: sectionId).environmentObject(store) }
        }
        .task { await reload() }
    }

    /// Runs one core call; a refusal from the core becomes a message, then the list reloads.
    /// Store calls are `async` in the bindings (they run off the main actor in the core).
    private func act(_ call: @escaping (PhrRecord) async throws -> Void) {
        guard let record = store.record else { return }
        Task {
            do { try await call(record); message = nil } catch { message = RecordStore.message(for: error) }
            await reload()
        }
    }

    private func reload() async {
        guard let record = store.record else { return }
        do {
            title = try await record.section(name: sectionId).title
            entries = try await record.listEntries(section: sectionId, includeHidden: false, includeDeleted: false)
        } catch {
            message = RecordStore.message(for: error)
        }
    }
}
