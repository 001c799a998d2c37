package org.phr.ui

import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable

/*
 * The chart is the core's own SVG (insightChart: the series, its trend and the life events
 * such as a new medicine), drawn as a picture, never re-plotted here. On the JVM the SVG is
 * drawn by Skia (src/desktopMain/DesktopSvg.kt). On Android, where Compose has no SVG loader,
 * the app's platformSvgPainter (android/app/.../org/phr/ui/AndroidSvg.kt) parses it with
 * AndroidSVG (Apache-2.0, no WebView) and draws it on a Bitmap, wrapped as a BitmapPainter; if that fails the
 * text summary below the chart still says what it shows.
 */

/** One metric's chart with a sentence that says the trend, for TalkBack and for everyone. */
@Composable
fun ChartView(data: ChartData, onBack: () -> Unit) {
    val metric = t("metric.${data.metric}")
    ScreenFrame(title = t("ui.chart.title", "metric" to metric), onBack = onBack) {
        val summary = data.trend?.let {
            t("ui.chart.summary", "metric" to metric, "direction" to t(it.directionKey).lowercase(), "average" to it.average, "days" to it.windowDays)
        } ?: t("ui.chart.no_trend", "metric" to metric)
        Text(t("ui.chart.range", "days" to data.days), style = MaterialTheme.typography.titleMedium)
        val drawn = SvgImage(data.svg, t("ui.chart.image", "metric" to metric, "summary" to summary))
        Text(summary, style = MaterialTheme.typography.bodyLarge)
        Text(t("ui.chart.events"), style = MaterialTheme.typography.bodyMedium)
        if (!drawn) Text(t("ui.chart.no_image"), style = MaterialTheme.typography.bodyMedium)
    }
}
