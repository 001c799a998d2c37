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

/** The same readings as [heartRates], as columns (one kind, one source, instants). */
fun heartRateColumns(count: Int, source: String = "test-watch"): SampleColumns {
    val start = 1_735_689_600_000L
    return SampleColumns(
        SampleKind.HEART_RATE,
        source,
        List(count) { i -> start + i * 60_000L },
        emptyList(),
        List(count) { i -> 60.0 + (i % 40) },
    )
}

/** `count` heart-rate samples one minute apart from 2025-01-01T00:00Z. */
fun heartRates(count: Int, source: String = "test-watch"): List<Sample> {
    val start = 1_735_689_600_000L
    return List(count) { i ->
        val t = start + i * 60_000L
        Sample(SampleKind.HEART_RATE, t, t, 60.0 + (i % 40), source, null)
    }
}

/**
 * The real `phr-relay` binary (built by scripts/test-bindings.sh, passed as
 * `-Dphr.relay.bin`) serving on a free port of 127.0.0.1 with its own SQLite file.
 */
class RelayProcess : AutoCloseable {
    private val bin = System.getProperty("phr.relay.bin").orEmpty()
    private val port = java.net.ServerSocket(0).use { it.localPort }
    private val db = tempDir().resolve("relay.sqlite").toString()
    private var process: Process
    val url: String = "http://127.0.0.1:$port"

    init {
        require(java.io.File(bin).canExecute()) { "phr-relay not found at '$bin': scripts/test-bindings.sh builds it and passes -Dphr.relay.bin" }
        process = start()
    }

    private fun start(): Process {
        val p = ProcessBuilder(bin, "serve", "--listen", "127.0.0.1:$port", "--db", db, "--new-device-wait", "0")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
        val deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos()
        while (runCatching { http("GET", "$url/healthz").first }.getOrNull() != 200) {
            check(System.nanoTime() < deadline && p.isAlive) { "the relay did not start" }
            Thread.sleep(100)
        }
        return p
    }

    /** Stops the relay, runs [whileDown], and starts it again on the same address and database. */
    fun downWhile(whileDown: () -> Unit) {
        close()
        whileDown()
        process = start()
    }

    override fun close() {
        process.destroy()
        process.waitFor()
    }
}

/** A plain HTTP call, as a recipient's browser or app would make it: (status, body). */
fun http(method: String, url: String, body: String? = null): Pair<Int, String> {
    val c = java.net.URI(url).toURL().openConnection() as java.net.HttpURLConnection
    c.requestMethod = method
    c.connectTimeout = 2000
    c.readTimeout = 10000
    if (body != null) {
        c.doOutput = true
        c.setRequestProperty("content-type", "application/json")
        c.outputStream.use { it.write(body.toByteArray()) }
    }
    val code = c.responseCode
    val text = (if (code < 400) c.inputStream else c.errorStream)?.use { String(it.readAllBytes()) }.orEmpty()
    return code to text
}
