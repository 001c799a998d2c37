package org.phr.ui

import androidx.compose.runtime.Composable
import kotlinx.coroutines.runBlocking
import org.phr.ffi.FormOutcome
import org.phr.shared.PhrRepository

/**
 * One screen drawn from the demo record: a file-friendly name and the composable. [shot]:
 * written by scripts/screenshots-android.sh (all screens are rendered and tested either way).
 */
class NamedScreen(val name: String, val shot: Boolean = true, val content: @Composable () -> Unit)

/**
 * Every screen of the app, drawn from the demo resident's real record (state hoisted: the
 * models are loaded once, the composables only draw them). Used by the render, accessibility,
 * font-scale and screenshot tests, so all of them cover the same list.
 */
class DemoScreens(private val repo: PhrRepository) {
    val home = runBlocking { repo.homeScreen() }
    val medications = runBlocking { repo.sectionScreen("medications", true) }

    /** A medication with an earlier version, so the entry screen shows its history. */
    val changedMedication = runBlocking {
        val id = (medications.entries.firstOrNull { it.provenance.key == "provenance.user" } ?: medications.entries.first()).id
        val edit = repo.editForm(id)
        val values = edit.values.toMutableMap()
        values["dose"] = "2 tablets"
        check(repo.editFromForm(id, values) is FormOutcome.Saved)
        repo.entryScreen(id)
    }

    /** An entry from the GP record (read-only except notes and hiding), if the demo has one. */
    val gpEntry = runBlocking {
        home.sections.flatMap { it.latest }.firstOrNull { it.provenance.key == "provenance.medical_record" }
            ?.let { repo.entryScreen(it.id) }
    }

    private fun form(section: String) = runBlocking { FormState(repo.formSpec(section)) }

    /** The medication form after saving it empty: the core's errors beside each required field. */
    val refusedForm = runBlocking {
        FormState(repo.formSpec("medications")).also { it.errors = repo.validateForm("medications", null, it.filled()) }
    }

    val editForm = runBlocking { repo.editForm(changedMedication.id).let { FormState(it.spec, it.values) } }

    /** The add form of every section that takes entries: together they use every field kind. */
    val addForms = home.sections.mapNotNull { s ->
        runBlocking { runCatching { s to FormState(repo.formSpec(s.id)) }.getOrNull() }
    }

    /** The fewest add forms that between them show every kind of field (for the screenshots). */
    private val formsShowingEveryKind: Set<String> = run {
        fun kinds(f: FormState) = f.spec.fields.map { it.kind::class }.toSet()
        val left = addForms.flatMap { kinds(it.second) }.toMutableSet()
        val picked = mutableSetOf("medications")
        left -= addForms.first { it.first.id == "medications" }.second.let(::kinds)
        while (left.isNotEmpty()) {
            val best = addForms.maxBy { (kinds(it.second) intersect left).size }
            picked += best.first.id
            left -= kinds(best.second)
        }
        picked
    }

    fun all(): List<NamedScreen> = buildList {
        add(NamedScreen("home") { HomeView(home) {} })
        add(NamedScreen("section-medications") { SectionView(medications, {}, {}, {}) })
        add(NamedScreen("entry-medication") { EntryView(changedMedication, {}) {} })
        gpEntry?.let { add(NamedScreen("entry-from-gp") { EntryView(it, {}) {} }) }
        add(NamedScreen("form-medication-refused") { FormView(t("ui.form.add_title", "section" to medications.title), refusedForm, {}, {}) })
        add(NamedScreen("form-medication-edit") { FormView(t("ui.form.edit_title"), editForm, {}, {}) })
        addForms.forEach { (s, f) -> add(NamedScreen("form-add-${s.id}", shot = s.id in formsShowingEveryKind) { FormView(t("ui.form.add_title", "section" to s.title), f, {}, {}) }) }
    }
}
