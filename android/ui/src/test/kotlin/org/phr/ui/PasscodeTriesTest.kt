package org.phr.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.phr.ffi.GrantRequest
import org.phr.ffi.Recipient
import org.phr.ffi.RecipientCategory
import org.phr.ffi.ShareLinkOptions
import java.time.Duration
import java.time.Instant

/**
 * The GP's receptionist mistypes the passcode until a real relay holds them back, and phones
 * the owner. The Sharing screen says how many wrong tries there were and offers "Let them try
 * the passcode again"; after the owner presses it, the right passcode opens the link.
 */
@OptIn(ExperimentalTestApi::class)
class PasscodeTriesTest {
    private val s = CatalogueStrings

    @Test
    fun `the owner lets them try the passcode again`() {
        assumeTrue(TestRelay.available() || System.getenv("CI") == "true", "phr-relay not built")
        val repo = demoRecord()
        try {
            val link = runBlocking {
                repo.shareLink(
                    GrantRequest(
                        Recipient("Leeds GP surgery", "Reception", RecipientCategory.HEALTH_PROFESSIONAL), listOf("medications"),
                        "care", null, null, Instant.now().plus(Duration.ofDays(7)),
                    ),
                    ShareLinkOptions(TestRelay.shared.url, passcode = "right-one"),
                )
            }
            val manifest = shlTarget(link.viewerUrl).url
            fun fetch(passcode: String) =
                TestRelay.status(manifest, "POST", """{"recipient":"Leeds GP surgery","passcode":"$passcode"}""")
            val tries = (1..6).map { fetch("rihgt-one") }
            assertEquals(listOf(401, 401, 401, 401, 401, 429), tries, "five wrong tries, then held back")
            assertEquals(429, fetch("right-one"))
            runBlocking { repo.refreshShares() }

            runComposeUiTest {
                setContent { PhrApp(repo) }
                openTab("ui.nav.sharing")
                val said = s.text("share.wrong_passcodes", "count" to "5", "name" to "Leeds GP surgery")
                waitForNode(hasText(said))
                val button = hasContentDescription(s.text("ui.sharing.let_try_again_with", "name" to "Leeds GP surgery")) and tappable()
                waitForNode(button)
                onNode(button).performScrollTo().performClick()
                waitForNode(hasText(s.text("ui.sharing.let_try_again_done")))
                waitOrFail("the count and the button to go") {
                    onAllNodes(hasText(said)).fetchSemanticsNodes().isEmpty() && onAllNodes(button).fetchSemanticsNodes().isEmpty()
                }
            }
            assertEquals(200, fetch("right-one"), "the same address gets in with the right passcode")
        } finally {
            repo.close()
        }
    }
}
