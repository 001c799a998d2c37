package org.phr.ui

import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.isHeading
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.runComposeUiTest
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.phr.ffi.StravaApp
import java.net.InetAddress
import java.net.ServerSocket
import java.net.SocketException
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.concurrent.thread

/**
 * No network until the person asks. Every address the app may use (the GP system, Strava,
 * the sync relay) points at a local listener that records each connection it gets. The
 * real app is driven over a real record: every screen opened and loaded (each holder's
 * load runs against the core), every screen of [DemoScreens] rendered; the listener must
 * have heard nothing. Then one tap on "Sign in to your GP record" must reach it: that
 * proves the addresses really lead there, so a silent listener means no call was made,
 * not that calls went elsewhere.
 *
 * Why a listener and not a blocked network: the calls are made by the Rust core, which
 * the JVM's ProxySelector or SecurityManager never see; a socket the core connects to is
 * what a leak would actually look like.
 */
@OptIn(ExperimentalTestApi::class)
class NoNetworkTest {
    private val s = CatalogueStrings

    /** A local TCP listener that records (and closes) every connection made to it. */
    private class Listener : AutoCloseable {
        private val server = ServerSocket(0, 50, InetAddress.getLoopbackAddress())
        val heard = CopyOnWriteArrayList<String>()
        val url = "http://127.0.0.1:${server.localPort}"

        init {
            thread(isDaemon = true, name = "no-network-listener") {
                try {
                    while (true) server.accept().use { heard += it.remoteSocketAddress.toString() }
                } catch (e: SocketException) {
                    // Closed at the end of the test.
                }
            }
        }

        override fun close() = server.close()
    }

    private fun ComposeUiTest.tap(m: SemanticsMatcher) {
        waitForNode(m, 10_000)
        onNode(m).performScrollTo().performClick()
    }

    /** Waits until the screen titled [title] has loaded (its heading shows, not "Loading"). */
    private fun ComposeUiTest.loaded(title: String) =
        waitOrFail("the heading \"$title\"", 10_000) { onAllNodes(isHeading() and hasText(title)).fetchSemanticsNodes().isNotEmpty() }

    private fun ComposeUiTest.back() = tap(hasText(s.text("ui.back"), substring = true) and tappable())

    @Test
    fun `no screen goes online until a button asks, and the first tap that asks does`() {
        val repo = demoRecord()
        Listener().use { net ->
            val host = AppHost(
                gpBaseUrl = "${net.url}/fhir",
                strava = StravaApp("client", "secret", "${net.url}/strava"),
                relayUrl = "${net.url}/relay",
            )
            try {
                // Every screen of the demo list, drawn from models the core loaded.
                DemoScreens(repo).all().forEach { screen -> renderPng { screen.content() } }

                runComposeUiTest {
                    setContent { PhrApp(repo, host = host) }
                    loaded(s.text("app.name"))
                    openTab("ui.nav.settings")
                    loaded(s.text("ui.settings.title"))
                    val links = listOf(
                        "ui.settings.privacy_link" to "ui.privacy.title",
                        "ui.settings.add_section_link" to "ui.custom.title",
                        "ui.settings.import_link" to "ui.import.title",
                        "ui.settings.connect_link" to "ui.connect.title",
                        "ui.settings.devices_link" to "ui.devices.title",
                        "ui.settings.backup_link" to "ui.backup.title",
                    )
                    for ((link, title) in links) {
                        tap(hasText(s.text(link)) and tappable())
                        loaded(s.text(title))
                        waitForIdle()
                        back()
                        loaded(s.text("ui.settings.title"))
                    }
                    // A moment for anything a load might have started in the background.
                    Thread.sleep(500)
                    assertEquals(emptyList<String>(), net.heard.toList(), "a screen went online before any tap asked")

                    // The control: the person taps sign-in, and the core reaches the GP address.
                    tap(hasText(s.text("ui.settings.connect_link")) and tappable())
                    loaded(s.text("ui.connect.title"))
                    tap(hasText(s.text("ui.connect.gp_start")) and tappable())
                    waitOrFail("a connection to the GP address", 10_000) { net.heard.isNotEmpty() }
                }
                assertTrue(net.heard.isNotEmpty())
            } finally {
                repo.close()
            }
        }
    }
}
