//! Source priority: when two devices measured the same thing, one is primary.
//!
//! The rule (also in docs/adr/0006-import-pipeline.md):
//!
//! 1. Every source gets a rank from its name: a wearable (watch, band, chest strap, bike
//!    computer: "Apple Watch", "garmin fenix6x", "polar", "wahoo"...) = 3; a dedicated
//!    medical device (scale, cuff, meter: "withings", "omron") = 2; a phone ("iPhone",
//!    "Pixel", "phone") = 1; anything else (apps, manual entry) = 0.
//! 2. For *cumulative* kinds (steps, distance, active energy, sleep, active minutes), a
//!    sample is dropped when its time interval overlaps a sample of the same kind from a
//!    *different* source with a higher rank (ties: the source whose name sorts first). So
//!    iPhone steps during a walk the Watch also counted are not double counted, while
//!    iPhone steps at times the Watch was off the wrist are kept.
//! 3. For *level* kinds (heart rate, weight, pressure...), a sample is dropped only when a
//!    better source has a reading at the same second: both are real readings otherwise.
//!
//! [`resolve`] applies this inside a batch; [`resolve_against`] also against samples
//! already in the record (lower-ranked *incoming* samples only: the store keeps what it has).

use crate::record::{Sample, SampleKind};
use std::collections::{BTreeMap, HashMap};

/// Rank of a source name (higher wins).
pub fn rank(source: &str) -> u8 {
    let s = source.to_ascii_lowercase();
    const WEARABLE: [&str; 16] = [
        "watch",
        "garmin",
        "fenix",
        "forerunner",
        "polar",
        "suunto",
        "coros",
        "wahoo",
        "fitbit",
        "whoop",
        "oura",
        "band",
        "strap",
        "edge",
        "vivo",
        "hrm",
    ];
    const MEDICAL: [&str; 6] = ["withings", "omron", "scale", "cuff", "meter", "qardio"];
    const PHONE: [&str; 4] = ["iphone", "phone", "pixel", "galaxy"];
    if WEARABLE.iter().any(|w| s.contains(w)) && !s.contains("iphone") {
        3
    } else if MEDICAL.iter().any(|w| s.contains(w)) {
        2
    } else if PHONE.iter().any(|w| s.contains(w)) {
        1
    } else {
        0
    }
}

fn overlaps(a: &Sample, b: &Sample) -> bool {
    if a.start_ms == a.end_ms || b.start_ms == b.end_ms {
        a.start_ms <= b.end_ms && b.start_ms <= a.end_ms
    } else {
        a.start_ms < b.end_ms && b.start_ms < a.end_ms
    }
}

/// Keeps one primary source where samples overlap (see the module rule). Returns how many
/// samples were dropped.
pub fn resolve(samples: &mut Vec<Sample>) -> u64 {
    resolve_against(samples, &[])
}

/// As [`resolve`], also dropping incoming samples beaten by `existing` ones.
pub fn resolve_against(samples: &mut Vec<Sample>, existing: &[Sample]) -> u64 {
    // Sources per kind; nothing to do when every kind has one source.
    let mut sources: HashMap<SampleKind, Vec<&str>> = HashMap::new();
    for s in samples.iter().chain(existing) {
        let v = sources.entry(s.kind).or_default();
        if !v.contains(&s.source.as_str()) {
            v.push(&s.source);
        }
    }
    if sources.values().all(|v| v.len() < 2) {
        return 0;
    }
    // Per kind and source, the samples sorted by start (interval index for lookups).
    let mut index: HashMap<(SampleKind, String), Vec<(i64, i64)>> = HashMap::new();
    for s in samples.iter().chain(existing) {
        index.entry((s.kind, s.source.clone())).or_default().push((s.start_ms, s.end_ms));
    }
    let mut max_len: HashMap<(SampleKind, String), i64> = HashMap::new();
    for (k, v) in index.iter_mut() {
        v.sort_unstable();
        max_len.insert(k.clone(), v.iter().map(|(a, b)| b - a).max().unwrap_or(0));
    }
    let kinds_multi: BTreeMap<SampleKind, Vec<String>> = sources
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(k, v)| (k, v.into_iter().map(str::to_string).collect()))
        .collect();
    // `rank` lowercases and scans word lists: once per source, not once per sample.
    let ranks: HashMap<&str, u8> = kinds_multi.values().flatten().map(|s| (s.as_str(), rank(s))).collect();
    let better = |a: &str, b: &str| (ranks[a], std::cmp::Reverse(a)) > (ranks[b], std::cmp::Reverse(b));
    let before = samples.len();
    samples.retain(|s| {
        let Some(others) = kinds_multi.get(&s.kind) else { return true };
        for o in others {
            if o == &s.source || !better(o, &s.source) {
                continue;
            }
            let key = (s.kind, o.clone());
            let Some(iv) = index.get(&key) else { continue };
            let beaten = if s.kind.is_cumulative() {
                // Candidates start before s ends and no earlier than s.start - longest interval.
                let lo = s.start_ms - max_len.get(&key).copied().unwrap_or(0);
                let from = iv.partition_point(|(a, _)| *a < lo);
                iv[from..].iter().take_while(|(a, _)| *a <= s.end_ms).any(|(a, b)| {
                    let other = Sample {
                        kind: s.kind,
                        start_ms: *a,
                        end_ms: *b,
                        value: 0.0,
                        source: String::new(),
                        dedup_key: None,
                    };
                    overlaps(s, &other)
                })
            } else {
                let sec = s.start_ms.div_euclid(1000);
                let from = iv.partition_point(|(a, _)| a.div_euclid(1000) < sec);
                iv.get(from).is_some_and(|(a, _)| a.div_euclid(1000) == sec)
            };
            if beaten {
                return false;
            }
        }
        true
    });
    (before - samples.len()) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(src: &str, a: i64, b: i64, v: f64) -> Sample {
        Sample {
            kind: SampleKind::Steps,
            start_ms: a,
            end_ms: b,
            value: v,
            source: src.into(),
            dedup_key: None,
        }
    }

    #[test]
    fn watch_beats_phone_on_overlap_only() {
        let mut v = vec![
            steps("Alice's iPhone", 0, 600_000, 500.0),
            steps("Alice's Apple Watch", 100_000, 700_000, 520.0),
            steps("Alice's iPhone", 800_000, 900_000, 80.0),
        ];
        assert_eq!(resolve(&mut v), 1);
        assert_eq!(v.iter().map(|s| s.value).sum::<f64>(), 600.0);
        assert_eq!(rank("Alice's Apple Watch"), 3);
        assert_eq!(rank("Alice’s iPhone"), 1);
        assert_eq!(rank("Withings Body+"), 2);
    }

    #[test]
    fn level_kinds_only_collide_at_the_same_second() {
        let hr = |src: &str, t: i64| Sample::instant(SampleKind::HeartRate, t, 70.0, src);
        let mut v = vec![hr("iPhone", 1_000), hr("Apple Watch", 1_400), hr("iPhone", 5_000)];
        assert_eq!(resolve(&mut v), 1);
        assert_eq!(v.len(), 2);
    }
}
