package org.phr.ui

import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.onFirst
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Test
import org.phr.ffi.CalendarDate
import org.phr.ffi.InsightCategory
import java.time.LocalDate

/**
 * Insights in the running app over the demo record: a card opens its chart, whose picture
 * TalkBack describes with the trend; the category's switch hides its cards and is saved.
 */
@OptIn(ExperimentalTestApi::class)
class InsightsFlowTest {
    private val s = CatalogueStrings
    private val day = LocalDate.of(2026, 4, 12)

    private fun ComposeUiTest.waitFor(m: SemanticsMatcher) = waitForNode(m, 10_000)

    private fun ComposeUiTest.tap(m: SemanticsMatcher, scroll: Boolean = true) {
        waitFor(m)
        // The first match: a metric can have a chart button on its card and on its trend.
        onAllNodes(m).onFirst().let { if (scroll) it.performScrollTo() else it }.performClick()
    }

    @Test
    fun `a blood pressure card opens its chart, and its switch hides it`() {
        val repo = demoRecord()
        try {
            val screen = runBlocking { repo.insightsScreen(CalendarDate(2026, 4u, 12u)) }
            val card = screen.cards.first { it.category == "blood_pressure" }
            val category = s.text(screen.switches.first { it.category == "blood_pressure" }.labelKey)
            val metric = s.text("metric.blood_pressure")
            runComposeUiTest {
                setContent { PhrApp(repo, insightsDay = day) }
                tap(hasText(s.text("ui.nav.insights")) and tappable(), scroll = false)
                waitFor(hasText(s.label(card.title)))

                tap(hasContentDescription(s.text("ui.insights.open_chart_for", "metric" to metric)) and tappable())
                waitFor(hasText(s.text("ui.chart.title", "metric" to metric)))
                // The picture's description starts with what it is and goes on to say the trend.
                waitFor(hasContentDescription(s.text("ui.chart.image", "metric" to metric, "summary" to ""), substring = true))
                tap(hasText(s.text("ui.back"), substring = true) and tappable())

                tap(hasText(s.text("ui.insights.switch_label", "category" to category)))
                waitOrFail("the dismissed card to go", 10_000) { onAllNodes(hasText(s.label(card.title))).fetchSemanticsNodes().isEmpty() }
            }
            val settings = runBlocking { repo.insightSettings() }
            assertFalse(settings.categories.first { it.category == InsightCategory.BLOOD_PRESSURE }.enabled, "the switch was not saved")
        } finally {
            repo.close()
        }
    }
}
