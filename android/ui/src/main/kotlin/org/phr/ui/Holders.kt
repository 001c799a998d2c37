package org.phr.ui

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import org.phr.ffi.EntryAction
import org.phr.ffi.EntryScreen
import org.phr.ffi.FieldError
import org.phr.ffi.FormOutcome
import org.phr.ffi.HomeScreen
import org.phr.ffi.PhrException
import org.phr.ffi.SectionScreen
import org.phr.ffi.AnnotationKind
import org.phr.shared.PhrRepository
// and1
import org.phr.ffi.CalendarDate
import org.phr.ffi.ChartTheme
import org.phr.ffi.GrantRow
import org.phr.ffi.InsightCategory
import org.phr.ffi.InsightsScreen
import org.phr.ffi.MetricKind
import org.phr.ffi.SharingScreen
import org.phr.ffi.TrendLine
import java.time.LocalDate
import java.time.Duration
import java.time.Instant
import org.phr.ffi.GrantRequest
import org.phr.ffi.Recipient
import org.phr.ffi.RecipientCategory
import org.phr.ffi.ShareLinkOptions
import org.phr.ffi.SharedLink
import org.phr.ffi.SharePreview
// and2
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.filterNotNull
import kotlinx.coroutines.withContext
import org.phr.ffi.AppPreferences
import org.phr.ffi.CancelHandle
import org.phr.ffi.DeviceRemoval
import org.phr.ffi.DevicesScreen
import org.phr.ffi.ImportsScreen
import org.phr.ffi.PrivacyLevel
import org.phr.ffi.ProgressListener
import org.phr.ffi.SectionPrivacyRow
import org.phr.ffi.SettingsScreen
import org.phr.ffi.SmartSession
import org.phr.ffi.StravaApp
import org.phr.ffi.StravaStatus
import org.phr.ffi.deviceJoinRequest
import org.phr.ffi.stravaAuthorizeUrl
import java.util.UUID

/**
 * A screen's model, loaded from the core and loaded again after every committed change to
 * the record (`PhrRepository.changes()`), so the screen never polls. The ViewModel of a
 * screen without androidx: the Android app keeps it in a ViewModel's scope.
 */
open class ScreenHolder<T>(private val scope: CoroutineScope, repo: PhrRepository, private val load: suspend () -> T) {
    private val _state = MutableStateFlow<Load<T>>(Load.Loading)
    val state: StateFlow<Load<T>> = _state.asStateFlow()

    init {
        scope.launch {
            reload()
            repo.changes().collect { reload() }
        }
    }

    suspend fun reload() {
        _state.value = try {
            Load.Ready(load())
        } catch (e: PhrException) {
            Load.Failed
        }
    }

    fun retry() {
        scope.launch { reload() }
    }
}

class HomeHolder(scope: CoroutineScope, repo: PhrRepository) :
    ScreenHolder<HomeScreen>(scope, repo, { repo.homeScreen() })

class SectionHolder(scope: CoroutineScope, repo: PhrRepository, val sectionId: String) :
    ScreenHolder<SectionScreen>(scope, repo, { repo.sectionScreen(sectionId, includeRemoved = true) })

class EntryHolder(private val scope: CoroutineScope, private val repo: PhrRepository, val entryId: String) :
    ScreenHolder<EntryScreen>(scope, repo, { repo.entryScreen(entryId) }) {

    /** Runs an action other than Edit (which opens the form); the change notice reloads the screen. */
    fun act(action: EntryAction, onGone: () -> Unit) {
        scope.launch {
            try {
                when (action) {
                    EntryAction.DELETE -> repo.delete(entryId)
                    EntryAction.UNDO -> repo.undoDelete(entryId)
                    EntryAction.HIDE -> repo.setHidden(entryId, true)
                    EntryAction.UNHIDE -> repo.setHidden(entryId, false)
                    EntryAction.ANNOTATE -> repo.annotate(entryId, AnnotationKind.NO_LONGER_RELEVANT, null)
                    EntryAction.PURGE -> repo.purge(entryId).also { onGone() }
                    EntryAction.DISMISS_CONFLICT -> repo.dismissSyncConflict(entryId)
                    EntryAction.EDIT -> Unit
                }
            } catch (e: PhrException) {
                reload()
            }
        }
    }
}

