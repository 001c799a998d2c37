package org.phr.shared

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.channels.trySendBlocking
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.conflate
import kotlinx.coroutines.withContext
import org.phr.ffi.AnnotationKind
import org.phr.ffi.AppPreferences
import org.phr.ffi.DeviceRemoval
import org.phr.ffi.SyncSummary
import org.phr.ffi.InsightsScreen
import org.phr.ffi.SharingScreen
import org.phr.ffi.AuditEvent
import org.phr.ffi.CalendarDate
import org.phr.ffi.ChartTheme
import org.phr.ffi.DemoReport
import org.phr.ffi.InsightCategory
import org.phr.ffi.InsightReport
import org.phr.ffi.InsightSettings
import org.phr.ffi.MetricKind
import org.phr.ffi.Entry
import org.phr.ffi.EditForm
import org.phr.ffi.EntryScreen
import org.phr.ffi.EntryValue
import org.phr.ffi.FieldError
import org.phr.ffi.FormOutcome
import org.phr.ffi.FormSpec
import org.phr.ffi.HomeScreen
import org.phr.ffi.RecordArea
import org.phr.ffi.RecordChangeListener
import org.phr.ffi.SectionScreen
import org.phr.ffi.FieldDef
import org.phr.ffi.Grant
import org.phr.ffi.GrantRequest
import org.phr.ffi.KeyStore
import org.phr.ffi.PhrRecord
import org.phr.ffi.SharePreview
import org.phr.ffi.PrivacyLevel
import org.phr.ffi.Section
import org.phr.ffi.ShareActivity
import org.phr.ffi.ShareLinkOptions
import org.phr.ffi.SharedLink
// and2
import org.phr.ffi.AddedDevice
import org.phr.ffi.CancelHandle
import org.phr.ffi.DeviceOffer
import org.phr.ffi.DevicesScreen
import org.phr.ffi.FhirPullReport
import org.phr.ffi.ImportReport
import org.phr.ffi.ImportsScreen
import org.phr.ffi.PlannedNotification
import org.phr.ffi.PlatformIngestReport
import org.phr.ffi.PlatformRecord
import org.phr.ffi.PlatformSource
import org.phr.ffi.Sample
import org.phr.ffi.SampleKind
import org.phr.ffi.ProgressListener
import org.phr.ffi.SettingsScreen
import org.phr.ffi.SmartSession
import org.phr.ffi.StravaApp
import org.phr.ffi.StravaStatus
import org.phr.ffi.StravaSyncReport
import java.io.File

/**
 * The app's only door to the record: every call runs on [io] (the core does disk I/O and
 * cryptography) and goes straight to the generated bindings. No rule lives here; the
 * core decides what is valid and answers with a typed [org.phr.ffi.PhrException].
 */
class PhrRepository(private val record: PhrRecord, private val io: CoroutineDispatcher = Dispatchers.IO) : AutoCloseable {

    suspend fun sections(): List<Section> = withContext(io) { record.sections() }
    suspend fun section(id: String): Section = withContext(io) { record.section(id) }
    suspend fun setEnabled(id: String, enabled: Boolean): Section = withContext(io) { record.setSectionEnabled(id, enabled) }
    suspend fun setPrivacy(id: String, privacy: PrivacyLevel): Section = withContext(io) { record.setSectionPrivacy(id, privacy) }
    suspend fun createSection(title: String, fields: List<FieldDef>): Section = withContext(io) { record.createSection(title, fields) }

    suspend fun entries(sectionId: String, includeHidden: Boolean): List<Entry> =
        withContext(io) { record.listEntries(sectionId, includeHidden, false) }
    suspend fun add(sectionId: String, value: EntryValue): Entry = withContext(io) { record.addEntry(sectionId, value) }
    suspend fun edit(id: String, value: EntryValue): Entry = withContext(io) { record.editEntry(id, value) }
    suspend fun annotate(id: String, kind: AnnotationKind, text: String?): Entry = withContext(io) { record.annotate(id, kind, text) }
    suspend fun setHidden(id: String, hidden: Boolean): Entry = withContext(io) { record.setHidden(id, hidden) }
    suspend fun delete(id: String): Entry = withContext(io) { record.deleteEntry(id) }
    suspend fun undoDelete(id: String): Entry = withContext(io) { record.undoDelete(id) }
    suspend fun purge(id: String) = withContext(io) { record.purge(id) }
    suspend fun dismissSyncConflict(id: String): Boolean = record.dismissSyncConflict(id)

