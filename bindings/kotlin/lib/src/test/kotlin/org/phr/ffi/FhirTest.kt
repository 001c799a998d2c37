package org.phr.ffi

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.nio.file.Files

/** FHIR R4 (#5) through the real library: a GP bundle in, IPS and Bundles out. */
class FhirTest {
    private val bundle = """{"resourceType":"Bundle","type":"collection","entry":[
 {"fullUrl":"https://gp.example/fhir/Patient/p1","resource":{"resourceType":"Patient","id":"p1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"name":[{"family":"Leeds","given":["Alex"]}],"birthDate":"1970-03-04"}},
 {"fullUrl":"https://gp.example/fhir/MedicationStatement/s1","resource":{"resourceType":"MedicationStatement","id":"s1","status":"active","medicationCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"386872004","display":"Ramipril"}]},"subject":{"reference":"Patient/p1"},"dosage":[{"text":"5 mg"}]}},
 {"fullUrl":"https://gp.example/fhir/AllergyIntolerance/a1","resource":{"resourceType":"AllergyIntolerance","id":"a1","code":{"text":"Penicillin"},"patient":{"reference":"Patient/p1"}}}
]}"""

    @Test
    fun `a GP bundle creates read-only medication and allergy entries, once`() = runBlocking {
        val (rec, _) = newRecord()
        val report = rec.importFhirJson(bundle, null)
        assertEquals("collection", report.bundleType)
        assertEquals(1uL, report.resources["MedicationStatement"])
        assertEquals(1uL, report.resources["Patient"])
        assertEquals("https://gp.example/fhir", report.system)
        assertEquals("filled", report.identity, "the first import fills the empty identity")
        assertTrue(report.added >= 3uL, "identity, medication, allergy: ${report.added}")

        val med = rec.listEntries("medications", false, false).single()
        val v = med.value as EntryValue.Medication
        assertEquals("Ramipril", v.name)
        assertEquals("386872004", v.code?.code)
        assertTrue(med.readOnly, "medical-record entries are read-only")
        assertTrue(med.provenance is Provenance.MedicalRecord)
        assertThrows<PhrException.ReadOnly> { rec.editEntry(med.id, v.copy(dose = "10 mg")) }
        assertEquals("Penicillin", (rec.listEntries("allergies", false, false).single().value as EntryValue.Allergy).substance)

        val again = rec.importFhirJson(bundle, null)
        assertEquals(0uL, again.added)
        assertTrue(again.unchanged >= 3uL)
        assertEquals(1, rec.listEntries("medications", false, false).size)
        rec.close()
    }

    @Test
    fun `a bundle about someone else is refused unless forced, and bad JSON is a typed error`() = runBlocking {
        val (rec, _) = newRecord()
        rec.importFhirJson(bundle, null)
        val other = bundle.replace("9434765919", "4010232137").replace("Ramipril", "Amlodipine")
        val e = assertThrows<PhrException.InvalidInput> { runBlocking { rec.importFhirJson(other, null) } }
        assertEquals("medical record", e.field)
        assertFalse(e.toString().contains("4010232137"), "the error carries no values")
        assertEquals(listOf("Ramipril"), rec.listEntries("medications", false, false).map { (it.value as EntryValue.Medication).name }, "nothing was imported")
        val forced = rec.importFhirJson(other, FhirImportOptions(null, true, false))
        assertTrue(forced.identity!!.contains("different person"))

        val bad = assertThrows<PhrException.InvalidInput> { runBlocking { rec.importFhirJson("{\"resourceType\": \"Bundle\", \"entry\": [", null) } }
        assertEquals("FHIR file", bad.field)
        assertThrows<PhrException.InvalidInput> { runBlocking { rec.importFhirJson("{\"resourceType\": \"Spaceship\"}", null) } }
        assertThrows<PhrException.NotFound> { runBlocking { rec.importFhirFile(tempDir().resolve("absent.json").toString(), null) } }
        rec.close()
    }

    @Test
    fun `IPS and section bundles export as JSON and re-import into a new record`() = runBlocking {
        val (rec, _) = newRecord()
        val file = tempDir().resolve("gp.json").also { Files.writeString(it, bundle) }
        rec.importFhirFile(file.toString(), null)
        val ips = rec.exportIps(null)
        assertTrue(ips.contains("\"type\":\"document\""), ips.take(300))
        assertTrue(ips.contains("\"resourceType\":\"Composition\""))
        assertTrue(ips.contains("Ramipril") && ips.contains("Penicillin"))
        val meds = rec.exportFhirBundle(listOf("medications"))
        assertTrue(meds.contains("\"type\":\"collection\""))
        assertTrue(meds.contains("\"resourceType\":\"MedicationStatement\""))
        assertFalse(meds.contains("AllergyIntolerance"), "only the sections asked for")
        assertThrows<PhrException.InvalidInput> { rec.exportFhirBundle(emptyList()) }

        val (copy, _) = newRecord()
        val back = copy.importFhirJson(meds, null)
        assertTrue(back.added >= 2uL)
        assertEquals("Ramipril", (copy.listEntries("medications", false, false).single().value as EntryValue.Medication).name)
        rec.close()
        copy.close()
    }
}
