//! The owner's Strava connection, kept sealed in the record: `phr strava connect|sync`.
//!
//! The tokens grant access to the account, so they live only in the record's sealed
//! settings (AES-256-GCM like every health value), never in a plain config file, and no
//! type here prints them (`Debug` is redacted). The sync cursor (latest activity start
//! seen) is stored in the same sealed document: a sync asks Strava only for activities
//! after it, and importing is idempotent anyway (stable `strava:<id>` source ids), so a
//! sync that stops early (rate limit, cancel) keeps the old cursor and the next one
//! picks up what was missed.

use super::derive::DeriveOptions;
use super::strava::{StravaClient, SyncReport, Tokens, Transport, SERVICE};
use crate::progress::{CancelToken, ProgressListener};
use crate::Record;
use serde::{Deserialize, Serialize};

/// The sealed setting's name.
/// Device-local (`sync::change::is_device_local_setting`): each device refreshes its own
/// tokens; the activities they bring do sync.
pub const SETTING: &str = "strava.connection";

/// The owner's API application and tokens, plus the sync cursor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StravaConnection {
    pub client_id: String,
    #[serde(serialize_with = "phr_secret::expose")]
    pub client_secret: crate::SecretString,
    pub tokens: Tokens,
    /// Start (unix s) of the latest activity a completed sync saw.
    #[serde(default)]
    pub after: Option<i64>,
    /// When the last completed sync ended (unix s).
    #[serde(default)]
    pub last_sync: Option<i64>,
}

/// What `phr strava status` may show (no secrets).
#[derive(Clone, Debug, Serialize)]
pub struct ConnectionStatus {
    pub connected: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub athlete_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sync: Option<i64>,
}

/// API application credentials given on the command line or in the environment; when
/// absent, the ones stored at connect time are used.
#[derive(Clone, Debug, Default)]
pub struct AppCredentials {
    pub client_id: Option<String>,
    pub client_secret: Option<crate::SecretString>,
}

pub fn load(record: &Record) -> crate::Result<Option<StravaConnection>> {
    record.setting(SETTING)
}

pub fn status(record: &Record) -> crate::Result<ConnectionStatus> {
    Ok(match load(record)? {
        Some(c) => ConnectionStatus {
            connected: true,
            athlete_id: c.tokens.athlete_id,
            after: c.after,
            last_sync: c.last_sync,
        },
        None => ConnectionStatus { connected: false, athlete_id: None, after: None, last_sync: None },
    })
}

/// The code the owner pastes back: the bare code, or the whole redirect URL (then its
/// `state`, when present, must be ours).
pub fn code_from_paste(pasted: &str, state: &str) -> Result<String, String> {
    let p = pasted.trim();
    if !p.contains('?') {
        return if p.is_empty() || p.contains(char::is_whitespace) {
            Err("no authorization code given".into())
        } else {
            Ok(p.to_string())
        };
    }
    // A whole URL, or one without its scheme (`localhost/exchange_token?code=...`).
    let url = url::Url::parse(p)
        .or_else(|_| url::Url::parse(&format!("http://{p}")))
        .map_err(|_| "the pasted address is not a web address".to_string())?;
    let mut code = None;
    for (k, v) in url.query_pairs() {
        match (k.as_ref(), v) {
            ("code", _) if code.is_some() => return Err("the pasted address has more than one code".into()),
            ("code", v) if !v.is_empty() => code = Some(v.into_owned()),
            ("state", v) if v != state => {
                return Err("the pasted address is from another sign-in (its state does not match)".into())
            }
            ("error", v) => return Err(format!("Strava said: {v}")),
            _ => {}
        }
    }
    code.ok_or_else(|| "the pasted address has no code= in it".into())
}

/// Exchanges the authorization code and stores the connection sealed in the record.
/// Replaces an earlier connection (and its cursor only if the athlete changed).
pub fn connect<T: Transport>(
    record: &Record,
    client: &mut StravaClient<T>,
    client_id: &str,
    client_secret: &str,
    code: &str,
) -> crate::Result<ConnectionStatus> {
    let tokens = client.exchange_code(code)?;
    let old = load(record)?;
    let after = old.filter(|o| o.tokens.athlete_id == tokens.athlete_id).and_then(|o| o.after);
    let conn = StravaConnection {
        client_id: client_id.into(),
        client_secret: client_secret.into(),
        tokens,
        after,
        last_sync: None,
    };
    record.set_setting(SETTING, &conn)?;
    status(record)
}

/// The stored connection with credentials overridden by `creds` where given.
pub fn connection(record: &Record, creds: &AppCredentials) -> crate::Result<StravaConnection> {
    let mut c = load(record)?.ok_or(crate::Error::NotConnected { service: SERVICE })?;
    if let Some(id) = &creds.client_id {
        c.client_id = id.clone();
    }
    if let Some(s) = &creds.client_secret {
        c.client_secret = s.clone();
    }
    Ok(c)
}

/// Imports activities since the last completed sync. `client` must carry the stored
/// tokens (see [`connection`]); it refreshes them when expired. Refreshed tokens are
/// stored even when the sync then fails, since Strava may have retired the old ones.
pub fn sync<T: Transport>(
    record: &Record,
    client: &mut StravaClient<T>,
    mut conn: StravaConnection,
    with_streams: bool,
    opts: &DeriveOptions,
    progress: &dyn ProgressListener,
    cancel: &CancelToken,
) -> crate::Result<SyncReport> {
    let result = client.sync(record, conn.after, with_streams, opts, progress, cancel);
    if let Some(t) = client.tokens() {
        conn.tokens = t.clone();
    }
    if let Ok(rep) = &result {
        if rep.stopped.is_none() {
            conn.after = match (conn.after, rep.latest_start) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            conn.last_sync = Some(chrono::Utc::now().timestamp());
        }
    }
    record.set_setting(SETTING, &conn)?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_codes() {
        assert_eq!(code_from_paste(" abc123 \n", "s").unwrap(), "abc123");
        assert_eq!(
            code_from_paste("http://localhost/exchange_token?state=s&code=abc&scope=read", "s").unwrap(),
            "abc"
        );
        assert_eq!(
            code_from_paste("http://localhost/exchange_token?code=abc&scope=read", "s").unwrap(),
            "abc"
        );
        assert!(code_from_paste("http://localhost/exchange_token?state=other&code=abc", "s").is_err());
        assert!(code_from_paste("http://localhost/exchange_token?error=access_denied", "s")
            .unwrap_err()
            .contains("access_denied"));
        assert!(code_from_paste("", "s").is_err());
        // Encoded characters are decoded; repeated or missing codes are refused.
        assert_eq!(code_from_paste("localhost/exchange_token?state=s%20t&code=a%2Fb", "s t").unwrap(), "a/b");
        assert!(code_from_paste("http://localhost/exchange_token?state=s&code=a&code=b", "s").is_err());
        assert!(code_from_paste("http://localhost/exchange_token?state=s&code=", "s").is_err());
    }

    #[test]
    fn the_connection_stays_on_this_device() {
        assert!(crate::sync::change::is_device_local_setting(SETTING));
    }

    #[test]
    fn debug_never_shows_tokens() {
        let c = StravaConnection {
            client_id: "1".into(),
            client_secret: "client-secret-xyz".into(),
            tokens: Tokens {
                access_token: "access-xyz".into(),
                refresh_token: "refresh-xyz".into(),
                expires_at: 0,
                athlete_id: Some(7),
            },
            after: None,
            last_sync: None,
        };
        let d = format!("{c:?} {:?}", c.tokens);
        assert!(!d.contains("xyz"), "{d}");
    }
}