    suspend fun insightReport(day: CalendarDate): InsightReport = withContext(io) { record.insightReport(day) }
    suspend fun insightSettings(): InsightSettings = withContext(io) { record.insightSettings() }
    suspend fun setInsightCategory(category: InsightCategory, enabled: Boolean): InsightSettings =
        withContext(io) { record.setInsightCategoryEnabled(category, enabled) }
    suspend fun chart(kind: MetricKind, from: CalendarDate, to: CalendarDate, theme: ChartTheme): String =
        withContext(io) { record.insightChart(kind, from, to, theme) }

    suspend fun grants(): List<Grant> = withContext(io) { record.grants() }
    suspend fun auditLog(): List<AuditEvent> = withContext(io) { record.auditLog() }
    suspend fun shareLink(request: GrantRequest, options: ShareLinkOptions): SharedLink = record.shareLink(request, options)
    /** What a share would reveal (and, for an employer or insurer, why they may not require it). */
    suspend fun sharePreview(request: GrantRequest): SharePreview = record.sharePreview(request)
    suspend fun sharedLink(grantId: String): SharedLink = withContext(io) { record.sharedLink(grantId) }
    suspend fun updateSharedLink(grantId: String): SharedLink = record.updateSharedLink(grantId)
    suspend fun revokeShare(grantId: String): Grant = record.revokeShare(grantId)
    suspend fun revokeGrant(grantId: String): Grant = withContext(io) { record.revokeGrant(grantId) }
    suspend fun refreshShares(): ShareActivity = record.refreshShares()
    /** Answers the reply to a question, once; published to the link for the person who replied. */
    suspend fun answerReply(grantId: String, text: String): Grant = record.answerReply(grantId, text)

    /** Lets whoever the relay holds back after wrong passcodes type the link's passcode again. */
    suspend fun resetPasscodeTries(grantId: String): Grant = record.resetPasscodeTries(grantId)

    // The core's screen models and forms (#15): the screens draw these and decide nothing.
    // The bindings' calls are already `suspend` and run off the main thread in the core.
    suspend fun homeScreen(): HomeScreen = record.homeScreen()
    suspend fun sectionScreen(sectionId: String, includeRemoved: Boolean): SectionScreen =
        record.sectionScreen(sectionId, includeRemoved)
    suspend fun entryScreen(id: String): EntryScreen = record.entryScreen(id)
    suspend fun formSpec(sectionId: String, entryType: String? = null): FormSpec = record.formSpec(sectionId, entryType)
    suspend fun validateForm(sectionId: String, entryType: String?, values: Map<String, String>): List<FieldError> =
        record.validateForm(sectionId, entryType, values)
    suspend fun addFromForm(sectionId: String, entryType: String?, values: Map<String, String>): FormOutcome =
        record.addEntryFromForm(sectionId, entryType, values)
    suspend fun editForm(id: String): EditForm = record.editForm(id)
    suspend fun editFromForm(id: String, values: Map<String, String>): FormOutcome = record.editEntryFromForm(id, values)

