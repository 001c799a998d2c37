//! How much of any one input the importers will read, so no file (a zip bomb, `/dev/zero`,
//! a 1 GB run of spaces in an `export.xml`) can make `phr` hold more than 256 MB.
//!
//! Files the parsers take as bytes (FIT, GPX, TCX, CSV, Strava JSON, FHIR, a route inside
//! an Apple Health zip, a nested zip) are read whole, so each is capped at
//! [`MAX_FILE_BYTES`]. Apple Health exports stream in bounded parts, so they have no size
//! cap, only [`MAX_XML_RUN_BYTES`] between markup (one XML event is buffered whole) and
//! [`MAX_ZIP_TOTAL_BYTES`] unpacked from one zip. Every limit is checked on the bytes
//! actually read, never on sizes a zip declares (those can lie).

use std::io::{self, Read};

/// The most one file or zip entry read into memory may hold (the largest real FIT, GPX or
/// CSV we know is a few MB; a 24-hour GPX at one point a second is about 15 MB).
pub const MAX_FILE_BYTES: u64 = 32 << 20;

/// The most phr unpacks from one zip in one import, over all its entries.
pub const MAX_ZIP_TOTAL_BYTES: u64 = 16 << 30;

/// The longest stretch of an XML export without `<` or `>`: the XML reader buffers one
/// text or tag whole, so this bounds it.
pub const MAX_XML_RUN_BYTES: u64 = 16 << 20;

/// Parser threads in a bulk import: each may hold one file of [`MAX_FILE_BYTES`] and what
/// it parsed into, so this times that stays well under 256 MB.
pub const MAX_PARSE_THREADS: usize = 4;

/// "32 MiB" for a byte count that is a whole number of MiB (the limits above).
pub fn mib(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{} GiB", bytes >> 30)
    } else {
        format!("{} MiB", bytes >> 20)
    }
}

/// Reads all of `r`, failing with "larger than ..." once more than `limit` bytes come.
pub fn read_capped(r: impl Read, limit: u64) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    r.take(limit.saturating_add(1)).read_to_end(&mut out)?;
    if out.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(out)
}

fn too_large(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "larger than {} when unpacked, the most phr reads from one file (a zip bomb or not a health export?)",
            mib(limit)
        ),
    )
}

/// A reader that fails once more than `limit` bytes have been read through it.
pub struct CappedReader<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> CappedReader<R> {
    pub fn new(inner: R, limit: u64) -> Self {
        CappedReader { inner, left: limit, limit }
    }
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            // One byte more than allowed tells a file exactly at the limit from a longer one.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(too_large(self.limit)),
            };
        }
        let want = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// A reader that fails when more than `limit` bytes pass without a `<` or `>`.
pub struct XmlRunGuard<R> {
    inner: R,
    run: u64,
    limit: u64,
}

impl<R: Read> XmlRunGuard<R> {
    pub fn new(inner: R, limit: u64) -> Self {
        XmlRunGuard { inner, run: 0, limit }
    }
}

impl<R: Read> XmlRunGuard<R> {
    fn too_long(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("more than {} of text without markup; not an export phr can read", mib(self.limit)),
        )
    }
}

fn is_markup(b: &u8) -> bool {
    *b == b'<' || *b == b'>'
}

impl<R: Read> Read for XmlRunGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let data = &buf[..n];
        // Only the ends of a read matter: a stretch wholly inside it is shorter than the
        // read, and reads are far shorter than the limit. So this looks at the bytes up to
        // the first and after the last `<`/`>`, not at every byte (it ran at every byte
        // once and was a tenth of an export's parse time).
        let Some(first) = data.iter().position(is_markup) else {
            self.run += n as u64;
            return if self.run > self.limit { Err(self.too_long()) } else { Ok(n) };
        };
        if self.run + first as u64 > self.limit {
            return Err(self.too_long());
        }
        if n as u64 > self.limit {
            // A read longer than the limit (not with the importer's buffers): every stretch.
            let mut run = 0u64;
            for b in &data[first..] {
                run = if is_markup(b) { 0 } else { run + 1 };
                if run > self.limit {
                    return Err(self.too_long());
                }
            }
        }
        let last = data.iter().rposition(is_markup).unwrap_or(first);
        self.run = (n - 1 - last) as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_reads_stop_one_byte_past_the_limit() {
        assert_eq!(read_capped(&[7u8; 10][..], 10).unwrap().len(), 10);
        assert!(read_capped(&[7u8; 11][..], 10).unwrap_err().to_string().contains("larger than"));
        let mut r = CappedReader::new(io::repeat(0), 1000);
        let mut sink = Vec::new();
        assert!(r.read_to_end(&mut sink).is_err());
        assert_eq!(sink.len(), 1000);
        let mut ok = CappedReader::new(&[1u8; 1000][..], 1000);
        assert_eq!(ok.read_to_end(&mut Vec::new()).unwrap(), 1000);
    }

    #[test]
    fn a_long_run_without_markup_is_refused() {
        let mut fine = XmlRunGuard::new(&b"<a>text</a>"[..], 4);
        assert!(fine.read_to_end(&mut Vec::new()).is_ok());
        let mut long = XmlRunGuard::new(io::repeat(b' ').take(100), 50);
        assert!(long.read_to_end(&mut Vec::new()).is_err());
    }

    /// The same verdict as a byte-by-byte count, whatever the read sizes: stretches that
    /// span reads, sit inside one, or exactly meet the limit.
    #[test]
    fn stretches_across_and_inside_reads_are_counted_exactly() {
        struct Steps<'a>(&'a [u8], usize);
        impl Read for Steps<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let naive = |data: &[u8], limit: u64| {
            let mut run = 0u64;
            data.iter().all(|b| {
                run = if is_markup(b) { 0 } else { run + 1 };
                run <= limit
            })
        };
        let mut seed = 7u64;
        for case in 0..400 {
            let len = 1 + (case * 37) % 300;
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    match (seed >> 33) % 23 {
                        0 => b'<',
                        1 => b'>',
                        _ => b'a',
                    }
                })
                .collect();
            for limit in [1u64, 5, 20, 64] {
                for step in [1usize, 3, 7, 50, 400] {
                    let mut g = XmlRunGuard::new(Steps(&data, step), limit);
                    let ok = g.read_to_end(&mut Vec::new()).is_ok();
                    assert_eq!(ok, naive(&data, limit), "case {case} limit {limit} step {step}");
                }
            }
        }
    }
}
