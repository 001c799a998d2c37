package org.phr.ffi

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

class CallbacksAndErrorsTest {
    @AfterEach
    fun stopLogging() = setLogger(null, LogLevel.INFO)

    @Test
    fun `a Rust panic arrives as a typed Internal exception, not a crash`() = runBlocking<Unit> {
        val e = assertThrows<PhrException.Internal> { diagnosticsTriggerPanic() }
        assertFalse(e.message.orEmpty().contains("deliberate"), "panic text does not cross")
        // The library keeps working afterwards.
        val (rec, _) = newRecord()
        assertEquals(27, rec.sections().size)
        rec.close()
    }

    @Test
    fun `a Kotlin callback that throws is contained as a typed error`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        val throwing = object : ProgressListener {
            override fun onProgress(stage: String, done: ULong, total: ULong) = throw IllegalStateException("listener bug")
        }
        val e = assertThrows<PhrException.Internal> { runBlocking { rec.ingestSamplesBatched(heartRates(300), 100u, throwing, null) } }
        assertFalse(e.message.orEmpty().contains("listener bug"))
        // The batch before the failing callback landed whole; the record is intact.
        assertEquals(100uL, rec.sampleSummary().single().count)
        assertTrue(rec.integrityCheck())
        rec.close()
    }

    @Test
    fun `log records reach the Kotlin logger and carry no record values`() = runBlocking<Unit> {
        val logger = CollectingLogger()
        setLogger(logger, LogLevel.TRACE)
        val sentinel = "ZQXSENTINEL"
        val errors = mutableListOf<Throwable>()
        val ks = AesGcmTestKeyStore()
        val (rec, path) = newRecord(ks)
        rec.setSectionEnabled("stress", true)
        val e = rec.addEntry("stress", EntryValue.Note("$sentinel worried about money", title = "$sentinel title"))
        rec.editEntry(e.id, EntryValue.Note("$sentinel still worried"))
        rec.annotate(e.id, AnnotationKind.NOTE, "$sentinel note")
        rec.addEntry("identity", EntryValue.Identity("${sentinel}given", "${sentinel}family", nhsNumber = "9990000018"))
        val diary = rec.createSection("$sentinel diary", listOf(FieldDef("pain", FieldType.Number(null), true)))
        runBlocking { rec.ingestSamplesBatched(heartRates(50, "$sentinel watch"), 10u, null, null) }
        // Failures whose inputs carry the sentinel or a personal value.
        errors += assertThrows<PhrException> { rec.addEntry(diary.id, EntryValue.Custom(mapOf("${sentinel}field" to FieldValue.Text(sentinel)))) }
        errors += assertThrows<PhrException> { rec.addEntry("identity", EntryValue.Identity("a", "b", nhsNumber = "9990000019")) }
        errors += assertThrows<PhrException> { rec.ingestSamples(listOf(heartRates(1, sentinel).single().copy(value = -5.0))) }
        errors += assertThrows<PhrException> { rec.section("$sentinel section") }
        errors += assertThrows<PhrException> { rec.entry("$sentinel-id") }
        errors += assertThrows<PhrException> { validateNhsNumber("${sentinel}999") }
        errors += assertThrows<PhrException> { rec.backup("/nonexistent-$sentinel/dir/backup.phrbak") }
        rec.close()
        errors += assertThrows<PhrException> { PhrRecord.open(path.toString(), AesGcmTestKeyStore()) }
        errors += assertThrows<PhrException> { PhrRecord.open("/tmp/$sentinel/9990000018.phr", ks) }

        assertTrue(logger.lines.any { it.contains("record created") }, "log lines arrive: ${logger.lines}")
        assertTrue(logger.lines.any { it.startsWith("DEBUG") }, "the level filter passes debug at TRACE")
        val texts = logger.lines + errors.flatMap { listOf(it.message.orEmpty(), it.toString()) }
        for (t in texts) {
            assertFalse(t.contains(sentinel), "leaked a record value: $t")
            assertFalse(t.contains("9990000018") || t.contains("9990000019"), "leaked an NHS number: $t")
        }
        assertEquals(9, errors.size)
    }

    @Test
    fun `the log level filters records and null stops forwarding`() = runBlocking<Unit> {
        val logger = CollectingLogger()
        setLogger(logger, LogLevel.WARN)
        newRecord().first.close()
        assertTrue(logger.lines.none { it.startsWith("INFO") || it.startsWith("DEBUG") }, "${logger.lines}")
        setLogger(logger, LogLevel.INFO)
        newRecord().first.close()
        assertTrue(logger.lines.any { it.startsWith("INFO") })
        setLogger(null, LogLevel.INFO)
        val seen = logger.lines.size
        newRecord().first.close()
        assertEquals(seen, logger.lines.size)
    }

    @Test
    fun `errors are one sealed hierarchy that a when can cover`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        val e: PhrException = assertThrows { rec.entry("missing") }
        val label = when (e) {
            is PhrException.NotFound -> "not found: ${e.what}"
            is PhrException.WrongKey, is PhrException.NoRecord, is PhrException.RecordExists,
            is PhrException.InvalidInput, is PhrException.ReadOnly, is PhrException.Corrupt,
            is PhrException.Storage, is PhrException.Incompatible, is PhrException.KeyStoreUnavailable,
            is PhrException.Cancelled, is PhrException.Denied, is PhrException.Network, is PhrException.Internal -> "other"
        }
        assertEquals("not found: entry", label)
        rec.close()
    }
}
