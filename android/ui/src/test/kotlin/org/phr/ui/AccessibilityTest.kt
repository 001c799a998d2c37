package org.phr.ui

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.width
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.semantics.SemanticsNode
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.onRoot
import androidx.compose.ui.test.runComposeUiTest
import androidx.compose.ui.unit.Density
import androidx.compose.ui.unit.dp
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assertions.fail
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance

/**
 * Walks the semantics tree (what TalkBack reads) of every screen from the demo record:
 * every control has a label and a 48 dp touch target; at font scale 2 on a phone-wide
 * screen no text is cut off, drawn over another text or runs past the screen's edge.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessibilityTest {
    private val repo = demoRecord()
    private val screens = DemoScreens(repo).all()

    @AfterAll
    fun close() = repo.close()

    /** Shows each screen in turn at [fontScale] on a phone-wide column and hands its tree to [check]. */
    private fun eachScreen(fontScale: Float, check: (NamedScreen, merged: SemanticsNode, unmerged: SemanticsNode, px: Float) -> Unit) =
        runComposeUiTest {
            var current by mutableStateOf(screens.first())
            setContent {
                val d = LocalDensity.current
                CompositionLocalProvider(LocalDensity provides Density(d.density, fontScale)) {
                    PhrTheme { Box(Modifier.width(Phone.WIDTH_DP.dp)) { current.content() } }
                }
            }
            for (s in screens) {
                current = s
                waitForIdle()
                check(
                    s,
                    onRoot(useUnmergedTree = false).fetchSemanticsNode(),
                    onRoot(useUnmergedTree = true).fetchSemanticsNode(),
                    density.density,
                )
            }
        }

    @Test
    fun `every clickable, toggleable or editable node has a label and a 48 dp target`() {
        val problems = mutableListOf<String>()
        var controls = 0
        eachScreen(1f) { s, root, _, px ->
            for (n in walk(root).filter { it.isControl() }) {
                controls++
                if (n.label() == null) problems += "${s.name}: ${n.describe()} has no label"
                val minPx = 48 * px - 0.5f
                if (n.size.height < minPx || n.size.width < minPx) {
                    problems += "${s.name}: ${n.describe()} is ${n.size.width}x${n.size.height} px, under 48 dp"
                }
            }
        }
        assertTrue(controls > 50, "the walk found only $controls controls")
        if (problems.isNotEmpty()) fail<Unit>(problems.joinToString("\n"))
    }

    @Test
    fun `at font scale 2 no text is cut off, overlaps another or runs off a phone-wide screen`() {
        val problems = mutableListOf<String>()
        var texts = 0
        runComposeUiTestFontScale(problems) { texts++ }
        assertTrue(texts > 100, "the walk found only $texts text nodes")
        if (problems.isNotEmpty()) fail<Unit>(problems.joinToString("\n"))
    }

    private fun runComposeUiTestFontScale(problems: MutableList<String>, counted: () -> Unit) =
        // The unmerged tree: each Text is its own node with its own layout.
        eachScreen(2f) { s, _, root, px ->
            val width = Phone.WIDTH_DP * px + 0.5f
            for (n in walk(root)) {
                if (n.textLayout() == null) continue
                counted()
                if (cutOff(n)) problems += "${s.name}: ${n.describe()} is cut off"
                val right = n.positionInRoot.x + n.size.width
                if (right > width) problems += "${s.name}: ${n.describe()} ends at $right px, past the screen ($width)"
            }
            problems += overlaps(s.name, walk(root).filter { it.textLayout() != null }.toList())
        }

    @Test
    fun `the overlap check finds two texts drawn over each other`() {
        // The check must be able to fail: two Texts stacked in one Box.
        val found = mutableListOf<String>()
        runComposeUiTest {
            setContent {
                PhrTheme {
                    Box(Modifier.width(Phone.WIDTH_DP.dp)) {
                        androidx.compose.material3.Text("One")
                        androidx.compose.material3.Text("Two")
                    }
                }
            }
            waitForIdle()
            val root = onRoot(useUnmergedTree = true).fetchSemanticsNode()
            found += overlaps("stacked", walk(root).filter { it.textLayout() != null }.toList())
        }
        assertTrue(found.size == 1, "found $found")
    }

    @Test
    fun `the cut-off check finds a text clipped to one line`() {
        var clipped = false
        runComposeUiTest {
            setContent {
                PhrTheme {
                    Box(Modifier.width(60.dp)) { androidx.compose.material3.Text("A sentence far too long for this box", maxLines = 1) }
                }
            }
            waitForIdle()
            val root = onRoot(useUnmergedTree = true).fetchSemanticsNode()
            clipped = walk(root).any { it.textLayout() != null && cutOff(it) }
        }
        assertTrue(clipped, "a one-line text in a 60 dp box was not seen as cut off")
    }
}

/**
 * Text cut off: lines dropped, or drawn text taller or wider than the node showing it. This
 * is TextLayoutResult.hasVisualOverflow computed from the lines: the layout the semantics
 * action hands out is rebuilt at the node's maximum width, so its own hasVisualOverflow
 * reports every text narrower than its column as overflowing width (checked: it flagged
 * "1 entry" on Home).
 */
fun cutOff(n: SemanticsNode): Boolean {
    val layout = n.textLayout() ?: return false
    val p = layout.multiParagraph
    val widest = (0 until layout.lineCount).maxOfOrNull { layout.getLineRight(it) } ?: 0f
    return p.didExceedMaxLines || p.height > n.size.height + 1 || widest > n.size.width + 1
}

/**
 * Text nodes drawn over each other: two whose bounds intersect by more than a pixel each
 * way. A node inside another (a text field's label inside the field) is not an overlap.
 */
fun overlaps(screen: String, texts: List<SemanticsNode>): List<String> {
    fun ancestors(n: SemanticsNode) = generateSequence(n.parent) { it.parent }.map { it.id }.toSet()
    val out = mutableListOf<String>()
    for (i in texts.indices) for (j in i + 1 until texts.size) {
        val a = texts[i]
        val b = texts[j]
        if (a.id in ancestors(b) || b.id in ancestors(a)) continue
        val x = a.boundsInRoot.intersect(b.boundsInRoot)
        if (x.width > 1f && x.height > 1f) out += "$screen: ${a.describe()} and ${b.describe()} overlap"
    }
    return out
}
