package org.phr.ui

import androidx.compose.foundation.Image
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.selection.selectableGroup
import androidx.compose.foundation.selection.toggleable
import androidx.compose.material3.Checkbox
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.remember
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.painter.Painter
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.ui.unit.Density
import androidx.compose.ui.unit.dp

// and1: small controls shared by Onboarding, Insights, Sharing, NewShare, EmergencyCard and Advice.
// Each row is one node for TalkBack (label and state together) and one 48 dp target.

/** A heading inside a screen (TalkBack can jump between them). */
@Composable
fun SubHeading(text: String) {
    Text(text, style = MaterialTheme.typography.titleLarge, modifier = Modifier.semantics { heading() })
}

/** A switch with its label; the whole row toggles. */
@Composable
fun ToggleRow(label: String, on: Boolean, onChange: (Boolean) -> Unit) {
    Row(
        Modifier.fillMaxWidth().heightIn(min = TouchTarget).toggleable(value = on, role = Role.Switch, onValueChange = onChange),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Text(label, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.weight(1f).padding(end = 12.dp))
        Switch(checked = on, onCheckedChange = null)
    }
}

/** A tick box with its label; the whole row toggles. [spoken]: what TalkBack says, if not the label. */
@Composable
fun TickRow(label: String, ticked: Boolean, spoken: String? = null, onChange: (Boolean) -> Unit) {
    Row(
        Modifier.fillMaxWidth().heightIn(min = TouchTarget).toggleable(value = ticked, role = Role.Checkbox, onValueChange = onChange)
            .let { m -> if (spoken != null) m.semantics { contentDescription = spoken } else m },
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Checkbox(checked = ticked, onCheckedChange = null)
        Text(label, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.padding(start = 12.dp))
    }
}

/** A titled group of radio rows: [options] are (value, text). */
@Composable
fun <T> PickOne(title: String, options: List<Pair<T, String>>, selected: T, onSelect: (T) -> Unit) {
    Column(Modifier.fillMaxWidth().selectableGroup(), verticalArrangement = Arrangement.spacedBy(2.dp)) {
        Text(title, style = MaterialTheme.typography.titleMedium)
        options.forEach { (value, text) ->
            Row(
                Modifier.fillMaxWidth().heightIn(min = TouchTarget)
                    .selectable(selected = value == selected, role = Role.RadioButton, onClick = { onSelect(value) }),
                verticalAlignment = Alignment.CenterVertically,
            ) {
                RadioButton(selected = value == selected, onClick = null)
                Text(text, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.padding(start = 12.dp))
            }
        }
    }
}

/** A text box whose label stays its name for screen readers once text is typed. */
@Composable
fun TextBox(label: String, value: String, onChange: (String) -> Unit, error: String? = null, minLines: Int = 1, digits: Boolean = false) {
    OutlinedTextField(
        value = value,
        onValueChange = onChange,
        label = { Text(label) },
        isError = error != null,
        supportingText = error?.let { { Text(it, color = MaterialTheme.colorScheme.error) } },
        minLines = minLines,
        keyboardOptions = KeyboardOptions(keyboardType = if (digits) KeyboardType.Number else KeyboardType.Text),
        modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget).semantics { contentDescription = label },
    )
}

/**
 * Turns SVG text (the core's charts and QR codes) into a painter. Each platform supplies
 * [platformSvgPainter]: the JVM build's is in src/desktopMain (Skia's SVG renderer); the
 * Android app supplies its own (see the note in ChartView.kt). Null: cannot draw it here.
 */
val LocalSvgPainter = staticCompositionLocalOf<(String, Density) -> Painter?> { platformSvgPainter }

/** An SVG drawn full width at its own aspect ratio, with [description] for TalkBack. */
@Composable
fun SvgImage(svg: String, description: String, modifier: Modifier = Modifier): Boolean {
    val density = LocalDensity.current
    val decode = LocalSvgPainter.current
    val painter = remember(svg, density) { decode(svg, density) } ?: return false
    val size = painter.intrinsicSize
    val ratio = if (size.width > 0f && size.height > 0f) size.width / size.height else 1f
    Image(
        painter = painter,
        contentDescription = description,
        contentScale = ContentScale.Fit,
        modifier = modifier.fillMaxWidth().aspectRatio(ratio),
    )
    return true
}
