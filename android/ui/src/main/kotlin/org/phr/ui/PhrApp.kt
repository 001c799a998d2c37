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
// and1
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import java.time.LocalDate

/** Where the person is; the app keeps a stack of these (Back pops one). */
sealed interface Route {
    data object Home : Route
    data class Section(val id: String) : Route
    data class Entry(val id: String) : Route
    data class Form(val target: FormTarget, val sectionTitle: String?) : Route

    // and1
    data object Insights : Route
    data class Chart(val metric: String) : Route
    data object Sharing : Route
    data object NewShare : Route
    data object EmergencyCard : Route
    data object Advice : Route

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
fun PhrApp(
    repo: PhrRepository,
    dark: Boolean = false,
    strings: Strings = CatalogueStrings,
    // and1: where shares are published; the day insights are for (null: now; fixed in tests).
    relayUrl: String = "",
    insightsDay: LocalDate? = null,
    // and2: service addresses and what only the platform does (browser, pickers).
    host: AppHost = AppHost(),
) {
    val stack = remember { mutableStateListOf<Route>(Route.Home) }
    val back: () -> Unit = { if (stack.size > 1) stack.removeAt(stack.lastIndex) }
    // and1: a top-level place starts a fresh stack above Home.
    val tab: (Route) -> Unit = { r -> stack.clear(); stack.add(Route.Home); if (r != Route.Home) stack.add(r) }
    PhrTheme(dark, strings) {
      Column(Modifier.fillMaxSize()) {
       Box(Modifier.weight(1f)) {
        when (val route = stack.last()) {
            // A fresh holder per visit; `key` drops the old one's coroutines with its composition.
            // Settings is a tab of the bottom bar, so Home has no button of its own for it.
            Route.Home -> key(route) { HomeRoute(repo, onSettings = null) { stack.add(Route.Section(it)) } }
            is Route.Section -> key(route) {
                SectionRoute(repo, route.id, back, onAdd = { title -> stack.add(Route.Form(FormTarget.Add(route.id), title)) }) {
                    stack.add(Route.Entry(it))
                }
            }
            is Route.Entry -> key(route) {
                EntryRoute(repo, route.id, back, onGone = back) { stack.add(Route.Form(FormTarget.Edit(route.id), null)) }
            }
            is Route.Form -> key(route) { FormRoute(repo, route, back) }

            // and1
            Route.Insights -> key(route) { InsightsRoute(repo, insightsDay) { stack.add(Route.Chart(it)) } }
            is Route.Chart -> key(route) { ChartRoute(repo, route.metric, dark, insightsDay, back) }
            Route.Sharing -> key(route) {
                SharingRoute(repo, onNew = { stack.add(Route.NewShare) }, onEmergency = { stack.add(Route.EmergencyCard) }, onAdvice = { stack.add(Route.Advice) })
            }
            Route.NewShare -> key(route) { NewShareRoute(repo, relayUrl, back) }
            Route.EmergencyCard -> key(route) { EmergencyRoute(repo, relayUrl, back) }
            Route.Advice -> key(route) { AdviceRoute(repo, relayUrl, back) }

            // and2
            // A tab: the bottom bar is the way back, as for Trends and Sharing.
            Route.Settings -> key(route) { SettingsRoute(repo, null) { stack.add(it) } }
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
        // and1
        val current = stack.last()
        if (NavTabs.any { it.first == current }) NavBar(current, tab)
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
private fun HomeRoute(repo: PhrRepository, onSettings: (() -> Unit)?, onOpen: (String) -> Unit) {
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

// and1: first run, insights, chart, sharing, new share, emergency card, advice.

/**
 * The app from launch: the record if there is one, else first run (Onboarding), which creates
 * it with [create] (the platform keystore) and then opens Home. [onReady] hears of the record.
 */
@Composable
fun PhrStart(
    existing: PhrRepository?,
    create: suspend () -> PhrRepository,
    dark: Boolean = false,
    strings: Strings = CatalogueStrings,
    relayUrl: String = "",
    insightsDay: LocalDate? = null,
    onReady: (PhrRepository) -> Unit = {},
) {
    var repo by remember { mutableStateOf(existing) }
    val open = repo
    if (open != null) {
        PhrApp(open, dark, strings, relayUrl, insightsDay)
    } else {
        PhrTheme(dark, strings) { OnboardingRoute(create) { repo = it; onReady(it) } }
    }
}

@Composable
private fun OnboardingRoute(create: suspend () -> PhrRepository, onDone: (PhrRepository) -> Unit) {
    val scope = holderScope()
    val holder = remember { OnboardingHolder(scope, create) }
    val step by holder.step.collectAsState()
    when (val s = step) {
        is OnboardingStep.Welcome -> OnboardingWelcome(s.failed, s.busy, holder::start)
        is OnboardingStep.ShowKey -> OnboardingKey(s.groups, holder::written)
        is OnboardingStep.Confirm -> OnboardingConfirm(s.answers, s.wrong, { holder.check(s.answers) }, holder::showAgain)
        is OnboardingStep.Lock -> OnboardingLock(s.on, holder::setLock) { holder.finish(onDone) }
    }
}

@Composable
private fun InsightsRoute(repo: PhrRepository, day: LocalDate?, onChart: (String) -> Unit) {
    val scope = holderScope()
    val holder = remember { InsightsHolder(scope, repo, day) }
    val load by holder.state.collectAsState()
    Loaded(load, holder::retry) { InsightsView(it, onChart, holder::toggle) }
}

@Composable
private fun ChartRoute(repo: PhrRepository, metric: String, dark: Boolean, day: LocalDate?, onBack: () -> Unit) {
    val scope = holderScope()
    val holder = remember { ChartHolder(scope, repo, metric, dark, day) }
    val load by holder.state.collectAsState()
    Loaded(load, holder::retry) { ChartView(it, onBack) }
}

@Composable
private fun SharingRoute(repo: PhrRepository, onNew: () -> Unit, onEmergency: () -> Unit, onAdvice: () -> Unit) {
    val scope = holderScope()
    val holder = remember { SharingHolder(scope, repo) }
    val load by holder.state.collectAsState()
    val message by holder.message.collectAsState()
    val actions = remember { SharingActions(onNew, onEmergency, onAdvice, holder::check, holder::update, holder::revoke, holder::answer, holder::resetTries) }
    Loaded(load, holder::retry) { SharingView(it, message, actions) }
}

@Composable
private fun NewShareRoute(repo: PhrRepository, relayUrl: String, onDone: () -> Unit) {
    val scope = holderScope()
    val holder = remember { NewShareHolder(scope, repo, relayUrl) }
    val load by holder.state.collectAsState()
    val step by holder.step.collectAsState()
    Loaded(load, holder::retry) { choices ->
        val form = remember(choices) { NewShareForm(choices) }
        when (val s = step) {
            ShareStep.Filling, ShareStep.Sending -> NewShareView(form, onDone) { holder.submit(form, form.purpose.trim()) }
            is ShareStep.Warning -> ShareWarningView(s.preview, onContinue = { holder.submit(form, form.purpose.trim(), warned = true) }, onBack = holder::back)
            is ShareStep.Done -> ShareDoneView(s.link, onDone)
        }
    }
}

@Composable
private fun EmergencyRoute(repo: PhrRepository, relayUrl: String, onBack: () -> Unit) {
    val scope = holderScope()
    val holder = remember { EmergencyHolder(scope, repo, relayUrl) }
    val load by holder.state.collectAsState()
    val message by holder.message.collectAsState()
    val name = t("ui.emergency.recipient")
    val role = t("ui.emergency.role")
    Loaded(load, holder::retry) { data ->
        EmergencyCardView(
            data, message, onBack,
            onCreate = { holder.create(name, role) },
            onUpdate = { data.row?.let { holder.update(it.id) } },
            onStop = { data.row?.let { holder.stop(it.id) } },
        )
    }
}

@Composable
private fun AdviceRoute(repo: PhrRepository, relayUrl: String, onBack: () -> Unit) {
    val scope = holderScope()
    val holder = remember { AdviceHolder(scope, repo, relayUrl) }
    val load by holder.state.collectAsState()
    val step by holder.step.collectAsState()
    Loaded(load, holder::retry) { data ->
        val form = remember(data.choices) { AdviceForm(data.choices) }
        when (val s = step) {
            is ShareStep.Done -> ShareDoneView(s.link, onBack)
            else -> AdviceView(data.asked, form, onBack) { holder.send(form) }
        }
    }
}

// and2: the routes of Settings and the screens it links to.

@Composable
private fun SettingsRoute(repo: PhrRepository, onBack: (() -> Unit)?, go: (Route) -> Unit) {
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
            tips = { go(Route.Insights) },
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
