//! Consent through the bindings: grants (who may see which sections, why, until when),
//! revoking them, and the owner's hash-chained audit log with its verification.
//!
//! Every rule (default deny, private sections never shared, sensitive ones only by name,
//! nothing sensitive or mental-health related for employers and insurers) is phr-core's
//! `consent` module; a refused request comes back as `InvalidInput(field = "sections")`.
//!
//! Publishing a grant as a SMART Health Link (which needs the relay) is in `share.rs`. A
//! grant shared that way shows `shared_by_link`.

use crate::record::blocking;
use crate::record::PhrRecord;
use crate::PhrError;
use chrono::{DateTime, Utc};
use phr_core::consent as core;
use std::time::SystemTime;

type R<T> = Result<T, PhrError>;

/// Who the recipient is. Employers and insurers are restricted by the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum RecipientCategory {
    HealthProfessional,
    SocialCare,
    FamilyOrCarer,
    OtherOrganisation,
    Employer,
    Insurer,
}

impl From<RecipientCategory> for core::RecipientCategory {
    fn from(c: RecipientCategory) -> Self {
        use RecipientCategory as C;
        match c {
            C::HealthProfessional => Self::HealthProfessional,
            C::SocialCare => Self::SocialCare,
            C::FamilyOrCarer => Self::FamilyOrCarer,
            C::OtherOrganisation => Self::OtherOrganisation,
            C::Employer => Self::Employer,
            C::Insurer => Self::Insurer,
        }
    }
}

impl From<core::RecipientCategory> for RecipientCategory {
    fn from(c: core::RecipientCategory) -> Self {
        use core::RecipientCategory as C;
        match c {
            C::HealthProfessional => Self::HealthProfessional,
            C::SocialCare => Self::SocialCare,
            C::FamilyOrCarer => Self::FamilyOrCarer,
            C::OtherOrganisation => Self::OtherOrganisation,
            C::Employer => Self::Employer,
            C::Insurer => Self::Insurer,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Recipient {
    pub name: String,
    /// Free text: "GP", "physiotherapist", "daughter".
    pub role: String,
    pub category: RecipientCategory,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum GrantStatus {
    Active,
    NotYetValid,
    Expired,
    Revoked,
}

/// What the owner asks for. `sections`: slugs, or `all` (every enabled shareable section,
/// never a sensitive or private one) or `emergency` (the emergency card).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct GrantRequest {
    pub recipient: Recipient,
    pub sections: Vec<String>,
    pub purpose: String,
    /// For purpose "advice": the owner's question.
    #[uniffi(default = None)]
    pub message: Option<String>,
    /// Default: now.
    #[uniffi(default = None)]
    pub start: Option<SystemTime>,
    /// Default: never expires.
    #[uniffi(default = None)]
    pub expiry: Option<SystemTime>,
    /// Only these entries (full IDs) of their sections, not whole sections; each brings its
    /// section in.
    #[uniffi(default = [])]
    pub entries: Vec<String>,
    /// The GPS routes of shared activities (they can show where the owner lives).
    #[uniffi(default = false)]
    pub include_tracks: bool,
    /// The owner saw [`PhrRecord::share_preview`] and said yes. Required for an employer
    /// or insurer: without it the grant is refused with
    /// `InvalidInput(field = "share.confirmation_needed")`, a catalogue key.
    #[uniffi(default = false)]
    pub confirmed: bool,
}

/// What a share would reveal, for the owner to read before saying yes.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SharePreview {
    /// Section slugs the grant would hold.
    pub sections: Vec<String>,
    /// What each section reveals; for an employer or insurer also why they may not require
    /// it, what they never see and to share the fewest sections.
    pub lines: Vec<phr_core::app::screens::Label>,
    /// An employer or insurer: set `confirmed` in the request after showing this.
    pub needs_confirmation: bool,
}

impl From<GrantRequest> for core::GrantRequest {
    fn from(r: GrantRequest) -> Self {
        core::GrantRequest {
            recipient: core::Recipient {
                name: r.recipient.name,
                role: r.recipient.role,
                category: r.recipient.category.into(),
            },
            sections: r.sections,
            purpose: r.purpose,
            message: r.message,
            start: r.start.map(DateTime::<Utc>::from),
            expiry: r.expiry.map(DateTime::<Utc>::from),
            disclosure: core::Disclosure {
                entries: r.entries,
                include_tracks: r.include_tracks,
                confirmed: r.confirmed,
            },
        }
    }
}

/// A reply from the recipient of an advice request.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct GrantReply {
    pub at: SystemTime,
    /// Who replied, as they signed it.
    pub sender: String,
    pub text: String,
}

/// The owner's one answer to a reply.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct GrantAnswer {
    pub at: SystemTime,
    pub text: String,
}

/// Permission for one recipient to see some sections, for a purpose, for a time.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Grant {
    pub id: String,
    pub recipient: Recipient,
    /// Section slugs, each named explicitly (`all`/`emergency` already expanded).
    pub sections: Vec<String>,
    pub purpose: String,
    pub message: Option<String>,
    pub start: SystemTime,
    pub expiry: Option<SystemTime>,
    pub revoked_at: Option<SystemTime>,
    pub created_at: SystemTime,
    /// Worked out now: active, not yet valid, expired or revoked.
    pub status: GrantStatus,
    /// Published as a SMART Health Link through a relay (`share_link`).
    pub shared_by_link: bool,
    pub replies: Vec<GrantReply>,
    /// The owner's answer (`answer_reply`), once sent.
    pub answer: Option<GrantAnswer>,
}

