//! Who holds the key that unlocks the data key.
//!
//! The phones implement [`KeyStore`] with the Android Keystore or the iOS Keychain (the key
//! never leaves secure hardware; the store only sees the wrapped blob). The CLI uses a
//! passphrase stretched with argon2id; anyone can add a printable recovery key.

use super::{DataKey, FieldCipher, RecoveryKey, SecretBytes};
use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroize;

/// What kind of wrap a keystore produces; a record keeps one wrap per kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WrapKind {
    /// The platform keystore of a phone (or a test double standing in for it).
    Platform,
    /// A passphrase stretched with argon2id (the CLI).
    Passphrase,
    /// The printable recovery key.
    Recovery,
}

impl WrapKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WrapKind::Platform => "platform",
            WrapKind::Passphrase => "passphrase",
            WrapKind::Recovery => "recovery",
        }
    }
}

/// Wraps and unwraps the record's data key. Implementations must fail `unwrap` (with
/// `Error::WrongKey`) rather than return wrong bytes when the secret does not match.
pub trait KeyStore: Send + Sync {
    fn kind(&self) -> WrapKind;
    fn wrap(&self, data_key: &DataKey) -> crate::Result<Vec<u8>>;
    fn unwrap(&self, wrapped: &[u8]) -> crate::Result<DataKey>;
}

const WRAP_AD_PASSPHRASE: &[u8] = b"phr/v1/wrap/passphrase";
const WRAP_AD_RECOVERY: &[u8] = b"phr/v1/wrap/recovery";
const WRAP_AD_RAW: &[u8] = b"phr/v1/wrap/platform";

/// argon2id settings kept with each wrap so they can be raised later without breaking
/// old records. Defaults follow OWASP's minimum (19 MiB, 2 passes, 1 lane).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfParams {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl KdfParams {
    /// The most a wrap may ask for: above what this app writes (19 MiB, 2 passes, 1 lane)
    /// with room to raise the defaults, and far below what a crafted file could demand
    /// (argon2 allows 4 TiB and any number of passes: minutes of work, gigabytes of memory).
    pub const MAX: KdfParams = KdfParams { m_kib: 64 * 1024, t: 4, p: 4 };

    /// True if this app would write these settings (a test's fast ones included).
    pub fn is_accepted(&self) -> bool {
        let max = Self::MAX;
        (1..=max.p).contains(&self.p)
            && (1..=max.t).contains(&self.t)
            && (8 * self.p..=max.m_kib).contains(&self.m_kib)
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self { m_kib: 19 * 1024, t: 2, p: 1 }
    }
}

/// A passphrase-derived keystore (the CLI's `PHR_PASSPHRASE` or prompt).
pub struct PassphraseKeyStore {
    passphrase: SecretBytes,
    params: KdfParams,
}

impl PassphraseKeyStore {
    pub fn new(passphrase: &str) -> crate::Result<Self> {
        if passphrase.chars().count() < 8 {
            return Err(crate::Error::invalid("passphrase", "must be at least 8 characters"));
        }
        Ok(Self {
            passphrase: SecretBytes::new(passphrase.as_bytes().to_vec()),
            params: KdfParams::default(),
        })
    }

    fn kek(&self, salt: &[u8], params: KdfParams) -> crate::Result<[u8; 32]> {
        let p = Params::new(params.m_kib, params.t, params.p, Some(32))
            .map_err(|_| crate::Error::Corrupt("the key wrap has impossible argon2 parameters"))?;
        let mut out = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, p)
            .hash_password_into(self.passphrase.expose(), salt, &mut out)
            .map_err(|_| crate::Error::Crypto("argon2id failed"))?;
        Ok(out)
    }
}

// Passphrase wrap layout: m_kib (4, LE) || t (4) || p (4) || salt (16) || sealed data key.
impl KeyStore for PassphraseKeyStore {
    fn kind(&self) -> WrapKind {
        WrapKind::Passphrase
    }

    fn wrap(&self, data_key: &DataKey) -> crate::Result<Vec<u8>> {
        let mut salt = [0u8; 16];
        super::random_fill(&mut salt)?;
        let mut kek = self.kek(&salt, self.params)?;
        let sealed = FieldCipher::with_raw_key(&kek).seal(data_key.expose(), WRAP_AD_PASSPHRASE);
        kek.zeroize();
        let mut out = Vec::new();
        for v in [self.params.m_kib, self.params.t, self.params.p] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&salt);
        out.extend_from_slice(&sealed?);
        Ok(out)
    }

    fn unwrap(&self, wrapped: &[u8]) -> crate::Result<DataKey> {
        if wrapped.len() < 28 {
            return Err(crate::Error::Corrupt("the passphrase key wrap is too short"));
        }
        let word =
            |i: usize| u32::from_le_bytes([wrapped[i], wrapped[i + 1], wrapped[i + 2], wrapped[i + 3]]);
        let params = KdfParams { m_kib: word(0), t: word(4), p: word(8) };
        // Refuse settings this app never writes (a crafted record or backup) before any
        // memory is allocated or time spent.
        if !params.is_accepted() {
            return Err(crate::Error::Corrupt(
                "the key wrap asks for argon2 settings this app never writes (at most 64 MiB, 4 passes, 4 lanes)",
            ));
        }
        let mut kek = self.kek(&wrapped[12..28], params)?;
        let opened = FieldCipher::with_raw_key(&kek).open(&wrapped[28..], WRAP_AD_PASSPHRASE);
        kek.zeroize();
        let raw = opened.map_err(|_| crate::Error::WrongKey)?;
        DataKey::from_secret(&SecretBytes::new(raw))
    }
}

