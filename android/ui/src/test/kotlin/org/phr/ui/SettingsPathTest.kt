package org.phr.ui

import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.isHeading
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.phr.ffi.PhrRecord
import org.phr.ffi.PrivacyLevel
import java.nio.file.Files

/**
 * A resident's path through Settings over a real record, by the words on the screen:
 * make a section of their own and open it, make it "Only you", import a FIT file from the
 * corpus and read the report, make a recovery key and a backup, and restore that backup
 * with the key into a new record that holds the same sections.
 */
@OptIn(ExperimentalTestApi::class)
class SettingsPathTest {
    private val s = CatalogueStrings

    private fun ComposeUiTest.waitFor(m: SemanticsMatcher) =
        waitForNode(m, 20_000)

    private fun ComposeUiTest.tap(m: SemanticsMatcher) {
        waitFor(m)
        onNode(m).performScrollTo().performClick()
    }

    private fun ComposeUiTest.tapText(key: String, vararg args: Pair<String, Any>) = tap(hasText(s.text(key, *args)) and tappable())

    private fun ComposeUiTest.type(label: String, text: String) {
        val field = hasSetTextAction() and hasContentDescription(label)
        waitFor(field)
        onNode(field).performScrollTo().performTextInput(text)
    }

    private fun ComposeUiTest.screen(key: String) = waitFor(isHeading() and hasText(s.text(key)))

    private fun ComposeUiTest.back() = tap(hasText(s.text("ui.back"), substring = true) and tappable())

    /** The JVM's host, able to restore into a folder of its own (the app swaps records the same way). */
    private class RestoringHost : AppHost() {
        var restored: PhrRecord? = null
        val home: java.io.File = Files.createTempDirectory("phr-restored").toFile()
        override val canReplaceRecord = true
        override suspend fun restore(backupPath: String, recoveryKey: String) {
            restored = PhrRecord.restoreWithRecoveryKey(backupPath, home.path, recoveryKey, SoftwareKeyStore())
        }
    }

    @Test
    fun `make a section, keep it private, import a file, back up and restore with the recovery key`() {
        val repo = demoRecord()
        val host = RestoringHost()
        val backupDir = Files.createTempDirectory("phr-backup").toFile()
        val backup = backupDir.resolve("record.phrbackup")
        val fit = corpusFile("tests/corpus/fit/fitparse__Activity.fit")
        try {
            runComposeUiTest {
                setContent { PhrApp(repo, host = host) }
                openTab("ui.nav.settings")
                screen("ui.settings.title")

                // A section of one's own, opened once made.
                tapText("ui.settings.add_section_link")
                type(s.text("ui.custom.name"), "Eye tests")
                type(s.text("ui.custom.question_name", "n" to 1), "Eye pressure")
                tap(hasContentDescription(s.text("ui.custom.kind_for", "n" to 1) + ": " + s.text("ui.custom.kind.number")))
                tapText("ui.custom.create")
                waitFor(isHeading() and hasText("Eye tests"))
                val id = runBlocking { repo.sections() }.first { it.title == "Eye tests" }.id
                back()

                // Only you, by tapping the choice named for the section.
                tapText("ui.settings.privacy_link")
                screen("ui.privacy.title")
                tap(hasContentDescription(s.text("ui.privacy.choice", "section" to "Eye tests", "level" to s.text("privacy.private"))))
                waitOrFail("the section to become private", 10_000) { runBlocking { repo.section(id).privacy } == PrivacyLevel.PRIVATE }
                back()

                // A FIT file, typed as a path (the JVM has no picker), and its report.
                tapText("ui.settings.import_link")
                type(s.text("ui.import.paths"), fit.path)
                tapText("ui.import.start")
                waitFor(hasText(s.text("ui.import.file", "name" to fit.name, "status" to s.text("import.status.ok"))))
                back()

                // The recovery key, then a backup to a typed path, then a restore with the key.
                tapText("ui.settings.backup_link")
                screen("ui.backup.title")
                tapText("ui.backup.key_make")
                waitFor(hasText(s.text("ui.backup.key_show")))
                type(s.text("ui.backup.where"), backup.path)
                tapText("ui.backup.start")
                waitFor(hasText(s.text("ui.backup.done")))
                assertTrue(backup.length() > 0, "no backup was written")

                // The key as shown: the one Text under the notice that is not a label.
                val key = onAllNodes(hasText("-", substring = true)).fetchSemanticsNodes()
                    .mapNotNull { n -> n.config.getOrNull(SemanticsProperties.Text)?.joinToString("") { it.text } }
                    .first { it.length > 20 && !it.contains(' ') }
                type(s.text("ui.backup.restore_file"), backup.path)
                type(s.text("ui.backup.restore_key"), key)
                tapText("ui.backup.restore_start")
                waitFor(hasText(s.text("ui.backup.restored")))
            }
            val restored = host.restored ?: error("nothing was restored")
            restored.use { r ->
                val titles = runBlocking { r.sections().map { it.title } }
                assertTrue("Eye tests" in titles, "the restored record lacks the new section")
                assertEquals(runBlocking { repo.sections().size }, titles.size)
            }
        } finally {
            repo.close()
            // Whole records (the backup, the restored copy): nothing left in the temp folder.
            backupDir.deleteRecursively()
            host.home.deleteRecursively()
        }
    }
}