/** Where a form saves: a new entry in a section, or a change to an existing entry. */
sealed interface FormTarget {
    data class Add(val sectionId: String, val entryType: String? = null) : FormTarget
    data class Edit(val entryId: String) : FormTarget
}

/**
 * A form as loaded: the core's spec and the values to start from. The composable turns it into
 * a [FormState] itself, so Compose state is created on the UI thread, not on the loader's.
 */
data class FormData(val spec: org.phr.ffi.FormSpec, val values: Map<String, String>)

/** Loads the form (empty to add, filled to edit) and submits it through the core in one call. */
class FormHolder(private val scope: CoroutineScope, private val repo: PhrRepository, val target: FormTarget) {
    private val _state = MutableStateFlow<Load<FormData>>(Load.Loading)
    val state: StateFlow<Load<FormData>> = _state.asStateFlow()

    init {
        scope.launch { reload() }
    }

    private suspend fun reload() {
        _state.value = try {
            when (target) {
                is FormTarget.Add -> Load.Ready(FormData(repo.formSpec(target.sectionId, target.entryType), emptyMap()))
                is FormTarget.Edit -> repo.editForm(target.entryId).let { Load.Ready(FormData(it.spec, it.values)) }
            }
        } catch (e: PhrException) {
            Load.Failed
        }
    }

    fun retry() {
        scope.launch { reload() }
    }

    /** Saves; [onSaved] gets the entry's id, or the errors appear beside their fields. */
    fun save(form: FormState, onSaved: (String) -> Unit) {
        scope.launch {
            val outcome = try {
                when (target) {
                    is FormTarget.Add -> repo.addFromForm(target.sectionId, target.entryType, form.filled())
                    is FormTarget.Edit -> repo.editFromForm(target.entryId, form.filled())
                }
            } catch (e: PhrException) {
                // The core refused the whole entry; its reason may quote the record, so only the key is shown.
                FormOutcome.Invalid(listOf(FieldError("", "error.invalid_entry", null, emptyList())))
            }
            when (outcome) {
                is FormOutcome.Saved -> onSaved(outcome.entryId)
                is FormOutcome.Invalid -> form.errors = outcome.errors
            }
        }
    }
}

// and1: onboarding, insights, chart, sharing, new share, emergency card, advice.

/** Where first run is. The recovery key lives only here, and only until it is confirmed. */
sealed interface OnboardingStep {
    data class Welcome(val failed: Boolean = false, val busy: Boolean = false) : OnboardingStep
    data class ShowKey(val groups: List<String>) : OnboardingStep
    data class Confirm(val answers: KeyAnswers, val wrong: Boolean = false) : OnboardingStep
    data class Lock(val on: Boolean) : OnboardingStep
}

/** Creates the record with the platform keystore, then a recovery key, and sees it confirmed. */
class OnboardingHolder(private val scope: CoroutineScope, private val create: suspend () -> PhrRepository) {
    private val _step = MutableStateFlow<OnboardingStep>(OnboardingStep.Welcome())
    val step: StateFlow<OnboardingStep> = _step.asStateFlow()
    private var repo: PhrRepository? = null
    private var groups: List<String> = emptyList()

    fun start() {
        _step.value = OnboardingStep.Welcome(busy = true)
        scope.launch {
            _step.value = try {
                // A retry after a failed key reuses the record made the first time.
                val r = repo ?: create().also { repo = it }
                groups = r.createRecoveryKey().split('-')
                OnboardingStep.ShowKey(groups)
            } catch (e: PhrException) {
                OnboardingStep.Welcome(failed = true)
            }
        }
    }

    fun written() {
        // Two different groups, chosen at random so the person must look at the paper.
        val asked = groups.indices.shuffled().take(2).sorted().map { it + 1 }
        _step.value = OnboardingStep.Confirm(KeyAnswers(asked))
    }

    fun showAgain() {
        _step.value = OnboardingStep.ShowKey(groups)
    }

    fun check(answers: KeyAnswers) {
        fun norm(s: String) = s.filter { it.isLetterOrDigit() }.uppercase()
        val ok = answers.asked.all { n -> norm(answers.typed[n].orEmpty()) == groups[n - 1] }
        _step.value = if (ok) {
            groups = emptyList()
            OnboardingStep.Lock(on = false)
        } else {
            OnboardingStep.Confirm(answers, wrong = true)
        }
    }

    fun setLock(on: Boolean) {
        _step.value = OnboardingStep.Lock(on)
    }

