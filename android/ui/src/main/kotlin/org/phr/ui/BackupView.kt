package org.phr.ui

import androidx.compose.foundation.text.selection.SelectionContainer
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.text.font.FontFamily
import org.phr.ffi.SettingsScreen

/** A backup or restore under way: the paths typed (the JVM), the new recovery key once made, outcomes. */
class BackupState {
    var dest by mutableStateOf("")
    var saved by mutableStateOf(false)
    var recoveryKey by mutableStateOf<String?>(null)
    var restoreFrom by mutableStateOf("")
    var restoreKey by mutableStateOf("")
    var restored by mutableStateOf(false)
    var busy by mutableStateOf(false)
    var failed by mutableStateOf(false)
}

/** What Backup can do; [canPick]: the platform has save/open dialogs, so no paths are typed. */
class BackupActions(
    val canPick: Boolean,
    val backup: () -> Unit,
    val makeKey: () -> Unit,
    val restore: (() -> Unit)?,
    val pickRestore: () -> Unit,
)

/** Back up the record to a file, make the recovery key, and restore a backup with that key. */
@Composable
fun BackupView(model: SettingsScreen, state: BackupState, actions: BackupActions, onBack: () -> Unit) {
    ScreenFrame(title = t("ui.backup.title"), onBack = onBack) {
        Say(t("ui.backup.intro"))
        Say(labelText(model.lastBackupLabel))
        if (state.busy) Notice(t("ui.working"))
        if (state.failed) Notice(t("ui.backup.failed"), warning = true)
        if (!actions.canPick) TextBox(t("ui.backup.where"), state.dest) { state.dest = it }
        MainButton(
            t(if (actions.canPick) "ui.backup.choose" else "ui.backup.start"),
            enabled = !state.busy && (actions.canPick || state.dest.isNotBlank()),
            onClick = actions.backup,
        )
        if (state.saved) Notice(t("ui.backup.done"))
        Titled(t("ui.backup.key")) {
            Say(t("ui.backup.key_intro"))
            val made = model.recoveryKeyMadeOn
            if (model.recoveryKeyMade && made != null) Say(t("ui.settings.key_made", "date" to made))
            val key = state.recoveryKey
            if (key != null) {
                Notice(t("ui.backup.key_show"))
                SelectionContainer { Text(key, style = MaterialTheme.typography.titleLarge.copy(fontFamily = FontFamily.Monospace)) }
            } else {
                OtherButton(t("ui.backup.key_make"), enabled = !state.busy, onClick = actions.makeKey)
            }
        }
        actions.restore?.let { restore ->
            Titled(t("ui.backup.restore")) {
                Say(t("ui.backup.restore_intro"))
                if (actions.canPick) {
                    OtherButton(t("ui.backup.restore_choose"), enabled = !state.busy, onClick = actions.pickRestore)
                    if (state.restoreFrom.isNotBlank()) Say(state.restoreFrom.substringAfterLast('/'))
                } else {
                    TextBox(t("ui.backup.restore_file"), state.restoreFrom) { state.restoreFrom = it }
                }
                TextBox(t("ui.backup.restore_key"), state.restoreKey) { state.restoreKey = it }
                MainButton(
                    t("ui.backup.restore_start"),
                    enabled = !state.busy && state.restoreFrom.isNotBlank() && state.restoreKey.isNotBlank(),
                    onClick = restore,
                )
                if (state.restored) Notice(t("ui.backup.restored"))
            }
        }
    }
}
