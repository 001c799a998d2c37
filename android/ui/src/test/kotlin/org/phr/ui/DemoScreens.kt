package org.phr.ui

import androidx.compose.runtime.Composable
import kotlinx.coroutines.runBlocking
import org.phr.ffi.AddedDevice
import org.phr.ffi.DeviceRow
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

    // and2: Settings and the screens it links to.
    val settings = runBlocking { SettingsData(repo.settingsScreen(), repo.appPreferences()) }

    /** Settings with medicine reminders on, so the reminder time and its buttons show. */
    val settingsReminders = SettingsData(settings.screen, settings.prefs.copy(medicationReminders = true))

    /** A section being made: a name and two questions, one a number with its unit. */
    val customSection = CustomSectionState().apply {
        name = "Eye tests"
        questions[0].name = "What the optician said"
        questions.add(Question().apply { name = "Eye pressure"; kind = AnswerKind.NUMBER; unit = "mmHg"; required = true })
    }

    /** A real FIT file from the corpus imported through the real core: its report and the import history. */
    val importRun = ImportRun().also { r ->
        val fit = corpusFile("tests/corpus/fit/fitparse__Activity.fit")
        r.report = runBlocking { repo.importFiles(listOf(fit.path), null, null) }
    }
    val imports = runBlocking { repo.importsScreen() }

    /** An import under way: progress and the Stop button. */
    val importRunning = ImportRun().apply { progress = 3uL to 10uL }

    val strava = runBlocking { repo.stravaStatus() }

    /** Part way through the GP sign-in on the JVM (no browser): the address to open and the paste box. */
    val connectSigningIn = ConnectState().apply { gp.url = "https://gp.example.org/authorize?client_id=phr" }
    val connectActions = ConnectActions({}, {}, {}, {}, {}, {}, {})

    val devices = runBlocking { repo.devicesScreen() }
    val devicesActions = DevicesActions({}, {}, {}, {}, {}, {}, {}, {})

    /**
     * Adding a phone: the offer's QR needs a relay, so this state is built here: a QR in the
     * core's SVG shape (drawn by the real [QrImage]) and a sync set up with one other phone.
     */
    val devicesPairing = devices.copy(
        syncSetUp = true,
        thisDevice = DeviceRow("d1", "Pixel 7", "12 April 2026", true, null),
        others = listOf(DeviceRow("d2", "Galaxy Tab", "3 March 2026", true, null)),
    )
    val pairing = PairState().apply {
        qrSvg = sampleQrSvg()
        payload = "PHR-ADD-7F3K-Q9PL"
    }
    val pairingCode = PairState().apply { added = AddedDevice("d3", "482 193") }

    val backupActions = BackupActions(canPick = false, backup = {}, makeKey = {}, restore = {}, pickRestore = {})
    val backupWithKey = BackupState().apply { recoveryKey = runBlocking { repo.createRecoveryKey() } }
    val settingsAfterKey = runBlocking { repo.settingsScreen() }

    private val links = SettingsLinks({}, {}, {}, {}, {}, {}, {})

    fun all(): List<NamedScreen> = buildList {
        add(NamedScreen("home") { HomeView(home) {} })
        add(NamedScreen("section-medications") { SectionView(medications, {}, {}, {}) })
        add(NamedScreen("entry-medication") { EntryView(changedMedication, {}) {} })
        gpEntry?.let { add(NamedScreen("entry-from-gp") { EntryView(it, {}) {} }) }
        add(NamedScreen("form-medication-refused") { FormView(t("ui.form.add_title", "section" to medications.title), refusedForm, {}, {}) })
        add(NamedScreen("form-medication-edit") { FormView(t("ui.form.edit_title"), editForm, {}, {}) })
        addForms.forEach { (s, f) -> add(NamedScreen("form-add-${s.id}", shot = s.id in formsShowingEveryKind) { FormView(t("ui.form.add_title", "section" to s.title), f, {}, {}) }) }
        addAll(and2())
    }

    // and2
    private fun and2(): List<NamedScreen> = listOf(
        NamedScreen("settings") { SettingsView(settings, null, {}, links) },
        NamedScreen("settings-reminders-on") { SettingsView(settingsReminders, null, {}, links) },
        NamedScreen("privacy") { PrivacyView(settings.screen.sections, {}, { _, _ -> }, { _, _ -> }) },
        NamedScreen("custom-section") { CustomSectionView(customSection, {}, {}) },
        NamedScreen("import-report") { ImportView(imports, importRun, canPick = false, {}, {}, {}, {}) },
        NamedScreen("import-running") { ImportView(imports, importRunning, canPick = true, {}, {}, {}, {}) },
        NamedScreen("connect") { ConnectView(strava, ConnectState(), connectActions, {}) },
        NamedScreen("connect-signing-in") { ConnectView(strava, connectSigningIn, connectActions, {}) },
        NamedScreen("devices") { DevicesView(devices, PairState(), devicesActions, {}) },
        NamedScreen("devices-pairing") { DevicesView(devicesPairing, pairing, devicesActions, {}) },
        NamedScreen("devices-confirm-code") { DevicesView(devicesPairing, pairingCode, devicesActions, {}) },
        NamedScreen("backup") { BackupView(settings.screen, BackupState(), backupActions, {}) },
        NamedScreen("backup-recovery-key") { BackupView(settingsAfterKey, backupWithKey, backupActions, {}) },
    )
}

/** A file of the repository (the test corpus), from -Dphr.root or from android/ui, where Maven runs the tests. */
fun corpusFile(path: String): java.io.File =
    java.io.File(System.getProperty("phr.root")?.takeIf { it.isNotBlank() } ?: "../..", path).also {
        check(it.isFile) { "missing corpus file $path" }
    }

/** A QR-shaped SVG in the core's format (core/src/share/qr.rs): finder squares and a fixed scatter. */
fun sampleQrSvg(): String {
    val w = 25
    val d = StringBuilder()
    fun dark(x: Int, y: Int) = d.append("M${x + 4} ${y + 4}h1v1h-1z")
    for (y in 0 until w) for (x in 0 until w) {
        val finder = listOf(0 to 0, w - 7 to 0, 0 to w - 7).any { (fx, fy) ->
            val dx = x - fx
            val dy = y - fy
            dx in 0..6 && dy in 0..6 && (dx == 0 || dy == 0 || dx == 6 || dy == 6 || (dx in 2..4 && dy in 2..4))
        }
        val inFinder = listOf(0 to 0, w - 8 to 0, 0 to w - 8).any { (fx, fy) -> x - fx in 0..7 && y - fy in 0..7 }
        if (finder || (!inFinder && (x * 7 + y * 13 + x * y) % 3 == 0)) dark(x, y)
    }
    val size = w + 8
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 $size $size\"><path d=\"$d\"/></svg>"
}
