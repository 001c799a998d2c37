//! Streaming, sans-I/O FIT decoder.
//!
//! [`Decoder::step`] is the core: it is handed the not-yet-consumed input bytes (and whether
//! the input has ended) and either consumes one unit (header, record or CRC), asks for more
//! bytes, or reports the end. [`SliceDecoder`] and [`ReaderDecoder`] drive it over a byte
//! slice or an `impl Read`; both are iterators of [`FitMessage`] and keep a [`DecodeReport`].

use std::collections::HashMap;
use std::io::{ErrorKind, Read};
use std::sync::Arc;

use super::crc;
use super::message_profile;
use super::types::*;

/// Decoder options.
#[derive(Debug, Clone)]
pub struct DecodeOptions {
    /// Expand components (compressed speed/distance, speed -> enhanced_speed, ...). Default true.
    pub expand_components: bool,
    /// Stop at the first CRC mismatch (header or file) instead of reporting and going on.
    /// Default false.
    pub strict_crc: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions { expand_components: true, strict_crc: false }
    }
}

/// What one call of [`Decoder::step`] did.
#[derive(Debug)]
pub enum Event {
    /// Consumed a header, definition, CRC or skipped bytes; call again.
    Progress,
    /// Decoded a data message.
    Message(FitMessage),
    /// More input is needed (only when `eof` was false).
    NeedMore,
    /// Decoding has ended; the report is final.
    Finished,
}

/// Result of [`Decoder::step`]: how many input bytes were consumed, and what happened.
#[derive(Debug)]
pub struct Step {
    pub consumed: usize,
    pub event: Event,
}

/// One field of a definition, compiled once into what every message of that definition needs:
/// where its bytes are, how to read them, and the profile facts copied into each [`FitField`].
#[derive(Debug)]
struct FieldDef {
    num: u8,
    size: u8,
    /// Offset of the field's bytes in the record body.
    at: u16,
    base: BaseType,
    /// One element of a numeric base type (or one byte): read straight into an integer.
    scalar: bool,
    /// The raw bit pattern that means "invalid" for a scalar.
    invalid: u64,
    profile: Option<&'static FieldProfile>,
    /// The profile gives this field sub-fields or components (resolved after all fields are read).
    special: bool,
    name: Option<&'static str>,
    scale: f64,
    offset: f64,
    units: &'static str,
    ty: Option<&'static str>,
}

#[derive(Debug)]
struct DevFieldDef {
    num: u8,
    size: u8,
    dev_index: u8,
    /// Its description, looked up again only when the descriptions changed (`dev_gen`).
    desc: Option<Arc<DevFieldDescription>>,
}

/// A definition compiled into a decode plan (one per local message type).
#[derive(Debug)]
struct LocalDef {
    global: u16,
    big_endian: bool,
    mprof: Option<&'static MessageProfile>,
    fields: Vec<FieldDef>,
    dev: Vec<DevFieldDef>,
    /// The `Decoder::dev_gen` the descriptions in `dev` were looked up at.
    dev_gen: u64,
    size: usize,
    /// The last message of this plan: the next one is written over it in place, field by
    /// field (same layout, so no field is rebuilt and nothing is allocated).
    msg: FitMessage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Header,
    Data,
    Crc,
    /// Skipping damaged bytes, looking for the next FIT header; index of the damage entry.
    Resync(usize),
    Done,
}

#[derive(Debug)]
struct AccSlot {
    mesg: u16,
    field: u8,
    acc: u64,
    last: u64,
    init: bool,
    direct: Option<f64>,
}

/// The sans-I/O decoder state machine.
#[derive(Debug)]
pub struct Decoder {
    opts: DecodeOptions,
    state: State,
    /// Absolute offset of the next unconsumed byte.
    abs: u64,
    /// Absolute offset where the current file's data ends (None: unknown, data size 0).
    data_end: Option<u64>,
    crc: u16,
    defs: [Option<LocalDef>; 16],
    dev_descs: HashMap<(u8, u8), Arc<DevFieldDescription>>,
    dev_app_ids: HashMap<u8, Vec<u8>>,
    /// Bumped whenever `dev_descs` changes, so that plans know to look them up again.
    dev_gen: u64,
    last_ts: Option<u32>,
    accum: Vec<AccSlot>,
    report: DecodeReport,
    /// Local message type of the last decoded message (its plan holds the message).
    cur: usize,
    scratch: Scratch,
}

/// Work space of component expansion, kept between messages so that it allocates once.
#[derive(Debug, Default)]
struct Scratch {
    /// Fields of the current message whose profile has sub-fields or components.
    special: Vec<(usize, &'static FieldProfile)>,
    /// Bit elements of the fields whose components are expanded.
    elems: Vec<BitElement>,
    /// Pending expansions: bits (a range of `elems`, or one element) and their components.
    work: Vec<(Bits, &'static [Component])>,
    /// Expanded values in the order they were produced: (target field, value).
    expanded: Vec<(u8, f64)>,
}

/// Where the bits of a pending expansion are.
#[derive(Debug, Clone, Copy)]
enum Bits {
    Range(usize, usize),
    One(BitElement),
}

/// What one internal step did; a message is left in `Decoder::msg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ev {
    Progress,
    Message,
    NeedMore,
    Finished,
}

#[derive(Debug)]
struct RawStep {
    consumed: usize,
    ev: Ev,
}

fn empty_message() -> FitMessage {
    FitMessage {
        global_num: 0,
        name: None,
        local_num: 0,
        offset: 0,
        file_index: 0,
        fields: Vec::new(),
        dev_fields: Vec::new(),
        timestamp: None,
        compressed_timestamp: false,
    }
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new(DecodeOptions::default())
    }
}

const MAX_HEADER: usize = 255;

fn read_uint(b: &[u8], be: bool) -> u64 {
    let mut v: u64 = 0;
    if be {
        for &x in b {
            v = (v << 8) | x as u64;
        }
    } else {
        for &x in b.iter().rev() {
            v = (v << 8) | x as u64;
        }
    }
    v
}

fn sign_extend(v: u64, bytes: usize) -> i64 {
    let shift = 64 - 8 * bytes as u32;
    ((v << shift) as i64) >> shift
}

