package org.phr.android.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.selection.selectable
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import org.phr.android.PrivacyViewModel

/** Who may ever see this section besides the owner. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun PrivacyScreen(vm: PrivacyViewModel, onBack: () -> Unit) {
    val model by vm.model.collectAsState()
    val state by (model?.state ?: return LoadingScreen()).collectAsState()
    Scaffold(
        topBar = {
            TopAppBar(title = { Text("Privacy: ${state.title}") }, navigationIcon = { TextButton(onClick = onBack) { Text("Back") } })
        },
    ) { padding ->
        Column(Modifier.padding(padding)) {
            state.message?.let { MessageBar(it) {} }
            state.options.forEach { option ->
                Row(
                    Modifier.fillMaxWidth()
                        .selectable(selected = state.selected == option.level, onClick = { vm.run { select(option.level) } })
                        .padding(16.dp, 10.dp),
                ) {
                    RadioButton(selected = state.selected == option.level, onClick = null)
                    Column(Modifier.padding(start = 12.dp)) {
                        Text(option.label, style = MaterialTheme.typography.bodyLarge)
                        Text(option.explanation, style = MaterialTheme.typography.bodySmall)
                    }
                }
            }
        }
    }
}
