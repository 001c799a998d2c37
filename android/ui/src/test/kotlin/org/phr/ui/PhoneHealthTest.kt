package org.phr.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.phr.ffi.PlatformIngestReport
import org.phr.ffi.PlatformRecord
import org.phr.ffi.PlatformSource
import org.phr.ffi.SampleKind
import org.phr.shared.PhrRepository
import java.time.Instant
import java.time.temporal.ChronoUnit
import java.util.concurrent.atomic.AtomicInteger

/**
 * The phone's health app on the Connect screen: nothing is asked or read until the person
 * taps, and what the platform hands over goes through the core's real mapping into the
 * record. Health Connect itself cannot run here; this host returns what its reader would
 * hand the core (the same flat records `HealthConnectReader` builds).
 */
@OptIn(ExperimentalTestApi::class)
class PhoneHealthTest {
    private val s = CatalogueStrings

    private class PhoneHost(private val repo: PhrRepository) : AppHost() {
        val asked = AtomicInteger()
        override val phoneHealthName = "Health Connect"

        override suspend fun readPhoneHealth(): PlatformIngestReport {
            asked.incrementAndGet()
            val now = Instant.now().truncatedTo(ChronoUnit.MINUTES)
            val records = (1..5L).flatMap { d ->
                val day = now.minus(d, ChronoUnit.DAYS)
                listOf(
                    record("StepsRecord", day.minus(1, ChronoUnit.HOURS), day, 4000.0 + d * 100, "count"),
                    record("WeightRecord", day, day, 80.0 - d * 0.1, "kilograms"),
                )
            }
            return repo.ingestPlatformRecords(PlatformSource.HEALTH_CONNECT, records)
        }

        private fun record(type: String, start: Instant, end: Instant, value: Double, unit: String) = PlatformRecord(
            recordType = type, startMs = start.toEpochMilli(), endMs = end.toEpochMilli(), value = value, unit = unit,
            diastolic = null, subtype = null, distanceM = null, energyKcal = null, source = "Pixel Watch 2",
        )
    }

    @Test
    fun `nothing is read until the tap, then the phone's readings are in the record`() {
        val repo = demoRecord()
        val host = PhoneHost(repo)
        try {
            runComposeUiTest {
                setContent { PhrApp(repo, host = host) }
                openTab("ui.nav.settings")
                val link = hasText(s.text("ui.settings.connect_link")) and tappable()
                waitForNode(link)
                onNode(link).performScrollTo().performClick()
                val read = hasText(s.text("ui.connect.phone_health_read", "app" to "Health Connect")) and tappable()
                waitForNode(read)
                assertEquals(0, host.asked.get(), "the phone's health app was asked before the tap")

                onNode(read).performScrollTo().performClick()
                waitForNode(hasText(s.text("ui.connect.health_done", "readings" to 10, "activities" to 0)))
                assertEquals(1, host.asked.get())
            }
            val weights = runBlocking { repo.samples(SampleKind.WEIGHT, Instant.now().minus(7, ChronoUnit.DAYS).toEpochMilli(), Instant.now().toEpochMilli()) }
            assertTrue(weights.any { kotlin.math.abs(it.value - 79.9) < 1e-6 }, "the phone's weight is not in the record: $weights")
        } finally {
            repo.close()
        }
    }
}
