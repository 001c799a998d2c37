package org.phr.ui

import androidx.compose.runtime.Composable
import org.phr.ffi.AppPreferences
import org.phr.ffi.SettingsScreen

/** Settings draws the core's settings model and the preferences it edits. */
class SettingsData(val screen: SettingsScreen, val prefs: AppPreferences)

/** Where the links on Settings go; [tips] is null until the app has an Insights screen to open. */
class SettingsLinks(
    val privacy: () -> Unit,
    val addSection: () -> Unit,
    val import: () -> Unit,
    val connect: () -> Unit,
    val devices: () -> Unit,
    val backup: () -> Unit,
    val tips: (() -> Unit)? = null,
)

/** Settings: reminders, the app lock, and links to everything about the record as a whole. */
@Composable
fun SettingsView(model: SettingsData, onBack: (() -> Unit)?, onPrefs: (AppPreferences) -> Unit, links: SettingsLinks) {
    val s = model.screen
    val p = model.prefs
    ScreenFrame(title = t("ui.settings.title"), onBack = onBack) {
        Titled(t("ui.settings.reminders")) {
            SwitchRow(t("ui.settings.medication_reminders"), p.medicationReminders) { onPrefs(p.copy(medicationReminders = it)) }
            if (p.medicationReminders) {
                Say(t("ui.settings.reminder_time", "time" to s.reminderTime))
                OtherButton(t("ui.settings.earlier")) { onPrefs(p.copy(reminderHour = ((p.reminderHour.toInt() + 23) % 24).toUByte())) }
                OtherButton(t("ui.settings.later")) { onPrefs(p.copy(reminderHour = ((p.reminderHour.toInt() + 1) % 24).toUByte())) }
            }
            SwitchRow(t("ui.settings.share_reminders"), p.shareReminders) { onPrefs(p.copy(shareReminders = it)) }
            SwitchRow(t("ui.settings.safety_reminders"), p.safetyReminders) { onPrefs(p.copy(safetyReminders = it)) }
        }
        Titled(t("ui.settings.your_record")) {
            SwitchRow(t("ui.settings.app_lock"), p.appLock, hint = t("ui.settings.app_lock_hint")) { onPrefs(p.copy(appLock = it)) }
            val made = s.recoveryKeyMadeOn
            Say(if (s.recoveryKeyMade && made != null) t("ui.settings.key_made", "date" to made) else t("ui.settings.key_missing"))
            Say(labelText(s.lastBackupLabel))
            OtherButton(t("ui.settings.privacy_link"), onClick = links.privacy)
            OtherButton(t("ui.settings.add_section_link"), onClick = links.addSection)
            OtherButton(t("ui.settings.import_link"), onClick = links.import)
            OtherButton(t("ui.settings.connect_link"), onClick = links.connect)
            OtherButton(t("ui.settings.devices_link"), onClick = links.devices)
            OtherButton(t("ui.settings.backup_link"), onClick = links.backup)
        }
        links.tips?.let { tips ->
            Titled(t("ui.settings.tips")) { OtherButton(t("ui.settings.tips_link"), onClick = tips) }
        }
    }
}
