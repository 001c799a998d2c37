//! Progress reports and cancellation for long work (bulk imports, demo fill, backup).
//!
//! The shells pass a [`ProgressListener`] (a progress bar) and keep a [`CancelToken`]
//! (a Cancel button). Long operations call [`CancelToken::check`] between units of work
//! (a file, a batch) so a cancelled import stops at a transaction boundary: whatever
//! finished is kept whole, nothing is half written.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Receives progress. `stage` is a fixed label ("files", "samples"), never file names or
/// health data, so it is safe to log or show anywhere.
pub trait ProgressListener: Send + Sync {
    fn on_progress(&self, stage: &str, done: u64, total: u64);
}

/// A listener that ignores everything.
pub struct NoProgress;

impl ProgressListener for NoProgress {
    fn on_progress(&self, _stage: &str, _done: u64, _total: u64) {}
}

/// Shared flag; clones see the same state.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    /// `Err(Error::Cancelled)` once cancelled.
    pub fn check(&self) -> crate::Result<()> {
        if self.is_cancelled() {
            Err(crate::Error::Cancelled)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_flag() {
        let t = CancelToken::new();
        let u = t.clone();
        assert!(t.check().is_ok());
        u.cancel();
        assert!(matches!(t.check(), Err(crate::Error::Cancelled)));
    }
}
