package org.phr.ui

import androidx.compose.ui.graphics.painter.Painter
import androidx.compose.ui.res.loadSvgPainter
import androidx.compose.ui.unit.Density

/**
 * The JVM (desktop) build's SVG renderer: Skia's, through Compose Desktop, from the bytes the
 * core returns (no resource files). The Android app defines its own [platformSvgPainter]
 * in its source set; this folder is compiled only by the Maven build (android/ui/pom.xml).
 */
val platformSvgPainter: (String, Density) -> Painter? = { svg, density ->
    runCatching { loadSvgPainter(svg.byteInputStream(), density) }.getOrNull()
}
