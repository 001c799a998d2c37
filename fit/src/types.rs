//! Public data types of the FIT decoder and the structs used by the generated profile.

use std::fmt;
use std::sync::Arc;

/// Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
pub const FIT_EPOCH_UNIX: i64 = 631_065_600;
/// FIT `date_time` values below this are "seconds since device power-on", not dates.
pub const FIT_MIN_ABSOLUTE: u32 = 0x1000_0000;

// ---------------------------------------------------------------- profile structs

/// A component: bits taken from a field and expanded into another field of the same message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Component {
    pub target: u8,
    pub bits: u8,
    pub scale: f64,
    pub offset: f64,
    pub accumulate: bool,
}

/// A sub-field: another interpretation of a field when a reference field has a given raw value.
#[derive(Debug, Clone, Copy)]
pub struct SubField {
    pub name: &'static str,
    pub ty: &'static str,
    pub scale: f64,
    pub offset: f64,
    pub units: &'static str,
    /// (reference field number, raw value) pairs: any one matching selects this sub-field.
    pub refs: &'static [(u8, u32)],
    pub components: &'static [Component],
}

/// Profile description of a field.
#[derive(Debug, Clone, Copy)]
pub struct FieldProfile {
    pub num: u8,
    pub name: &'static str,
    /// FIT base type byte (e.g. 0x84 = uint16).
    pub base_type: u8,
    /// Profile type name ("date_time", "manufacturer", "uint16", ...).
    pub ty: &'static str,
    pub scale: f64,
    pub offset: f64,
    pub units: &'static str,
    pub array: bool,
    /// The field is accumulated when it is the target of a component.
    pub accumulate: bool,
    pub components: &'static [Component],
    pub subfields: &'static [SubField],
}

/// Profile description of a message.
#[derive(Debug, Clone, Copy)]
pub struct MessageProfile {
    pub num: u16,
    pub name: &'static str,
    pub fields: &'static [FieldProfile],
}

impl MessageProfile {
    pub fn field(&self, num: u8) -> Option<&'static FieldProfile> {
        let fields: &'static [FieldProfile] = self.fields;
        fields.binary_search_by_key(&num, |f| f.num).ok().map(|i| &fields[i])
    }
    pub fn field_by_name(&self, name: &str) -> Option<&'static FieldProfile> {
        let fields: &'static [FieldProfile] = self.fields;
        fields.iter().find(|f| f.name == name)
    }
}

/// Named values of a profile type (enum).
#[derive(Debug, Clone, Copy)]
pub struct TypeProfile {
    pub name: &'static str,
    pub values: &'static [(u32, &'static str)],
}

// ---------------------------------------------------------------- base types

/// The 17 FIT base types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaseType {
    Enum,
    SInt8,
    UInt8,
    SInt16,
    UInt16,
    SInt32,
    UInt32,
    String,
    Float32,
    Float64,
    UInt8z,
    UInt16z,
    UInt32z,
    Byte,
    SInt64,
    UInt64,
    UInt64z,
}

impl BaseType {
    /// From the base type byte of a definition (the low 5 bits select the type).
    pub fn from_byte(b: u8) -> Option<BaseType> {
        Some(match b & 0x1F {
            0x00 => BaseType::Enum,
            0x01 => BaseType::SInt8,
            0x02 => BaseType::UInt8,
            0x03 => BaseType::SInt16,
            0x04 => BaseType::UInt16,
            0x05 => BaseType::SInt32,
            0x06 => BaseType::UInt32,
            0x07 => BaseType::String,
            0x08 => BaseType::Float32,
            0x09 => BaseType::Float64,
            0x0A => BaseType::UInt8z,
            0x0B => BaseType::UInt16z,
            0x0C => BaseType::UInt32z,
            0x0D => BaseType::Byte,
            0x0E => BaseType::SInt64,
            0x0F => BaseType::UInt64,
            0x10 => BaseType::UInt64z,
            _ => return None,
        })
    }
    /// Size in bytes of one element.
    pub fn size(self) -> usize {
        use BaseType::*;
        match self {
            Enum | SInt8 | UInt8 | String | UInt8z | Byte => 1,
            SInt16 | UInt16 | UInt16z => 2,
            SInt32 | UInt32 | Float32 | UInt32z => 4,
            Float64 | SInt64 | UInt64 | UInt64z => 8,
        }
    }
    pub fn is_signed(self) -> bool {
        matches!(self, BaseType::SInt8 | BaseType::SInt16 | BaseType::SInt32 | BaseType::SInt64)
    }
    pub fn is_float(self) -> bool {
        matches!(self, BaseType::Float32 | BaseType::Float64)
    }
    /// The invalid value of an integer type, as the raw unsigned bit pattern.
    pub fn invalid_bits(self) -> u64 {
        use BaseType::*;
        match self {
            Enum | UInt8 | Byte => 0xFF,
            SInt8 => 0x7F,
            SInt16 => 0x7FFF,
            UInt16 => 0xFFFF,
            SInt32 => 0x7FFF_FFFF,
            UInt32 | Float32 => 0xFFFF_FFFF,
            Float64 | UInt64 => u64::MAX,
            SInt64 => 0x7FFF_FFFF_FFFF_FFFF,
            String | UInt8z | UInt16z | UInt32z | UInt64z => 0,
        }
    }
}