/// Wraps with a printed recovery key.
pub struct RecoveryKeyStore {
    key: RecoveryKey,
}

impl RecoveryKeyStore {
    pub fn new(key: RecoveryKey) -> Self {
        Self { key }
    }
}

impl KeyStore for RecoveryKeyStore {
    fn kind(&self) -> WrapKind {
        WrapKind::Recovery
    }
    fn wrap(&self, data_key: &DataKey) -> crate::Result<Vec<u8>> {
        let mut kek = self.key.kek();
        let out = FieldCipher::with_raw_key(&kek).seal(data_key.expose(), WRAP_AD_RECOVERY);
        kek.zeroize();
        out
    }
    fn unwrap(&self, wrapped: &[u8]) -> crate::Result<DataKey> {
        let mut kek = self.key.kek();
        let opened = FieldCipher::with_raw_key(&kek).open(wrapped, WRAP_AD_RECOVERY);
        kek.zeroize();
        DataKey::from_secret(&SecretBytes::new(opened.map_err(|_| crate::Error::WrongKey)?))
    }
}

/// A platform keystore stand-in holding a raw 32-byte key in memory: what a phone's
/// hardware-backed key does, without the hardware. For tests, tools and the FFI test double.
pub struct RawKeyStore {
    kek: [u8; 32],
}

impl RawKeyStore {
    pub fn new(kek: [u8; 32]) -> Self {
        Self { kek }
    }
}

impl Drop for RawKeyStore {
    fn drop(&mut self) {
        self.kek.zeroize();
    }
}

impl KeyStore for RawKeyStore {
    fn kind(&self) -> WrapKind {
        WrapKind::Platform
    }
    fn wrap(&self, data_key: &DataKey) -> crate::Result<Vec<u8>> {
        FieldCipher::with_raw_key(&self.kek).seal(data_key.expose(), WRAP_AD_RAW)
    }
    fn unwrap(&self, wrapped: &[u8]) -> crate::Result<DataKey> {
        let opened = FieldCipher::with_raw_key(&self.kek).open(wrapped, WRAP_AD_RAW);
        DataKey::from_secret(&SecretBytes::new(opened.map_err(|_| crate::Error::WrongKey)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast(pass: &str) -> PassphraseKeyStore {
        let mut ks = PassphraseKeyStore::new(pass).unwrap();
        ks.params = KdfParams { m_kib: 64, t: 1, p: 1 };
        ks
    }

    #[test]
    fn passphrase_wrap_round_trips_and_rejects_wrong_passphrase() {
        let dk = DataKey::generate().unwrap();
        let wrapped = fast("correct horse battery").wrap(&dk).unwrap();
        assert_eq!(fast("correct horse battery").unwrap(&wrapped).unwrap().expose(), dk.expose());
        assert!(matches!(fast("wrong horse battery").unwrap(&wrapped), Err(crate::Error::WrongKey)));
        assert!(fast("correct horse battery").unwrap(&wrapped[..20]).is_err());
    }

    #[test]
    fn tampered_kdf_params_are_refused_not_allocated() {
        let dk = DataKey::generate().unwrap();
        let mut wrapped = fast("correct horse battery").wrap(&dk).unwrap();
        wrapped[0..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(fast("correct horse battery").unwrap(&wrapped), Err(crate::Error::Corrupt(_))));
    }

    #[test]
    fn kdf_params_beyond_what_the_app_writes_are_refused_at_once() {
        let dk = DataKey::generate().unwrap();
        let good = fast("correct horse battery").wrap(&dk).unwrap();
        assert!(KdfParams::default().is_accepted());
        // 1 GiB and 64 passes were accepted before: minutes of work for `list` or `restore`.
        for (m, t, p) in [(1024 * 1024, 1, 1), (64, 64, 1), (64 * 1024 + 1, 1, 1), (64, 1, 5), (64, 0, 1)] {
            let mut w = good.clone();
            w[0..4].copy_from_slice(&u32::to_le_bytes(m));
            w[4..8].copy_from_slice(&u32::to_le_bytes(t));
            w[8..12].copy_from_slice(&u32::to_le_bytes(p));
            let start = std::time::Instant::now();
            let e = fast("correct horse battery").unwrap(&w);
            assert!(matches!(e, Err(crate::Error::Corrupt(_))), "({m}, {t}, {p})");
            assert!(start.elapsed() < std::time::Duration::from_millis(100));
        }
    }

    #[test]
    fn short_passphrases_are_refused() {
        assert!(PassphraseKeyStore::new("short").is_err());
    }

    #[test]
    fn recovery_and_raw_wraps() {
        let dk = DataKey::generate().unwrap();
        let rk = RecoveryKey::generate().unwrap();
        let w = RecoveryKeyStore::new(rk.clone()).wrap(&dk).unwrap();
        assert_eq!(RecoveryKeyStore::new(rk).unwrap(&w).unwrap().expose(), dk.expose());
        assert!(RecoveryKeyStore::new(RecoveryKey::generate().unwrap()).unwrap(&w).is_err());
        let raw = RawKeyStore::new([7; 32]);
        let w = raw.wrap(&dk).unwrap();
        assert_eq!(raw.unwrap(&w).unwrap().expose(), dk.expose());
        assert!(RawKeyStore::new([8; 32]).unwrap(&w).is_err());
    }
}
