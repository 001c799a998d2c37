package org.phr.android.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Card
import androidx.compose.material3.Checkbox
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.FloatingActionButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateMapOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.CompletableDeferred
import org.phr.android.SectionDetailViewModel
import org.phr.shared.EntryForms
import org.phr.shared.EntryRow

private sealed interface Dialog {
    data object Add : Dialog
    data class Edit(val row: EntryRow) : Dialog
    data class Annotate(val row: EntryRow) : Dialog
}

/** A section's entries with add, edit, annotate, hide and delete (with undo). */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun SectionDetailScreen(vm: SectionDetailViewModel, onPrivacy: () -> Unit, onBack: () -> Unit) {
    val model by vm.model.collectAsState()
    val m = model ?: return LoadingScreen()
    val state by m.state.collectAsState()
    var dialog by remember { mutableStateOf<Dialog?>(null) }

    Scaffold(
        topBar = {
            TopAppBar(
                title = { Text(state.title) },
                navigationIcon = { TextButton(onClick = onBack) { Text("Back") } },
                actions = { TextButton(onClick = onPrivacy) { Text("Privacy") } },
            )
        },
        floatingActionButton = { FloatingActionButton(onClick = { dialog = Dialog.Add }) { Text("+") } },
    ) { padding ->
        LazyColumn(Modifier.padding(padding)) {
            state.message?.let { msg -> item { MessageBar(msg) { m.dismissMessage() } } }
            state.undoableDelete?.let {
                item {
                    Row(Modifier.padding(16.dp, 4.dp), verticalAlignment = Alignment.CenterVertically) {
                        Text("Entry deleted", Modifier.weight(1f))
                        TextButton(onClick = { vm.run { undoDelete() } }) { Text("Undo") }
                    }
                }
            }
            item {
                Row(Modifier.padding(16.dp, 4.dp), verticalAlignment = Alignment.CenterVertically) {
                    Text("Show hidden entries", Modifier.weight(1f))
                    Switch(checked = state.showHidden, onCheckedChange = { on -> vm.run { setShowHidden(on) } })
                }
            }
            items(state.entries, key = { it.id }) { row ->
                EntryCard(
                    row,
                    onEdit = { dialog = Dialog.Edit(row) },
                    onAnnotate = { dialog = Dialog.Annotate(row) },
                    onHide = { vm.run { setHidden(row.id, !row.hidden) } },
                    onDelete = { vm.run { delete(row.id) } },
                )
            }
        }
    }

    when (val d = dialog) {
        Dialog.Add -> EntryFormDialog(m.sectionId, null, onDismiss = { dialog = null }) { value ->
            val done = CompletableDeferred<Boolean>()
            vm.run { done.complete(add(value)) }
            done
        }
        is Dialog.Edit -> EntryFormDialog(m.sectionId, d.row, onDismiss = { dialog = null }) { value ->
            val done = CompletableDeferred<Boolean>()
            vm.run { done.complete(edit(d.row.id, value)) }
            done
        }
        is Dialog.Annotate -> AnnotateDialog(onDismiss = { dialog = null }) { text, notRelevant ->
            vm.run { annotate(d.row.id, text, notRelevant) }
            dialog = null
        }
        null -> {}
    }
}

@Composable
private fun EntryCard(row: EntryRow, onEdit: () -> Unit, onAnnotate: () -> Unit, onHide: () -> Unit, onDelete: () -> Unit) {
    Card(Modifier.fillMaxWidth().padding(12.dp, 6.dp)) {
        Column(Modifier.padding(12.dp)) {
            Text(row.summary, style = MaterialTheme.typography.bodyLarge)
            Text(row.source + if (row.noLongerRelevant) " · no longer relevant" else "", style = MaterialTheme.typography.bodySmall)
            row.notes.forEach { Text("Note: $it", style = MaterialTheme.typography.bodySmall) }
            Row {
                if (row.canEdit) TextButton(onClick = onEdit) { Text("Edit") }
                TextButton(onClick = onAnnotate) { Text("Add note") }
                TextButton(onClick = onHide) { Text(if (row.hidden) "Show" else "Hide") }
                if (row.canEdit) TextButton(onClick = onDelete) { Text("Delete") }
            }
        }
    }
}

/** The add/edit form; [save] answers whether the core accepted the value. */
@Composable
private fun EntryFormDialog(sectionId: String, editing: EntryRow?, onDismiss: () -> Unit, save: (org.phr.ffi.EntryValue) -> CompletableDeferred<Boolean>) {
    val kind = EntryForms.kindFor(sectionId)
    val text = remember { mutableStateMapOf<String, String>().apply { editing?.let { putAll(EntryForms.textOf(it.value)) } } }
    var saving by remember { mutableStateOf<CompletableDeferred<Boolean>?>(null) }
    saving?.let { pending ->
        androidx.compose.runtime.LaunchedEffect(pending) { if (pending.await()) onDismiss() else saving = null }
    }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(if (editing == null) "Add" else "Edit") },
        text = {
            Column {
                kind.fields.forEach { f ->
                    OutlinedTextField(value = text[f].orEmpty(), onValueChange = { text[f] = it }, label = { Text(f.replaceFirstChar { it.uppercase() }) })
                }
            }
        },
        confirmButton = {
            TextButton(enabled = saving == null, onClick = { saving = save(EntryForms.build(kind, text.toMap(), editing?.value)) }) { Text("Save") }
        },
        dismissButton = { TextButton(onClick = onDismiss) { Text("Cancel") } },
    )
}

@Composable
private fun AnnotateDialog(onDismiss: () -> Unit, save: (String, Boolean) -> Unit) {
    var note by remember { mutableStateOf("") }
    var notRelevant by remember { mutableStateOf(false) }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text("Add a note") },
        text = {
            Column {
                OutlinedTextField(value = note, onValueChange = { note = it }, label = { Text("Note") })
                Row(verticalAlignment = Alignment.CenterVertically) {
                    Checkbox(checked = notRelevant, onCheckedChange = { notRelevant = it })
                    Text("No longer relevant")
                }
            }
        },
        confirmButton = { TextButton(onClick = { save(note, notRelevant) }) { Text("Save") } },
        dismissButton = { TextButton(onClick = onDismiss) { Text("Cancel") } },
    )
}
