//! Small helpers shared by the XML importers (GPX, TCX, Apple Health).

use super::Problem;
use chrono::{DateTime, NaiveDateTime, Utc};
use std::io::Read;

/// Parses the time formats wearables write, to UTC ms:
/// RFC 3339 with `Z` or an offset (fractions allowed), Apple Health's
/// `2024-01-01 08:00:00 +0100`, and zone-less `2024-01-01T08:00:00` (taken as UTC).
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    fixed_layout_time(s.as_bytes()).or_else(|| any_layout_time(s))
}

/// Every layout [`parse_time`] accepts, through chrono's format parser.
fn any_layout_time(s: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc).timestamp_millis());
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S %z") {
        return Some(t.with_timezone(&Utc).timestamp_millis());
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.fZ"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc().timestamp_millis());
        }
    }
    // "2010-08-05T14:23:59.000+02:00" handled above; "...+0200" (no colon):
    DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z")
        .ok()
        .map(|t| t.with_timezone(&Utc).timestamp_millis())
}

/// The two layouts that make up nearly every timestamp we read, without chrono's format
/// parser (which dominated Apple Health import time): Apple Health's
/// `2024-01-01 08:00:00 +0100` and GPX/TCX's `2024-01-01T07:00:00Z`. Anything else,
/// including out-of-range fields and leap seconds, returns `None` and takes the general
/// path; when this returns a value it is the one the general path would give.
fn fixed_layout_time(b: &[u8]) -> Option<i64> {
    fn num(b: &[u8]) -> Option<u32> {
        b.iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    }
    let offset_min: i64 = match b.len() {
        20 if b[10] == b'T' && b[19] == b'Z' => 0,
        25 if b[10] == b' ' && b[19] == b' ' && matches!(b[20], b'+' | b'-') => {
            let (h, m) = (num(&b[21..23])?, num(&b[23..25])?);
            if h > 23 || m > 59 {
                return None;
            }
            let mins = i64::from(h * 60 + m);
            if b[20] == b'-' {
                -mins
            } else {
                mins
            }
        }
        _ => return None,
    };
    if b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(num(&b[0..4])? as i32, num(&b[5..7])?, num(&b[8..10])?)?;
    let local = date.and_hms_opt(num(&b[11..13])?, num(&b[14..16])?, num(&b[17..19])?)?;
    Some(local.and_utc().timestamp_millis() - offset_min * 60_000)
}

/// 1-based line of a byte offset.
pub fn line_of(data: &[u8], offset: u64) -> u64 {
    let end = (offset as usize).min(data.len());
    1 + data[..end].iter().filter(|b| **b == b'\n').count() as u64
}

/// A problem at a byte offset of an in-memory document, with its line.
pub fn problem_at(data: &[u8], offset: u64, reason: impl Into<String>) -> Problem {
    Problem { offset: Some(offset), line: Some(line_of(data, offset)), reason: reason.into() }
}

/// Skips a UTF-8 byte-order mark.
pub fn strip_bom(data: &[u8]) -> &[u8] {
    data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data)
}

/// Problem when something precedes the XML declaration (readers reject it; we read on).
pub fn check_declaration(data: &[u8]) -> Option<Problem> {
    let d = strip_bom(data);
    let lead = d.iter().take_while(|b| b.is_ascii_whitespace()).count();
    (lead > 0 && d[lead..].starts_with(b"<?xml")).then(|| {
        Problem::at_byte(lead as u64, "the XML declaration is not at the start of the file (read anyway)")
    })
}

/// XML's white space (`S` in the spec).
fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn trim_xml_space(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if !is_xml_space(*first) {
            break;
        }
        b = rest;
    }
    while let [rest @ .., last] = b {
        if !is_xml_space(*last) {
            break;
        }
        b = rest;
    }
    b
}

