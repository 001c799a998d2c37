//! What a share would reveal, shown to the owner before it is made (issue 20: pressure-proof
//! sharing). For an employer or insurer the preview also says why they may not require it
//! and what they will never see; the grant is refused until the owner confirms
//! ([`super::Disclosure::confirmed`]).

use super::{expand, measurement_kinds, GrantRequest};
use crate::record::BuiltinSection;
use crate::store::ListOptions;
use crate::{Record, Result};
use phr_model::Label;
use serde::{Deserialize, Serialize};

/// The preview: the section slugs the grant would hold and, in order, what to tell the owner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DisclosurePreview {
    pub sections: Vec<String>,
    /// One line per section (what it reveals), then the routes, then for an employer or
    /// insurer: why they may not require it, what they never see, and to share the fewest.
    pub lines: Vec<Label>,
    /// An employer or insurer: the owner must confirm before the grant is made.
    pub needs_confirmation: bool,
}

/// Previews `req` without storing anything; refused exactly when [`super::create_grant`]
/// would refuse the sections or entries.
pub fn disclosure_preview(record: &Record, req: &GrantRequest) -> Result<DisclosurePreview> {
    let (slugs, chosen) = expand(record, req)?;
    let cat = req.recipient.category;
    let mut lines = Vec::new();
    for slug in &slugs {
        let s = record.section(slug)?;
        let entries = record.list_entries(slug, ListOptions::default())?;
        let visible = entries.iter().filter(|e| e.deleted_at.is_none() && !e.hidden);
        let picked = visible.clone().filter(|e| chosen.contains(&e.id)).count();
        let (key, count) = if picked > 0 {
            ("share.preview.chosen_entries", picked)
        } else {
            let key = match s.builtin() {
                Some(BuiltinSection::Exercise) => "share.preview.exercise",
                Some(b) if !measurement_kinds(b).is_empty() => "share.preview.whole_section_measured",
                _ => "share.preview.whole_section",
            };
            (key, visible.count())
        };
        let line = Label::new(key).arg("count", count.to_string());
        lines.push(line.arg("section", s.title.clone()));
    }
    if req.disclosure.include_tracks && slugs.iter().any(|s| s == "exercise") {
        lines.push(Label::new("share.preview.tracks"));
    }
    if cat.is_restricted() {
        lines.push(Label::new(match cat {
            phr_model::grant::RecipientCategory::Insurer => "share.preview.why_insurer",
            _ => "share.preview.why_employer",
        }));
        lines.push(Label::new("share.preview.never"));
        lines.push(Label::new("share.preview.fewest"));
    }
    Ok(DisclosurePreview { sections: slugs, lines, needs_confirmation: cat.is_restricted() })
}
