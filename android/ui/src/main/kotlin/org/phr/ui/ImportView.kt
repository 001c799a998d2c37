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
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import org.phr.ffi.CancelHandle
import org.phr.ffi.ImportFileReport
import org.phr.ffi.ImportReport
import org.phr.ffi.ImportRow
import org.phr.ffi.ImportsScreen
import java.io.File

/** An import under way or just done: the files, progress (null when idle), the report. */
class ImportRun {
    /** Typed paths, one a line (the JVM, where there is no file picker). */
    var paths by mutableStateOf("")
    var progress by mutableStateOf<Pair<ULong, ULong>?>(null)
    var report by mutableStateOf<ImportReport?>(null)
    var failed by mutableStateOf(false)
    internal var cancel: CancelHandle? = null

    val running: Boolean get() = progress != null

    fun typedPaths(): List<String> = paths.lines().map { it.trim() }.filter { it.isNotEmpty() }
}

/**
 * Add files: pick them (or type their paths on the JVM), watch the progress with a Stop
 * button, read what happened to each file, and the files added before.
 */
@Composable
fun ImportView(
    history: ImportsScreen,
    run: ImportRun,
    canPick: Boolean,
    onBack: () -> Unit,
    onPick: () -> Unit,
    onStart: () -> Unit,
    onCancel: () -> Unit,
) {
    ScreenFrame(title = t("ui.import.title"), onBack = onBack) {
        Say(t("ui.import.intro"))
        val progress = run.progress
        if (progress != null) {
            Notice(t("ui.import.progress", "done" to progress.first, "total" to progress.second))
            OtherButton(t("ui.stop"), onClick = onCancel)
        } else if (canPick) {
            MainButton(t("ui.import.pick"), onClick = onPick)
        } else {
            TextBox(t("ui.import.paths"), run.paths, minLines = 3) { run.paths = it }
            MainButton(t("ui.import.start"), enabled = run.typedPaths().isNotEmpty(), onClick = onStart)
        }
        if (run.failed) Notice(t("ui.failed"), warning = true)
        run.report?.let { report ->
            Titled(t("ui.import.report")) {
                if (report.cancelled) Notice(t("ui.import.stopped"))
                report.files.forEach { FileReport(it) }
            }
        }
        Titled(t("ui.import.history")) {
            history.emptyKey?.let { Say(t(it)) }
            history.imports.forEach { ImportCard(it) }
        }
    }
}

@Composable
private fun FileReport(f: ImportFileReport) {
    Column {
        val status = t("import.status." + f.status.name.lowercase())
        Text(t("ui.import.file", "name" to File(f.path).name, "status" to status), style = MaterialTheme.typography.titleMedium)
        Say(t("import.added", "readings" to f.samplesAdded, "activities" to f.activitiesAdded, "entries" to f.entriesAdded))
        if (f.problems.isNotEmpty()) Say(t("ui.import.problems", "count" to f.problems.size))
    }
}

@Composable
private fun ImportCard(row: ImportRow) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(labelText(row.whenLabel), style = MaterialTheme.typography.titleMedium)
            Say(t(row.originKey))
            Say(labelText(row.summary))
            row.files.forEach { Say(t("ui.import.file", "name" to it.name, "status" to t(it.statusKey))) }
            if (row.moreFiles > 0u) Say(t("ui.import.more_files", "count" to row.moreFiles))
        }
    }
}