/// A valid scalar just read: kept out of [`FitValue`] until it is written into its field, so
/// that a field of the same kind as last message's only has its number overwritten.
#[derive(Debug, Clone, Copy)]
enum Num {
    U(u64),
    S(i64),
    F(f64),
}

impl Num {
    #[inline]
    fn put(self, dst: &mut FitValue) {
        match (dst, self) {
            (FitValue::UInt(x), Num::U(v)) => *x = v,
            (FitValue::SInt(x), Num::S(v)) => *x = v,
            (FitValue::Float(x), Num::F(v)) => *x = v,
            (dst, n) => *dst = n.into_value(),
        }
    }
    #[inline]
    fn into_value(self) -> FitValue {
        match self {
            Num::U(v) => FitValue::UInt(v),
            Num::S(v) => FitValue::SInt(v),
            Num::F(v) => FitValue::Float(v),
        }
    }
}

/// A field's decoded value: a scalar, or anything else (strings, arrays, bytes).
enum Decoded {
    Num(Num),
    Value(FitValue),
}

impl Decoded {
    fn as_u64(&self) -> Option<u64> {
        match self {
            Decoded::Num(Num::U(v)) => Some(*v),
            Decoded::Num(Num::S(v)) => u64::try_from(*v).ok(),
            Decoded::Num(Num::F(_)) => None,
            Decoded::Value(v) => v.as_u64(),
        }
    }
    fn as_f64(&self) -> Option<f64> {
        match self {
            Decoded::Num(Num::U(v)) => Some(*v as f64),
            Decoded::Num(Num::S(v)) => Some(*v as f64),
            Decoded::Num(Num::F(v)) => Some(*v),
            Decoded::Value(v) => v.as_f64(),
        }
    }
    fn into_value(self) -> FitValue {
        match self {
            Decoded::Num(n) => n.into_value(),
            Decoded::Value(v) => v,
        }
    }
}

/// One element of 1, 2, 4 or 8 bytes as an unsigned integer (other lengths: byte by byte).
#[inline]
fn read_scalar(b: &[u8], be: bool) -> u64 {
    match b.len() {
        1 => b[0] as u64,
        2 => {
            let a = [b[0], b[1]];
            (if be { u16::from_be_bytes(a) } else { u16::from_le_bytes(a) }) as u64
        }
        4 => {
            let a = [b[0], b[1], b[2], b[3]];
            (if be { u32::from_be_bytes(a) } else { u32::from_le_bytes(a) }) as u64
        }
        8 => {
            let a = [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]];
            if be {
                u64::from_be_bytes(a)
            } else {
                u64::from_le_bytes(a)
            }
        }
        _ => read_uint(b, be),
    }
}

fn scalar(raw: u64, base: BaseType) -> Option<FitValue> {
    if raw == base.invalid_bits() {
        return None;
    }
    scalar_value(raw, base)
}

/// A valid raw scalar as a value (None only for a NaN float).
#[inline]
fn scalar_value(raw: u64, base: BaseType) -> Option<FitValue> {
    Some(match base {
        // Any NaN is treated as invalid (not only the all-ones pattern).
        BaseType::Float32 => {
            FitValue::Float(Some(f32::from_bits(raw as u32) as f64).filter(|x| !x.is_nan())?)
        }
        BaseType::Float64 => FitValue::Float(Some(f64::from_bits(raw)).filter(|x| !x.is_nan())?),
        b if b.is_signed() => FitValue::SInt(sign_extend(raw, b.size())),
        _ => FitValue::UInt(raw),
    })
}

/// Decode the bytes of one field. None when the value is invalid (absent).
fn decode_value(b: &[u8], base: BaseType, be: bool) -> Option<FitValue> {
    match base {
        BaseType::String => {
            let mut out: Vec<String> = b
                .split(|&c| c == 0)
                .filter(|s| !s.is_empty())
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect();
            // Bytes after the first terminator are usually padding; keep extra strings as an array.
            match out.len() {
                0 => None,
                1 => out.pop().map(FitValue::String),
                _ => Some(FitValue::StringArray(out)),
            }
        }
        BaseType::Byte => {
            if b.iter().all(|&x| x == 0xFF) {
                None
            } else if b.len() == 1 {
                Some(FitValue::UInt(b[0] as u64))
            } else {
                Some(FitValue::Bytes(b.to_vec()))
            }
        }
        _ => {
            let sz = base.size();
            if b.len() == sz {
                return scalar(read_uint(b, be), base);
            }
            let inv = base.invalid_bits();
            let it = b.chunks_exact(sz).map(|c| read_uint(c, be));
            if base.is_float() {
                let v: Vec<Option<f64>> = it
                    .map(|r| {
                        if r == inv {
                            None
                        } else if sz == 4 {
                            Some(f32::from_bits(r as u32) as f64).filter(|x| !x.is_nan())
                        } else {
                            Some(f64::from_bits(r)).filter(|x| !x.is_nan())
                        }
                    })
                    .collect();
                if v.iter().all(|x| x.is_none()) {
                    None
                } else {
                    Some(FitValue::FloatArray(v))
                }
            } else if base.is_signed() {
                let v: Vec<Option<i64>> =
                    it.map(|r| if r == inv { None } else { Some(sign_extend(r, sz)) }).collect();
                if v.iter().all(|x| x.is_none()) {
                    None
                } else {
                    Some(FitValue::SIntArray(v))
                }
            } else {
                let v: Vec<Option<u64>> = it.map(|r| if r == inv { None } else { Some(r) }).collect();
                if v.iter().all(|x| x.is_none()) {
                    None
                } else {
                    Some(FitValue::UIntArray(v))
                }
            }
        }
    }
}

/// One element of a raw value for component bit extraction: (bits value, width in bits).
type BitElement = (u64, u32);

/// Elements of a raw value as (bits value, width) for component bit extraction.
fn bit_elements(v: &FitValue, base: BaseType, out: &mut Vec<BitElement>) {
    let w = (base.size() * 8) as u32;
    let mask = if w >= 64 { u64::MAX } else { (1u64 << w) - 1 };
    let inv = base.invalid_bits();
    match v {
        FitValue::UInt(x) => out.push((*x & mask, w)),
        FitValue::SInt(x) => out.push((*x as u64 & mask, w)),
        FitValue::Bytes(b) => out.extend(b.iter().map(|&x| (x as u64, 8))),
        FitValue::UIntArray(a) => out.extend(a.iter().map(|x| (x.unwrap_or(inv) & mask, w))),
        FitValue::SIntArray(a) => {
            out.extend(a.iter().map(|x| (x.map(|x| x as u64).unwrap_or(inv) & mask, w)))
        }
        _ => {}
    }
}

