package org.phr.android

import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyPermanentlyInvalidatedException
import android.security.keystore.KeyProperties
import android.security.keystore.UserNotAuthenticatedException
import org.phr.ffi.KeyStore
import org.phr.ffi.KeyStoreException
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The record's platform keystore: an AES-256 key generated inside AndroidKeyStore (secure
 * hardware where the phone has it; it never leaves it) wraps the record's data key with
 * AES/GCM. Layout of a wrap: 12-byte IV || ciphertext+tag. The core stores only the wrap.
 */
class AndroidKeystoreKeyStore(private val alias: String = "phr-record-wrap-key") : KeyStore {

    private fun key(): SecretKey {
        val ks = java.security.KeyStore.getInstance(PROVIDER).apply { load(null) }
        (ks.getKey(alias, null) as? SecretKey)?.let { return it }
        val spec = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setKeySize(256)
            .setRandomizedEncryptionRequired(true)
            .build()
        return KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, PROVIDER).run {
            init(spec)
            generateKey()
        }
    }

    override fun wrap(dataKey: ByteArray): ByteArray = guarded {
        try {
            val c = Cipher.getInstance(TRANSFORMATION)
            c.init(Cipher.ENCRYPT_MODE, key()) // the keystore picks the IV
            c.iv + c.doFinal(dataKey)
        } finally {
            dataKey.fill(0)
        }
    }

    override fun unwrap(wrapped: ByteArray): ByteArray = guarded {
        if (wrapped.size < IV_LEN + 16) throw KeyStoreException.WrongKey()
        val c = Cipher.getInstance(TRANSFORMATION)
        c.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(128, wrapped, 0, IV_LEN))
        c.doFinal(wrapped, IV_LEN, wrapped.size - IV_LEN)
    }

    /** Maps platform failures to the three cases the core distinguishes. */
    private inline fun guarded(block: () -> ByteArray): ByteArray = try {
        block()
    } catch (e: KeyStoreException) {
        throw e
    } catch (e: AEADBadTagException) {
        throw KeyStoreException.WrongKey()
    } catch (e: UserNotAuthenticatedException) {
        throw KeyStoreException.Unavailable()
    } catch (e: KeyPermanentlyInvalidatedException) {
        throw KeyStoreException.Unavailable()
    } catch (e: Exception) {
        throw KeyStoreException.Failed()
    }

    private companion object {
        const val PROVIDER = "AndroidKeyStore"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_LEN = 12
    }
}
