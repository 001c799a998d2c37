package org.phr.shared

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import org.phr.ffi.Alert
import org.phr.ffi.CalendarDate
import org.phr.ffi.InsightCategory
import org.phr.ffi.InsightCategoryState
import org.phr.ffi.PhrException
import org.phr.ffi.Signpost
import org.phr.ffi.Suggestion

data class InsightsState(
    val loading: Boolean = true,
    val alerts: List<Alert> = emptyList(),
    val suggestions: List<Suggestion> = emptyList(),
    val signposts: List<Signpost> = emptyList(),
    /** Every category with its on/off switch, for the settings part of the screen. */
    val categories: List<InsightCategoryState> = emptyList(),
    val message: String? = null,
)

/**
 * The insights screen's state holder: the core's report for a day and the per-category
 * switches. Wording, thresholds and citations all come from the core.
 */
class InsightsModel(private val repo: PhrRepository) {
    private val _state = MutableStateFlow(InsightsState())
    val state: StateFlow<InsightsState> = _state.asStateFlow()

    suspend fun refresh(day: CalendarDate) = attempt {
        val report = repo.insightReport(day)
        _state.value = InsightsState(
            loading = false,
            alerts = report.alerts,
            suggestions = report.suggestions,
            signposts = report.signposts,
            categories = repo.insightSettings().categories,
        )
    }

    /** Switches a category off (or on) for good, then shows the report without (with) it. */
    suspend fun setCategory(day: CalendarDate, category: InsightCategory, enabled: Boolean) = attempt {
        repo.setInsightCategory(category, enabled)
        refresh(day)
    }

    private suspend fun attempt(block: suspend () -> Unit) {
        try {
            block()
        } catch (e: PhrException) {
            _state.value = _state.value.copy(loading = false, message = UserMessages.of(e))
        }
    }
}
