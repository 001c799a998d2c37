//! Sample ingest (one transaction per batch, deduplicated) and range/rollup queries.

use super::chunk::{self, ChunkSample, Identity, Rollup};
use super::{ad, Record};
use crate::record::{DailyRollup, IngestReport, Sample, SampleKind};
use crate::Result;
use chrono::{Datelike, NaiveDate};
use rusqlite::OptionalExtension;
use std::collections::{BTreeMap, HashSet};

const DAY_MS: i64 = 86_400_000;

fn day_of(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS)
}

fn date_of_day(day: i64) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt((day + 719_163) as i32).unwrap_or_default()
}

fn day_of_date(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) - 719_163
}

fn hex(b: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(b)
}

fn chunk_ad(column: &str, kind_l: &[u8], day: i64, source_l: &[u8]) -> Vec<u8> {
    ad("sample_chunks", column, &format!("{}|{day}|{}", hex(kind_l), hex(source_l)))
}

/// Samples in one kind's series across sources, summarised by source.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SeriesSummary {
    pub kind: SampleKind,
    pub count: u64,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

/// Samples grouped by the chunk they belong in: (kind, source, UTC day).
pub(super) type Groups<'a> = BTreeMap<(SampleKind, &'a str, i64), Vec<ChunkSample>>;

/// Validates every sample (naming the first bad one's position) and groups them by chunk.
pub(super) fn group_samples(samples: &[Sample]) -> Result<Groups<'_>> {
    let mut groups: Groups<'_> = BTreeMap::new();
    for (i, s) in samples.iter().enumerate() {
        s.validate().map_err(|e| crate::Error::from(e).in_batch("sample", i))?;
        groups.entry((s.kind, s.source.as_str(), day_of(s.start_ms))).or_default().push(ChunkSample {
            start: s.start_ms,
            end: s.end_ms,
            value: s.value,
            dedup: s.dedup_key.as_deref().map(chunk::dedup_hash),
        });
    }
    Ok(groups)
}

impl Record {
    fn kind_lookup(&self, kind: SampleKind) -> Vec<u8> {
        self.lookup.tag("sample-kind", kind.slug())
    }
    fn source_lookup_for(&self, kind: SampleKind, source: &str) -> Vec<u8> {
        self.lookup.tag("sample-source", &format!("{}|{source}", kind.slug()))
    }

    /// Stores a batch of samples in one transaction: all land or none do. Samples already
    /// stored (same dedup key, or same kind, source and times) are counted, not re-added.
    /// An invalid sample fails the whole batch, naming its position.
    pub fn ingest_samples(&self, samples: &[Sample]) -> Result<IngestReport> {
        let groups = group_samples(samples)?;
        self.write(|tx| {
            let report = self.ingest_groups(tx, groups)?;
            if report.added > 0 {
                self.sync_emit_samples(tx, samples)?;
            }
            Ok(report)
        })
    }

    /// Merges grouped samples into their day chunks inside the caller's transaction.
    pub(super) fn ingest_groups(
        &self,
        tx: &rusqlite::Connection,
        groups: Groups<'_>,
    ) -> Result<IngestReport> {
        let mut report = IngestReport::default();
        self.observers.mark(super::RecordArea::Samples);
        let mut select = tx.prepare_cached(
            "SELECT samples FROM sample_chunks WHERE kind_lookup = ?1 AND day = ?2 AND source_lookup = ?3",
        )?;
        let mut upsert = tx.prepare_cached("INSERT OR REPLACE INTO sample_chunks(kind_lookup, day, source_lookup, samples) VALUES (?1, ?2, ?3, ?4)")?;
        let mut upsert_rollup = tx.prepare_cached("INSERT OR REPLACE INTO sample_rollups(kind_lookup, day, source_lookup, rollup) VALUES (?1, ?2, ?3, ?4)")?;
        for ((kind, source, day), incoming) in groups {
            let kl = self.kind_lookup(kind);
            let sl = self.source_lookup_for(kind, source);
            let existing: Option<Vec<u8>> =
                select.query_row(rusqlite::params![kl, day, sl], |r| r.get(0)).optional()?;
            let mut merged = match existing {
                Some(sealed) => {
                    chunk::decode(&self.cipher.open(&sealed, &chunk_ad("samples", &kl, day, &sl))?)?.1
                }
                None => Vec::new(),
            };
            let mut seen: HashSet<Identity> = merged.iter().map(ChunkSample::identity).collect();
            let before = merged.len();
            for s in incoming {
                if seen.insert(s.identity()) {
                    merged.push(s);
                } else {
                    report.duplicates += 1;
                }
            }
            if merged.len() == before {
                continue;
            }
            report.added += (merged.len() - before) as u64;
            merged.sort_by_key(|s| (s.start, s.end));
            let body =
                self.cipher.seal(&chunk::encode(source, &merged), &chunk_ad("samples", &kl, day, &sl))?;
            let rollup =
                self.cipher.seal(&Rollup::of(&merged).to_bytes(), &chunk_ad("rollup", &kl, day, &sl))?;
            upsert.execute(rusqlite::params![kl, day, sl, body])?;
            upsert_rollup.execute(rusqlite::params![kl, day, sl, rollup])?;
        }
        Ok(report)
    }

    /// Samples of `kind` starting in `[from_ms, to_ms)`, from every source, by time.
    pub fn samples(&self, kind: SampleKind, from_ms: i64, to_ms: i64) -> Result<Vec<Sample>> {
        self.read(|c| self.samples_on(c, kind, from_ms, to_ms))
    }