// ---------------------------------------------------------------- values

/// A decoded value. Numbers are RAW (before the profile scale/offset) except for fields
/// produced by component expansion, which hold their final value (see [`FitField::kind`]).
/// Array elements that hold the invalid value are `None`.
#[derive(Debug, Clone, PartialEq)]
pub enum FitValue {
    SInt(i64),
    UInt(u64),
    Float(f64),
    String(String),
    Bytes(Vec<u8>),
    SIntArray(Vec<Option<i64>>),
    UIntArray(Vec<Option<u64>>),
    FloatArray(Vec<Option<f64>>),
    StringArray(Vec<String>),
}

impl FitValue {
    /// The value as f64 when it is a scalar number.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            FitValue::SInt(v) => Some(v as f64),
            FitValue::UInt(v) => Some(v as f64),
            FitValue::Float(v) => Some(v),
            _ => None,
        }
    }
    /// The value as u64 when it is a non-negative integer scalar.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            FitValue::SInt(v) if v >= 0 => Some(v as u64),
            FitValue::UInt(v) => Some(v),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            FitValue::SInt(v) => Some(v),
            FitValue::UInt(v) if v <= i64::MAX as u64 => Some(v as i64),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            FitValue::String(s) => Some(s),
            _ => None,
        }
    }
    /// Every numeric element as f64 (scalars give one element; invalid elements skipped).
    pub fn numbers(&self) -> Vec<f64> {
        match self {
            FitValue::SInt(v) => vec![*v as f64],
            FitValue::UInt(v) => vec![*v as f64],
            FitValue::Float(v) => vec![*v],
            FitValue::Bytes(b) => b.iter().map(|&x| x as f64).collect(),
            FitValue::SIntArray(a) => a.iter().flatten().map(|&x| x as f64).collect(),
            FitValue::UIntArray(a) => a.iter().flatten().map(|&x| x as f64).collect(),
            FitValue::FloatArray(a) => a.iter().flatten().copied().collect(),
            _ => Vec::new(),
        }
    }
}

/// A time stamp as written in a FIT file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FitTime {
    /// UTC, in Unix seconds.
    Utc(i64),
    /// Seconds since the device was powered on (raw value < 0x10000000).
    Relative(u32),
}

impl FitTime {
    pub fn from_raw(raw: u32) -> FitTime {
        if raw < FIT_MIN_ABSOLUTE {
            FitTime::Relative(raw)
        } else {
            FitTime::Utc(raw as i64 + FIT_EPOCH_UNIX)
        }
    }
    /// Unix seconds when this is an absolute time.
    pub fn unix(self) -> Option<i64> {
        match self {
            FitTime::Utc(t) => Some(t),
            FitTime::Relative(_) => None,
        }
    }
}

/// How a field came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Read from the file as defined in the profile (or unknown to the profile).
    Plain,
    /// Read from the file and interpreted as the named sub-field.
    SubField(&'static str),
    /// Produced by expanding a component of another field; `value` is final (scale 1, offset 0).
    Expanded,
}

/// One decoded field of a message.
#[derive(Debug, Clone, PartialEq)]
pub struct FitField {
    pub num: u8,
    /// Profile name (the main field name even when a sub-field applies; see `kind`).
    pub name: Option<&'static str>,
    /// Base type as written in the file (after fixing misaligned sizes to `Byte`/`UInt8`).
    pub base_type: BaseType,
    /// Raw value (see [`FitValue`]).
    pub value: FitValue,
    /// Profile scale (1 when unknown). Physical = raw / scale - offset.
    pub scale: f64,
    pub offset: f64,
    pub units: &'static str,
    /// Profile type name ("date_time", "sport", ...) if known.
    pub ty: Option<&'static str>,
    pub kind: FieldKind,
}