/// Visits the `name="value"` pairs of a start tag's attribute bytes (quick-xml's
/// `BytesStart::attributes_raw`) as raw (name, value) slices, values not yet unescaped.
///
/// Why not quick-xml's attribute iterator: on an Apple Health export it was the largest
/// single cost of the parse (about a fifth), for nine attributes a record of which we
/// read six. This one only splits at `=` and quotes. It returns `false` at the first thing
/// that is not a plain, well-formed attribute (a name without `=`, an unquoted or unclosed
/// value, a name holding a quote, `<`, `>` or `&`, no space before the next name); the
/// caller then reads the element through quick-xml. Where it returns `true`, it gives the
/// pairs quick-xml gives (a property test below checks that on generated tags).
pub(crate) fn for_each_raw_attr<'a>(mut rest: &'a [u8], mut visit: impl FnMut(&'a [u8], &'a [u8])) -> bool {
    loop {
        rest = trim_xml_space(rest);
        if rest.is_empty() {
            return true;
        }
        let Some(eq) = memchr::memchr(b'=', rest) else { return false };
        let name = trim_xml_space(&rest[..eq]);
        if name.is_empty() || name.iter().any(|b| NOT_IN_A_PLAIN_NAME[usize::from(*b)]) {
            return false;
        }
        let value_on = trim_xml_space(&rest[eq + 1..]);
        let [quote @ (b'"' | b'\''), tail @ ..] = value_on else { return false };
        let Some(close) = memchr::memchr(*quote, tail) else { return false };
        visit(name, &tail[..close]);
        rest = &tail[close + 1..];
        if rest.first().is_some_and(|b| !is_xml_space(*b)) {
            return false;
        }
    }
}

/// Bytes that make [`for_each_raw_attr`] hand a name back to quick-xml: white space, quotes,
/// `<`, `>` and `&`. A table, so the check is one load per byte of a name.
static NOT_IN_A_PLAIN_NAME: [bool; 256] = {
    let mut t = [false; 256];
    let bad = *b" \t\r\n\"'<>&";
    let mut i = 0;
    while i < bad.len() {
        t[bad[i] as usize] = true;
        i += 1;
    }
    t
};

/// An attribute's raw value as text: UTF-8 checked, entities and character references
/// replaced (as quick-xml's `unescape_value`), borrowed unless there was one to replace.
pub(crate) fn attr_text(raw: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    let s = std::str::from_utf8(raw).ok()?;
    if memchr::memchr(b'&', raw).is_some() {
        quick_xml::escape::unescape(s).ok()
    } else {
        Some(std::borrow::Cow::Borrowed(s))
    }
}

