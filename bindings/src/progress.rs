//! Progress reporting and cancellation for long work (batched ingest, the demo fill, and
//! later the wearable imports).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Told how far long work has got. Called from a worker thread, never concurrently.
#[uniffi::export(with_foreign)]
pub trait ProgressListener: Send + Sync {
    fn on_progress(&self, done: u64, total: u64);
}

/// A cancel flag the app holds while work runs. Work checks it between units that land
/// whole (one transaction), so cancelling never leaves half a unit behind. Cancelling the
/// Kotlin coroutine / Swift task running an async call sets it too.
#[derive(Debug, Default, uniffi::Object)]
pub struct CancelHandle {
    flag: AtomicBool,
}

#[uniffi::export]
impl CancelHandle {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
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
