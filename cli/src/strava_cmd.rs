//! `phr strava connect|sync|status`: the Strava account, its tokens sealed in the record.
//!
//! Tokens and the client secret are never printed. The Strava address can be changed with
//! the hidden `--strava-url` / `PHR_STRAVA_URL`, for tests against a local server only.

use crate::terminal::outln;
use clap::{Args, Subcommand};
use phr_core::import::derive::DeriveOptions;
use phr_core::import::strava::{RatePolicy, ReqwestTransport, StravaClient, DEFAULT_BASE_URL};
use phr_core::import::strava_account::{self as account, AppCredentials};
use phr_core::progress::{CancelToken, NoProgress};
use std::io::{BufRead, Write};
use std::path::Path;

/// Where Strava sends the browser after approval; the page will not load, and the code is
/// in its address (Strava allows `localhost` for any application).
const REDIRECT_URI: &str = "http://localhost/exchange_token";

#[derive(Args)]
pub struct App {
    /// Your Strava API application's client id (https://www.strava.com/settings/api)
    #[arg(long, env = "STRAVA_CLIENT_ID")]
    client_id: Option<String>,
    /// Its client secret
    #[arg(long, env = "STRAVA_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// Strava's address (tests only)
    #[arg(long, env = "PHR_STRAVA_URL", hide = true, default_value = DEFAULT_BASE_URL)]
    strava_url: String,
}

#[derive(Subcommand)]
pub enum StravaCmd {
    /// Connect your Strava account: open the printed address, approve, paste the address
    /// you land on (or give `--code`)
    Connect {
        #[command(flatten)]
        app: App,
        /// The authorization code (skips the prompt)
        #[arg(long)]
        code: Option<String>,
    },
    /// Import activities added since the last sync (refreshes the sign-in when it expired)
    Sync {
        #[command(flatten)]
        app: App,
        /// Activity summaries only, without their GPS/heart-rate streams
        #[arg(long)]
        no_streams: bool,
        /// At a 15-minute rate limit, wait for the next window instead of stopping
        #[arg(long)]
        wait: bool,
    },
    /// Whether an account is connected, and when it last synced
    Status,
}

fn client(app: &App, id: &str, secret: &str) -> Result<StravaClient<ReqwestTransport>, String> {
    Ok(StravaClient::new(ReqwestTransport::new().map_err(|e| e.to_string())?, id, secret)
        .with_base_url(&app.strava_url))
}

pub fn run(home: &Path, cmd: StravaCmd, json: bool) -> Result<(), String> {
    // Open (and so unlock) the record first: a wrong passphrase fails before any network.
    let record = super::open(home)?;
    match cmd {
        StravaCmd::Connect { app, code } => {
            let id = app
                .client_id
                .clone()
                .ok_or("give --client-id (or set STRAVA_CLIENT_ID): your Strava API application's id")?;
            let secret =
                app.client_secret.clone().ok_or("give --client-secret (or set STRAVA_CLIENT_SECRET)")?;
            let mut c = client(&app, &id, &secret)?;
            let code = match code {
                Some(c) => account::code_from_paste(&c, "").map_err(|e| e.to_string())?,
                None => {
                    let state = uuid::Uuid::new_v4().simple().to_string();
                    let mut err = std::io::stderr();
                    let _ = writeln!(err, "Open this address, approve, then paste the address your browser lands on (or just its code=...):\n\n  {}\n", c.authorize_url(REDIRECT_URI, &state));
                    let _ = write!(err, "Paste here: ");
                    let _ = err.flush();
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
                    account::code_from_paste(&line, &state)?
                }
            };
            let st = account::connect(&record, &mut c, &id, &secret, &code).map_err(|e| e.to_string())?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&st).map_err(|e| e.to_string())?);
            } else {
                let who = st.athlete_id.map(|a| format!(" (athlete {a})")).unwrap_or_default();
                outln!("Connected to Strava{who}. The sign-in is stored encrypted in your record. Run `phr strava sync` to import.");
            }
        }
        StravaCmd::Sync { app, no_streams, wait } => {
            let creds = AppCredentials {
                client_id: app.client_id.clone(),
                client_secret: app.client_secret.clone().map(Into::into),
            };
            let conn = account::connection(&record, &creds).map_err(|e| e.to_string())?;
            let mut c = client(&app, &conn.client_id, conn.client_secret.expose_secret())?
                .with_tokens(conn.tokens.clone());
            if wait {
                c.policy = RatePolicy::Wait { max_wait_s: 900 };
            }
            let rep = account::sync(
                &record,
                &mut c,
                conn,
                !no_streams,
                &DeriveOptions::default(),
                &NoProgress,
                &CancelToken::new(),
            )
            .map_err(|e| e.to_string())?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&rep).map_err(|e| e.to_string())?);
            } else {
                outln!(
                    "Strava: {} activities seen, {} added, {} merged with ones from other apps, {} already known ({} pages, {} streams)",
                    rep.activities_seen, rep.activities_added, rep.activities_merged, rep.activities_unchanged, rep.pages, rep.streams_fetched
                );
                if let Some(why) = &rep.stopped {
                    outln!("Stopped early: {why}. What was imported is kept; sync again later for the rest.");
                }
            }
        }
        StravaCmd::Status => {
            let st = account::status(&record).map_err(super::err)?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&st).map_err(|e| e.to_string())?);
            } else if !st.connected {
                outln!("Not connected. Run `phr strava connect`.");
            } else {
                let last =
                    st.last_sync.map_or("never".to_string(), |t| phr_core::import::utc_string(t * 1000));
                outln!(
                    "Connected{}; last sync: {last}",
                    st.athlete_id.map(|a| format!(" (athlete {a})")).unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}
