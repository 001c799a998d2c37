//! The platform keystore, implemented by the app (Android Keystore, iOS Keychain) and
//! adapted here to `phr_core::crypto::KeyStore`.

use crate::KeyStoreError;
use phr_core::crypto::{DataKey, SecretBytes, WrapKind};
use std::sync::{Arc, Mutex};
use zeroize::Zeroize;

/// Wraps and unwraps the record's 32-byte data key with a key that never leaves the
/// platform's secure hardware. `wrap` must be authenticated encryption (AES-GCM) so that
/// `unwrap` with the wrong key throws [`KeyStoreError::WrongKey`] instead of returning
/// other bytes. Implementations should overwrite the `data_key` array after use.
#[uniffi::export(with_foreign)]
pub trait KeyStore: Send + Sync {
    fn wrap(&self, data_key: Vec<u8>) -> Result<Vec<u8>, KeyStoreError>;
    fn unwrap(&self, wrapped: Vec<u8>) -> Result<Vec<u8>, KeyStoreError>;
}

/// Adapts a foreign [`KeyStore`] to phr-core's trait, remembering whether the platform
/// itself failed (so the caller can tell "wrong key" from "keystore unavailable").
pub(crate) struct ForeignKeyStore {
    inner: Arc<dyn KeyStore>,
    failure: Mutex<Option<KeyStoreError>>,
}

impl ForeignKeyStore {
    pub(crate) fn new(inner: Arc<dyn KeyStore>) -> Self {
        ForeignKeyStore { inner, failure: Mutex::new(None) }
    }

    fn note(&self, e: KeyStoreError) -> phr_core::Error {
        log::warn!("platform keystore reported: {e}");
        let out = match e {
            KeyStoreError::WrongKey => phr_core::Error::WrongKey,
            KeyStoreError::Unavailable | KeyStoreError::Failed => {
                phr_core::Error::Crypto("the platform keystore failed")
            }
        };
        *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
        out
    }

    /// Maps a core error from a call that used this keystore to the FFI error.
    pub(crate) fn map_err(&self, e: phr_core::Error) -> crate::PhrError {
        match self.failure.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            Some(KeyStoreError::Unavailable | KeyStoreError::Failed) => crate::PhrError::KeyStoreUnavailable,
            _ => e.into(),
        }
    }
}

impl phr_core::crypto::KeyStore for ForeignKeyStore {
    fn kind(&self) -> WrapKind {
        WrapKind::Platform
    }

    fn wrap(&self, data_key: &DataKey) -> phr_core::Result<Vec<u8>> {
        let mut copy = data_key.expose().to_vec();
        let r = self.inner.wrap(copy.clone());
        copy.zeroize();
        r.map_err(|e| self.note(e))
    }

    fn unwrap(&self, wrapped: &[u8]) -> phr_core::Result<DataKey> {
        let raw = self.inner.unwrap(wrapped.to_vec()).map_err(|e| self.note(e))?;
        // A keystore that answers with bytes of the wrong length did not unwrap our key.
        DataKey::from_secret(&SecretBytes::new(raw))
    }
}
