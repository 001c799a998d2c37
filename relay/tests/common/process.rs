//! A relay as its own process (the `phr-relay` binary), for tests that measure its memory,
//! read its logs or kill it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RelayProcess {
    pub child: Child,
    pub addr: String,
    pub dir: tempfile::TempDir,
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts `phr-relay serve` over SQLite in a fresh folder (or over PostgreSQL when `extra`
/// has `--postgres URL`) with `extra` arguments and `env`,
/// stderr to `stderr` (a file or null), and waits until it answers `/healthz`.
pub fn spawn(extra: &[&str], env: &[(&str, &str)], stderr: Stdio) -> RelayProcess {
    let dir = tempfile::tempdir().unwrap();
    spawn_in(dir, extra, env, stderr)
}

pub fn spawn_in(dir: tempfile::TempDir, extra: &[&str], env: &[(&str, &str)], stderr: Stdio) -> RelayProcess {
    let addr = format!("127.0.0.1:{}", free_port());
    spawn_at(dir, &addr, extra, env, stderr)
}

/// [`spawn_in`] on a given address (a relay started again where its clients expect it).
pub fn spawn_at(
    dir: tempfile::TempDir,
    addr: &str,
    extra: &[&str],
    env: &[(&str, &str)],
    stderr: Stdio,
) -> RelayProcess {
    let addr = addr.to_string();
    let db = dir.path().join("relay.sqlite");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_phr-relay"));
    cmd.args(["serve", "--listen", &addr]);
    if !extra.contains(&"--postgres") {
        cmd.args(["--db", db.to_str().unwrap()]);
    }
    cmd.args(extra).stdin(Stdio::null()).stdout(Stdio::null()).stderr(stderr);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().unwrap();
    let p = RelayProcess { child, addr, dir };
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if let Ok((200, _)) = raw_request(&p.addr, "GET", "/healthz", &[], b"") {
            return p;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("relay did not start on {}", p.addr);
}

impl RelayProcess {
    /// Kills the process (SIGKILL) and hands back its folder.
    pub fn kill(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap())
    }

    /// Peak resident memory so far (VmHWM), in bytes.
    pub fn peak_rss(&self) -> u64 {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = s.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        kb * 1024
    }
}

/// One HTTP/1.1 request on a fresh connection; `(status, body)`.
pub fn raw_request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Ok((status, body))
}

/// What happened to a large upload.
#[derive(Debug, Clone, Copy)]
pub struct Upload {
    /// The answer's status; 0 when the relay closed the connection without one.
    pub status: u16,
    /// Body bytes the relay took before answering or closing.
    pub sent: u64,
    pub elapsed: Duration,
}

/// Sends `len` bytes of body (1 MiB chunks, never held whole) while reading the answer, and
/// stops sending as soon as the relay answers or closes.
pub fn stream_upload(addr: &str, method: &str, path: &str, headers: &[(String, String)], len: u64) -> Upload {
    let start = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {len}\r\nConnection: close\r\n"
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    let mut w = s.try_clone().unwrap();
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let sent_w = sent.clone();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'a'; 1 << 20];
        let mut done = 0u64;
        while done < len {
            let n = chunk.len().min((len - done) as usize);
            if w.write_all(&chunk[..n]).is_err() {
                break;
            }
            done += n as u64;
            sent_w.store(done, std::sync::atomic::Ordering::Relaxed);
        }
    });
    let mut buf = Vec::new();
    let mut b = [0u8; 256];
    while buf.len() < 12 {
        match s.read(&mut b) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&b[..n]),
        }
    }
    let status = String::from_utf8_lossy(&buf).get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let elapsed = start.elapsed();
    let _ = s.shutdown(std::net::Shutdown::Both);
    let _ = writer.join();
    Upload { status, sent: sent.load(std::sync::atomic::Ordering::Relaxed), elapsed }
}
