package org.phr.shared

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import org.phr.ffi.AuditAction
import org.phr.ffi.Grant
import org.phr.ffi.GrantRequest
import org.phr.ffi.GrantStatus
import org.phr.ffi.PhrException
import org.phr.ffi.PrivacyLevel
import org.phr.ffi.Recipient
import org.phr.ffi.ShareLinkOptions
import java.time.Duration
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter

/** One share on the "Who can see my record" list. */
data class ShareRow(
    val grantId: String,
    val who: String,
    val purpose: String,
    val sections: List<String>,
    /** "Active until 3 Dec 2026", "Revoked", "Expired"... */
    val status: String,
    val active: Boolean,
    val byLink: Boolean,
)

/** One line of "who saw what, when", newest first. */
data class AccessLine(val whenText: String, val text: String)

/** A link just made or shown again: the QR code and what to tell the recipient. */
data class LinkView(val grantId: String, val qrSvg: String, val qrPng: ByteArray, val viewerUrl: String, val passcodeRequired: Boolean)

/** A section the owner may pick to share (switched on and not "Only me"). */
data class SectionChoice(val id: String, val title: String, val sensitive: Boolean)

data class SharingState(
    val choices: List<SectionChoice> = emptyList(),
    val shares: List<ShareRow> = emptyList(),
    val history: List<AccessLine> = emptyList(),
    val link: LinkView? = null,
    val message: String? = null,
    val busy: Boolean = false,
)

/**
 * The sharing screen: share chosen sections with someone, for a purpose and a time, as a
 * link and QR code; see who can see what and who opened it; take any share back.
 *
 * It talks to [relayUrl] only when the owner presses share, revoke or refresh: the app
 * never contacts anyone unasked. Every rule (what may be shared with whom) is the core's;
 * a refusal arrives as a message naming what to change.
 */
class SharingModel(private val repo: PhrRepository, private val relayUrl: String, private val zone: ZoneId = ZoneId.systemDefault()) {
    private val _state = MutableStateFlow(SharingState())
    val state: StateFlow<SharingState> = _state.asStateFlow()

    suspend fun load() = attempt { reload() }

    /** Shares [sections] with [recipient] for [days] days (null: until revoked). */
    suspend fun share(recipient: Recipient, sections: List<String>, purpose: String, days: Long?, passcode: String?) = attempt {
        val expiry = days?.let { Instant.now().plus(Duration.ofDays(it)) }
        val out = repo.shareLink(GrantRequest(recipient, sections, purpose, null, null, expiry), ShareLinkOptions(relayUrl, passcode?.ifBlank { null }))
        _state.value = _state.value.copy(link = LinkView(out.grant.id, out.qrSvg, out.qrPng, out.viewerUrl, out.passcodeRequired))
        reload()
    }

    /** Shows the QR code of an existing link again (offline). */
    suspend fun showLink(grantId: String) = attempt {
        val out = repo.sharedLink(grantId)
        _state.value = _state.value.copy(link = LinkView(grantId, out.qrSvg, out.qrPng, out.viewerUrl, out.passcodeRequired))
    }

    /** Puts the record as it is now behind an existing link (same QR code): the emergency card after a change. */
    suspend fun update(grantId: String) = attempt {
        val out = repo.updateSharedLink(grantId)
        _state.value = _state.value.copy(link = LinkView(grantId, out.qrSvg, out.qrPng, out.viewerUrl, out.passcodeRequired))
        reload()
    }

    /** Takes a share back; for a link, the relay's copy is deleted first. */
    suspend fun revoke(grantId: String) = attempt {
        val byLink = _state.value.shares.firstOrNull { it.grantId == grantId }?.byLink ?: true
        if (byLink) repo.revokeShare(grantId) else repo.revokeGrant(grantId)
        _state.value = _state.value.copy(link = _state.value.link?.takeIf { it.grantId != grantId })
        reload()
    }

    /** Asks the relay who opened the owner's links. */
    suspend fun refresh() = attempt {
        repo.refreshShares()
        reload()
    }

    fun dismissMessage() {
        _state.value = _state.value.copy(message = null)
    }

    private suspend fun reload() {
        val sections = repo.sections()
        val titles = sections.associate { it.id to it.title }
        val choices = sections.filter { it.enabled && it.privacy != PrivacyLevel.PRIVATE }.map { SectionChoice(it.id, it.title, it.privacy == PrivacyLevel.SENSITIVE) }
        val shares = repo.grants().asReversed().map { g -> row(g, titles) }
        val history = repo.auditLog().asReversed().mapNotNull { e ->
            val what = when (e.action) {
                AuditAction.REMOTE_FETCH -> "${e.actor} opened your shared record"
                AuditAction.REMOTE_REFUSED -> "${e.actor} was refused (${e.detail.removePrefix("relay: ").replace('_', ' ')})"
                AuditAction.READ -> "Prepared ${e.sections.joinToString { titles[it] ?: it }} for ${e.actor}"
                AuditAction.GRANT_CREATED -> "You shared ${e.sections.joinToString { titles[it] ?: it }} with ${e.actor}"
                AuditAction.GRANT_REVOKED -> "You stopped sharing with ${e.actor}"
                AuditAction.REPLY_RECEIVED -> "${e.actor} replied: ${e.detail.removePrefix("reply: ")}"
                AuditAction.ANSWER_SENT -> "You answered ${e.actor}: ${e.detail.removePrefix("answer: ")}"
                AuditAction.PASSCODE_TRIES_RESET -> "You let ${e.actor} try the passcode again"
                AuditAction.DENIED -> "A request from ${e.actor} was refused"
            }
            AccessLine(DAY_TIME.format(e.at.atZone(zone)), what)
        }
        _state.value = _state.value.copy(choices = choices, shares = shares, history = history)
    }

    private fun row(g: Grant, titles: Map<String, String>): ShareRow {
        val status = when (g.status) {
            GrantStatus.ACTIVE -> g.expiry?.let { "Active until ${DAY.format(it.atZone(zone))}" } ?: "Active until you stop it"
            GrantStatus.NOT_YET_VALID -> "Starts ${DAY.format(g.start.atZone(zone))}"
            GrantStatus.EXPIRED -> "Expired"
            GrantStatus.REVOKED -> "Revoked"
        }
        return ShareRow(g.id, "${g.recipient.name} (${g.recipient.role})", g.purpose, g.sections.map { titles[it] ?: it }, status, g.status == GrantStatus.ACTIVE, g.sharedByLink)
    }

    private suspend fun attempt(block: suspend () -> Unit) {
        _state.value = _state.value.copy(busy = true, message = null)
        try {
            block()
        } catch (e: PhrException) {
            _state.value = _state.value.copy(message = UserMessages.of(e))
        } finally {
            _state.value = _state.value.copy(busy = false)
        }
    }

    companion object {
        private val DAY = DateTimeFormatter.ofPattern("d MMM yyyy")
        private val DAY_TIME = DateTimeFormatter.ofPattern("d MMM yyyy HH:mm")
    }
}