    /** Saves the lock choice in the record's preferences, then hands the record to the app. */
    fun finish(onDone: (PhrRepository) -> Unit) {
        val r = repo ?: return
        val on = (_step.value as? OnboardingStep.Lock)?.on ?: false
        scope.launch {
            try {
                r.setAppPreferences(r.appPreferences().copy(appLock = on))
            } catch (e: PhrException) {
                // The lock can be set later in Settings; the record itself is made.
            }
            onDone(r)
        }
    }
}

/** [day]: the day the insights are for; null means now (the app), a fixed day in tests. */
class InsightsHolder(private val scope: CoroutineScope, private val repo: PhrRepository, day: LocalDate? = null) :
    ScreenHolder<InsightsScreen>(scope, repo, { repo.insightsScreen(day?.toCalendarDate()) }) {

    /** Switches a category's tips on or off; the change notice reloads the screen. */
    fun toggle(category: String, on: Boolean) {
        val c = insightCategory(category) ?: return
        scope.launch {
            try {
                repo.setInsightCategory(c, on)
            } catch (e: PhrException) {
                reload()
            }
            // Settings are not a record area every store notifies on; reload to be sure.
            reload()
        }
    }
}

/** The core's category slug (`blood_pressure`, `activity`) as the bindings' enum. */
fun insightCategory(slug: String): InsightCategory? =
    if (slug == "activity") InsightCategory.PHYSICAL_ACTIVITY else InsightCategory.entries.firstOrNull { it.name == slug.uppercase() }

/** The chart behind a trend line's metric slug (`resting_hr`); VO2 max has no chart yet. */
fun chartMetric(slug: String): MetricKind? = when (slug) {
    "weight" -> MetricKind.WEIGHT
    "bmi" -> MetricKind.BMI
    "blood_pressure" -> MetricKind.BLOOD_PRESSURE_SYSTOLIC
    "blood_pressure_diastolic" -> MetricKind.BLOOD_PRESSURE_DIASTOLIC
    "resting_hr" -> MetricKind.RESTING_HEART_RATE
    "sleep" -> MetricKind.SLEEP_DURATION
    "bedtime" -> MetricKind.SLEEP_BEDTIME
    "steps" -> MetricKind.STEPS
    "active_minutes" -> MetricKind.ACTIVE_MINUTES
    "alcohol" -> MetricKind.ALCOHOL_UNITS
    "distance" -> MetricKind.DISTANCE
    else -> null
}

/** The metric a card's category is about, for its Chart button (none for vaccinations, medicines...). */
fun cardMetric(category: String): String? = when (category) {
    "blood_pressure" -> "blood_pressure"
    "bmi" -> "bmi"
    "weight_change" -> "weight"
    "activity" -> "active_minutes"
    "alcohol" -> "alcohol"
    "sleep" -> "sleep"
    "fitness" -> "distance"
    else -> null
}

/** A chart as loaded: the core's SVG and, for TalkBack and the text under it, the metric's trend. */
data class ChartData(val metric: String, val svg: String, val trend: TrendLine?, val days: Int)

class ChartHolder(scope: CoroutineScope, repo: PhrRepository, metric: String, dark: Boolean, day: LocalDate? = null) :
    ScreenHolder<ChartData>(scope, repo, {
        val kind = chartMetric(metric) ?: throw PhrException.NotFound("chart")
        val to = day ?: LocalDate.now()
        val from = to.minusDays(CHART_DAYS.toLong())
        val svg = repo.chart(kind, from.toCalendarDate(), to.toCalendarDate(), if (dark) ChartTheme.DARK else ChartTheme.LIGHT)
        ChartData(metric, svg, repo.insightsScreen(day?.toCalendarDate()).trends.firstOrNull { it.metric == metric }, CHART_DAYS)
    })

const val CHART_DAYS = 90

fun LocalDate.toCalendarDate() = CalendarDate(year, monthValue.toUInt(), dayOfMonth.toUInt())

/** What went wrong with a share, as a catalogue key: the relay was out of reach, or the rules refused it. */
fun shareErrorKey(e: PhrException): String = when (e) {
    is PhrException.Network -> "ui.sharing.failed"
    is PhrException.InvalidInput -> when (e.field) {
        "already_answered" -> "error.already_answered"
        "no_reply" -> "error.no_reply"
        else -> "ui.sharing.refused"
    }
    is PhrException.Denied -> "ui.sharing.refused"
    else -> "ui.load_failed"
}