pub fn f64_of(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A reader that makes real-world Apple Health exports parseable while streaming:
/// drops the internal DTD subset (`<!DOCTYPE HealthData [ ... ]>`, malformed in some iOS
/// versions) and replaces control characters that XML 1.0 forbids with spaces.
pub struct CleanReader<R: Read> {
    inner: R,
    state: DtdState,
    /// Bytes of a possible `<!DOCTYPE` prefix held back.
    pending: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    done: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum DtdState {
    Looking,
    InDoctype,
    InSubset,
    Finished,
}

impl<R: Read> CleanReader<R> {
    pub fn new(inner: R) -> Self {
        CleanReader {
            inner,
            state: DtdState::Looking,
            pending: Vec::new(),
            out: Vec::new(),
            pos: 0,
            done: false,
        }
    }

    fn process(&mut self, chunk: &[u8]) {
        const TAG: &[u8] = b"<!DOCTYPE";
        for &b in chunk {
            let b = if b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') { b' ' } else { b };
            match self.state {
                DtdState::Finished => self.out.push(b),
                DtdState::Looking => {
                    self.pending.push(b);
                    if TAG.starts_with(&self.pending) {
                        if self.pending.len() == TAG.len() {
                            self.out.extend_from_slice(TAG);
                            self.pending.clear();
                            self.state = DtdState::InDoctype;
                        }
                    } else {
                        // Not a DOCTYPE start: flush; stop looking once the root element began.
                        let flushed = std::mem::take(&mut self.pending);
                        let root =
                            flushed.len() >= 2 && flushed[0] == b'<' && flushed[1].is_ascii_alphabetic();
                        if b == b'<' {
                            self.out.extend_from_slice(&flushed[..flushed.len() - 1]);
                            self.pending.push(b'<');
                        } else {
                            self.out.extend_from_slice(&flushed);
                        }
                        if root {
                            self.out.extend_from_slice(&self.pending);
                            self.pending.clear();
                            self.state = DtdState::Finished;
                        }
                    }
                }
                DtdState::InDoctype => match b {
                    b'[' => self.state = DtdState::InSubset,
                    b'>' => {
                        self.out.push(b);
                        self.state = DtdState::Finished;
                    }
                    _ => self.out.push(b),
                },
                DtdState::InSubset => {
                    // Skip everything up to "]>" (the subset), keep the closing '>'.
                    if b == b'>' && self.pending.last() == Some(&b']') {
                        self.out.push(b'>');
                        self.pending.clear();
                        self.state = DtdState::Finished;
                    } else if !b.is_ascii_whitespace() {
                        self.pending.clear();
                        self.pending.push(b);
                    }
                }
            }
        }
    }
}

impl<R: Read> Read for CleanReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.state == DtdState::Finished && self.pos >= self.out.len() {
            // Past the prolog (nearly all of a multi-GB export): clean in place, no copy.
            let n = self.inner.read(buf)?;
            // Branch-free, so the compiler does it 32 bytes at a time.
            for b in &mut buf[..n] {
                let control = (*b < 0x20) & (*b != b'\t') & (*b != b'\n') & (*b != b'\r');
                *b = if control { b' ' } else { *b };
            }
            return Ok(n);
        }
        while self.pos >= self.out.len() {
            if self.done {
                return Ok(0);
            }
            self.out.clear();
            self.pos = 0;
            let mut chunk = [0u8; 64 * 1024];
            let n = self.inner.read(&mut chunk)?;
            if n == 0 {
                self.done = true;
                let rest = std::mem::take(&mut self.pending);
                if self.state == DtdState::Looking {
                    self.out.extend_from_slice(&rest);
                }
            } else {
                self.process(&chunk[..n]);
            }
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_every_zone_style() {
        let z = parse_time("2024-01-01T07:00:00Z").unwrap();
        assert_eq!(parse_time("2024-01-01 08:00:00 +0100"), Some(z));
        assert_eq!(parse_time("2024-01-01T08:00:00+01:00"), Some(z));
        assert_eq!(parse_time("2024-01-01T07:00:00.000Z"), Some(z));
        assert_eq!(parse_time("2024-01-01T07:00:00"), Some(z));
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn clean_reader_drops_the_dtd_subset_and_control_chars() {
        let src = b"<?xml version=\"1.0\"?>\n<!DOCTYPE HealthData [\n<!ATTLIST Foo bar CDATA #REQUIRED\n<!ELEMENT x (y)>\n]>\n<HealthData a=\"1\x0b2\"><Record/></HealthData>";
        for step in [1usize, 3, 7, 1000] {
            let mut r = CleanReader::new(ChunkReader(src, step));
            let mut s = String::new();
            r.read_to_string(&mut s).unwrap();
            assert_eq!(s, "<?xml version=\"1.0\"?>\n<!DOCTYPE HealthData >\n<HealthData a=\"1 2\"><Record/></HealthData>", "step {step}");
        }
    }

    proptest::proptest! {
        /// The fast path agrees with chrono's parser on every string of its two layouts,
        /// including impossible dates, leap seconds and out-of-range offsets.
        #[test]
        fn fixed_layouts_agree_with_chrono(y in 0u32..10000, mo in 0u32..14, d in 0u32..33, h in 0u32..26, mi in 0u32..61, sec in 0u32..62,
                                           apple in proptest::bool::ANY, plus in proptest::bool::ANY, oh in 0u32..30, om in 0u32..62) {
            let s = if apple {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{sec:02} {}{oh:02}{om:02}", if plus { '+' } else { '-' })
            } else {
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{sec:02}Z")
            };
            let fast = fixed_layout_time(s.as_bytes());
            if fast.is_some() {
                proptest::prop_assert_eq!(fast, any_layout_time(&s), "{}", s);
            }
            // ...and takes every string of them that chrono accepts, but leap seconds.
            proptest::prop_assert_eq!(fast.is_some(), any_layout_time(&s).is_some() && sec < 60, "{}", s);
        }
    }

    /// quick-xml's reading of a tag's attributes: the (name, raw value) pairs, or None if
    /// it found an error in any.
    fn quick_xml_attrs(attrs: &str) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
        let tag = quick_xml::events::BytesStart::from_content(format!("Record{attrs}"), 6);
        tag.attributes()
            .with_checks(false)
            .map(|a| a.ok().map(|a| (a.key.as_ref().to_vec(), a.value.to_vec())))
            .collect()
    }

    fn fast_attrs(attrs: &str) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut pairs = Vec::new();
        for_each_raw_attr(attrs.as_bytes(), |k, v| pairs.push((k.to_vec(), v.to_vec()))).then_some(pairs)
    }

    #[test]
    fn raw_attrs_of_a_health_record() {
        let attrs = r#" type="HKQuantityTypeIdentifierHeartRate" sourceName='Sam&#8217;s Watch' device="&lt;&lt;HKDevice&gt;"
	unit = "count/min" value="74""#;
        let pairs = fast_attrs(attrs).unwrap();
        assert_eq!(Some(pairs.clone()), quick_xml_attrs(attrs));
        assert_eq!(pairs.len(), 5);
        assert_eq!(pairs[3], (b"unit".to_vec(), b"count/min".to_vec()));
        assert_eq!(attr_text(&pairs[1].1).unwrap(), "Sam\u{2019}s Watch");
        assert_eq!(attr_text(&pairs[2].1).unwrap(), "<<HKDevice>");
        assert!(matches!(attr_text(b"count/min"), Some(std::borrow::Cow::Borrowed("count/min"))));
        assert_eq!(attr_text(b"&bogus;"), None);
        assert_eq!(attr_text(b"\xff"), None);
        // Not plain: handed back to quick-xml.
        for odd in [" value", " value=74", " value=\"74", " a=\"1\"b=\"2\"", " a\"=\"1\"", " =\"1\""] {
            assert_eq!(fast_attrs(odd), None, "{odd}");
        }
        assert_eq!(fast_attrs("  \n"), Some(vec![]));
    }

    proptest::proptest! {
        /// Well-formed attributes, in any spacing and quoting: the fast split takes them
        /// all and gives what quick-xml gives.
        #[test]
        fn raw_attrs_agree_with_quick_xml_on_well_formed_tags(
            attrs in proptest::collection::vec(("[a-zA-Z_:][a-zA-Z0-9_:.-]{0,12}", "[^\"<]{0,20}", proptest::bool::ANY, "[ \t\r\n]{1,3}", "[ \t\r\n]{0,2}", "[ \t\r\n]{0,2}"), 0..10),
            tail in "[ \t\r\n]{0,2}",
        ) {
            let mut s = String::new();
            for (name, value, single, lead, before, after) in &attrs {
                let q = if *single && !value.contains('\'') { '\'' } else { '"' };
                s.push_str(&format!("{lead}{name}{before}={after}{q}{value}{q}"));
            }
            s.push_str(&tail);
            let fast = fast_attrs(&s);
            proptest::prop_assert!(fast.is_some(), "refused {:?}", s);
            proptest::prop_assert_eq!(fast, quick_xml_attrs(&s), "{:?}", s);
        }

        /// Any mix of the characters that matter: where the fast split accepts, quick-xml
        /// reads the same pairs without an error.
        #[test]
        fn raw_attrs_never_disagree_with_quick_xml(parts in proptest::collection::vec(proptest::sample::select(vec![" ", "\t", "\n", "a", "type", "=", "\"", "'", "x y", "&lt;", "&", "<", ">", "\u{e9}", ":", "/"]), 0..24)) {
            let s: String = parts.concat();
            if let Some(fast) = fast_attrs(&s) {
                proptest::prop_assert_eq!(Some(fast), quick_xml_attrs(&s), "{:?}", s);
            }
        }
    }

    #[test]
    fn fast_path_takes_the_common_layouts() {
        assert!(fixed_layout_time(b"2015-01-01 00:10:00 +0000").is_some());
        assert!(fixed_layout_time(b"2015-01-01T00:10:00Z").is_some());
        assert_eq!(fixed_layout_time(b"2015-02-30 00:10:00 +0000"), None);
    }

    struct ChunkReader<'a>(&'a [u8], usize);
    impl Read for ChunkReader<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
}
