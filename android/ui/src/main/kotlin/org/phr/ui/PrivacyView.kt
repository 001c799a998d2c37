package org.phr.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import org.phr.ffi.PrivacyLevel
import org.phr.ffi.SectionPrivacyRow

/** Each level's name and what it means, in the order the screen offers them (most private first). */
private val LEVELS = listOf(
    Triple(PrivacyLevel.PRIVATE, "privacy.private", "ui.privacy.private_means"),
    Triple(PrivacyLevel.SENSITIVE, "privacy.sensitive", "ui.privacy.sensitive_means"),
    Triple(PrivacyLevel.SHAREABLE, "privacy.shareable", "ui.privacy.shareable_means"),
)

/** The level a settings row names (the core writes the level's name in lower case). */
fun levelOf(row: SectionPrivacyRow): PrivacyLevel? = PrivacyLevel.entries.firstOrNull { it.name.equals(row.privacy, ignoreCase = true) }

/**
 * Who can see each section: the three levels explained once in plain words, then each
 * section with its level to pick and a switch to use it at all. The core enforces the levels.
 */
@Composable
fun PrivacyView(
    rows: List<SectionPrivacyRow>,
    onBack: () -> Unit,
    onLevel: (String, PrivacyLevel) -> Unit,
    onEnabled: (String, Boolean) -> Unit,
) {
    ScreenFrame(title = t("ui.privacy.title"), onBack = onBack) {
        Say(t("ui.privacy.intro"))
        LEVELS.forEach { (_, name, means) ->
            Column {
                Text(t(name), style = MaterialTheme.typography.titleMedium)
                Say(t(means))
            }
        }
        rows.forEach { row ->
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                    Text(row.title, style = MaterialTheme.typography.titleLarge, modifier = Modifier.semantics { heading() })
                    SwitchRow(t("ui.privacy.in_use"), row.enabled, description = t("ui.privacy.in_use_for", "section" to row.title)) {
                        onEnabled(row.id, it)
                    }
                    if (row.enabled) {
                        val current = levelOf(row)
                        LEVELS.forEach { (level, name, _) ->
                            ChoiceRow(t(name), current == level, description = t("ui.privacy.choice", "section" to row.title, "level" to t(name))) {
                                onLevel(row.id, level)
                            }
                        }
                    }
                }
            }
        }
    }
}