struct BitReader<'a> {
    elems: &'a [BitElement],
    idx: usize,
    used: u32,
}

impl BitReader<'_> {
    fn available(&self) -> u64 {
        let mut n: u64 = 0;
        for (i, &(_, w)) in self.elems.iter().enumerate().skip(self.idx) {
            n += if i == self.idx { (w - self.used) as u64 } else { w as u64 };
        }
        n
    }
    fn read(&mut self, bits: u32) -> u64 {
        let mut v: u64 = 0;
        let mut got: u32 = 0;
        while got < bits && self.idx < self.elems.len() {
            let (e, w) = self.elems[self.idx];
            let take = (w - self.used).min(bits - got);
            let part = if take >= 64 { e >> self.used } else { (e >> self.used) & ((1u64 << take) - 1) };
            if got < 64 {
                v |= part << got;
            }
            got += take;
            self.used += take;
            if self.used >= w {
                self.idx += 1;
                self.used = 0;
            }
        }
        v
    }
}

fn is_header(b: &[u8]) -> bool {
    b.len() >= 12 && b[0] >= 12 && &b[8..12] == b".FIT"
}

impl Decoder {
    pub fn new(opts: DecodeOptions) -> Self {
        Decoder {
            opts,
            state: State::Header,
            abs: 0,
            data_end: None,
            crc: 0,
            defs: Default::default(),
            dev_descs: HashMap::new(),
            dev_app_ids: HashMap::new(),
            dev_gen: 1,
            last_ts: None,
            accum: Vec::new(),
            report: DecodeReport { header_crc_ok: true, file_crc_ok: true, ..Default::default() },
            cur: 0,
            scratch: Scratch::default(),
        }
    }

    /// The report so far (final once `step` returned `Finished`).
    pub fn report(&self) -> &DecodeReport {
        &self.report
    }

    pub fn into_report(self) -> DecodeReport {
        self.report
    }

    /// Absolute offset of the next byte the decoder expects.
    pub fn position(&self) -> u64 {
        self.abs
    }

    /// Record an I/O error of the byte source and stop.
    pub fn io_error(&mut self, e: &std::io::Error) {
        self.damage(self.abs, DamageReason::Io(e.to_string()), 0);
        self.state = State::Done;
    }

    fn damage(&mut self, offset: u64, reason: DamageReason, skipped: u64) -> usize {
        self.report.damage.push(Damage { offset, reason, bytes_skipped: skipped });
        self.report.damage.len() - 1
    }

    fn consume(&mut self, n: usize, ev: Ev) -> RawStep {
        self.abs += n as u64;
        self.report.bytes_read = self.abs;
        RawStep { consumed: n, ev }
    }

    /// Record damage at `offset` (the current position) and skip bytes until the next FIT header.
    /// Consumes the first byte so that the scan always makes progress.
    fn start_resync(&mut self, offset: u64, reason: DamageReason, in_file: bool) -> RawStep {
        let idx = self.damage(offset, reason, 1);
        if in_file {
            if let Some(f) = self.report.files.last_mut() {
                if f.file_crc == CrcStatus::Absent {
                    f.file_crc = CrcStatus::Missing;
                }
            }
            self.report.file_crc_ok = false;
        }
        self.state = State::Resync(idx);
        self.consume(1, Ev::Progress)
    }

    fn reset_file_state(&mut self) {
        self.defs = Default::default();
        self.dev_descs.clear();
        self.dev_gen += 1;
        self.dev_app_ids.clear();
        self.last_ts = None;
        self.accum.clear();
    }

    /// Advance by one unit. `input` holds the bytes not consumed yet, starting at
    /// [`Decoder::position`]; `eof` tells that no more bytes will follow.
    pub fn step(&mut self, input: &[u8], eof: bool) -> Step {
        let s = self.advance(input, eof);
        let event = match s.ev {
            Ev::Progress => Event::Progress,
            Ev::Message => Event::Message(self.take_message()),
            Ev::NeedMore => Event::NeedMore,
            Ev::Finished => Event::Finished,
        };
        Step { consumed: s.consumed, event }
    }

    /// [`Decoder::step`] without handing the message over: it stays in its plan's `msg`, whose
    /// vectors the next message reuses.
    fn advance(&mut self, input: &[u8], eof: bool) -> RawStep {
        match self.state {
            State::Done => RawStep { consumed: 0, ev: Ev::Finished },
            State::Header => self.step_header(input, eof),
            State::Data => self.step_data(input, eof),
            State::Crc => self.step_crc(input, eof),
            State::Resync(idx) => self.step_resync(idx, input, eof),
        }
    }

    fn step_resync(&mut self, idx: usize, input: &[u8], eof: bool) -> RawStep {
        // Look for the next FIT header signature (a chained file after the damage).
        let mut p = 0;
        while p + 12 <= input.len() {
            if (input[p] == 12 || input[p] == 14) && &input[p + 8..p + 12] == b".FIT" {
                self.report.damage[idx].bytes_skipped += p as u64;
                self.state = State::Header;
                return self.consume(p, Ev::Progress);
            }
            p += 1;
        }
        if eof {
            self.report.damage[idx].bytes_skipped += input.len() as u64;
            self.state = State::Done;
            return self.consume(input.len(), Ev::Progress);
        }
        // Keep the last 11 bytes: they may begin a header.
        let n = input.len().saturating_sub(11);
        if n == 0 {
            return RawStep { consumed: 0, ev: Ev::NeedMore };
        }
        self.report.damage[idx].bytes_skipped += n as u64;
        self.consume(n, Ev::Progress)
    }

