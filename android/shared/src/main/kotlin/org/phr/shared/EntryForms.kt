package org.phr.shared

import org.phr.ffi.AllergyKind
import org.phr.ffi.ConditionStatus
import org.phr.ffi.EntryValue
import org.phr.ffi.Severity

/**
 * The simple add/edit forms of the section screen: which text boxes to show and how their
 * text becomes an [EntryValue]. Layout only; whether the value is acceptable (required
 * text, dates, which section takes which value) is checked by the core when saving.
 */
enum class FormKind(val fields: List<String>) {
    NOTE(listOf("title", "text")),
    MEDICATION(listOf("name", "dose", "frequency")),
    CONDITION(listOf("name", "notes")),
    ALLERGY(listOf("substance", "reaction")),
    CONTACT(listOf("name", "relationship", "phone")),
}

object EntryForms {
    fun kindFor(sectionId: String): FormKind = when (sectionId) {
        "medications" -> FormKind.MEDICATION
        "conditions" -> FormKind.CONDITION
        "allergies" -> FormKind.ALLERGY
        "contacts" -> FormKind.CONTACT
        else -> FormKind.NOTE
    }

    private fun Map<String, String>.opt(k: String) = this[k]?.trim()?.ifEmpty { null }
    private fun Map<String, String>.req(k: String) = this[k]?.trim().orEmpty()

    /** Builds the value from the form's text. `previous` keeps fields the form does not show. */
    fun build(kind: FormKind, text: Map<String, String>, previous: EntryValue? = null): EntryValue = when (kind) {
        FormKind.NOTE -> EntryValue.Note(text.req("text"), (previous as? EntryValue.Note)?.date, text.opt("title"))
        FormKind.MEDICATION -> (previous as? EntryValue.Medication ?: EntryValue.Medication(""))
            .copy(name = text.req("name"), dose = text.opt("dose"), frequency = text.opt("frequency"))
        FormKind.CONDITION -> (previous as? EntryValue.Condition ?: EntryValue.Condition("", ConditionStatus.ACTIVE))
            .copy(name = text.req("name"), notes = text.opt("notes"))
        FormKind.ALLERGY -> (previous as? EntryValue.Allergy ?: EntryValue.Allergy("", Severity.MODERATE, AllergyKind.ALLERGY))
            .copy(substance = text.req("substance"), reaction = text.opt("reaction"))
        FormKind.CONTACT -> (previous as? EntryValue.Contact ?: EntryValue.Contact("", ""))
            .copy(name = text.req("name"), relationship = text.req("relationship"), phone = text.opt("phone"))
    }

    /** The form's text for an existing value (to prefill the edit form). */
    fun textOf(value: EntryValue): Map<String, String> = when (value) {
        is EntryValue.Note -> mapOf("title" to (value.title ?: ""), "text" to value.text)
        is EntryValue.Medication -> mapOf("name" to value.name, "dose" to (value.dose ?: ""), "frequency" to (value.frequency ?: ""))
        is EntryValue.Condition -> mapOf("name" to value.name, "notes" to (value.notes ?: ""))
        is EntryValue.Allergy -> mapOf("substance" to value.substance, "reaction" to (value.reaction ?: ""))
        is EntryValue.Contact -> mapOf("name" to value.name, "relationship" to value.relationship, "phone" to (value.phone ?: ""))
        else -> emptyMap()
    }
}
