package org.phr.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateListOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import org.phr.ffi.FieldDef
import org.phr.ffi.FieldType

/** The kinds of answer a question in the person's own section can take (the core's field types). */
enum class AnswerKind(val key: String) {
    TEXT("ui.custom.kind.text"),
    NUMBER("ui.custom.kind.number"),
    DATE("ui.custom.kind.date"),
    YES_NO("ui.custom.kind.yes_no"),
}

/** One question of a new section, as typed so far. */
class Question {
    var name by mutableStateOf("")
    var kind by mutableStateOf(AnswerKind.TEXT)
    var unit by mutableStateOf("")
    var required by mutableStateOf(false)

    fun field(): FieldDef = FieldDef(
        name.trim(),
        when (kind) {
            AnswerKind.TEXT -> FieldType.Text
            AnswerKind.NUMBER -> FieldType.Number(unit.trim().ifEmpty { null })
            AnswerKind.DATE -> FieldType.Date
            AnswerKind.YES_NO -> FieldType.Bool
        },
        required,
    )
}

/** A section being made: its name and questions; the core checks them when it is made. */
class CustomSectionState {
    var name by mutableStateOf("")
    val questions = mutableStateListOf(Question())
    var failed by mutableStateOf(false)

    /** The questions to send: the ones left without a name are dropped, like an empty form field. */
    fun fields(): List<FieldDef> = questions.filter { it.name.isNotBlank() }.map { it.field() }
}

/** Make a section of one's own: a name, then each question with its kind of answer. */
@Composable
fun CustomSectionView(state: CustomSectionState, onBack: () -> Unit, onCreate: () -> Unit) {
    ScreenFrame(title = t("ui.custom.title"), onBack = onBack) {
        Say(t("ui.custom.intro"))
        if (state.failed) Notice(t("ui.custom.failed"), warning = true)
        TextBox(t("ui.custom.name"), state.name) { state.name = it }
        Titled(t("ui.custom.questions")) {
            state.questions.forEachIndexed { i, q ->
                val n = i + 1
                Card(Modifier.fillMaxWidth()) {
                    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                        Text(t("ui.custom.question", "n" to n), style = MaterialTheme.typography.titleMedium, modifier = Modifier.semantics { heading() })
                        TextBox(t("ui.custom.question_name", "n" to n), q.name) { q.name = it }
                        Text(t("ui.custom.kind_for", "n" to n), style = MaterialTheme.typography.labelLarge)
                        AnswerKind.entries.forEach { k ->
                            ChoiceRow(t(k.key), q.kind == k, description = t("ui.custom.kind_for", "n" to n) + ": " + t(k.key)) { q.kind = k }
                        }
                        if (q.kind == AnswerKind.NUMBER) TextBox(t("ui.custom.unit", "n" to n), q.unit) { q.unit = it }
                        SwitchRow(t("ui.custom.must_fill"), q.required, description = t("ui.custom.must_fill_for", "n" to n)) { q.required = it }
                        if (state.questions.size > 1) {
                            OtherButton(t("ui.custom.remove_question", "n" to n)) { state.questions.removeAt(i) }
                        }
                    }
                }
            }
            OtherButton(t("ui.custom.add_question")) { state.questions.add(Question()) }
        }
        MainButton(t("ui.custom.create"), onClick = onCreate)
    }
}