    fn step_header(&mut self, input: &[u8], eof: bool) -> RawStep {
        if input.is_empty() {
            if eof {
                if self.report.files.is_empty() {
                    self.damage(self.abs, DamageReason::UnexpectedEof, 0);
                }
                self.state = State::Done;
                return RawStep { consumed: 0, ev: Ev::Finished };
            }
            return RawStep { consumed: 0, ev: Ev::NeedMore };
        }
        let hsize = input[0] as usize;
        if input.len() < 12.max(hsize.min(MAX_HEADER)) && !eof {
            return RawStep { consumed: 0, ev: Ev::NeedMore };
        }
        if !is_header(input) {
            let reason = if input.len() < 12 && eof && (input[0] == 12 || input[0] == 14) {
                DamageReason::UnexpectedEof
            } else {
                DamageReason::NotFitHeader
            };
            let off = self.abs;
            return self.start_resync(off, reason, false);
        }
        if input.len() < hsize {
            // eof: header itself truncated
            let off = self.abs;
            self.damage(off, DamageReason::UnexpectedEof, input.len() as u64);
            self.state = State::Done;
            return self.consume(input.len(), Ev::Progress);
        }
        let h = &input[..hsize];
        let data_size = u32::from_le_bytes([h[4], h[5], h[6], h[7]]);
        let header_crc = if hsize >= 14 {
            let stored = u16::from_le_bytes([h[12], h[13]]);
            if stored == 0 {
                CrcStatus::Absent
            } else {
                let computed = crc::crc16(&h[..12]);
                if computed == stored {
                    CrcStatus::Ok
                } else {
                    CrcStatus::Mismatch { stored, computed }
                }
            }
        } else {
            CrcStatus::Absent
        };
        self.reset_file_state();
        let off = self.abs;
        self.report.files.push(FileReport {
            offset: off,
            header_size: hsize as u8,
            protocol_version: h[1],
            profile_version: u16::from_le_bytes([h[2], h[3]]),
            data_size,
            header_crc,
            file_crc: CrcStatus::Absent,
            messages: 0,
            definitions: 0,
        });
        self.report.chained_files = self.report.files.len();
        self.crc = crc::update(0, h);
        if let CrcStatus::Mismatch { stored, computed } = header_crc {
            self.report.header_crc_ok = false;
            self.damage(off, DamageReason::HeaderCrcMismatch { stored, computed }, 0);
            if self.opts.strict_crc {
                self.state = State::Done;
                return self.consume(hsize, Ev::Progress);
            }
        }
        if data_size == 0 {
            self.damage(off, DamageReason::ZeroDataSize, 0);
            self.data_end = None;
        } else {
            self.data_end = Some(off + hsize as u64 + data_size as u64);
        }
        self.state = State::Data;
        self.consume(hsize, Ev::Progress)
    }

    fn step_crc(&mut self, input: &[u8], eof: bool) -> RawStep {
        if input.len() < 2 {
            if !eof {
                return RawStep { consumed: 0, ev: Ev::NeedMore };
            }
            let off = self.abs;
            self.damage(off, DamageReason::MissingFileCrc, input.len() as u64);
            if let Some(f) = self.report.files.last_mut() {
                f.file_crc = CrcStatus::Missing;
            }
            self.report.file_crc_ok = false;
            self.state = State::Done;
            return self.consume(input.len(), Ev::Progress);
        }
        let stored = u16::from_le_bytes([input[0], input[1]]);
        let computed = self.crc;
        let status =
            if stored == computed { CrcStatus::Ok } else { CrcStatus::Mismatch { stored, computed } };
        if let Some(f) = self.report.files.last_mut() {
            f.file_crc = status;
        }
        self.state = State::Header;
        if status != CrcStatus::Ok {
            self.report.file_crc_ok = false;
            let off = self.abs;
            self.damage(off, DamageReason::FileCrcMismatch { stored, computed }, 0);
            if self.opts.strict_crc {
                self.state = State::Done;
            }
        }
        self.consume(2, Ev::Progress)
    }

    /// Length of the record at the start of `input`: Ok(None) when more bytes are needed.
    fn record_len(&self, input: &[u8]) -> Result<Option<usize>, DamageReason> {
        let hdr = input[0];
        if hdr & 0x80 != 0 {
            let local = (hdr >> 5) & 0x3;
            match &self.defs[local as usize] {
                Some(d) => Ok(Some(1 + d.size)),
                None => Err(DamageReason::UndefinedLocalMessage(local)),
            }
        } else if hdr & 0x40 != 0 {
            if input.len() < 6 {
                return Ok(None);
            }
            if input[2] > 1 {
                return Err(DamageReason::InvalidDefinition("architecture byte is not 0 or 1"));
            }
            let n = input[5] as usize;
            let mut len = 6 + 3 * n;
            if hdr & 0x20 != 0 {
                if input.len() < len + 1 {
                    return Ok(None);
                }
                len += 1 + 3 * input[len] as usize;
            }
            Ok(Some(len))
        } else {
            let local = hdr & 0x0F;
            match &self.defs[local as usize] {
                Some(d) => Ok(Some(1 + d.size)),
                None => Err(DamageReason::UndefinedLocalMessage(local)),
            }
        }
    }