/** The sharing list; update, revoke, "who opened it", an answer and "let them try again" talk to the relay only when pressed. */
class SharingHolder(private val scope: CoroutineScope, private val repo: PhrRepository) :
    ScreenHolder<SharingScreen>(scope, repo, { repo.sharingScreen() }) {
    private val _message = MutableStateFlow<String?>(null)
    val message: StateFlow<String?> = _message.asStateFlow()

    private fun act(done: String? = null, block: suspend () -> Unit) {
        _message.value = null
        scope.launch {
            _message.value = try {
                block()
                done
            } catch (e: PhrException) {
                shareErrorKey(e)
            }
            reload()
        }
    }

    fun update(row: GrantRow) = act { repo.updateSharedLink(row.id) }
    fun revoke(row: GrantRow) = act { if (row.hasLink) repo.revokeShare(row.id) else repo.revokeGrant(row.id) }
    fun check() = act("ui.sharing.checked") { repo.refreshShares() }
    fun answer(row: GrantRow, text: String) {
        if (text.isBlank()) _message.value = "ui.sharing.need_answer"
        else act("ui.sharing.answer_done") { repo.answerReply(row.id, text.trim()) }
    }
    fun resetTries(row: GrantRow) = act("ui.sharing.let_try_again_done") { repo.resetPasscodeTries(row.id) }
}

/** Where a new share is: being filled in, at the employer/insurer warning, or made (its QR code). */
sealed interface ShareStep {
    data object Filling : ShareStep
    /** The core's preview of what would be revealed, shown before the owner confirms. */
    data class Warning(val preview: SharePreview) : ShareStep
    data object Sending : ShareStep
    data class Done(val link: SharedLink) : ShareStep
}

/** The purpose the emergency card's grant carries, so the card can be found again in the list. */
const val EMERGENCY_PURPOSE = "emergency"

/** Publishes a share on the relay (only when the owner presses the button) and tracks its step. */
open class ShareSender<T>(private val scope: CoroutineScope, private val repo: PhrRepository, private val relayUrl: String, load: suspend () -> T) :
    ScreenHolder<T>(scope, repo, load) {
    private val _step = MutableStateFlow<ShareStep>(ShareStep.Filling)
    val step: StateFlow<ShareStep> = _step.asStateFlow()

    /** Checks what the app can check itself, warns before an employer or insurer, then shares. */
    fun submit(form: NewShareForm, purpose: String, message: String? = null, warned: Boolean = false) {
        form.problem = when {
            form.picked.isEmpty() -> "ui.newshare.pick_one"
            form.name.isBlank() -> "ui.newshare.need_name"
            else -> null
        }
        if (form.problem != null) return
        val request = GrantRequest(
            Recipient(form.name.trim(), form.role.trim(), form.category),
            form.picked.toList(),
            purpose,
            message,
            null,
            Instant.now().plus(Duration.ofDays(form.days.toLong())),
            // The owner read the core's preview and pressed "I understand": the core refuses
            // an employer or insurer share without it.
            confirmed = warned,
        )
        if (form.needsWarning && !warned) {
            scope.launch {
                try {
                    _step.value = ShareStep.Warning(repo.sharePreview(request))
                } catch (e: PhrException) {
                    form.problem = shareErrorKey(e)
                }
            }
            return
        }
        _step.value = ShareStep.Sending
        scope.launch {
            _step.value = try {
                ShareStep.Done(repo.shareLink(request, ShareLinkOptions(relayUrl, form.passcode.trim().ifEmpty { null })))
            } catch (e: PhrException) {
                form.problem = shareErrorKey(e)
                ShareStep.Filling
            }
        }
    }

    fun back() {
        _step.value = ShareStep.Filling
    }
}

class NewShareHolder(scope: CoroutineScope, repo: PhrRepository, relayUrl: String) :
    ShareSender<List<ShareChoice>>(scope, repo, relayUrl, { shareChoices(repo.sections()) })

/** Questions asked so far (from the sharing screen) and the sections a new one may carry. */
data class AdviceData(val choices: List<ShareChoice>, val asked: List<GrantRow>)

