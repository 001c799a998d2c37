package org.phr.ffi

import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.channels.trySendBlocking
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.flow.takeWhile
import kotlinx.coroutines.delay
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Test
import java.util.concurrent.CopyOnWriteArrayList

/**
 * The app-facing layer (#15) through the real library: every section's form fills from its
 * own example and saves; errors come back per field without echoing what was typed; the
 * screens show what was saved; a change listener works as a Kotlin Flow.
 */
class AppLayerTest {
    /** How the Android shell turns the core's listener into a Flow of changed areas. */
    private fun PhrRecord.changes(registered: CompletableDeferred<Unit>? = null): Flow<List<RecordArea>> = callbackFlow {
        val handle = observe(object : RecordChangeListener {
            override fun recordChanged(areas: List<RecordArea>) {
                trySendBlocking(areas)
            }
        })
        registered?.complete(Unit)
        awaitClose { handle.cancel() }
    }

    @Test
    fun `every built-in section's form fills from its example and saves`() = runBlocking {
        val (rec, _) = newRecord()
        val saved = mutableListOf<String>()
        for (section in rec.sections()) {
            if (!section.enabled) rec.setSectionEnabled(section.id, true)
            val spec = rec.formSpec(section.id, null)
            assertEquals(section.id, spec.section)
            assertTrue(spec.fields.isNotEmpty(), "${section.id} has an empty form")
            spec.fields.forEach {
                assertTrue(it.labelKey.isNotBlank() && catalogueText(it.labelKey) != it.labelKey || it.label != null,
                    "${section.id}.${it.id}: label key ${it.labelKey} is not in the catalogue")
            }
            val values = spec.fields.filter { it.example.isNotEmpty() }.associate { it.id to it.example }
            assertEquals(emptyList<FieldError>(), rec.validateForm(section.id, null, values), section.id)
            when (val out = rec.addEntryFromForm(section.id, null, values)) {
                is FormOutcome.Saved -> saved += out.entryId
                is FormOutcome.Invalid -> fail("${section.id}: ${out.errors}")
            }
        }
        assertTrue(saved.size >= 15, "only ${saved.size} sections took their example")
        val home = rec.homeScreen()
        assertTrue(home.sections.count { it.count > 0u } >= 15)
    }

    @Test
    fun `a bad form names the fields, suggests the right one and never echoes an NHS number`() = runBlocking {
        val (rec, _) = newRecord()
        val out = rec.addEntryFromForm("identity", null, mapOf(
            "given_name" to "Sam", "family_name" to "Lee", "nhs_number" to "943 476 5918", "date_of_birth" to "1999-02-03"))
        val errors = (out as FormOutcome.Invalid).errors
        val nhs = errors.single { it.field == "nhs_number" }
        assertTrue(nhs.key.startsWith("error."), nhs.key)
        assertNotEquals(nhs.key, catalogueText(nhs.key), "the error key has no text in the catalogue")
        assertFalse(errors.toString().contains("9434765918") || errors.toString().contains("943 476 5918"))
        assertTrue(rec.sectionScreen("identity", true).entries.isEmpty(), "an invalid form saved something")

        val typo = rec.addEntryFromForm("medications", null, mapOf("name" to "Ibuprofen", "dosage" to "200 mg"))
        val unknown = (typo as FormOutcome.Invalid).errors.single()
        assertEquals("dosage", unknown.field)
        assertEquals("error.unknown_field", unknown.key)
        assertEquals("dose", unknown.suggestion)
    }

    @Test
    fun `edit form starts from the saved values and the entry screen shows the history`() = runBlocking {
        val (rec, _) = newRecord()
        val id = (rec.addEntryFromForm("medications", null, mapOf("name" to "Ramipril", "dose" to "5 mg")) as FormOutcome.Saved).entryId
        val form = rec.editForm(id)
        assertEquals("Ramipril", form.values["name"])
        assertEquals("5 mg", form.values["dose"])
        val edited = rec.editEntryFromForm(id, form.values + ("dose" to "10 mg"))
        assertTrue(edited is FormOutcome.Saved)
        val screen = rec.entryScreen(id)
        assertTrue(screen.fields.any { it.value == "10 mg" }, screen.fields.toString())
        assertEquals(1, screen.history.size)
        assertTrue(screen.history[0].summary.contains("5 mg"))
        assertEquals("provenance.user", screen.provenance.key)
        assertTrue(EntryAction.EDIT in screen.actions && EntryAction.DELETE in screen.actions)
        val section = rec.sectionScreen("medications", false)
        assertEquals(listOf(id), section.entries.map { it.id })
    }

