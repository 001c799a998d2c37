package org.phr.ui

import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.graphics.Color

// NHS blue for actions: residents know it, and it passes AA contrast on white.
private val Light = lightColorScheme(
    primary = Color(0xFF005EB8),
    onPrimary = Color.White,
    primaryContainer = Color(0xFFD6E6F7),
    onPrimaryContainer = Color(0xFF002F5C),
    secondaryContainer = Color(0xFFFFF4D6),
    onSecondaryContainer = Color(0xFF3D2E00),
    error = Color(0xFFB3261E),
)

private val Dark = darkColorScheme(
    primary = Color(0xFF9CC7F2),
    onPrimary = Color(0xFF002F5C),
    primaryContainer = Color(0xFF0B3B66),
    onPrimaryContainer = Color(0xFFD6E6F7),
    secondaryContainer = Color(0xFF4A3A00),
    onSecondaryContainer = Color(0xFFFFF4D6),
)

/** Material 3 with the app's colours; text sizes stay Material's `sp` so font scale applies. */
@Composable
fun PhrTheme(dark: Boolean = false, strings: Strings = CatalogueStrings, content: @Composable () -> Unit) {
    CompositionLocalProvider(LocalStrings provides strings) {
        MaterialTheme(colorScheme = if (dark) Dark else Light, content = content)
    }
}
