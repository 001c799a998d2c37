import PhrFFI
import SwiftUI

/// Insights: the core's cards (what it noticed, what to do, where the advice comes from),
/// goals, trends (each opens its chart), the fitness summary, and a switch per category.
@MainActor
struct InsightsView: View {
    @StateObject private var model: InsightsModel
    @State private var goalKind = GoalKind.weeklyActiveMinutes
    @State private var goalValue = ""

    init(record: PhrRecord) {
        _model = StateObject(wrappedValue: InsightsModel(record: record))
    }

    enum GoalKind: CaseIterable {
        case targetWeight, weeklyDistance, restingHeartRate, weeklyActiveMinutes

        var key: String {
            switch self {
            case .targetWeight: return "goal.target_weight"
            case .weeklyDistance: return "goal.weekly_distance"
            case .restingHeartRate: return "goal.resting_heart_rate"
            case .weeklyActiveMinutes: return "goal.weekly_active_minutes"
            }
        }

        func goal(_ value: Double) -> Goal {
            switch self {
            case .targetWeight: return .targetWeight(targetKg: value, startKg: nil)
            case .weeklyDistance: return .weeklyDistance(km: value)
            case .restingHeartRate: return .restingHeartRate(targetBpm: value, startBpm: nil)
            case .weeklyActiveMinutes: return .weeklyActiveMinutes(minutes: value)
            }
        }
    }

    var body: some View {
        Loaded(state: model.state, retry: model.reload) { data in
            let screen = data.screen
            List {
                ProblemText(problem: model.problem)
                SwiftUI.Section(L("ui.insights.cards")) {
                    if screen.cards.isEmpty { Text(L("ui.insights.none")).font(.body) }
                    ForEach(screen.cards, id: \.id) { card in InsightCardView(card: card) }
                }
                if !screen.goals.isEmpty {
                    SwiftUI.Section(L("ui.insights.goals")) {
                        ForEach(Array(screen.goals.enumerated()), id: \.offset) { _, goal in
                            VStack(alignment: .leading, spacing: 4) {
                                Text(L(goal.labelKey)).font(.headline)
                                Text(L(label: goal.message)).font(.body)
                                if let percent = goal.percent {
                                    ProgressView(value: Double(percent), total: 100)
                                        .accessibilityLabel(L("ui.insights.goal_percent", ["percent": String(percent)]))
                                }
                            }
                            .accessibilityElement(children: .combine)
                        }
                    }
                }
                SwiftUI.Section(L("ui.insights.set_goal")) {
                    Picker(L("ui.insights.goal_kind"), selection: $goalKind) {
                        ForEach(GoalKind.allCases, id: \.self) { Text(L($0.key)).tag($0) }
                    }
                    .frame(minHeight: touchTarget)
                    .accessibilityLabel(L("ui.insights.goal_kind"))
                    TextField(L("ui.insights.goal_value"), text: $goalValue)
                        .keyboardType(.decimalPad)
                        .frame(minHeight: touchTarget)
                        .accessibilityLabel(L("ui.insights.goal_value"))
                    WideButton(title: L("ui.insights.save_goal")) {
                        guard let value = Double(goalValue.replacingOccurrences(of: ",", with: ".")) else {
                            model.problem = L("ui.problem.check_input")
                            return
                        }
                        let goal = goalKind.goal(value)
                        model.perform { record in _ = try await record.setGoal(goal: goal) }
                    }
                }
                if !screen.trends.isEmpty {
                    SwiftUI.Section(L("ui.insights.trends")) {
                        ForEach(Array(screen.trends.enumerated()), id: \.offset) { _, trend in
                            let words = L("ui.insights.trend_line", ["average": trend.average, "direction": L(trend.directionKey), "days": String(trend.windowDays)])
                            if let kind = ChartView.kind(labelKey: trend.labelKey) {
                                RouteLink(title: L(trend.labelKey), detail: words, route: .chart(kind))
                            } else {
                                Text(L(trend.labelKey) + ": " + words).font(.body)
                            }
                        }
                    }
                }
                if let fitness = screen.fitness {
                    SwiftUI.Section(L("ui.insights.fitness")) {
                        Text(L("ui.insights.fitness_week", [
                            "sessions": String(fitness.sessionsThisWeek), "time": fitness.timeThisWeek, "distance": fitness.distanceThisWeek,
                        ])).font(.body)
                        Text(L("ui.insights.fitness_streak", [
                            "current": String(fitness.currentStreakDays), "longest": String(fitness.longestStreakDays),
                        ])).font(.body)
                        ForEach(Array(fitness.personalBests.enumerated()), id: \.offset) { _, best in
                            Text(L("ui.insights.personal_best", ["label": L(label: best.label), "value": best.value, "date": best.date])).font(.body)
                        }
                    }
                }
                SwiftUI.Section(L("ui.insights.switches")) {
                    LabelledToggle(title: L("ui.insights.alerts_on"), isOn: screen.alertsOn) { on in
                        model.perform { record in _ = try await record.setInsightSwitch(switch: .alerts, enabled: on) }
                    }
                    ForEach(data.settings.categories, id: \.category) { state in
                        LabelledToggle(title: state.label, isOn: state.enabled) { on in
                            model.perform { record in _ = try await record.setInsightCategoryEnabled(category: state.category, enabled: on) }
                        }
                    }
                }
            }
        }
        .navigationTitle(L("ui.tab.insights"))
        .task { await model.run() }
    }
}

/// One card: how urgent, what the core noticed, what to do, and the source of the advice.
@MainActor
private struct InsightCardView: View {
    let card: InsightCard

    var body: some View {
        VStack(alignment: .leading, spacing: 6) {
            Text(L(card.severityKey)).font(.subheadline).foregroundStyle(.tint)
            Text(L(label: card.title)).font(.headline)
            Text(L(paragraph: card.body)).font(.body)
            Text(L(label: card.guidance)).font(.body)
            if let url = URL(string: card.sourceUrl), !card.sourceUrl.isEmpty {
                Link(L(label: card.sourceLabel), destination: url)
                    .font(.subheadline)
                    .frame(minHeight: touchTarget)
                    .accessibilityLabel(L(label: card.sourceLabel))
            } else {
                Text(L(label: card.sourceLabel)).font(.subheadline)
            }
        }
    }
}
