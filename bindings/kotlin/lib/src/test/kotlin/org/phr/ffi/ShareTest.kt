package org.phr.ffi

import com.nimbusds.jose.JWEObject
import com.nimbusds.jose.crypto.DirectDecrypter
import com.nimbusds.jose.util.JSONObjectUtils
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.net.ServerSocket
import java.time.Duration
import java.time.Instant
import java.util.Base64

/**
 * SMART Health Links from the app (#6) against the real `phr-relay` on 127.0.0.1: publish,
 * open as the recipient would (passcode, JWE decrypted with nimbus-jose-jwt, not our code),
 * see the openings in the audit log, revoke, and a relay out of reach shares nothing.
 */
class ShareTest {
    private lateinit var relay: RelayProcess
    private lateinit var relayUrl: String
    private val gp = Recipient("Dr Patel", "GP", RecipientCategory.HEALTH_PROFESSIONAL)

    @BeforeEach
    fun startRelay() {
        relay = RelayProcess()
        relayUrl = relay.url
    }

    @AfterEach
    fun stopRelay() = relay.close()

    @Test
    fun `a shared link opens for the recipient with the passcode, shows only the granted section, is audited and revoked`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        val ramipril = rec.addEntry("medications", EntryValue.Medication("Ramipril", dose = "5 mg"))
        rec.addEntry("allergies", EntryValue.Allergy("Penicillin", Severity.SEVERE, AllergyKind.ALLERGY))
        val expiry = Instant.now().plus(Duration.ofDays(2))
        val shared = runBlocking {
            rec.shareLink(GrantRequest(gp, listOf("medications"), "medication review", null, null, expiry), ShareLinkOptions(relayUrl, passcode = "4821"))
        }
        assertTrue(shared.grant.sharedByLink)
        assertEquals(GrantStatus.ACTIVE, shared.grant.status)
        assertTrue(shared.passcodeRequired)
        assertEquals(expiry.epochSecond, shared.expires!!.epochSecond)
        assertTrue(shared.viewerUrl.startsWith("$relayUrl/view#shlink:/"), shared.viewerUrl)
        assertTrue(shared.qrSvg.contains("<svg"))
        assertEquals(shared.shlink, rec.sharedLink(shared.grant.id).shlink, "shown again offline, the same link")

        // The recipient's side, from the link alone.
        val payload = JSONObjectUtils.parse(String(Base64.getUrlDecoder().decode(shared.shlink.removePrefix("shlink:/"))))
        val manifestUrl = payload["url"] as String
        assertTrue(manifestUrl.startsWith(relayUrl))
        assertEquals("P", payload["flag"])
        val wrong = http("POST", manifestUrl, """{"recipient":"Dr Patel","passcode":"0000"}""")
        assertEquals(401, wrong.first)
        val open = {
            val m = http("POST", manifestUrl, """{"recipient":"Dr Patel","passcode":"4821"}""")
            assertEquals(200, m.first, m.second)
            assertFalse(m.second.contains("Ramipril"), "the relay holds ciphertext only")
            val file = (JSONObjectUtils.parse(m.second)["files"] as List<*>).single() as Map<*, *>
            assertEquals("application/fhir+json", file["contentType"])
            val jwe = JWEObject.parse(file["embedded"] as String)
            jwe.decrypt(DirectDecrypter(Base64.getUrlDecoder().decode(payload["key"] as String)))
            jwe.payload.toString()
        }
        val bundle = open()
        assertTrue(bundle.contains("\"resourceType\":\"Bundle\""), bundle.take(200))
        assertTrue(bundle.contains("Ramipril"))
        assertFalse(bundle.contains("Penicillin"), "allergies were not granted")
        assertFalse(bundle.contains("10 mg"))

        // The dose changes: the same link now shows it.
        rec.editEntry(ramipril.id, EntryValue.Medication("Ramipril", dose = "10 mg"))
        assertEquals(shared.shlink, runBlocking { rec.updateSharedLink(shared.grant.id) }.shlink)
        assertTrue(open().contains("10 mg"))

        // The owner sees who opened it, and who was refused.
        val activity = runBlocking { rec.refreshShares() }
        assertEquals(3uL, activity.accessEvents, "two openings and one refusal")
        val actions = rec.auditLog().map { it.action }
        assertTrue(AuditAction.REMOTE_FETCH in actions && AuditAction.REMOTE_REFUSED in actions, "$actions")
        assertEquals(0uL, runBlocking { rec.refreshShares() }.accessEvents, "nothing new the second time")

