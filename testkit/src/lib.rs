//! Test support shared by the tests of every crate in the workspace.
//!
//! Two jobs, so that no test file writes them again:
//! - where the test corpus is (`tests/corpus/` in this repository: a clone is
//!   self-contained, nothing is read from outside it);
//! - the one rule for a missing prerequisite (a corpus, a server, PostgreSQL, a browser, a
//!   Python package): on a developer's machine the test skips with a printed reason, under
//!   `CI=true` it fails with that reason, so CI never passes without testing.

use std::path::{Path, PathBuf};

/// The root of the repository (the workspace folder).
pub fn repo_root() -> PathBuf {
    // This crate lives one folder below the root; the path is fixed at compile time.
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// The corpus of real files the tests read: `tests/corpus/` (see its README and
/// `MANIFEST.tsv` with what independent parsers found in each file).
pub fn corpus_dir() -> PathBuf {
    repo_root().join("tests").join("corpus")
}

/// The corpus, or `None` after [`missing`] was told (a skip locally, a failure in CI).
pub fn corpus() -> Option<PathBuf> {
    let dir = corpus_dir();
    if dir.join("MANIFEST.tsv").is_file() {
        Some(dir)
    } else {
        missing(&format!("the test corpus is absent at {}", dir.display()));
        None
    }
}

/// A sub-folder of the corpus (`fit`, `fhir`, ...), or `None` after [`missing`].
pub fn corpus_subdir(name: &str) -> Option<PathBuf> {
    corpus().map(|c| c.join(name))
}

/// True when running in CI (`CI` set to anything but empty, `0` or `false`), where a
/// missing prerequisite is a failure.
pub fn in_ci() -> bool {
    match std::env::var("CI") {
        Ok(v) => !matches!(v.trim().to_ascii_lowercase().as_str(), "" | "0" | "false"),
        Err(_) => false,
    }
}

/// Report a missing prerequisite. Under `CI=true` this panics with the reason, so the
/// test fails; otherwise it prints `SKIP: reason` to stderr and the caller returns early.
#[allow(clippy::print_stderr)] // the printed reason is the point of a local skip
pub fn missing(reason: &str) {
    if in_ci() {
        panic!("required under CI=true but missing: {reason}");
    }
    eprintln!("SKIP: {reason}");
}

/// An environment variable that a test stage sets (a server's address, a binary's path),
/// or `None` after [`missing`] was told which script sets it.
pub fn required_env(name: &str, set_by: &str) -> Option<String> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => Some(v),
        _ => {
            missing(&format!("{name} is not set ({set_by} sets it)"));
            None
        }
    }
}

/// Whether `python3` can import `module`; tells [`missing`] when it cannot.
pub fn python_module(module: &str) -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        missing(&format!(
            "python3 cannot import {module} (scripts/test-all.sh installs it before the Rust stage)"
        ));
    }
    ok
}

/// Validates a FHIR R4 JSON resource (a Bundle) with Python's `fhir.resources` (R4B
/// models), an implementation independent of ours. Returns `Some("VALID <type> <entries>")`,
/// or `None` after [`missing`] when the package is absent; panics with the validator's
/// words when it rejects the resource. The JSON goes through a file, not a pipe, so a
/// validator that stops early cannot break the test with a broken pipe.
pub fn validate_fhir_bundle(json: &str) -> Option<String> {
    if !python_module("fhir.resources.R4B.bundle") {
        return None;
    }
    let script = r#"
import sys
from fhir.resources.R4B.bundle import Bundle
data = open(sys.argv[1], encoding="utf-8").read()
b = Bundle.parse_raw(data) if hasattr(Bundle, "parse_raw") else Bundle.model_validate_json(data)
print("VALID", b.type, len(b.entry or []))
"#;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot make a temporary folder: {e}"));
    let file = dir.path().join("bundle.json");
    std::fs::write(&file, json).unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        out.status.success(),
        "fhir.resources rejected the bundle:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_is_in_the_repository() {
        let c = corpus_dir();
        assert!(c.join("MANIFEST.tsv").is_file(), "no corpus at {}", c.display());
        assert!(c.join("fit").is_dir() && c.join("fhir").is_dir());
        assert!(c.starts_with(repo_root()));
    }
}
