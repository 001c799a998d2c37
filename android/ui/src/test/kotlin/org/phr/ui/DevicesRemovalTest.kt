package org.phr.ui

import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextClearance
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.phr.ffi.DeviceRemoval
import org.phr.ffi.PhrException
import org.phr.ffi.PhrRecord
import org.phr.ffi.deviceJoinRequest
import org.phr.shared.PhrRepository
import java.io.File
import java.nio.file.Files

/**
 * Removing a device through the Devices screen over a real relay (issue 18, ADR 0048): this
 * phone alone only asks and says to confirm on another phone; a wrong recovery key says so;
 * the right one removes the tablet. Then the tablet, back with the recovery key, removes this
 * phone: its screen warns first, then says it was removed, and the recovery key typed here
 * brings it back.
 */
@OptIn(ExperimentalTestApi::class)
class DevicesRemovalTest {
    private val s = CatalogueStrings

    private fun ComposeUiTest.waitFor(m: SemanticsMatcher, ms: Long = 30_000) = waitForNode(m, ms)

    private fun ComposeUiTest.tapText(key: String, vararg args: Pair<String, String>) {
        val m = hasText(s.text(key, *args)) and tappable()
        waitFor(m)
        onNode(m).performScrollTo().performClick()
    }

    private fun ComposeUiTest.type(labelKey: String, text: String) {
        val label = s.text(labelKey)
        val field = hasSetTextAction() and (hasContentDescription(label) or hasText(label, substring = true))
        waitFor(field)
        onNode(field).performScrollTo().performTextClearance()
        onNode(field).performTextInput(text)
    }

    /** A tablet joins [repo]'s devices by the pairing check (tested on screen in DevicesPairingTest), and syncs. */
    private fun pairTablet(repo: PhrRepository, dir: File): PhrRecord = runBlocking {
        val offer = repo.deviceOffer()
        val pending = deviceJoinRequest(offer.payload(), "Tablet")
        val t = coroutineScope {
            val join = async(Dispatchers.IO) { pending.finish(File(dir, "tablet.phr").path, SoftwareKeyStore(), 30u) }
            assertEquals(pending.confirmationCode(), repo.deviceApprove(offer, 30u)!!.confirmationCode)
            repo.deviceConfirm(offer)
            join.await()!!
        }
        t.syncNow(null, null)
        t
    }

    @Test
    fun `asked here, confirmed with the recovery key, and a removed phone comes back with it`() {
        val dir = Files.createTempDirectory("phr-removal").toFile()
        val relay = TestRelay() // its own, so devices of other tests never meet this one
        val repo = demoRecord()
        var tablet: PhrRecord? = null
        try {
            val url = relay.url
            val key = runBlocking { repo.createRecoveryKey() }
            runBlocking { repo.syncStart(url, "Pixel 7") }
            // The tablet joins by the pairing check (tested on screen in DevicesPairingTest).
            val t = pairTablet(repo, dir)
            tablet = t
            val tabletId = runBlocking { t.devices() }.single { it.thisDevice }.id
            val phoneId = runBlocking { repo.devicesScreen() }.thisDevice!!.id

            runComposeUiTest {
                setContent { PhrApp(repo, host = AppHost(relayUrl = url, deviceName = "Pixel 7")) }
                openTab("ui.nav.settings")
                tapText("ui.settings.devices_link")
                tapText("ui.devices.sync_now")

                // This phone alone only asks, and says where to confirm.
                tapText("ui.devices.remove", "name" to tabletId)
                waitFor(hasText(s.text("ui.devices.remove_asked", "name" to tabletId)))
                waitFor(hasText(s.text("devices.removal_asked_here")))
                runBlocking { t.syncNow(null, null) }
                assertEquals("devices.removal_of_this_device", runBlocking { t.devicesScreen() }.warningKey, "the tablet is warned")

                // A wrong recovery key says so; the right one removes the tablet.
                tapText("ui.devices.use_recovery_key")
                type("ui.devices.recovery_key_field", "AAAA-BBBB-CCCC")
                tapText("ui.devices.recovery_key_remove", "name" to tabletId)
                waitFor(hasText(s.text("ui.devices.wrong_recovery_key")))
                type("ui.devices.recovery_key_field", key)
                tapText("ui.devices.recovery_key_remove", "name" to tabletId)
                waitFor(hasText(s.text("ui.devices.remove_done", "name" to tabletId)))
                assertThrows<PhrException.Denied> { runBlocking { t.syncNow(null, null) } }

                // The tablet comes back with the key, asks to remove this phone, then does it with the key.
                runBlocking {
                    t.recoverDevice(key)
                    t.syncNow(null, null)
                    assertTrue(t.removeDevice(phoneId) is DeviceRemoval.Pending)
                }
                tapText("ui.devices.sync_now")
                waitFor(hasText(s.text("devices.removal_of_this_device")))
                runBlocking { t.removeDeviceWithRecoveryKey(phoneId, key) }
                tapText("ui.devices.sync_now")
                waitFor(hasText(s.text("devices.this_removed")))

                // This phone comes back with the recovery key typed here.
                type("ui.devices.recovery_key_field", key)
                tapText("ui.devices.recover")
                waitFor(hasText(s.text("ui.devices.recovered")))
                waitOrFail("the phone to sync again") { onAllNodes(hasText(s.text("devices.this_removed"))).fetchSemanticsNodes().isEmpty() }
            }
            val active = runBlocking { t.devices() }.filter { it.active }
            assertEquals(2, active.size, "the tablet lists this phone again: $active")
        } finally {
            tablet?.close()
            repo.close()
            relay.close()
            dir.deleteRecursively()
        }
    }

    /**
     * A phone paired less than a day ago cannot remove another (ADR 0048: a thief who pairs
     * a phone of their own to a stolen one must not remove the owner's): the screen says so,
     * how long is left and what to do instead, and the recovery key still removes at once.
     */
    @Test
    fun `a phone added today is told to wait, and the recovery key still removes`() {
        val dir = Files.createTempDirectory("phr-removal-wait").toFile()
        val relay = TestRelay(newDeviceWaitSeconds = 86_400)
        val repo = demoRecord()
        var tablet: PhrRecord? = null
        try {
            val url = relay.url
            val key = runBlocking { repo.createRecoveryKey() }
            runBlocking { repo.syncStart(url, "Pixel 7") }
            val t = pairTablet(repo, dir)
            tablet = t
            val tabletId = runBlocking { t.devices() }.single { it.thisDevice }.id
            runComposeUiTest {
                setContent { PhrApp(repo, host = AppHost(relayUrl = url, deviceName = "Pixel 7")) }
                openTab("ui.nav.settings")
                tapText("ui.settings.devices_link")
                tapText("ui.devices.sync_now")
                tapText("ui.devices.remove", "name" to tabletId)
                waitFor(hasText(s.text("ui.devices.remove_too_new", "hours" to "24")))
                runBlocking { t.syncNow(null, null) }
                assertEquals(null, runBlocking { t.devicesScreen() }.warningKey, "nothing was asked: the tablet is not warned")
                tapText("ui.devices.use_recovery_key")
                type("ui.devices.recovery_key_field", key)
                tapText("ui.devices.recovery_key_remove", "name" to tabletId)
                waitFor(hasText(s.text("ui.devices.remove_done", "name" to tabletId)))
            }
            assertThrows<PhrException.Denied> { runBlocking { t.syncNow(null, null) } }
        } finally {
            tablet?.close()
            repo.close()
            relay.close()
            dir.deleteRecursively()
        }
    }
}
