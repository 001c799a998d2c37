package org.phr.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.onClick
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import org.phr.ffi.EntryRow
import org.phr.ffi.SectionScreen

/** One section: an Add button when the owner may add, then its entries, newest first (the core's order). */
@Composable
fun SectionView(model: SectionScreen, onBack: () -> Unit, onAdd: () -> Unit, onOpenEntry: (String) -> Unit) {
    ScreenFrame(title = model.title, onBack = onBack) {
        if (model.canAdd) {
            val addLabel = t("ui.section.add_to", "section" to model.title)
            Button(
                onClick = onAdd,
                modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget).semantics { contentDescription = addLabel },
            ) { Text(t("ui.section.add"), style = MaterialTheme.typography.titleMedium) }
        }
        if (model.entries.isEmpty()) {
            Text(t("ui.section.empty"), style = MaterialTheme.typography.bodyLarge)
        }
        model.entries.forEach { EntryRowCard(it, onOpenEntry) }
    }
}

@Composable
private fun EntryRowCard(row: EntryRow, onOpen: (String) -> Unit) {
    val open = t("ui.section.open_entry", "entry" to row.summary)
    Card(
        onClick = { onOpen(row.id) },
        modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget).semantics { onClick(label = open) { onOpen(row.id); true } },
    ) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(row.summary, style = MaterialTheme.typography.titleMedium)
            Text(provenanceText(row.provenance), style = MaterialTheme.typography.bodyMedium)
            Text(t("ui.section.changed", "date" to row.updated), style = MaterialTheme.typography.bodyMedium)
            val states = listOfNotNull(
                "ui.section.no_longer_relevant".takeIf { row.noLongerRelevant },
                "ui.section.hidden".takeIf { row.hidden },
                "ui.section.deleted".takeIf { row.deleted },
            )
            states.forEach { Text(t(it), style = MaterialTheme.typography.labelLarge, color = MaterialTheme.colorScheme.primary) }
        }
    }
}
