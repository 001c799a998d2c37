package org.phr.ffi

import kotlinx.coroutines.runBlocking

import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

class SectionsTest {
    @Test
    fun `built-in sections, enabling and privacy`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        val sections = rec.sections()
        assertEquals(27, sections.size)
        assertEquals(15, sections.count { it.sectionClass == SectionClass.CORE })
        val weight = rec.section("weight")
        assertEquals(SectionClass.OPTIONAL, weight.sectionClass)
        assertFalse(weight.enabled, "optional sections start switched off")
        assertThrows<PhrException> { rec.addEntry("weight", EntryValue.Note("x")) }
        assertTrue(rec.setSectionEnabled("weight", true).enabled)
        rec.addEntry("weight", EntryValue.Note("weighing weekly"))
        assertEquals(PrivacyLevel.SENSITIVE, rec.section("stress").privacy)
        assertEquals(PrivacyLevel.PRIVATE, rec.setSectionPrivacy("medications", PrivacyLevel.PRIVATE).privacy)
        assertEquals(PrivacyLevel.PRIVATE, rec.section("Medications").privacy, "sections resolve by title too")
        rec.close()
    }

    @Test
    fun `custom sections take typed fields`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        val diary = rec.createSection(
            "Migraine diary",
            listOf(FieldDef("pain", FieldType.Number("0-10"), required = true), FieldDef("aura", FieldType.Bool)),
        )
        assertEquals(SectionClass.CUSTOM, diary.sectionClass)
        assertTrue(diary.id.startsWith("custom:"))
        assertEquals(PrivacyLevel.PRIVATE, diary.privacy)
        assertEquals(2, diary.fields.size)
        val fields = mapOf("pain" to FieldValue.Number(6.0), "aura" to FieldValue.Bool(true))
        val e = rec.addEntry(diary.id, EntryValue.Custom(fields))
        assertEquals(fields, (e.value as EntryValue.Custom).fields)
        val missing = assertThrows<PhrException.InvalidInput> { rec.addEntry(diary.id, EntryValue.Custom(mapOf("aura" to FieldValue.Bool(false)))) }
        assertEquals("field", missing.field)
        assertThrows<PhrException.InvalidInput> { rec.addEntry(diary.id, EntryValue.Custom(mapOf("pain" to FieldValue.Text("bad")))) }
        assertEquals(diary.id, rec.sections().last().id)
        rec.close()
    }
}
