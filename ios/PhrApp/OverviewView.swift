import PhrFFI
import SwiftUI

/// The record overview: core sections, then optional ones with switches, then the owner's own.
struct OverviewView: View {
    @EnvironmentObject var store: RecordStore
    @State private var sections: [Section] = []
    @State private var message: String?

    var body: some View {
        List {
            if let message { Text(message).foregroundStyle(.red) }
            group("About me and my health", .core)
            group("More sections you can switch on", .optional)
            group("My own sections", .custom)
        }
        .navigationTitle("My health record")
        .toolbar { NavigationLink("Sharing") { SharingView().environmentObject(store) } }
        .task { await reload() }
    }

    @ViewBuilder
    private func group(_ title: String, _ cls: SectionClass) -> some View {
        let rows = sections.filter { $0.sectionClass == cls }
        if !rows.isEmpty {
            SwiftUI.Section(title) {
                ForEach(rows, id: \.id) { s in
                    HStack {
                        if s.enabled {
                            NavigationLink(s.title) { SectionDetailView(sectionId: s.id).environmentObject(store) }
                        } else {
                            Text(s.title).foregroundStyle(.secondary)
                        }
                        if cls != .core {
                            Toggle("", isOn: Binding(get: { s.enabled }, set: { setEnabled(s.id, $0) })).labelsHidden()
                        }
                    }
                }
            }
        }
    }

    /// Store calls are `async` in the bindings and run off the main actor in the core.
    private func reload() async {
        guard let record = store.record else { return }
        do { sections = try await record.sections() } catch { message = RecordStore.message(for: error) }
    }

    private func setEnabled(_ id: String, _ on: Bool) {
        guard let record = store.record else { return }
        Task {
            do { _ = try await record.setSectionEnabled(section: id, enabled: on); await reload() } catch { message = RecordStore.message(for: error) }
        }
    }
}
