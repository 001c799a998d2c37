//! Load: a bounded number of concurrent viewers fetching one manifest on 127.0.0.1.
//! Ignored by default; scripts/relay-load.sh runs it (and the same loader against nginx
//! serving the same bytes, when PHR_LOAD_COMPARE_URL is set).
//!   cargo test -p phr-relay --test load -- --ignored --nocapture
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Result_ {
    requests: u64,
    errors: u64,
    secs: f64,
    p50_ms: f64,
    p99_ms: f64,
}

async fn hammer(url: String, post: bool, concurrency: usize, dur: Duration) -> Result_ {
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().unwrap();
    let errors = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (c, url, errors) = (client.clone(), url.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while start.elapsed() < dur {
                let t = Instant::now();
                let req = if post {
                    c.post(&url)
                        .header("content-type", "application/json")
                        .body(r#"{"recipient":"load test"}"#)
                } else {
                    c.get(&url)
                };
                match req.send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let secs = start.elapsed().as_secs_f64();
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let q = |p: f64| all[((all.len() as f64 - 1.0) * p) as usize];
    Result_ {
        requests: all.len() as u64,
        errors: errors.load(Ordering::Relaxed),
        secs,
        p50_ms: q(0.5),
        p99_ms: q(0.99),
    }
}

#[test]
#[ignore]
fn concurrent_viewers() {
    let url = std::env::var("PHR_LOAD_URL")
        .expect("PHR_LOAD_URL: a manifest URL on a running relay (scripts/relay-load.sh)");
    let conc: usize = std::env::var("PHR_LOAD_CONCURRENCY").ok().and_then(|s| s.parse().ok()).unwrap_or(32);
    let secs: u64 = std::env::var("PHR_LOAD_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let r = rt.block_on(hammer(url, true, conc, Duration::from_secs(secs)));
    println!(
        "relay  POST manifest: {conc} viewers, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors, {} served",
        r.requests as f64 / r.secs,
        r.p50_ms,
        r.p99_ms,
        r.errors,
        r.requests - r.errors
    );
    assert_eq!(r.errors, 0);
    if let Ok(cmp) = std::env::var("PHR_LOAD_COMPARE_URL") {
        let n = rt.block_on(hammer(cmp, false, conc, Duration::from_secs(secs)));
        println!(
            "nginx  GET same bytes: {conc} viewers, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors",
            n.requests as f64 / n.secs,
            n.p50_ms,
            n.p99_ms,
            n.errors
        );
        println!(
            "ratio relay/nginx throughput: {:.2}",
            (r.requests as f64 / r.secs) / (n.requests as f64 / n.secs)
        );
    }
}