    fn step_data(&mut self, input: &[u8], eof: bool) -> RawStep {
        let remaining = match self.data_end {
            Some(end) => {
                if self.abs >= end {
                    self.state = State::Crc;
                    return RawStep { consumed: 0, ev: Ev::Progress };
                }
                Some(end - self.abs)
            }
            None => None,
        };
        if input.is_empty() {
            if !eof {
                return RawStep { consumed: 0, ev: Ev::NeedMore };
            }
            if remaining.is_none() {
                // data size 0: read until end of input, no CRC to check
                if let Some(f) = self.report.files.last_mut() {
                    f.file_crc = CrcStatus::Missing;
                }
                self.report.file_crc_ok = false;
                self.state = State::Done;
                return RawStep { consumed: 0, ev: Ev::Finished };
            }
            let off = self.abs;
            self.damage(off, DamageReason::UnexpectedEof, 0);
            if let Some(f) = self.report.files.last_mut() {
                f.file_crc = CrcStatus::Missing;
            }
            self.report.file_crc_ok = false;
            self.state = State::Done;
            return RawStep { consumed: 0, ev: Ev::Finished };
        }
        let off = self.abs;
        let len = match self.record_len(input) {
            Ok(Some(l)) => l,
            Ok(None) => {
                if !eof {
                    return RawStep { consumed: 0, ev: Ev::NeedMore };
                }
                input.len() + 1 // forces the EOF path below
            }
            Err(reason) => {
                return self.start_resync(off, reason, true);
            }
        };
        if let Some(rem) = remaining {
            if len as u64 > rem {
                // Whether the input ends before the header's data end decides the reason, so
                // a reader must see up to `rem` bytes (less than one record) before choosing,
                // or it would report differently from a slice (found by cargo fuzz).
                if (input.len() as u64) < rem && !eof {
                    return RawStep { consumed: 0, ev: Ev::NeedMore };
                }
                if (input.len() as u64) < rem && eof {
                    // truncated input: the record is cut by the end of input
                    self.damage(off, DamageReason::UnexpectedEof, input.len() as u64);
                    if let Some(f) = self.report.files.last_mut() {
                        f.file_crc = CrcStatus::Missing;
                    }
                    self.report.file_crc_ok = false;
                    self.state = State::Done;
                    return self.consume(input.len(), Ev::Progress);
                }
                return self.start_resync(off, DamageReason::RecordPastDataEnd, true);
            }
        }
        if len > input.len() {
            if !eof {
                return RawStep { consumed: 0, ev: Ev::NeedMore };
            }
            self.damage(off, DamageReason::UnexpectedEof, input.len() as u64);
            if let Some(f) = self.report.files.last_mut() {
                f.file_crc = CrcStatus::Missing;
            }
            self.report.file_crc_ok = false;
            self.state = State::Done;
            return self.consume(input.len(), Ev::Progress);
        }
        let rec = &input[..len];
        self.crc = crc::update(self.crc, rec);
        let hdr = rec[0];
        if hdr & 0x80 == 0 && hdr & 0x40 != 0 {
            self.read_definition(rec);
            return self.consume(len, Ev::Progress);
        }
        let (local, ts_offset) =
            if hdr & 0x80 != 0 { ((hdr >> 5) & 3, Some(hdr & 0x1F)) } else { (hdr & 0x0F, None) };
        // The plan is taken out of its slot while the message is decoded (decoding a message
        // never changes definitions) and put back after: no reference count, no copy.
        // record_len() already checked that the slot is defined.
        if let Some(mut def) = self.defs[local as usize].take() {
            self.read_message(&mut def, local, &rec[1..], off, ts_offset);
            self.cur = local as usize;
            self.defs[local as usize] = Some(def);
        }
        self.report.messages += 1;
        if let Some(f) = self.report.files.last_mut() {
            f.messages += 1;
        }
        self.consume(len, Ev::Message)
    }

    /// The decoded message, moved out (the decoder starts the next one in new vectors).
    fn take_message(&mut self) -> FitMessage {
        let Some(m) = self.defs[self.cur].as_mut().map(|d| &mut d.msg) else { return empty_message() };
        FitMessage {
            global_num: m.global_num,
            name: m.name,
            local_num: m.local_num,
            offset: m.offset,
            file_index: m.file_index,
            fields: std::mem::take(&mut m.fields),
            dev_fields: std::mem::take(&mut m.dev_fields),
            timestamp: m.timestamp,
            compressed_timestamp: m.compressed_timestamp,
        }
    }

    /// The last decoded message (after [`Ev::Message`]).
    fn current(&self) -> Option<&FitMessage> {
        self.defs[self.cur].as_ref().map(|d| &d.msg)
    }

    fn read_definition(&mut self, rec: &[u8]) {
        let hdr = rec[0];
        let local = (hdr & 0x0F) as usize;
        let be = rec[2] == 1;
        let global =
            if be { u16::from_be_bytes([rec[3], rec[4]]) } else { u16::from_le_bytes([rec[3], rec[4]]) };
        let n = rec[5] as usize;
        let mprof = message_profile(global);
        // Reuse the vectors of the definition this one replaces: some files redefine often.
        let (mut fields, mut dev, msg) = match self.defs[local].take() {
            Some(d) => (d.fields, d.dev, d.msg),
            None => (Vec::with_capacity(n), Vec::new(), empty_message()),
        };
        fields.clear();
        dev.clear();
        let mut size = 0usize;
        for b in rec[6..6 + 3 * n].chunks_exact(3) {
            let (num, fsize) = (b[0], b[1]);
            let at = size;
            size += fsize as usize;
            if fsize == 0 {
                continue;
            }
            let mut base = BaseType::from_byte(b[2]).unwrap_or(BaseType::Byte);
            if !(fsize as usize).is_multiple_of(base.size()) {
                base = BaseType::Byte;
            }
            let profile = mprof.and_then(|m| m.field(num));
            let (name, ty) = match profile {
                Some(p) => (Some(p.name), Some(p.ty)),
                None if num == 253 => (Some("timestamp"), Some("date_time")),
                None => (None, None),
            };
            fields.push(FieldDef {
                num,
                size: fsize,
                // A record is at most 1 + 255 * 255 bytes long.
                at: u16::try_from(at).unwrap_or(u16::MAX),
                base,
                scalar: base != BaseType::String && fsize as usize == base.size(),
                invalid: base.invalid_bits(),
                profile,
                special: profile.is_some_and(|p| !p.components.is_empty() || !p.subfields.is_empty()),
                name,
                scale: profile.map_or(1.0, |p| p.scale),
                offset: profile.map_or(0.0, |p| p.offset),
                units: profile.map_or("", |p| p.units),
                ty,
            });
        }
        if hdr & 0x20 != 0 {
            let p = 6 + 3 * n;
            let nd = rec[p] as usize;
            for b in rec[p + 1..p + 1 + 3 * nd].chunks_exact(3) {
                size += b[1] as usize;
                dev.push(DevFieldDef { num: b[0], size: b[1], dev_index: b[2], desc: None });
            }
        }
        if let Some(f) = self.report.files.last_mut() {
            f.definitions += 1;
        }
        self.defs[local] =
            Some(LocalDef { global, big_endian: be, mprof, fields, dev, dev_gen: 0, size, msg });
    }