    pub(super) fn samples_on(
        &self,
        c: &rusqlite::Connection,
        kind: SampleKind,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<Sample>> {
        let kl = self.kind_lookup(kind);
        {
            let mut stmt = c.prepare_cached("SELECT day, source_lookup, samples FROM sample_chunks WHERE kind_lookup = ?1 AND day BETWEEN ?2 AND ?3")?;
            let rows = stmt
                .query_map(rusqlite::params![kl, day_of(from_ms), day_of(to_ms.saturating_sub(1))], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, Vec<u8>>(2)?))
                })?;
            let mut out = Vec::new();
            for row in rows {
                let (day, sl, sealed) = row?;
                let (source, items) =
                    chunk::decode(&self.cipher.open(&sealed, &chunk_ad("samples", &kl, day, &sl))?)?;
                out.extend(items.into_iter().filter(|s| s.start >= from_ms && s.start < to_ms).map(|s| {
                    Sample {
                        kind,
                        start_ms: s.start,
                        end_ms: s.end,
                        value: s.value,
                        source: source.clone(),
                        dedup_key: None,
                    }
                }));
            }
            out.sort_by(|a, b| (a.start_ms, &a.source).cmp(&(b.start_ms, &b.source)));
            Ok(out)
        }
    }

    /// One rollup per UTC day in `[from, to]` that has samples, merged across sources.
    /// Reads only the sealed 48-byte rollups, never the samples, except on days when a
    /// cumulative kind (steps, distance...) has more than one source: there the day's
    /// samples are read and only the primary source counts where sources overlap
    /// ([`phr_model::priority`]), so the total does not depend on which device's
    /// data was imported first.
    pub fn daily_rollups(
        &self,
        kind: SampleKind,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DailyRollup>> {
        let kl = self.kind_lookup(kind);
        self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT day, source_lookup, rollup FROM sample_rollups WHERE kind_lookup = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY day")?;
            let (lo, hi) = (day_of_date(from), day_of_date(to));
            // One day more each side: a neighbour's samples may overlap across midnight.
            let rows = stmt.query_map(rusqlite::params![kl, lo.saturating_sub(1), hi.saturating_add(1)], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, Vec<u8>>(2)?))
            })?;
            let mut by_day: BTreeMap<i64, Rollup> = BTreeMap::new();
            let mut sources: BTreeMap<i64, Vec<Vec<u8>>> = BTreeMap::new();
            for row in rows {
                let (day, sl, sealed) = row?;
                if kind.is_cumulative() {
                    sources.entry(day).or_default().push(sl.clone());
                }
                if day < lo || day > hi {
                    continue;
                }
                let r = Rollup::from_bytes(&self.cipher.open(&sealed, &chunk_ad("rollup", &kl, day, &sl))?)?;
                by_day.entry(day).and_modify(|acc| acc.merge(&r)).or_insert(r);
            }
            let days: Vec<i64> = by_day.keys().copied().collect();
            for day in days {
                let mut near: Vec<&Vec<u8>> = (day - 1..=day + 1).filter_map(|d| sources.get(&d)).flatten().collect();
                near.sort();
                near.dedup();
                if near.len() > 1 {
                    by_day.insert(day, self.primary_rollup(c, kind, &kl, day)?);
                }
            }
            Ok(by_day
                .into_iter()
                .map(|(day, r)| DailyRollup { day: date_of_day(day), count: r.count, min: r.min, max: r.max, sum: r.sum, last: r.last })
                .collect())
        })
    }

    /// A day's rollup of a cumulative kind counting one primary source where sources
    /// overlap. The days either side are read too: their samples may overlap this day's
    /// across midnight (samples are filed under their start day).
    fn primary_rollup(
        &self,
        c: &rusqlite::Connection,
        kind: SampleKind,
        kl: &[u8],
        day: i64,
    ) -> Result<Rollup> {
        let mut stmt = c.prepare_cached("SELECT day, source_lookup, samples FROM sample_chunks WHERE kind_lookup = ?1 AND day BETWEEN ?2 AND ?3")?;
        let rows = stmt.query_map(rusqlite::params![kl, day - 1, day + 1], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, Vec<u8>>(2)?))
        })?;
        let (mut today, mut near) = (Vec::new(), Vec::new());
        for row in rows {
            let (d, sl, sealed) = row?;
            let (source, items) =
                chunk::decode(&self.cipher.open(&sealed, &chunk_ad("samples", kl, d, &sl))?)?;
            let into = if d == day { &mut today } else { &mut near };
            into.extend(items.into_iter().map(|s| Sample {
                kind,
                start_ms: s.start,
                end_ms: s.end,
                value: s.value,
                source: source.clone(),
                dedup_key: None,
            }));
        }
        phr_model::priority::resolve_against(&mut today, &near);
        let kept: Vec<ChunkSample> = today
            .into_iter()
            .map(|s| ChunkSample { start: s.start_ms, end: s.end_ms, value: s.value, dedup: None })
            .collect();
        Ok(Rollup::of(&kept))
    }

    /// Which kinds have samples, how many and over which days.
    pub fn sample_summary(&self) -> Result<Vec<SeriesSummary>> {
        let mut out = Vec::new();
        for kind in SampleKind::ALL {
            let days = self.daily_rollups(kind, NaiveDate::MIN, NaiveDate::MAX)?;
            if let (Some(first), Some(last)) = (days.first(), days.last()) {
                out.push(SeriesSummary {
                    kind,
                    count: days.iter().map(|d| d.count).sum(),
                    first_day: first.day,
                    last_day: last.day,
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_arithmetic() {
        assert_eq!(date_of_day(0), NaiveDate::from_ymd_opt(1970, 1, 1).unwrap());
        assert_eq!(day_of(-1), -1);
        let d = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(date_of_day(day_of_date(d)), d);
    }
}
