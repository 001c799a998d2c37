//! What the command-line tests share: the real `phr` binary run on a home folder, with the
//! passphrase from the environment and nothing inherited that would point it elsewhere
//! (`PHR_HOME`, `PHR_RELAY`). Its stdin is not a terminal, so no command can stop to ask.
// Each test file is its own crate and uses its own share of these helpers.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub const PASS: &str = "a test passphrase for the cli";

/// `phr --home HOME ARGS` with `env` set on top of the clean environment.
pub fn phr_env(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_phr"));
    c.arg("--home")
        .arg(home)
        .args(args)
        .env("PHR_PASSPHRASE", PASS)
        .env_remove("PHR_HOME")
        .env_remove("PHR_RELAY");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

pub fn phr(home: &Path, args: &[&str]) -> Output {
    phr_env(home, args, &[])
}

/// Runs `phr` and returns its standard output; fails the test if the command failed.
pub fn ok(home: &Path, args: &[&str]) -> String {
    let out = phr(home, args);
    assert!(out.status.success(), "phr {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `phr`, expecting a refusal, and returns its error text; a panic is never a refusal.
pub fn fails(home: &Path, args: &[&str]) -> String {
    let out = phr(home, args);
    assert!(!out.status.success(), "phr {args:?} should fail");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("panicked"), "phr {args:?} panicked: {err}");
    err
}

/// A running `phr-relay` from the same build (killed on drop), or `None` (skip) if it was
/// not built.
pub struct Relay {
    child: std::process::Child,
    pub url: String,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn relay_bin() -> std::path::PathBuf {
    Path::new(env!("CARGO_BIN_EXE_phr")).with_file_name("phr-relay")
}

fn spawn_relay(port: u16, dir: &Path) -> std::process::Child {
    Command::new(relay_bin())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--db"])
        .arg(dir.join("relay.sqlite"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

fn wait_for(port: u16) {
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("phr-relay did not start");
}

impl Relay {
    /// Stops the relay and starts it again on the same address and database after `while_down`
    /// has run: what an owner meets when they were offline or the relay was down.
    pub fn down_while(&mut self, while_down: impl FnOnce()) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        while_down();
        self.child = spawn_relay(self.port, self.dir.path());
        wait_for(self.port);
    }
}

pub fn relay() -> Option<Relay> {
    if !relay_bin().exists() {
        phr_testkit::missing("phr-relay is not built (cargo build -p phr-relay)");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let child = spawn_relay(port, dir.path());
    // Owned by `Relay` at once, so its Drop kills and waits for the process on every path.
    let relay = Relay { child, url: format!("http://127.0.0.1:{port}"), port, dir };
    wait_for(port);
    Some(relay)
}
