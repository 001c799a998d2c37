package org.phr.android.ui

import android.graphics.BitmapFactory
import androidx.compose.foundation.Image
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Checkbox
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.unit.dp
import org.phr.android.SharingViewModel
import org.phr.ffi.Recipient
import org.phr.ffi.RecipientCategory
import org.phr.shared.LinkView
import org.phr.shared.SharingState

/**
 * "Who can see my record": share chosen sections as a QR code, see every share and who
 * opened it, take any share back. The relay is contacted only from these buttons.
 */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun SharingScreen(vm: SharingViewModel, onBack: () -> Unit) {
    val model by vm.model.collectAsState()
    val state by (model?.state ?: return LoadingScreen()).collectAsState()
    Scaffold(
        topBar = {
            TopAppBar(
                title = { Text("Sharing") },
                navigationIcon = { TextButton(onClick = onBack) { Text("Back") } },
                actions = { TextButton(onClick = { vm.run { refresh() } }, enabled = !state.busy) { Text("Who opened it?") } },
            )
        },
    ) { padding ->
        LazyColumn(Modifier.padding(padding)) {
            state.message?.let { msg -> item { MessageBar(msg) { vm.run { dismissMessage() } } } }
            state.link?.let { link -> item { LinkCard(link) } }
            item { ShareForm(state, vm) }
            item { Heading("Who can see what") }
            if (state.shares.isEmpty()) item { Text("You have not shared anything.", Modifier.padding(16.dp, 4.dp)) }
            items(state.shares, key = { it.grantId }) { row ->
                Row(Modifier.fillMaxWidth().padding(16.dp, 8.dp), verticalAlignment = Alignment.CenterVertically) {
                    Column(Modifier.weight(1f)) {
                        Text(row.who, style = MaterialTheme.typography.bodyLarge)
                        Text("${row.purpose}: ${row.sections.joinToString()}", style = MaterialTheme.typography.bodySmall)
                        Text(row.status, style = MaterialTheme.typography.bodySmall)
                    }
                    if (row.active && row.byLink) TextButton(onClick = { vm.run { showLink(row.grantId) } }) { Text("QR") }
                    if (row.active && row.byLink) TextButton(onClick = { vm.run { update(row.grantId) } }, enabled = !state.busy) { Text("Update") }
                    if (row.active) TextButton(onClick = { vm.run { revoke(row.grantId) } }, enabled = !state.busy) { Text("Stop sharing") }
                }
            }
            item { Heading("History") }
            items(state.history) { line ->
                Column(Modifier.padding(16.dp, 4.dp)) {
                    Text(line.text, style = MaterialTheme.typography.bodyMedium)
                    Text(line.whenText, style = MaterialTheme.typography.bodySmall)
                }
            }
        }
    }
}

@Composable
private fun Heading(text: String) = Text(text, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(16.dp, 12.dp))

@Composable
private fun LinkCard(link: LinkView) {
    val bitmap = remember(link.grantId) { BitmapFactory.decodeByteArray(link.qrPng, 0, link.qrPng.size)?.asImageBitmap() }
    Column(Modifier.fillMaxWidth().padding(16.dp), horizontalAlignment = Alignment.CenterHorizontally) {
        bitmap?.let { Image(it, contentDescription = "QR code of the share link", modifier = Modifier.size(240.dp)) }
        Text(
            if (link.passcodeRequired) "Let them scan this, then tell them the passcode yourself." else "Let them scan this.",
            style = MaterialTheme.typography.bodyMedium,
        )
    }
}

private val CATEGORIES = listOf(
    RecipientCategory.HEALTH_PROFESSIONAL to "Health professional",
    RecipientCategory.FAMILY_OR_CARER to "Family or carer",
    RecipientCategory.SOCIAL_CARE to "Social care",
    RecipientCategory.OTHER_ORGANISATION to "Other organisation",
    RecipientCategory.EMPLOYER to "Employer",
    RecipientCategory.INSURER to "Insurer",
)

@Composable
private fun ShareForm(state: SharingState, vm: SharingViewModel) {
    var name by remember { mutableStateOf("") }
    var role by remember { mutableStateOf("") }
    var category by remember { mutableStateOf(RecipientCategory.HEALTH_PROFESSIONAL) }
    var purpose by remember { mutableStateOf("") }
    var days by remember { mutableStateOf("7") }
    var passcode by remember { mutableStateOf("") }
    var chosen by remember { mutableStateOf(setOf<String>()) }
    Column(Modifier.padding(16.dp, 8.dp)) {
        Heading("Share with someone")
        OutlinedTextField(name, { name = it }, label = { Text("Their name") }, modifier = Modifier.fillMaxWidth())
        OutlinedTextField(role, { role = it }, label = { Text("Who they are (GP, physio, daughter...)") }, modifier = Modifier.fillMaxWidth())
        Row { CATEGORIES.take(3).forEach { (c, label) -> FilterChip(category == c, { category = c }, { Text(label) }, Modifier.padding(end = 4.dp)) } }
        Row { CATEGORIES.drop(3).forEach { (c, label) -> FilterChip(category == c, { category = c }, { Text(label) }, Modifier.padding(end = 4.dp)) } }
        OutlinedTextField(purpose, { purpose = it }, label = { Text("What for") }, modifier = Modifier.fillMaxWidth())
        state.choices.forEach { c ->
            Row(verticalAlignment = Alignment.CenterVertically) {
                Checkbox(c.id in chosen, { on -> chosen = if (on) chosen + c.id else chosen - c.id })
                Text(if (c.sensitive) "${c.title} (sensitive)" else c.title)
            }
        }
        OutlinedTextField(days, { days = it.filter(Char::isDigit) }, label = { Text("For how many days (empty: until I stop it)") }, modifier = Modifier.fillMaxWidth())
        OutlinedTextField(passcode, { passcode = it }, label = { Text("Passcode they must type (optional)") }, modifier = Modifier.fillMaxWidth())
        Button(
            onClick = { vm.run { share(Recipient(name, role, category), chosen.toList(), purpose, days.toLongOrNull(), passcode) } },
            enabled = !state.busy && chosen.isNotEmpty(),
            modifier = Modifier.padding(top = 8.dp),
        ) { Text("Make a QR code") }
    }
}
