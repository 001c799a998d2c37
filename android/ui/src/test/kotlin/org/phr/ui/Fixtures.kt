package org.phr.ui

import androidx.compose.runtime.Composable
import androidx.compose.ui.ImageComposeScene
import androidx.compose.ui.unit.Density
import androidx.compose.ui.use
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import org.jetbrains.skia.EncodedImageFormat
import org.phr.ffi.CalendarDate
import org.phr.ffi.KeyStore
import org.phr.ffi.KeyStoreException
import org.phr.shared.PhrRepository
import java.nio.file.Files
import java.security.SecureRandom
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.spec.GCMParameterSpec
import javax.crypto.spec.SecretKeySpec
import kotlin.math.roundToInt

/** AES-GCM with an in-memory key: the Android Keystore implementation without the hardware. */
class SoftwareKeyStore(private val key: ByteArray = ByteArray(32).also { SecureRandom().nextBytes(it) }) : KeyStore {
    override fun wrap(dataKey: ByteArray): ByteArray {
        val iv = ByteArray(12).also { SecureRandom().nextBytes(it) }
        val c = Cipher.getInstance("AES/GCM/NoPadding")
        c.init(Cipher.ENCRYPT_MODE, SecretKeySpec(key, "AES"), GCMParameterSpec(128, iv))
        return iv + c.doFinal(dataKey)
    }

    override fun unwrap(wrapped: ByteArray): ByteArray {
        val c = Cipher.getInstance("AES/GCM/NoPadding")
        c.init(Cipher.DECRYPT_MODE, SecretKeySpec(key, "AES"), GCMParameterSpec(128, wrapped, 0, 12))
        return try {
            c.doFinal(wrapped, 12, wrapped.size - 12)
        } catch (e: AEADBadTagException) {
            throw KeyStoreException.WrongKey()
        }
    }
}

/** The demo resident in a real record in a temp folder, through the real library. */
fun demoRecord(): PhrRepository = runBlocking {
    val dir = Files.createTempDirectory("phr-ui").toFile().also { it.deleteOnExit() }
    PhrRepository.openOrCreate(dir, SoftwareKeyStore(), Dispatchers.IO).also { it.fillDemo(CalendarDate(2026, 4u, 12u)) }
}

/** A phone: 411 x 891 dp at 2.625 px per dp (1079 x 2339 px), like a Pixel 7. */
object Phone {
    const val WIDTH_DP = 411
    const val HEIGHT_DP = 891
    const val DENSITY = 2.625f
}

/** Renders [content] headless (no display) to PNG bytes at phone size. */
fun renderPng(dark: Boolean = false, fontScale: Float = 1f, content: @Composable () -> Unit): ByteArray {
    val w = (Phone.WIDTH_DP * Phone.DENSITY).roundToInt()
    val h = (Phone.HEIGHT_DP * Phone.DENSITY).roundToInt()
    return ImageComposeScene(w, h, Density(Phone.DENSITY, fontScale)).use { scene ->
        scene.setContent { PhrTheme(dark) { content() } }
        scene.render()
        // A second frame after layout settles (text measured, state applied).
        scene.render(16_000_000L).encodeToData(EncodedImageFormat.PNG)?.bytes ?: error("PNG encoding failed")
    }
}
