//! Property tests: no panic on any input, and messages before a mutation point are unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured
mod common;

use fitstream::{self as fit, FitMessage};
use proptest::prelude::*;

fn seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if let Some(dir) = common::corpus_dir() {
        for name in [
            "fit/fitparse__Activity.fit",
            "fit/fitparse__DeveloperData.fit",
            "fit/fitparse__compressed-speed-distance.fit",
            "fit/fitparse__activity-settings.fit",
            "fit/fitparse__WeightScaleMultiUser.fit",
            "fit/muktihari-fit__TestEncode.fit",
        ] {
            if let Ok(d) = std::fs::read(dir.join(name)) {
                out.push(d);
            }
        }
    } else {
        println!("corpus absent: fuzzing a built-in file only");
    }
    // built-in: header + definition + 3 records, valid CRCs
    let mut data = vec![0x40, 0, 0, 20, 0, 2, 253, 4, 0x86, 3, 1, 0x02];
    for i in 0..3u8 {
        data.push(0);
        data.extend_from_slice(&(1_000_000_000u32 + i as u32).to_le_bytes());
        data.push(100 + i);
    }
    data.extend_from_slice(&[0x80 | 5, 0]); // compressed header on local 0... needs 5 bytes body
    data.extend_from_slice(&[0, 0, 0, 0, 90]);
    let mut h = vec![14u8, 0x20, 0x93, 0x08];
    h.extend_from_slice(&(data.len() as u32).to_le_bytes());
    h.extend_from_slice(b".FIT");
    let hc = fit::crc::crc16(&h);
    h.extend_from_slice(&hc.to_le_bytes());
    h.extend_from_slice(&data);
    let c = fit::crc::crc16(&h);
    h.extend_from_slice(&c.to_le_bytes());
    out.push(h);
    out
}

fn decode_all(d: &[u8]) -> (Vec<FitMessage>, fit::DecodeReport) {
    fit::decode(d)
}

/// Messages whose record (and everything they depend on) lies before `p` must be identical.
fn assert_prefix_same(orig: &[FitMessage], mutated: &[FitMessage], p: usize) {
    for i in 0..orig.len().saturating_sub(1) {
        if orig[i + 1].offset as usize > p {
            break;
        }
        assert!(i < mutated.len(), "message {i} (offset {}) lost; mutation at {p}", orig[i].offset);
        assert_eq!(orig[i], mutated[i], "message {i} changed; mutation at {p}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode_all(&data);
        let _ = fit::summarize(&data);
    }

    #[test]
    fn random_body_after_valid_header_never_panics(body in proptest::collection::vec(any::<u8>(), 0..800)) {
        let mut h = vec![14u8, 0x20, 0x93, 0x08];
        h.extend_from_slice(&(body.len() as u32).to_le_bytes());
        h.extend_from_slice(b".FIT");
        h.extend_from_slice(&[0, 0]);
        h.extend_from_slice(&body);
        let _ = decode_all(&h);
        let _ = fit::summarize(&h);
        let mut v = Vec::new();
        let _ = fit::decode_reader(&h[..], fit::DecodeOptions::default(), |m| v.push(m));
    }

    #[test]
    fn bit_flips_keep_prefix(seed in 0usize..16, pos in any::<prop::sample::Index>(), bit in 0u8..8, n in 1usize..4) {
        let seeds = seeds();
        let orig_bytes = &seeds[seed % seeds.len()];
        let (orig, _) = decode_all(orig_bytes);
        let mut d = orig_bytes.clone();
        let p = pos.index(d.len());
        for k in 0..n {
            let q = (p + k * 7).min(d.len() - 1);
            d[q] ^= 1 << ((bit + k as u8) % 8);
        }
        let (m, rep) = decode_all(&d);
        assert!(rep.bytes_read <= d.len() as u64);
        assert_prefix_same(&orig, &m, p);
    }

    #[test]
    fn truncation_keeps_prefix(seed in 0usize..16, pos in any::<prop::sample::Index>()) {
        let seeds = seeds();
        let orig_bytes = &seeds[seed % seeds.len()];
        let (orig, orig_rep) = decode_all(orig_bytes);
        let p = pos.index(orig_bytes.len());
        let (m, rep) = decode_all(&orig_bytes[..p]);
        assert_prefix_same(&orig, &m, p);
        // In a chained file, cutting exactly where a later file starts leaves complete,
        // valid FIT files: nothing was lost inside them, so there is nothing to report.
        let at_chain_boundary = orig_rep.files.iter().skip(1).any(|f| f.offset == p as u64);
        if p < orig_bytes.len() && !at_chain_boundary {
            assert!(!rep.damage.is_empty() || !rep.file_crc_ok, "truncation at {p} not reported");
        }
    }

    #[test]
    fn insertion_keeps_prefix(seed in 0usize..16, pos in any::<prop::sample::Index>(), ins in proptest::collection::vec(any::<u8>(), 1..20)) {
        let seeds = seeds();
        let orig_bytes = &seeds[seed % seeds.len()];
        let (orig, _) = decode_all(orig_bytes);
        let p = pos.index(orig_bytes.len());
        let mut d = orig_bytes[..p].to_vec();
        d.extend_from_slice(&ins);
        d.extend_from_slice(&orig_bytes[p..]);
        let (m, _) = decode_all(&d);
        assert_prefix_same(&orig, &m, p);
    }
}

/// Found by cargo fuzz (issue 18): a file cut inside a record that also claims more than
/// the header's data size. A reader fed in small pieces chose "record past data end"
/// before it knew the input ended; a slice said "unexpected end of input".
#[test]
fn a_cut_record_past_the_data_end_reads_the_same_from_a_reader() {
    struct Dribble<'a>(&'a [u8]);
    impl std::io::Read for Dribble<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(7);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let data = include_bytes!("fixtures/fuzz-truncated-record-past-data-end.fit");
    let (_, from_slice) = fit::decode(data);
    let from_reader = fit::decode_reader(Dribble(data), fit::DecodeOptions::default(), |_| {});
    assert_eq!(from_slice, from_reader);
    assert_eq!(from_slice.damage[0].reason, fit::DamageReason::UnexpectedEof);
}
