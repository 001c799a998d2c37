//! `phr-relay serve [--listen 127.0.0.1:8787] [--db relay.sqlite | --postgres URL] [--public-url URL]`

#![allow(clippy::print_stderr)] // a server's start-up line and fatal errors go to stderr

use phr_relay::{Backend, Options};
use std::path::PathBuf;
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!("usage: phr-relay serve [--listen ADDR:PORT] [--db FILE | --postgres URL] [--public-url URL]");
    ExitCode::from(2)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() != Some("serve") {
        return usage();
    }
    let mut listen = "127.0.0.1:8787".to_string();
    let mut backend = Backend::Sqlite(PathBuf::from("relay.sqlite"));
    let mut opts = Options::default();
    while let Some(a) = args.next() {
        let Some(v) = args.next() else { return usage() };
        match a.as_str() {
            "--listen" => listen = v,
            "--db" => backend = Backend::Sqlite(PathBuf::from(v)),
            "--postgres" => backend = Backend::Postgres { url: v, schema: None },
            "--public-url" => opts.public_url = Some(v.trim_end_matches('/').to_string()),
            _ => return usage(),
        }
    }
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("phr-relay: cannot listen on {listen}: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("phr-relay: listening on http://{listen}");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match phr_relay::serve(listener, backend, opts, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("phr-relay: {e}");
            ExitCode::FAILURE
        }
    }
}
