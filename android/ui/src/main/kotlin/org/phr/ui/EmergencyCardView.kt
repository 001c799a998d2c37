package org.phr.ui

import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import org.phr.ffi.GrantRow
import org.phr.ffi.SharedLink

/** The emergency card as loaded: its grant and its link (shown again offline), or nothing yet. */
data class EmergencyData(val row: GrantRow?, val link: SharedLink?)

/**
 * The long-term emergency share (the core's `emergency` sections, flag L): make it, show its
 * QR code, put the record as it is now behind the same code after a change, or stop it.
 */
@Composable
fun EmergencyCardView(data: EmergencyData, message: String?, onBack: () -> Unit, onCreate: () -> Unit, onUpdate: () -> Unit, onStop: () -> Unit) {
    ScreenFrame(title = t("ui.emergency.title"), onBack = onBack) {
        Text(t("ui.emergency.intro"), style = MaterialTheme.typography.bodyLarge)
        message?.let { Text(t(it), style = MaterialTheme.typography.bodyLarge, color = MaterialTheme.colorScheme.error) }
        val row = data.row
        if (row == null) {
            Text(t("ui.emergency.none"), style = MaterialTheme.typography.bodyLarge)
            BigButton(t("ui.emergency.create"), onCreate, primary = true)
        } else {
            data.link?.let { SvgImage(it.qrSvg, t("ui.newshare.qr")) }
            Text(t("ui.sharing.sections", "sections" to row.sections.joinToString(", ")), style = MaterialTheme.typography.bodyLarge)
            Text(
                if (row.openings == 0u) t("ui.sharing.opened_never")
                else t("ui.sharing.opened", "count" to row.openings, "date" to row.lastOpened.orEmpty()),
                style = MaterialTheme.typography.bodyMedium,
            )
            Text(t("ui.emergency.update_help"), style = MaterialTheme.typography.bodyLarge)
            BigButton(t("ui.emergency.update"), onUpdate, primary = true)
            OutlinedButton(
                onClick = onStop,
                colors = ButtonDefaults.outlinedButtonColors(contentColor = MaterialTheme.colorScheme.error),
                modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget),
            ) { Text(t("ui.emergency.stop"), style = MaterialTheme.typography.titleMedium) }
            // The link last: most people show the QR code; the link is for sending by message.
            data.link?.let {
                Text(t("ui.newshare.link"), style = MaterialTheme.typography.titleMedium)
                Text(it.viewerUrl, style = MaterialTheme.typography.bodyMedium)
            }
        }
    }
}
