package org.phr.ffi

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Test
import java.time.Duration
import java.time.Instant

/**
 * The rest of the screens (#15) through the real library, on the demo resident: insights,
 * sharing, devices, imports, settings; the notifications plan with its switches; and the
 * phone data hubs (Health Connect / HealthKit records in, deduplicated, unknown counted).
 */
class AppScreensTest {
    private val today = date(2026, 11, 1)

    @Test
    fun `the demo resident's insights, settings and devices screens`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        rec.fillDemo(today, null, null)
        val insights = rec.insightsScreen()
        assertTrue(insights.cards.isNotEmpty(), "the demo resident has alerts or suggestions")
        val alerts = insights.cards.filter { it.kind == "alert" }
        assertTrue(alerts.isNotEmpty(), "the demo resident's blood pressure gives an alert")
        assertTrue(alerts.all { it.source.isNotBlank() }, "every alert says what guidance it rests on")
        // The wording arrives as catalogue keys the app looks up, every one of them known.
        val labels = alerts.flatMap { listOf(it.title, it.guidance) + it.body }
        assertTrue(labels.all { catalogueText(it.key) != it.key }, "every alert's words are in the catalogue")
        val bpCard = alerts.first { it.category.contains("blood") }
        val text = bpCard.body.joinToString(" ") { l -> l.args.fold(catalogueText(l.key)) { t, a -> t.replace("{${a.name}}", a.value) } }
        assertFalse(text.contains("{"), "every placeholder filled: $text")
        assertEquals(InsightCategory.entries.size, insights.switches.size, "a switch per category")
        assertTrue(insights.switches.all { catalogueText(it.labelKey) != it.labelKey })

        val bp = insights.switches.first { it.category.contains("blood") }
        rec.setInsightCategoryEnabled(InsightCategory.BLOOD_PRESSURE, false)
        val after = rec.insightsScreen()
        assertFalse(after.switches.single { it.category == bp.category }.on)
        assertTrue(after.cards.none { it.category == bp.category }, "a switched-off category shows no card")

        // The same screen for a fixed day: the demo's day has its trends; a day before any
        // reading has none, and the cards are the alerts of that day only.
        val onDemoDay = rec.insightsScreenOn(today)
        assertTrue(onDemoDay.trends.isNotEmpty(), "the demo's readings give trends on its own day")
        val longBefore = rec.insightsScreenOn(date(2000, 1, 1))
        assertTrue(longBefore.trends.isEmpty(), "no trend before the first reading")
        assertEquals(onDemoDay.switches, rec.insightsScreen().switches, "switches do not depend on the day")

        val settings = rec.settingsScreen()
        assertFalse(settings.medicationReminders, "reminders are off until the owner asks")
        assertTrue(settings.categories.isNotEmpty())
        val devices = rec.devicesScreen()
        assertFalse(devices.syncSetUp)
        assertTrue(devices.others.isEmpty())
    }

    @Test
    fun `sharing lists grants with status and the plan warns of a share ending, never naming it`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        rec.addEntry("medications", EntryValue.Medication("Ramipril", dose = "5 mg"))
        val gp = Recipient("Dr Patel", "GP", RecipientCategory.HEALTH_PROFESSIONAL)
        val ending = rec.createGrant(GrantRequest(gp, listOf("medications"), "medication review", null, null,
            Instant.now().plus(Duration.ofHours(30))))
        val stopped = rec.createGrant(GrantRequest(gp, listOf("allergies"), "clinic", null, null, null))
        rec.revokeGrant(stopped.id)
        val sharing = rec.sharingScreen()
        assertEquals(listOf(ending.id, stopped.id), sharing.grants.map { it.id }, "active first, stopped last")
        assertEquals(1u, sharing.active)
        assertTrue(sharing.grants[0].canRevoke && !sharing.grants[1].canRevoke)

        val plan = rec.notificationsDue(Instant.now().toEpochMilli())
        val share = plan.filter { it.kind == NotificationKind.SHARE_ENDING }
        assertEquals(1, share.size, plan.toString())
        assertEquals(ending.id, share[0].targetId)
        val shown = plan.joinToString { catalogueText(it.title.key) + " " + catalogueText(it.body.key) + it.body.args }
        assertFalse(shown.contains("Ramipril") || shown.contains("Patel"), "lock-screen text names nobody and no medicine: $shown")
    }

    @Test
    fun `medicine reminders are planned only once switched on`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        rec.addEntryFromForm("medications", null, mapOf("name" to "Metformin", "dose" to "500 mg"))
        val now = Instant.now().toEpochMilli()
        assertTrue(rec.notificationsDue(now).none { it.kind == NotificationKind.MEDICATION_REMINDER })
        val prefs = rec.appPreferences()
        rec.setAppPreferences(prefs.copy(medicationReminders = true))
        val reminders = rec.notificationsDue(now).filter { it.kind == NotificationKind.MEDICATION_REMINDER }
        assertEquals(1, reminders.size)
        assertTrue(reminders[0].daily && reminders[0].atMs > now)
    }

    @Test
    fun `Health Connect records land once, converted, and unknown types are counted`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        val t0 = 1_790_000_000_000L
        val records = listOf(
            PlatformRecord("WeightRecord", t0, t0, 180.0, "lb", null, null, null, null, "Pixel Watch"),
            PlatformRecord("StepsRecord", t0, t0 + 3_600_000, 4200.0, "", null, null, null, null, "Pixel Watch"),
            PlatformRecord("MindfulnessSessionRecord", t0, t0 + 600_000, 1.0, "", null, null, null, null, "Pixel Watch"),
        )
        val first = rec.ingestPlatformRecords(PlatformSource.HEALTH_CONNECT, records)
        assertEquals(2uL, first.samplesAdded)
        assertEquals(listOf("MindfulnessSessionRecord"), first.unknown.map { it.recordType })
        val weight = rec.samples(SampleKind.WEIGHT, t0 - 1, t0 + 1).single()
        assertEquals(81.65, weight.value, 0.01, "pounds are stored as kilograms")
        val again = rec.ingestPlatformRecords(PlatformSource.HEALTH_CONNECT, records)
        assertEquals(0uL, again.samplesAdded, "reading the same records again adds nothing")
        assertTrue(rec.importsScreen().imports.isNotEmpty(), "the read is in the import history")
    }
}
