package org.phr.ui

import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateListOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import org.phr.ffi.RecipientCategory
import org.phr.ffi.Section
import org.phr.ffi.SharedLink
import org.phr.ffi.SharePreview

/** A section the owner may pick (the list is the core's sections, minus the "only me" ones). */
data class ShareChoice(val id: String, val title: String)

fun shareChoices(sections: List<Section>): List<ShareChoice> =
    sections.filter { it.enabled && it.privacy != org.phr.ffi.PrivacyLevel.PRIVATE }.map { ShareChoice(it.id, it.title) }

/** What the owner filled in so far. [problem]: a catalogue key shown above the Share button. */
class NewShareForm(val choices: List<ShareChoice>) {
    val picked = mutableStateListOf<String>()
    var category by mutableStateOf(RecipientCategory.HEALTH_PROFESSIONAL)
    var name by mutableStateOf("")
    var role by mutableStateOf("")
    var purpose by mutableStateOf("")
    var days by mutableStateOf(30)
    var passcode by mutableStateOf("")
    var problem by mutableStateOf<String?>(null)

    /** Employers and insurers get the "they cannot make you share" screen first. */
    val needsWarning: Boolean get() = category == RecipientCategory.EMPLOYER || category == RecipientCategory.INSURER
}

val SHARE_DAYS = listOf(7, 30, 90, 365)

fun recipientKey(c: RecipientCategory) = "recipient." + c.name.lowercase()

/** Picks sections, who, why, for how long and a passcode; then Share now. */
@Composable
fun NewShareView(form: NewShareForm, onBack: () -> Unit, onShare: () -> Unit) {
    ScreenFrame(title = t("ui.newshare.title"), onBack = onBack) {
        SubHeading(t("ui.newshare.sections"))
        form.choices.forEach { c ->
            TickRow(c.title, c.id in form.picked, spoken = t("ui.newshare.section_label", "section" to c.title)) { on ->
                if (on) form.picked.add(c.id) else form.picked.remove(c.id)
            }
        }
        SubHeading(t("ui.newshare.who"))
        PickOne(t("ui.newshare.kind"), RecipientCategory.entries.map { it to t(recipientKey(it)) }, form.category) { form.category = it }
        TextBox(t("ui.newshare.name"), form.name, { form.name = it })
        TextBox(t("ui.form.optional", "label" to t("ui.newshare.role")), form.role, { form.role = it })
        TextBox(t("ui.newshare.purpose"), form.purpose, { form.purpose = it })
        PickOne(t("ui.newshare.expiry"), SHARE_DAYS.map { it to t("ui.newshare.days", "days" to it) }, form.days) { form.days = it }
        TextBox(t("ui.form.optional", "label" to t("ui.newshare.passcode")), form.passcode, { form.passcode = it }, digits = true)
        Text(t("ui.newshare.passcode_help"), style = MaterialTheme.typography.bodyMedium)
        form.problem?.let { Text(t(it), color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodyLarge) }
        BigButton(t("ui.newshare.share"), onShare, primary = true)
    }
}

/**
 * Before anything goes to an employer or insurer: they cannot make you share, then the
 * core's preview (what each section reveals, why they may not require it, what they never
 * see). Going on confirms; going back shares nothing.
 */
@Composable
fun ShareWarningView(preview: SharePreview, onContinue: () -> Unit, onBack: () -> Unit) {
    val strings = LocalStrings.current
    ScreenFrame(title = t("ui.newshare.warning_title"), onBack = null) {
        Card(colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.errorContainer), modifier = Modifier.fillMaxWidth()) {
            Text(t("ui.newshare.warning_body"), style = MaterialTheme.typography.headlineSmall, modifier = Modifier.padding(16.dp))
        }
        SubHeading(t("share.preview.title"))
        preview.lines.forEach { Text(strings.label(it), style = MaterialTheme.typography.bodyLarge) }
        BigButton(t("ui.newshare.warning_back"), onBack, primary = true)
        BigButton(t("ui.newshare.warning_continue"), onContinue)
    }
}

/** The share is made: its QR code, large, and the link to send instead. */
@Composable
fun ShareDoneView(link: SharedLink, onDone: () -> Unit) {
    ScreenFrame(title = t("ui.newshare.done_title"), onBack = null) {
        SvgImage(link.qrSvg, t("ui.newshare.qr"))
        Text(t("ui.newshare.link"), style = MaterialTheme.typography.titleMedium)
        Text(link.viewerUrl, style = MaterialTheme.typography.bodyMedium)
        if (link.passcodeRequired) Text(t("ui.newshare.passcode_help"), style = MaterialTheme.typography.bodyLarge)
        BigButton(t("ui.newshare.done"), onDone, primary = true)
    }
}
