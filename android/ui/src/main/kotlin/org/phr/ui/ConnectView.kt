package org.phr.ui

import androidx.compose.foundation.text.selection.SelectionContainer
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import org.phr.ffi.StravaStatus

/** One sign-in (GP or Strava): the address to open, what came back, and how it ended. */
class SignIn {
    /** The sign-in address, once the person started; [opened]: the browser showed it. */
    var url by mutableStateOf<String?>(null)
    var opened by mutableStateOf(false)
    /** The address the browser came back to (Android fills it from the app link). */
    var returned by mutableStateOf("")
    var connected by mutableStateOf(false)
    /** How many items the last fetch brought, once one ran. */
    var fetched by mutableStateOf<ULong?>(null)
}

/** The Connect screen's state: both sign-ins, whether a call is running, whether the last failed. */
class ConnectState {
    val gp = SignIn()
    val strava = SignIn()
    /** What the last read of the phone's health app added, once one ran; null readings: nothing was allowed or new. */
    var phoneHealthRead by mutableStateOf(false)
    var phoneHealthReadings by mutableStateOf<ULong?>(null)
    var phoneHealthWorkouts by mutableStateOf<ULong?>(null)
    var busy by mutableStateOf(false)
    var failed by mutableStateOf(false)
}

/** What the Connect screen can do with this app's settings. */
class ConnectActions(
    val gpStart: (() -> Unit)?,
    val gpFinish: () -> Unit,
    val gpPull: () -> Unit,
    val stravaStart: (() -> Unit)?,
    val stravaFinish: () -> Unit,
    val stravaSync: () -> Unit,
    val cancel: () -> Unit,
    /** The phone's health app by name (Health Connect) and how to read it; null where there is none. */
    val phoneHealthName: String? = null,
    val phoneHealthRead: () -> Unit = {},
)

/**
 * Connect the GP record (SMART sign-in in the browser, then a pull) and Strava (the same,
 * then a sync). Nothing here goes online until the person taps a button.
 */
@Composable
fun ConnectView(strava: StravaStatus?, state: ConnectState, actions: ConnectActions, onBack: () -> Unit) {
    ScreenFrame(title = t("ui.connect.title"), onBack = onBack) {
        Say(t("ui.connect.online_note"))
        if (state.busy) {
            Notice(t("ui.working"))
            OtherButton(t("ui.stop"), onClick = actions.cancel)
        }
        if (state.failed) Notice(t("ui.net_failed"), warning = true)
        Titled(t("ui.connect.gp")) {
            Say(t("ui.connect.gp_intro"))
            val start = actions.gpStart
            SignInSteps(state.gp, state.busy, start, t("ui.connect.gp_start"), actions.gpFinish)
            if (state.gp.connected) Notice(t("ui.connect.gp_connected"))
            // Secondary until signed in here: a pull needs a sign-in kept from before.
            if (start != null) {
                if (state.gp.connected) MainButton(t("ui.connect.gp_pull"), enabled = !state.busy, onClick = actions.gpPull)
                else OtherButton(t("ui.connect.gp_pull"), enabled = !state.busy, onClick = actions.gpPull)
            }
            state.gp.fetched?.let { Say(t("ui.connect.gp_pulled", "count" to it)) }
        }
        Titled(t("ui.connect.strava")) {
            Say(t("ui.connect.strava_intro"))
            val start = actions.stravaStart
            if (start == null || strava == null) {
                Say(t("ui.connect.strava_missing"))
            } else {
                val connected = strava.connected || state.strava.connected
                Say(t(if (connected) "ui.connect.strava_connected" else "ui.connect.strava_not_connected"))
                if (connected) {
                    MainButton(t("ui.connect.strava_sync"), enabled = !state.busy, onClick = actions.stravaSync)
                    state.strava.fetched?.let { Say(t("ui.connect.strava_synced", "count" to it)) }
                } else {
                    SignInSteps(state.strava, state.busy, start, t("ui.connect.strava_start"), actions.stravaFinish)
                }
            }
        }
        actions.phoneHealthName?.let { app -> PhoneHealth(app, state, actions.phoneHealthRead) }
    }
}

/** The phone's own health store: the platform asks which kinds may be shared, then they are copied in. */
@Composable
private fun PhoneHealth(app: String, state: ConnectState, onRead: () -> Unit) {
    Titled(app) {
        Say(t("ui.connect.phone_health_explain", "app" to app))
        MainButton(t("ui.connect.phone_health_read", "app" to app), enabled = !state.busy, onClick = onRead)
        if (state.phoneHealthRead) {
            val readings = state.phoneHealthReadings
            val workouts = state.phoneHealthWorkouts
            if (readings == null || workouts == null) Say(t("ui.connect.phone_health_nothing", "app" to app))
            else Say(t("ui.connect.health_done", "readings" to readings, "activities" to workouts))
        }
    }
}

/** Start (opens the browser), then paste the address it came back to and finish. */
@Composable
private fun SignInSteps(s: SignIn, busy: Boolean, onStart: (() -> Unit)?, startText: String, onFinish: () -> Unit) {
    if (onStart == null) return
    if (!s.connected) MainButton(startText, enabled = !busy, onClick = onStart)
    val url = s.url ?: return
    if (s.connected) return
    if (s.opened) {
        Say(t("ui.connect.browser"))
    } else {
        // No browser here (the JVM): the address, to open by hand.
        SelectionContainer { Say(t("ui.connect.open_this", "url" to url)) }
    }
    TextBox(t("ui.connect.paste"), s.returned) { s.returned = it }
    MainButton(t("ui.connect.finish"), enabled = !busy && s.returned.isNotBlank(), onClick = onFinish)
}
