package org.phr.ui

import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.phr.ffi.RecipientCategory

/**
 * Sharing with an employer stops first at the "they cannot make you share" screen with the
 * core's preview of what it would reveal and why they may not require it; going
 * back from it shares nothing (and no relay is contacted: the app has none configured here).
 */
@OptIn(ExperimentalTestApi::class)
class ShareWarningTest {
    private val s = CatalogueStrings

    private fun ComposeUiTest.waitFor(m: SemanticsMatcher) = waitForNode(m, 10_000)

    private fun ComposeUiTest.tap(m: SemanticsMatcher, scroll: Boolean = true) {
        waitFor(m)
        onNode(m).let { if (scroll) it.performScrollTo() else it }.performClick()
    }

    @Test
    fun `an employer share warns first, and going back shares nothing`() {
        val repo = demoRecord()
        try {
            val meds = runBlocking { repo.sections() }.first { it.id == "medications" }.title
            runComposeUiTest {
                setContent { PhrApp(repo) }
                tap(hasText(s.text("ui.nav.sharing")) and tappable(), scroll = false)
                tap(hasText(s.text("ui.sharing.new")) and tappable())
                tap(hasContentDescription(s.text("ui.newshare.section_label", "section" to meds)))
                tap(hasText(s.text(recipientKey(RecipientCategory.EMPLOYER))))
                val name = hasSetTextAction() and hasContentDescription(s.text("ui.newshare.name"))
                waitFor(name)
                onNode(name).performScrollTo().performTextInput("Leeds Bakery Ltd")
                tap(hasText(s.text("ui.newshare.share")) and tappable())
                waitFor(hasText(s.text("ui.newshare.warning_body")))
                // The core's preview: what the share reveals and why they may not require it.
                waitFor(hasText(s.text("share.preview.title")))
                waitFor(hasText(s.text("share.preview.why_employer")))
                waitFor(hasText(s.text("share.preview.never")))
                waitFor(hasText("$meds: ", substring = true))
                tap(hasText(s.text("ui.newshare.warning_back")) and tappable())
                waitFor(hasText(s.text("ui.newshare.share")))
            }
            assertTrue(runBlocking { repo.grants() }.isEmpty(), "going back from the warning shared something")
        } finally {
            repo.close()
        }
    }
}
