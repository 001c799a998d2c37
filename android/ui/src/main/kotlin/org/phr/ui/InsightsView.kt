package org.phr.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import org.phr.ffi.InsightCard
import org.phr.ffi.InsightsScreen
import org.phr.ffi.Label
import org.phr.ffi.TrendLine

/** A core [Label] (a key and its arguments) in the catalogue's words. */
@Composable
fun labelText(l: Label): String = LocalStrings.current.label(l)

/**
 * Insights: the cards (alerts first, each with what to do and the guidance it rests on), the
 * trends, goals and fitness, then a switch per category. Cards and trends open their chart.
 */
@Composable
fun InsightsView(model: InsightsScreen, onChart: (String) -> Unit, onToggle: (String, Boolean) -> Unit) {
    ScreenFrame(title = t("ui.insights.title"), onBack = null) {
        SubHeading(t("ui.insights.cards"))
        when {
            !model.alertsOn -> Text(t("ui.insights.alerts_off"), style = MaterialTheme.typography.bodyLarge)
            model.cards.isEmpty() -> Text(t("ui.insights.none"), style = MaterialTheme.typography.bodyLarge)
        }
        model.cards.forEach { InsightCardView(it, onChart) }

        if (model.trends.isNotEmpty()) {
            SubHeading(t("ui.insights.trends"))
            model.trends.forEach { TrendRow(it, onChart) }
        }
        if (model.goals.isNotEmpty()) {
            SubHeading(t("ui.insights.goals"))
            model.goals.forEach { g ->
                Card(Modifier.fillMaxWidth()) {
                    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                        Text(t(g.labelKey), style = MaterialTheme.typography.titleMedium)
                        Text(
                            g.current?.let { t("ui.insights.goal_now", "current" to it, "target" to g.target) }
                                ?: t("ui.insights.goal_no_data", "target" to g.target),
                            style = MaterialTheme.typography.bodyLarge,
                        )
                        g.percent?.let { p ->
                            val words = t("ui.insights.goal_percent", "percent" to p)
                            LinearProgressIndicator(
                                progress = { p.toFloat() / 100f },
                                modifier = Modifier.fillMaxWidth().semantics { contentDescription = words },
                            )
                            Text(words, style = MaterialTheme.typography.bodyMedium)
                        }
                        if (g.achieved) Text(t("ui.insights.goal_achieved"), style = MaterialTheme.typography.labelLarge, color = MaterialTheme.colorScheme.primary)
                        labelText(g.message).let { if (it.isNotBlank()) Text(it, style = MaterialTheme.typography.bodyMedium) }
                    }
                }
            }
        }
        model.fitness?.let { f ->
            SubHeading(t("ui.insights.fitness"))
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                    Text(
                        t("ui.insights.fitness_week", "sessions" to f.sessionsThisWeek, "time" to f.timeThisWeek, "distance" to f.distanceThisWeek),
                        style = MaterialTheme.typography.bodyLarge,
                    )
                    Text(
                        t("ui.insights.fitness_streak", "current" to f.currentStreakDays, "longest" to f.longestStreakDays),
                        style = MaterialTheme.typography.bodyLarge,
                    )
                    f.vo2max?.let { trendWords(it) }?.let { Text(it, style = MaterialTheme.typography.bodyLarge) }
                    f.personalBests.forEach {
                        Text(t("ui.insights.personal_best", "label" to labelText(it.label), "value" to it.value, "date" to it.date), style = MaterialTheme.typography.bodyMedium)
                    }
                }
            }
        }
        SubHeading(t("ui.insights.switches"))
        model.switches.forEach { s ->
            ToggleRow(t("ui.insights.switch_label", "category" to t(s.labelKey)), s.on) { onToggle(s.category, it) }
        }
    }
}

@Composable
private fun InsightCardView(card: InsightCard, onChart: (String) -> Unit) {
    val colour = when (card.severity) {
        "urgent", "warning" -> MaterialTheme.colorScheme.errorContainer
        "advice" -> MaterialTheme.colorScheme.secondaryContainer
        else -> MaterialTheme.colorScheme.surfaceVariant
    }
    Card(colors = CardDefaults.cardColors(containerColor = colour), modifier = Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            Text(t(card.categoryKey) + " · " + t(card.severityKey), style = MaterialTheme.typography.labelLarge)
            Text(labelText(card.title), style = MaterialTheme.typography.titleMedium)
            if (card.body.isNotEmpty()) Text(LocalStrings.current.paragraph(card.body), style = MaterialTheme.typography.bodyLarge)
            Text(t("ui.insights.what_to_do"), style = MaterialTheme.typography.titleSmall)
            Text(labelText(card.guidance), style = MaterialTheme.typography.bodyLarge)
            Text(labelText(card.sourceLabel), style = MaterialTheme.typography.bodyMedium)
            if (card.sourceUrl.isNotBlank()) Text(card.sourceUrl, style = MaterialTheme.typography.bodySmall)
            cardMetric(card.category)?.let { metric -> ChartButton(metric, onChart) }
        }
    }
}

@Composable
private fun TrendRow(line: TrendLine, onChart: (String) -> Unit) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(t(line.labelKey), style = MaterialTheme.typography.titleMedium)
            Text(trendWords(line), style = MaterialTheme.typography.bodyLarge)
            line.change?.let { Text(t("ui.insights.trend_change", "change" to it), style = MaterialTheme.typography.bodyMedium) }
            if (chartMetric(line.metric) != null) ChartButton(line.metric, onChart)
        }
    }
}

/** "Going up. Average 82.1 kg over 30 days." */
@Composable
fun trendWords(line: TrendLine): String =
    t("ui.insights.trend_line", "direction" to t(line.directionKey), "average" to line.average, "days" to line.windowDays)

@Composable
private fun ChartButton(metric: String, onChart: (String) -> Unit) {
    val label = t("ui.insights.open_chart_for", "metric" to t("metric.$metric"))
    OutlinedButton(
        onClick = { onChart(metric) },
        modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget).semantics { contentDescription = label },
    ) { Text(t("ui.insights.open_chart"), style = MaterialTheme.typography.titleMedium) }
}
