package org.phr.ui

import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import java.io.ByteArrayInputStream
import java.io.File
import javax.imageio.ImageIO

/**
 * Every screen renders from the demo record to a phone-sized PNG, light and dark, and draws
 * something. With -Dphr.screens.out=DIR (scripts/screenshots-android.sh) the PNGs are kept.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScreensRenderTest {
    private val repo = demoRecord()
    private val screens = DemoScreens(repo)

    @AfterAll
    fun close() = repo.close()

    @Test
    fun `the demo record gives every screen something to draw`() {
        assertTrue(screens.home.sections.size >= 15)
        assertTrue(screens.medications.entries.isNotEmpty())
        assertTrue(screens.changedMedication.history.isNotEmpty(), "the edit left no earlier version")
        assertNotNull(screens.gpEntry, "the demo resident has nothing from a GP record")
        assertTrue(screens.refusedForm.errors.isNotEmpty(), "an empty medication form was accepted")
    }

    @Test
    fun `every screen renders light and dark to PNG`() {
        val out = System.getProperty("phr.screens.out").orEmpty().takeIf { it.isNotBlank() }?.let { File(it) }
        out?.mkdirs()
        for (s in screens.all()) {
            for (dark in listOf(false, true)) {
                val png = renderPng(dark) { s.content() }
                val img = ImageIO.read(ByteArrayInputStream(png))
                assertEquals(2339, img.height, s.name)
                val colours = HashSet<Int>()
                for (y in 0 until img.height step 7) for (x in 0 until img.width step 7) colours.add(img.getRGB(x, y))
                assertTrue(colours.size > 10, "${s.name} drew almost nothing")
                if (s.shot) out?.let { File(it, "${s.name}-${if (dark) "dark" else "light"}.png").writeBytes(png) }
            }
        }
    }
}
