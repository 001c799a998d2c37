package org.phr.ui

import org.phr.ffi.FieldError
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.selection.selectableGroup
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.error
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import org.phr.ffi.FieldKind
import org.phr.ffi.FormField

private val BLOOD_GROUPS = listOf("A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-")

/**
 * Any form the core describes, field by field in the core's order. Each field shows its
 * label (marked "(optional)" when it may stay empty), its hint, and the core's error for it
 * right beside it after a save was refused.
 */
@Composable
fun FormView(title: String, state: FormState, onSave: () -> Unit, onCancel: () -> Unit) {
    ScreenFrame(title = title, onBack = onCancel) {
        if (state.errors.isNotEmpty()) {
            Card(colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.errorContainer)) {
                Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                    Text(t("ui.form.check"), style = MaterialTheme.typography.bodyLarge)
                    state.formErrors().forEach { Text(errorText(it), style = MaterialTheme.typography.bodyLarge) }
                }
            }
        }
        state.spec.fields.forEach { FieldInput(it, state) }
        Button(onClick = onSave, modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget)) {
            Text(t("ui.form.save"), style = MaterialTheme.typography.titleMedium)
        }
        OutlinedButton(onClick = onCancel, modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget)) {
            Text(t("ui.form.cancel"), style = MaterialTheme.typography.titleMedium)
        }
    }
}

@Composable
private fun FieldInput(field: FormField, state: FormState) {
    val name = field.label ?: t(field.labelKey)
    val label = if (field.required) name else t("ui.form.optional", "label" to name)
    val error = state.errors.firstOrNull { it.field == field.id }?.let { errorText(it) }
    val hint = t(field.hintKey).takeIf { it != field.hintKey }
    val value = state.values[field.id].orEmpty()
    val set: (String) -> Unit = { state.values[field.id] = it }
    when (val kind = field.kind) {
        is FieldKind.Choice -> Choices(label, error, hint, kind.values.zip(field.choiceLabelKeys.map { t(it) }), value, field.required, set)
        FieldKind.YesNo -> Choices(label, error, hint, listOf("yes" to t("ui.form.yes"), "no" to t("ui.form.no")), value, field.required, set)
        FieldKind.BloodGroup -> Choices(label, error, hint, BLOOD_GROUPS.map { it to it }, value, field.required, set)
        is FieldKind.Number -> Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
            val unit = state.unitOf(field.id, kind)
            TextInput(label, error, hint, value, set, KeyboardType.Decimal, suffix = unit.takeIf { kind.units.size == 1 })
            if (kind.units.size > 1) {
                Choices(t("ui.form.unit_for", "label" to name), null, null, kind.units.map { it to it }, unit.orEmpty(), true) {
                    state.units[field.id] = it
                }
            }
        }
        FieldKind.LongText -> TextInput(label, error, hint, value, set, minLines = 3)
        FieldKind.NhsNumber -> TextInput(label, error, hint, value, set, KeyboardType.Number)
        // The core's hint for a list already says to put commas between the items.
        FieldKind.Text, FieldKind.TextList, FieldKind.Date, is FieldKind.DateRange, FieldKind.CodedValue -> TextInput(label, error, hint, value, set)
    }
}

@Composable
private fun TextInput(
    label: String,
    error: String?,
    hint: String?,
    value: String,
    onChange: (String) -> Unit,
    keyboard: KeyboardType = KeyboardType.Text,
    minLines: Int = 1,
    suffix: String? = null,
) {
    OutlinedTextField(
        value = value,
        onValueChange = onChange,
        label = { Text(label) },
        isError = error != null,
        suffix = suffix?.let { { Text(it) } },
        supportingText = if (error == null && hint == null) null else {
            {
                Column {
                    if (error != null) Text(error, color = MaterialTheme.colorScheme.error)
                    if (hint != null) Text(hint)
                }
            }
        },
        minLines = minLines,
        keyboardOptions = KeyboardOptions(keyboardType = keyboard),
        // The label stays the node's name for screen readers even once text is typed.
        modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget).semantics {
            contentDescription = label
            if (error != null) error(error)
        },
    )
}

/** A labelled group of radio rows; each row is one 48 dp touch target. Tapping the picked row of an optional field clears it. */
@Composable
private fun Choices(
    label: String,
    error: String?,
    hint: String?,
    options: List<Pair<String, String>>,
    selected: String,
    required: Boolean,
    onSelect: (String) -> Unit,
) {
    Column(Modifier.fillMaxWidth().selectableGroup(), verticalArrangement = Arrangement.spacedBy(2.dp)) {
        Text(label, style = MaterialTheme.typography.titleMedium)
        if (error != null) Text(error, color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodyMedium)
        if (hint != null) Text(hint, style = MaterialTheme.typography.bodyMedium)
        options.forEach { (value, text) ->
            val picked = selected.equals(value, ignoreCase = true)
            Row(
                Modifier.fillMaxWidth().heightIn(min = TouchTarget).selectable(
                    selected = picked,
                    role = Role.RadioButton,
                    onClick = { onSelect(if (picked && !required) "" else value) },
                ),
                verticalAlignment = Alignment.CenterVertically,
            ) {
                RadioButton(selected = picked, onClick = null)
                Text(text, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.padding(start = 12.dp))
            }
        }
    }
}

/** A form error in words: its key's text with `{accepted}` (the choices, units or fields the core says the field takes) filled in. */
@Composable
fun errorText(e: FieldError): String = t(e.key, "accepted" to e.accepted.joinToString(", "))