class AdviceHolder(scope: CoroutineScope, repo: PhrRepository, relayUrl: String) :
    ShareSender<AdviceData>(scope, repo, relayUrl, {
        AdviceData(shareChoices(repo.sections()), repo.sharingScreen().grants.filter { it.question != null })
    }) {
    fun send(form: AdviceForm) {
        if (form.question.isBlank()) {
            form.share.problem = "ui.advice.need_question"
            return
        }
        submit(form.share, PURPOSE_ADVICE, form.question.trim())
    }

    companion object {
        /** The core's purpose for a request for advice (phr_model::grant::PURPOSE_ADVICE). */
        const val PURPOSE_ADVICE = "advice"
    }
}

class EmergencyHolder(private val scope: CoroutineScope, private val repo: PhrRepository, private val relayUrl: String) :
    ScreenHolder<EmergencyData>(scope, repo, {
        val row = repo.sharingScreen().grants.firstOrNull { it.purpose == EMERGENCY_PURPOSE && it.canRevoke }
        EmergencyData(row, row?.takeIf { it.hasLink }?.let { repo.sharedLink(it.id) })
    }) {
    private val _message = MutableStateFlow<String?>(null)
    val message: StateFlow<String?> = _message.asStateFlow()

    private fun act(block: suspend () -> Unit) {
        _message.value = null
        scope.launch {
            try {
                block()
            } catch (e: PhrException) {
                _message.value = shareErrorKey(e)
            }
            reload()
        }
    }

    /** No end date: the card is meant to stay (the link's long-term flag). */
    fun create(name: String, role: String) = act {
        repo.shareLink(
            GrantRequest(Recipient(name, role, RecipientCategory.HEALTH_PROFESSIONAL), listOf("emergency"), EMERGENCY_PURPOSE, null, null, null),
            ShareLinkOptions(relayUrl, longTerm = true),
        )
    }

    fun update(id: String) = act { repo.updateSharedLink(id) }
    fun stop(id: String) = act { repo.revokeShare(id) }
}

// and2: Settings, Privacy, CustomSection, Import, Connect, Devices, Backup.

/**
 * Runs [block] (one tap's work): [busy] while it runs, [failed] after the core refused. The
 * reason is never shown (it could quote the record); cancelling the job stops the core's work.
 */
/** Whole hours from now until [ms] (ms since 1970), at least 1: "about 5 hours". */
internal fun hoursUntil(ms: Long): Long = ((ms - System.currentTimeMillis() + 3_599_999) / 3_600_000).coerceAtLeast(1)

internal fun CoroutineScope.attempt(busy: (Boolean) -> Unit, failed: (Boolean) -> Unit, block: suspend () -> Unit): Job = launch {
    busy(true)
    failed(false)
    try {
        block()
    } catch (e: PhrException) {
        failed(true)
    } finally {
        busy(false)
    }
}

class SettingsHolder(private val scope: CoroutineScope, private val repo: PhrRepository) :
    ScreenHolder<SettingsData>(scope, repo, { SettingsData(repo.settingsScreen(), repo.appPreferences()) }) {

    fun setPrefs(p: AppPreferences) {
        scope.launch {
            try {
                repo.setAppPreferences(p)
            } catch (e: PhrException) {
                // Reloading shows the preferences as they are, so a refused change springs back.
            }
            reload()
        }
    }
}

class PrivacyHolder(private val scope: CoroutineScope, private val repo: PhrRepository) :
    ScreenHolder<List<SectionPrivacyRow>>(scope, repo, { repo.settingsScreen().sections }) {

    fun setLevel(sectionId: String, level: PrivacyLevel) = change { repo.setPrivacy(sectionId, level) }
    fun setEnabled(sectionId: String, enabled: Boolean) = change { repo.setEnabled(sectionId, enabled) }

    private fun change(block: suspend () -> Unit) {
        scope.launch {
            try {
                block()
            } catch (e: PhrException) {
                // As above: the reload shows what the core kept.
            }
            reload()
        }
    }
}

class CustomSectionHolder(private val scope: CoroutineScope, private val repo: PhrRepository) {
    val state = CustomSectionState()

    /** Makes the section; [onCreated] gets its id, or the screen says it could not. */
    fun create(onCreated: (String) -> Unit) {
        scope.attempt({}, { state.failed = it }) { onCreated(repo.createSection(state.name.trim(), state.fields()).id) }
    }
}

