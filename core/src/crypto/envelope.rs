//! Field-level AEAD (AES-256-GCM) with associated data that binds each value to its
//! table, column and row, and keyed hashes (HMAC-SHA256) for lookups.
//!
//! Sealed layout: `version (1) || nonce (12) || ciphertext || tag (16)`. Nonces are random:
//! a record seals far fewer than 2^32 values under one key in its life (samples are sealed
//! per day-chunk, not per sample), which keeps random 96-bit nonces safe.

use super::DataKey;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use ring::hmac;

pub const NONCE_LEN: usize = 12;
pub const TAG_LEN: usize = 16;
const VERSION: u8 = 1;

/// Seals and opens values for one record. Cheap to share by reference.
pub struct FieldCipher {
    key: LessSafeKey,
}

impl FieldCipher {
    #[expect(clippy::expect_used, reason = "AES-256-GCM takes exactly 32 bytes, which `derive` returns")]
    pub fn new(data_key: &DataKey) -> Self {
        let mut k = data_key.derive(b"field-aead");
        // Cannot fail: AES-256-GCM takes exactly 32 bytes, which `derive` returns.
        let unbound = UnboundKey::new(&AES_256_GCM, &k).expect("32-byte AES-256 key");
        zeroize::Zeroize::zeroize(&mut k);
        Self { key: LessSafeKey::new(unbound) }
    }

    /// Seals with a raw 32-byte key (key wrapping, backup segments).
    #[expect(clippy::expect_used, reason = "a [u8; 32] is always a valid AES-256 key")]
    pub fn with_raw_key(raw: &[u8; 32]) -> Self {
        let unbound = UnboundKey::new(&AES_256_GCM, raw).expect("32-byte AES-256 key");
        Self { key: LessSafeKey::new(unbound) }
    }

    pub fn seal(&self, plaintext: &[u8], ad: &[u8]) -> crate::Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        super::random_fill(&mut nonce)?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + plaintext.len() + TAG_LEN);
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plaintext);
        let mut body = out.split_off(1 + NONCE_LEN);
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(ad), &mut body)
            .map_err(|_| crate::Error::Crypto("sealing failed"))?;
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Opens a sealed value. A wrong key, a value moved to another row, or any flipped
    /// bit all fail the same way: `Error::Undecryptable`.
    pub fn open(&self, sealed: &[u8], ad: &[u8]) -> crate::Result<Vec<u8>> {
        if sealed.len() < 1 + NONCE_LEN + TAG_LEN || sealed[0] != VERSION {
            return Err(crate::Error::Undecryptable);
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&sealed[1..1 + NONCE_LEN]);
        let mut body = sealed[1 + NONCE_LEN..].to_vec();
        let plain_len = self
            .key
            .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(ad), &mut body)
            .map_err(|_| crate::Error::Undecryptable)?
            .len();
        body.truncate(plain_len);
        Ok(body)
    }
}

/// Keyed hash for lookup columns: equal inputs give equal tags, but without the data key
/// nobody can test a guess ("is this the row for 'HIV clinic'?").
pub struct Lookup {
    key: hmac::Key,
}

impl Lookup {
    pub fn new(data_key: &DataKey) -> Self {
        let mut k = data_key.derive(b"lookup-hmac");
        let key = hmac::Key::new(hmac::HMAC_SHA256, &k);
        zeroize::Zeroize::zeroize(&mut k);
        Self { key }
    }

    /// 16 bytes of HMAC-SHA256 over a domain-separated input.
    pub fn tag(&self, domain: &str, value: &str) -> Vec<u8> {
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(domain.as_bytes());
        ctx.update(&[0]);
        ctx.update(value.as_bytes());
        ctx.sign().as_ref()[..16].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_binding() {
        let k = DataKey::generate().unwrap();
        let c = FieldCipher::new(&k);
        let sealed = c.seal(b"ramipril 5mg", b"entries|body|1").unwrap();
        assert!(!sealed.windows(8).any(|w| w == b"ramipril"));
        assert_eq!(c.open(&sealed, b"entries|body|1").unwrap(), b"ramipril 5mg");
        // Moved to another row: refused.
        assert!(matches!(c.open(&sealed, b"entries|body|2"), Err(crate::Error::Undecryptable)));
        // Another record's key: refused.
        let other = FieldCipher::new(&DataKey::generate().unwrap());
        assert!(other.open(&sealed, b"entries|body|1").is_err());
        // Any flipped bit: refused. Any truncation: refused, no panic.
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert!(c.open(&bad, b"entries|body|1").is_err());
            assert!(c.open(&sealed[..i], b"entries|body|1").is_err());
        }
    }

    #[test]
    fn same_value_seals_differently_each_time() {
        let c = FieldCipher::new(&DataKey::generate().unwrap());
        assert_ne!(c.seal(b"x", b"").unwrap(), c.seal(b"x", b"").unwrap());
    }

    #[test]
    fn lookup_tags_are_keyed_and_domain_separated() {
        let k1 = DataKey::generate().unwrap();
        let l1 = Lookup::new(&k1);
        let l2 = Lookup::new(&DataKey::generate().unwrap());
        assert_eq!(l1.tag("section", "weight"), l1.tag("section", "weight"));
        assert_ne!(l1.tag("section", "weight"), l2.tag("section", "weight"));
        assert_ne!(l1.tag("section", "weight"), l1.tag("kind", "weight"));
    }
}
