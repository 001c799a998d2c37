//! The owner answers a reply to a request for advice, once. The answer is published with the
//! link as a second file: a FHIR `Communication` that quotes the reply it answers
//! (`inResponseTo` a contained `Communication`), encrypted under the link's key through the
//! relay's existing replace-files route. The person who replied sees it under their reply
//! when they open the link again. The relay sees only ciphertext and needs no new route,
//! table or migration; `update_share` keeps the answer in place. Why "once": a request for
//! advice is one question and one exchange, not a chat the owner must keep watching.

use super::relay::RelayApi;
use crate::consent::{Answer, AuditAction, Grant, PURPOSE_ADVICE};
use crate::store::AuditLine;
use crate::{Error, Record, Result};
use chrono::Utc;
use serde_json::{json, Value};

/// The longest answer, in characters (a few paragraphs; the reply box takes as much).
pub const MAX_ANSWER_CHARS: usize = 2000;

/// Answers the newest reply on an advice grant: publishes the answer to the link, then keeps
/// it in the grant and the audit log. Refused (field `already_answered`) once answered, and
/// (`no_reply`) before any reply came; if the relay cannot be reached nothing is kept, so
/// the owner can try again.
pub fn answer_reply(record: &Record, grant_id: &str, text: &str, relay: &dyn RelayApi) -> Result<Grant> {
    let mut grant = record.grant(grant_id)?.ok_or(Error::NotFound { what: "grant" })?;
    if grant.purpose != PURPOSE_ADVICE {
        return Err(Error::invalid("answer", "only a request for advice can be answered"));
    }
    if grant.answer.is_some() {
        return Err(Error::invalid("already_answered", "you have already answered; you can answer once"));
    }
    let reply = grant.replies.iter().max_by_key(|r| r.at).cloned();
    let Some(reply) = reply else {
        return Err(Error::invalid("no_reply", "there is no reply to answer yet"));
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::invalid("answer", "write your answer first"));
    }
    if text.chars().count() > MAX_ANSWER_CHARS {
        return Err(Error::invalid("answer", format!("at most {MAX_ANSWER_CHARS} characters")));
    }
    grant.answer = Some(Answer { at: Utc::now(), text: text.to_string(), to: reply });
    super::republish(record, &grant, relay)?;
    let line = AuditLine {
        at_ms: Utc::now().timestamp_millis(),
        action: AuditAction::AnswerSent,
        actor: grant.recipient.name.clone(),
        detail: format!("answer: {text}"),
    };
    record.update_grant_with_events(&grant, &[line])?;
    Ok(grant)
}

/// The answer as a FHIR R4 `Communication` quoting the reply it answers.
pub fn communication(a: &Answer) -> Value {
    json!({
        "resourceType": "Communication",
        "id": "answer",
        "contained": [{
            "resourceType": "Communication",
            "id": "reply",
            "status": "completed",
            "sent": a.to.at.to_rfc3339(),
            "sender": {"display": a.to.from},
            "payload": [{"contentString": a.to.text}],
        }],
        "inResponseTo": [{"reference": "#reply"}],
        "status": "completed",
        "sent": a.at.to_rfc3339(),
        "payload": [{"contentString": a.text}],
    })
}
