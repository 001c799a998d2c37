//! SQLite's side files (`-wal`, `-journal`) are merged into whatever database sits beside
//! them: a committed WAL copied from another record, or left behind by one that was
//! replaced, turns the record into "database disk image is malformed". SQLite cannot tell
//! (a WAL names no database), so before the read-write open we look through a read-only
//! connection, which replays the WAL in memory but never writes it back, and refuse what
//! does not fit: a WAL that breaks the file's structure, or that makes it name another
//! record than the file alone does. A WAL left by a crash of this record passes: it is this
//! record's history. `Record::open` also closes without a checkpoint until the key is
//! proven, so a failed open merges nothing.

use crate::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use std::io::Read;
use std::path::{Path, PathBuf};

fn side(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// The first `n` bytes of `path` (fewer if it is shorter).
fn head(path: &Path, n: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(n);
    std::fs::File::open(path)
        .and_then(|f| f.take(n as u64).read_to_end(&mut out))
        .map_err(|e| Error::io(path, e))?;
    Ok(out)
}

/// The page size in a database header (bytes 16-17; 1 means 65536).
fn db_page_size(header: &[u8]) -> Option<u32> {
    let raw = u16::from_be_bytes([*header.get(16)?, *header.get(17)?]);
    Some(if raw == 1 { 65_536 } else { u32::from(raw) })
}

/// Refuses a `-wal` or `-journal` beside `db` that SQLite would merge into it but that is
/// not its own. Leaves both files as they were.
pub(super) fn check(db: &Path) -> Result<()> {
    let header = head(db, 100)?;
    // Bytes 18-19 = 2: the database is in WAL mode (every record is, from its creation),
    // so SQLite never writes a rollback journal for it; one beside it came from elsewhere,
    // and SQLite would still play it back.
    let journal = side(db, "-journal");
    if header.get(18..20) == Some(&[2, 2]) && len(&journal) > 0 {
        return Err(Error::ForeignSideFile { path: journal });
    }
    let wal = side(db, "-wal");
    if len(&wal) < 32 {
        return Ok(()); // no WAL, or too short for a header: SQLite ignores it
    }
    let wal_header = head(&wal, 32)?;
    let magic = u32::from_be_bytes([wal_header[0], wal_header[1], wal_header[2], wal_header[3]]);
    let wal_page = u32::from_be_bytes([wal_header[8], wal_header[9], wal_header[10], wal_header[11]]);
    if matches!(magic, 0x377f_0682 | 0x377f_0683) && Some(wal_page) != db_page_size(&header) {
        return Err(Error::ForeignSideFile { path: wal });
    }
    let foreign = || Error::ForeignSideFile { path: wal.clone() };
    let conn =
        Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(crate::error::classify_sqlite)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let verdict: String = match conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0)) {
        Ok(v) => v,
        Err(e) => {
            return Err(match crate::error::classify_sqlite(e) {
                Error::Corrupt(_) => foreign(),
                other => other,
            })
        }
    };
    if verdict != "ok" {
        return Err(foreign());
    }
    // Another record's WAL over a file laid out like this one (same schema, same history
    // length) can be well-formed: then it names another record than the file alone does.
    // `immutable=1` reads the file without its WAL.
    let with_wal = record_id(&conn);
    let Some(uri) = db.to_str().map(immutable_uri) else { return Ok(()) };
    let alone = Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok()
    .and_then(|c| record_id(&c));
    match (with_wal, alone) {
        (Some(a), Some(b)) if a != b => Err(foreign()),
        (None, Some(_)) => Err(foreign()),
        // The file alone unreadable is what a crash mid-checkpoint leaves: its WAL mends it.
        _ => Ok(()),
    }
}

fn record_id(c: &Connection) -> Option<(String, Vec<u8>)> {
    c.query_row(
        "SELECT (SELECT value FROM meta WHERE key = 'record_id'), (SELECT value FROM meta WHERE key = 'key_check')",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .ok()
}

/// A `file:` URI opening `path` read-only without its WAL or locks.
fn immutable_uri(path: &str) -> String {
    let mut out = String::from("file:");
    for c in path.chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out.push_str("?immutable=1");
    out
}
