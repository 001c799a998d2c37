package org.phr.android

import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyPermanentlyInvalidatedException
import android.security.keystore.KeyProperties
import androidx.biometric.BiometricManager.Authenticators.BIOMETRIC_STRONG
import androidx.biometric.BiometricManager.Authenticators.DEVICE_CREDENTIAL
import androidx.biometric.BiometricPrompt
import androidx.core.content.ContextCompat
import androidx.fragment.app.FragmentActivity
import org.phr.ui.Strings
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey

/**
 * The app lock (Settings > "Ask for my phone lock to open the app"). A key in
 * AndroidKeyStore that works only just after the person proves who they are; BiometricPrompt
 * unlocks a Cipher on it, and the app opens only when that cipher then encrypts. So the lock
 * rests on the secure hardware, not on a callback that could be faked.
 *
 * It is separate from the record's wrap key ([AndroidKeystoreKeyStore]) so that reminders
 * and the Health Connect reader still work in the background while the screens stay locked.
 */
class AppLock(private val activity: FragmentActivity, private val strings: Strings) {

    fun unlock(onUnlocked: () -> Unit) {
        val cipher = try {
            Cipher.getInstance(TRANSFORMATION).apply { init(Cipher.ENCRYPT_MODE, key()) }
        } catch (e: KeyPermanentlyInvalidatedException) {
            // A fingerprint was added or the lock removed: a fresh key, asked for again.
            deleteKey()
            Cipher.getInstance(TRANSFORMATION).apply { init(Cipher.ENCRYPT_MODE, key()) }
        }
        val prompt = BiometricPrompt(activity, ContextCompat.getMainExecutor(activity), object : BiometricPrompt.AuthenticationCallback() {
            override fun onAuthenticationSucceeded(result: BiometricPrompt.AuthenticationResult) {
                val c = result.cryptoObject?.cipher ?: return
                // Throws unless the hardware accepted the person just now.
                runCatching { c.doFinal(PROBE) }.onSuccess { onUnlocked() }
            }

            override fun onAuthenticationError(errorCode: Int, errString: CharSequence) {
                // Cancelled or locked out: the screens stay hidden; leaving and coming back asks again.
                activity.moveTaskToBack(true)
            }
        })
        val info = BiometricPrompt.PromptInfo.Builder()
            .setTitle(strings.text("ui.lock.title"))
            .setSubtitle(strings.text("ui.lock.subtitle"))
            .apply {
                if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
                    setAllowedAuthenticators(BIOMETRIC_STRONG or DEVICE_CREDENTIAL)
                } else {
                    // Before Android 11 a key-bound prompt takes biometrics only, with a cancel button.
                    setAllowedAuthenticators(BIOMETRIC_STRONG)
                    setNegativeButtonText(strings.text("ui.form.cancel"))
                }
            }
            .build()
        prompt.authenticate(info, BiometricPrompt.CryptoObject(cipher))
    }

    private fun key(): SecretKey {
        val ks = KeyStore.getInstance(PROVIDER).apply { load(null) }
        (ks.getKey(ALIAS, null) as? SecretKey)?.let { return it }
        val spec = KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setKeySize(256)
            .setUserAuthenticationRequired(true)
            .apply {
                if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
                    // Valid for one use right after the prompt, by biometrics or the phone's PIN.
                    setUserAuthenticationParameters(0, KeyProperties.AUTH_BIOMETRIC_STRONG or KeyProperties.AUTH_DEVICE_CREDENTIAL)
                }
            }
            .build()
        return KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, PROVIDER).run {
            init(spec)
            generateKey()
        }
    }

    private fun deleteKey() = KeyStore.getInstance(PROVIDER).apply { load(null) }.deleteEntry(ALIAS)

    private companion object {
        const val PROVIDER = "AndroidKeyStore"
        const val ALIAS = "phr-app-lock"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        val PROBE = ByteArray(16)
    }
}