    fn accumulate(&mut self, mesg: u16, field: u8, v: u64, comp: &Component) -> u64 {
        let i = match self.accum.iter().position(|s| s.mesg == mesg && s.field == field) {
            Some(i) => i,
            None => {
                self.accum.push(AccSlot { mesg, field, acc: 0, last: 0, init: false, direct: None });
                self.accum.len() - 1
            }
        };
        let s = &mut self.accum[i];
        if let Some(p) = s.direct.take() {
            let cu = (p + comp.offset) * comp.scale;
            let cu = if cu.is_finite() && (0.0..1.8e19).contains(&cu) { cu.round() as u64 } else { 0 };
            s.acc = cu;
            s.last = cu;
            s.init = true;
        }
        if !s.init {
            s.acc = v;
            s.last = v;
            s.init = true;
            return v;
        }
        let mask = if comp.bits >= 64 { u64::MAX } else { (1u64 << comp.bits) - 1 };
        s.acc = s.acc.wrapping_add(v.wrapping_sub(s.last) & mask);
        s.last = v;
        s.acc
    }

    fn note_direct_accumulated(&mut self, mesg: u16, field: u8, phys: f64) {
        match self.accum.iter_mut().find(|s| s.mesg == mesg && s.field == field) {
            Some(s) => s.direct = Some(phys),
            None => {
                self.accum.push(AccSlot { mesg, field, acc: 0, last: 0, init: false, direct: Some(phys) })
            }
        }
    }

    /// Decode one data record into its plan's `msg` (written over the previous one).
    fn read_message(
        &mut self,
        def: &mut LocalDef,
        local: u8,
        body: &[u8],
        offset: u64,
        ts_offset: Option<u8>,
    ) {
        let be = def.big_endian;
        let mut msg = std::mem::replace(&mut def.msg, empty_message());
        // Fields are written over the previous message's in place (most messages repeat the
        // previous one's layout): no drop and rebuild of whole fields, then cut to length.
        let fields = &mut msg.fields;
        fields.reserve(def.fields.len() + 2);
        let mut k = 0;
        self.scratch.special.clear();
        let mut timestamp = None;
        for fd in &def.fields {
            let at = fd.at as usize;
            let Some(b) = body.get(at..at + fd.size as usize) else { continue };
            let value = if fd.scalar {
                let raw = read_scalar(b, be);
                if raw == fd.invalid {
                    continue;
                }
                Decoded::Num(match fd.base {
                    BaseType::Float32 => {
                        match Some(f32::from_bits(raw as u32) as f64).filter(|x| !x.is_nan()) {
                            Some(x) => Num::F(x),
                            None => continue,
                        }
                    }
                    BaseType::Float64 => match Some(f64::from_bits(raw)).filter(|x| !x.is_nan()) {
                        Some(x) => Num::F(x),
                        None => continue,
                    },
                    BaseType::SInt8 | BaseType::SInt16 | BaseType::SInt32 | BaseType::SInt64 => {
                        Num::S(sign_extend(raw, fd.size as usize))
                    }
                    _ => Num::U(raw),
                })
            } else {
                match decode_value(b, fd.base, be) {
                    Some(v) => Decoded::Value(v),
                    None => continue,
                }
            };
            if fd.num == 253 {
                if let Some(t) = value.as_u64().and_then(|v| u32::try_from(v).ok()) {
                    self.last_ts = Some(t);
                    timestamp = Some(FitTime::from_raw(t));
                }
            }
            if let Some(p) = fd.profile {
                if fd.special {
                    self.scratch.special.push((k, p));
                }
                if p.accumulate {
                    if let Some(x) = value.as_f64() {
                        self.note_direct_accumulated(def.global, p.num, x / p.scale - p.offset);
                    }
                }
            }
            match fields.get_mut(k) {
                Some(f) => {
                    f.num = fd.num;
                    f.name = fd.name;
                    f.base_type = fd.base;
                    match value {
                        Decoded::Num(n) => n.put(&mut f.value),
                        Decoded::Value(v) => f.value = v,
                    }
                    f.scale = fd.scale;
                    f.offset = fd.offset;
                    f.units = fd.units;
                    f.ty = fd.ty;
                    f.kind = FieldKind::Plain;
                }
                None => fields.push(FitField {
                    num: fd.num,
                    name: fd.name,
                    base_type: fd.base,
                    value: value.into_value(),
                    scale: fd.scale,
                    offset: fd.offset,
                    units: fd.units,
                    ty: fd.ty,
                    kind: FieldKind::Plain,
                }),
            }
            k += 1;
        }
        fields.truncate(k);
        // Developer fields.
        if def.dev_gen != self.dev_gen {
            for dd in &mut def.dev {
                dd.desc = self.dev_descs.get(&(dd.dev_index, dd.num)).cloned();
            }
            def.dev_gen = self.dev_gen;
        }
        let mut pos = def.size - def.dev.iter().map(|d| d.size as usize).sum::<usize>();
        let mut k = 0;
        for dd in &def.dev {
            let Some(b) = body.get(pos..pos + dd.size as usize) else { break };
            pos += dd.size as usize;
            if b.is_empty() {
                continue;
            }
            let value = match &dd.desc {
                Some(d) => {
                    let base = if !b.len().is_multiple_of(d.base_type.size()) {
                        BaseType::Byte
                    } else {
                        d.base_type
                    };
                    if base != BaseType::String && b.len() == base.size() {
                        scalar(read_scalar(b, be), base)
                    } else {
                        decode_value(b, base, be)
                    }
                }
                None => Some(FitValue::Bytes(b.to_vec())),
            };
            let Some(value) = value else { continue };
            match msg.dev_fields.get_mut(k) {
                // The same field as in the previous message: only the value changes (and the
                // description's reference count is left alone).
                Some(f)
                    if f.developer_data_index == dd.dev_index
                        && f.num == dd.num
                        && match (&f.description, &dd.desc) {
                            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                            (None, None) => true,
                            _ => false,
                        } =>
                {
                    f.value = value;
                }
                Some(f) => {
                    *f = DevField {
                        developer_data_index: dd.dev_index,
                        num: dd.num,
                        description: dd.desc.clone(),
                        value,
                    };
                }
                None => msg.dev_fields.push(DevField {
                    developer_data_index: dd.dev_index,
                    num: dd.num,
                    description: dd.desc.clone(),
                    value,
                }),
            }
            k += 1;
        }
        msg.dev_fields.truncate(k);
        if let Some(off) = ts_offset {
            let last = self.last_ts.unwrap_or(0);
            let off = off as u32;
            let mut t = (last & !0x1F).wrapping_add(off);
            if off < (last & 0x1F) {
                t = t.wrapping_add(0x20);
            }
            self.last_ts = Some(t);
            timestamp = Some(FitTime::from_raw(t));
        }
        if !self.scratch.special.is_empty() {
            if let Some(mprof) = def.mprof {
                self.apply_subfields_and_components(def.global, mprof, &mut msg.fields);
            }
        }
        msg.global_num = def.global;
        msg.name = def.mprof.map(|m| m.name);
        msg.local_num = local;
        msg.offset = offset;
        msg.file_index = self.report.files.len().saturating_sub(1) as u32;
        msg.timestamp = timestamp;
        msg.compressed_timestamp = ts_offset.is_some();
        match def.global {
            206 => self.register_field_description(&msg),
            207 => {
                if let Some(idx) = msg.u64("developer_data_index") {
                    if let Some(app) = msg.field_by_name("application_id") {
                        let bytes = match &app.value {
                            FitValue::Bytes(b) => b.clone(),
                            other => other.numbers().iter().map(|&x| x as u8).collect(),
                        };
                        self.dev_app_ids.insert(idx as u8, bytes);
                    }
                }
            }
            _ => {}
        }
        def.msg = msg;
    }

