package org.phr.android.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import org.phr.android.OverviewViewModel
import org.phr.shared.OverviewState
import org.phr.shared.SectionRow

/** The record overview: core sections, then the optional ones with on/off switches, then the owner's own. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun OverviewScreen(vm: OverviewViewModel, onShare: () -> Unit, onOpen: (String) -> Unit) {
    val model by vm.model.collectAsState()
    val state by (model?.state ?: return LoadingScreen()).collectAsState()
    Scaffold(topBar = { TopAppBar(title = { Text("My health record") }, actions = { TextButton(onClick = onShare) { Text("Sharing") } }) }) { padding ->
        LazyColumn(Modifier.padding(padding)) {
            state.message?.let { msg -> item { MessageBar(msg) { vm.run { dismissMessage() } } } }
            section("About me and my health", state.core, vm, onOpen)
            section("More sections you can switch on", state.optional, vm, onOpen)
            if (state.custom.isNotEmpty()) section("My own sections", state.custom, vm, onOpen)
        }
    }
}

private fun androidx.compose.foundation.lazy.LazyListScope.section(
    heading: String,
    rows: List<SectionRow>,
    vm: OverviewViewModel,
    onOpen: (String) -> Unit,
) {
    item { Text(heading, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(16.dp, 12.dp)) }
    items(rows, key = { it.id }) { row ->
        Row(
            Modifier.fillMaxWidth().clickable(enabled = row.enabled) { onOpen(row.id) }.padding(16.dp, 8.dp),
            verticalAlignment = Alignment.CenterVertically,
        ) {
            Column(Modifier.weight(1f)) {
                Text(row.title, style = MaterialTheme.typography.bodyLarge)
                if (row.enabled) Text(entriesLabel(row.entryCount), style = MaterialTheme.typography.bodySmall)
            }
            if (row.switchable) Switch(checked = row.enabled, onCheckedChange = { on -> vm.run { setEnabled(row.id, on) } })
        }
    }
}

private fun entriesLabel(n: Int) = when (n) {
    0 -> "Nothing added yet"
    1 -> "1 entry"
    else -> "$n entries"
}