impl FitField {
    /// Name to show: the sub-field name when one applies, else the profile name.
    pub fn display_name(&self) -> Option<&'static str> {
        match self.kind {
            FieldKind::SubField(n) => Some(n),
            _ => self.name,
        }
    }
    /// Scalar physical value (scale and offset applied).
    pub fn f64(&self) -> Option<f64> {
        let v = self.value.as_f64()?;
        Some(if self.scale != 1.0 || self.offset != 0.0 { v / self.scale - self.offset } else { v })
    }
    /// All numeric elements with scale and offset applied.
    pub fn f64s(&self) -> Vec<f64> {
        let (s, o) = (self.scale, self.offset);
        self.value.numbers().into_iter().map(|v| v / s - o).collect()
    }
    /// Value with scale/offset applied (integers stay integers when scale is 1 and offset 0).
    pub fn scaled(&self) -> FitValue {
        if self.scale == 1.0 && self.offset == 0.0 {
            return self.value.clone();
        }
        let (s, o) = (self.scale, self.offset);
        match &self.value {
            FitValue::SInt(v) => FitValue::Float(*v as f64 / s - o),
            FitValue::UInt(v) => FitValue::Float(*v as f64 / s - o),
            FitValue::Float(v) => FitValue::Float(*v / s - o),
            FitValue::SIntArray(a) => {
                FitValue::FloatArray(a.iter().map(|x| x.map(|x| x as f64 / s - o)).collect())
            }
            FitValue::UIntArray(a) => {
                FitValue::FloatArray(a.iter().map(|x| x.map(|x| x as f64 / s - o)).collect())
            }
            FitValue::FloatArray(a) => FitValue::FloatArray(a.iter().map(|x| x.map(|x| x / s - o)).collect()),
            other => other.clone(),
        }
    }
    /// The profile's name for an enum value (e.g. sport 2 -> "cycling").
    pub fn enum_name(&self) -> Option<&'static str> {
        let ty = self.ty?;
        let v = self.value.as_u64()?;
        super::type_value_name(ty, u32::try_from(v).ok()?)
    }
    /// As a time stamp, when the profile type is `date_time` (or the field is 253).
    pub fn time(&self) -> Option<FitTime> {
        let v = self.value.as_u64()?;
        Some(FitTime::from_raw(u32::try_from(v).ok()?))
    }
}

/// Description of a developer field (from a `field_description` message).
#[derive(Debug, Clone, PartialEq)]
pub struct DevFieldDescription {
    pub developer_data_index: u8,
    pub field_num: u8,
    pub base_type: BaseType,
    pub name: Option<String>,
    pub units: Option<String>,
    pub scale: f64,
    pub offset: f64,
    pub native_mesg_num: Option<u16>,
    pub native_field_num: Option<u8>,
    /// application_id of the matching developer_data_id message, when known.
    pub application_id: Option<Vec<u8>>,
}

/// One developer field of a message.
#[derive(Debug, Clone, PartialEq)]
pub struct DevField {
    pub developer_data_index: u8,
    pub num: u8,
    /// Description in force when the message was read (None: not described (yet); value is raw Bytes).
    pub description: Option<Arc<DevFieldDescription>>,
    pub value: FitValue,
}

impl DevField {
    pub fn name(&self) -> Option<&str> {
        self.description.as_ref().and_then(|d| d.name.as_deref())
    }
    /// Scalar physical value (scale/offset of the description applied).
    pub fn f64(&self) -> Option<f64> {
        let v = self.value.as_f64()?;
        match &self.description {
            Some(d) if d.scale != 0.0 => Some(v / d.scale - d.offset),
            _ => Some(v),
        }
    }
}

/// One decoded data message.
#[derive(Debug, Clone, PartialEq)]
pub struct FitMessage {
    pub global_num: u16,
    pub name: Option<&'static str>,
    pub local_num: u8,
    /// Byte offset of the record header in the input.
    pub offset: u64,
    /// Index of the (chained) FIT file this message belongs to, from 0.
    pub file_index: u32,
    pub fields: Vec<FitField>,
    pub dev_fields: Vec<DevField>,
    /// From field 253 or a compressed timestamp header.
    pub timestamp: Option<FitTime>,
    /// True when `timestamp` came from a compressed timestamp header.
    pub compressed_timestamp: bool,
}

