package org.phr.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.key
import androidx.compose.runtime.mutableStateListOf
import androidx.compose.runtime.remember
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import org.phr.ffi.EntryAction
import org.phr.shared.PhrRepository

/** Where the person is; the app keeps a stack of these (Back pops one). */
sealed interface Route {
    data object Home : Route
    data class Section(val id: String) : Route
    data class Entry(val id: String) : Route
    data class Form(val target: FormTarget, val sectionTitle: String?) : Route
}

/** The app's screens over one open record: home, sections, entries and their forms. */
@Composable
fun PhrApp(repo: PhrRepository, dark: Boolean = false, strings: Strings = CatalogueStrings) {
    val stack = remember { mutableStateListOf<Route>(Route.Home) }
    val back: () -> Unit = { if (stack.size > 1) stack.removeAt(stack.lastIndex) }
    PhrTheme(dark, strings) {
        when (val route = stack.last()) {
            // A fresh holder per visit; `key` drops the old one's coroutines with its composition.
            Route.Home -> key(route) { HomeRoute(repo) { stack.add(Route.Section(it)) } }
            is Route.Section -> key(route) {
                SectionRoute(repo, route.id, back, onAdd = { title -> stack.add(Route.Form(FormTarget.Add(route.id), title)) }) {
                    stack.add(Route.Entry(it))
                }
            }
            is Route.Entry -> key(route) {
                EntryRoute(repo, route.id, back, onGone = back) { stack.add(Route.Form(FormTarget.Edit(route.id), null)) }
            }
            is Route.Form -> key(route) { FormRoute(repo, route, back) }
        }
    }
}

/**
 * A holder's own scope, off the frame clock (like a ViewModel's scope): loads wait on the core,
 * not on frames. Cancelled when the screen leaves the composition.
 */
@Composable
private fun holderScope(): CoroutineScope {
    val scope = remember { CoroutineScope(SupervisorJob() + Dispatchers.Default) }
    DisposableEffect(scope) { onDispose { scope.cancel() } }
    return scope
}

@Composable
private fun HomeRoute(repo: PhrRepository, onOpen: (String) -> Unit) {
    val scope = holderScope()
    val holder = remember { HomeHolder(scope, repo) }
    val load by holder.state.collectAsState()
    Loaded(load, holder::retry) { HomeView(it, onOpen) }
}

@Composable
private fun SectionRoute(repo: PhrRepository, id: String, onBack: () -> Unit, onAdd: (String) -> Unit, onOpen: (String) -> Unit) {
    val scope = holderScope()
    val holder = remember { SectionHolder(scope, repo, id) }
    val load by holder.state.collectAsState()
    Loaded(load, holder::retry) { SectionView(it, onBack, { onAdd(it.title) }, onOpen) }
}

@Composable
private fun EntryRoute(repo: PhrRepository, id: String, onBack: () -> Unit, onGone: () -> Unit, onEdit: () -> Unit) {
    val scope = holderScope()
    val holder = remember { EntryHolder(scope, repo, id) }
    val load by holder.state.collectAsState()
    Loaded(load, holder::retry) { model ->
        EntryView(model, onBack) { if (it == EntryAction.EDIT) onEdit() else holder.act(it, onGone) }
    }
}

@Composable
private fun FormRoute(repo: PhrRepository, route: Route.Form, onDone: () -> Unit) {
    val scope = holderScope()
    val holder = remember { FormHolder(scope, repo, route.target) }
    val load by holder.state.collectAsState()
    val title = route.sectionTitle?.let { t("ui.form.add_title", "section" to it) } ?: t("ui.form.edit_title")
    Loaded(load, holder::retry) { data ->
        val form = remember(data) { FormState(data.spec, data.values) }
        FormView(title, form, onSave = { holder.save(form) { onDone() } }, onCancel = onDone)
    }
}
