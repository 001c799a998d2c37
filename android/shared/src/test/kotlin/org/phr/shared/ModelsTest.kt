package org.phr.shared

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.phr.ffi.ConditionStatus
import org.phr.ffi.EntryValue
import org.phr.ffi.FieldDef
import org.phr.ffi.FieldType
import org.phr.ffi.KeyStore
import org.phr.ffi.KeyStoreException
import org.phr.ffi.PrivacyLevel
import org.phr.ffi.Provenance
import java.nio.file.Files
import java.security.SecureRandom
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.spec.GCMParameterSpec
import javax.crypto.spec.SecretKeySpec

/** AES-GCM with an in-memory key: the Android Keystore implementation without the hardware. */
class SoftwareKeyStore(private val key: ByteArray = ByteArray(32).also { SecureRandom().nextBytes(it) }) : KeyStore {
    override fun wrap(dataKey: ByteArray): ByteArray {
        val iv = ByteArray(12).also { SecureRandom().nextBytes(it) }
        val c = Cipher.getInstance("AES/GCM/NoPadding")
        c.init(Cipher.ENCRYPT_MODE, SecretKeySpec(key, "AES"), GCMParameterSpec(128, iv))
        return iv + c.doFinal(dataKey)
    }

    override fun unwrap(wrapped: ByteArray): ByteArray {
        val c = Cipher.getInstance("AES/GCM/NoPadding")
        c.init(Cipher.DECRYPT_MODE, SecretKeySpec(key, "AES"), GCMParameterSpec(128, wrapped, 0, 12))
        return try { c.doFinal(wrapped, 12, wrapped.size - 12) } catch (e: AEADBadTagException) { throw KeyStoreException.WrongKey() }
    }
}

class ModelsTest {
    private lateinit var repo: PhrRepository
    private val files = Files.createTempDirectory("phr-shared").toFile()
    private val keystore = SoftwareKeyStore()

    @BeforeEach
    fun open() = runBlocking { repo = PhrRepository.openOrCreate(files, keystore, Dispatchers.IO) }

    @AfterEach
    fun close() = repo.close()

    @Test
    fun `overview groups sections, counts entries and switches optional ones on`() = runBlocking {
        val model = OverviewModel(repo)
        model.refresh()
        var s = model.state.value
        assertFalse(s.loading)
        assertEquals(15, s.core.size)
        assertEquals(12, s.optional.size)
        assertTrue(s.custom.isEmpty())
        assertTrue(s.core.none { it.switchable })
        assertFalse(s.optional.first { it.id == "sleep" }.enabled)

        model.setEnabled("sleep", true)
        repo.add("sleep", EntryValue.Note("Six hours a night"))
        repo.add("medications", EntryValue.Medication("Metformin", dose = "500 mg"))
        model.refresh()
        s = model.state.value
        assertTrue(s.optional.first { it.id == "sleep" }.enabled)
        assertEquals(1, s.optional.first { it.id == "sleep" }.entryCount)
        assertEquals(1, s.core.first { it.id == "medications" }.entryCount)

        model.createSection("Migraine diary", listOf(FieldDef("pain", FieldType.Number(null), true)))
        assertEquals(listOf("Migraine diary"), model.state.value.custom.map { it.title })
        assertNull(model.state.value.message)
    }

    @Test
    fun `switching a core section off is refused by the core and shown as a message`() = runBlocking {
        val model = OverviewModel(repo)
        model.refresh()
        model.setEnabled("medications", false)
        assertNotNull(model.state.value.message, "the core refused; the model shows why")
        assertTrue(model.state.value.core.first { it.id == "medications" }.enabled)
    }

    @Test
    fun `section detail adds, edits, annotates, hides, deletes and undoes`() = runBlocking {
        val model = SectionDetailModel(repo, "medications")
        model.load()
        assertEquals("Medications", model.state.value.title)
        assertTrue(model.state.value.entries.isEmpty())

        val form = EntryForms.kindFor("medications")
        assertEquals(FormKind.MEDICATION, form)
        assertTrue(model.add(EntryForms.build(form, mapOf("name" to "Ramipril", "dose" to "5 mg", "frequency" to "once daily"))))
        val row = model.state.value.entries.single()
        assertEquals("Ramipril, 5 mg, once daily", row.summary)
        assertTrue(row.canEdit)
        assertEquals("entered by you", row.source)

        val text = EntryForms.textOf(row.value).toMutableMap().apply { this["dose"] = "10 mg" }
        assertTrue(model.edit(row.id, EntryForms.build(form, text, row.value)))
        assertEquals("Ramipril, 10 mg, once daily", model.state.value.entries.single().summary)

        assertTrue(model.annotate(row.id, "GP stopped it", noLongerRelevant = true))
        assertEquals(listOf("GP stopped it"), model.state.value.entries.single().notes)
        assertTrue(model.state.value.entries.single().noLongerRelevant)

        model.setHidden(row.id, true)
        assertTrue(model.state.value.entries.isEmpty())
        model.setShowHidden(true)
        assertTrue(model.state.value.entries.single().hidden)
        model.setHidden(row.id, false)
        model.setShowHidden(false)

        assertTrue(model.delete(row.id))
        assertTrue(model.state.value.entries.isEmpty())
        assertEquals(row.id, model.state.value.undoableDelete)
        assertTrue(model.undoDelete())
        assertNull(model.state.value.undoableDelete)
        assertEquals(row.id, model.state.value.entries.single().id)
    }

