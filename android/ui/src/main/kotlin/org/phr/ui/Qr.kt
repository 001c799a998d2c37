package org.phr.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.layout.size
import androidx.compose.runtime.Composable
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp

/** A QR code's squares: [size] modules a side (quiet zone included), the dark ones as (x, y). */
class QrModules(val size: Int, val dark: List<Pair<Int, Int>>)

private val VIEW_BOX = Regex("""viewBox="0 0 (\d+) (\d+)"""")
private val MODULE = Regex("""M(\d+) (\d+)h1v1h-1z""")

/**
 * Reads the core's QR SVG (core/src/share/qr.rs: a square viewBox and one path of 1x1
 * squares). Android has no SVG renderer, so both platforms draw the squares themselves;
 * null if the SVG is not in that shape.
 */
fun parseQrSvg(svg: String): QrModules? {
    val size = VIEW_BOX.find(svg)?.groupValues?.get(1)?.toIntOrNull() ?: return null
    val dark = MODULE.findAll(svg).map { it.groupValues[1].toInt() to it.groupValues[2].toInt() }.toList()
    return if (dark.isEmpty()) null else QrModules(size, dark)
}

/** The QR code, black on white whatever the theme (scanners need the contrast). */
@Composable
fun QrImage(svg: String, description: String) {
    val modules = remember(svg) { parseQrSvg(svg) } ?: return
    Canvas(Modifier.size(280.dp).semantics { contentDescription = description }) {
        drawRect(Color.White)
        val cell = size.width / modules.size
        for ((x, y) in modules.dark) drawRect(Color.Black, Offset(x * cell, y * cell), Size(cell + 0.5f, cell + 0.5f))
    }
}