    /// Sub-fields and components of the fields listed in `scratch.special`.
    fn apply_subfields_and_components(
        &mut self,
        global: u16,
        mprof: &'static MessageProfile,
        fields: &mut Vec<FitField>,
    ) {
        let mut sc = std::mem::take(&mut self.scratch);
        sc.elems.clear();
        sc.work.clear();
        sc.expanded.clear();
        // Sub-fields: pick the first whose reference field has the listed raw value.
        for &(i, p) in &sc.special {
            let mut chosen: Option<&'static SubField> = None;
            'outer: for sf in p.subfields {
                for &(rnum, rval) in sf.refs {
                    if let Some(r) = fields.iter().find(|f| f.num == rnum) {
                        if r.value.as_u64() == Some(rval as u64) {
                            chosen = Some(sf);
                            break 'outer;
                        }
                    }
                }
            }
            let comps = if let Some(sf) = chosen {
                let f = &mut fields[i];
                f.kind = FieldKind::SubField(sf.name);
                f.scale = sf.scale;
                f.offset = sf.offset;
                f.units = sf.units;
                f.ty = Some(sf.ty);
                sf.components
            } else {
                p.components
            };
            if !comps.is_empty() && self.opts.expand_components {
                let start = sc.elems.len();
                bit_elements(&fields[i].value, fields[i].base_type, &mut sc.elems);
                sc.work.push((Bits::Range(start, sc.elems.len()), comps));
            }
        }
        // The work list is a stack: the last field's components are expanded first.
        let mut guard = 0;
        while let Some((bits, cs)) = sc.work.pop() {
            guard += 1;
            if guard > 64 {
                break;
            }
            let one;
            let elems: &[BitElement] = match bits {
                Bits::Range(a, b) => &sc.elems[a..b],
                Bits::One(e) => {
                    one = [e];
                    &one
                }
            };
            let mut br = BitReader { elems, idx: 0, used: 0 };
            for c in cs {
                if br.available() < c.bits as u64 {
                    break;
                }
                let mut v = br.read(c.bits as u32);
                if c.accumulate {
                    v = self.accumulate(global, c.target, v, c);
                }
                let phys = v as f64 / c.scale - c.offset;
                if let Some(tp) = mprof.field(c.target) {
                    let raw_t = (phys + tp.offset) * tp.scale;
                    let tbase = BaseType::from_byte(tp.base_type).unwrap_or(BaseType::Byte);
                    let raw_u = if raw_t.is_finite() && (0.0..1.8e19).contains(&raw_t) {
                        raw_t as u64
                    } else {
                        u64::MAX
                    };
                    if raw_u == tbase.invalid_bits() && !tbase.is_float() && tbase != BaseType::String {
                        // invalid value: not added
                    } else {
                        sc.expanded.push((c.target, phys));
                        if !tp.components.is_empty() {
                            let w = (tbase.size() * 8) as u32;
                            sc.work.push((Bits::One((raw_u, w)), tp.components));
                        }
                    }
                }
                if br.available() == 0 {
                    break;
                }
            }
        }
        // One field per target, in the order the targets first appeared.
        for k in 0..sc.expanded.len() {
            let (num, x) = sc.expanded[k];
            if sc.expanded[..k].iter().any(|e| e.0 == num) || fields.iter().any(|f| f.num == num) {
                // An earlier value of the same target made the field already, or the file
                // wrote this field itself: keep the file's value.
                continue;
            }
            let Some(tp) = mprof.field(num) else { continue };
            let more = sc.expanded[k + 1..].iter().any(|e| e.0 == num);
            // A field that is not an array takes the last value expanded into it (as the FIT
            // SDK does): speed -> enhanced_speed, then compressed_speed_distance -> speed ->
            // enhanced_speed again must not make enhanced_speed an array of two.
            let x = if tp.array {
                x
            } else {
                sc.expanded[k..].iter().rev().find(|e| e.0 == num).map_or(x, |e| e.1)
            };
            let value = if !more || !tp.array {
                if tp.scale == 1.0 && tp.offset == 0.0 && x.fract() == 0.0 && x.abs() < 9.0e15 {
                    if x < 0.0 {
                        FitValue::SInt(x as i64)
                    } else {
                        FitValue::UInt(x as u64)
                    }
                } else {
                    FitValue::Float(x)
                }
            } else {
                FitValue::FloatArray(
                    sc.expanded[k..].iter().filter(|e| e.0 == num).map(|e| Some(e.1)).collect(),
                )
            };
            fields.push(FitField {
                num,
                name: Some(tp.name),
                base_type: BaseType::from_byte(tp.base_type).unwrap_or(BaseType::Byte),
                value,
                scale: 1.0,
                offset: 0.0,
                units: tp.units,
                ty: Some(tp.ty),
                kind: FieldKind::Expanded,
            });
        }
        self.scratch = sc;
    }

    fn register_field_description(&mut self, msg: &FitMessage) {
        let idx = match msg.u64("developer_data_index") {
            Some(v) => v as u8,
            None => return,
        };
        let num = match msg.u64("field_definition_number") {
            Some(v) => v as u8,
            None => return,
        };
        let base =
            msg.u64("fit_base_type_id").and_then(|b| BaseType::from_byte(b as u8)).unwrap_or(BaseType::Byte);
        let s = |name: &str| -> Option<String> {
            match msg.field_by_name(name).map(|f| &f.value) {
                Some(FitValue::String(s)) => Some(s.clone()),
                Some(FitValue::StringArray(a)) => a.first().cloned(),
                _ => None,
            }
        };
        let scale = msg.field_by_name("scale").and_then(|f| f.value.as_f64()).unwrap_or(1.0);
        let offset = msg.field_by_name("offset").and_then(|f| f.value.as_f64()).unwrap_or(0.0);
        let d = DevFieldDescription {
            developer_data_index: idx,
            field_num: num,
            base_type: base,
            name: s("field_name"),
            units: s("units"),
            scale: if scale == 0.0 { 1.0 } else { scale },
            offset,
            native_mesg_num: msg.u64("native_mesg_num").map(|v| v as u16),
            native_field_num: msg.u64("native_field_num").map(|v| v as u8),
            application_id: self.dev_app_ids.get(&idx).cloned(),
        };
        self.dev_descs.insert((idx, num), Arc::new(d));
        self.dev_gen += 1;
    }
}

