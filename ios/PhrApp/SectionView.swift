import PhrFFI
import SwiftUI

/// One section: an Add button when the owner may add, then its entries, newest first (the
/// core's order), each with where it came from and whether it is hidden or deleted.
@MainActor
struct SectionView: View {
    @StateObject private var model: SectionModel

    init(record: PhrRecord, sectionId: String) {
        _model = StateObject(wrappedValue: SectionModel(record: record, sectionId: sectionId))
    }

    var body: some View {
        Loaded(state: model.state, retry: model.reload) { section in
            List {
                if section.canAdd {
                    NavigationLink(value: Route.addForm(section: section.id, title: section.title)) {
                        Text(L("ui.section.add")).font(.headline).frame(minHeight: touchTarget)
                    }
                    .accessibilityLabel(L("ui.section.add_to", ["section": section.title]))
                }
                if section.entries.isEmpty {
                    Text(L("ui.section.empty")).font(.body)
                }
                ForEach(section.entries, id: \.id) { row in
                    NavigationLink(value: Route.entry(row.id)) { EntryRowView(row: row) }
                        .accessibilityLabel(L("ui.section.open_entry", ["entry": row.summary]))
                }
                RouteLink(title: L("ui.section.who_can_see"), route: .privacy)
            }
            .navigationTitle(section.title)
        }
        .task { await model.run() }
    }
}

@MainActor
private struct EntryRowView: View {
    let row: EntryRow

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(row.summary).font(.headline)
            Text(provenanceText(row.provenance)).font(.subheadline)
            Text(L("ui.section.changed", ["date": row.updated])).font(.subheadline)
            if row.noLongerRelevant { Text(L("ui.section.no_longer_relevant")).font(.caption).foregroundStyle(.tint) }
            if row.hidden { Text(L("ui.section.hidden")).font(.caption).foregroundStyle(.tint) }
            if row.deleted { Text(L("ui.section.deleted")).font(.caption).foregroundStyle(.tint) }
        }
        .frame(minHeight: touchTarget, alignment: .leading)
    }
}
