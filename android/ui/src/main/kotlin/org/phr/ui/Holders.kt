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
// and2
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.filterNotNull
import kotlinx.coroutines.withContext
import org.phr.ffi.AppPreferences
import org.phr.ffi.CancelHandle
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
                FormOutcome.Invalid(listOf(FieldError("", "error.invalid_entry", null)))
            }
            when (outcome) {
                is FormOutcome.Saved -> onSaved(outcome.entryId)
                is FormOutcome.Invalid -> form.errors = outcome.errors
            }
        }
    }
}

// and2: Settings, Privacy, CustomSection, Import, Connect, Devices, Backup.

/**
 * Runs [block] (one tap's work): [busy] while it runs, [failed] after the core refused. The
 * reason is never shown (it could quote the record); cancelling the job stops the core's work.
 */
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
            endOffer()
            pair.done = true
            retry()
        },
        noMatch = {
            tap {
                pair.added?.let { repo.removeDevice(it.id) }
                endOffer()
                reload()
            }
        },
        remove = { id -> tap { repo.removeDevice(id); reload() } },
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