    @Test
    fun `a no known allergy has no severity and an entry without a sync conflict has nothing to dismiss`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        val e = rec.addEntry("allergies", EntryValue.Allergy("No known drug allergy", null, AllergyKind.NO_KNOWN_ALLERGY))
        val screen = rec.entryScreen(e.id)
        assertEquals("No known drug allergy", screen.summary)
        assertNull(screen.conflict)
        assertFalse(EntryAction.DISMISS_CONFLICT in screen.actions)
        assertFalse(rec.dismissSyncConflict(e.id))
        assertThrows(PhrException::class.java) {
            runBlocking { rec.addEntry("allergies", EntryValue.Allergy("No known allergy", Severity.MILD, AllergyKind.NO_KNOWN_ALLERGY)) }
        }
    }

    @Test
    fun `a change listener is a Flow of changed areas, closed with the collector`() = runBlocking {
        val (rec, _) = newRecord()
        val registered = CompletableDeferred<Unit>()
        // Notices come after the core has rebuilt the screens' caches, so two writes close
        // together may be told once, with both areas: collect until both are heard.
        val heard = async(Dispatchers.Default) {
            withTimeout(10_000) {
                val seen = mutableListOf<List<RecordArea>>()
                rec.changes(registered).takeWhile { seen.add(it); !(seen.flatten().containsAll(listOf(RecordArea.ENTRIES, RecordArea.SAMPLES))) }.collect {}
                seen
            }
        }
        withTimeout(10_000) { registered.await() }
        rec.addEntryFromForm("allergies", null, mapOf("substance" to "Penicillin", "severity" to "severe", "kind" to "allergy"))
        rec.ingestSamples(heartRates(10))
        val got = heard.await()
        assertTrue(RecordArea.ENTRIES in got[0], got.toString())
        assertTrue(got.size <= 2 && RecordArea.SAMPLES in got.last(), got.toString())

        // A listener registered directly, then closed, hears nothing more.
        val direct = CopyOnWriteArrayList<List<RecordArea>>()
        val handle = rec.observe(object : RecordChangeListener {
            override fun recordChanged(areas: List<RecordArea>) { direct.add(areas) }
        })
        rec.setSectionEnabled("weight", true)
        withTimeout(10_000) { while (direct.isEmpty()) delay(20) }
        handle.cancel()
        rec.setSectionEnabled("weight", false)
        delay(500)
        assertEquals(1, direct.size, direct.toString())
        assertTrue(RecordArea.SECTIONS in direct[0])
    }

    @Test
    fun `a file is inspected before import and the record exports as JSON`() = runBlocking {
        val gpx = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Park run</name><type>running</type><trkseg>
<trkpt lat="53.80" lon="-1.55"><time>2026-10-03T09:00:00Z</time></trkpt>
<trkpt lat="53.81" lon="-1.56"><time>2026-10-03T09:05:00Z</time></trkpt>
<trkpt lat="53.82" lon="-1.57"><time>2026-10-03T09:10:00Z</time></trkpt>
</trkseg></trk></gpx>
"""
        val file = tempDir().resolve("park.gpx").also { java.nio.file.Files.writeString(it, gpx) }
        val byPath = inspectFile(file.toString())
        val byBytes = inspectBytes("park.gpx", gpx.toByteArray())
        for (i in listOf(byPath, byBytes)) {
            assertEquals("gpx", i.format)
            assertEquals(3uL, i.points)
            assertEquals(1, i.activities.size)
            assertEquals("2026-10-03T09:00:00Z", i.firstUtc)
            assertFalse(i.damaged)
        }
        assertThrows(PhrException.InvalidInput::class.java) { runBlocking { inspectBytes("notes.txt", "hello".toByteArray()) } }

        val (rec, _) = newRecord()
        rec.addEntryFromForm("allergies", null, mapOf("substance" to "Penicillin", "severity" to "severe", "kind" to "allergy"))
        val json = rec.exportRecordJson()
        assertTrue(json.contains("Penicillin"), "the export lacks the entry")
        assertTrue(json.trimStart().startsWith("{"))
    }
}
