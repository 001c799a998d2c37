//! Each active link's finished SHL manifest, kept in memory (issue 19).
//!
//! A fetch still reads the link's row every time, because a revoke or an expiry must take
//! effect at once, on every instance. What it no longer does on a hit is read the files
//! and build the JSON: the manifest built from the files at one `files_version` is the
//! same bytes until the row shows another version (replacing a long-term link's files
//! bumps it in the same statement), so the response is a reference-counted copy of it.
//!
//! What is kept is what the relay already holds: the JWE ciphertext and content types, no
//! key and no plaintext. It is bounded ([`MAX_TOTAL_BYTES`]; a manifest larger than
//! [`MAX_ENTRY_BYTES`] is never kept) and an entry goes as soon as this instance sees its
//! link revoked, expired or missing. Manifests with file locations (a viewer that asked
//! for files no larger than some size) carry a ticket that expires, so they are built per
//! request and never kept.

use axum::body::Bytes;
use std::collections::HashMap;
use std::sync::Mutex;

/// The most manifest bytes one instance keeps.
pub const MAX_TOTAL_BYTES: usize = 64 << 20;
/// A manifest larger than this is built per request.
pub const MAX_ENTRY_BYTES: usize = 1 << 20;

struct Entry {
    files_version: i64,
    /// The longest embedded JWE: a viewer whose `embeddedLengthMax` is below it gets a
    /// manifest with locations instead, built per request.
    longest_file: usize,
    body: Bytes,
}

#[derive(Default)]
pub struct ManifestCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    total: usize,
}

impl ManifestCache {
    /// The manifest of `id` built at `files_version`, if kept and if every file fits
    /// `embedded_length_max`.
    pub fn get(&self, id: &str, files_version: i64, embedded_length_max: Option<usize>) -> Option<Bytes> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let e = inner.entries.get(id)?;
        if e.files_version != files_version || embedded_length_max.is_some_and(|m| e.longest_file > m) {
            return None;
        }
        Some(e.body.clone())
    }

    /// Keeps `body` (a manifest with every file embedded) as the manifest of `id` at
    /// `files_version`. Makes room by dropping other entries when the bound is reached.
    pub fn put(&self, id: &str, files_version: i64, longest_file: usize, body: Bytes) {
        if body.len() > MAX_ENTRY_BYTES {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = inner.entries.remove(id) {
            inner.total -= old.body.len();
        }
        // Any entry will do: a link evicted here costs one rebuild on its next fetch.
        while inner.total + body.len() > MAX_TOTAL_BYTES {
            let Some(victim) = inner.entries.keys().next().cloned() else { break };
            if let Some(old) = inner.entries.remove(&victim) {
                inner.total -= old.body.len();
            }
        }
        inner.total += body.len();
        inner.entries.insert(id.to_owned(), Entry { files_version, longest_file, body });
    }

    /// Forgets the manifest of `id` (revoked, expired or gone).
    pub fn forget(&self, id: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = inner.entries.remove(id) {
            inner.total -= old.body.len();
        }
    }

    /// Bytes kept now (for tests and the bound).
    pub fn total_bytes(&self) -> usize {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_version_or_a_smaller_limit_misses() {
        let c = ManifestCache::default();
        c.put("a", 1, 100, Bytes::from_static(b"{\"files\":[]}"));
        assert_eq!(c.get("a", 1, None).as_deref(), Some(&b"{\"files\":[]}"[..]));
        assert!(c.get("a", 2, None).is_none(), "replaced files");
        assert!(c.get("a", 1, Some(99)).is_none(), "the viewer wants locations");
        assert!(c.get("a", 1, Some(100)).is_some());
        assert!(c.get("b", 1, None).is_none());
        c.forget("a");
        assert!(c.get("a", 1, None).is_none());
        assert_eq!(c.total_bytes(), 0);
    }

    #[test]
    fn the_bound_holds() {
        let c = ManifestCache::default();
        let big = Bytes::from(vec![b'x'; MAX_ENTRY_BYTES]);
        for i in 0..(MAX_TOTAL_BYTES / MAX_ENTRY_BYTES + 5) {
            c.put(&format!("link{i}"), 0, 10, big.clone());
            assert!(c.total_bytes() <= MAX_TOTAL_BYTES);
        }
        assert_eq!(c.total_bytes(), MAX_TOTAL_BYTES);
        c.put("huge", 0, 10, Bytes::from(vec![b'x'; MAX_ENTRY_BYTES + 1]));
        assert!(c.get("huge", 0, None).is_none(), "too large to keep");
        // Putting the same link again replaces its entry instead of counting it twice.
        c.put("link0", 0, 10, Bytes::from_static(b"{}"));
        c.put("link0", 1, 10, Bytes::from_static(b"{}"));
        assert!(c.total_bytes() <= MAX_TOTAL_BYTES);
        assert!(c.get("link0", 0, None).is_none());
        assert!(c.get("link0", 1, None).is_some());
    }
}
