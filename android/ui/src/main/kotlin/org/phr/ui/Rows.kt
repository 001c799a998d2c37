package org.phr.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.selection.toggleable
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import org.phr.ffi.Label

// Small building blocks shared by the settings-side screens (Settings, Privacy, Import,
// Connect, Devices, Backup, CustomSection), so each looks and reads the same.

// `labelText` (a core Label in words) is in InsightsView.kt.

/** A part of a screen: a heading, then its content. */
@Composable
fun Titled(title: String, content: @Composable () -> Unit) {
    Column(Modifier.fillMaxWidth(), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(title, style = MaterialTheme.typography.titleLarge, modifier = Modifier.semantics { heading() })
        content()
    }
}

/** Body text. */
@Composable
fun Say(text: String) = Text(text, style = MaterialTheme.typography.bodyLarge)

/** A message in a coloured box: [warning] for something that went wrong. */
@Composable
fun Notice(text: String, warning: Boolean = false) {
    val colour = if (warning) MaterialTheme.colorScheme.errorContainer else MaterialTheme.colorScheme.secondaryContainer
    Card(Modifier.fillMaxWidth(), colors = CardDefaults.cardColors(containerColor = colour)) {
        Text(text, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.padding(16.dp))
    }
}

/** The main action of a part: full width, at least 48 dp tall. */
@Composable
fun MainButton(text: String, enabled: Boolean = true, onClick: () -> Unit) {
    Button(onClick = onClick, enabled = enabled, modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget)) {
        Text(text, style = MaterialTheme.typography.titleMedium)
    }
}

/** A second action, or a link to another screen. */
@Composable
fun OtherButton(text: String, enabled: Boolean = true, onClick: () -> Unit) {
    OutlinedButton(onClick = onClick, enabled = enabled, modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget)) {
        Text(text, style = MaterialTheme.typography.titleMedium)
    }
}

/** A switch with its words: the whole row toggles, so the words are the switch's label. */
@Composable
fun SwitchRow(text: String, on: Boolean, hint: String? = null, description: String? = null, onChange: (Boolean) -> Unit) {
    Row(
        Modifier.fillMaxWidth().heightIn(min = TouchTarget).toggleable(value = on, role = Role.Switch, onValueChange = onChange)
            .described(description),
        verticalAlignment = Alignment.CenterVertically,
        horizontalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        Column(Modifier.weight(1f)) {
            Text(text, style = MaterialTheme.typography.bodyLarge)
            if (hint != null) Text(hint, style = MaterialTheme.typography.bodyMedium)
        }
        // Null click: the row is the one control, so TalkBack reads one switch with its words.
        Switch(checked = on, onCheckedChange = null)
    }
}

/** One choice of several: the whole row selects, so its words are the label. */
@Composable
fun ChoiceRow(text: String, selected: Boolean, hint: String? = null, description: String? = null, onSelect: () -> Unit) {
    Row(
        Modifier.fillMaxWidth().heightIn(min = TouchTarget).selectable(selected = selected, role = Role.RadioButton, onClick = onSelect)
            .described(description),
        verticalAlignment = Alignment.CenterVertically,
        horizontalArrangement = Arrangement.spacedBy(8.dp),
    ) {
        RadioButton(selected = selected, onClick = null)
        Column(Modifier.weight(1f)) {
            Text(text, style = MaterialTheme.typography.bodyLarge)
            if (hint != null) Text(hint, style = MaterialTheme.typography.bodyMedium)
        }
    }
}

/** A fuller name for TalkBack where the words alone repeat on the screen ("Only you" in every section). */
fun Modifier.described(description: String?): Modifier =
    if (description == null) this else semantics { contentDescription = description }

/** A text box with its label above the typed text (the label is what TalkBack reads). */
@Composable
fun TextBox(label: String, value: String, minLines: Int = 1, onChange: (String) -> Unit) {
    OutlinedTextField(
        value = value,
        onValueChange = onChange,
        label = { Text(label) },
        minLines = minLines,
        // The label stays the field's name for screen readers once text is typed (as in FormView).
        modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget).semantics { contentDescription = label },
    )
}
