package org.phr.ffi

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Insights (#7) through the real library: the demo resident's report, switches, goals, charts. */
class InsightsTest {
    private val today = date(2026, 11, 1)
    /** The x axis title as plotters writes it: `<text ...>\nDate\n</text>`. */
    private val axisLabel = Regex(">\\s*Date\\s*</text>")

    private fun demoRecord(ks: KeyStore = AesGcmTestKeyStore()): Pair<PhrRecord, java.nio.file.Path> {
        val (rec, path) = newRecord(ks)
        runBlocking { rec.fillDemo(today, null, null) }
        return rec to path
    }

    @Test
    fun `the demo report has a blood pressure alert citing NICE NG136, with suggestions, signposts, trends and fitness`() = runBlocking<Unit> {
        val (rec, _) = demoRecord()
        val report = rec.insightReport(today)
        assertEquals(today, report.day)
        val bp = report.alerts.filter { it.category == InsightCategory.BLOOD_PRESSURE }
        assertTrue(bp.isNotEmpty(), "alerts: ${report.alerts.map { it.id }}")
        for (a in bp) {
            assertTrue(a.citation.contains("NICE NG136"), a.citation)
            assertEquals("https://www.nice.org.uk/guidance/ng136", a.citationUrl)
            assertTrue(a.explanation.isNotBlank() && a.whatToDo.isNotBlank())
            assertTrue(a.triggeredBy.any { it.unit == "mmHg" }, "the readings behind it are named")
        }
        // The demo resident is short of 150 active minutes a week: the CMO guideline speaks too.
        assertTrue(report.alerts.any { it.category == InsightCategory.PHYSICAL_ACTIVITY && it.citation.contains("Chief Medical Officers") })
        assertTrue(report.suggestions.any { it.category == InsightCategory.BLOOD_PRESSURE })
        assertTrue(report.signposts.isNotEmpty())
        assertTrue(report.signposts.all { it.url.startsWith("https://") })
        // Weight creeps up through the demo year: a rising 90-day weight trend.
        val weight90 = report.trends.trends.single { it.kind == MetricKind.WEIGHT && it.windowDays == 90L }
        assertEquals(TrendDirection.RISING, weight90.direction)
        assertTrue(weight90.mean in 78.0..83.0, "mean ${weight90.mean}")
        val fitness = requireNotNull(report.fitness) { "fitness is on by default" }
        assertEquals(8, fitness.weeklyLoad.size, "eight weeks of training load")
        rec.close()
    }

    @Test
    fun `switching a category off removes its alerts and suggestions and survives reopening`() = runBlocking<Unit> {
        val ks = AesGcmTestKeyStore()
        val (rec, path) = demoRecord(ks)
        val before = rec.insightReport(today)
        assertTrue(before.alerts.any { it.category == InsightCategory.BLOOD_PRESSURE })
        val settings = rec.setInsightCategoryEnabled(InsightCategory.BLOOD_PRESSURE, false)
        assertFalse(settings.categories.single { it.category == InsightCategory.BLOOD_PRESSURE }.enabled)
        assertTrue(settings.categories.single { it.category == InsightCategory.ALCOHOL }.enabled)
        val after = rec.insightReport(today)
        assertTrue(after.alerts.none { it.category == InsightCategory.BLOOD_PRESSURE })
        assertTrue(after.suggestions.none { it.category == InsightCategory.BLOOD_PRESSURE })
        assertTrue(after.alerts.isNotEmpty(), "other categories still speak")
        rec.close()

        val reopened = PhrRecord.open(path.toString(), ks)
        val saved = reopened.insightSettings()
        assertFalse(saved.categories.single { it.category == InsightCategory.BLOOD_PRESSURE }.enabled, "saved in the record")
        assertEquals("Blood pressure", saved.categories.single { it.category == InsightCategory.BLOOD_PRESSURE }.label)
        assertTrue(reopened.insightReport(today).alerts.none { it.category == InsightCategory.BLOOD_PRESSURE })
        assertTrue(reopened.signpostsForCategory(InsightCategory.BLOOD_PRESSURE).isEmpty())

        reopened.setInsightCategoryEnabled(InsightCategory.BLOOD_PRESSURE, true)
        assertTrue(reopened.insightReport(today).alerts.any { it.category == InsightCategory.BLOOD_PRESSURE })
        assertTrue(reopened.signpostsForCategory(InsightCategory.BLOOD_PRESSURE).isNotEmpty())
        reopened.close()
    }

    @Test
    fun `the master switches turn alerts and the fitness summary off`() = runBlocking<Unit> {
        val (rec, _) = demoRecord()
        rec.setInsightSwitch(InsightSwitch.ALERTS, false)
        rec.setInsightSwitch(InsightSwitch.FITNESS_SUMMARY, false)
        val r = rec.insightReport(today)
        assertTrue(r.alerts.isEmpty())
        assertNull(r.fitness)
        val s = rec.setInsightSwitch(InsightSwitch.ALERTS, true)
        assertTrue(s.alertsEnabled)
        assertFalse(s.fitnessEnabled)
        assertTrue(rec.insightReport(today).alerts.isNotEmpty())
        rec.close()
    }

    @Test
    fun `goals are set, replaced by kind, tracked in the report and refused when unreachable`() = runBlocking<Unit> {
        val ks = AesGcmTestKeyStore()
        val (rec, path) = demoRecord(ks)
        assertTrue(rec.goals().isEmpty())
        rec.setGoal(Goal.TargetWeight(75.0, null))
        rec.setGoal(Goal.WeeklyActiveMinutes(150.0))
        val goals = rec.setGoal(Goal.TargetWeight(74.0, 82.0))
        assertEquals(2, goals.size, "a second weight goal replaces the first")
        assertTrue(goals.contains(Goal.TargetWeight(74.0, 82.0)))
        val progress = rec.insightReport(today).fitness!!.goals
        val weight = progress.single { it.goal is Goal.TargetWeight }
        assertEquals(74.0, weight.target)
        val current = requireNotNull(weight.current) { "the demo has weights" }
        assertTrue(current in 80.0..84.0, "about the demo's latest weight: $current")
        assertFalse(weight.achieved)

        val e = assertThrows<PhrException.InvalidInput> { rec.setGoal(Goal.TargetWeight(Double.NaN, null)) }
        assertEquals("goal", e.field)
        assertThrows<PhrException.InvalidInput> { rec.setGoal(Goal.WeeklyDistance(-5.0)) }
        rec.close()
        val reopened = PhrRecord.open(path.toString(), ks)
        assertEquals(goals.toSet(), reopened.goals().toSet(), "goals are kept in the record")
        reopened.clearGoals()
        assertTrue(reopened.goals().isEmpty())
        reopened.close()
    }

    @Test
    fun `charts are SVG with axis labels, life events and alert markers, in both themes`() = runBlocking<Unit> {
        val (rec, _) = demoRecord()
        val from = date(2025, 11, 1)
        val light = rec.insightChart(MetricKind.BLOOD_PRESSURE_SYSTOLIC, from, today, ChartTheme.LIGHT)
        assertTrue(light.startsWith("<svg") || light.contains("<svg "), light.take(200))
        assertTrue(axisLabel.containsMatchIn(light), "x axis label")
        assertTrue(light.contains("Blood pressure (mmHg)"), "y axis label")
        assertTrue(light.contains("Ramipril up to 10 mg"), "the demo's life event on the time axis")
        assertTrue(light.contains("NICE NG136"), "alert marker cites its guideline")
        assertTrue(Regex("<text").findAll(light).count() > 10)
        val dark = rec.insightChart(MetricKind.BLOOD_PRESSURE_SYSTOLIC, from, today, ChartTheme.DARK)
        assertNotEquals(light, dark)
        assertTrue(axisLabel.containsMatchIn(dark))

        val weight = rec.insightChart(MetricKind.WEIGHT, from, today, ChartTheme.LIGHT)
        assertTrue(weight.contains("<title>Weight</title>"))
        assertTrue(weight.contains("Weight (kg)"))

        val spark = rec.insightSparkline(MetricKind.RESTING_HEART_RATE, date(2026, 8, 1), today, ChartTheme.LIGHT, 120u, 32u)
        assertTrue(spark.contains("width=\"120\"") && spark.contains("height=\"32\""), spark.take(200))
        assertTrue(spark.contains("<polyline") || spark.contains("<path"), "a line is drawn")

        // No readings in range: still a chart, saying so.
        val empty = rec.insightChart(MetricKind.ALCOHOL_UNITS, date(2020, 1, 1), date(2020, 2, 1), ChartTheme.LIGHT)
        assertTrue(empty.contains("No readings yet"))
        val bad = assertThrows<PhrException.InvalidInput> { rec.insightChart(MetricKind.WEIGHT, today, from, ChartTheme.LIGHT) }
        assertEquals("date range", bad.field)
        rec.close()
    }

    @Test
    fun `labels for settings screens come from the core`() = runBlocking<Unit> {
        assertEquals("Blood pressure", insightCategoryLabel(InsightCategory.BLOOD_PRESSURE))
        assertEquals("Resting heart rate", metricKindLabel(MetricKind.RESTING_HEART_RATE))
        assertEquals("mmHg", metricKindUnit(MetricKind.BLOOD_PRESSURE_DIASTOLIC))
    }
}
