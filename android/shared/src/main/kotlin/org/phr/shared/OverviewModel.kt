package org.phr.shared

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import org.phr.ffi.FieldDef
import org.phr.ffi.PhrException
import org.phr.ffi.PrivacyLevel
import org.phr.ffi.SectionClass

/** One line of the overview: a section, whether it is on, and how many entries it holds. */
data class SectionRow(
    val id: String,
    val title: String,
    val sectionClass: SectionClass,
    val enabled: Boolean,
    val privacy: PrivacyLevel,
    val entryCount: Int,
) {
    /** Core sections cannot be switched off; the core refuses it, the screen hides the switch. */
    val switchable: Boolean get() = sectionClass != SectionClass.CORE
}

data class OverviewState(
    val loading: Boolean = true,
    val core: List<SectionRow> = emptyList(),
    val optional: List<SectionRow> = emptyList(),
    val custom: List<SectionRow> = emptyList(),
    val message: String? = null,
)

/**
 * The record overview screen's state holder. Plain Kotlin (no androidx), so it is tested
 * on the JVM; the app wraps it in an androidx ViewModel and calls it from viewModelScope.
 */
class OverviewModel(private val repo: PhrRepository) {
    private val _state = MutableStateFlow(OverviewState())
    val state: StateFlow<OverviewState> = _state.asStateFlow()

    suspend fun refresh() = attempt {
        val rows = repo.sections().map { s ->
            val count = if (s.enabled) repo.entries(s.id, includeHidden = false).size else 0
            SectionRow(s.id, s.title, s.sectionClass, s.enabled, s.privacy, count)
        }
        _state.value = OverviewState(
            loading = false,
            core = rows.filter { it.sectionClass == SectionClass.CORE },
            optional = rows.filter { it.sectionClass == SectionClass.OPTIONAL },
            custom = rows.filter { it.sectionClass == SectionClass.CUSTOM },
        )
    }

    suspend fun setEnabled(sectionId: String, enabled: Boolean) = attempt {
        repo.setEnabled(sectionId, enabled)
        refresh()
    }

    suspend fun createSection(title: String, fields: List<FieldDef>) = attempt {
        repo.createSection(title, fields)
        refresh()
    }

    fun dismissMessage() {
        _state.value = _state.value.copy(message = null)
    }

    private suspend fun attempt(block: suspend () -> Unit) {
        try {
            block()
        } catch (e: PhrException) {
            _state.value = _state.value.copy(loading = false, message = UserMessages.of(e))
        }
    }
}
