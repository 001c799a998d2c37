//! Progress for long work (import, sync, FHIR pull, backup): a live bar from `indicatif`
//! when stderr is a terminal, and plain lines (one per stage, then one per tenth of the
//! work) when it is a file or a pipe, so logs and scripts stay readable.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use phr_core::progress::ProgressListener;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use crate::terminal::errln;

/// A `ProgressListener` for the core's long calls.
pub struct Progress {
    bar: Option<ProgressBar>,
    /// For plain lines: the stage and the tenth last printed.
    last: Mutex<(String, u64)>,
}

impl Progress {
    /// Shows progress unless `quiet` (e.g. `--json`, where stderr should stay clean).
    pub fn new(quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} ({eta})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar
        });
        Progress { bar, last: Mutex::new((String::new(), u64::MAX)) }
    }

    /// For a call that reports nothing while it works: a spinner with `what` on a
    /// terminal, one plain line otherwise. Finish it with [`Progress::done`].
    pub fn waiting(quiet: bool, what: &str) -> Self {
        let p = Progress::new(quiet);
        match &p.bar {
            Some(bar) => {
                bar.set_style(ProgressStyle::default_spinner());
                bar.set_message(what.to_string());
                bar.enable_steady_tick(Duration::from_millis(120));
            }
            None if !quiet => errln!("{what}..."),
            None => {}
        }
        p
    }

    /// Clears the bar (the command then prints its own summary).
    pub fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl ProgressListener for Progress {
    fn on_progress(&self, stage: &str, done: u64, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_message(stage.to_string());
            bar.set_length(total);
            bar.set_position(done);
            return;
        }
        // Plain lines: a new stage, then every tenth of it, then its end.
        let Ok(mut last) = self.last.lock() else { return };
        let tenth = done.saturating_mul(10).checked_div(total).unwrap_or(0);
        if last.0 != stage || tenth != last.1 {
            if total > 0 {
                errln!("{stage}: {done} of {total}");
            } else {
                errln!("{stage}: {done}");
            }
            *last = (stage.to_string(), tenth);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done();
    }
}