// ---------------------------------------------------------------- drivers

/// Iterator of messages over a byte slice (zero-copy input).
pub struct SliceDecoder<'a> {
    data: &'a [u8],
    pos: usize,
    core: Decoder,
}

impl<'a> SliceDecoder<'a> {
    pub fn new(data: &'a [u8], opts: DecodeOptions) -> Self {
        SliceDecoder { data, pos: 0, core: Decoder::new(opts) }
    }
    pub fn report(&self) -> &DecodeReport {
        self.core.report()
    }
    /// Drain the remaining messages and return the final report.
    pub fn finish(mut self) -> DecodeReport {
        while self.advance_to_message() {}
        self.core.into_report()
    }

    /// The next message, borrowed until the next call: the decoder decodes every message
    /// into the same vectors, so nothing is allocated per message (but strings and arrays).
    /// The fastest way to read; [`Iterator::next`] hands out owned messages instead.
    pub fn next_ref(&mut self) -> Option<&FitMessage> {
        if self.advance_to_message() {
            self.core.current()
        } else {
            None
        }
    }

    /// Step until a message is decoded (true) or the input is done (false).
    fn advance_to_message(&mut self) -> bool {
        loop {
            let input = self.data.get(self.pos..).unwrap_or(&[]);
            let s = self.core.advance(input, true);
            self.pos += s.consumed;
            match s.ev {
                Ev::Message => return true,
                Ev::Progress => {}
                Ev::NeedMore | Ev::Finished => return false,
            }
        }
    }
}

impl Iterator for SliceDecoder<'_> {
    type Item = FitMessage;
    fn next(&mut self) -> Option<FitMessage> {
        if self.advance_to_message() {
            Some(self.core.take_message())
        } else {
            None
        }
    }
}

/// Iterator of messages over an `impl Read`, reading up to 16 KiB at a time.
pub struct ReaderDecoder<R: Read> {
    reader: R,
    buf: Vec<u8>,
    start: usize,
    eof: bool,
    core: Decoder,
}

impl<R: Read> ReaderDecoder<R> {
    pub fn new(reader: R, opts: DecodeOptions) -> Self {
        ReaderDecoder { reader, buf: Vec::new(), start: 0, eof: false, core: Decoder::new(opts) }
    }
    pub fn report(&self) -> &DecodeReport {
        self.core.report()
    }
    pub fn finish(mut self) -> DecodeReport {
        while self.advance_to_message() {}
        self.core.into_report()
    }

    /// The next message, borrowed until the next call (see [`SliceDecoder::next_ref`]).
    pub fn next_ref(&mut self) -> Option<&FitMessage> {
        if self.advance_to_message() {
            self.core.current()
        } else {
            None
        }
    }

    /// Step (reading more input when needed) until a message is decoded (true) or the
    /// input is done (false).
    fn advance_to_message(&mut self) -> bool {
        loop {
            let s = self.core.advance(&self.buf[self.start..], self.eof);
            self.start += s.consumed;
            match s.ev {
                Ev::Message => return true,
                Ev::Progress => {}
                Ev::NeedMore => {
                    if self.eof {
                        return false;
                    }
                    self.fill();
                }
                Ev::Finished => return false,
            }
        }
    }

    fn fill(&mut self) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let mut chunk = [0u8; 16384];
        loop {
            match self.reader.read(&mut chunk) {
                Ok(0) => {
                    self.eof = true;
                    return;
                }
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n.min(chunk.len())]);
                    return;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.eof = true;
                    self.core.io_error(&e);
                    return;
                }
            }
        }
    }
}

impl<R: Read> Iterator for ReaderDecoder<R> {
    type Item = FitMessage;
    fn next(&mut self) -> Option<FitMessage> {
        if self.advance_to_message() {
            Some(self.core.take_message())
        } else {
            None
        }
    }
}

/// Decode a whole slice: all messages and the report.
pub fn decode(data: &[u8]) -> (Vec<FitMessage>, DecodeReport) {
    let mut it = SliceDecoder::new(data, DecodeOptions::default());
    let msgs: Vec<FitMessage> = it.by_ref().collect();
    (msgs, it.core.into_report())
}

/// Decode a slice, handing each message to `f` as it is decoded.
pub fn decode_with(data: &[u8], opts: DecodeOptions, mut f: impl FnMut(FitMessage)) -> DecodeReport {
    let mut it = SliceDecoder::new(data, opts);
    for m in it.by_ref() {
        f(m);
    }
    it.core.into_report()
}

/// Decode a slice, lending each message to `f`: the fastest way to read, since every
/// message is decoded into the same reused vectors (no allocation per message).
pub fn decode_each(data: &[u8], opts: DecodeOptions, mut f: impl FnMut(&FitMessage)) -> DecodeReport {
    let mut it = SliceDecoder::new(data, opts);
    while let Some(m) = it.next_ref() {
        f(m);
    }
    it.core.into_report()
}

/// Streaming decode from a reader (messages handed to `f` one by one).
pub fn decode_reader<R: Read>(reader: R, opts: DecodeOptions, mut f: impl FnMut(FitMessage)) -> DecodeReport {
    let mut it = ReaderDecoder::new(reader, opts);
    for m in it.by_ref() {
        f(m);
    }
    it.core.into_report()
}
