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
import androidx.compose.ui.test.performTextReplacement
import androidx.compose.ui.test.runComposeUiTest
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.phr.ffi.FormField
import org.phr.ffi.InsightsScreen
import org.phr.ffi.PhrRecord
import org.phr.shared.PhrRepository
import java.io.File
import java.time.LocalDate
import org.phr.ffi.CalendarDate
import java.nio.file.Files

/**
 * The whole first-run path through the UI test API, over a real record, a real FIT file from
 * the corpus and the real relay: create the record -> confirm the recovery key by typing two
 * groups back -> switch the app lock on -> add a medicine through the form -> import a FIT
 * file -> see the new insight -> share allergies and medicines with a GP -> see it in Sharing
 * -> stop it, and the relay no longer serves it.
 */
@OptIn(ExperimentalTestApi::class)
class FirstRunGoldenPathTest {
    private val s = CatalogueStrings
    private val timeout = 20_000L

    private fun ComposeUiTest.waitFor(m: SemanticsMatcher) = waitOrFail(m.description, timeout) {
        onAllNodes(m).fetchSemanticsNodes().isNotEmpty()
    }

    private fun ComposeUiTest.tap(m: SemanticsMatcher) {
        waitFor(m)
        onNode(m).performScrollTo().performClick()
    }

    /** The bottom bar does not scroll. */
    private fun ComposeUiTest.tapTab(key: String) {
        val m = hasText(s.text(key)) and tappable()
        waitFor(m)
        onNode(m).performClick()
    }

    private fun ComposeUiTest.type(label: String, text: String) {
        val field = hasSetTextAction() and hasContentDescription(label)
        waitFor(field)
        onNode(field).performScrollTo().performTextInput(text)
    }

    private fun formLabel(f: FormField): String {
        val name = f.label ?: s.text(f.labelKey)
        return if (f.required) name else s.text("ui.form.optional", "label" to name)
    }

    /** Every text the insights screen would show that can be new after an import. */
    private fun insightTexts(i: InsightsScreen): Set<String> =
        (i.cards.map { s.label(it.title) } + i.trends.map { s.text(it.labelKey) } + i.goals.map { s.label(it.message) } +
            i.fitness?.personalBests.orEmpty().map { s.label(it.label) + ": " + it.value }).toSet()

