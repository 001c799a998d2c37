package org.phr.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.onClick
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import org.phr.ffi.HomeScreen
import org.phr.ffi.ProvenanceLabel

/** Home: what needs doing first, then one card per section with its count and latest entries. */
@Composable
fun HomeView(model: HomeScreen, onSettings: (() -> Unit)? = null, onOpenSection: (String) -> Unit) {
    ScreenFrame(title = t("app.name"), onBack = null) {
        if (model.attention.isNotEmpty()) {
            Card(
                colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.secondaryContainer),
                modifier = Modifier.fillMaxWidth(),
            ) {
                Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                    Text(t("ui.home.attention"), style = MaterialTheme.typography.titleLarge, modifier = Modifier.semantics { heading() })
                    model.attention.forEach { Text("• " + t(it), style = MaterialTheme.typography.bodyLarge) }
                }
            }
        }
        Text(t("ui.home.sections"), style = MaterialTheme.typography.titleLarge, modifier = Modifier.semantics { heading() })
        model.sections.forEach { card ->
            val open = t("ui.home.open_section", "section" to card.title)
            Card(
                onClick = { onOpenSection(card.id) },
                modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget).semantics {
                    onClick(label = open) { onOpenSection(card.id); true }
                },
            ) {
                Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                    Text(card.title, style = MaterialTheme.typography.titleLarge)
                    Text(countText(card.count), style = MaterialTheme.typography.bodyMedium)
                    card.latest.forEach { row ->
                        Text(row.summary, style = MaterialTheme.typography.bodyLarge)
                    }
                }
            }
        }
        // and2
        onSettings?.let { OtherButton(t("ui.home.settings"), onClick = it) }
    }
}

/** "From your GP record", "Added by you", "Imported from Garmin". */
@Composable
fun provenanceText(p: ProvenanceLabel): String = t(p.key, "source" to (p.source ?: ""))
