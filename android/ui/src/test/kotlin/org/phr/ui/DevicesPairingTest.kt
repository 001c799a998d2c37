package org.phr.ui

import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.phr.ffi.PhrRecord
import org.phr.ffi.deviceJoinRequest
import java.io.File
import java.nio.file.Files
import java.util.concurrent.atomic.AtomicReference
import kotlin.concurrent.thread

/**
 * Adding a phone through the Devices screen over a real relay (the `phr-relay` binary the
 * bindings tests use): turn sync on, show the code (the core's real QR SVG, drawn by
 * [QrImage]), a second device joins with the code's text, both show the same six digits,
 * the person confirms, and the second device ends up with the record.
 */
@OptIn(ExperimentalTestApi::class)
class DevicesPairingTest {
    private val s = CatalogueStrings

    private fun ComposeUiTest.waitFor(m: SemanticsMatcher, ms: Long = 30_000) =
        waitForNode(m, ms)

    private fun ComposeUiTest.tapText(key: String) {
        val m = hasText(s.text(key)) and tappable()
        waitFor(m)
        onNode(m).performScrollTo().performClick()
    }

    @Test
    fun `turn on sync, show the code, the other device joins, the numbers match, it is added`() {
        val dir = Files.createTempDirectory("phr-pairing").toFile()
        val relay = TestRelay() // its own, so devices of other tests never meet this one
        val repo = demoRecord()
        val joined = AtomicReference<PhrRecord?>()
        val joinCode = AtomicReference<String?>()
        val joinError = AtomicReference<Throwable?>()
        try {
            val host = AppHost(relayUrl = relay.url, deviceName = "Pixel 7")
            runComposeUiTest {
                setContent { PhrApp(repo, host = host) }
                openTab("ui.nav.settings")
                tapText("ui.settings.devices_link")
                tapText("ui.devices.start")
                tapText("ui.devices.add")

                // The core's QR code is on screen, and the text beside it carries the same payload.
                waitFor(hasContentDescription(s.text("ui.devices.qr")))
                val prefix = s.text("ui.devices.or_type", "code" to "")
                val shown = onAllNodes(hasText(prefix, substring = true)).fetchSemanticsNodes()
                    .firstNotNullOf { n -> n.config.getOrNull(SemanticsProperties.Text)?.joinToString("") { it.text } }
                val payload = shown.removePrefix(prefix).trim()

                // The other device, on its own thread: it scans (here: reads) the code and waits for the welcome.
                val other = thread(name = "other-device") {
                    try {
                        val pending = deviceJoinRequest(payload, "Tablet")
                        joinCode.set(pending.confirmationCode())
                        val path = File(dir, "other/record.phr").also { it.parentFile.mkdirs() }.path
                        joined.set(runBlocking { pending.finish(path, SoftwareKeyStore(), 60u) })
                    } catch (e: Throwable) {
                        joinError.set(e)
                    }
                }
                tapText("ui.devices.wait")
                waitOrFail("the other device to get its code", 30_000) { joinCode.get() != null || joinError.get() != null }
                val code = joinCode.get() ?: throw AssertionError("the other device could not join", joinError.get())
                // Both show the same number: the person checks it and confirms.
                waitFor(hasText(s.text("ui.devices.check", "code" to code)))
                tapText("ui.devices.match")
                waitFor(hasText(s.text("ui.devices.added")))
                other.join(60_000)
            }
            assertEquals(null, joinError.get())
            val record = joined.get()
            assertNotNull(record, "the other device got no record")
            record?.close()
            assertTrue(runBlocking { repo.devicesScreen() }.syncSetUp)
            assertTrue(parseQrSvg(runBlocking { repo.deviceOffer() }.qrSvg())!!.dark.size > 100, "the core's QR SVG did not parse")
        } finally {
            repo.close()
            relay.close()
            dir.deleteRecursively()
        }
    }
}
