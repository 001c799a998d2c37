package org.phr.android

import android.content.Intent
import android.os.Bundle
import androidx.activity.compose.setContent
import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.key
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.fragment.app.FragmentActivity
import androidx.lifecycle.lifecycleScope
import kotlinx.coroutines.launch
import org.phr.android.ui.AndroidStrings
import org.phr.ffi.PhrException
import org.phr.ui.PhrApp

/**
 * Hosts the screens of android/ui (`PhrApp`, the same composables the JVM tests and
 * screenshots run) over the open record, behind the app lock when the person switched it
 * on. A FragmentActivity because BiometricPrompt needs one.
 */
class MainActivity : FragmentActivity() {
    private lateinit var host: AndroidHost

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val app = application as PhrApplication
        // Before the Activity starts: it registers the file pickers.
        host = AndroidHost(this, app)
        val strings = AndroidStrings(this)
        Notifications.channel(this)
        lifecycleScope.launch { app.repository() }
        setContent {
            val repo by app.record.collectAsState()
            var unlocked by remember { mutableStateOf(false) }
            repo?.let { r ->
                LaunchedEffect(r) {
                    val lock = try {
                        r.appPreferences().appLock
                    } catch (e: PhrException) {
                        true // unsure: keep the record behind the lock
                    }
                    if (lock && !unlocked) AppLock(this@MainActivity, strings).unlock { unlocked = true } else unlocked = true
                    // Local only: the core's plan of reminders, and new readings from Health Connect.
                    Notifications.plan(this@MainActivity, r)
                    readHealthConnect(r)
                }
                if (unlocked) key(r) { PhrApp(r, dark = isSystemInDarkTheme(), strings = strings, host = host) }
            }
        }
        redirect(intent)
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        redirect(intent)
    }

    /** The browser came back from a sign-in (GP or Strava): the Connect screen finishes it. */
    private fun redirect(intent: Intent?) {
        val uri = intent?.data?.toString() ?: return
        if (uri.startsWith(AndroidHost.REDIRECT_URI)) host.redirects.value = uri
    }

    private suspend fun readHealthConnect(repo: org.phr.shared.PhrRepository) {
        try {
            HealthConnectReader(this, repo).readNew()
        } catch (e: PhrException) {
            // Tried again next time the app opens.
        } catch (e: SecurityException) {
            // A permission was withdrawn while reading: the next read skips that type.
        }
    }
}
