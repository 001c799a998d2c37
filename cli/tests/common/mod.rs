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
