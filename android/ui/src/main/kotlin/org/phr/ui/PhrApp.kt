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

    // and2
    data object Settings : Route
    data object Privacy : Route
    data object CustomSection : Route
    data object Import : Route
    data object Connect : Route
    data object Devices : Route
    data object Backup : Route
}

/** The app's screens over one open record: home, sections, entries and their forms. */
@Composable
fun PhrApp(repo: PhrRepository, dark: Boolean = false, strings: Strings = CatalogueStrings, host: AppHost = AppHost()) {
    val stack = remember { mutableStateListOf<Route>(Route.Home) }
    val back: () -> Unit = { if (stack.size > 1) stack.removeAt(stack.lastIndex) }
    PhrTheme(dark, strings) {
        when (val route = stack.last()) {
            // A fresh holder per visit; `key` drops the old one's coroutines with its composition.
            Route.Home -> key(route) { HomeRoute(repo, onSettings = { stack.add(Route.Settings) }) { stack.add(Route.Section(it)) } }
            is Route.Section -> key(route) {
                SectionRoute(repo, route.id, back, onAdd = { title -> stack.add(Route.Form(FormTarget.Add(route.id), title)) }) {
                    stack.add(Route.Entry(it))
                }
            }
            is Route.Entry -> key(route) {
                EntryRoute(repo, route.id, back, onGone = back) { stack.add(Route.Form(FormTarget.Edit(route.id), null)) }
            }
            is Route.Form -> key(route) { FormRoute(repo, route, back) }

            // and2
            Route.Settings -> key(route) { SettingsRoute(repo, back) { stack.add(it) } }
            Route.Privacy -> key(route) { PrivacyRoute(repo, back) }
            Route.CustomSection -> key(route) {
                CustomSectionRoute(repo, back) { id ->
                    // The new section replaces this screen, so Back goes to Settings.
                    back()
                    stack.add(Route.Section(id))
                }
            }
            Route.Import -> key(route) { ImportRoute(repo, host, back) }
            Route.Connect -> key(route) { ConnectRoute(repo, host, back) }
            Route.Devices -> key(route) { DevicesRoute(repo, host, back) }
            Route.Backup -> key(route) { BackupRoute(repo, host, back) }
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
private fun HomeRoute(repo: PhrRepository, onSettings: () -> Unit, onOpen: (String) -> Unit) {
    val scope = holderScope()
    val holder = remember { HomeHolder(scope, repo) }
    val load by holder.state.collectAsState()
    Loaded(load, holder::retry) { HomeView(it, onSettings, onOpen) }
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

// and2: the routes of Settings and the screens it links to.

@Composable
private fun SettingsRoute(repo: PhrRepository, onBack: () -> Unit, go: (Route) -> Unit) {
    val scope = holderScope()
    val holder = remember { SettingsHolder(scope, repo) }
    val load by holder.state.collectAsState()
    val links = remember {
        SettingsLinks(
            privacy = { go(Route.Privacy) },
            addSection = { go(Route.CustomSection) },
            import = { go(Route.Import) },
            connect = { go(Route.Connect) },
            devices = { go(Route.Devices) },
            backup = { go(Route.Backup) },
        )
    }
    Loaded(load, holder::retry) { SettingsView(it, onBack, holder::setPrefs, links) }
}

@Composable
private fun PrivacyRoute(repo: PhrRepository, onBack: () -> Unit) {
    val scope = holderScope()
    val holder = remember { PrivacyHolder(scope, repo) }
    val load by holder.state.collectAsState()
    Loaded(load, holder::retry) { PrivacyView(it, onBack, holder::setLevel, holder::setEnabled) }
}

@Composable
private fun CustomSectionRoute(repo: PhrRepository, onBack: () -> Unit, onCreated: (String) -> Unit) {
    val scope = holderScope()
    val holder = remember { CustomSectionHolder(scope, repo) }
    CustomSectionView(holder.state, onBack) { holder.create(onCreated) }
}

@Composable
private fun ImportRoute(repo: PhrRepository, host: AppHost, onBack: () -> Unit) {
    val scope = holderScope()
    val holder = remember { ImportHolder(scope, repo, host) }
    val load by holder.state.collectAsState()
    Loaded(load, holder::retry) {
        ImportView(it, holder.run, canPick = host.canPickFiles, onBack, { holder.pick() }, holder::startTyped, holder::cancel)
    }
}

@Composable
private fun ConnectRoute(repo: PhrRepository, host: AppHost, onBack: () -> Unit) {
    val scope = holderScope()
    val holder = remember { ConnectHolder(scope, repo, host) }
    val load by holder.state.collectAsState()
    Loaded(load, holder::retry) { ConnectView(it, holder.connect, holder.actions, onBack) }
}

@Composable
private fun DevicesRoute(repo: PhrRepository, host: AppHost, onBack: () -> Unit) {
    val scope = holderScope()
    val holder = remember { DevicesHolder(scope, repo, host) }
    val load by holder.state.collectAsState()
    Loaded(load, holder::retry) { DevicesView(it, holder.pair, holder.actions, onBack) }
}

@Composable
private fun BackupRoute(repo: PhrRepository, host: AppHost, onBack: () -> Unit) {
    val scope = holderScope()
    val holder = remember { BackupHolder(scope, repo, host) }
    val load by holder.state.collectAsState()
    Loaded(load, holder::retry) { BackupView(it, holder.backup, holder.actions, onBack) }
}