    @Test
    fun `create, confirm the key, add a medicine, import a FIT file, see the insight, share with a GP and stop it`() {
        val dir = Files.createTempDirectory("phr-ui-first-run").toFile().also { it.deleteOnExit() }
        val keystore = SoftwareKeyStore()
        var record: PhrRecord? = null
        var repo: PhrRepository? = null
        // The shared corpus sits beside the repository (../shared/corpus), as for the Rust tests.
        val root = System.getProperty("phr.root")?.takeIf { it.isNotBlank() } ?: "../.."
        val fit = File(root, "../shared/corpus/fit/fit-benchmarks__sample.fit")
        TestRelay().use { relay ->
            try {
                runComposeUiTest {
                    setContent {
                        PhrStart(
                            existing = null,
                            create = { PhrRecord.create(File(dir, "record.phr").path, keystore).also { record = it }.let { PhrRepository(it, Dispatchers.IO) } },
                            relayUrl = relay.url,
                            // Insights look back a year; the corpus file is from September 2020.
                            insightsDay = LocalDate.of(2020, 9, 30),
                            onReady = { repo = it },
                        )
                    }
                    // 1. Create the record; the key appears in numbered groups (TalkBack reads them letter by letter).
                    tap(hasText(s.text("ui.onboarding.start")) and tappable())
                    val groupPattern = Regex(
                        Regex.escape(s.template("ui.onboarding.key_group")).replace("{n}", "\\E(\\d+)\\Q").replace("{group}", "\\E(.+)\\Q"),
                    )
                    val keyGroup = SemanticsMatcher("a recovery key group") { n ->
                        n.config.getOrNull(SemanticsProperties.ContentDescription).orEmpty().any { groupPattern.matches(it) }
                    }
                    waitOrFail("the 13 groups of the recovery key", timeout) { onAllNodes(keyGroup).fetchSemanticsNodes().size >= 13 }
                    val groups = onAllNodes(keyGroup).fetchSemanticsNodes().associate { n ->
                        val m = groupPattern.matchEntire(n.config[SemanticsProperties.ContentDescription].first())!!
                        m.groupValues[1].toInt() to m.groupValues[2].replace(" ", "")
                    }
                    assertEquals(13, groups.size, "the key is shown as 13 groups")

                    // 2. Confirm it: a wrong group is refused, the right ones let the person on.
                    tap(hasText(s.text("ui.onboarding.key_written")) and tappable())
                    waitFor(hasText(s.text("ui.onboarding.confirm_title")))
                    val asked = (1..13).filter { n ->
                        onAllNodes(hasSetTextAction() and hasContentDescription(s.text("ui.onboarding.confirm_group", "n" to n))).fetchSemanticsNodes().isNotEmpty()
                    }
                    assertEquals(2, asked.size, "two groups are asked for")
                    asked.forEach { type(s.text("ui.onboarding.confirm_group", "n" to it), "ZZZZ") }
                    tap(hasText(s.text("ui.onboarding.confirm")) and tappable())
                    waitFor(hasText(s.text("ui.onboarding.confirm_wrong")))
                    asked.forEach { n ->
                        val field = hasSetTextAction() and hasContentDescription(s.text("ui.onboarding.confirm_group", "n" to n))
                        onNode(field).performScrollTo()
                        onNode(field).performTextReplacement(groups.getValue(n).lowercase())
                    }
                    tap(hasText(s.text("ui.onboarding.confirm")) and tappable())

                    // 3. The app lock, then Home.
                    tap(hasText(s.text("ui.onboarding.lock_switch")))
                    tap(hasText(s.text("ui.onboarding.finish")) and tappable())
                    waitFor(hasText(s.text("ui.home.sections")))
                    val r = checkNotNull(repo)
                    assertTrue(runBlocking { r.appPreferences() }.appLock, "the app lock choice was not saved")

                    // 4. A medicine through the core's form.
                    val spec = runBlocking { r.formSpec("medications") }
                    val titles = runBlocking { r.sections() }.associate { it.id to it.title }
                    tap(hasText(titles.getValue("medications")) and tappable())
                    tap(hasText(s.text("ui.section.add")) and tappable())
                    type(formLabel(spec.fields.first { it.id == "name" }), "Amlodipine")
                    type(formLabel(spec.fields.first { it.id == "dose" }), "5 mg")
                    spec.fields.filter { it.required && it.id != "name" && it.id != "dose" }.forEach { type(formLabel(it), it.example) }
                    tap(hasText(s.text("ui.form.save")) and tappable())
                    waitFor(hasText("Amlodipine", substring = true))
                    tap(hasText(s.text("ui.back"), substring = true) and tappable())
                    waitFor(hasText(s.text("ui.home.sections")))

                    // 5. A FIT file from the corpus, then the insight it brings.
                    if (!fit.isFile) {
                        println("FirstRunGoldenPathTest: skipping the FIT import, ${fit.path} is absent (no corpus on this machine)")
                    } else {
                        val day = CalendarDate(2020, 9u, 30u)
                        val before = insightTexts(runBlocking { r.insightsScreen(day) })
                        // Through the Import screen, as a resident would: the Settings tab -> Import -> the file.
                        openTab("ui.nav.settings")
                        tap(hasText(s.text("ui.settings.import_link")) and tappable())
                        type(s.text("ui.import.paths"), fit.path)
                        tap(hasText(s.text("ui.import.start")) and tappable())
                        waitFor(hasText(s.text("ui.import.file", "name" to fit.name, "status" to s.text("import.status.ok"))))
                        tap(hasText("‹ " + s.text("ui.back")) and tappable())
                        waitFor(hasText(s.text("ui.settings.import_link")))
                        tapTab("ui.nav.home")
                        waitFor(hasText(s.text("ui.home.sections")))
                        val new = insightTexts(runBlocking { r.insightsScreen(day) }) - before
                        assertTrue(new.isNotEmpty(), "the FIT import brought no new insight")
                        tapTab("ui.nav.insights")
                        waitFor(hasText(new.first(), substring = true))
                    }

                    // 6. Share allergies and medicines with a GP through the relay.
                    tapTab("ui.nav.sharing")
                    tap(hasText(s.text("ui.sharing.new")) and tappable())
                    listOf("allergies", "medications").forEach {
                        tap(hasContentDescription(s.text("ui.newshare.section_label", "section" to titles.getValue(it))))
                    }
                    type(s.text("ui.newshare.name"), "Dr Patel")
                    type(s.text("ui.form.optional", "label" to s.text("ui.newshare.role")), "GP")
                    type(s.text("ui.newshare.purpose"), "Medicines review")
                    tap(hasText(s.text("ui.newshare.share")) and tappable())
                    waitFor(hasText(s.text("ui.newshare.done_title")))
                    waitFor(hasContentDescription(s.text("ui.newshare.qr")))
                    tap(hasText(s.text("ui.newshare.done")) and tappable())

                    // 7. It is in the list; stop it.
                    waitFor(hasText(s.text("ui.sharing.with", "name" to "Dr Patel", "role" to "GP")))
                    val shared = runBlocking { r.sharingScreen() }.grants.single()
                    assertEquals("active", shared.status)
                    assertEquals(listOf(titles.getValue("allergies"), titles.getValue("medications")).sorted(), shared.sections.sorted())
                    val link = runBlocking { r.sharedLink(shared.id) }
                    val manifest = shlTarget(link.shlink).url
                    assertEquals(200, TestRelay.status(manifest, "POST", """{"recipient":"Dr Patel"}"""), "the GP can open it")
                    tap(hasContentDescription(s.text("ui.sharing.revoke_with", "name" to "Dr Patel")) and tappable())
                    waitFor(hasText(s.text("share.status.revoked"), substring = true))
                    assertEquals("revoked", runBlocking { r.sharingScreen() }.grants.single().status)
                    assertEquals(404, TestRelay.status(manifest, "POST", """{"recipient":"Dr Patel"}"""), "the relay's copy is gone")
                }
            } finally {
                repo?.close() ?: record?.close()
            }
        }
    }
}
