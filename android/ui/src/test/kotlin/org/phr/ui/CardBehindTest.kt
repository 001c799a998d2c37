package org.phr.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.phr.ffi.EntryValue
import org.phr.ffi.GrantRequest
import org.phr.ffi.Recipient
import org.phr.ffi.RecipientCategory
import org.phr.ffi.ShareLinkOptions
import java.io.File

/**
 * The owner adds a medication while the emergency card's relay cannot be reached. The card
 * keeps the old list, and the Sharing screen says so in words, where they look for the card.
 */
@OptIn(ExperimentalTestApi::class)
class CardBehindTest {
    private val s = CatalogueStrings

    @Test
    fun `the sharing screen says when the emergency card still shows an earlier version`() {
        assumeTrue(TestRelay.available() || System.getenv("CI") == "true", "phr-relay not built")
        val repo = demoRecord()
        try {
            val relay = TestRelay()
            val card = runBlocking {
                repo.shareLink(
                    GrantRequest(Recipient("Emergency care", "paramedic", RecipientCategory.HEALTH_PROFESSIONAL), listOf("emergency"), "emergency", null, null, null),
                    ShareLinkOptions(relay.url, longTerm = true),
                )
            }
            relay.close() // out of reach from here on
            runBlocking { repo.add("medications", EntryValue.Medication("Apixaban", dose = "5 mg")) }
            // The card's refresh runs on its own thread; wait until it has failed.
            val deadline = System.nanoTime() + 10_000_000_000L
            while (runBlocking { repo.sharingScreen() }.grants.single { it.id == card.grant.id }.updateOwedLabel == null) {
                check(System.nanoTime() < deadline) { "the failed refresh was never noted" }
                Thread.sleep(50)
            }
            val said = s.text("share.update_owed")
            runComposeUiTest {
                setContent { PhrApp(repo) }
                openTab("ui.nav.sharing")
                waitForNode(hasText(said))
                onNode(hasText(said)).performScrollTo()
                assertEquals(1, onAllNodes(hasText(said)).fetchSemanticsNodes().size, "said once, on the card's row")
            }
            // A picture to look at (with -Dphr.screens.out), scrolled to the card's row.
            System.getProperty("phr.screens.out").orEmpty().takeIf { it.isNotBlank() }?.let { dir ->
                val model = runBlocking { repo.sharingScreen() }
                val row = model.grants.single { it.id == card.grant.id }
                val png = renderPng { SharingView(model.copy(grants = listOf(row)), null, SharingActions()) }
                File(dir).mkdirs()
                File(dir, "sharing-card-behind-light.png").writeBytes(png)
            }
        } finally {
            repo.close()
        }
    }
}
