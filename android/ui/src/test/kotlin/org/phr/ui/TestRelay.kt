package org.phr.ui

import java.io.File
import java.net.HttpURLConnection
import java.net.ServerSocket
import java.net.URI
import java.nio.file.Files
import java.util.Base64

/**
 * The real `phr-relay` binary (from $CARGO_TARGET_DIR/debug, passed as -Dphr.relay.bin as the
 * bindings' tests do) serving on a free port of 127.0.0.1 with its own SQLite file in a temp folder.
 */
class TestRelay(
    /** Seconds a new device waits before it may remove another (0: the tests' devices are seconds old). */
    newDeviceWaitSeconds: Long = 0,
) : AutoCloseable {
    private val process: Process
    val url: String

    init {
        val bin = System.getProperty("phr.relay.bin").orEmpty()
        require(File(bin).canExecute()) { "phr-relay not found at '$bin': build it (cargo build -p phr-relay) and pass -Dphr.relay.bin" }
        val port = ServerSocket(0).use { it.localPort }
        url = "http://127.0.0.1:$port"
        val db = Files.createTempDirectory("phr-ui-relay").resolve("relay.sqlite")
        process = ProcessBuilder(bin, "serve", "--listen", "127.0.0.1:$port", "--db", db.toString(), "--new-device-wait", newDeviceWaitSeconds.toString())
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
        val deadline = System.nanoTime() + 20_000_000_000L
        while (status("$url/healthz") != 200) {
            check(System.nanoTime() < deadline && process.isAlive) { "the relay did not start" }
            Thread.sleep(100)
        }
    }

    override fun close() {
        process.destroy()
        process.waitFor()
    }

    companion object {
        /** One relay for the whole test run (the screens' shares), stopped when the JVM exits. */
        val shared: TestRelay by lazy { TestRelay().also { r -> Runtime.getRuntime().addShutdownHook(Thread { r.close() }) } }

        fun available(): Boolean = File(System.getProperty("phr.relay.bin").orEmpty()).canExecute()

        /** The HTTP status of a call, as a recipient's browser would make it (-1 if unreachable). */
        fun status(url: String, method: String = "GET", body: String? = null): Int = runCatching {
            val c = URI(url).toURL().openConnection() as HttpURLConnection
            c.requestMethod = method
            c.connectTimeout = 2000
            c.readTimeout = 10000
            if (body != null) {
                c.doOutput = true
                c.setRequestProperty("content-type", "application/json")
                c.outputStream.use { it.write(body.toByteArray()) }
            }
            c.responseCode
        }.getOrDefault(-1)
    }
}

/** What a viewer reads from a `shlink:/` payload (a viewer URL may put it after `#`): the manifest URL and the content key. */
data class ShlTarget(val url: String, val key: ByteArray)

fun shlTarget(shlink: String): ShlTarget {
    val payload = String(Base64.getUrlDecoder().decode(shlink.substringAfter("shlink:/")))
    fun field(name: String) = Regex("\"$name\"\\s*:\\s*\"([^\"]+)\"").find(payload)!!.groupValues[1]
    return ShlTarget(field("url"), Base64.getUrlDecoder().decode(field("key")))
}
