package org.phr.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import org.phr.ffi.EntryAction
import org.phr.ffi.EntryScreen

/** The catalogue key of an action's button. */
fun actionKey(a: EntryAction): String = when (a) {
    EntryAction.EDIT -> "action.edit"
    EntryAction.DELETE -> "action.delete"
    EntryAction.UNDO -> "action.undo"
    EntryAction.PURGE -> "action.purge"
    EntryAction.ANNOTATE -> "action.annotate"
    EntryAction.HIDE -> "action.hide"
    EntryAction.UNHIDE -> "action.unhide"
    EntryAction.DISMISS_CONFLICT -> "action.dismiss_conflict"
}

/** One entry: its fields, where it came from, earlier versions, notes, and only the actions the core allows. */
@Composable
fun EntryView(model: EntryScreen, onBack: () -> Unit, onAction: (EntryAction) -> Unit) {
    ScreenFrame(title = model.summary, onBack = onBack) {
        if (model.deleted || model.hidden) {
            Card(colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.secondaryContainer)) {
                Text(
                    t(if (model.deleted) "ui.entry.deleted" else "ui.entry.hidden"),
                    style = MaterialTheme.typography.bodyLarge,
                    modifier = Modifier.padding(16.dp),
                )
            }
        }
        model.conflict?.let { c ->
            // A sync kept another device's change over this one (or the other way round).
            Card(colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.tertiaryContainer)) {
                Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                    Text(t(c.message.key, *c.message.args.map { it.name to it.value }.toTypedArray()), style = MaterialTheme.typography.bodyLarge)
                    Text(t(c.restore.key), style = MaterialTheme.typography.bodyMedium)
                }
            }
        }
        Part(t("ui.entry.details")) {
            model.fields.forEach { f ->
                Text(f.label ?: t(f.labelKey), style = MaterialTheme.typography.labelLarge)
                Text(f.valueKey?.let { t(it) } ?: f.value, style = MaterialTheme.typography.bodyLarge)
            }
        }
        Part(t("ui.entry.where_from")) {
            Text(provenanceText(model.provenance), style = MaterialTheme.typography.bodyLarge)
            Text(t("ui.entry.added", "date" to model.created), style = MaterialTheme.typography.bodyMedium)
            Text(t("ui.entry.changed", "date" to model.updated), style = MaterialTheme.typography.bodyMedium)
        }
        if (model.history.isNotEmpty()) {
            Part(t("ui.entry.history")) {
                model.history.forEach {
                    Text(t("ui.entry.history_line", "date" to it.until, "summary" to it.summary), style = MaterialTheme.typography.bodyLarge)
                }
            }
        }
        if (model.annotations.isNotEmpty()) {
            Part(t("ui.entry.notes")) {
                model.annotations.forEach {
                    val text = listOfNotNull(t(it.key), it.text).joinToString(" ")
                    Text(t("ui.entry.note_line", "date" to it.at, "text" to text), style = MaterialTheme.typography.bodyLarge)
                }
            }
        }
        HorizontalDivider()
        model.actions.forEach { a ->
            val destructive = a == EntryAction.DELETE || a == EntryAction.PURGE
            val modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget)
            if (a == EntryAction.EDIT) {
                Button(onClick = { onAction(a) }, modifier = modifier) { Text(t(actionKey(a)), style = MaterialTheme.typography.titleMedium) }
            } else {
                OutlinedButton(
                    onClick = { onAction(a) },
                    modifier = modifier,
                    colors = if (destructive) ButtonDefaults.outlinedButtonColors(contentColor = MaterialTheme.colorScheme.error)
                    else ButtonDefaults.outlinedButtonColors(),
                ) { Text(t(actionKey(a)), style = MaterialTheme.typography.titleMedium) }
            }
        }
    }
}

@Composable
private fun Part(title: String, content: @Composable () -> Unit) {
    Column(Modifier.fillMaxWidth(), verticalArrangement = Arrangement.spacedBy(4.dp)) {
        Text(title, style = MaterialTheme.typography.titleLarge, modifier = Modifier.semantics { heading() })
        content()
    }
}
