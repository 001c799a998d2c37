//! Consent grants and the audit log as data: who may see which sections, for what
//! purpose, until when, and what happened. The rules that read the record (`create_grant`,
//! `check`) live in the core's `consent` module; the store keeps these sealed.

use crate::error::{ModelError, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The kind of recipient. Employers and insurers are restricted (see module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientCategory {
    HealthProfessional,
    SocialCare,
    FamilyOrCarer,
    OtherOrganisation,
    Employer,
    Insurer,
}

impl RecipientCategory {
    pub const ALL: [RecipientCategory; 6] = [
        Self::HealthProfessional,
        Self::SocialCare,
        Self::FamilyOrCarer,
        Self::OtherOrganisation,
        Self::Employer,
        Self::Insurer,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HealthProfessional => "health_professional",
            Self::SocialCare => "social_care",
            Self::FamilyOrCarer => "family_or_carer",
            Self::OtherOrganisation => "other_organisation",
            Self::Employer => "employer",
            Self::Insurer => "insurer",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        let norm = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        let norm = match norm.as_str() {
            "professional" | "health" | "clinician" | "gp" => "health_professional",
            "family" | "carer" => "family_or_carer",
            "organisation" | "organization" | "other" => "other_organisation",
            other => other,
        };
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == norm)
            .ok_or_else(|| ModelError::invalid("category", "must be health_professional, social_care, family_or_carer, other_organisation, employer or insurer"))
    }
    /// Employers and insurers: never sensitive sections, illness experience or mental health.
    pub fn is_restricted(self) -> bool {
        matches!(self, Self::Employer | Self::Insurer)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub name: String,
    /// Free text: "GP", "physiotherapist", "daughter".
    pub role: String,
    pub category: RecipientCategory,
}

/// The purpose that makes a grant a request for advice (the recipient may reply).
pub const PURPOSE_ADVICE: &str = "advice";

/// Where a grant's content was published as a SMART Health Link (kept sealed in the grant:
/// it holds the link's key so the owner can show the QR code again).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkInfo {
    pub relay_url: String,
    pub link_id: String,
    /// base64url of the 32-byte content key.
    #[serde(serialize_with = "phr_secret::expose")]
    pub key: phr_secret::SecretString,
    pub flag: String,
    #[serde(default)]
    pub exp: Option<i64>,
    #[serde(default)]
    pub label: Option<String>,
    /// The relay's access-log sequence already pulled into the audit log.
    #[serde(default)]
    pub log_seen: i64,
    #[serde(default)]
    pub replies_seen: i64,
}

/// A reply from the recipient of an advice request, decrypted into the record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub at: DateTime<Utc>,
    pub from: String,
    pub text: String,
}

/// The owner's one answer to a reply, published with the link so the person who replied
/// reads it when they open the link again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub at: DateTime<Utc>,
    pub text: String,
    /// The reply it answers.
    pub to: Reply,
}

/// Permission for one recipient to see some sections for a purpose and a time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    pub id: String,
    pub recipient: Recipient,
    /// Section slugs, each named explicitly.
    pub sections: Vec<String>,
    pub purpose: String,
    /// For purpose "advice": the owner's question.
    #[serde(default)]
    pub message: Option<String>,
    pub start: DateTime<Utc>,
    #[serde(default)]
    pub expiry: Option<DateTime<Utc>>,
    #[serde(default)]
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub link: Option<LinkInfo>,
    #[serde(default)]
    pub replies: Vec<Reply>,
    /// The owner's answer to a reply (a request for advice is answered once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
    /// Narrower than whole sections, and what the owner ticked (older grants: the default).
    #[serde(default)]
    pub disclosure: Disclosure,
}

/// How much of the named sections a grant gives, and what the owner confirmed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosure {
    /// When not empty, only these entries (of the granted sections) are shared: one
    /// vaccination, one test result, rather than the whole section.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<String>,
    /// The GPS tracks of shared activities (off unless the owner ticks it).
    #[serde(default)]
    pub include_tracks: bool,
    /// The owner saw what an employer or insurer share reveals and confirmed it.
    #[serde(default)]
    pub confirmed: bool,
}

impl Grant {
    pub fn status(&self, now: DateTime<Utc>) -> GrantStatus {
        if self.revoked_at.is_some() {
            GrantStatus::Revoked
        } else if now < self.start {
            GrantStatus::NotYetValid
        } else if self.expiry.is_some_and(|e| now >= e) {
            GrantStatus::Expired
        } else {
            GrantStatus::Active
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantStatus {
    Active,
    NotYetValid,
    Expired,
    Revoked,
}

/// What happened, in the owner's audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    GrantCreated,
    GrantRevoked,
    /// The core assembled data for a recipient (consent::check allowed).
    Read,
    /// consent::check refused.
    Denied,
    /// The relay served the link's content (pulled from the relay's access log).
    RemoteFetch,
    /// The relay refused a request for the link (wrong passcode, locked, expired, revoked).
    RemoteRefused,
    ReplyReceived,
    /// The owner answered a reply (published to the link, encrypted under its key).
    AnswerSent,
    /// The owner let every client the relay was holding back after wrong passcodes try again.
    PasscodeTriesReset,
}

/// One line of the audit log: who saw what, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub action: AuditAction,
    /// Recipient name as the grant records it (or as a remote viewer declared it).
    pub actor: String,
    #[serde(default)]
    pub grant_id: Option<String>,
    #[serde(default)]
    pub sections: Vec<String>,
    #[serde(default)]
    pub detail: String,
}

/// The result of verifying the audit chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditVerification {
    pub entries: usize,
    pub ok: bool,
    /// First sequence number that does not verify, and why.
    pub problem: Option<(i64, String)>,
}
