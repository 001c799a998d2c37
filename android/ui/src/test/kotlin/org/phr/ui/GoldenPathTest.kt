package org.phr.ui

import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextClearance
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.phr.ffi.FormField

/**
 * A resident's path through the real app over a real record: home -> Medicines -> Add new ->
 * fill the form by its labels -> Save -> the new medicine in the list -> open it -> Change the
 * dose -> Save -> the entry shows the new dose and the old one under "Earlier versions".
 */
@OptIn(ExperimentalTestApi::class)
class GoldenPathTest {
    private val s = CatalogueStrings
    private val timeout = 10_000L

    // The merged tree, as TalkBack reads it: a card's click and its text are one node there.
    private fun ComposeUiTest.waitFor(m: SemanticsMatcher) = waitOrFail(m.description, timeout) {
        onAllNodes(m).fetchSemanticsNodes().isNotEmpty()
    }

    private fun ComposeUiTest.tap(m: SemanticsMatcher) {
        waitFor(m)
        onNode(m).performScrollTo().performClick()
    }

    private fun label(f: FormField): String {
        val name = f.label ?: s.text(f.labelKey)
        return if (f.required) name else s.text("ui.form.optional", "label" to name)
    }

    private fun ComposeUiTest.type(f: FormField, text: String, clear: Boolean = false) {
        val field = hasSetTextAction() and hasContentDescription(label(f))
        waitFor(field)
        onNode(field).performScrollTo()
        if (clear) onNode(field).performTextClearance()
        onNode(field).performTextInput(text)
    }

    @Test
    fun `add a medicine through the form, open it, change the dose and see the history`() {
        val repo = demoRecord()
        try {
            val spec = runBlocking { repo.formSpec("medications") }
            val medsTitle = runBlocking { repo.sectionScreen("medications", false).title }
            val before = runBlocking { repo.sectionScreen("medications", false).entries.size }
            val name = spec.fields.first { it.id == "name" }
            val dose = spec.fields.first { it.id == "dose" }
            runComposeUiTest {
                setContent { PhrApp(repo) }
                tap(hasText(medsTitle) and tappable())
                tap(hasText(s.text("ui.section.add")) and tappable())

                type(name, "Amlodipine")
                type(dose, "5 mg")
                // Any other field the core requires gets the core's own example.
                spec.fields.filter { it.required && it.id != "name" && it.id != "dose" }.forEach { type(it, it.example) }
                tap(hasText(s.text("ui.form.save")) and tappable())

                // Back on the section, which reloaded on the change notice.
                tap(hasText("Amlodipine", substring = true) and tappable())
                tap(hasText(s.text("action.edit")) and tappable())
                type(dose, "10 mg", clear = true)
                tap(hasText(s.text("ui.form.save")) and tappable())

                waitFor(hasText(s.text("ui.entry.history")))
                waitFor(hasText("10 mg", substring = true))
                val history = onAllNodes(hasText("5 mg", substring = true), useUnmergedTree = true).fetchSemanticsNodes()
                assertTrue(history.isNotEmpty(), "the old dose is not shown in the history")
            }
            val after = runBlocking { repo.sectionScreen("medications", false) }
            assertEquals(before + 1, after.entries.size)
            val added = after.entries.first { it.summary.contains("Amlodipine") }
            val entry = runBlocking { repo.entryScreen(added.id) }
            assertEquals("10 mg", entry.fields.first { it.labelKey == dose.labelKey }.value)
            assertEquals(1, entry.history.size)
        } finally {
            repo.close()
        }
    }

    @Test
    fun `saving an empty form shows the core's errors beside the fields and saves nothing`() {
        val repo = demoRecord()
        try {
            val before = runBlocking { repo.sectionScreen("medications", false).entries.size }
            val title = runBlocking { repo.sectionScreen("medications", false).title }
            runComposeUiTest {
                setContent { PhrApp(repo) }
                tap(hasText(title) and tappable())
                tap(hasText(s.text("ui.section.add")) and tappable())
                tap(hasText(s.text("ui.form.save")) and tappable())
                waitFor(hasText(s.text("ui.form.check")))
                waitFor(hasText(s.text("error.required")))
            }
            assertEquals(before, runBlocking { repo.sectionScreen("medications", false).entries.size })
        } finally {
            repo.close()
        }
    }
}
