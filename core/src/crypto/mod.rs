//! Key hierarchy and the AEAD envelope.
//!
//! ```text
//! passphrase ──argon2id──▶ KEK ─┐
//! platform keystore (phone) ────┼──wraps──▶ data key (32 random bytes)
//! recovery key (printed) ─HKDF─▶ KEK ─┘            │
//!                                   HKDF ┌─────────┴─────────┐
//!                                   field key (AES-256-GCM)  lookup key (HMAC-SHA256)
//! ```
//! The data key never leaves memory unwrapped; it is zeroised on drop and its `Debug`
//! prints `[REDACTED]`. See docs/adr/0002-key-hierarchy.md.

mod envelope;
mod keys;
mod keystore;

pub use envelope::{FieldCipher, Lookup, NONCE_LEN, TAG_LEN};
pub(crate) use keys::hkdf32;
pub use keys::{DataKey, RecoveryKey, SecretBytes};
pub use keystore::{KdfParams, KeyStore, PassphraseKeyStore, RawKeyStore, RecoveryKeyStore, WrapKind};

use ring::rand::{SecureRandom, SystemRandom};

/// Fills `buf` from the operating system's CSPRNG.
pub(crate) fn random_fill(buf: &mut [u8]) -> crate::Result<()> {
    SystemRandom::new().fill(buf).map_err(|_| crate::Error::Crypto("the system random generator failed"))
}
