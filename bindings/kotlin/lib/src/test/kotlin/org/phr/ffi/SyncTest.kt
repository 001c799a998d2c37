package org.phr.ffi

import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * Sync between two devices (#8) through the generated Kotlin against the real `phr-relay`:
 * switch sync on, pair a tablet by the QR-code flow (both screens show the same code, and
 * the keys leave only after the owner confirms it),
 * edits travel both ways with the losing value kept in the history, a removed device is
 * refused.
 */
class SyncTest {
    @Test
    fun `two devices pair by QR code, converge, and a removed one is refused`() = RelayProcess().use { relay ->
        runBlocking {
            val (phone, _) = newRecord()
            val med = phone.addEntry("medications", EntryValue.Medication("Ramipril", dose = "5 mg"))
            assertFalse(phone.syncEnabled())
            val recoveryKey = phone.createRecoveryKey()
            phone.syncStart(relay.url, "phone")
            assertTrue(phone.syncEnabled())
            assertTrue(phone.syncNow(null, null).pushed > 0uL)

            val offer = phone.deviceOffer()
            assertTrue(offer.payload().startsWith("phr-pair:1:"))
            assertTrue(offer.qrSvg().contains("<svg"))
            val pending = deviceJoinRequest(offer.payload(), "tablet")
            val (added, tablet) = coroutineScope {
                val join = async { pending.finish(tempDir().resolve("tablet.phr").toString(), AesGcmTestKeyStore(), 10u) }
                // The phone learns the code and sends nothing; the keys leave only once the
                // owner confirms both screens show the same code.
                val added = phone.deviceApprove(offer, 10u)
                assertEquals(pending.confirmationCode(), added!!.confirmationCode, "both screens show the same code")
                assertEquals(added.id, phone.deviceConfirm(offer))
                added to join.await()
            }
            assertTrue(added.id.isNotEmpty())

            assertTrue(tablet.syncNow(null, null).applied > 0uL)
            assertEquals(listOf(med.value), tablet.listEntries("medications", false, false).map { it.value })

            tablet.editEntry(med.id, EntryValue.Medication("Ramipril", dose = "10 mg"))
            tablet.syncNow(null, null)
            phone.syncNow(null, null)
            val onPhone = phone.entry(med.id)
            assertEquals(EntryValue.Medication("Ramipril", dose = "10 mg"), onPhone.value)
            assertEquals(1, onPhone.history.size, "the 5 mg value is kept in the history")

            val devices = phone.devices()
            assertEquals(listOf(false, true), devices.map { it.thisDevice }.sorted())
            assertTrue(devices.all { it.active })
            val lost = devices.single { !it.thisDevice }
            // The phone alone only asks (ADR 0048); the recovery key removes.
            assertTrue(phone.removeDevice(lost.id) is DeviceRemoval.Pending)
            assertEquals(lost.id, phone.devices().single { !it.thisDevice }.id)
            assertEquals(1u, phone.removeDeviceWithRecoveryKey(lost.id, recoveryKey))
            assertThrows<PhrException.Denied> { runBlocking { tablet.syncNow(null, null) } }
            assertFalse(phone.devices().single { it.id == lost.id }.active)
            // The tablet comes back with the recovery key.
            val back = tablet.recoverDevice(recoveryKey)
            tablet.syncNow(null, null)
            assertTrue(phone.devices().single { it.id == back }.active)
            phone.close()
            tablet.close()
        }
    }
}
