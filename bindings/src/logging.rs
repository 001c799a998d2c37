//! Forwards the `log` crate's records to a foreign [`Logger`] (Logcat, os_log, Python
//! logging). phr-core and this crate log categories and counts, never health data; the
//! bindings tests check that with sentinel values.

use std::sync::{Arc, Once, RwLock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl From<log::Level> for LogLevel {
    fn from(l: log::Level) -> Self {
        match l {
            log::Level::Error => LogLevel::Error,
            log::Level::Warn => LogLevel::Warn,
            log::Level::Info => LogLevel::Info,
            log::Level::Debug => LogLevel::Debug,
            log::Level::Trace => LogLevel::Trace,
        }
    }
}

impl From<LogLevel> for log::LevelFilter {
    fn from(l: LogLevel) -> Self {
        match l {
            LogLevel::Error => log::LevelFilter::Error,
            LogLevel::Warn => log::LevelFilter::Warn,
            LogLevel::Info => log::LevelFilter::Info,
            LogLevel::Debug => log::LevelFilter::Debug,
            LogLevel::Trace => log::LevelFilter::Trace,
        }
    }
}

/// Receives the library's log lines. Called from any thread.
#[uniffi::export(with_foreign)]
pub trait Logger: Send + Sync {
    fn log(&self, level: LogLevel, target: String, message: String);
}

static TARGET: RwLock<Option<Arc<dyn Logger>>> = RwLock::new(None);
static INSTALL: Once = Once::new();

struct Forwarder;

impl log::Log for Forwarder {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        // Clone the target out so the lock is not held while foreign code runs.
        let target = TARGET.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(t) = target {
            t.log(record.level().into(), record.target().to_string(), record.args().to_string());
        }
    }

    fn flush(&self) {}
}

/// Sends log records at `max_level` and above to `logger` (replacing any earlier one);
/// `None` stops forwarding. If the process already installed another `log` logger, that
/// one stays and this call only changes the level.
#[uniffi::export]
pub fn set_logger(logger: Option<Arc<dyn Logger>>, max_level: LogLevel) {
    INSTALL.call_once(|| {
        let _ = log::set_logger(&Forwarder);
    });
    *TARGET.write().unwrap_or_else(|p| p.into_inner()) = logger;
    log::set_max_level(max_level.into());
}
