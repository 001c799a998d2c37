package org.phr.android

import android.app.Application
import android.util.Log
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext
import org.phr.ffi.LogLevel
import org.phr.ffi.Logger
import org.phr.ffi.PhrRecord
import org.phr.ffi.setLogger
import org.phr.shared.PhrRepository
import java.io.File

/** Holds the one open record for the app's lifetime and routes the core's logs to Logcat. */
class PhrApplication : Application() {
    private val lock = Mutex()
    private val _record = MutableStateFlow<PhrRepository?>(null)

    /** The open record; a new one after a restore or after joining another phone. */
    val record: StateFlow<PhrRepository?> = _record.asStateFlow()

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
     * The relay that hosts encrypted share links and sync (it never sees their key). Set per
     * build (`phr.relayUrl` in gradle.properties); contacted only when the owner shares,
     * syncs or adds a device.
     */
    val relayUrl: String get() = BuildConfig.RELAY_URL

    suspend fun repository(): PhrRepository = lock.withLock {
        _record.value ?: PhrRepository.openOrCreate(filesDir, AndroidKeystoreKeyStore()).also { _record.value = it }
    }

    /**
     * Puts a record made by [make] (given the folder it must create the record in) in place
     * of the open one. The old record is moved aside first and put back if [make] fails, so
     * a failed restore never loses the record that was there.
     */
    suspend fun replaceWith(make: suspend (home: File) -> PhrRecord) = lock.withLock {
        val home = PhrRepository.recordFile(filesDir).parentFile ?: error("the record file has no folder")
        val aside = File(filesDir, "record.replaced")
        _record.value?.close()
        _record.value = null
        withContext(Dispatchers.IO) {
            aside.deleteRecursively()
            if (home.exists() && !home.renameTo(aside)) error("could not move the old record aside")
        }
        val made = try {
            make(home)
        } catch (e: Exception) {
            withContext(Dispatchers.IO) {
                home.deleteRecursively()
                aside.renameTo(home)
            }
            _record.value = PhrRepository.openOrCreate(filesDir, AndroidKeystoreKeyStore())
            throw e
        }
        withContext(Dispatchers.IO) { aside.deleteRecursively() }
        _record.value = PhrRepository(made)
    }
}
