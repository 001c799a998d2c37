//! The compact encoding of one day's samples of one kind from one source.
//!
//! ```text
//! version (1) | source (varint len, utf-8) | n (varint) | n x sample
//! sample = flags (1: bit0 = has dedup hash) | start delta (zigzag varint, ms)
//!        | duration (varint, ms) | value (f64 LE) | [dedup hash (u64 LE)]
//! ```
//! then deflated. Sorted by start time, so deltas are small and deflate does the rest.

use crate::{Error, Result};

const VERSION: u8 = 1;
/// A day of 1 Hz samples is ~86k; anything inflating past this is a damaged chunk.
const MAX_INFLATED: usize = 64 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq)]
pub(super) struct ChunkSample {
    pub start: i64,
    pub end: i64,
    pub value: f64,
    pub dedup: Option<u64>,
}

/// What makes two samples "the same reading" within one (kind, source) series.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Identity {
    Key(u64),
    Times(i64, i64),
}

impl ChunkSample {
    pub fn identity(&self) -> Identity {
        self.dedup.map(Identity::Key).unwrap_or(Identity::Times(self.start, self.end))
    }
}

/// FNV-1a: stable across Rust versions (unlike `DefaultHasher`), which matters for data
/// at rest. Collisions only merge two readings of one series on one day: 2^-64 odds.
pub(super) fn dedup_hash(key: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self.buf.get(self.pos).ok_or(Error::Corrupt("a sample chunk ends early"))?;
        self.pos += 1;
        Ok(b)
    }
    fn varint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(Error::Corrupt("a sample chunk has an overlong number"))
    }
    fn bytes(&mut self, n: usize) -> Result<&[u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.buf.len())
            .ok_or(Error::Corrupt("a sample chunk ends early"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u64le(&mut self) -> Result<u64> {
        let b = self.bytes(8)?;
        Ok(u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    }
}

/// Encodes samples (which must be sorted by start) and deflates them.
pub(super) fn encode(source: &str, samples: &[ChunkSample]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(16 + source.len() + samples.len() * 12);
    raw.push(VERSION);
    put_varint(&mut raw, source.len() as u64);
    raw.extend_from_slice(source.as_bytes());
    put_varint(&mut raw, samples.len() as u64);
    let mut prev = 0i64;
    for s in samples {
        raw.push(u8::from(s.dedup.is_some()));
        put_varint(&mut raw, zigzag(s.start.wrapping_sub(prev)));
        put_varint(&mut raw, s.end.wrapping_sub(s.start) as u64);
        raw.extend_from_slice(&s.value.to_le_bytes());
        if let Some(d) = s.dedup {
            raw.extend_from_slice(&d.to_le_bytes());
        }
        prev = s.start;
    }
    // Level 1: chunks are re-sealed on every merge, so speed beats the last few percent.
    miniz_oxide::deflate::compress_to_vec(&raw, 1)
}

pub(super) fn decode(deflated: &[u8]) -> Result<(String, Vec<ChunkSample>)> {
    let raw = miniz_oxide::inflate::decompress_to_vec_with_limit(deflated, MAX_INFLATED)
        .map_err(|_| Error::Corrupt("a sample chunk does not inflate"))?;
    let mut r = Reader { buf: &raw, pos: 0 };
    if r.byte()? != VERSION {
        return Err(Error::Corrupt("a sample chunk has an unknown version"));
    }
    let len = r.varint()? as usize;
    let source = String::from_utf8(r.bytes(len)?.to_vec())
        .map_err(|_| Error::Corrupt("a sample chunk has a bad source name"))?;
    let n = r.varint()? as usize;
    let mut out = Vec::with_capacity(n.min(raw.len() / 10 + 1));
    let mut prev = 0i64;
    for _ in 0..n {
        let flags = r.byte()?;
        let start = prev.wrapping_add(unzigzag(r.varint()?));
        let end = start.wrapping_add(r.varint()? as i64);
        let value = f64::from_bits(r.u64le()?);
        let dedup = if flags & 1 == 1 { Some(r.u64le()?) } else { None };
        out.push(ChunkSample { start, end, value, dedup });
        prev = start;
    }
    if r.pos != raw.len() {
        return Err(Error::Corrupt("a sample chunk has trailing bytes"));
    }
    Ok((source, out))
}

/// A day's summary of one series; merged across sources at query time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Rollup {
    pub count: u64,
    pub min: f64,
    pub max: f64,
    pub sum: f64,
    pub last: f64,
    pub last_ms: i64,
}

impl Rollup {
    pub fn of(samples: &[ChunkSample]) -> Rollup {
        let mut r = Rollup {
            count: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            sum: 0.0,
            last: 0.0,
            last_ms: i64::MIN,
        };
        for s in samples {
            r.count += 1;
            r.min = r.min.min(s.value);
            r.max = r.max.max(s.value);
            r.sum += s.value;
            if s.start >= r.last_ms {
                r.last_ms = s.start;
                r.last = s.value;
            }
        }
        r
    }

    pub fn merge(&mut self, o: &Rollup) {
        self.count += o.count;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        self.sum += o.sum;
        if o.last_ms >= self.last_ms {
            self.last_ms = o.last_ms;
            self.last = o.last;
        }
    }

    pub fn to_bytes(self) -> [u8; 48] {
        let mut b = [0u8; 48];
        b[0..8].copy_from_slice(&self.count.to_le_bytes());
        b[8..16].copy_from_slice(&self.min.to_le_bytes());
        b[16..24].copy_from_slice(&self.max.to_le_bytes());
        b[24..32].copy_from_slice(&self.sum.to_le_bytes());
        b[32..40].copy_from_slice(&self.last.to_le_bytes());
        b[40..48].copy_from_slice(&self.last_ms.to_le_bytes());
        b
    }

    pub fn from_bytes(b: &[u8]) -> Result<Rollup> {
        if b.len() != 48 {
            return Err(Error::Corrupt("a daily rollup has the wrong size"));
        }
        let w = |i: usize| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&b[i..i + 8]);
            a
        };
        Ok(Rollup {
            count: u64::from_le_bytes(w(0)),
            min: f64::from_le_bytes(w(8)),
            max: f64::from_le_bytes(w(16)),
            sum: f64::from_le_bytes(w(24)),
            last: f64::from_le_bytes(w(32)),
            last_ms: i64::from_le_bytes(w(40)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> impl Strategy<Value = ChunkSample> {
        (
            -1_000_000_000_000i64..5_000_000_000_000,
            0i64..100_000_000,
            any::<f64>(),
            proptest::option::of(any::<u64>()),
        )
            .prop_map(|(start, d, value, dedup)| ChunkSample { start, end: start + d, value, dedup })
    }

    proptest! {
        #[test]
        fn round_trips(mut v in proptest::collection::vec(sample(), 0..200), source in ".{0,30}") {
            v.sort_by_key(|s| s.start);
            let (src, back) = decode(&encode(&source, &v)).unwrap();
            prop_assert_eq!(src, source);
            prop_assert_eq!(back.len(), v.len());
            for (a, b) in v.iter().zip(&back) {
                prop_assert_eq!((a.start, a.end, a.value.to_bits(), a.dedup), (b.start, b.end, b.value.to_bits(), b.dedup));
            }
        }

        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = decode(&bytes);
            let _ = Rollup::from_bytes(&bytes);
        }
    }

    #[test]
    fn rollup_merges() {
        let s = |t, v| ChunkSample { start: t, end: t, value: v, dedup: None };
        let mut a = Rollup::of(&[s(1, 5.0), s(3, 7.0)]);
        a.merge(&Rollup::of(&[s(2, 1.0)]));
        assert_eq!((a.count, a.min, a.max, a.sum, a.last), (3, 1.0, 7.0, 13.0, 7.0));
        assert_eq!(Rollup::from_bytes(&a.to_bytes()).unwrap(), a);
    }
}
