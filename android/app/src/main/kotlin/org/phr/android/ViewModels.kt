package org.phr.android

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.launch
import org.phr.shared.OverviewModel
import org.phr.shared.PhrRepository
import org.phr.shared.PrivacyModel
import org.phr.shared.SectionDetailModel
import org.phr.shared.SharingModel

/**
 * androidx wrappers: each holds one plain-Kotlin model from :shared (tested on the JVM)
 * and launches its suspend calls in viewModelScope. Nothing else.
 */
abstract class ModelHost<M>(private val app: PhrApplication, private val make: (PhrRepository) -> M) : ViewModel() {
    private val _model = MutableStateFlow<M?>(null)
    val model: StateFlow<M?> = _model

    init {
        viewModelScope.launch { _model.value = make(app.repository()).also { onReady(it) } }
    }

    protected abstract suspend fun onReady(model: M)

    fun run(action: suspend M.() -> Unit) {
        val m = _model.value ?: return
        viewModelScope.launch { m.action() }
    }
}

class OverviewViewModel(app: PhrApplication) : ModelHost<OverviewModel>(app, ::OverviewModel) {
    override suspend fun onReady(model: OverviewModel) = model.refresh()
}

class SectionDetailViewModel(app: PhrApplication, sectionId: String) :
    ModelHost<SectionDetailModel>(app, { SectionDetailModel(it, sectionId) }) {
    override suspend fun onReady(model: SectionDetailModel) = model.load()
}

class PrivacyViewModel(app: PhrApplication, sectionId: String) :
    ModelHost<PrivacyModel>(app, { PrivacyModel(it, sectionId) }) {
    override suspend fun onReady(model: PrivacyModel) = model.load()
}

class SharingViewModel(app: PhrApplication) :
    ModelHost<SharingModel>(app, { SharingModel(it, app.relayUrl) }) {
    override suspend fun onReady(model: SharingModel) = model.load()
}
