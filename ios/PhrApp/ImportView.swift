import PhrFFI
import SwiftUI
import UniformTypeIdentifiers

/// Import files (FIT, GPX, TCX, an Apple Health export, CSV, a Strava export, or a zip of
/// them): pick, watch the progress, stop it if it takes too long, read the report. Below,
/// every earlier import as the core describes it (`importsScreen`).
@MainActor
struct ImportView: View {
    @StateObject private var model: ImportsModel
    @State private var picking = false
    @State private var running = false
    @State private var done: UInt64 = 0
    @State private var total: UInt64 = 0
    @State private var cancel: CancelHandle?
    @State private var report: ImportReport?

    init(record: PhrRecord) {
        _model = StateObject(wrappedValue: ImportsModel(record: record))
    }

    var body: some View {
        Loaded(state: model.state, retry: model.reload) { screen in
            List {
                ProblemText(problem: model.problem)
                SwiftUI.Section {
                    Text(L("ui.import.intro")).font(.body)
                    if running {
                        ProgressView(value: total == 0 ? 0 : Double(done) / Double(total))
                            .accessibilityLabel(L("ui.import.progress", ["done": String(done), "total": String(total)]))
                        WideButton(title: L("ui.import.stop"), role: .destructive) { cancel?.cancel() }
                    } else {
                        WideButton(title: L("ui.import.pick"), prominent: true) { picking = true }
                    }
                    if let report {
                        Text(L("ui.import.report")).font(.headline)
                        Text(L("ui.import.totals", [
                            "ok": String(report.totals.ok),
                            "failed": String(report.totals.failed + report.totals.partial),
                            "readings": String(report.totals.samplesAdded),
                            "activities": String(report.totals.activitiesAdded),
                        ])).font(.body)
                    }
                }
                SwiftUI.Section(L("ui.import.history")) {
                    if let empty = screen.emptyKey { Text(L(empty)).font(.body) }
                    ForEach(screen.imports, id: \.id) { row in
                        VStack(alignment: .leading, spacing: 4) {
                            Text(L(label: row.whenLabel)).font(.headline)
                            Text(L(row.originKey)).font(.subheadline)
                            Text(L(label: row.summary)).font(.body)
                            ForEach(Array(row.files.enumerated()), id: \.offset) { _, file in
                                Text(L("ui.import.file", ["name": file.name, "status": L(file.statusKey)])).font(.subheadline)
                            }
                        }
                        .accessibilityElement(children: .combine)
                    }
                }
            }
        }
        .navigationTitle(L("ui.import.title"))
        .task { await model.run() }
        .fileImporter(isPresented: $picking, allowedContentTypes: [.data, .zip, .xml], allowsMultipleSelection: true) { result in
            if case .success(let urls) = result { Task { await run(urls) } }
        }
    }

    private func run(_ urls: [URL]) async {
        let handle = CancelHandle()
        cancel = handle
        running = true
        report = nil
        done = 0
        total = 0
        let scoped = urls.filter { $0.startAccessingSecurityScopedResource() }
        defer {
            scoped.forEach { $0.stopAccessingSecurityScopedResource() }
            running = false
            cancel = nil
        }
        let listener = ProgressForwarder { d, t in
            done = d
            total = t
        }
        do {
            report = try await model.record.importFiles(paths: urls.map(\.path), options: nil, listener: listener, cancel: handle)
        } catch {
            model.problem = problemText(error)
        }
    }
}
