//! The owner's whole record as one serialisable value (`phr export --json`).

use super::{ListOptions, Record};
use crate::record::{Activity, Entry, SampleKind, Section};
use crate::Result;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RecordExport {
    pub format: String,
    pub record_id: String,
    pub exported_at: chrono::DateTime<chrono::Utc>,
    pub sections: Vec<SectionExport>,
    pub samples: Vec<SeriesExport>,
    #[serde(default)]
    pub activities: Vec<Activity>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SectionExport {
    #[serde(flatten)]
    pub section: Section,
    /// Every entry, including hidden and deleted (not yet purged) ones: it is the owner's.
    pub entries: Vec<Entry>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SeriesExport {
    pub kind: SampleKind,
    pub unit: String,
    pub source: String,
    /// `[start_ms, end_ms, value]` triples, by time.
    pub samples: Vec<(i64, i64, f64)>,
}

impl Record {
    pub fn export(&self) -> Result<RecordExport> {
        let all = ListOptions { include_deleted: true, include_hidden: true };
        let mut sections = Vec::new();
        for s in self.sections()? {
            let entries = self.list_entries(&s.id, all)?;
            sections.push(SectionExport { section: s, entries });
        }
        let mut samples: Vec<SeriesExport> = Vec::new();
        for kind in SampleKind::ALL {
            let mut by_source: std::collections::BTreeMap<String, Vec<(i64, i64, f64)>> = Default::default();
            for s in self.samples(kind, i64::MIN, i64::MAX)? {
                by_source.entry(s.source).or_default().push((s.start_ms, s.end_ms, s.value));
            }
            samples.extend(by_source.into_iter().map(|(source, samples)| SeriesExport {
                kind,
                unit: kind.unit().to_string(),
                source,
                samples,
            }));
        }
        let activities = self
            .activities(i64::MIN, i64::MAX)?
            .iter()
            .map(|a| match self.activity(&a.id) {
                Err(crate::Error::NotFound { .. }) => {
                    Err(crate::Error::Corrupt("an activity listed by day is missing"))
                }
                other => other,
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(RecordExport {
            format: "phr-export/1".into(),
            record_id: self.record_id.clone(),
            exported_at: chrono::Utc::now(),
            sections,
            samples,
            activities,
        })
    }
}
