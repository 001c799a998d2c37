import PhrFFI
import SwiftUI

/// Home: what needs doing first, then one card per section with its count and latest
/// entries (android/ui HomeView.kt), then the ways to add more to the record.
@MainActor
struct HomeView: View {
    @StateObject private var model: HomeModel

    init(record: PhrRecord) {
        _model = StateObject(wrappedValue: HomeModel(record: record))
    }

    var body: some View {
        Loaded(state: model.state, retry: model.reload) { home in
            List {
                if !home.attention.isEmpty {
                    SwiftUI.Section(L("ui.home.attention")) {
                        ForEach(home.attention, id: \.self) { key in
                            Text(L(key)).font(.body)
                        }
                    }
                }
                SwiftUI.Section(L("ui.home.sections")) {
                    ForEach(home.sections, id: \.id) { card in
                        NavigationLink(value: Route.section(card.id)) {
                            VStack(alignment: .leading, spacing: 4) {
                                Text(card.title).font(.title3)
                                Text(countText(card.count)).font(.subheadline)
                                ForEach(card.latest, id: \.id) { row in
                                    Text(row.summary).font(.body)
                                }
                            }
                            .frame(minHeight: touchTarget, alignment: .leading)
                        }
                        .accessibilityLabel(L("ui.home.open_section", ["section": card.title]))
                    }
                }
                SwiftUI.Section(L("ui.home.more")) {
                    RouteLink(title: L("ui.home.emergency_card"), route: .emergencyCard)
                    RouteLink(title: L("ui.home.import"), route: .importFiles)
                    RouteLink(title: L("ui.home.connect"), route: .connect)
                    RouteLink(title: L("ui.home.custom_section"), route: .customSection)
                }
            }
        }
        .navigationTitle(L("app.name"))
        .task { await model.run() }
    }
}
