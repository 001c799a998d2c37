package org.phr.ui

import androidx.compose.foundation.layout.heightIn
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.NavigationBarItemDefaults
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.style.TextDecoration
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier

/** The app's top-level places and their labels' keys, in the bar's order. */
val NavTabs: List<Pair<Route, String>> = listOf(
    Route.Home to "ui.nav.home",
    Route.Insights to "ui.nav.insights",
    Route.Sharing to "ui.nav.sharing",
    Route.Settings to "ui.nav.settings",
)

/** The bottom bar: big, labelled targets (words, not icons alone) reaching each top-level place. */
@Composable
fun NavBar(current: Route, onTab: (Route) -> Unit) {
    NavigationBar {
        NavTabs.forEach { (route, key) ->
            NavigationBarItem(
                selected = route == current,
                onClick = { onTab(route) },
                // Words only: an icon would need learning, the label does not.
                icon = {},
                // No icon, so no pill: the place you are in is bold, underlined and in the action colour.
                label = {
                    val here = route == current
                    Text(
                        t(key),
                        style = MaterialTheme.typography.titleMedium,
                        fontWeight = if (here) FontWeight.Bold else FontWeight.Normal,
                        textDecoration = if (here) TextDecoration.Underline else null,
                    )
                },
                colors = NavigationBarItemDefaults.colors(
                    indicatorColor = Color.Transparent,
                    selectedTextColor = MaterialTheme.colorScheme.primary,
                ),
                alwaysShowLabel = true,
                modifier = Modifier.heightIn(min = TouchTarget),
            )
        }
    }
}
