package org.phr.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.phr.ffi.GrantRequest
import org.phr.ffi.PhrException
import org.phr.ffi.Recipient
import org.phr.ffi.RecipientCategory
import org.phr.ffi.ShareLinkOptions
import java.security.SecureRandom
import java.time.Duration
import java.time.Instant
import java.util.Base64
import javax.crypto.Cipher
import javax.crypto.spec.GCMParameterSpec
import javax.crypto.spec.SecretKeySpec

/**
 * A pharmacist replies to the owner's question (as the browser viewer does, through a real
 * relay); the Sharing screen shows the reply with its text and an answer box; the owner
 * answers once, the box goes and the sent answer shows in its place.
 */
@OptIn(ExperimentalTestApi::class)
class AnswerReplyTest {
    private val s = CatalogueStrings

    @Test
    fun `the owner reads the reply and answers it once`() {
        assumeTrue(TestRelay.available() || System.getenv("CI") == "true", "phr-relay not built")
        val repo = demoRecord()
        try {
            val link = runBlocking {
                repo.shareLink(
                    GrantRequest(
                        Recipient("Sam Okafor", "Pharmacist", RecipientCategory.HEALTH_PROFESSIONAL), listOf("medications"),
                        AdviceHolder.PURPOSE_ADVICE, "Can I take ibuprofen?", null, Instant.now().plus(Duration.ofDays(7)),
                    ),
                    ShareLinkOptions(TestRelay.shared.url),
                )
            }
            val replyText = "Better not: take paracetamol instead."
            assertEquals(201, postReply(link.viewerUrl, "Sam Okafor", replyText))
            runBlocking { repo.refreshShares() }
            val answerText = "Thank you, I will take paracetamol."
            runComposeUiTest {
                setContent { PhrApp(repo) }
                openTab("ui.nav.sharing")
                waitForNode(hasText(replyText, substring = true))
                val box = hasSetTextAction() and hasContentDescription(s.text("ui.sharing.answer"))
                waitForNode(box)
                onNode(box).performScrollTo().performTextInput(answerText)
                val send = hasContentDescription(s.text("ui.sharing.answer_send_to", "name" to "Sam Okafor")) and tappable()
                waitForNode(send)
                onNode(send).performScrollTo().performClick()
                waitForNode(hasText(s.text("ui.sharing.answer_done")))
                waitOrFail("the answer box to go") { onAllNodes(box).fetchSemanticsNodes().isEmpty() }
                val answered = s.text("ui.sharing.answered", "date" to "§", "text" to answerText)
                waitForNode(hasText(answered.substringBefore("§"), substring = true) and hasText(answered.substringAfter("§"), substring = true))
            }
            val grant = runBlocking { repo.grants() }.first { it.id == link.grant.id }
            assertEquals(answerText, grant.answer?.text)
            val again = assertThrows<PhrException.InvalidInput> { runBlocking { repo.answerReply(link.grant.id, "One more thing") } }
            assertEquals("already_answered", again.field)
        } finally {
            repo.close()
        }
    }

    /** What the viewer's reply box sends: `{from, text}` as a compact JWE (dir, A256GCM) under the link's key. */
    private fun postReply(viewerUrl: String, from: String, text: String): Int {
        val (url, key) = shlTarget(viewerUrl)
        val b64 = Base64.getUrlEncoder().withoutPadding()
        val header = b64.encodeToString("""{"alg":"dir","enc":"A256GCM","cty":"application/json"}""".toByteArray())
        val iv = ByteArray(12).also { SecureRandom().nextBytes(it) }
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.ENCRYPT_MODE, SecretKeySpec(key, "AES"), GCMParameterSpec(128, iv))
        cipher.updateAAD(header.toByteArray())
        val sealed = cipher.doFinal("""{"from":"$from","text":"$text"}""".toByteArray())
        val ct = sealed.copyOfRange(0, sealed.size - 16)
        val tag = sealed.copyOfRange(sealed.size - 16, sealed.size)
        val jwe = "$header..${b64.encodeToString(iv)}.${b64.encodeToString(ct)}.${b64.encodeToString(tag)}"
        return TestRelay.status("$url/reply", "POST", """{"recipient":"$from","jwe":"$jwe"}""")
    }
}