class ImportHolder(private val scope: CoroutineScope, private val repo: PhrRepository, private val host: AppHost) :
    ScreenHolder<ImportsScreen>(scope, repo, { repo.importsScreen() }) {
    val run = ImportRun()

    /** The platform's picker, if there is one; true when it opened. */
    fun pick(): Boolean = host.pickFiles { start(it) }

    fun startTyped() = start(run.typedPaths())

    fun start(paths: List<String>) {
        if (paths.isEmpty() || run.running) return
        val cancel = CancelHandle()
        run.cancel = cancel
        run.report = null
        run.progress = 0uL to paths.size.toULong()
        val listener = object : ProgressListener {
            // Called on the core's thread; a snapshot state write is safe from any thread.
            override fun onProgress(stage: String, done: ULong, total: ULong) {
                run.progress = done to total
            }
        }
        scope.attempt({ if (!it) run.progress = null }, { run.failed = it }) {
            run.report = repo.importFiles(paths, listener, cancel)
        }
    }

    fun cancel() {
        run.cancel?.cancel()
    }
}

class ConnectHolder(private val scope: CoroutineScope, private val repo: PhrRepository, private val host: AppHost) :
    ScreenHolder<StravaStatus?>(scope, repo, { if (host.strava != null) repo.stravaStatus() else null }) {
    val connect = ConnectState()
    private var session: SmartSession? = null
    private var cancel: CancelHandle? = null
    private var job: Job? = null

    // Strava sends this back unchanged; a different one means the answer is not ours.
    private val stravaState = UUID.randomUUID().toString()

    init {
        // The Activity hands over the address the browser came back to (the app link).
        scope.launch {
            host.redirects.filterNotNull().collect { url ->
                host.redirects.value = null
                val target = if (connect.strava.url != null && !connect.strava.connected) connect.strava else connect.gp
                target.returned = url
                if (target === connect.strava) stravaFinish() else gpFinish()
            }
        }
    }

    private fun tap(block: suspend () -> Unit) {
        if (connect.busy) return
        job = scope.attempt({ connect.busy = it }, { connect.failed = it }, block)
    }

    val actions = ConnectActions(
        gpStart = host.gpBaseUrl?.let { base -> { gpStart(base) } },
        gpFinish = ::gpFinish,
        gpPull = { tap { connect.gp.fetched = repo.fhirPull().resources } },
        stravaStart = host.strava?.let { app -> { stravaStart(app) } },
        stravaFinish = ::stravaFinish,
        stravaSync = {
            host.strava?.let { app ->
                tap {
                    val c = CancelHandle().also { cancel = it }
                    connect.strava.fetched = repo.stravaSync(app, c).activitiesAdded
                }
            }
        },
        cancel = {
            cancel?.cancel()
            job?.cancel()
        },
        phoneHealthName = host.phoneHealthName,
        phoneHealthRead = {
            tap {
                val report = host.readPhoneHealth()
                connect.phoneHealthReadings = report?.samplesAdded
                connect.phoneHealthWorkouts = report?.activitiesAdded
                connect.phoneHealthRead = true
            }
        },
    )

    private fun gpStart(base: String) = tap {
        val s = repo.smartBegin(base, host.redirectUri).also { session = it }
        connect.gp.connected = false
        connect.gp.url = s.authorizeUrl()
        connect.gp.opened = host.openUrl(s.authorizeUrl())
    }

    private fun gpFinish() {
        val s = session ?: return
        tap {
            repo.smartFinish(s, connect.gp.returned.trim())
            connect.gp.connected = true
        }
    }

    private fun stravaStart(app: StravaApp) = tap {
        // Builds the address only; nothing goes online until the browser opens it.
        val url = stravaAuthorizeUrl(app, host.redirectUri, stravaState)
        connect.strava.url = url
        connect.strava.opened = host.openUrl(url)
    }

    private fun stravaFinish() {
        val app = host.strava ?: return
        tap {
            connect.strava.connected = repo.stravaConnect(app, connect.strava.returned.trim(), stravaState).connected
            reload()
        }
    }
}

