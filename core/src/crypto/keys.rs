//! Secret key types: zeroised on drop, redacted in `Debug`.

use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Secret bytes of any length (a wrapped-then-unwrapped key, a passphrase).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// The record's data key: 32 random bytes from which the field and lookup keys derive.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DataKey([u8; 32]);

impl DataKey {
    pub fn generate() -> crate::Result<Self> {
        let mut k = [0u8; 32];
        super::random_fill(&mut k)?;
        Ok(Self(k))
    }
    pub fn from_secret(bytes: &SecretBytes) -> crate::Result<Self> {
        let raw = bytes.expose();
        if raw.len() != 32 {
            return Err(crate::Error::WrongKey);
        }
        let mut k = [0u8; 32];
        k.copy_from_slice(raw);
        Ok(Self(k))
    }
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
    /// Derives a purpose-bound 32-byte subkey with HKDF-SHA256.
    pub(crate) fn derive(&self, purpose: &'static [u8]) -> [u8; 32] {
        hkdf32(&self.0, b"phr/v1/subkey", purpose)
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey([REDACTED])")
    }
}

#[expect(clippy::expect_used, reason = "32 bytes is far below HKDF-SHA256's 255*32 output limit")]
pub(crate) fn hkdf32(ikm: &[u8], salt: &[u8], info: &'static [u8]) -> [u8; 32] {
    struct Len32;
    impl ring::hkdf::KeyType for Len32 {
        fn len(&self) -> usize {
            32
        }
    }
    let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, salt).extract(ikm);
    let info_parts = [info];
    let mut out = [0u8; 32];
    // Cannot fail: the output length (32) is far below HKDF-SHA256's 255*32 limit.
    prk.expand(&info_parts, Len32)
        .and_then(|okm| okm.fill(&mut out))
        .expect("HKDF-SHA256 expand of 32 bytes cannot fail");
    out
}

/// A printable recovery key: 32 random bytes shown as 13 groups of 4 base32 characters
/// so a person can write it down. It wraps the data key like any other keystore.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct RecoveryKey([u8; 32]);

impl RecoveryKey {
    pub fn generate() -> crate::Result<Self> {
        let mut k = [0u8; 32];
        super::random_fill(&mut k)?;
        Ok(Self(k))
    }

    /// The form to print: `ABCD-EFGH-...` (base32, no padding, grouped by 4).
    pub fn to_printable(&self) -> String {
        let s = data_encoding::BASE32_NOPAD.encode(&self.0);
        s.as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// Parses what a person typed back: case, spaces and dashes are forgiven.
    pub fn parse(text: &str) -> crate::Result<Self> {
        let cleaned: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = data_encoding::BASE32_NOPAD.decode(cleaned.as_bytes()).map_err(|_| {
            crate::Error::invalid(
                "recovery key",
                "not a recovery key (expected 52 letters and digits in groups of 4)",
            )
        })?;
        if bytes.len() != 32 {
            return Err(crate::Error::invalid(
                "recovery key",
                "wrong length (expected 52 letters and digits)",
            ));
        }
        let mut k = [0u8; 32];
        k.copy_from_slice(&bytes);
        Ok(Self(k))
    }

    pub(crate) fn kek(&self) -> [u8; 32] {
        hkdf32(&self.0, b"phr/v1/recovery", b"kek")
    }

    /// A seed of the account's recovery identity on the sync relay (ADR 0048): `b"sign"` for
    /// its Ed25519 key, `b"box"` for its X25519 key. Derived, so the printed key alone brings
    /// the identity back on any device.
    pub(crate) fn sync_seed(&self, purpose: &'static [u8]) -> crate::Secret<[u8; 32]> {
        crate::Secret::new(hkdf32(&self.0, b"phr/v1/recovery-sync", purpose))
    }

    /// The public half of that identity, `(Ed25519, X25519)` in base64url: what the record
    /// keeps and its devices register with the relay.
    pub fn sync_public(&self) -> crate::Result<(String, String)> {
        use ring::signature::KeyPair;
        let sign =
            ring::signature::Ed25519KeyPair::from_seed_unchecked(self.sync_seed(b"sign").expose_secret())
                .map_err(|_| crate::Error::Crypto("key derivation failed"))?;
        let boxed = x25519_dalek::StaticSecret::from(*self.sync_seed(b"box").expose_secret());
        Ok((
            data_encoding::BASE64URL_NOPAD.encode(sign.public_key().as_ref()),
            data_encoding::BASE64URL_NOPAD.encode(x25519_dalek::PublicKey::from(&boxed).as_bytes()),
        ))
    }
}

impl fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryKey([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_in_debug() {
        let k = DataKey::generate().unwrap();
        assert_eq!(format!("{k:?}"), "DataKey([REDACTED])");
        let r = RecoveryKey::generate().unwrap();
        assert!(!format!("{r:?}").contains(&r.to_printable()[..4]));
        assert_eq!(format!("{:?}", SecretBytes::new(b"hunter2".to_vec())), "[REDACTED]");
    }

    #[test]
    fn recovery_key_round_trips_through_print_form() {
        let r = RecoveryKey::generate().unwrap();
        let printed = r.to_printable();
        assert_eq!(printed.split('-').count(), 13);
        let typed = printed.to_lowercase().replace('-', " ");
        assert_eq!(RecoveryKey::parse(&typed).unwrap().0, r.0);
        assert!(RecoveryKey::parse("ABCD-EFGH").is_err());
        assert!(RecoveryKey::parse("!!!!").is_err());
    }

    #[test]
    fn subkeys_differ_by_purpose() {
        let k = DataKey::generate().unwrap();
        assert_ne!(k.derive(b"a"), k.derive(b"b"));
        assert_eq!(k.derive(b"a"), k.derive(b"a"));
    }
}
