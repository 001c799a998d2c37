//! `phr-relay --help` describes the options an operator needs, and they are the real ones.
#![allow(clippy::unwrap_used)] // test code

use std::process::Command;

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_phr-relay")).args(args).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn top_level_help_lists_the_serve_options_that_exist() {
    let top = help(&["--help"]);
    let serve = help(&["serve", "--help"]);
    let flags: Vec<&str> = top.split_whitespace().filter(|w| w.starts_with("--") && w.len() > 2).collect();
    for f in ["--listen", "--db", "--postgres", "--public-url", "--pairing-ttl"] {
        assert!(flags.contains(&f), "{f} missing from phr-relay --help:\n{top}");
    }
    for f in flags.iter().filter(|f| !["--help", "--version"].contains(f)) {
        assert!(serve.contains(f), "{f} is in --help but not an option of serve:\n{serve}");
    }
}
