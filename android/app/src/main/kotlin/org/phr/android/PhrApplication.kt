package org.phr.android

import android.app.Application
import android.util.Log
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import org.phr.ffi.LogLevel
import org.phr.ffi.Logger
import org.phr.ffi.setLogger
import org.phr.shared.PhrRepository

/** Holds the one open record for the app's lifetime and routes the core's logs to Logcat. */
class PhrApplication : Application() {
    private val lock = Mutex()
    private var repository: PhrRepository? = null

    override fun onCreate() {
        super.onCreate()
        // The core logs categories and counts, never health data.
        setLogger(object : Logger {
            override fun log(level: LogLevel, target: String, message: String) {
                when (level) {
                    LogLevel.ERROR -> Log.e("phr", "$target: $message")
                    LogLevel.WARN -> Log.w("phr", "$target: $message")
                    LogLevel.INFO -> Log.i("phr", "$target: $message")
                    else -> Log.d("phr", "$target: $message")
                }
            }
        }, if (BuildConfig.DEBUG) LogLevel.DEBUG else LogLevel.INFO)
    }

    /**
     * The relay that hosts encrypted share links (it never sees their key). Set per build
     * (`phr.relayUrl` in gradle.properties); contacted only when the owner shares,
     * revokes or refreshes.
     */
    val relayUrl: String get() = BuildConfig.RELAY_URL

    suspend fun repository(): PhrRepository = lock.withLock {
        repository ?: PhrRepository.openOrCreate(filesDir, AndroidKeystoreKeyStore()).also { repository = it }
    }
}
