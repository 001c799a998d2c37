//! Who can unlock a record: changing the passphrase, and restoring with the recovery key
//! onto a new passphrase (or platform keystore). Each replaces the wrap of its kind, so
//! the old passphrase stops working at once (`secure_delete` overwrites the old wrap).

use super::{now_ms, observe, Record};
use crate::crypto::{KeyStore, PassphraseKeyStore, RecoveryKey, RecoveryKeyStore, WrapKind};
use crate::{Error, Result};
use rusqlite::OptionalExtension;
use std::path::Path;

impl Record {
    /// Replaces the passphrase: `old` must unlock the current passphrase wrap (a record
    /// opened another way, e.g. with the recovery key, still has to prove it), then `new`
    /// is the only passphrase that opens the record. A record without a passphrase wrap
    /// (an app's platform keystore) gets one; `old` is then not asked for.
    pub fn change_passphrase(
        &self,
        old: Option<&PassphraseKeyStore>,
        new: &PassphraseKeyStore,
    ) -> Result<()> {
        let current: Option<Vec<u8>> = self.read(|c| {
            Ok(c.query_row(
                "SELECT wrapped FROM key_wraps WHERE kind = ?1",
                [WrapKind::Passphrase.as_str()],
                |r| r.get(0),
            )
            .optional()?)
        })?;
        if let Some(wrapped) = current {
            let old = old.ok_or(Error::invalid("passphrase", "give the current passphrase to change it"))?;
            // The wrap is AEAD: the old passphrase either unwraps this record's key or fails.
            if old.unwrap(&wrapped)?.expose() != self.data_key.expose() {
                return Err(Error::WrongKey);
            }
        }
        self.replace_wrap(new)
    }

    /// Restores `backup` into `home` unlocked by the printed recovery key, and makes
    /// `new` (a new passphrase, or the phone's keystore) what opens it from now on: the
    /// passphrase the backup was made under no longer does.
    pub fn restore_with_recovery_key(
        backup: &Path,
        home: &Path,
        key: RecoveryKey,
        new: &dyn KeyStore,
    ) -> Result<Record> {
        let record = Record::restore(backup, home, &RecoveryKeyStore::new(key))?;
        record.replace_wrap(new)?;
        if new.kind() != WrapKind::Passphrase {
            // Someone who lost the passphrase must not find it still opening the record.
            record.write(|tx| {
                tx.execute("DELETE FROM key_wraps WHERE kind = ?1", [WrapKind::Passphrase.as_str()])?;
                Ok(())
            })?;
        }
        Ok(record)
    }

    /// Whether `key` is this record's recovery key, as far as this device can tell: by the
    /// public half of its sync identity (synced from the device that made the key), else by
    /// the record's own recovery wrap; `None` when it has neither (a device that joined before
    /// ADR 0048). A key the wrap confirms has its public half kept from then on, as
    /// `create_recovery_key` does now.
    pub fn adopt_recovery_key(&self, key: &RecoveryKey) -> Result<Option<bool>> {
        let (sign, xkey) = key.sync_public()?;
        if let Some(kept) = self.setting::<serde_json::Value>(super::RECOVERY_PUBLIC_SETTING)? {
            return Ok(Some(kept["sign"].as_str() == Some(sign.as_str())));
        }
        let wrapped: Option<Vec<u8>> = self.read(|c| {
            Ok(c.query_row(
                "SELECT wrapped FROM key_wraps WHERE kind = ?1",
                [WrapKind::Recovery.as_str()],
                |r| r.get(0),
            )
            .optional()?)
        })?;
        let Some(wrapped) = wrapped else { return Ok(None) };
        match RecoveryKeyStore::new(key.clone()).unwrap(&wrapped) {
            Ok(k) if k.expose() == self.data_key.expose() => {
                self.set_setting(
                    super::RECOVERY_PUBLIC_SETTING,
                    &serde_json::json!({ "sign": sign, "xkey": xkey }),
                )?;
                Ok(Some(true))
            }
            _ => Ok(Some(false)),
        }
    }

    fn replace_wrap(&self, keystore: &dyn KeyStore) -> Result<()> {
        let wrapped = keystore.wrap(&self.data_key)?;
        self.write(|tx| {
            self.observers.mark(observe::RecordArea::Keys);
            tx.execute(
                "INSERT OR REPLACE INTO key_wraps(kind, wrapped, created_at) VALUES (?1, ?2, ?3)",
                rusqlite::params![keystore.kind().as_str(), wrapped, now_ms()],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::DB_FILE;

    fn pass(p: &str) -> PassphraseKeyStore {
        PassphraseKeyStore::new(p).unwrap()
    }

    #[test]
    fn a_changed_passphrase_opens_the_record_and_the_old_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let r = Record::create(&path, &pass("first passphrase")).unwrap();
        assert!(matches!(
            r.change_passphrase(Some(&pass("not the passphrase")), &pass("second passphrase")),
            Err(Error::WrongKey)
        ));
        assert!(r.change_passphrase(None, &pass("second passphrase")).is_err());
        r.change_passphrase(Some(&pass("first passphrase")), &pass("second passphrase")).unwrap();
        drop(r);
        assert!(matches!(Record::open(&path, &pass("first passphrase")), Err(Error::WrongKey)));
        Record::open(&path, &pass("second passphrase")).unwrap();
    }

    #[test]
    fn only_the_records_own_recovery_key_is_adopted() {
        let dir = tempfile::tempdir().unwrap();
        let r = Record::create(&dir.path().join(DB_FILE), &pass("a passphrase")).unwrap();
        let other = RecoveryKey::generate().unwrap();
        assert_eq!(r.adopt_recovery_key(&other).unwrap(), None, "no recovery key made yet");
        // A key made before ADR 0048: only the wrap knows it.
        let old = RecoveryKey::generate().unwrap();
        r.add_keystore(&RecoveryKeyStore::new(old.clone())).unwrap();
        assert_eq!(r.adopt_recovery_key(&other).unwrap(), Some(false));
        assert_eq!(r.adopt_recovery_key(&old).unwrap(), Some(true));
        let kept: serde_json::Value = r.setting(super::super::RECOVERY_PUBLIC_SETTING).unwrap().unwrap();
        assert_eq!(kept["sign"], old.sync_public().unwrap().0.as_str(), "its public half is kept now");
        let key = r.create_recovery_key().unwrap();
        assert_eq!(r.adopt_recovery_key(&key).unwrap(), Some(true));
        assert_eq!(r.adopt_recovery_key(&old).unwrap(), Some(false), "a replaced key is not this record's");
    }

    #[test]
    fn restoring_with_the_recovery_key_moves_the_record_to_a_new_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let r = Record::create(&dir.path().join("a").join(DB_FILE), &pass("forgotten passphrase")).unwrap();
        let key = r.create_recovery_key().unwrap();
        let backup = dir.path().join("b.phrbackup");
        r.backup(&backup).unwrap();
        let home = dir.path().join("restored");
        let restored =
            Record::restore_with_recovery_key(&backup, &home, key, &pass("a brand new passphrase")).unwrap();
        drop(restored);
        let path = home.join(DB_FILE);
        assert!(matches!(Record::open(&path, &pass("forgotten passphrase")), Err(Error::WrongKey)));
        Record::open(&path, &pass("a brand new passphrase")).unwrap();
    }
}