    // and2: settings, privacy, import, connect, devices and backup. Every call that goes
    // online is named so (smart*, fhirPull, strava*, sync*, device*): the screens make them
    // only when the person taps a button.
    suspend fun settingsScreen(): SettingsScreen = record.settingsScreen()
    suspend fun appPreferences(): AppPreferences = record.appPreferences()
    suspend fun setAppPreferences(p: AppPreferences) = record.setAppPreferences(p)
    suspend fun importsScreen(): ImportsScreen = record.importsScreen()
    suspend fun importFiles(paths: List<String>, listener: ProgressListener?, cancel: CancelHandle?): ImportReport =
        record.importFiles(paths, null, listener, cancel)
    suspend fun smartBegin(baseUrl: String, redirectUri: String): SmartSession = record.smartBegin(baseUrl, redirectUri)
    suspend fun smartFinish(session: SmartSession, redirectUrl: String): String = record.smartFinish(session, redirectUrl)
    suspend fun fhirPull(): FhirPullReport = record.fhirPull(false)
    suspend fun stravaStatus(): StravaStatus = record.stravaStatus()
    suspend fun stravaConnect(app: StravaApp, redirectUrl: String, state: String): StravaStatus =
        record.stravaConnect(app, redirectUrl, state)
    suspend fun stravaSync(app: StravaApp, cancel: CancelHandle?): StravaSyncReport = record.stravaSync(app, false, null, cancel)
    suspend fun devicesScreen(): DevicesScreen = record.devicesScreen()
    suspend fun syncStart(relayUrl: String, label: String): String = record.syncStart(relayUrl, label)
    suspend fun deviceOffer(): DeviceOffer = record.deviceOffer()
    /** Waits for a device to answer [offer]; sends nothing until [deviceConfirm]. */
    suspend fun deviceApprove(offer: DeviceOffer, timeoutS: UInt): AddedDevice? = record.deviceApprove(offer, timeoutS)
    /** The owner saw the same code on both screens: send the new device the record's keys. */
    suspend fun deviceConfirm(offer: DeviceOffer): String = record.deviceConfirm(offer)
    /** Asks to remove [id]; the same on another device (not [id]) confirms and removes it. */
    suspend fun removeDevice(id: String): DeviceRemoval = record.removeDevice(id)
    /** Removes [id] with the printed recovery key: no second device needed. */
    suspend fun removeDeviceWithRecoveryKey(id: String, recoveryKey: String): UInt =
        record.removeDeviceWithRecoveryKey(id, recoveryKey)
    /** One sync round now (it also fetches the device list the Devices screen draws). */
    suspend fun syncNow(): SyncSummary = record.syncNow(null, null)
    /** Brings this removed (or restored) device back with the recovery key; sync next. */
    suspend fun recoverDevice(recoveryKey: String): String = record.recoverDevice(recoveryKey)
    suspend fun backup(destPath: String): ULong = record.backup(destPath)
    suspend fun notificationsDue(nowMs: Long): List<PlannedNotification> = record.notificationsDue(nowMs)
    suspend fun ingestPlatformRecords(source: PlatformSource, records: List<PlatformRecord>): PlatformIngestReport =
        record.ingestPlatformRecords(source, records)

    /** The stored readings of one kind between two moments (milliseconds since 1970). */
    suspend fun samples(kind: SampleKind, fromMs: Long, toMs: Long): List<Sample> = withContext(io) { record.samples(kind, fromMs, toMs) }

    /**
     * The areas of the record that changed, one item per committed write (an edit, an
     * import, a sync). Screens collect it and reload what they show; no polling. Conflated:
     * a slow collector gets the latest change rather than a backlog.
     */
    fun changes(): Flow<List<RecordArea>> = callbackFlow {
        val handle = record.observe(object : RecordChangeListener {
            // Called on the writing thread: hand over and return at once.
            override fun recordChanged(areas: List<RecordArea>) {
                trySendBlocking(areas)
            }
        })
        awaitClose { handle.cancel() }
    }.conflate()

    // and1: onboarding, insights, charts and sharing screens.
    /** A new printable recovery key (13 groups of 4); it opens the record if this phone is lost. */
    suspend fun createRecoveryKey(): String = record.createRecoveryKey()
    /** The insights screen now, or as it stood at the end of [day] (screenshots, tests). */
    suspend fun insightsScreen(day: CalendarDate? = null): InsightsScreen =
        if (day == null) record.insightsScreen() else record.insightsScreenOn(day)
    suspend fun sharingScreen(): SharingScreen = record.sharingScreen()

    /** Fills an empty record with the invented demo resident (the app's "try it" mode). */
    suspend fun fillDemo(today: CalendarDate): DemoReport = record.fillDemo(today, null, null)

    override fun close() = record.close()

    companion object {
        /** The record file inside the app's private files folder. */
        fun recordFile(filesDir: File) = File(filesDir, "record/record.phr")

        /** Opens the record in [filesDir], creating it on first run. */
        suspend fun openOrCreate(filesDir: File, keystore: KeyStore, io: CoroutineDispatcher = Dispatchers.IO): PhrRepository {
            val file = recordFile(filesDir)
            val record = withContext(io) {
                if (file.exists()) PhrRecord.openAsync(file.path, keystore) else PhrRecord.create(file.path, keystore)
            }
            return PhrRepository(record, io)
        }
    }
}
