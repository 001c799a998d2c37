package org.phr.ui

import androidx.compose.runtime.Composable
import kotlinx.coroutines.runBlocking
import org.phr.ffi.AddedDevice
import org.phr.ffi.DeviceRow
import org.phr.ffi.FormOutcome
import org.phr.shared.PhrRepository
// and1
import androidx.compose.material3.MaterialTheme
import androidx.compose.ui.graphics.luminance
import androidx.compose.foundation.layout.fillMaxSize
import org.phr.ffi.CalendarDate
import org.phr.ffi.ChartTheme
import org.phr.ffi.GrantRequest
import org.phr.ffi.MetricKind
import org.phr.ffi.Recipient
import org.phr.ffi.RecipientCategory
import org.phr.ffi.ShareLinkOptions
import java.time.Duration
import java.time.Instant

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

    // and1: first run, insights, chart and sharing, drawn from the same demo record. The shares
    // are published on a real local relay (TestRelay), so the QR codes and lists are real.
    private val relayUrl = TestRelay.shared.url
    val recoveryGroups = runBlocking { repo.createRecoveryKey().split('-') }
    val keyAnswers = KeyAnswers(listOf(3, 11))
    // The day the demo is anchored on, so trends and charts have the demo's readings.
    val insights = runBlocking { repo.insightsScreen(CalendarDate(2026, 4u, 12u)) }
    private val chartTo = CalendarDate(2026, 4u, 12u)
    private val chartFrom = CalendarDate(2026, 1u, 12u)
    private val weightTrend = insights.trends.firstOrNull { it.metric == "weight" }
    val chartLight = runBlocking { ChartData("weight", repo.chart(MetricKind.WEIGHT, chartFrom, chartTo, ChartTheme.LIGHT), weightTrend, CHART_DAYS) }
    val chartDark = runBlocking { ChartData("weight", repo.chart(MetricKind.WEIGHT, chartFrom, chartTo, ChartTheme.DARK), weightTrend, CHART_DAYS) }
    // What the warning screen shows before an employer share: the core's preview.
    private val employerPreview = runBlocking {
        repo.sharePreview(GrantRequest(Recipient("Leeds Bakery Ltd", "HR", RecipientCategory.EMPLOYER), listOf("medications"), "work", null, null, null))
    }
    val gpShare = runBlocking {
        repo.shareLink(
            GrantRequest(Recipient("Dr Patel", "GP", RecipientCategory.HEALTH_PROFESSIONAL), listOf("allergies", "medications"), "Medicines review", null, null, Instant.now().plus(Duration.ofDays(30))),
            ShareLinkOptions(relayUrl, passcode = "4821"),
        )
    }
    private val advice = runBlocking {
        repo.shareLink(
            GrantRequest(
                Recipient("Sam Okafor", "Pharmacist", RecipientCategory.HEALTH_PROFESSIONAL), listOf("medications"), AdviceHolder.PURPOSE_ADVICE,
                "Can I take ibuprofen with my blood pressure tablets?", null, Instant.now().plus(Duration.ofDays(14)),
            ),
            ShareLinkOptions(relayUrl),
        )
    }
    val emergency = runBlocking {
        val link = repo.shareLink(
            GrantRequest(Recipient("Emergency care", "Anyone treating me in an emergency", RecipientCategory.HEALTH_PROFESSIONAL), listOf("emergency"), EMERGENCY_PURPOSE, null, null, null),
            ShareLinkOptions(relayUrl, longTerm = true),
        )
        EmergencyData(repo.sharingScreen().grants.first { it.id == link.grant.id }, link)
    }
    // The surgery mistyped the GP link's passcode until the relay held them back: the list
    // says so and offers "Let them try the passcode again" (real tries on the real relay).
    private val gpLockedOut = runBlocking {
        val manifest = shlTarget(gpShare.viewerUrl).url
        repeat(5) { TestRelay.status(manifest, "POST", """{"recipient":"Dr Patel","passcode":"4812"}""") }
        repo.refreshShares()
    }
    val sharing = runBlocking { repo.sharingScreen() }
    private val choices = runBlocking { shareChoices(repo.sections()) }
    val newShare = NewShareForm(choices).apply {
        picked += listOf("allergies", "medications").filter { id -> choices.any { it.id == id } }
        name = "Dr Patel"
        role = "GP"
        purpose = "Medicines review"
    }
    val adviceForm = AdviceForm(choices)
    val adviceAsked = sharing.grants.filter { it.question != null }
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
    // As on a phone with Health Connect: its section shows under the GP record and Strava.
    val connectActions = ConnectActions({}, {}, {}, {}, {}, {}, {}, phoneHealthName = "Health Connect")

    val devices = runBlocking { repo.devicesScreen() }
    val devicesActions = DevicesActions({}, {}, {}, {}, {}, {}, {}, {})

    /**
     * Adding a phone: the offer's QR needs a relay, so this state is built here: a QR in the
     * core's SVG shape (drawn by the real [QrImage]) and a sync set up with one other phone.
     */
    val devicesPairing = devices.copy(
        syncSetUp = true,
        thisDevice = DeviceRow("d1", "Pixel 7", "12 April 2026", true, null, null),
        others = listOf(DeviceRow("d2", "Galaxy Tab", "3 March 2026", true, null, null)),
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
        // and1
        add(NamedScreen("home-with-bar") {
            androidx.compose.foundation.layout.Column(androidx.compose.ui.Modifier.fillMaxSize()) {
                androidx.compose.foundation.layout.Box(androidx.compose.ui.Modifier.weight(1f)) { HomeView(home) {} }
                NavBar(Route.Home) {}
            }
        })
        add(NamedScreen("onboarding-welcome") { OnboardingWelcome(failed = false, busy = false) {} })
        add(NamedScreen("onboarding-key") { OnboardingKey(recoveryGroups) {} })
        add(NamedScreen("onboarding-confirm") { OnboardingConfirm(keyAnswers, wrong = false, {}, {}) })
        add(NamedScreen("onboarding-lock") { OnboardingLock(true, {}, {}) })
        add(NamedScreen("insights") { InsightsView(insights, {}, { _, _ -> }) })
        add(NamedScreen("chart-weight") { ChartView(if (MaterialTheme.colorScheme.background.luminance() < 0.5f) chartDark else chartLight) {} })
        add(NamedScreen("sharing") { SharingView(sharing, null, SharingActions()) })
        add(NamedScreen("newshare") { NewShareView(newShare, {}, {}) })
        add(NamedScreen("newshare-warning") { ShareWarningView(employerPreview, {}, {}) })
        add(NamedScreen("newshare-qr") { ShareDoneView(gpShare) {} })
        add(NamedScreen("emergency-card") { EmergencyCardView(emergency, null, {}, {}, {}, {}) })
        add(NamedScreen("emergency-card-none") { EmergencyCardView(EmergencyData(null, null), null, {}, {}, {}, {}) })
        add(NamedScreen("advice") { AdviceView(adviceAsked, adviceForm, {}, {}) })

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
