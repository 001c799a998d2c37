//! Encrypted backup files the owner keeps, and restore from them.
//!
//! ```text
//! "PHRBAK01" | header length (u32 LE) | header (JSON: record id, key wraps, segment size)
//! then segments: length (u32 LE) | AES-256-GCM(segment of the database snapshot)
//! ```
//! Each segment's associated data names the record, the segment index and whether it is
//! the last, so reordering, dropping or truncating segments is detected (the STREAM
//! construction). The key wraps are copies of the record's own (already encrypted), so
//! the same passphrase or recovery key opens the backup.

use super::{Record, DB_FILE};
use crate::crypto::{DataKey, FieldCipher, KeyStore};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::Path;

const MAGIC: &[u8; 8] = b"PHRBAK01";
const SEGMENT: usize = 1 << 20;
const MAX_HEADER: u32 = 1 << 20;

#[derive(Serialize, Deserialize)]
struct Header {
    record_id: String,
    created_at: i64,
    segment_size: usize,
    /// (kind, wrapped data key in hex)
    wraps: Vec<(String, String)>,
}

fn segment_ad(record_id: &str, index: u64, last: bool) -> Vec<u8> {
    format!("backup|{record_id}|{index}|{}", u8::from(last)).into_bytes()
}

fn backup_cipher(dk: &DataKey) -> FieldCipher {
    FieldCipher::with_raw_key(&dk.derive(b"backup"))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

impl Record {
    /// Writes an encrypted snapshot of the whole record to `dest`. Returns its size.
    pub fn backup(&self, dest: &Path) -> Result<u64> {
        let dir = tempfile::tempdir_in(
            dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")),
        )
        .map_err(|e| Error::io(dest, e))?;
        let snap = dir.path().join("snapshot");
        // VACUUM INTO writes a consistent copy (WAL folded in). Its contents are the
        // already-encrypted database, and it is removed with `dir`.
        self.read_outside_txn(|c| {
            c.execute("VACUUM INTO ?1", [snap.to_string_lossy()])?;
            Ok(())
        })?;
        let wraps = self.read(|c| {
            let mut stmt = c.prepare("SELECT kind, wrapped FROM key_wraps ORDER BY kind")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, hex(&r.get::<_, Vec<u8>>(1)?))))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        let header = serde_json::to_vec(&Header {
            record_id: self.record_id.clone(),
            created_at: super::now_ms(),
            segment_size: SEGMENT,
            wraps,
        })
        .map_err(|_| Error::Crypto("backup header encoding failed"))?;

        let cipher = backup_cipher(&self.data_key);
        let tmp_dest = dest.with_extension("partial");
        let write = || -> Result<u64> {
            let mut out = std::io::BufWriter::new(
                super::private_fs::create_private_file(&tmp_dest).map_err(|e| Error::io(&tmp_dest, e))?,
            );
            let mut input = std::fs::File::open(&snap).map_err(|e| Error::io(&snap, e))?;
            let total = input.metadata().map_err(|e| Error::io(&snap, e))?.len();
            let io = |e| Error::io(dest, e);
            out.write_all(MAGIC).map_err(io)?;
            out.write_all(&(header.len() as u32).to_le_bytes()).map_err(io)?;
            out.write_all(&header).map_err(io)?;
            let mut buf = vec![0u8; SEGMENT];
            let (mut index, mut done) = (0u64, 0u64);
            loop {
                let n = read_full(&mut input, &mut buf).map_err(|e| Error::io(&snap, e))?;
                done += n as u64;
                let last = done >= total;
                let sealed = cipher.seal(&buf[..n], &segment_ad(&self.record_id, index, last))?;
                out.write_all(&(sealed.len() as u32).to_le_bytes()).map_err(io)?;
                out.write_all(&sealed).map_err(io)?;
                index += 1;
                if last {
                    break;
                }
            }
            let file = out.into_inner().map_err(|e| Error::io(dest, e.into_error()))?;
            file.sync_all().map_err(io)?;
            Ok(file.metadata().map_err(io)?.len())
        };
        match write() {
            Ok(size) => {
                std::fs::rename(&tmp_dest, dest).map_err(|e| Error::io(dest, e))?;
                // For the settings screen and the "no backup for 30 days" reminder.
                self.set_setting(super::LAST_BACKUP_SETTING, &super::now_ms())?;
                Ok(size)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp_dest);
                Err(e)
            }
        }
    }

    /// Restores a backup into `home` (a folder that must not hold a record yet), unlocking
    /// it with `keystore`. The backup is decrypted and verified in full before the record
    /// appears, so a damaged backup leaves `home` as it was.
    pub fn restore(backup: &Path, home: &Path, keystore: &dyn KeyStore) -> Result<Record> {
        let target = home.join(DB_FILE);
        if target.exists() {
            return Err(Error::RecordExists);
        }
        // SQLite would merge a leftover -wal or -journal into the restored file (and the
        // damaged record would then block a retry): refuse before writing anything.
        for suffix in ["-wal", "-journal"] {
            let side = home.join(format!("{DB_FILE}{suffix}"));
            if std::fs::metadata(&side).is_ok_and(|m| m.len() > 0) {
                return Err(Error::ForeignSideFile { path: side });
            }
        }
        let mut input =
            std::io::BufReader::new(std::fs::File::open(backup).map_err(|e| Error::io(backup, e))?);
        let damaged = |offset: u64, reason: &'static str| Error::BackupDamaged { offset, reason };
        let mut magic = [0u8; 8];
        input.read_exact(&mut magic).map_err(|_| damaged(0, "the file is too short to be a backup"))?;
        if &magic != MAGIC {
            return Err(damaged(0, "this is not a PHR backup file"));
        }
        let mut len = [0u8; 4];
        input.read_exact(&mut len).map_err(|_| damaged(8, "the header length is missing"))?;
        let hlen = u32::from_le_bytes(len);
        if hlen > MAX_HEADER {
            return Err(damaged(8, "the header length is impossible"));
        }
        let mut hbytes = vec![0u8; hlen as usize];
        input.read_exact(&mut hbytes).map_err(|_| damaged(12, "the header is cut short"))?;
        let header: Header =
            serde_json::from_slice(&hbytes).map_err(|_| damaged(12, "the header is not readable"))?;
        let wrapped = header
            .wraps
            .iter()
            .find(|(k, _)| k == keystore.kind().as_str())
            .and_then(|(_, w)| unhex(w))
            .ok_or(Error::WrongKey)?;
        let dk = keystore.unwrap(&wrapped)?;
        let cipher = backup_cipher(&dk);

        super::private_fs::create_private_dir(home).map_err(|e| Error::io(home, e))?;
        let staging = tempfile::NamedTempFile::new_in(home).map_err(|e| Error::io(home, e))?;
        let mut out = std::io::BufWriter::new(staging.as_file());
        let mut offset = 12 + u64::from(hlen);
        let mut index = 0u64;
        loop {
            let mut l = [0u8; 4];
            input.read_exact(&mut l).map_err(|_| damaged(offset, "the file ends before the last segment"))?;
            let slen = u32::from_le_bytes(l) as usize;
            if slen > header.segment_size.min(SEGMENT * 4) + 64 {
                return Err(damaged(offset, "a segment length is impossible"));
            }
            let mut sealed = vec![0u8; slen];
            input.read_exact(&mut sealed).map_err(|_| damaged(offset, "a segment is cut short"))?;
            let (plain, last) = match cipher.open(&sealed, &segment_ad(&header.record_id, index, false)) {
                Ok(p) => (p, false),
                Err(_) => match cipher.open(&sealed, &segment_ad(&header.record_id, index, true)) {
                    Ok(p) => (p, true),
                    Err(_) => return Err(damaged(offset, "a segment fails its integrity check")),
                },
            };
            out.write_all(&plain).map_err(|e| Error::io(home, e))?;
            offset += 4 + slen as u64;
            index += 1;
            if last {
                break;
            }
        }
        let mut extra = [0u8; 1];
        if input.read(&mut extra).map_err(|e| Error::io(backup, e))? != 0 {
            return Err(damaged(offset, "there are bytes after the last segment"));
        }
        out.flush().map_err(|e| Error::io(home, e))?;
        drop(out);
        staging.as_file().sync_all().map_err(|e| Error::io(home, e))?;
        // Verify the snapshot opens with this key before it becomes the record.
        let record = Record::open(staging.path(), keystore)?;
        if record.record_id != header.record_id {
            return Err(damaged(12, "the header does not match the snapshot"));
        }
        drop(record);
        staging.persist_noclobber(&target).map_err(|e| Error::io(&target, e.error))?;
        // The copy was verified above; should it still not open here, take it away again
        // so a retry is not met by "a record already exists" (the backup is untouched).
        Record::open(&target, keystore).inspect_err(|_| {
            let _ = std::fs::remove_file(&target);
        })
    }
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}
