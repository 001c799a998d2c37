package org.phr.shared

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import org.phr.ffi.PhrException
import org.phr.ffi.PrivacyLevel

data class PrivacyOption(val level: PrivacyLevel, val label: String, val explanation: String)

data class PrivacyState(
    val title: String = "",
    val selected: PrivacyLevel? = null,
    val options: List<PrivacyOption> = PrivacyModel.OPTIONS,
    val message: String? = null,
)

/** The section privacy settings screen. What each level allows is enforced by the core's consent module. */
class PrivacyModel(private val repo: PhrRepository, val sectionId: String) {
    private val _state = MutableStateFlow(PrivacyState())
    val state: StateFlow<PrivacyState> = _state.asStateFlow()

    suspend fun load() = attempt {
        val s = repo.section(sectionId)
        _state.value = _state.value.copy(title = s.title, selected = s.privacy)
    }

    suspend fun select(level: PrivacyLevel) = attempt {
        val s = repo.setPrivacy(sectionId, level)
        _state.value = _state.value.copy(selected = s.privacy)
    }

    private suspend fun attempt(block: suspend () -> Unit) {
        try {
            block()
        } catch (e: PhrException) {
            _state.value = _state.value.copy(message = UserMessages.of(e))
        }
    }

    companion object {
        val OPTIONS = listOf(
            PrivacyOption(PrivacyLevel.PRIVATE, "Only me", "Never shared with anyone."),
            PrivacyOption(PrivacyLevel.SHAREABLE, "Shareable", "You may include it when you share your record."),
            PrivacyOption(PrivacyLevel.SENSITIVE, "Sensitive", "Shared only when you name it, never with an employer or insurer."),
        )
    }
}
