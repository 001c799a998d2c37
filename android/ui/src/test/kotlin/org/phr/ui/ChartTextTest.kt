package org.phr.ui

import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Canvas
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.drawscope.CanvasDrawScope
import androidx.compose.ui.graphics.painter.Painter
import androidx.compose.ui.graphics.toPixelMap
import androidx.compose.ui.unit.Density
import androidx.compose.ui.unit.LayoutDirection
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.phr.ffi.CalendarDate
import org.phr.ffi.ChartTheme
import org.phr.ffi.MetricKind

/**
 * The chart screen's words: Skia's SVG renderer (as skiko ships it) draws no `<text>`, so the
 * JVM painter draws the core's chart texts itself. Here on the demo record's weight chart:
 * the texts are found where the core put them, and drawing them changes the picture.
 */
class ChartTextTest {
    private val density = Density(2.625f)

    private fun pixels(p: Painter): IntArray {
        val size = p.intrinsicSize
        val bitmap = ImageBitmap(size.width.toInt(), size.height.toInt())
        CanvasDrawScope().draw(density, LayoutDirection.Ltr, Canvas(bitmap), size) { with(p) { draw(size) } }
        return bitmap.toPixelMap().buffer
    }

    @Test
    fun `the weight chart keeps its title, axis numbers and dates`() {
        val repo = demoRecord()
        try {
            val svg = runBlocking { repo.chart(MetricKind.WEIGHT, CalendarDate(2026, 1u, 12u), CalendarDate(2026, 4u, 12u), ChartTheme.LIGHT) }
            val texts = svgTexts(svg).map { it.text }
            assertTrue("Weight" in texts, "no title in $texts")
            assertTrue(texts.count { it.toDoubleOrNull() != null } >= 3, "fewer than 3 axis numbers in $texts")
            assertTrue(texts.any { Regex("""\d+ [A-Z][a-z]{2} \d{2}""").matches(it) }, "no date on the time axis in $texts")

            val withTexts = platformSvgPainter(svg, density)
            val shapesOnly = platformSvgPainter(withoutTexts(svg), density)
            assertNotNull(withTexts)
            assertNotNull(shapesOnly)
            val a = pixels(withTexts!!)
            val b = pixels(shapesOnly!!)
            val changed = a.indices.count { a[it] != b[it] }
            // Each glyph covers dozens of pixels at this density; a chart has over a hundred glyphs.
            assertTrue(changed > 2_000, "drawing the texts changed only $changed pixels")
            assertTrue(viewBox(svg) == Size(420f, 340f), "the app's chart is phone-shaped: ${viewBox(svg)}")
        } finally {
            repo.close()
        }
    }
}
