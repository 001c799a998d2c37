package org.phr.shared

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.phr.ffi.EntryValue
import org.phr.ffi.PrivacyLevel
import org.phr.ffi.Recipient
import org.phr.ffi.RecipientCategory
import java.io.File
import java.net.HttpURLConnection
import java.net.ServerSocket
import java.net.URI
import java.nio.file.Files
import java.time.Duration
import java.time.ZoneOffset

/** The sharing screen's model against the real bindings and a real `phr-relay` on 127.0.0.1. */
class SharingModelTest {
    private lateinit var relay: Process
    private lateinit var relayUrl: String
    private lateinit var repo: PhrRepository
    private val files = Files.createTempDirectory("phr-sharing").toFile()

    @BeforeEach
    fun start() {
        val bin = System.getProperty("phr.relay.bin").orEmpty()
        require(File(bin).canExecute()) { "phr-relay not found at '$bin': scripts/test-bindings.sh builds it and passes -Dphr.relay.bin" }
        val port = ServerSocket(0).use { it.localPort }
        relayUrl = "http://127.0.0.1:$port"
        relay = ProcessBuilder(bin, "serve", "--listen", "127.0.0.1:$port", "--db", File(files, "relay.sqlite").path)
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
        val deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos()
        while (status("GET", "$relayUrl/healthz") != 200) {
            check(System.nanoTime() < deadline && relay.isAlive) { "the relay did not start" }
            Thread.sleep(100)
        }
        repo = runBlocking { PhrRepository.openOrCreate(files, SoftwareKeyStore(), Dispatchers.IO) }
    }

    @AfterEach
    fun stop() {
        repo.close()
        relay.destroy()
        relay.waitFor()
    }

    @Test
    fun `share with the GP for a week, see it opened, then stop sharing`() = runBlocking {
        repo.add("medications", EntryValue.Medication("Ramipril", dose = "5 mg"))
        val model = SharingModel(repo, relayUrl, ZoneOffset.UTC)
        model.load()
        assertTrue(model.state.value.shares.isEmpty())
        assertTrue(model.state.value.choices.any { it.id == "medications" })

        val gp = Recipient("Dr Patel", "GP", RecipientCategory.HEALTH_PROFESSIONAL)
        model.share(gp, listOf("medications"), "medication review", days = 7, passcode = "4821")
        val s = model.state.value
        assertNull(s.message, s.message)
        val row = s.shares.single()
        assertEquals("Dr Patel (GP)", row.who)
        assertEquals(listOf("Medications"), row.sections)
        assertTrue(row.active && row.byLink)
        assertTrue(row.status.startsWith("Active until "), row.status)
        val link = s.link!!
        assertTrue(link.qrSvg.contains("<svg") && link.passcodeRequired)
        assertArrayEquals(byteArrayOf(0x89.toByte(), 'P'.code.toByte(), 'N'.code.toByte(), 'G'.code.toByte()), link.qrPng.copyOf(4), "a PNG for BitmapFactory")
        assertTrue(s.history.any { it.text == "You shared Medications with Dr Patel" }, "${s.history}")

        // The recipient opens it (the viewer page makes this request).
        val manifest = JsonUrl.manifestUrl(link.viewerUrl)
        assertEquals(200, status("POST", manifest, """{"recipient":"Dr Patel","passcode":"4821"}"""))
        model.refresh()
        assertEquals("Dr Patel opened your shared record", model.state.value.history.first().text, "newest first")

        repo.add("medications", EntryValue.Medication("Metformin", dose = "500 mg"))
        model.update(row.grantId)
        assertNull(model.state.value.message, model.state.value.message)
        assertEquals(link.viewerUrl, model.state.value.link!!.viewerUrl, "the same link and QR code")

        model.revoke(row.grantId)
        val after = model.state.value
        assertEquals("Revoked", after.shares.single().status)
        assertNull(after.link, "the QR code of a revoked share is no longer shown")
        assertEquals(404, status("POST", manifest, """{"recipient":"Dr Patel","passcode":"4821"}"""))
    }

    @Test
    fun `what the rules refuse comes back as words, and nothing is shared`() = runBlocking {
        repo.add("medications", EntryValue.Medication("Ramipril", dose = "5 mg"))
        repo.setPrivacy("medications", PrivacyLevel.PRIVATE)
        val model = SharingModel(repo, relayUrl, ZoneOffset.UTC)
        model.load()
        assertTrue(model.state.value.choices.none { it.id == "medications" }, "private sections are not offered")
        model.share(Recipient("Sam", "daughter", RecipientCategory.FAMILY_OR_CARER), listOf("medications"), "help with my pills", days = 30, passcode = null)
        val s = model.state.value
        assertTrue(s.message!!.contains("private ones never are"), s.message)
        assertTrue(s.shares.isEmpty())
        assertNull(s.link)
        assertFalse(s.busy)
    }

    private fun status(method: String, url: String, body: String? = null): Int = runCatching {
        val c = URI(url).toURL().openConnection() as HttpURLConnection
        c.requestMethod = method
        c.connectTimeout = 2000
        if (body != null) {
            c.doOutput = true
            c.setRequestProperty("content-type", "application/json")
            c.outputStream.use { it.write(body.toByteArray()) }
        }
        c.responseCode
    }.getOrDefault(-1)
}

/** The manifest URL inside a viewer URL's `#shlink:/<base64url JSON>` fragment. */
object JsonUrl {
    fun manifestUrl(viewerUrl: String): String {
        val json = String(java.util.Base64.getUrlDecoder().decode(viewerUrl.substringAfter("#shlink:/")))
        return Regex("\"url\"\\s*:\\s*\"([^\"]+)\"").find(json)!!.groupValues[1]
    }
}
