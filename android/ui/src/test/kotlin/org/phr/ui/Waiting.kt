package org.phr.ui

import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.isEnabled
import androidx.compose.ui.test.performClick

/**
 * Waits until [condition] holds, drawing frames meanwhile, and fails after [timeoutMillis].
 *
 * Why not `waitUntil`: in Compose Multiplatform 1.7.3 (desktop) `waitUntil` never gives up.
 * Its bytecode builds the timeout message, drops it and loops again, so a screen that never
 * comes hangs the whole test run instead of failing it. That is how `DevicesPairingTest`
 * "hung": a failure nobody could see. The failure names what was awaited and what the screen
 * showed instead.
 */
@OptIn(ExperimentalTestApi::class)
fun ComposeUiTest.waitOrFail(what: String, timeoutMillis: Long = 30_000, condition: () -> Boolean) {
    val deadline = System.nanoTime() + timeoutMillis * 1_000_000
    while (!condition()) {
        if (System.nanoTime() > deadline) {
            throw AssertionError("waited $timeoutMillis ms for $what; the screen shows: ${screenTexts()}")
        }
        mainClock.advanceTimeByFrame()
        // Frames alone would keep the UI thread busy; the core's work runs on other threads.
        Thread.sleep(10)
    }
}

/** [waitOrFail] for a node matching [m]. */
@OptIn(ExperimentalTestApi::class)
fun ComposeUiTest.waitForNode(m: SemanticsMatcher, timeoutMillis: Long = 30_000) =
    waitOrFail(m.description, timeoutMillis) { onAllNodes(m).fetchSemanticsNodes().isNotEmpty() }

/** Every text on screen, in tree order: what a failed wait reports. */
@OptIn(ExperimentalTestApi::class)
fun ComposeUiTest.screenTexts(): List<String> =
    onAllNodes(SemanticsMatcher("any node") { true }, useUnmergedTree = true).fetchSemanticsNodes().flatMap { n ->
        n.config.getOrNull(SemanticsProperties.Text).orEmpty().map { it.text } +
            n.config.getOrNull(SemanticsProperties.ContentDescription).orEmpty()
    }

/**
 * A node a tap would act on: clickable and enabled. A button drawn while its screen is still
 * busy is clickable but disabled, and a click on it does nothing; waiting for this instead
 * keeps a test from racing the screen.
 */
fun tappable(): SemanticsMatcher = hasClickAction() and isEnabled()

/** Taps the bottom bar's tab named by catalogue [key] (the bar does not scroll). */
@OptIn(ExperimentalTestApi::class)
fun ComposeUiTest.openTab(key: String) {
    val m = hasText(CatalogueStrings.text(key)) and tappable()
    waitForNode(m)
    onNode(m).performClick()
}
