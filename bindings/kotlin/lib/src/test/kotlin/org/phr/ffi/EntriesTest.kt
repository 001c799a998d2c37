package org.phr.ffi

import kotlinx.coroutines.runBlocking

import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

class EntriesTest {
    private val ramipril = EntryValue.Medication(name = "Ramipril", dose = "5 mg", frequency = "once daily", start = date(2019, 7, 1))

    @Test
    fun `add, edit, annotate, hide, delete, undo and purge`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        val added = rec.addEntry("medications", ramipril)
        assertEquals("medications", added.section)
        assertEquals(ramipril, added.value, "the value comes back as the same typed record")
        assertEquals(Provenance.User, added.provenance)
        assertEquals("Ramipril, 5 mg, once daily", added.summary)
        assertFalse(added.readOnly)

        val edited = rec.editEntry(added.id, ramipril.copy(dose = "10 mg"))
        assertEquals("10 mg", (edited.value as EntryValue.Medication).dose)
        assertEquals(1, edited.history.size)
        assertEquals(ramipril, edited.history.single().value, "the old value is kept in history")

        val annotated = rec.annotate(added.id, AnnotationKind.NO_LONGER_RELEVANT, "stopped by GP")
        assertTrue(annotated.noLongerRelevant)
        assertEquals("stopped by GP", annotated.annotations.single().text)

        rec.setHidden(added.id, true)
        assertTrue(rec.listEntries("medications", false, false).isEmpty(), "hidden entries leave the normal list")
        assertEquals(1, rec.listEntries("medications", true, false).size)
        rec.setHidden(added.id, false)

        val deleted = rec.deleteEntry(added.id)
        assertNotNull(deleted.deletedAt)
        assertTrue(rec.listEntries("medications", true, false).isEmpty())
        assertEquals(1, rec.listEntries("medications", true, true).size)

        val restored = rec.undoDelete(added.id)
        assertNull(restored.deletedAt)
        assertEquals("10 mg", (rec.entry(added.id).value as EntryValue.Medication).dose)

        assertThrows<PhrException> { rec.purge(added.id) } // only deleted entries can be purged
        rec.deleteEntry(added.id)
        rec.purge(added.id)
        val gone = assertThrows<PhrException.NotFound> { rec.entry(added.id) }
        assertEquals("entry", gone.what)
        rec.close()
    }

    @Test
    fun `medical record entries are read-only but can be annotated and hidden`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        val fromGp = rec.addEntryFrom(
            "conditions",
            EntryValue.Condition("Essential hypertension", ConditionStatus.ACTIVE, Code("http://snomed.info/sct", "59621000", null)),
            Provenance.MedicalRecord("GP record", "Condition/htn-1"),
        )
        assertTrue(fromGp.readOnly)
        assertTrue(fromGp.provenanceLabel.contains("medical record"))
        assertThrows<PhrException.ReadOnly> { rec.editEntry(fromGp.id, EntryValue.Condition("x", ConditionStatus.RESOLVED)) }
        assertEquals(1, rec.annotate(fromGp.id, AnnotationKind.NOTE, "I disagree").annotations.size)
        assertTrue(rec.setHidden(fromGp.id, true).hidden)
        rec.close()
    }

    @Test
    fun `every kind of value crosses the boundary and back unchanged`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        listOf("weight", "family_history", "exercise").forEach { rec.setSectionEnabled(it, true) }
        val values = listOf(
            "identity" to EntryValue.Identity("Margaret", "Okafor", date(1963, 4, 17), "9990000018", "12 Harehills Lane", null),
            "contacts" to EntryValue.Contact("Daniel", "son", "07700 900123", nextOfKin = true, emergencyContact = true),
            "emergency_info" to EntryValue.EmergencyInfo("Penicillin allergy"),
            "social_prescriptions" to EntryValue.SocialPrescription("Walking group", provider = "Link worker"),
            "procedures" to EntryValue.Procedure("Cataract surgery", date = date(2021, 11, 8)),
            "life_events" to EntryValue.LifeEvent(date(2023, 9, 12), "TIA"),
            "organ_donation" to EntryValue.OrganDonation(OrganDonationDecision.Specific(listOf("kidneys", "corneas")), registered = true),
            "blood_group" to EntryValue.BloodGroup(BloodGroup(Abo.AB, RhD.NEGATIVE)),
            "vaccinations" to EntryValue.Vaccination("Influenza", date(2025, 10, 9), nextDue = date(2026, 10, 1)),
            "dental" to EntryValue.CheckUp(date(2026, 5, 20), "One filling"),
            "family_history" to EntryValue.FamilyHistory("mother", "stroke", 71u),
            "exercise" to EntryValue.Note("Walk 7,000 steps", date = date(2026, 1, 2), title = "Goal"),
        )
        for ((section, value) in values) {
            val e = rec.addEntry(section, value)
            assertEquals(value, rec.entry(e.id).value, "round trip of $section")
        }
        assertTrue(rec.listEntries("organ_donation", false, false).single().summary.contains("kidneys"))
        rec.close()
    }

    @Test
    fun `invalid input is a typed exception naming the field, never the value`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        val wrongSection = assertThrows<PhrException.InvalidInput> { rec.addEntry("allergies", ramipril) }
        assertEquals("entry type", wrongSection.field)
        val badNhs = assertThrows<PhrException.InvalidInput> {
            rec.addEntry("identity", EntryValue.Identity("A", "B", nhsNumber = "943 476 5918"))
        }
        assertEquals("NHS number", badNhs.field)
        assertFalse(badNhs.message.orEmpty().contains("943"))
        val badDate = assertThrows<PhrException.InvalidInput> { rec.addEntry("life_events", EntryValue.LifeEvent(date(2025, 2, 31), "x")) }
        assertEquals("date", badDate.field)
        assertThrows<PhrException.InvalidInput> { rec.addEntry("medications", EntryValue.Medication(" ")) }
        assertThrows<PhrException.NotFound> { rec.addEntry("no-such-section", ramipril) }
        rec.close()
    }

    @Test
    fun `helpers for forms live in the core`() = runBlocking<Unit> {
        assertEquals("9434765919", validateNhsNumber("943-476-5919"))
        assertThrows<PhrException.InvalidInput> { validateNhsNumber("943 476 5918") }
        assertEquals(BloodGroup(Abo.AB, RhD.NEGATIVE), parseBloodGroup("AB neg"))
        assertEquals(69.853, toCanonicalUnit(SampleKind.WEIGHT, 11.0, "st"), 0.001)
        assertThrows<PhrException.InvalidInput> { toCanonicalUnit(SampleKind.WEIGHT, 1.0, "mmHg") }
        assertEquals("mmHg", sampleKindUnit(SampleKind.BLOOD_PRESSURE_SYSTOLIC))
        assertFalse(coreVersion().isBlank())
    }
}
