package org.phr.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.mutableStateMapOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.snapshots.SnapshotStateMap
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.clearAndSetSemantics
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp

/*
 * First run, in four steps: welcome (create the record), the recovery key shown large in
 * numbered groups, the check, and the app lock. The check asks the person to TYPE BACK two
 * groups rather than tick "I have written it down": a tick box is pressed without reading,
 * while two groups typed from paper prove the paper exists and the writing is legible.
 * Two groups only, not all thirteen, so it stays a one-minute job for a resident of 70.
 */

/** Step 1: what the app is, and the button that creates the record. */
@Composable
fun OnboardingWelcome(failed: Boolean, busy: Boolean, onStart: () -> Unit) {
    ScreenFrame(title = t("ui.onboarding.welcome_title"), onBack = null) {
        Text(t("ui.onboarding.welcome_body"), style = MaterialTheme.typography.bodyLarge)
        if (failed) Text(t("ui.onboarding.failed"), color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodyLarge)
        Button(onClick = onStart, enabled = !busy, modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget)) {
            Text(t(if (busy) "ui.loading" else "ui.onboarding.start"), style = MaterialTheme.typography.titleMedium)
        }
    }
}

/** Step 2: the recovery key, one numbered group per cell, two to a row, in large type. */
@Composable
fun OnboardingKey(groups: List<String>, onWritten: () -> Unit) {
    ScreenFrame(title = t("ui.onboarding.key_title"), onBack = null) {
        Text(t("ui.onboarding.key_body"), style = MaterialTheme.typography.bodyLarge)
        Card(colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.secondaryContainer), modifier = Modifier.fillMaxWidth()) {
            Text(t("ui.onboarding.key_warning"), style = MaterialTheme.typography.bodyLarge, modifier = Modifier.padding(16.dp))
        }
        groups.withIndex().chunked(2).forEach { pair ->
            Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                pair.forEach { (i, group) -> KeyGroup(i + 1, group, Modifier.weight(1f)) }
                if (pair.size == 1) Column(Modifier.weight(1f)) {}
            }
        }
        Button(onClick = onWritten, modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget)) {
            Text(t("ui.onboarding.key_written"), style = MaterialTheme.typography.titleMedium)
        }
    }
}

@Composable
private fun KeyGroup(n: Int, group: String, modifier: Modifier) {
    // TalkBack reads "Group 3: K 7 Q 2", letter by letter, not as a word.
    val spoken = t("ui.onboarding.key_group", "n" to n, "group" to group.toList().joinToString(" "))
    Row(modifier.clearAndSetSemantics { contentDescription = spoken }, horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        Text("$n", style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 6.dp))
        Text(group, style = MaterialTheme.typography.headlineMedium, fontFamily = FontFamily.Monospace, fontWeight = FontWeight.Bold)
    }
}

/** What the person typed for each asked group (group number -> text). */
class KeyAnswers(val asked: List<Int>) {
    val typed: SnapshotStateMap<Int, String> = mutableStateMapOf()
}

/** Step 3: type back the asked groups from the paper. */
@Composable
fun OnboardingConfirm(answers: KeyAnswers, wrong: Boolean, onCheck: () -> Unit, onShowAgain: () -> Unit) {
    ScreenFrame(title = t("ui.onboarding.confirm_title"), onBack = null) {
        Text(t("ui.onboarding.confirm_body"), style = MaterialTheme.typography.bodyLarge)
        answers.asked.forEach { n ->
            TextBox(
                label = t("ui.onboarding.confirm_group", "n" to n),
                value = answers.typed[n].orEmpty(),
                onChange = { answers.typed[n] = it },
                error = if (wrong) t("ui.onboarding.confirm_wrong") else null,
            )
        }
        Button(onClick = onCheck, modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget)) {
            Text(t("ui.onboarding.confirm"), style = MaterialTheme.typography.titleMedium)
        }
        OutlinedButton(onClick = onShowAgain, modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget)) {
            Text(t("ui.onboarding.show_again"), style = MaterialTheme.typography.titleMedium)
        }
    }
}

/** Step 4: the app lock (BiometricPrompt on Android; on the JVM only the saved preference). */
@Composable
fun OnboardingLock(lock: Boolean, onLock: (Boolean) -> Unit, onFinish: () -> Unit) {
    ScreenFrame(title = t("ui.onboarding.lock_title"), onBack = null) {
        Text(t("ui.onboarding.lock_body"), style = MaterialTheme.typography.bodyLarge)
        ToggleRow(t("ui.onboarding.lock_switch"), lock, onLock)
        Button(onClick = onFinish, modifier = Modifier.fillMaxWidth().heightIn(min = TouchTarget)) {
            Text(t("ui.onboarding.finish"), style = MaterialTheme.typography.titleMedium)
        }
    }
}
