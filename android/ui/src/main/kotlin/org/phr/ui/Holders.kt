package org.phr.ui

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import org.phr.ffi.EntryAction
import org.phr.ffi.EntryScreen
import org.phr.ffi.FieldError
import org.phr.ffi.FormOutcome
import org.phr.ffi.HomeScreen
import org.phr.ffi.PhrException
import org.phr.ffi.SectionScreen
import org.phr.ffi.AnnotationKind
import org.phr.shared.PhrRepository

/**
 * A screen's model, loaded from the core and loaded again after every committed change to
 * the record (`PhrRepository.changes()`), so the screen never polls. The ViewModel of a
 * screen without androidx: the Android app keeps it in a ViewModel's scope.
 */
open class ScreenHolder<T>(private val scope: CoroutineScope, repo: PhrRepository, private val load: suspend () -> T) {
    private val _state = MutableStateFlow<Load<T>>(Load.Loading)
    val state: StateFlow<Load<T>> = _state.asStateFlow()

    init {
        scope.launch {
            reload()
            repo.changes().collect { reload() }
        }
    }

    suspend fun reload() {
        _state.value = try {
            Load.Ready(load())
        } catch (e: PhrException) {
            Load.Failed
        }
    }

    fun retry() {
        scope.launch { reload() }
    }
}

class HomeHolder(scope: CoroutineScope, repo: PhrRepository) :
    ScreenHolder<HomeScreen>(scope, repo, { repo.homeScreen() })

class SectionHolder(scope: CoroutineScope, repo: PhrRepository, val sectionId: String) :
    ScreenHolder<SectionScreen>(scope, repo, { repo.sectionScreen(sectionId, includeRemoved = true) })

class EntryHolder(private val scope: CoroutineScope, private val repo: PhrRepository, val entryId: String) :
    ScreenHolder<EntryScreen>(scope, repo, { repo.entryScreen(entryId) }) {

    /** Runs an action other than Edit (which opens the form); the change notice reloads the screen. */
    fun act(action: EntryAction, onGone: () -> Unit) {
        scope.launch {
            try {
                when (action) {
                    EntryAction.DELETE -> repo.delete(entryId)
                    EntryAction.UNDO -> repo.undoDelete(entryId)
                    EntryAction.HIDE -> repo.setHidden(entryId, true)
                    EntryAction.UNHIDE -> repo.setHidden(entryId, false)
                    EntryAction.ANNOTATE -> repo.annotate(entryId, AnnotationKind.NO_LONGER_RELEVANT, null)
                    EntryAction.PURGE -> repo.purge(entryId).also { onGone() }
                    EntryAction.EDIT -> Unit
                }
            } catch (e: PhrException) {
                reload()
            }
        }
    }
}

/** Where a form saves: a new entry in a section, or a change to an existing entry. */
sealed interface FormTarget {
    data class Add(val sectionId: String, val entryType: String? = null) : FormTarget
    data class Edit(val entryId: String) : FormTarget
}

/**
 * A form as loaded: the core's spec and the values to start from. The composable turns it into
 * a [FormState] itself, so Compose state is created on the UI thread, not on the loader's.
 */
data class FormData(val spec: org.phr.ffi.FormSpec, val values: Map<String, String>)

/** Loads the form (empty to add, filled to edit) and submits it through the core in one call. */
class FormHolder(private val scope: CoroutineScope, private val repo: PhrRepository, val target: FormTarget) {
    private val _state = MutableStateFlow<Load<FormData>>(Load.Loading)
    val state: StateFlow<Load<FormData>> = _state.asStateFlow()

    init {
        scope.launch { reload() }
    }

    private suspend fun reload() {
        _state.value = try {
            when (target) {
                is FormTarget.Add -> Load.Ready(FormData(repo.formSpec(target.sectionId, target.entryType), emptyMap()))
                is FormTarget.Edit -> repo.editForm(target.entryId).let { Load.Ready(FormData(it.spec, it.values)) }
            }
        } catch (e: PhrException) {
            Load.Failed
        }
    }

    fun retry() {
        scope.launch { reload() }
    }

    /** Saves; [onSaved] gets the entry's id, or the errors appear beside their fields. */
    fun save(form: FormState, onSaved: (String) -> Unit) {
        scope.launch {
            val outcome = try {
                when (target) {
                    is FormTarget.Add -> repo.addFromForm(target.sectionId, target.entryType, form.filled())
                    is FormTarget.Edit -> repo.editFromForm(target.entryId, form.filled())
                }
            } catch (e: PhrException) {
                // The core refused the whole entry; its reason may quote the record, so only the key is shown.
                FormOutcome.Invalid(listOf(FieldError("", "error.invalid_entry", null, emptyList())))
            }
            when (outcome) {
                is FormOutcome.Saved -> onSaved(outcome.entryId)
                is FormOutcome.Invalid -> form.errors = outcome.errors
            }
        }
    }
}
