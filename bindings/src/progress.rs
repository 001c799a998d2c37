//! Progress reporting and cancellation for long work (batched ingest, the demo fill, and
//! the imports), bridged to `phr_core::progress`.

use std::sync::Arc;

/// Told how far long work has got. `stage` is a fixed label ("samples", "demo"), never a
/// file name or health data. Called from a worker thread, never concurrently.
#[uniffi::export(with_foreign)]
pub trait ProgressListener: Send + Sync {
    fn on_progress(&self, stage: String, done: u64, total: u64);
}

/// Adapts a foreign listener to phr-core's trait.
pub(crate) struct ForeignProgress(pub(crate) Arc<dyn ProgressListener>);

impl phr_core::progress::ProgressListener for ForeignProgress {
    fn on_progress(&self, stage: &str, done: u64, total: u64) {
        self.0.on_progress(stage.to_string(), done, total);
    }
}

/// A cancel flag the app holds while work runs (a Cancel button). Work checks it between
/// units that land whole (one transaction), so cancelling never leaves half a unit behind.
/// Cancelling the Kotlin coroutine / Swift task running an async call sets it too.
#[derive(Debug, Default, uniffi::Object)]
pub struct CancelHandle {
    token: phr_core::progress::CancelToken,
}

#[uniffi::export]
impl CancelHandle {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn cancel(&self) {
        self.token.cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

impl CancelHandle {
    /// The phr-core token behind this handle (clones share the flag).
    pub(crate) fn token(&self) -> phr_core::progress::CancelToken {
        self.token.clone()
    }
}

/// Sets the handle when dropped unless disarmed: if the foreign side drops the future
/// (coroutine cancelled), the blocking work sees the cancel at its next check.
pub(crate) struct CancelOnDrop {
    handle: Arc<CancelHandle>,
    armed: bool,
}

impl CancelOnDrop {
    pub(crate) fn new(handle: Arc<CancelHandle>) -> Self {
        CancelOnDrop { handle, armed: true }
    }
    pub(crate) fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if self.armed {
            self.handle.cancel();
        }
    }
}
