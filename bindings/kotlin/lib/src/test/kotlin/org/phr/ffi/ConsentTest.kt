package org.phr.ffi

import kotlinx.coroutines.runBlocking

import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.time.Duration
import java.time.Instant

/** Consent (#6) through the real library: grants, revoking, the audit chain. */
class ConsentTest {
    private val gp = Recipient("Dr Patel", "GP", RecipientCategory.HEALTH_PROFESSIONAL)

    @Test
    fun `a grant is listed, then revoked, and the audit chain records both and verifies`() = runBlocking<Unit> {
        val ks = AesGcmTestKeyStore()
        val (rec, path) = newRecord(ks)
        rec.addEntry("medications", EntryValue.Medication("Ramipril", dose = "5 mg"))
        val expiry = Instant.now().plus(Duration.ofDays(7))
        val g = rec.createGrant(GrantRequest(gp, listOf("medications", "allergies"), "medication review", null, null, expiry))
        assertEquals(GrantStatus.ACTIVE, g.status)
        assertEquals(listOf("medications", "allergies"), g.sections)
        assertEquals(expiry.epochSecond, g.expiry!!.epochSecond)
        assertFalse(g.sharedByLink)
        assertEquals(listOf(g.id), rec.grants().map { it.id })

        val revoked = rec.revokeGrant(g.id)
        assertEquals(GrantStatus.REVOKED, revoked.status)
        assertNotNull(revoked.revokedAt)
        assertEquals(GrantStatus.REVOKED, rec.grant(g.id).status)
        rec.close()

        val reopened = PhrRecord.open(path.toString(), ks)
        val log = reopened.auditLog()
        assertEquals(listOf(AuditAction.GRANT_CREATED, AuditAction.GRANT_REVOKED), log.map { it.action })
        assertEquals(listOf(1L, 2L), log.map { it.seq })
        assertTrue(log.all { it.actor == "Dr Patel" && it.grantId == g.id })
        val v = reopened.verifyAudit()
        assertTrue(v.ok, "${v.problem}")
        assertEquals(2uL, v.entries)
        assertNull(v.problemSeq)
        reopened.close()
    }

    @Test
    fun `the consent rules refuse what may never be shared, with the field named`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        // Stress is never for an employer, even when the owner made it shareable.
        rec.setSectionEnabled("stress", true)
        rec.setSectionPrivacy("stress", PrivacyLevel.SHAREABLE)
        val boss = Recipient("Acme Ltd", "HR", RecipientCategory.EMPLOYER)
        val e = assertThrows<PhrException.InvalidInput> { rec.createGrant(GrantRequest(boss, listOf("stress"), "fitness to work", null, null, null)) }
        assertEquals("sections", e.field)
        // A private section is never shared with anyone.
        rec.setSectionPrivacy("medications", PrivacyLevel.PRIVATE)
        assertThrows<PhrException.InvalidInput> { rec.createGrant(GrantRequest(gp, listOf("medications"), "review", null, null, null)) }
        val now = Instant.now()
        val exp = assertThrows<PhrException.InvalidInput> {
            rec.createGrant(GrantRequest(gp, listOf("allergies"), "review", null, now, now.minusSeconds(60)))
        }
        assertEquals("expiry", exp.field)
        assertThrows<PhrException.InvalidInput> { rec.createGrant(GrantRequest(gp.copy(name = " "), listOf("allergies"), "review", null, null, null)) }
        // `all` never expands to sensitive or private sections.
        rec.setSectionPrivacy("stress", PrivacyLevel.SENSITIVE)
        val all = rec.createGrant(GrantRequest(gp, listOf("all"), "second opinion", null, null, null))
        assertTrue("allergies" in all.sections)
        assertFalse("medications" in all.sections, "made private above")
        assertFalse("stress" in all.sections, "sensitive: only when named")
        assertTrue(rec.grants().size == 1, "refused requests stored nothing")
        val nf = assertThrows<PhrException.NotFound> { rec.revokeGrant("no-such-grant") }
        assertEquals("grant", nf.what)
        assertTrue(rec.verifyAudit().ok)
        rec.close()
    }

    @Test
    fun `a grant that starts later is not yet valid`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        val start = Instant.now().plus(Duration.ofDays(1))
        val g = rec.createGrant(GrantRequest(gp, listOf("emergency"), "emergency card", null, start, null))
        assertEquals(GrantStatus.NOT_YET_VALID, g.status)
        assertTrue(g.sections.containsAll(listOf("allergies", "medications")), "${g.sections}")
        rec.close()
    }
}
