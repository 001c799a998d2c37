package org.phr.ffi

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * Connecting the GP record from the app (#15) against the real FHIR R4 test server that
 * scripts/test-all.sh starts (PHR_FHIR_TEST_SERVER). The browser's part is played by a
 * plain HTTP GET of the sign-in address, which this test server answers with a redirect.
 */
class ConnectTest {
    private fun server(): String {
        val url = System.getenv("PHR_FHIR_TEST_SERVER")
        if (url == null && System.getenv("CI") == "true") fail<Unit>("PHR_FHIR_TEST_SERVER is not set: scripts/test-all.sh starts the FHIR server")
        assumeTrue(url != null, "SKIP: no FHIR test server (run scripts/test-all.sh, or scripts/fhir-server.sh)")
        return url!!
    }

    /** What the browser does: open the sign-in address; the server redirects back. */
    private fun browse(url: String): String {
        val c = java.net.URI(url).toURL().openConnection() as java.net.HttpURLConnection
        c.instanceFollowRedirects = false
        c.connectTimeout = 5000
        c.readTimeout = 10000
        val code = c.responseCode
        assertTrue(code in 300..399, "the sign-in page answered $code, not a redirect")
        return c.getHeaderField("Location")
    }

    @Test
    fun `the GP record connects through the browser, pulls, and a second pull changes nothing`() = runBlocking<Unit> {
        val base = "${server()}/fhir/R4"
        val (rec, _) = newRecord()
        val session = rec.smartBegin(base, "http://127.0.0.1:9/callback")
        assertTrue(session.authorizeUrl().contains("code_challenge="), "PKCE is used")
        val back = browse(session.authorizeUrl())

        // A redirect with another session's state is refused before any token is asked for.
        val other = rec.smartBegin(base, "http://127.0.0.1:9/callback")
        assertThrows<PhrException> { rec.smartFinish(other, back) }

        assertEquals(base, rec.smartFinish(session, back))
        val first = rec.fhirPull(false)
        assertTrue(first.import.added > 10uL, first.toString())
        assertTrue(first.pages >= 1u)
        assertTrue(rec.homeScreen().sections.single { it.id == "conditions" }.latest
            .all { it.provenance.key == "provenance.medical_record" })
        val again = rec.fhirPull(false)
        assertEquals(0uL, again.import.added + again.import.updated + again.import.retired, again.toString())
        assertEquals(emptyList<SourceLink>(), rec.fhirLinks(), "nothing was entered by hand, so nothing is linked")
    }
}
