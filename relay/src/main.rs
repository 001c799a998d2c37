//! `phr-relay serve [--listen 127.0.0.1:8787] [--db relay.sqlite | --postgres URL] [--public-url URL]`
//! (`phr-relay --help`, `phr-relay serve --help`).

use clap::{Parser, Subcommand};
use phr_relay::{Backend, Options};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// phr-relay: hosts SMART Health Link manifests and encrypted files (ciphertext only), the
/// clinician viewer page, and the encrypted multi-device sync mailbox. It never holds a key.
/// `serve`'s options, on the first help page an operator sees.
const SERVE_OPTIONS: &str = "\
Options of `phr-relay serve` (each also from its environment variable):
  --listen ADDR:PORT   where to listen, plain HTTP (default 127.0.0.1:8787; PHR_RELAY_LISTEN)
  --db FILE            SQLite database, created if missing (default relay.sqlite; PHR_RELAY_DB)
  --postgres URL       PostgreSQL instead of SQLite, for several instances (PHR_RELAY_POSTGRES)
  --pg-pool N          PostgreSQL connections per instance (default 4; PHR_RELAY_PG_POOL)
  --public-url URL     base URL handed to viewers (default: from the Host header; PHR_RELAY_PUBLIC_URL)
  --pairing-ttl SECONDS  how long a device-pairing slot lives (default 600)
  --new-device-wait SECONDS  how long a new device waits before it may ask for or confirm
                       another device's removal (default 86400, a day; 0 for tests)
  --rate-per-minute N  signed requests per key and minute (default 1200; PHR_RELAY_RATE_PER_MINUTE)
  --rate-burst N       signed requests per key at once (default 300; PHR_RELAY_RATE_BURST)
  --link-quota-mb MB   ciphertext an owner key may keep in active links (default 64; PHR_RELAY_LINK_QUOTA_MB)
  --sync-quota-mb MB   ops and snapshot a sync account may keep (default 1024; PHR_RELAY_SYNC_QUOTA_MB)
  --ticket-key-file F  secret keying file tickets, the same on every instance (PHR_RELAY_TICKET_KEY_FILE,
                       or the text itself in PHR_RELAY_TICKET_KEY; default: random per process)
  --trusted-proxy IP   believe X-Forwarded-For from this proxy; repeat or comma-separate
                       (default none; PHR_RELAY_TRUSTED_PROXIES)
  --instance NAME      sent as x-phr-instance on every response (PHR_RELAY_INSTANCE)
Example: phr-relay serve --listen 0.0.0.0:8787 --db /var/lib/phr/relay.sqlite";

#[derive(Parser, Debug)]
#[command(name = "phr-relay", version, about, long_about = None, after_help = SERVE_OPTIONS)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the relay's HTTP API and viewer until interrupted (Ctrl-C). The database is
    /// created, or brought up to the current schema version, when the relay starts.
    Serve(Serve),
}

#[derive(clap::Args, Debug)]
struct Serve {
    /// Address and port to listen on (plain HTTP; put TLS in front of it).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8787", env = "PHR_RELAY_LISTEN")]
    listen: String,
    /// SQLite database file (the default backend; created if missing).
    #[arg(long, value_name = "FILE", default_value = "relay.sqlite", env = "PHR_RELAY_DB")]
    db: PathBuf,
    /// PostgreSQL connection string (key=value or postgres:// URL) instead of SQLite, for
    /// several relay instances sharing one database.
    #[arg(long, value_name = "URL", conflicts_with = "db", env = "PHR_RELAY_POSTGRES")]
    postgres: Option<String>,
    /// PostgreSQL connections this instance keeps open (default 4); requests share them
    /// round-robin, pipelined. Ignored with SQLite.
    #[arg(long, value_name = "N", env = "PHR_RELAY_PG_POOL", value_parser = clap::value_parser!(u16).range(1..=256))]
    pg_pool: Option<u16>,
    /// Public base URL of this relay, used in file locations handed to viewers (default:
    /// http:// and the request's Host header).
    #[arg(long, value_name = "URL", env = "PHR_RELAY_PUBLIC_URL")]
    public_url: Option<String>,
    /// How long a device-pairing slot lives, in seconds (default 600).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pairing_ttl: Option<u64>,
    /// How long a newly added device waits before it may ask for or confirm another
    /// device's removal, in seconds (default 86400, a day).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(0..=30 * 86_400))]
    new_device_wait: Option<u64>,
    /// Signed requests per key and minute, sustained (default 1200).
    #[arg(long, value_name = "N", env = "PHR_RELAY_RATE_PER_MINUTE", value_parser = clap::value_parser!(u32).range(1..))]
    rate_per_minute: Option<u32>,
    /// Signed requests per key at once, before the per-minute rate applies (default 300).
    #[arg(long, value_name = "N", env = "PHR_RELAY_RATE_BURST", value_parser = clap::value_parser!(u32).range(1..))]
    rate_burst: Option<u32>,
    /// Megabytes of ciphertext one owner key may keep in active share links (default 64).
    #[arg(long, value_name = "MB", env = "PHR_RELAY_LINK_QUOTA_MB", value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    link_quota_mb: Option<u64>,
    /// Megabytes of ops and snapshot one sync account may keep (default 1024).
    #[arg(long, value_name = "MB", env = "PHR_RELAY_SYNC_QUOTA_MB", value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    sync_quota_mb: Option<u64>,
    /// File holding the secret that keys SHL file tickets (at least 32 characters, e.g.
    /// `openssl rand -hex 32`); give every instance behind one load balancer the same. The
    /// text itself may come from PHR_RELAY_TICKET_KEY instead. Default: random per process.
    #[arg(long, value_name = "FILE", env = "PHR_RELAY_TICKET_KEY_FILE")]
    ticket_key_file: Option<PathBuf>,
    /// A proxy (IP address) whose X-Forwarded-For header names the client, for the passcode
    /// back-off; repeat or comma-separate. Default none: the TCP peer is the client.
    #[arg(long, value_name = "IP", env = "PHR_RELAY_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// This instance's name, sent as `x-phr-instance` on every response.
    #[arg(long, value_name = "NAME", env = "PHR_RELAY_INSTANCE")]
    instance: Option<String>,
}