        val revoked = runBlocking { rec.revokeShare(shared.grant.id) }
        assertEquals(GrantStatus.REVOKED, revoked.status)
        assertEquals(404, http("POST", manifestUrl, """{"recipient":"Dr Patel","passcode":"4821"}""").first, "the relay's copy is gone")
        assertTrue(rec.verifyAudit().ok)
        rec.close()
    }

    @Test
    fun `a relay out of reach shares nothing and says so`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        rec.addEntry("medications", EntryValue.Medication("Ramipril", dose = "5 mg"))
        val closed = "http://127.0.0.1:" + ServerSocket(0).use { it.localPort }
        assertThrows<PhrException.Network> {
            runBlocking { rec.shareLink(GrantRequest(gp, listOf("medications"), "review", null, null, null), ShareLinkOptions(closed)) }
        }
        assertTrue(rec.grants().none { it.status == GrantStatus.ACTIVE }, "the grant made for it was revoked again")
        // The consent rules still apply before anything is sent.
        rec.setSectionPrivacy("medications", PrivacyLevel.PRIVATE)
        val e = assertThrows<PhrException.InvalidInput> {
            runBlocking { rec.shareLink(GrantRequest(gp, listOf("medications"), "review", null, null, null), ShareLinkOptions(relayUrl)) }
        }
        assertEquals("sections", e.field)
        assertThrows<PhrException.NotFound> { rec.sharedLink(rec.grants().first().id) }
        rec.close()
    }

    @Test
    fun `an emergency card update missed while the relay was down is sent when the owner checks their shares`() =
        missedCardUpdate { rec -> rec.refreshShares() }

    @Test
    fun `an emergency card update missed while the relay was down is sent after the next sync`() =
        missedCardUpdate(beforeDown = { rec -> rec.syncStart(relayUrl, "phone"); rec.syncNow(null, null) }) { rec -> rec.syncNow(null, null) }

    /**
     * The emergency card is made, the relay goes down, a medication is added (its automatic
     * refresh fails), the relay comes back: the card still shows the old list and the sharing
     * screen says so, until [catchUp] sends the update (on a thread of its own after a sync,
     * so the card is polled for a while).
     */
    private fun missedCardUpdate(beforeDown: suspend (PhrRecord) -> Unit = {}, catchUp: suspend (PhrRecord) -> Unit) = runBlocking<Unit> {
        val logger = CollectingLogger()
        setLogger(logger, LogLevel.WARN)
        try {
            val (rec, _) = newRecord()
            rec.addEntry("medications", EntryValue.Medication("Ramipril", dose = "2.5 mg"))
            val card = rec.shareLink(
                GrantRequest(Recipient("Emergency care", "paramedic", RecipientCategory.HEALTH_PROFESSIONAL), listOf("emergency"), "emergency", null, null, null),
                ShareLinkOptions(relayUrl, longTerm = true),
            )
            beforeDown(rec)
            val payload = JSONObjectUtils.parse(String(Base64.getUrlDecoder().decode(card.shlink.removePrefix("shlink:/"))))
            val open = {
                val m = http("POST", payload["url"] as String, """{"recipient":"Paramedic"}""")
                assertEquals(200, m.first, m.second)
                val file = (JSONObjectUtils.parse(m.second)["files"] as List<*>).single() as Map<*, *>
                val jwe = JWEObject.parse(file["embedded"] as String)
                jwe.decrypt(DirectDecrypter(Base64.getUrlDecoder().decode(payload["key"] as String)))
                jwe.payload.toString()
            }
            relay.downWhile {
                runBlocking { rec.addEntry("medications", EntryValue.Medication("Apixaban", dose = "5 mg")) }
                // The card's refresh runs on a thread of its own: wait until it has failed.
                val deadline = System.nanoTime() + 10_000_000_000L
                while (logger.lines.none { it.contains("emergency card not refreshed") }) {
                    check(System.nanoTime() < deadline) { "the refresh never failed: ${logger.lines}" }
                    Thread.sleep(20)
                }
            }
            assertTrue(open().let { it.contains("Ramipril") && !it.contains("Apixaban") }, "the card still shows what it showed")
            val owed = rec.sharingScreen().grants.single { it.id == card.grant.id }.updateOwedLabel
            assertEquals("share.update_owed", owed?.key, "the sharing screen says the card is behind")
            assertTrue(logger.lines.none { it.contains("Apixaban") || it.contains("Ramipril") }, "no health data in the log: ${logger.lines}")

            catchUp(rec)
            // After a sync the catch-up runs on its own thread: the card first, then the note.
            val deadline = System.nanoTime() + 10_000_000_000L
            while (!open().contains("Apixaban") || rec.sharingScreen().grants.single { it.id == card.grant.id }.updateOwedLabel != null) {
                check(System.nanoTime() < deadline) { "the card never got the update it missed, or still says it is behind" }
                Thread.sleep(50)
            }
            rec.close()
        } finally {
            setLogger(null, LogLevel.WARN)
        }
    }
}
