package org.phr.ffi

import java.nio.file.Files
import java.nio.file.Path
import java.security.SecureRandom
import java.util.concurrent.atomic.AtomicInteger
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.spec.GCMParameterSpec
import javax.crypto.spec.SecretKeySpec

/**
 * The test double for the platform keystore: AES-256-GCM with a key held in memory, the
 * same construction the Android app uses with a key inside AndroidKeyStore.
 */
class AesGcmTestKeyStore(private val key: ByteArray = randomKey()) : KeyStore {
    val wraps = AtomicInteger()
    val unwraps = AtomicInteger()

    override fun wrap(dataKey: ByteArray): ByteArray {
        wraps.incrementAndGet()
        val iv = ByteArray(12).also { SecureRandom().nextBytes(it) }
        val c = Cipher.getInstance("AES/GCM/NoPadding")
        c.init(Cipher.ENCRYPT_MODE, SecretKeySpec(key, "AES"), GCMParameterSpec(128, iv))
        val out = iv + c.doFinal(dataKey)
        dataKey.fill(0)
        return out
    }

    override fun unwrap(wrapped: ByteArray): ByteArray {
        unwraps.incrementAndGet()
        if (wrapped.size < 12 + 16) throw KeyStoreException.WrongKey()
        val c = Cipher.getInstance("AES/GCM/NoPadding")
        c.init(Cipher.DECRYPT_MODE, SecretKeySpec(key, "AES"), GCMParameterSpec(128, wrapped, 0, 12))
        try {
            return c.doFinal(wrapped, 12, wrapped.size - 12)
        } catch (e: AEADBadTagException) {
            throw KeyStoreException.WrongKey()
        }
    }

    companion object {
        fun randomKey() = ByteArray(32).also { SecureRandom().nextBytes(it) }
    }
}

/** A keystore whose hardware is "locked": every call fails the way a platform would. */
class LockedKeyStore(private val error: () -> Exception) : KeyStore {
    override fun wrap(dataKey: ByteArray): ByteArray = throw error()
    override fun unwrap(wrapped: ByteArray): ByteArray = throw error()
}

/** Collects every log line the library sends. */
class CollectingLogger : Logger {
    val lines = java.util.concurrent.CopyOnWriteArrayList<String>()
    override fun log(level: LogLevel, target: String, message: String) {
        lines.add("$level $target $message")
    }
}

fun tempDir(): Path = Files.createTempDirectory("phr-kotlin-test")

fun date(y: Int, m: Int, d: Int) = CalendarDate(y, m.toUInt(), d.toUInt())

/** A fresh record in a temp folder. */
fun newRecord(ks: KeyStore = AesGcmTestKeyStore()): Pair<PhrRecord, Path> {
    val path = tempDir().resolve("record.phr")
    return PhrRecord.create(path.toString(), ks) to path
}

/** `count` heart-rate samples one minute apart from 2025-01-01T00:00Z. */
fun heartRates(count: Int, source: String = "test-watch"): List<Sample> {
    val start = 1_735_689_600_000L
    return List(count) { i ->
        val t = start + i * 60_000L
        Sample(SampleKind.HEART_RATE, t, t, 60.0 + (i % 40), source, null)
    }
}