class DevicesHolder(private val scope: CoroutineScope, private val repo: PhrRepository, private val host: AppHost) :
    ScreenHolder<DevicesScreen>(scope, repo, { repo.devicesScreen() }) {
    val pair = PairState()

    private fun tap(block: suspend () -> Unit) {
        if (!pair.busy) scope.attempt({ pair.busy = it }, { pair.failed = it }, block)
    }

    /** How long the phone waits for the other one to scan the code. */
    private val waitSeconds = 120u

    val actions = DevicesActions(
        start = host.relayUrl?.let { relay -> { tap { repo.syncStart(relay, host.deviceName); reload() } } },
        offer = {
            tap {
                val o = repo.deviceOffer()
                pair.offer = o
                pair.done = false
                pair.qrSvg = o.qrSvg()
                pair.payload = o.payload()
            }
        },
        wait = {
            tap {
                val o = pair.offer ?: return@tap
                val added = repo.deviceApprove(o, waitSeconds)
                pair.noAnswer = added == null
                pair.added = added
            }
        },
        match = {
            tap {
                // Only now, with the codes compared, does the new device get the keys.
                pair.offer?.let { repo.deviceConfirm(it) }
                endOffer()
                pair.done = true
                reload()
            }
        },
        noMatch = {
            // Nothing was sent to the device that answered: forgetting the offer is enough.
            endOffer()
        },
        remove = { d ->
            tap {
                // The first phone only asks; the same tap on another phone (not [d]) removes it.
                pair.removeTooNewHours = null
                when (val r = repo.removeDevice(d.id)) {
                    is DeviceRemoval.Pending -> pair.removeAsked = d.name
                    is DeviceRemoval.Removed -> { pair.removeAsked = null; pair.removeDone = d.name }
                    is DeviceRemoval.TooNew -> pair.removeTooNewHours = hoursUntil(r.readyAtMs)
                }
                reload()
            }
        },
        removeWithKey = { d ->
            withKey {
                repo.removeDeviceWithRecoveryKey(d.id, it)
                pair.keyFor = null
                pair.removeAsked = null
                pair.removeDone = d.name
            }
        },
        recover = {
            withKey {
                repo.recoverDevice(it)
                pair.recovered = true
                repo.syncNow()
            }
        },
        syncNow = {
            tap {
                try {
                    repo.syncNow()
                } catch (e: PhrException.Denied) {
                    // Removed from the devices: the screen now says so and offers the recovery key.
                }
                reload()
            }
        },
        join = if (host.canReplaceRecord) {
            {
                tap {
                    // Reaches the relay: off the main thread like every other network call.
                    val pending = withContext(Dispatchers.IO) { deviceJoinRequest(pair.joinCode.trim(), host.deviceName) }
                    pair.pending = pending
                    pair.pendingCode = pending.confirmationCode()
                }
            }
        } else null,
        joinMatch = { tap { pair.pending?.let { host.join(it) } } },
    )

    /** Runs [block] with the typed recovery key; a key that does not fit says so, not "no network". */
    private fun withKey(block: suspend (String) -> Unit) = tap {
        pair.wrongKey = false
        val key = pair.recoveryKey.trim()
        try {
            block(key)
            pair.recoveryKey = ""
        } catch (e: PhrException.InvalidInput) {
            pair.wrongKey = true
        }
        reload()
    }

    private fun endOffer() {
        pair.added = null
        pair.qrSvg = null
        pair.payload = null
        pair.offer?.close()
        pair.offer = null
    }
}

class BackupHolder(private val scope: CoroutineScope, private val repo: PhrRepository, private val host: AppHost) :
    ScreenHolder<SettingsScreen>(scope, repo, { repo.settingsScreen() }) {
    val backup = BackupState()

    private fun tap(block: suspend () -> Unit) {
        if (!backup.busy) scope.attempt({ backup.busy = it }, { backup.failed = it }, block)
    }

    val actions = BackupActions(
        canPick = host.canSaveFiles,
        backup = {
            tap {
                backup.saved = false
                if (host.canSaveFiles) {
                    val file = host.cacheFile(".phrbackup")
                    repo.backup(file.path)
                    host.saveFile(file.path, "health-record.phrbackup")
                } else {
                    repo.backup(backup.dest.trim())
                }
                backup.saved = true
                reload()
            }
        },
        makeKey = { tap { backup.recoveryKey = repo.createRecoveryKey(); reload() } },
        restore = if (host.canReplaceRecord) {
            { tap { host.restore(backup.restoreFrom.trim(), backup.restoreKey.trim()); backup.restored = true } }
        } else null,
        pickRestore = { host.pickRestoreFile { backup.restoreFrom = it } },
    )
}
