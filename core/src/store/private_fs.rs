//! Files and folders only the owner may read: the record (0600) in a 0700 folder, backups,
//! and files that hold a secret (share and pairing QR codes). On other systems the
//! platform's defaults apply (the phones keep app files private already).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Creates `dir` (and its parents) and, if this call made it, makes it owner-only. A folder
/// the owner made beforehand keeps its permissions: it may be theirs to share.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    set_mode(dir, 0o700)
}

/// Creates (or truncates) `path` readable and writable by the owner only.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let f = o.open(path)?;
    // An existing file keeps its mode through `open`: set it.
    set_mode(path, 0o600)?;
    Ok(f)
}

/// Writes `bytes` to `path`, owner-only.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = create_private_file(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Makes an existing file owner-only (SQLite creates its files with the default mode; its
/// `-wal` and `-shm` copy the database file's).
pub fn make_private(path: &Path) -> io::Result<()> {
    set_mode(path, 0o600)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}