/// The ticket key's text: the file, else PHR_RELAY_TICKET_KEY, else none (random per process).
fn ticket_key(file: Option<&std::path::Path>) -> Result<Option<phr_secret::Secret<String>>, String> {
    if let Some(f) = file {
        return std::fs::read_to_string(f)
            .map(|t| Some(phr_secret::Secret::new(t)))
            .map_err(|e| format!("cannot read the ticket key file {}: {e}", f.display()));
    }
    Ok(std::env::var("PHR_RELAY_TICKET_KEY")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .map(phr_secret::Secret::new))
}

/// The binary's one way to talk to its operator: a line on stderr (a closed stderr is ignored).
fn say(msg: &str) {
    let _ = writeln!(std::io::stderr(), "phr-relay: {msg}");
}

/// Structured logs to stderr: `RUST_LOG` filters them (default `info`: one line per request,
/// the sweeper, storage errors). Request bodies and values are never logged (`request_log`).
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    if tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init().is_err() {
        say("logging was already set up");
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> ExitCode {
    let Command::Serve(args) = Cli::parse().command;
    init_logs();
    let backend = match args.postgres {
        Some(url) => Backend::Postgres { url, schema: None },
        None => Backend::Sqlite(args.db),
    };
    let ticket_key = match ticket_key(args.ticket_key_file.as_deref()) {
        Ok(k) => k,
        Err(e) => {
            say(&e);
            return ExitCode::FAILURE;
        }
    };
    let opts = Options {
        public_url: args.public_url.map(|u| u.trim_end_matches('/').to_string()),
        pairing_ttl: args.pairing_ttl.map(std::time::Duration::from_secs),
        new_device_wait: args.new_device_wait.map(std::time::Duration::from_secs),
        rate_per_minute: args.rate_per_minute,
        rate_burst: args.rate_burst,
        link_quota: args.link_quota_mb.map(|m| m * 1024 * 1024),
        sync_quota: args.sync_quota_mb.map(|m| m * 1024 * 1024),
        pg_pool: args.pg_pool.map(usize::from),
        ticket_key,
        trusted_proxies: args.trusted_proxy,
        instance: args.instance,
        ..Options::default()
    };
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            say(&format!("cannot listen on {}: {e}", args.listen));
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("listening on http://{}", args.listen);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match phr_relay::serve(listener, backend, opts, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say(&e.to_string());
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent_and_help_names_every_option() {
        Cli::command().debug_assert();
        let mut serve = Cli::command().find_subcommand("serve").unwrap().clone();
        let help = serve.render_long_help().to_string();
        for opt in [
            "--listen",
            "--db",
            "--postgres",
            "--pg-pool",
            "--public-url",
            "--pairing-ttl",
            "--new-device-wait",
            "--rate-per-minute",
            "--rate-burst",
            "--link-quota-mb",
            "--sync-quota-mb",
            "--ticket-key-file",
            "--trusted-proxy",
            "--instance",
        ] {
            assert!(help.contains(opt), "{opt} missing from:\n{help}");
        }
        for a in serve.get_arguments() {
            assert!(a.get_help().is_some() || a.get_id() == "help" || a.get_id() == "version", "{a:?}");
        }
        let top = Cli::command().render_long_help().to_string();
        assert!(top.contains("serve"), "{top}");
    }

    #[test]
    fn postgres_and_db_exclude_each_other_and_defaults_hold() {
        assert!(Cli::try_parse_from(["phr-relay", "serve", "--db", "a", "--postgres", "b"]).is_err());
        assert!(Cli::try_parse_from(["phr-relay"]).is_err());
        assert!(Cli::try_parse_from(["phr-relay", "serve", "--pairing-ttl", "0"]).is_err());
        let Command::Serve(s) = Cli::try_parse_from(["phr-relay", "serve"]).unwrap().command;
        assert_eq!(s.listen, "127.0.0.1:8787");
        assert_eq!(s.db, PathBuf::from("relay.sqlite"));
        assert!(s.postgres.is_none());
        assert!(s.trusted_proxy.is_empty(), "no proxy is trusted unless configured");
        let Command::Serve(s) =
            Cli::try_parse_from(["phr-relay", "serve", "--trusted-proxy", "127.0.0.1,::1"]).unwrap().command;
        assert_eq!(s.trusted_proxy.len(), 2);
        assert!(Cli::try_parse_from(["phr-relay", "serve", "--trusted-proxy", "nginx"]).is_err());
    }
}
