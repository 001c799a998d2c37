package org.phr.ffi

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.nio.file.Files

class RecordLifecycleTest {
    @Test
    fun `create then open with the same keystore, and the keystore is called across the boundary`() = runBlocking<Unit> {
        val ks = AesGcmTestKeyStore()
        val (rec, path) = newRecord(ks)
        val id = rec.id()
        rec.close()
        assertEquals(1, ks.wraps.get(), "create wraps the data key once")
        val reopened = PhrRecord.open(path.toString(), ks)
        assertEquals(id, reopened.id())
        assertTrue(ks.unwraps.get() >= 1, "open unwraps through the Kotlin keystore")
        assertTrue(reopened.integrityCheck())
        reopened.close()
    }

    @Test
    fun `the wrong key is a typed WrongKey exception`() = runBlocking<Unit> {
        val (rec, path) = newRecord()
        rec.close()
        assertThrows<PhrException.WrongKey> { PhrRecord.open(path.toString(), AesGcmTestKeyStore()) }
    }

    @Test
    fun `a keystore that answers with other bytes is still WrongKey`() = runBlocking<Unit> {
        val (rec, path) = newRecord()
        rec.close()
        val liar = object : KeyStore {
            override fun wrap(dataKey: ByteArray) = dataKey
            override fun unwrap(wrapped: ByteArray) = ByteArray(32) { 7 }
        }
        assertThrows<PhrException.WrongKey> { PhrRecord.open(path.toString(), liar) }
    }

    @Test
    fun `no record and record exists are typed`() = runBlocking<Unit> {
        val dir = tempDir()
        assertThrows<PhrException.NoRecord> { PhrRecord.open(dir.resolve("absent.phr").toString(), AesGcmTestKeyStore()) }
        val (rec, path) = newRecord()
        rec.close()
        assertThrows<PhrException.RecordExists> { PhrRecord.create(path.toString(), AesGcmTestKeyStore()) }
    }

    @Test
    fun `a locked platform keystore is KeyStoreUnavailable, not WrongKey`() = runBlocking<Unit> {
        val (rec, path) = newRecord()
        rec.close()
        assertThrows<PhrException.KeyStoreUnavailable> {
            PhrRecord.open(path.toString(), LockedKeyStore { KeyStoreException.Unavailable() })
        }
        // An unexpected Kotlin exception inside the callback is contained the same way.
        assertThrows<PhrException.KeyStoreUnavailable> {
            PhrRecord.open(path.toString(), LockedKeyStore { IllegalStateException("user not authenticated") })
        }
        assertThrows<PhrException.KeyStoreUnavailable> {
            PhrRecord.create(tempDir().resolve("r.phr").toString(), LockedKeyStore { KeyStoreException.Failed() })
        }
    }

    @Test
    fun `open asynchronously from a coroutine`() = runBlocking {
        val ks = AesGcmTestKeyStore()
        val (rec, path) = newRecord(ks)
        val id = rec.id()
        rec.close()
        val again = PhrRecord.openAsync(path.toString(), ks)
        assertEquals(id, again.id())
        again.close()
        assertThrows<PhrException.WrongKey> { runBlocking { PhrRecord.openAsync(path.toString(), AesGcmTestKeyStore()) } }
        Unit
    }

    @Test
    fun `recovery key opens the record and moves it to a new keystore`() = runBlocking<Unit> {
        val (rec, path) = newRecord()
        rec.addEntry("allergies", EntryValue.Allergy("Penicillin", Severity.SEVERE, AllergyKind.ALLERGY))
        val printable = rec.createRecoveryKey()
        assertTrue(printable.length >= 40, "a printable recovery key")
        rec.close()
        val newPhone = AesGcmTestKeyStore()
        PhrRecord.openWithRecoveryKey(path.toString(), printable, newPhone).close()
        val opened = PhrRecord.open(path.toString(), newPhone)
        assertEquals("Penicillin", (opened.listEntries("allergies", false, false).single().value as EntryValue.Allergy).substance)
        opened.close()
        assertThrows<PhrException> { PhrRecord.openWithRecoveryKey(path.toString(), "not a recovery key", AesGcmTestKeyStore()) }
    }

    @Test
    fun `backup and restore, with the keystore and with the recovery key`() = runBlocking<Unit> {
        val ks = AesGcmTestKeyStore()
        val (rec, _) = newRecord(ks)
        rec.addEntry("conditions", EntryValue.Condition("Asthma", ConditionStatus.ACTIVE))
        val recovery = rec.createRecoveryKey()
        val backup = tempDir().resolve("record.phrbak")
        val size = rec.backup(backup.toString())
        assertEquals(Files.size(backup).toULong(), size)
        rec.close()

        val restored = PhrRecord.restore(backup.toString(), tempDir().toString(), ks)
        assertEquals("Asthma", restored.listEntries("conditions", false, false).single().summary.substringBefore(" ("))
        restored.close()

        assertThrows<PhrException.WrongKey> { PhrRecord.restore(backup.toString(), tempDir().toString(), AesGcmTestKeyStore()) }
        val viaRecovery = PhrRecord.restoreWithRecoveryKey(backup.toString(), tempDir().toString(), recovery, AesGcmTestKeyStore())
        assertEquals(1, viaRecovery.listEntries("conditions", false, false).size)
        viaRecovery.close()

        val damaged = tempDir().resolve("damaged.phrbak")
        val bytes = Files.readAllBytes(backup)
        Files.write(damaged, bytes.copyOf(bytes.size / 2))
        assertThrows<PhrException.Corrupt> { PhrRecord.restore(damaged.toString(), tempDir().toString(), ks) }
    }

    @Test
    fun `a changed passphrase opens the record, the old one does not, and the recovery key restores onto a new one`() = runBlocking<Unit> {
        val (rec, path) = newRecord()
        rec.changePassphrase(null, "first passphrase")
        assertThrows<PhrException.WrongKey> { runBlocking { rec.changePassphrase("not the passphrase", "second passphrase") } }
        rec.changePassphrase("first passphrase", "second passphrase")
        val recovery = rec.createRecoveryKey()
        val backup = tempDir().resolve("p.phrbak")
        rec.backup(backup.toString())
        val id = rec.id()
        rec.close()
        assertThrows<PhrException.WrongKey> { runBlocking { PhrRecord.openWithPassphrase(path.toString(), "first passphrase") } }
        PhrRecord.openWithPassphrase(path.toString(), "second passphrase").close()

        val home = tempDir()
        val restored = PhrRecord.restoreWithRecoveryKeyToPassphrase(backup.toString(), home.toString(), recovery, "third passphrase")
        assertEquals(id, restored.id())
        restored.close()
        val file = home.resolve("record.phr").toString()
        assertThrows<PhrException.WrongKey> { runBlocking { PhrRecord.openWithPassphrase(file, "second passphrase") } }
        PhrRecord.openWithPassphrase(file, "third passphrase").close()
    }
}
