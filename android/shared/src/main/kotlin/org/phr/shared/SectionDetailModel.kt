package org.phr.shared

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import org.phr.ffi.AnnotationKind
import org.phr.ffi.Entry
import org.phr.ffi.EntryValue
import org.phr.ffi.PhrException
import org.phr.ffi.PrivacyLevel

/** One entry as the section screen lists it; words come from the core. */
data class EntryRow(
    val id: String,
    val summary: String,
    val source: String,
    val canEdit: Boolean,
    val hidden: Boolean,
    val noLongerRelevant: Boolean,
    val notes: List<String>,
    val value: EntryValue,
) {
    companion object {
        fun of(e: Entry) = EntryRow(
            id = e.id,
            summary = e.summary,
            source = e.provenanceLabel,
            canEdit = !e.readOnly,
            hidden = e.hidden,
            noLongerRelevant = e.noLongerRelevant,
            notes = e.annotations.mapNotNull { it.text },
            value = e.value,
        )
    }
}

data class SectionDetailState(
    val loading: Boolean = true,
    val title: String = "",
    val enabled: Boolean = true,
    val privacy: PrivacyLevel = PrivacyLevel.PRIVATE,
    val entries: List<EntryRow> = emptyList(),
    val showHidden: Boolean = false,
    /** Set after a delete, for the "Undo" snackbar. */
    val undoableDelete: String? = null,
    val message: String? = null,
)

/** The section detail screen: list, add, edit, annotate, hide, delete with undo. */
class SectionDetailModel(private val repo: PhrRepository, val sectionId: String) {
    private val _state = MutableStateFlow(SectionDetailState())
    val state: StateFlow<SectionDetailState> = _state.asStateFlow()

    suspend fun load() = attempt {
        val s = repo.section(sectionId)
        val rows = repo.entries(sectionId, includeHidden = _state.value.showHidden).map(EntryRow::of)
        _state.value = _state.value.copy(loading = false, title = s.title, enabled = s.enabled, privacy = s.privacy, entries = rows)
    }

    suspend fun setShowHidden(show: Boolean) {
        _state.value = _state.value.copy(showHidden = show)
        load()
    }

    /** Returns true when the entry was saved (the form closes), false when the core refused it. */
    suspend fun add(value: EntryValue): Boolean = attempt { repo.add(sectionId, value); load() }

    suspend fun edit(entryId: String, value: EntryValue): Boolean = attempt { repo.edit(entryId, value); load() }

    suspend fun annotate(entryId: String, text: String?, noLongerRelevant: Boolean = false): Boolean = attempt {
        repo.annotate(entryId, if (noLongerRelevant) AnnotationKind.NO_LONGER_RELEVANT else AnnotationKind.NOTE, text?.ifBlank { null })
        load()
    }

    suspend fun setHidden(entryId: String, hidden: Boolean): Boolean = attempt { repo.setHidden(entryId, hidden); load() }

    suspend fun delete(entryId: String): Boolean = attempt {
        repo.delete(entryId)
        _state.value = _state.value.copy(undoableDelete = entryId)
        load()
    }

    suspend fun undoDelete(): Boolean = attempt {
        val id = _state.value.undoableDelete ?: return@attempt
        repo.undoDelete(id)
        _state.value = _state.value.copy(undoableDelete = null)
        load()
    }

    fun dismissMessage() {
        _state.value = _state.value.copy(message = null)
    }

    private suspend fun attempt(block: suspend () -> Unit): Boolean = try {
        block()
        true
    } catch (e: PhrException) {
        _state.value = _state.value.copy(loading = false, message = UserMessages.of(e))
        false
    }
}
