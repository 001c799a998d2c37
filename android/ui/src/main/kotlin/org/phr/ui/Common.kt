package org.phr.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ColumnScope
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp

/** The smallest touch target for anything a finger presses (Android's accessibility rule). */
val TouchTarget = 48.dp

/** A screen: an optional Back button, a heading that wraps (never cut off), then content that scrolls. */
@Composable
fun ScreenFrame(title: String, onBack: (() -> Unit)?, content: @Composable ColumnScope.() -> Unit) {
    Surface(Modifier.fillMaxSize(), color = MaterialTheme.colorScheme.background) {
        Column(
            Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(horizontal = 16.dp, vertical = 8.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            if (onBack != null) {
                TextButton(onClick = onBack, modifier = Modifier.heightIn(min = TouchTarget)) {
                    Text("‹ " + t("ui.back"), style = MaterialTheme.typography.titleMedium)
                }
            }
            Text(title, style = MaterialTheme.typography.headlineMedium, modifier = Modifier.semantics { heading() })
            content()
            Spacer(Modifier.height(24.dp))
        }
    }
}

/** What a holder has for its screen: still loading, loaded, or the load failed. */
sealed interface Load<out T> {
    data object Loading : Load<Nothing>
    data class Ready<T>(val value: T) : Load<T>

    /** Failed; the reason is never shown (it could name a record's contents), only a catalogue key. */
    data object Failed : Load<Nothing>
}

/** Draws [content] once loaded; a spinner before, a plain message with Try again after a failure. */
@Composable
fun <T> Loaded(load: Load<T>, onRetry: () -> Unit, content: @Composable (T) -> Unit) {
    when (load) {
        is Load.Ready -> content(load.value)
        // Words, not a spinner: loading takes a moment, and an endless animation never lets
        // the UI tests see the screen settle.
        Load.Loading -> Box(Modifier.fillMaxSize().padding(16.dp), contentAlignment = Alignment.Center) {
            Text(t("ui.loading"), style = MaterialTheme.typography.bodyLarge)
        }
        Load.Failed -> Column(Modifier.fillMaxWidth().padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            Text(t("ui.load_failed"), style = MaterialTheme.typography.bodyLarge)
            Button(onClick = onRetry, modifier = Modifier.heightIn(min = TouchTarget)) { Text(t("ui.try_again")) }
        }
    }
}

/** "Nothing here yet", "1 entry", "12 entries". */
@Composable
fun countText(count: UInt): String = when (count) {
    0u -> t("ui.count.none")
    1u -> t("ui.count.one")
    else -> t("ui.count.many", "count" to count)
}
