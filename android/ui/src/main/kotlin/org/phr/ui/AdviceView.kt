package org.phr.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import org.phr.ffi.GrantRow

/** The question being written: to whom, with which sections. */
class AdviceForm(val choices: List<ShareChoice>) {
    val share = NewShareForm(choices)
    var question by mutableStateOf("")
}

/** Questions already asked (their replies' text shown), then a new question. */
@Composable
fun AdviceView(asked: List<GrantRow>, form: AdviceForm, onBack: () -> Unit, onSend: () -> Unit) {
    ScreenFrame(title = t("ui.advice.title"), onBack = onBack) {
        Text(t("ui.advice.intro"), style = MaterialTheme.typography.bodyLarge)
        if (asked.isNotEmpty()) {
            SubHeading(t("ui.advice.earlier"))
            asked.forEach { row ->
                Card(Modifier.fillMaxWidth()) {
                    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                        Text(t("ui.sharing.with", "name" to row.recipient, "role" to row.role), style = MaterialTheme.typography.titleMedium)
                        Text(t("ui.advice.asked", "question" to row.question.orEmpty()), style = MaterialTheme.typography.bodyLarge)
                        if (row.replies.isEmpty()) Text(t("ui.advice.no_reply"), style = MaterialTheme.typography.bodyMedium)
                        row.replies.forEach {
                            Text(t("ui.sharing.reply_line", "from" to it.from, "date" to it.at, "text" to it.text), style = MaterialTheme.typography.bodyLarge)
                        }
                        row.answer?.let { Text(t("ui.sharing.answered", "date" to it.at, "text" to it.text), style = MaterialTheme.typography.bodyLarge) }
                    }
                }
            }
        }
        SubHeading(t("ui.advice.question"))
        TextBox(t("ui.advice.question"), form.question, { form.question = it }, minLines = 3)
        SubHeading(t("ui.newshare.sections"))
        form.share.choices.forEach { c ->
            TickRow(c.title, c.id in form.share.picked, spoken = t("ui.newshare.section_label", "section" to c.title)) { on ->
                if (on) form.share.picked.add(c.id) else form.share.picked.remove(c.id)
            }
        }
        SubHeading(t("ui.newshare.who"))
        TextBox(t("ui.newshare.name"), form.share.name, { form.share.name = it })
        TextBox(t("ui.form.optional", "label" to t("ui.newshare.role")), form.share.role, { form.share.role = it })
        form.share.problem?.let { Text(t(it), color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodyLarge) }
        BigButton(t("ui.advice.send"), onSend, primary = true)
    }
}
