package org.phr.ui

import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.drawscope.DrawScope
import androidx.compose.ui.graphics.drawscope.drawIntoCanvas
import androidx.compose.ui.graphics.nativeCanvas
import androidx.compose.ui.graphics.painter.Painter
import androidx.compose.ui.res.loadSvgPainter
import androidx.compose.ui.unit.Density
import org.jetbrains.skia.Font
import org.jetbrains.skia.FontMgr
import org.jetbrains.skia.FontStyle
import org.jetbrains.skia.Paint
import org.jetbrains.skia.TextLine
import org.jetbrains.skia.Typeface

/**
 * The JVM (desktop) build's SVG renderer: Skia's, through Compose Desktop, from the bytes the
 * core returns (no resource files). The Android app defines its own [platformSvgPainter]
 * in its source set; this folder is compiled only by the Maven build (android/ui/pom.xml).
 *
 * Skia's SVG renderer, as skiko builds it, has no font manager, so it draws no `<text>` at
 * all (skiko issue 637): a chart came out without its title, axis numbers or dates. So the
 * texts are taken out of the SVG, the shapes drawn by Skia's SVG renderer, and each text
 * drawn on top with Skia's own text API, where the SVG put it.
 */
val platformSvgPainter: (String, Density) -> Painter? = { svg, density ->
    runCatching {
        val shapes = loadSvgPainter(withoutTexts(svg).byteInputStream(), density)
        val texts = svgTexts(svg)
        val box = viewBox(svg)
        if (texts.isEmpty() || box == null) shapes else SvgWithTexts(shapes, texts, box)
    }.getOrNull()
}

/** One `<text>` of an SVG: enough to draw it where the SVG meant it. */
internal data class SvgText(
    val x: Float,
    val y: Float,
    /** Font size in the SVG's units. */
    val size: Float,
    /** `start`, `middle` or `end`. */
    val anchor: String,
    val argb: Int,
    /** `rotate(a, cx, cy)`: degrees and centre, or null. */
    val rotate: Triple<Float, Float, Float>?,
    val text: String,
)

private val textElement = Regex("""<text\b([^>]*)>(.*?)</text>""", RegexOption.DOT_MATCHES_ALL)
private val attribute = Regex("""([\w:-]+)="([^"]*)"""")
private val rotation = Regex("""rotate\(\s*([-\d.]+)[\s,]+([-\d.]+)[\s,]+([-\d.]+)\s*\)""")
private val viewBoxAttr = Regex("""<svg\b[^>]*\bviewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"""")

internal fun withoutTexts(svg: String): String = textElement.replace(svg, "")

internal fun viewBox(svg: String): Size? =
    viewBoxAttr.find(svg)?.let { m -> Size(m.groupValues[1].toFloat(), m.groupValues[2].toFloat()) }

/** The texts of [svg] in document order (later ones drawn on top). */
internal fun svgTexts(svg: String): List<SvgText> = textElement.findAll(svg).mapNotNull { m ->
    val a = attribute.findAll(m.groupValues[1]).associate { it.groupValues[1] to it.groupValues[2] }
    val text = unescapeXml(m.groupValues[2].trim())
    val x = a["x"]?.toFloatOrNull()
    val y = a["y"]?.toFloatOrNull()
    if (text.isEmpty() || x == null || y == null) return@mapNotNull null
    val size = a["font-size"]?.toFloatOrNull() ?: 12f
    // `dy` moves the baseline: plotters writes 0.76em (hang from the top) and ±0.5ex (centre).
    val dy = a["dy"]?.let { length(it, size) } ?: 0f
    val opacity = a["opacity"]?.toFloatOrNull()?.coerceIn(0f, 1f) ?: 1f
    SvgText(
        x = x,
        y = y + dy,
        size = size,
        anchor = a["text-anchor"] ?: "start",
        argb = colour(a["fill"], opacity),
        rotate = a["transform"]?.let { rotation.find(it) }?.let { r ->
            Triple(r.groupValues[1].toFloat(), r.groupValues[2].toFloat(), r.groupValues[3].toFloat())
        },
        text = text,
    )
}.toList()

/** An SVG length against a font [size]: `em`, `ex` (half an em, as browsers assume without metrics), `px` or plain. */
private fun length(v: String, size: Float): Float? {
    val t = v.trim()
    return when {
        t.endsWith("em") -> t.removeSuffix("em").toFloatOrNull()?.times(size)
        t.endsWith("ex") -> t.removeSuffix("ex").toFloatOrNull()?.times(size / 2)
        t.endsWith("px") -> t.removeSuffix("px").toFloatOrNull()
        else -> t.toFloatOrNull()
    }
}

private fun colour(fill: String?, opacity: Float): Int {
    val rgb = fill?.takeIf { it.startsWith("#") && it.length == 7 }?.substring(1)?.toIntOrNull(16) ?: 0
    return ((opacity * 255).toInt() shl 24) or rgb
}

private fun unescapeXml(s: String): String =
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&#39;", "'")
        .replace("&amp;", "&")

private val sans: Typeface? by lazy {
    FontMgr.default.matchFamilyStyle("sans-serif", FontStyle.NORMAL)
        ?: FontMgr.default.legacyMakeTypeface("", FontStyle.NORMAL)
}

/** [shapes] (the SVG without its texts) with [texts] drawn over it, scaled from the SVG's [box]. */
private class SvgWithTexts(private val shapes: Painter, private val texts: List<SvgText>, private val box: Size) : Painter() {
    override val intrinsicSize: Size get() = shapes.intrinsicSize

    override fun DrawScope.onDraw() {
        with(shapes) { draw(size) }
        drawIntoCanvas { c ->
            val canvas = c.nativeCanvas
            canvas.save()
            canvas.scale(size.width / box.width, size.height / box.height)
            for (t in texts) {
                val line = TextLine.make(t.text, Font(sans, t.size))
                val left = when (t.anchor) {
                    "middle" -> t.x - line.width / 2
                    "end" -> t.x - line.width
                    else -> t.x
                }
                canvas.save()
                t.rotate?.let { (deg, cx, cy) ->
                    canvas.translate(cx, cy)
                    canvas.rotate(deg)
                    canvas.translate(-cx, -cy)
                }
                canvas.drawTextLine(line, left, t.y, Paint().apply { color = t.argb; isAntiAlias = true })
                canvas.restore()
            }
            canvas.restore()
        }
    }
}
