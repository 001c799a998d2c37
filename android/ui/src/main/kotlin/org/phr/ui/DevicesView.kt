package org.phr.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.selection.SelectionContainer
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import org.phr.ffi.AddedDevice
import org.phr.ffi.DeviceOffer
import org.phr.ffi.DeviceRow
import org.phr.ffi.DevicesScreen
import org.phr.ffi.PendingDevice

/** Adding a phone (this one shows a QR code) or joining another phone's record (this one typed its code). */
class PairState {
    internal var offer: DeviceOffer? = null
    var qrSvg by mutableStateOf<String?>(null)
    var payload by mutableStateOf<String?>(null)
    /** The phone that answered, with the code both phones show; the person confirms it matches. */
    var added by mutableStateOf<AddedDevice?>(null)
    var done by mutableStateOf(false)
    var noAnswer by mutableStateOf(false)
    var joinCode by mutableStateOf("")
    internal var pending: PendingDevice? = null
    var pendingCode by mutableStateOf<String?>(null)
    var busy by mutableStateOf(false)
    var failed by mutableStateOf(false)
    /** A removal this phone asked for (the device's name): confirm it on another phone. */
    var removeAsked by mutableStateOf<String?>(null)
    /** Hours until this new phone may remove another (ADR 0048's wait for new devices). */
    var removeTooNewHours by mutableStateOf<Long?>(null)
    /** A device this phone removed (its name). */
    var removeDone by mutableStateOf<String?>(null)
    /** The device whose removal by recovery key is open (its id). */
    var keyFor by mutableStateOf<String?>(null)
    /** The recovery key as typed; never kept beyond this screen. */
    var recoveryKey by mutableStateOf("")
    var wrongKey by mutableStateOf(false)
    var recovered by mutableStateOf(false)
}

/** What the Devices screen can do; a null action is not offered (no relay set, or the JVM). */
class DevicesActions(
    val start: (() -> Unit)?,
    val offer: () -> Unit,
    val wait: () -> Unit,
    val match: () -> Unit,
    val noMatch: () -> Unit,
    /** Asks to remove a device (or confirms what another phone asked). */
    val remove: (DeviceRow) -> Unit,
    val join: (() -> Unit)?,
    val joinMatch: () -> Unit,
    /** Removes a device with the recovery key typed in [PairState.recoveryKey]. */
    val removeWithKey: (DeviceRow) -> Unit = {},
    /** Brings this removed phone back with the recovery key. */
    val recover: () -> Unit = {},
    val syncNow: () -> Unit = {},
)

/** The phones and tablets that share this record: add one by QR code and a matching number, or remove one. */
@Composable
fun DevicesView(model: DevicesScreen, pair: PairState, actions: DevicesActions, onBack: () -> Unit) {
    ScreenFrame(title = t("ui.devices.title"), onBack = onBack) {
        Say(t(model.hintKey))
        if (pair.busy) Notice(t("ui.working"))
        if (pair.failed) Notice(t("ui.net_failed"), warning = true)
        model.warningKey?.let { Notice(t(it), warning = true) }
        if (pair.wrongKey) Notice(t("ui.devices.wrong_recovery_key"), warning = true)
        if (pair.recovered) Notice(t("ui.devices.recovered"))
        if (model.canRecover) {
            // This phone was removed: the printed recovery key brings it back.
            TextBox(t("ui.devices.recovery_key_field"), pair.recoveryKey) { pair.recoveryKey = it }
            MainButton(t("ui.devices.recover"), enabled = !pair.busy && pair.recoveryKey.isNotBlank(), onClick = actions.recover)
        }
        model.thisDevice?.let { Text(t("ui.devices.this", "name" to it.name), style = MaterialTheme.typography.titleMedium) }
        if (model.syncSetUp) Say(labelText(model.lastSyncLabel))
        pair.removeAsked?.let { Notice(t("ui.devices.remove_asked", "name" to it)) }
        pair.removeDone?.let { Notice(t("ui.devices.remove_done", "name" to it)) }
        pair.removeTooNewHours?.let { Notice(t("ui.devices.remove_too_new", "hours" to it.toString()), warning = true) }
        model.others.forEach { DeviceCard(it, pair, actions) }
        if (model.syncSetUp && !model.canRecover) OtherButton(t("ui.devices.sync_now"), enabled = !pair.busy, onClick = actions.syncNow)
        if (!model.syncSetUp) {
            actions.start?.let { MainButton(t("ui.devices.start"), enabled = !pair.busy, onClick = it) }
        } else {
            AddDevice(pair, actions)
        }
        actions.join?.let { join ->
            Titled(t("ui.devices.join")) {
                Say(t("ui.devices.join_intro"))
                val code = pair.pendingCode
                if (code == null) {
                    TextBox(t("ui.devices.join_code"), pair.joinCode) { pair.joinCode = it }
                    MainButton(t("ui.devices.join_start"), enabled = !pair.busy && pair.joinCode.isNotBlank(), onClick = join)
                } else {
                    Notice(t("ui.devices.join_check", "code" to code))
                    MainButton(t("ui.devices.join_match"), enabled = !pair.busy, onClick = actions.joinMatch)
                }
            }
        }
    }
}

@Composable
private fun AddDevice(pair: PairState, actions: DevicesActions) {
    Titled(t("ui.devices.add")) {
        val added = pair.added
        val svg = pair.qrSvg
        when {
            pair.done -> Notice(t("ui.devices.added"))
            added != null -> {
                Notice(t("ui.devices.check", "code" to added.confirmationCode))
                MainButton(t("ui.devices.match"), enabled = !pair.busy, onClick = actions.match)
                OtherButton(t("ui.devices.no_match"), enabled = !pair.busy, onClick = actions.noMatch)
            }
            svg != null -> {
                Say(t("ui.devices.scan"))
                QrImage(svg, t("ui.devices.qr"))
                pair.payload?.let { SelectionContainer { Say(t("ui.devices.or_type", "code" to it)) } }
                MainButton(t("ui.devices.wait"), enabled = !pair.busy, onClick = actions.wait)
            }
            else -> MainButton(t("ui.devices.add"), enabled = !pair.busy, onClick = actions.offer)
        }
        if (pair.noAnswer) Notice(t("ui.devices.no_answer"), warning = true)
    }
}

@Composable
private fun DeviceCard(d: DeviceRow, pair: PairState, actions: DevicesActions) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            val removed = d.removed
            if (removed != null) {
                Say(t("ui.devices.removed", "name" to d.name, "date" to removed))
            } else {
                Say(t("ui.devices.other", "name" to d.name, "date" to d.added))
                // A removal waiting for a second phone: what it means, and what to do here.
                d.removalKey?.let { Notice(t(it)) }
                if (d.active) {
                    OtherButton(t("ui.devices.remove", "name" to d.name), enabled = !pair.busy) { actions.remove(d) }
                    if (pair.keyFor == d.id) {
                        TextBox(t("ui.devices.recovery_key_field"), pair.recoveryKey) { pair.recoveryKey = it }
                        MainButton(
                            t("ui.devices.recovery_key_remove", "name" to d.name),
                            enabled = !pair.busy && pair.recoveryKey.isNotBlank(),
                        ) { actions.removeWithKey(d) }
                    } else {
                        OtherButton(t("ui.devices.use_recovery_key"), enabled = !pair.busy) { pair.keyFor = d.id }
                    }
                }
            }
        }
    }
}
