import PhrFFI
import SwiftUI
import WebKit

/// A chart of one measure over a time span: the core draws it (`insightChart`, SVG with the
/// owner's life events marked); this shows it, with its words for VoiceOver.
@MainActor
struct ChartView: View {
    let record: PhrRecord
    @State var kind: MetricKind
    @State private var days = 90
    @State private var chart: ChartModel?
    @Environment(\.colorScheme) private var scheme

    init(record: PhrRecord, kind: MetricKind) {
        self.record = record
        _kind = State(initialValue: kind)
    }

    /// Every measure the core can chart, in the bindings' order.
    static let kinds: [MetricKind] = [
        .weight, .bmi, .bloodPressureSystolic, .bloodPressureDiastolic, .restingHeartRate, .vo2Max,
        .sleepDuration, .sleepBedtime, .steps, .activeMinutes, .alcoholUnits, .distance,
    ]

    /// The measure whose core label is this catalogue text (a trend line names its measure by key).
    static func kind(labelKey: String) -> MetricKind? {
        kinds.first { metricKindLabel(kind: $0) == L(labelKey) }
    }

    var body: some View {
        Form {
            Picker(L("ui.chart.measure"), selection: $kind) {
                ForEach(Self.kinds, id: \.self) { Text(metricKindLabel(kind: $0)).tag($0) }
            }
            .frame(minHeight: touchTarget)
            .accessibilityLabel(L("ui.chart.measure"))
            Picker(L("ui.chart.span"), selection: $days) {
                Text(L("ui.chart.days", ["days": "30"])).tag(30)
                Text(L("ui.chart.days", ["days": "90"])).tag(90)
                Text(L("ui.chart.days", ["days": "365"])).tag(365)
            }
            .pickerStyle(.segmented)
            .frame(minHeight: touchTarget)
            .accessibilityLabel(L("ui.chart.span"))
            if let chart {
                ChartImage(model: chart, spoken: L("ui.chart.spoken", ["measure": metricKindLabel(kind: kind), "days": String(days)]))
            }
        }
        .navigationTitle(metricKindLabel(kind: kind))
        // A new model for each measure, span or theme; it redraws after every change.
        .task(id: "\(days)-\(metricKindLabel(kind: kind))-\(scheme == .dark)") {
            let model = ChartModel(record: record, kind: kind, days: days, dark: scheme == .dark)
            chart = model
            await model.run()
        }
    }
}

/// The chart once drawn, with its words for VoiceOver.
@MainActor
private struct ChartImage: View {
    @ObservedObject var model: ChartModel
    let spoken: String

    var body: some View {
        Loaded(state: model.state, retry: model.reload) { svg in
            SVGView(svg: svg)
                .aspectRatio(1.6, contentMode: .fit)
                .accessibilityElement()
                .accessibilityLabel(spoken)
        }
    }
}

/// The core's SVG in a web view that loads nothing from the network (no base URL).
@MainActor
struct SVGView: UIViewRepresentable {
    let svg: String

    func makeUIView(context: Context) -> WKWebView {
        let config = WKWebViewConfiguration()
        config.websiteDataStore = .nonPersistent()
        let view = WKWebView(frame: .zero, configuration: config)
        view.isOpaque = false
        view.backgroundColor = .clear
        view.scrollView.isScrollEnabled = false
        return view
    }

    func updateUIView(_ view: WKWebView, context: Context) {
        let page = "<html><head><meta name=\"viewport\" content=\"width=device-width\"></head><body style=\"margin:0\">\(svg)</body></html>"
        view.loadHTMLString(page, baseURL: nil)
    }
}
