package org.phr.ui

import kotlinx.coroutines.flow.MutableStateFlow
import org.phr.ffi.PendingDevice
import org.phr.ffi.PlatformIngestReport
import org.phr.ffi.StravaApp
import java.io.File

/**
 * What the app around the screens supplies: the addresses of the services it may use (only
 * when the person taps a button) and what only the platform can do. The JVM (tests,
 * screenshots) uses the defaults: no browser, no file picker, paths typed in.
 */
open class AppHost(
    /** The GP system's FHIR address (from the app's build settings); null hides GP sign-in. */
    val gpBaseUrl: String? = null,
    /** Where the browser comes back to after a sign-in (the app's registered link). */
    val redirectUri: String = "org.phr.app://signed-in",
    /** The app's Strava registration; null hides Strava. */
    val strava: StravaApp? = null,
    /** The sync relay for adding devices; null hides sync. */
    val relayUrl: String? = null,
    /** This device's name in the list of devices (Android: the phone's model). */
    val deviceName: String = "Computer",
) {
    /** Opens [url] in the browser; false where there is none (the screen then shows the address). */
    open fun openUrl(url: String): Boolean = false

    /** True where [pickFiles] opens the system's file picker; false: paths are typed (the JVM). */
    open val canPickFiles: Boolean = false

    /** Asks the person for files to import, then calls [onPicked] with readable paths; false: no picker here. */
    open fun pickFiles(onPicked: (List<String>) -> Unit): Boolean = false

    /** True where the system's save dialog takes finished files ([saveFile]); false: a path is typed. */
    open val canSaveFiles: Boolean = false

    /** A new file in the app's private cache, for a backup before [saveFile] hands it on. */
    open fun cacheFile(suffix: String): File = File.createTempFile("phr-", suffix)

    /** Offers the finished file at [path] to the save dialog, which copies it where the person chooses. */
    open fun saveFile(path: String, suggestedName: String) {}

    /** Asks for a backup file to restore from, copied where the core can read it; false: no picker here. */
    open fun pickRestoreFile(onPicked: (String) -> Unit): Boolean = false

    /**
     * The address the browser came back to after a sign-in, set by the Activity when the
     * app link opens it; the Connect screen finishes the sign-in with it.
     */
    val redirects = MutableStateFlow<String?>(null)

    /** True where [restore] and [join] can replace the open record (the app, not the screenshots). */
    open val canReplaceRecord: Boolean = false

    /** Replaces the open record with the backup at [backupPath], opened with the printed [recoveryKey]. */
    open suspend fun restore(backupPath: String, recoveryKey: String) {}

    /** Replaces the open record with the one another phone sends once the codes matched. */
    open suspend fun join(pending: PendingDevice) {}

    /** The phone's health store by name ("Health Connect"); null hides it (the JVM has none). */
    open val phoneHealthName: String? = null

    /**
     * Shows the platform's own screen where the person picks which kinds of data may be read
     * (nothing is asked before they tap), then reads those into the record. Null: nothing was
     * allowed, or nothing new was there.
     */
    open suspend fun readPhoneHealth(): PlatformIngestReport? = null
}