    @Test
    fun `a rule the core enforces reaches the screen as a message, not a crash`() = runBlocking {
        val model = SectionDetailModel(repo, "medications")
        model.load()
        assertFalse(model.add(EntryForms.build(FormKind.MEDICATION, mapOf("name" to "  "))))
        assertEquals("Please check the name.", model.state.value.message)
        assertTrue(model.state.value.entries.isEmpty())
        model.dismissMessage()
        assertNull(model.state.value.message)

        // An entry from the GP record: the screen offers notes and hiding, not editing.
        val conditions = SectionDetailModel(repo, "conditions")
        val fromGp = addFromGp()
        conditions.load()
        val row = conditions.state.value.entries.single { it.id == fromGp }
        assertFalse(row.canEdit)
        assertFalse(conditions.edit(row.id, EntryValue.Condition("Changed", ConditionStatus.RESOLVED)))
        assertTrue(conditions.state.value.message!!.contains("medical record"))
        assertTrue(conditions.annotate(row.id, "I was told this was resolved"))
        assertEquals(1, conditions.state.value.entries.single().notes.size)
    }

    @Test
    fun `privacy settings change the section's level`() = runBlocking {
        val model = PrivacyModel(repo, "conditions")
        model.load()
        assertEquals(PrivacyLevel.SHAREABLE, model.state.value.selected)
        assertEquals(3, model.state.value.options.size)
        model.select(PrivacyLevel.SENSITIVE)
        assertEquals(PrivacyLevel.SENSITIVE, model.state.value.selected)
        assertEquals(PrivacyLevel.SENSITIVE, repo.section("conditions").privacy, "stored in the record")
    }

    @Test
    fun `the record reopens with the same keystore and not with another`() = runBlocking {
        repo.add("allergies", EntryForms.build(FormKind.ALLERGY, mapOf("substance" to "Penicillin")))
        repo.close()
        repo = PhrRepository.openOrCreate(files, keystore)
        assertEquals(1, repo.entries("allergies", false).size)
        val e = runCatching { PhrRepository.openOrCreate(files, SoftwareKeyStore()) }.exceptionOrNull()
        assertEquals("This phone's key does not unlock the record. Use your recovery key.", UserMessages.of(e!!))
    }

    @Test
    fun `the insights screen shows the core's alerts and a switched-off category stays off`() = runBlocking {
        val day = org.phr.ffi.CalendarDate(2026, 11u, 1u)
        repo.fillDemo(day)
        val model = InsightsModel(repo)
        model.refresh(day)
        val bp = org.phr.ffi.InsightCategory.BLOOD_PRESSURE
        assertTrue(model.state.value.alerts.any { it.category == bp && it.citation.contains("NICE NG136") })
        assertTrue(model.state.value.categories.single { it.category == bp }.enabled)
        model.setCategory(day, bp, false)
        assertTrue(model.state.value.alerts.none { it.category == bp })
        assertFalse(model.state.value.categories.single { it.category == bp }.enabled)
        repo.close()
        repo = PhrRepository.openOrCreate(files, keystore)
        val again = InsightsModel(repo).also { it.refresh(day) }
        assertTrue(again.state.value.alerts.none { it.category == bp }, "the switch is saved in the record")
        assertNull(again.state.value.message)
    }

    private suspend fun addFromGp(): String {
        // The repository has no "import" door (the app never fabricates medical-record
        // entries); the test reaches the record file directly to set one up.
        val rec = org.phr.ffi.PhrRecord.open(PhrRepository.recordFile(files).path, keystore)
        val id = rec.addEntryFrom(
            "conditions",
            EntryValue.Condition("Essential hypertension", ConditionStatus.ACTIVE),
            Provenance.MedicalRecord("GP record", "Condition/1"),
        ).id
        rec.close()
        return id
    }
}
