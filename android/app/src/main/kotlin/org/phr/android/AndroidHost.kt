package org.phr.android

import android.content.Intent
import android.net.Uri
import android.os.Build
import androidx.activity.result.ActivityResultLauncher
import androidx.activity.result.contract.ActivityResultContracts
import androidx.fragment.app.FragmentActivity
import androidx.health.connect.client.HealthConnectClient
import androidx.health.connect.client.PermissionController
import androidx.lifecycle.lifecycleScope
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.phr.ffi.PendingDevice
import org.phr.ffi.PlatformIngestReport
import org.phr.ffi.PhrRecord
import org.phr.ui.AppHost
import java.io.File
import kotlin.coroutines.resume

/**
 * The Android side of the screens: the browser for sign-ins, the system's file pickers
 * (files are copied into the app's cache, where the core can read them), and replacing
 * the record after a restore or joining another phone. Create it in `onCreate` (the
 * pickers must be registered before the Activity starts).
 */
class AndroidHost(private val activity: FragmentActivity, private val app: PhrApplication) : AppHost(
    gpBaseUrl = BuildConfig.GP_FHIR_URL.ifEmpty { null },
    redirectUri = REDIRECT_URI,
    strava = BuildConfig.STRAVA_CLIENT_ID.takeIf { it.isNotEmpty() }?.let {
        org.phr.ffi.StravaApp(it, BuildConfig.STRAVA_CLIENT_SECRET, null)
    },
    relayUrl = app.relayUrl,
    deviceName = Build.MODEL,
) {
    private var onFiles: ((List<String>) -> Unit)? = null
    private var onRestoreFile: ((String) -> Unit)? = null
    private var pendingSave: File? = null
    private var onHealthAnswer: ((Set<String>) -> Unit)? = null

    // Health Connect's own screen, one switch per kind of data; shown only from the Connect screen's button.
    private val askHealth: ActivityResultLauncher<Set<String>> =
        activity.registerForActivityResult(PermissionController.createRequestPermissionResultContract()) { granted ->
            onHealthAnswer?.invoke(granted)
            onHealthAnswer = null
        }

    private val openFiles: ActivityResultLauncher<Array<String>> =
        activity.registerForActivityResult(ActivityResultContracts.OpenMultipleDocuments()) { uris ->
            val then = onFiles ?: return@registerForActivityResult
            onFiles = null
            copyIn(uris) { then(it) }
        }

    private val openBackup: ActivityResultLauncher<Array<String>> =
        activity.registerForActivityResult(ActivityResultContracts.OpenDocument()) { uri ->
            val then = onRestoreFile ?: return@registerForActivityResult
            onRestoreFile = null
            if (uri != null) copyIn(listOf(uri)) { then(it.first()) }
        }

    private val saveBackup: ActivityResultLauncher<String> =
        activity.registerForActivityResult(ActivityResultContracts.CreateDocument("application/octet-stream")) { uri ->
            val file = pendingSave ?: return@registerForActivityResult
            pendingSave = null
            activity.lifecycleScope.launch(Dispatchers.IO) {
                try {
                    if (uri != null) {
                        activity.contentResolver.openOutputStream(uri)?.use { out -> file.inputStream().use { it.copyTo(out) } }
                    }
                } finally {
                    // The copy in the cache is the whole record: never leave it behind.
                    file.delete()
                }
            }
        }

    override val phoneHealthName: String?
        get() = "Health Connect".takeIf { HealthConnectClient.getSdkStatus(activity) == HealthConnectClient.SDK_AVAILABLE }

    override suspend fun readPhoneHealth(): PlatformIngestReport? {
        val repo = app.record.value ?: return null
        val reader = HealthConnectReader(activity, repo)
        if (!reader.allGranted()) {
            withContext(Dispatchers.Main) {
                suspendCancellableCoroutine { done ->
                    onHealthAnswer = { done.resume(it) }
                    askHealth.launch(reader.permissions)
                }
            }
        }
        return reader.readNew()
    }

    override fun openUrl(url: String): Boolean = try {
        activity.startActivity(Intent(Intent.ACTION_VIEW, Uri.parse(url)))
        true
    } catch (e: android.content.ActivityNotFoundException) {
        false
    }

    override val canPickFiles: Boolean = true

    override fun pickFiles(onPicked: (List<String>) -> Unit): Boolean {
        onFiles = onPicked
        // Copies from the last import are done with; health data does not linger in the cache.
        File(activity.cacheDir, "picked").deleteRecursively()
        openFiles.launch(arrayOf("*/*"))
        return true
    }

    override val canSaveFiles: Boolean = true

    override fun cacheFile(suffix: String): File = File.createTempFile("phr-", suffix, activity.cacheDir)

    override fun saveFile(path: String, suggestedName: String) {
        pendingSave = File(path)
        activity.runOnUiThread { saveBackup.launch(suggestedName) }
    }

    override fun pickRestoreFile(onPicked: (String) -> Unit): Boolean {
        onRestoreFile = onPicked
        openBackup.launch(arrayOf("*/*"))
        return true
    }

    override val canReplaceRecord: Boolean = true

    override suspend fun restore(backupPath: String, recoveryKey: String) {
        try {
            app.replaceWith { home ->
                withContext(Dispatchers.IO) {
                    PhrRecord.restoreWithRecoveryKey(backupPath, home.path, recoveryKey, AndroidKeystoreKeyStore())
                }
            }
        } finally {
            File(backupPath).takeIf { it.startsWith(activity.cacheDir) }?.delete()
        }
    }

    override suspend fun join(pending: PendingDevice) {
        app.replaceWith { home ->
            home.mkdirs()
            pending.finish(File(home, "record.phr").path, AndroidKeystoreKeyStore(), JOIN_WAIT_SECONDS)
        }
    }

    /** Copies picked documents into the cache (the core reads paths, not content URIs). */
    private fun copyIn(uris: List<Uri>, then: (List<String>) -> Unit) {
        activity.lifecycleScope.launch {
            val paths = withContext(Dispatchers.IO) {
                val dir = File(activity.cacheDir, "picked").apply { mkdirs() }
                uris.mapIndexedNotNull { i, uri ->
                    val name = uri.lastPathSegment?.substringAfterLast('/')?.ifBlank { null } ?: "file-$i"
                    val out = File(dir, "$i-$name")
                    activity.contentResolver.openInputStream(uri)?.use { input -> out.outputStream().use { input.copyTo(it) } }
                        ?.let { out.path }
                }
            }
            then(paths)
        }
    }

    companion object {
        /** The app link the browser comes back to after a sign-in (see the manifest). */
        const val REDIRECT_URI = "org.phr.app://signed-in"
        const val JOIN_WAIT_SECONDS = 120u
    }
}
