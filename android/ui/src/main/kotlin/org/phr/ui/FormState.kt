package org.phr.ui

import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateMapOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import org.phr.ffi.FieldError
import org.phr.ffi.FieldKind
import org.phr.ffi.FormSpec

/**
 * What the person has typed into a form (field id -> text), the unit picked for each number,
 * and the core's answer to the last save. No rule lives here: the core validates.
 */
class FormState(val spec: FormSpec, initial: Map<String, String> = emptyMap()) {
    val values = mutableStateMapOf<String, String>().apply { putAll(initial) }
    val units = mutableStateMapOf<String, String>()
    var errors by mutableStateOf<List<FieldError>>(emptyList())

    fun unitOf(fieldId: String, kind: FieldKind.Number): String? =
        units[fieldId] ?: kind.canonicalUnit ?: kind.units.firstOrNull()

    /** The filled form to submit: blank fields left out, a number followed by its unit. */
    fun filled(): Map<String, String> = spec.fields.mapNotNull { f ->
        val raw = values[f.id]?.trim().orEmpty()
        if (raw.isEmpty()) return@mapNotNull null
        val kind = f.kind
        val text = if (kind is FieldKind.Number && kind.units.size > 1) unitOf(f.id, kind)?.let { "$raw $it" } ?: raw else raw
        f.id to text
    }.toMap()

    /** Errors about no field on this form (shown at the top). */
    fun formErrors(): List<FieldError> = errors.filter { e -> spec.fields.none { it.id == e.field } }
}