impl FitMessage {
    pub fn field(&self, num: u8) -> Option<&FitField> {
        self.fields.iter().find(|f| f.num == num)
    }
    /// Field by profile name or sub-field name.
    pub fn field_by_name(&self, name: &str) -> Option<&FitField> {
        self.fields
            .iter()
            .find(|f| f.name == Some(name))
            .or_else(|| self.fields.iter().find(|f| matches!(f.kind, FieldKind::SubField(n) if n == name)))
    }
    /// Physical scalar value of a named field.
    pub fn f64(&self, name: &str) -> Option<f64> {
        self.field_by_name(name).and_then(|f| f.f64())
    }
    pub fn u64(&self, name: &str) -> Option<u64> {
        self.field_by_name(name).and_then(|f| f.value.as_u64())
    }
}

// ---------------------------------------------------------------- report

/// State of a CRC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrcStatus {
    Ok,
    Mismatch {
        stored: u16,
        computed: u16,
    },
    /// No CRC present (12-byte header, or header CRC written as 0).
    Absent,
    /// File ended before the CRC could be read.
    Missing,
}

impl CrcStatus {
    pub fn is_ok_or_absent(self) -> bool {
        matches!(self, CrcStatus::Ok | CrcStatus::Absent)
    }
}

/// Facts about one FIT file of a (possibly chained) input.
#[derive(Debug, Clone, PartialEq)]
pub struct FileReport {
    pub offset: u64,
    pub header_size: u8,
    pub protocol_version: u8,
    pub profile_version: u16,
    pub data_size: u32,
    pub header_crc: CrcStatus,
    pub file_crc: CrcStatus,
    pub messages: usize,
    pub definitions: usize,
}

/// Why decoding stopped or skipped bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DamageReason {
    /// Bytes where a FIT header was expected are not a FIT header.
    NotFitHeader,
    /// Input ended in the middle of a header or record.
    UnexpectedEof,
    /// A data record uses a local message type that was never defined.
    UndefinedLocalMessage(u8),
    /// A definition record is malformed (e.g. architecture byte not 0 or 1).
    InvalidDefinition(&'static str),
    /// A record runs past the data size announced by the header.
    RecordPastDataEnd,
    /// Header announced a data size of 0; records were read until the end of input.
    ZeroDataSize,
    HeaderCrcMismatch {
        stored: u16,
        computed: u16,
    },
    FileCrcMismatch {
        stored: u16,
        computed: u16,
    },
    /// The file CRC is missing at the end of input.
    MissingFileCrc,
    Io(String),
}

impl fmt::Display for DamageReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DamageReason::NotFitHeader => write!(f, "not a FIT file header"),
            DamageReason::UnexpectedEof => write!(f, "unexpected end of input"),
            DamageReason::UndefinedLocalMessage(n) => {
                write!(f, "data record for undefined local message {n}")
            }
            DamageReason::InvalidDefinition(w) => write!(f, "invalid definition record: {w}"),
            DamageReason::RecordPastDataEnd => write!(f, "record extends past the header's data size"),
            DamageReason::ZeroDataSize => write!(f, "header data size is 0; read until end of input"),
            DamageReason::HeaderCrcMismatch { stored, computed } => {
                write!(f, "header CRC mismatch (stored {stored:#06x}, computed {computed:#06x})")
            }
            DamageReason::FileCrcMismatch { stored, computed } => {
                write!(f, "file CRC mismatch (stored {stored:#06x}, computed {computed:#06x})")
            }
            DamageReason::MissingFileCrc => write!(f, "file CRC missing"),
            DamageReason::Io(e) => write!(f, "I/O error: {e}"),
        }
    }
}

/// A problem found at a byte offset; `bytes_skipped` bytes were not decoded because of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    pub offset: u64,
    pub reason: DamageReason,
    pub bytes_skipped: u64,
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {} ({} bytes skipped)", self.offset, self.reason, self.bytes_skipped)
    }
}

/// Summary of a decode run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DecodeReport {
    /// No header CRC mismatch in any file (absent CRCs count as ok).
    pub header_crc_ok: bool,
    /// Every file's CRC present and correct.
    pub file_crc_ok: bool,
    /// Data messages emitted.
    pub messages: usize,
    /// Bytes consumed from the input.
    pub bytes_read: u64,
    pub damage: Vec<Damage>,
    /// Number of FIT files found (1 for a normal file, more when chained).
    pub chained_files: usize,
    pub files: Vec<FileReport>,
}

impl DecodeReport {
    /// True when everything decoded without damage and every CRC checked out.
    pub fn is_clean(&self) -> bool {
        self.damage.is_empty() && self.header_crc_ok && self.file_crc_ok && self.chained_files > 0
    }
}
