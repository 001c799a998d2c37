//! Screens ready before the apps ask. After a write, the first draw of home or insights
//! rebuilds the insight input (a year of rollups, five sections decrypted): 40-70 ms at
//! p99 on ten years of data, three or four frames. The apps redraw when told of a change,
//! so the core rebuilds those caches on a thread of its own first and tells them after:
//! the draw that follows finds them built. Changes that arrive while it works are told
//! together, once (an import's many commits cost one rebuild).

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, Weak};

use chrono::Utc;

use super::screens;
use crate::store::{Changed, Record, RecordObserver};

/// Wraps an app's observer: rebuilds the screens' caches, then passes the change on.
pub struct WarmingObserver {
    changes: Sender<Changed>,
}

impl WarmingObserver {
    /// Starts the warming thread. It holds the record weakly (a closed record is not kept
    /// open by it) and ends when this observer is dropped, i.e. once it is unobserved.
    pub fn new(record: Weak<Record>, app: Arc<dyn RecordObserver>) -> std::io::Result<Arc<WarmingObserver>> {
        let (changes, rx) = mpsc::channel();
        std::thread::Builder::new().name("phr-warm".into()).spawn(move || run(rx, record, app))?;
        Ok(Arc::new(WarmingObserver { changes }))
    }
}

impl RecordObserver for WarmingObserver {
    fn record_changed(&self, changed: Changed) {
        // Fails only when the thread is gone, which happens only with the observer.
        let _ = self.changes.send(changed);
    }
}

fn run(rx: Receiver<Changed>, record: Weak<Record>, app: Arc<dyn RecordObserver>) {
    while let Ok(first) = rx.recv() {
        let changed = rx.try_iter().fold(first, Changed::with);
        if let Some(record) = record.upgrade() {
            warm(&record);
        }
        app.record_changed(changed);
    }
}

/// Builds what home and insights keep per write generation. An error is dropped: the
/// screen meets it again when drawn, and reports it there. One warm at a time: each screen
/// that listens has its own observer, and without this they would all build the same
/// caches at once after a change; in turn, all but the first find them built.
pub fn warm(record: &Record) {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let _ = screens::home(record);
    let _ = screens::insights_screen(record, Utc::now());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::RawKeyStore;
    use crate::store::DB_FILE;
    use std::time::Duration;

    struct Told {
        record: Weak<Record>,
        cached_when_told: Mutex<Vec<bool>>,
        tx: Mutex<Sender<()>>,
    }
    impl RecordObserver for Told {
        fn record_changed(&self, _changed: Changed) {
            let today = Utc::now().date_naive();
            let cached = self.record.upgrade().is_some_and(|r| r.insight_input_is_cached(today));
            self.cached_when_told.lock().unwrap().push(cached);
            let _ = self.tx.lock().unwrap().send(());
        }
    }

    #[test]
    fn the_app_is_told_after_the_caches_are_built_and_a_burst_is_told_once() {
        let dir = tempfile::tempdir().unwrap();
        let record = Arc::new(Record::create(&dir.path().join(DB_FILE), &RawKeyStore::new([5; 32])).unwrap());
        let (tx, told_rx) = mpsc::channel();
        let told = Arc::new(Told {
            record: Arc::downgrade(&record),
            cached_when_told: Mutex::new(vec![]),
            tx: Mutex::new(tx),
        });
        let today = Utc::now().date_naive();

        // Without the warmer, a change leaves the cache stale until a screen draws.
        record.set_section_enabled("weight", true).unwrap();
        assert!(!record.insight_input_is_cached(today));

        let warming = WarmingObserver::new(Arc::downgrade(&record), told.clone()).unwrap();
        let id = record.observe(warming);
        record.set_section_enabled("sleep", true).unwrap();
        told_rx.recv_timeout(Duration::from_secs(30)).expect("told of the change");
        assert_eq!(*told.cached_when_told.lock().unwrap(), vec![true], "built before the app was told");

        // Five writes in a row: each is told, but never more often than written.
        for s in ["diet", "stress", "alcohol_smoking", "blood_pressure", "exercise"] {
            record.set_section_enabled(s, true).unwrap();
        }
        let mut n = 0;
        while told_rx.recv_timeout(Duration::from_secs(2)).is_ok() {
            n += 1;
        }
        assert!((1..=5).contains(&n), "{n} notices for 5 writes");
        assert!(told.cached_when_told.lock().unwrap().iter().all(|c| *c), "every notice after the build");
        assert!(record.unobserve(id));
    }
}
