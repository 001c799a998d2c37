//! Garmin FIT file decoder: streaming, sans-I/O, std only.
//!
//! * [`decoder`]: the decoder ([`Decoder`] state machine, [`SliceDecoder`] / [`ReaderDecoder`]
//!   iterators, [`decode`], [`decode_with`], [`decode_reader`]).
//! * [`types`]: output types ([`FitMessage`], [`FitField`], [`FitValue`], [`DecodeReport`], ...).
//! * [`messages`]: typed extraction ([`FitSummary`]) for the health record.
//! * [`profile`]: GENERATED from the Garmin FIT SDK by `tools/gen_fit_profile.py`.

pub mod crc;
pub mod decoder;
pub mod messages;
pub mod profile;
pub mod types;

pub use self::decoder::{decode, decode_reader, decode_with, DecodeOptions, Decoder, Event, ReaderDecoder, SliceDecoder, Step};
pub use self::messages::{
    summarize, summarize_reader, BloodPressure, DeviceInfo, FileId, FitSummary, HrvRecord, Lap, MonitoringSample, Record,
    Session, SleepLevel, SummaryBuilder, WeightScale,
};
pub use self::types::*;

/// Profile of a global message number.
pub fn message_profile(num: u16) -> Option<&'static MessageProfile> {
    let m: &'static [MessageProfile] = profile::MESSAGES;
    m.binary_search_by_key(&num, |m| m.num).ok().map(|i| &m[i])
}

/// Profile of a message by name ("record", "session", ...).
pub fn message_profile_by_name(name: &str) -> Option<&'static MessageProfile> {
    profile::MESSAGES.iter().find(|m| m.name == name)
}

/// Name of a value of a profile type, e.g. `type_value_name("sport", 2) == Some("cycling")`.
pub fn type_value_name(ty: &str, value: u32) -> Option<&'static str> {
    let t: &'static [TypeProfile] = profile::TYPES;
    let i = t.binary_search_by(|p| p.name.cmp(ty)).ok()?;
    let vals: &'static [(u32, &'static str)] = t[i].values;
    vals.binary_search_by_key(&value, |v| v.0).ok().map(|j| vals[j].1)
}
