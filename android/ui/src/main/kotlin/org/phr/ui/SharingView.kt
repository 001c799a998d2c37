package org.phr.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import org.phr.ffi.GrantRow
import org.phr.ffi.SharingScreen

/** What the sharing list's buttons do; each reaches the relay only when pressed. */
class SharingActions(
    val onNew: () -> Unit = {},
    val onEmergency: () -> Unit = {},
    val onAdvice: () -> Unit = {},
    val onCheck: () -> Unit = {},
    val onUpdate: (GrantRow) -> Unit = {},
    val onRevoke: (GrantRow) -> Unit = {},
    val onAnswer: (GrantRow, String) -> Unit = { _, _ -> },
    val onResetTries: (GrantRow) -> Unit = {},
)

/** Sharing: who can see what, until when, how often it was opened (and wrong passcodes typed), their replies and the owner's answer; update or stop each, or let them try the passcode again. */
@Composable
fun SharingView(model: SharingScreen, message: String?, actions: SharingActions) {
    ScreenFrame(title = t("ui.sharing.title"), onBack = null) {
        Text(t("ui.sharing.intro"), style = MaterialTheme.typography.bodyLarge)
        BigButton(t("ui.sharing.new"), actions.onNew, primary = true)
        BigButton(t("ui.sharing.emergency"), actions.onEmergency)
        BigButton(t("ui.sharing.advice"), actions.onAdvice)
        message?.let { Text(t(it), style = MaterialTheme.typography.bodyLarge, color = MaterialTheme.colorScheme.primary) }
        if (model.grants.isEmpty()) Text(t("ui.sharing.none"), style = MaterialTheme.typography.bodyLarge)
        else BigButton(t("ui.sharing.check"), actions.onCheck)
        model.grants.forEach { GrantCard(it, actions) }
    }
}

@Composable
fun BigButton(text: String, onClick: () -> Unit, primary: Boolean = false, description: String? = null) {
    val modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget).let { m ->
        if (description != null) m.semantics { contentDescription = description } else m
    }
    if (primary) Button(onClick = onClick, modifier = modifier) { Text(text, style = MaterialTheme.typography.titleMedium) }
    else OutlinedButton(onClick = onClick, modifier = modifier) { Text(text, style = MaterialTheme.typography.titleMedium) }
}

@Composable
private fun GrantCard(row: GrantRow, actions: SharingActions) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(t("ui.sharing.with", "name" to row.recipient, "role" to row.role), style = MaterialTheme.typography.titleMedium)
            Text(t(row.categoryKey) + " · " + t(row.statusKey), style = MaterialTheme.typography.labelLarge, color = MaterialTheme.colorScheme.primary)
            Text(labelText(row.expiryLabel), style = MaterialTheme.typography.bodyLarge)
            if (row.sections.isNotEmpty()) Text(t("ui.sharing.sections", "sections" to row.sections.joinToString(", ")), style = MaterialTheme.typography.bodyLarge)
            row.question?.let { Text(t("ui.sharing.question", "question" to it), style = MaterialTheme.typography.bodyLarge) }
                ?: Text(t("ui.sharing.purpose", "purpose" to row.purpose), style = MaterialTheme.typography.bodyMedium)
            Text(
                if (row.openings == 0u) t("ui.sharing.opened_never")
                else t("ui.sharing.opened", "count" to row.openings, "date" to row.lastOpened.orEmpty()),
                style = MaterialTheme.typography.bodyMedium,
            )
            row.wrongPasscodesLabel?.let { Text(labelText(it), style = MaterialTheme.typography.bodyLarge) }
            row.updateOwedLabel?.let { Text(labelText(it), style = MaterialTheme.typography.bodyLarge) }
            if (row.canResetPasscodeTries) {
                BigButton(t("ui.sharing.let_try_again"), { actions.onResetTries(row) }, description = t("ui.sharing.let_try_again_with", "name" to row.recipient))
            }
            if (row.replies.isNotEmpty()) {
                Text(t("ui.sharing.replies"), style = MaterialTheme.typography.titleSmall)
                row.replies.forEach {
                    Text(t("ui.sharing.reply_line", "from" to it.from, "date" to it.at, "text" to it.text), style = MaterialTheme.typography.bodyLarge)
                }
            }
            row.answer?.let { Text(t("ui.sharing.answered", "date" to it.at, "text" to it.text), style = MaterialTheme.typography.bodyLarge) }
            if (row.canAnswer) AnswerBox(row, actions)
            if (row.canRevoke && row.hasLink) {
                BigButton(t("ui.sharing.update"), { actions.onUpdate(row) }, description = t("ui.sharing.update_with", "name" to row.recipient))
            }
            if (row.canRevoke) {
                val label = t("ui.sharing.revoke_with", "name" to row.recipient)
                OutlinedButton(
                    onClick = { actions.onRevoke(row) },
                    colors = ButtonDefaults.outlinedButtonColors(contentColor = MaterialTheme.colorScheme.error),
                    modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget).semantics { contentDescription = label },
                ) { Text(t("ui.sharing.revoke"), style = MaterialTheme.typography.titleMedium) }
            }
        }
    }
}

/** The owner's one answer to a reply: gone once sent (the core then shows the answer instead). */
@Composable
private fun AnswerBox(row: GrantRow, actions: SharingActions) {
    var draft by remember(row.id) { mutableStateOf("") }
    Text(t("ui.sharing.answer_once"), style = MaterialTheme.typography.bodyMedium)
    TextBox(t("ui.sharing.answer"), draft, { draft = it }, minLines = 3)
    BigButton(t("ui.sharing.answer_send"), { actions.onAnswer(row, draft) }, primary = true, description = t("ui.sharing.answer_send_to", "name" to row.recipient))
}