impl From<core::Grant> for Grant {
    fn from(g: core::Grant) -> Self {
        let status = match g.status(Utc::now()) {
            core::GrantStatus::Active => GrantStatus::Active,
            core::GrantStatus::NotYetValid => GrantStatus::NotYetValid,
            core::GrantStatus::Expired => GrantStatus::Expired,
            core::GrantStatus::Revoked => GrantStatus::Revoked,
        };
        Grant {
            id: g.id,
            recipient: Recipient {
                name: g.recipient.name,
                role: g.recipient.role,
                category: g.recipient.category.into(),
            },
            sections: g.sections,
            purpose: g.purpose,
            message: g.message,
            start: g.start.into(),
            expiry: g.expiry.map(Into::into),
            revoked_at: g.revoked_at.map(Into::into),
            created_at: g.created_at.into(),
            status,
            shared_by_link: g.link.is_some(),
            replies: g
                .replies
                .into_iter()
                .map(|r| GrantReply { at: r.at.into(), sender: r.from, text: r.text })
                .collect(),
            answer: g.answer.map(|a| GrantAnswer { at: a.at.into(), text: a.text }),
        }
    }
}

/// What happened, in the owner's audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum AuditAction {
    GrantCreated,
    GrantRevoked,
    /// Data was assembled for a recipient under a grant.
    Read,
    /// A read was refused (no grant, revoked, expired, not yet valid).
    Denied,
    /// The relay served a link's content.
    RemoteFetch,
    /// The relay refused a request (wrong passcode, locked, expired, revoked).
    RemoteRefused,
    ReplyReceived,
    /// The owner answered a reply.
    AnswerSent,
    /// The owner let everyone held back after wrong passcodes try again.
    PasscodeTriesReset,
}

impl From<core::AuditAction> for AuditAction {
    fn from(a: core::AuditAction) -> Self {
        use core::AuditAction as A;
        match a {
            A::GrantCreated => Self::GrantCreated,
            A::GrantRevoked => Self::GrantRevoked,
            A::Read => Self::Read,
            A::Denied => Self::Denied,
            A::RemoteFetch => Self::RemoteFetch,
            A::RemoteRefused => Self::RemoteRefused,
            A::ReplyReceived => Self::ReplyReceived,
            A::AnswerSent => Self::AnswerSent,
            A::PasscodeTriesReset => Self::PasscodeTriesReset,
        }
    }
}

/// One line of the audit log: who saw what, when.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: SystemTime,
    pub action: AuditAction,
    /// The recipient's name as the grant records it.
    pub actor: String,
    pub grant_id: Option<String>,
    pub sections: Vec<String>,
    pub detail: String,
}

/// The result of walking the audit chain. When `ok` is false, `problem_seq` is the first
/// entry that does not verify and `problem` says why (edited, reordered, missing...).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuditVerification {
    pub entries: u64,
    pub ok: bool,
    pub problem_seq: Option<i64>,
    pub problem: Option<String>,
}

#[uniffi::export(async_runtime = "tokio")]
impl PhrRecord {
    /// Makes a grant after checking it against the consent rules, and audits it. Refused
    /// (private section, sensitive section for an employer, expiry before start, no
    /// name...): `InvalidInput` naming the field.
    pub async fn create_grant(&self, request: GrantRequest) -> R<Grant> {
        let inner = self.inner.clone();
        blocking(move || Ok(core::create_grant(&inner, request.into())?.into())).await
    }

    /// What a share made from `request` would reveal, stored nowhere. Refused exactly as
    /// `create_grant` would refuse its sections or entries.
    pub async fn share_preview(&self, request: GrantRequest) -> R<SharePreview> {
        let inner = self.inner.clone();
        blocking(move || {
            let p = core::preview::disclosure_preview(&inner, &request.into())?;
            Ok(SharePreview {
                sections: p.sections,
                lines: p.lines,
                needs_confirmation: p.needs_confirmation,
            })
        })
        .await
    }

    /// Every grant, active or not, oldest first.
    pub async fn grants(&self) -> R<Vec<Grant>> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.grants()?.into_iter().map(Into::into).collect())).await
    }

    pub async fn grant(&self, id: String) -> R<Grant> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.grant(&id)?.ok_or(PhrError::NotFound { what: "grant".into() })?.into()))
            .await
    }

    /// Revokes a grant: every later read under it is refused (and audited). For a grant
    /// published as a SMART Health Link, use `revoke_share`, which also deletes the
    /// relay's copy; this only marks it revoked here (for when the relay is out of reach).
    pub async fn revoke_grant(&self, id: String) -> R<Grant> {
        let inner = self.inner.clone();
        blocking(move || Ok(core::revoke_grant(&inner, &id)?.into())).await
    }

    /// The audit log, oldest first.
    pub async fn audit_log(&self) -> R<Vec<AuditEvent>> {
        let inner = self.inner.clone();
        blocking(move || {
            Ok(inner
                .audit_log()?
                .into_iter()
                .map(|e| AuditEvent {
                    seq: e.seq,
                    at: e.at.into(),
                    action: e.action.into(),
                    actor: e.actor,
                    grant_id: e.grant_id,
                    sections: e.sections,
                    detail: e.detail,
                })
                .collect())
        })
        .await
    }

    /// Verifies the audit log's hash chain from the first entry to the sealed head.
    pub async fn verify_audit(&self) -> R<AuditVerification> {
        let inner = self.inner.clone();
        blocking(move || {
            let v = inner.verify_audit()?;
            let (problem_seq, problem) = v.problem.map_or((None, None), |(s, why)| (Some(s), Some(why)));
            Ok(AuditVerification { entries: v.entries as u64, ok: v.ok, problem_seq, problem })
        })
        .await
    }
}
