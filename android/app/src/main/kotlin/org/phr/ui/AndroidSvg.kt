package org.phr.ui

import android.graphics.Bitmap
import android.graphics.Canvas
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.graphics.painter.BitmapPainter
import androidx.compose.ui.graphics.painter.Painter
import androidx.compose.ui.unit.Density
import com.caverock.androidsvg.SVG

/**
 * The Android build's SVG renderer for the core's charts (AndroidSVG, Apache-2.0; ADR 0036):
 * parsed from the text the core returns and drawn into a bitmap at the screen's density, so
 * the chart stays sharp. Its JVM twin, Skia's renderer, is android/ui/src/desktopMain's
 * DesktopSvg.kt; ChartView reaches either through LocalSvgPainter. A picture that does not
 * parse gives null, and ChartView shows the chart's words alone.
 */
val platformSvgPainter: (String, Density) -> Painter? = { svg, density ->
    runCatching {
        val doc = SVG.getFromString(svg)
        val box = doc.documentViewBox
        val width = doc.documentWidth.takeIf { it > 0f } ?: box?.width() ?: 800f
        val height = doc.documentHeight.takeIf { it > 0f } ?: box?.height() ?: 450f
        val scale = density.density
        val bitmap = Bitmap.createBitmap((width * scale).toInt().coerceAtLeast(1), (height * scale).toInt().coerceAtLeast(1), Bitmap.Config.ARGB_8888)
        val canvas = Canvas(bitmap)
        canvas.scale(scale, scale)
        doc.renderToCanvas(canvas)
        BitmapPainter(bitmap.asImageBitmap())
    }.getOrNull()
}
