//! Arbitrary bytes through every public entry point of fitstream: nothing may panic, and
//! decoding from a slice and from a reader (fed in small pieces) must agree.
#![no_main]

use std::io::Read;

use fitstream::{decode, decode_reader, summarize, DecodeOptions, SliceDecoder};
use libfuzzer_sys::fuzz_target;

/// A reader that hands out at most 7 bytes per call, to exercise the decoder's NeedMore path.
struct Dribble<'a>(&'a [u8]);

impl Read for Dribble<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.0.len()).min(7);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

fuzz_target!(|data: &[u8]| {
    let (from_slice, slice_report) = decode(data);

    let mut from_reader = Vec::new();
    let reader_report = decode_reader(Dribble(data), DecodeOptions::default(), |m| from_reader.push(m));
    // Compared as Debug text: a float field may hold NaN, which is never == itself.
    assert_eq!(format!("{from_slice:?}"), format!("{from_reader:?}"), "slice and reader decoding differ");
    assert_eq!(slice_report, reader_report, "slice and reader reports differ");
    assert_eq!(slice_report.messages, from_slice.len());
    assert!(slice_report.bytes_read <= data.len() as u64);

    for opts in [
        DecodeOptions { strict_crc: true, ..DecodeOptions::default() },
        DecodeOptions { expand_components: false, ..DecodeOptions::default() },
    ] {
        let mut it = SliceDecoder::new(data, opts);
        for m in it.by_ref() {
            // Touch the accessors that interpret values.
            for f in &m.fields {
                let _ = (f.scaled(), f.enum_name(), f.time(), f.display_name());
            }
            for d in &m.dev_fields {
                let _ = (d.name(), d.f64());
            }
        }
        let report = it.finish();
        for d in &report.damage {
            let _ = d.to_string();
        }
    }

    let _ = summarize(data);
});
