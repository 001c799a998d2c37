package org.phr.ui

import androidx.compose.material3.Text
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.ByteArrayInputStream
import javax.imageio.ImageIO

class ToolchainTest {
    @Test
    fun `a composable renders headless to a phone-sized PNG with dark pixels for its text`() {
        val png = renderPng { Text("Toolchain") }
        val img = ImageIO.read(ByteArrayInputStream(png))
        assertEquals(1079, img.width)
        assertEquals(2339, img.height)
        // The text drew something: some pixel in the top-left corner is not the background.
        val corner = (0 until 200).flatMap { x -> (0 until 60).map { y -> img.getRGB(x, y) } }.toSet()
        assertTrue(corner.size > 1, "nothing was drawn")
    }
}
